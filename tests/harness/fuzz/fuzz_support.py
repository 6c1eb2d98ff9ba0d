"""Planted bugs for the fuzz tests: the reference's adapter with one op's answers altered, in
process (as ``test_run_catches_mutants``) or as a real adapter process for the CLI."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from pjconf.harness.implementations.client import InProcessClient
from pjconf.protocol.wire import JsonObject
from pjconf.reference.adapter.dispatch import InProcessAdapter
from pjconf.reference.adapter.ops import reference_adapter

LONG_ENOUGH = 20
"""The planted bug shows only on message B plaintexts of at least this many bytes."""


def long_plaintext_mutant() -> InProcessClient:
    """``bip77.msg_b.open`` answers a corrupted plaintext when it holds LONG_ENOUGH bytes or
    more: the minimal input that shows it is an authentic message around exactly LONG_ENOUGH
    zero bytes."""
    handlers = dict(reference_adapter().handlers)
    original = handlers["bip77.msg_b.open"]

    def opened(args: JsonObject) -> JsonObject:
        result = original(args)
        plaintext = str(result["plaintext"])
        if len(plaintext) >= 2 * LONG_ENOUGH:
            return {**result, "plaintext": "ff" + plaintext[2:]}
        return result

    handlers["bip77.msg_b.open"] = opened
    return InProcessClient(InProcessAdapter("long-plaintext-mutant", "0", handlers))


SCRIPT = """
import sys
from pjconf.reference.adapter import serve
from pjconf.reference.adapter.dispatch import InProcessAdapter
from pjconf.reference.adapter.ops import reference_adapter

handlers = dict(reference_adapter("mutant").handlers)
original = handlers["short_id"]

def short_id(args):
    result = original(args)
    return {**result, "id": "%02x" % (int(result["id"][:2], 16) ^ 1) + result["id"][2:]}

handlers["short_id"] = short_id
sys.exit(serve.serve(InProcessAdapter("short-id-mutant", "0", handlers), sys.stdin, sys.stdout))
"""


def short_id_mutant_command(folder: Path) -> str:
    """``cmd:`` spec of an adapter process whose ``short_id`` flips the first byte of ids."""
    script = folder / "short_id_mutant.py"
    script.write_text(SCRIPT, encoding="utf-8")
    return "cmd:" + shlex.join([sys.executable, str(script)])
