"""The matrix as JSON (format ``pjconf/matrix/v1``, schema ``docs/matrix.v1.schema.json``):
what the page shows, for tools. No times but each column's own ``elapsedSeconds`` (0 under
``--reproducible``), so the same reports give the same bytes."""

from __future__ import annotations

import json
from typing import Any

from pjconf.harness.reports.matrix_columns import Column
from pjconf.harness.reports.matrix_model import Cell, FamilyCell, Matrix, Row

FORMAT = "pjconf/matrix/v1"


def to_json(matrix: Matrix) -> dict[str, Any]:
    disagreements = matrix.disagreements()
    return {
        "format": FORMAT,
        "ok": matrix.ok,
        "partial": matrix.partial,
        "profile": matrix.profile,
        "corpus": matrix.corpus,
        "date": matrix.date,
        "implementations": [_column(c) for c in matrix.columns],
        "summary": {
            "cases": len(matrix.rows),
            "agree": matrix.count("agree"),
            "disagree": matrix.count("disagree"),
            "disagreeKnown": matrix.known,
            "incomplete": matrix.count("incomplete"),
            "failingEverywhere": sum(1 for r in matrix.rows if r.failing_everywhere),
        },
        "families": [
            {
                "name": f.name,
                "cases": len(f.rows),
                "agree": f.count("agree"),
                "disagree": f.count("disagree"),
                "disagreeKnown": f.known,
                "incomplete": f.count("incomplete"),
                "implementations": [_family_cell(cell) for cell in f.cells],
            }
            for f in matrix.families
        ],
        "disagreements": [{"name": r.name, "known": r.known} for r in disagreements],
        "cases": [_row(r) for r in matrix.rows],
    }


def _column(column: Column) -> dict[str, Any]:
    report = column.report
    hello = report.get("implementation") or {}
    expectations = report.get("expectations") or {}
    return {
        "label": column.label,
        "impl": column.impl,
        "implementation": str(hello.get("implementation", column.impl)),
        "version": str(hello.get("version", "")),
        "ok": column.ok,
        "partial": column.partial,
        "interrupted": report.get("interrupted"),
        "expectations": str(expectations.get("applied") or ""),
        "strictExpectations": bool(expectations.get("strict")),
        "counts": report.get("counts") or {},
        "verified": report.get("verified") or {},
        "problems": report.get("problems") or [],
        "excluded": report.get("excluded") or {},
        "seed": (report.get("variants") or {}).get("seed"),
        "rerun": report.get("rerun") or [],
        "elapsedSeconds": report.get("elapsedSeconds", 0),
        "reports": list(column.sources),
    }


def _family_cell(cell: FamilyCell | None) -> dict[str, Any] | None:
    if cell is None:
        return None
    return {"state": cell.state, "reason": cell.reason, "counts": cell.counts}


def _row(row: Row) -> dict[str, Any]:
    return {
        "name": row.name,
        "family": row.family,
        "tcId": row.tc_id,
        "op": row.op,
        "comment": row.comment,
        "agreement": row.agreement,
        "known": row.known,
        "cells": [_cell(c) for c in row.cells],
    }


def _cell(cell: Cell | None) -> dict[str, Any] | None:
    if cell is None:
        return None
    return {
        "verdict": cell.verdict.value,
        "judged": cell.judged,
        "reason": cell.reason,
        "detail": cell.detail,
        "reproduce": cell.reproduce,
    }


def render(matrix: Matrix) -> str:
    return json.dumps(to_json(matrix), indent=1, ensure_ascii=False) + "\n"
