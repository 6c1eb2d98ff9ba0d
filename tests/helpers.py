"""Helpers the corpus-reading tests share: reading a family's cases, and the reference's outcome.

The outcome is built here, not with the generator's ``error_json``, so that a test checks the
committed corpus against the reference without trusting the code that wrote it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pjconf.harness.vectorgen.uri import UNDISTINGUISHED_REASONS
from pjconf.reference.errors import PjconfError

Json = dict[str, Any]


def group_cases(corpus: Path, path: str, group_type: str) -> list[Json]:
    """The cases of every ``group_type`` group in the family file ``corpus/path``, as
    payjoin 1.0 pins them (:func:`pinned`)."""
    document = json.loads((corpus / path).read_text(encoding="utf-8"))
    return [
        pinned(t) for g in document["testGroups"] if g["type"] == group_type for t in g["tests"]
    ]


def pinned(case: Json) -> Json:
    """``case`` with its ``payjoin-1.0`` verdict on top: the reference follows payjoin 1.0's
    choices, so it must give that profile's answer (the ``bip77`` one may leave it open)."""
    override = case.get("profiles", {}).get("payjoin-1.0")
    if override is None:
        return case
    rest = {k: v for k, v in case.items() if k not in ("expected", "error", "profiles")}
    return {**rest, **override}


def uri_cases(corpus: Path, group_type: str) -> list[Json]:
    """The ``uri`` family's cases of one group (bech32, ShortId, OHTTP keys and URIs)."""
    return group_cases(corpus, "crypto/uri.json", group_type)


def outcome(run: Callable[[], Json]) -> Json:
    """``{"expected": ...}`` or ``{"error": {kind[, reason]}}``: what a case records."""
    try:
        return {"expected": run()}
    except PjconfError as exc:
        error = {"kind": exc.kind}
        reason = getattr(exc, "reason", None)
        if reason is not None:
            error["reason"] = reason
        return {"error": error}


def unpinned(got: dict[str, Any], case: dict[str, Any]) -> dict[str, Any]:
    """``got`` without the reason a case leaves unpinned (one payjoin 1.0 cannot report).

    Only a reason of :data:`UNDISTINGUISHED_REASONS` may be left out, and the case's comment must
    name it, so a vector that lost a reason it should pin still fails.
    """
    error = case.get("error")
    if error is None or "reason" in error or "reason" not in got.get("error", {}):
        return got
    reason = got["error"].get("reason")
    assert reason in UNDISTINGUISHED_REASONS, (case["comment"], reason)
    assert f"reason {reason} not pinned" in case["comment"]
    return {"error": {k: v for k, v in got["error"].items() if k != "reason"}}
