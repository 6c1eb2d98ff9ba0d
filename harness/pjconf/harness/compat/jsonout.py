"""The JSON artifact of ``pjconf compat --json`` (format ``pjconf/compat/v1``, schema
``docs/compat.v1.schema.json``): the page's content for tools, plus the run's duration."""

from __future__ import annotations

import json
from typing import Any

from pjconf.harness.compat.model import Matrix
from pjconf.harness.compat.verdict import Judged

FORMAT = "pjconf/compat/v1"


def to_json(matrix: Matrix, judged: Judged, elapsed: float | None = None) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "command": matrix.command_line(),
        "ok": judged.ok,
        "implementations": [
            {
                "label": m.label,
                "impl": m.spec,
                "alone": {
                    "paths": matrix.alone[m.label].paths,
                    "passed": matrix.alone[m.label].passed,
                },
            }
            for m in matrix.members
        ],
        "roles": list(matrix.roles),
        "paths": list(matrix.paths),
        "pairs": [p.to_json() for p in matrix.pairs.values()],
        "failures": [f.to_json(text) for f, text in judged.failures],
        "unexplained": [f.key for f in judged.unexplained],
        "staleNotes": list(judged.stale),
        "corpus": [
            {
                "label": row.label,
                "implementation": row.implementation,
                "ok": row.ok,
                "counts": row.counts,
                "verified": row.verified,
            }
            for row in matrix.corpus
        ],
        "corpusDifferences": [
            {
                "key": d.key,
                "profile": d.profile,
                "case": d.case,
                "verdicts": dict(d.verdicts),
                "explanation": d.explanation,
            }
            for d in judged.corpus
        ],
        "elapsedSeconds": None if elapsed is None else round(elapsed, 1),
    }


def render(matrix: Matrix, judged: Judged, elapsed: float | None = None) -> str:
    return json.dumps(to_json(matrix, judged, elapsed), indent=1, ensure_ascii=False) + "\n"
