"""Per-implementation expectations: ``pjconf run --expectations FILE``.

Modelled on BoGo's shim config (``DisabledTests``: glob -> reason): an implementation that is
known to get some cases wrong records them with a reason, so its CI stays green on what is known
and turns red on anything new. Three lists per implementation:

- ``known_failures``: the case is run; a FAIL or ERROR becomes KNOWN_FAILURE (not counted against
  the exit status) and a PASS or ACCEPTABLE becomes UNEXPECTED_PASS (the entry is out of date).
- ``disabled``: the case is not sent at all and is reported as SKIP with the reason.
- ``excluded_families``: the family is left out of the run, so its absence is not an error.

An implementation entry may also hold ``profiles``: the same lists under a ``--profile`` name,
which apply only when the run is judged by that profile (the top-level lists apply under every
profile). An entry that matches nothing in the corpus is stale, and a stale file is an error:
expectations that silently stop applying are how known failures turn into unknown ones. Only the
lists of the run's profile are checked, so a list of the other profile is checked on its run.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import jsonschema

from pjconf.harness.corpus.load import Case
from pjconf.harness.corpus.paths import vectors_dir
from pjconf.harness.corpus.profiles import DEFAULT_PROFILE
from pjconf.harness.run.checker import Outcome, Verdict

FORMAT = "pjconf/expectations/v1"
SCHEMA_NAME = "expectations-v1.json"
_CHECKOUT_SCHEMA = Path(__file__).resolve().parents[4] / "vectors" / "schemas" / SCHEMA_NAME


class ExpectationsError(Exception):
    """An expectations file that cannot be read, is not valid, or has no entry for the IUT."""


@dataclass(frozen=True)
class Expectations:
    """The expectations of one implementation (one entry of the file)."""

    entry: str = ""
    """The key that applied: ``name@version`` or ``name``; empty when no file was given."""
    known_failures: Mapping[str, str] = field(default_factory=dict)
    disabled: Mapping[str, str] = field(default_factory=dict)
    excluded_families: Mapping[str, str] = field(default_factory=dict)
    source: str = ""
    profile: str = DEFAULT_PROFILE
    """The profile whose lists were merged in (``profiles.<name>`` of the entry)."""

    def disabled_reason(self, case: Case) -> str | None:
        return _reason(self.disabled, case.name)

    def known_failure_reason(self, case: Case) -> str | None:
        return _reason(self.known_failures, case.name)

    def apply(self, outcome: Outcome) -> Outcome:
        """Reclassify a judged outcome if the case is a known failure."""
        reason = self.known_failure_reason(outcome.case)
        if reason is None:
            return outcome
        if outcome.verdict in (Verdict.FAIL, Verdict.ERROR):
            verdict = Verdict.KNOWN_FAILURE
        elif outcome.verdict in (Verdict.PASS, Verdict.ACCEPTABLE):
            verdict = Verdict.UNEXPECTED_PASS
        else:  # SKIP: the case did not run, so it neither confirms nor refutes the entry
            return replace(outcome, reason=reason)
        return replace(outcome, verdict=verdict, reason=reason, judged=outcome.verdict)

    def problems(self, corpus: Iterable[Case]) -> list[str]:
        """Stale entries (matching no runnable case or family) and contradictory ones."""
        runnable = [c for c in corpus if c.op is not None]
        names = [c.name for c in runnable]
        found: list[str] = []
        for section, table in (
            ("known_failures", self.known_failures),
            ("disabled", self.disabled),
        ):
            for pattern in table:
                if not any(_matches(pattern, name) for name in names):
                    found.append(
                        f"stale expectation: {section}[{pattern!r}] matches no runnable case"
                        f" (profile {self.profile})"
                    )
        families = {c.family for c in runnable}
        for family in self.excluded_families:
            if family not in families:
                found.append(
                    f"stale expectation: excluded_families[{family!r}] is no family of the corpus"
                )
        for case_name in names:
            disabled = _pattern(self.disabled, case_name)
            known = _pattern(self.known_failures, case_name)
            if disabled is not None and known is not None:
                found.append(
                    f"contradictory expectation: {case_name} is both disabled[{disabled!r}] "
                    f"and known_failures[{known!r}]"
                )
        return found


def _matches(pattern: str, name: str) -> bool:
    return pattern == name or fnmatchcase(name, pattern)


def _pattern(table: Mapping[str, str], name: str) -> str | None:
    """The entry for ``name``: an exact key first, else the first glob in file order."""
    if name in table:
        return name
    return next((p for p in table if fnmatchcase(name, p)), None)


def _reason(table: Mapping[str, str], name: str) -> str | None:
    pattern = _pattern(table, name)
    return None if pattern is None else table[pattern]


def schema() -> dict[str, Any]:
    """The JSON Schema of the file (``vectors/schemas/expectations-v1.json``)."""
    for path in (vectors_dir() / "schemas" / SCHEMA_NAME, _CHECKOUT_SCHEMA):
        if path.is_file():
            loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            return loaded
    raise ExpectationsError(f"the schema {SCHEMA_NAME} is missing from {vectors_dir()}/schemas")


def parse(
    document: object,
    implementation: str,
    version: str,
    source: str = "",
    profile: str = DEFAULT_PROFILE,
) -> Expectations:
    """The entry of ``document`` for this implementation (``name@version`` wins over ``name``),
    its top-level lists merged with those of ``profile``."""
    where = source or "expectations"
    validator = jsonschema.Draft202012Validator(schema())
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        path = "/".join(str(p) for p in first.absolute_path) or "(root)"
        raise ExpectationsError(f"{where}: {path}: {first.message[:200]}")
    assert isinstance(document, dict)  # the schema says so
    entries: dict[str, Any] = document["implementations"]
    for key in (f"{implementation}@{version}", implementation):
        if key in entries:
            entry = entries[key]
            own = entry.get("profiles", {}).get(profile, {})
            return Expectations(
                entry=key,
                known_failures=_merged(entry, own, "known_failures"),
                disabled=_merged(entry, own, "disabled"),
                excluded_families=_merged(entry, own, "excluded_families"),
                source=source,
                profile=profile,
            )
    listed = ", ".join(sorted(entries)) or "none"
    raise ExpectationsError(
        f"{where}: no entry for implementation {implementation!r} "
        f"(or {implementation + '@' + version!r}); entries: {listed}"
    )


def _merged(entry: Mapping[str, Any], own: Mapping[str, Any], section: str) -> dict[str, str]:
    """The top-level list with the profile's own entries after it (the profile's reason wins)."""
    return {**entry.get(section, {}), **own.get(section, {})}


def load(
    path: Path, implementation: str, version: str, profile: str = DEFAULT_PROFILE
) -> Expectations:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ExpectationsError(f"{path}: {exc}") from None
    return parse(document, implementation, version, str(path), profile)
