"""``pjconf fuzz --export-seeds DIR``: the corpus as seed inputs of the entry points, and the
dictionary of protocol tokens.

``DIR/<group>/<family>-<tcId>.json`` holds one request (``{"op", "args"}``) per corpus case of
the group's ops, every case included (the held-out finding cases too: as regression seeds they
belong in a fuzzing engine's corpus); ``DIR/pjconf.dict`` is the dictionary in libFuzzer's
format, one quoted token per line.
"""

from __future__ import annotations

import json
from pathlib import Path

from pjconf.harness.corpus.load import load_corpus
from pjconf.harness.corpus.paths import vectors_dir
from pjconf.harness.fuzz.strategies import all_targets
from pjconf.harness.fuzz.strategies.events import JSON_TOKENS
from pjconf.harness.fuzz.strategies.uri import URI_TOKENS

DICTIONARY_FILE = "pjconf.dict"

PROTOCOL_TOKENS = (
    '"op"',
    '"args"',
    '"role"',
    '"receiver"',
    '"sender"',
    '"event"',
    '"events"',
    '"now"',
    '"uri"',
    '"msg"',
    '"receiver_sk"',
    '"reply_sk"',
    '"receiver_pk"',
    '"reply_pk"',
    '"body"',
    '"sk_e"',
    '"pk"',
    '"ell64"',
    '"rnd32"',
    '"bytes"',
    '"bhttp"',
    '"request"',
    '"response"',
    '"context"',
    '"key_config"',
    '"gateway_sk"',
    '"gateway_ikm"',
    '"mode"',
    '"base"',
    '"auth"',
    '"info"',
    '"aad"',
    '"pt"',
    '"ct"',
    '"enc"',
    '"method"',
    '"scheme"',
    '"authority"',
    '"path"',
    '"headers"',
    '"pad"',
    '"zero"',
    '"response_nonce"',
)
EVENT_TOKENS = (
    "Created",
    "Started",
    "PostedOriginalPsbt",
    "RetrievedOriginalPayload",
    "CheckedBroadcastSuitability",
    "CheckedInputsNotOwned",
    "CheckedNoInputsSeenBefore",
    "IdentifiedReceiverOutputs",
    "CommittedOutputs",
    "CommittedInputs",
    "AppliedFeeRange",
    "FinalizedProposal",
    "PostedPayjoinProposal",
    "GotReplyableError",
    "ProtocolFailed",
    "Cancelled",
    "Closed",
    "Success",
    "Failure",
    "Aborted",
    "FallbackBroadcasted",
    "PayjoinProposalSent",
    "Unrecognized",
    "error_code",
    "message",
    "extra",
    "expiration",
    "psbt_ctx",
    "pj_param",
    "ohttp_keys",
    "directory",
    "address",
    "amount",
    "max_fee_rate",
)


def dictionary() -> str:
    """The dictionary in libFuzzer's format: every token quoted, escapes in hex."""
    tokens = sorted(
        {
            *PROTOCOL_TOKENS,
            *(f'"{t}"' for t in EVENT_TOKENS),
            *JSON_TOKENS,
            *URI_TOKENS,
            *(t.op for t in all_targets()),
        }
    )
    return "".join(f'"{_escape(token)}"\n' for token in tokens if token)


def _escape(token: str) -> str:
    out = []
    for byte in token.encode("utf-8"):
        char = chr(byte)
        if char in '"\\' or not 0x20 <= byte < 0x7F:
            out.append(f"\\x{byte:02x}")
        else:
            out.append(char)
    return "".join(out)


def export_seeds(folder: Path, root: Path | None = None) -> int:
    """Write the seeds and the dictionary into ``folder``; the number of seed files."""
    group_of = {t.op: t.group for t in all_targets()}
    count = 0
    for case in load_corpus(root or vectors_dir()):
        group = group_of.get(case.op or "")
        if group is None or case.setup:
            continue
        target = folder / group / f"{case.family}-{case.tc_id}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        request = {"op": case.op, "args": case.args}
        target.write_text(json.dumps(request, ensure_ascii=False), encoding="utf-8")
        count += 1
    folder.mkdir(parents=True, exist_ok=True)
    (folder / DICTIONARY_FILE).write_text(dictionary(), encoding="utf-8")
    return count
