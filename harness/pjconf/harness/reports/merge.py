"""Shard reports of one run joined into one report (``pjconf report merge``).

A CI matrix runs ``pjconf run --shard i/n`` in n jobs; each writes a JSON report of its share.
Only the union says whether the implementation is conformant: a family's cases are spread over
the shards, and the verified share and ``--min-verified`` are about the whole corpus. This module
checks that the reports belong together (one implementation, one corpus, one expectations file
read the same way) and unions what they saw; :mod:`from_json` then rebuilds the run so that
counts, family states, ``ok`` and state-graph coverage are computed again, not added up.

Reports of different implementations are refused: comparing implementations is another report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pjconf.harness.corpus.load import Case
from pjconf.harness.reports import from_json
from pjconf.harness.reports.summary import RunInfo, to_json
from pjconf.harness.run.runner import RunResult


class MergeError(Exception):
    """The reports do not belong to one run of one implementation on one corpus."""


@dataclass(frozen=True)
class Shard:
    """One report to merge, and where it came from (named in refusals)."""

    source: str
    report: dict[str, Any]


def identity(report: dict[str, Any]) -> str:
    """The implementation a report is about: ``name version`` from its hello."""
    implementation = report.get("implementation") or {}
    name = implementation.get("implementation", implementation.get("impl", report.get("impl")))
    return f"{name} {implementation.get('version', '')}".strip()


def digest(report: dict[str, Any]) -> str:
    return str((report.get("corpus") or {}).get("sha256", ""))


def _same(shards: list[Shard], what: str, key: Any) -> None:
    first = shards[0]
    for shard in shards[1:]:
        if key(shard.report) != key(first.report):
            raise MergeError(
                f"{shard.source} and {first.source} are reports of different {what} "
                f"({key(shard.report)!r} and {key(first.report)!r}); only shards of one run "
                "can be merged"
            )


def combine(shards: list[Shard]) -> dict[str, Any]:
    """One report holding every shard's cases, families, exclusions and problems.

    Counts, family states, ``ok``, ``problems`` and coverage in the result are the first
    shard's and are stale: rebuild the run from it (:func:`from_json.rebuild`) and render it.
    A case in two reports must have the same verdict in both (overlapping shards, or a rerun).
    """
    if not shards:
        raise MergeError("no reports to merge")
    _same(shards, "implementations", identity)
    _same(shards, "corpora (sha256)", digest)
    _same(shards, "expectations", lambda r: r["expectations"].get("applied", ""))
    _same(shards, "profiles (--profile)", lambda r: r.get("profile", "bip77"))
    _same(shards, "strictness (--strict-expectations)", lambda r: r["expectations"].get("strict"))
    if not digest(shards[0].report):
        raise MergeError(f"{shards[0].source} does not name its corpus digest")
    merged = dict(shards[0].report)
    merged["cases"] = _cases(shards)
    merged["families"] = _families(shards)
    merged["excluded"] = dict(
        sorted({k: v for s in shards for k, v in (s.report.get("excluded") or {}).items()}.items())
    )
    merged["notRunnable"] = sum(int(s.report.get("notRunnable", 0)) for s in shards)
    problems = (p for s in shards for p in s.report["expectations"].get("problems", []))
    merged["expectations"] = {**shards[0].report["expectations"], "problems": _unique(problems)}
    dates = [str(s.report["date"]) for s in shards if s.report.get("date")]
    if dates:
        merged["date"] = min(dates)
    merged["elapsedSeconds"] = round(
        sum(float(s.report.get("elapsedSeconds", 0.0)) for s in shards), 3
    )
    return merged


def rebuilt(
    shards: list[Shard],
    cases_of: Callable[[str], dict[str, Case]],
    min_verified: float | None = None,
) -> tuple[RunResult, RunInfo, dict[str, Any]]:
    """The run the shards make together, its facts, and its JSON report as ``pjconf run`` would
    write it (plus the shards' variants); ``cases_of`` gives the corpus of a digest, in order.

    Raises :class:`MergeError` for shards that do not belong together and
    :class:`from_json.ReportError` for a report the corpus cannot rebuild."""
    combined = combine(shards)
    cases = cases_of(digest(combined))
    order = {name: index for index, name in enumerate(cases)}
    combined["cases"].sort(key=lambda c: order.get(str(c.get("name")), len(order)))
    result, info = from_json.rebuild(combined, cases, min_verified=min_verified)
    document = to_json(result, info.implementation, info)
    document["variants"] = variants(shards)
    return result, info, document


def variants(shards: list[Shard]) -> dict[str, Any] | None:
    """The fresh variants of all shards; ``seed`` only when every shard used the same one."""
    parts = [s.report["variants"] for s in shards if s.report.get("variants")]
    if not parts:
        return None
    seeds = _unique(str(p.get("seed")) for p in parts)
    return {
        "seed": seeds[0] if len(seeds) == 1 else None,
        "seeds": seeds,
        "cases": sorted({c for p in parts for c in p.get("cases", [])}),
        "unpaired": sorted({c for p in parts for c in p.get("unpaired", [])}),
    }


def _cases(shards: list[Shard]) -> list[dict[str, Any]]:
    seen: dict[str, tuple[str, dict[str, Any]]] = {}
    for shard in shards:
        for case in shard.report["cases"]:
            name = str(case.get("name"))
            if name in seen and seen[name][1].get("verdict") != case.get("verdict"):
                raise MergeError(
                    f"case {name} is {seen[name][1].get('verdict')} in {seen[name][0]} and "
                    f"{case.get('verdict')} in {shard.source}: these reports overlap"
                )
            seen.setdefault(name, (shard.source, case))
    return [case for _, case in seen.values()]


def _families(shards: list[Shard]) -> dict[str, Any]:
    """Every family in scope in any shard; NOT RUN (hello lists none of its ops) wins."""
    families: dict[str, Any] = {}
    for shard in shards:
        for name, entry in shard.report["families"].items():
            if name not in families or entry.get("state") == "NOT RUN":
                families[name] = entry
    return dict(sorted(families.items()))


def _unique(items: Any) -> list[str]:
    return list(dict.fromkeys(str(i) for i in items))
