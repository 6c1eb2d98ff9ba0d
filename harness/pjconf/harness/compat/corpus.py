"""``--corpus LABEL=FILE``: the corpus results of an implementation under a profile, read from
the summary of a ``pjconf run --json`` report (``reports/summary.to_json``), shown as given."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pjconf.harness.compat.model import CorpusRow


class CorpusReportError(Exception):
    """A ``--corpus`` report cannot be read or is no run report: bad usage, exit 2."""


def split(text: str) -> tuple[str, Path]:
    """``LABEL=FILE``; the label is free text (``rust-payjoin@1.1.0/bip77``)."""
    label, sep, file = text.partition("=")
    if not sep or not label or not file:
        raise CorpusReportError(f"--corpus {text!r}: expected LABEL=FILE")
    return label, Path(file)


def read(label: str, path: Path) -> CorpusRow:
    try:
        document: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CorpusReportError(f"--corpus {label}: cannot read {path}: {exc}") from None
    counts = document.get("counts") if isinstance(document, dict) else None
    if not isinstance(counts, dict) or not isinstance(document.get("ok"), bool):
        raise CorpusReportError(f"--corpus {label}: {path} is not a 'pjconf run --json' report")
    hello = document.get("implementation")
    hello = hello if isinstance(hello, dict) else {}
    name = " ".join(str(hello[k]) for k in ("implementation", "version") if k in hello)
    verified = document.get("verified")
    share = ""
    if isinstance(verified, dict) and {"cases", "corpusRunnable", "share"} <= set(verified):
        share = f"{verified['cases']}/{verified['corpusRunnable']} ({verified['share']}%)"
    return CorpusRow(
        label=label,
        implementation=name or str(document.get("impl", "")),
        ok=document["ok"],
        counts={str(k): int(v) for k, v in counts.items() if isinstance(v, int)},
        verified=share,
        profile=str(document.get("profile") or ""),
        verdicts=_verdicts(document.get("cases")),
    )


def _verdicts(cases: object) -> dict[str, str]:
    """Each judged case's own verdict: a KNOWN_FAILURE counts as the FAIL or ERROR it was."""
    out: dict[str, str] = {}
    for case in cases if isinstance(cases, list) else []:
        if not isinstance(case, dict) or not isinstance(case.get("name"), str):
            continue
        verdict = case.get("judged") or case.get("verdict")
        if isinstance(verdict, str) and verdict != "SKIP":
            out[case["name"]] = verdict
    return out
