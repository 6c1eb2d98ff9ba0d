"""``pjconf directory``: ``serve`` runs the reference's BIP 77 directory and OHTTP relay as a
real HTTP server; ``bench`` measures any directory by URL. See docs/directory.md."""

from __future__ import annotations

import argparse
import hashlib
import secrets
import sys
from pathlib import Path

from pjconf.harness.cli.options import at_least, positive
from pjconf.harness.implementations.reference import (
    DirectoryExtraMissing,
    ServerConfig,
    serve_directory,
)

USAGE_ERROR = 2
EXTRA_MISSING = (
    "pjconf directory: the server needs aiohttp, in the 'directory' extra: "
    "pip install 'pjconf[directory]'"
)


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``directory`` subcommand with ``serve`` and ``bench``."""
    p = commands.add_parser(
        "directory",
        help="a real BIP 77 directory and OHTTP relay (serve), and its benchmark (bench)",
        description="pjconf's own BIP 77 directory and OHTTP relay over HTTP, and a benchmark "
        "that measures any directory by its URL. See docs/directory.md.",
    )
    sub = p.add_subparsers(dest="directory_command", required=True, metavar="SUBCOMMAND")
    _add_serve(sub)
    from pjconf.harness.directory import cli as bench_cli  # noqa: PLC0415

    bench_cli.add_parser(sub)


def _add_serve(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    s = sub.add_parser(
        "serve",
        help="serve the directory, its OHTTP gateway and a relay until SIGTERM/SIGINT",
        description="Serve the OHTTP gateway (POST / and POST /.well-known/ohttp-gateway), its "
        "key configuration (GET /.well-known/ohttp-gateway, application/ohttp-keys), the "
        "mailboxes behind it with long polling and expiry, and an OHTTP relay (POST "
        "/http://GATEWAY/) that forwards to one gateway only. Prints 'listening URL' on "
        "stdout once it accepts connections; logs one line per request on stderr. Exit status "
        "0 after a clean stop on SIGTERM or SIGINT; 2 on bad usage, a store or port that "
        "cannot be opened, or a missing 'directory' extra; with --workers, 1 when a worker "
        "ended other than by a clean stop.",
    )
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    s.add_argument(
        "--port", type=at_least(0), default=0, help="port; 0 lets the system choose (printed)"
    )
    s.add_argument("--store", metavar="PATH", help="SQLite file of the mailboxes (default: memory)")
    key = s.add_mutually_exclusive_group()
    key.add_argument("--seed", help="derive the gateway key (and answer nonces) from this seed")
    key.add_argument(
        "--key-file",
        metavar="PATH",
        type=Path,
        help="the gateway key's 32-byte seed in hex; created with a fresh seed if missing",
    )
    s.add_argument(
        "--long-poll",
        type=at_least_zero,
        default=30.0,
        metavar="SECONDS",
        help="how long a GET on an empty mailbox waits before 202 (30, payjoin-mailroom's)",
    )
    s.add_argument(
        "--mailbox-ttl",
        type=positive(float),
        default=7 * 24 * 3600.0,
        metavar="SECONDS",
        help="how long a mailbox lives (one week, payjoin-mailroom's)",
    )
    s.add_argument(
        "--relay-only-to",
        metavar="URL",
        help="the one gateway the relay forwards to (default: this server's own gateway)",
    )
    s.add_argument("--log-format", choices=("json", "text"), default="json")
    s.add_argument(
        "--idle-timeout",
        type=positive(float),
        default=15.0,
        metavar="SECONDS",
        help="close a connection that sends no complete request head for this long (15)",
    )
    s.add_argument(
        "--body-timeout",
        type=positive(float),
        default=10.0,
        metavar="SECONDS",
        help="refuse (408) a body not received in full within this time (10)",
    )
    s.add_argument(
        "--max-waiters",
        type=at_least(1),
        default=10_000,
        help="long polls held at once, per worker; more are answered 503 (10000)",
    )
    s.add_argument(
        "--workers",
        type=at_least(1),
        default=1,
        metavar="N",
        help="server processes sharing the port and the --store file (1); more than 1 needs "
        "--store",
    )


def at_least_zero(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


class KeyFileError(Exception):
    """A key file that cannot be read, written or parsed."""


def gateway_ikm(seed: str | None, key_file: Path | None) -> bytes:
    """The gateway key's seed: from ``--seed``, from (or into) ``--key-file``, or fresh."""
    if seed is not None:
        return hashlib.sha256(f"{seed}/gateway".encode()).digest()
    if key_file is None:
        return secrets.token_bytes(32)
    try:
        if not key_file.exists():
            fresh = secrets.token_bytes(32)
            key_file.write_text(fresh.hex() + "\n", encoding="ascii")
            key_file.chmod(0o600)
            return fresh
        text = key_file.read_text(encoding="ascii").strip()
        ikm = bytes.fromhex(text)
    except (OSError, ValueError, UnicodeError) as e:
        raise KeyFileError(f"{key_file}: {e}") from None
    if len(ikm) != 32:
        raise KeyFileError(f"{key_file}: expected 64 hex digits, got {len(text)} characters")
    return ikm


def command(args: argparse.Namespace) -> int:
    if args.directory_command == "bench":
        from pjconf.harness.directory import cli as bench_cli  # noqa: PLC0415

        return bench_cli.command(args)
    try:
        ikm = gateway_ikm(args.seed, args.key_file)
    except KeyFileError as e:
        print(f"pjconf directory serve: bad --key-file: {e}", file=sys.stderr)
        return USAGE_ERROR
    if args.relay_only_to is not None and not args.relay_only_to.startswith(
        ("http://", "https://")
    ):
        print("pjconf directory serve: --relay-only-to needs an http(s):// URL", file=sys.stderr)
        return USAGE_ERROR
    if args.workers > 1 and args.store is None:
        print(
            "pjconf directory serve: --workers above 1 needs --store (the workers share it)",
            file=sys.stderr,
        )
        return USAGE_ERROR
    config = ServerConfig(
        gateway_ikm=ikm,
        host=args.host,
        port=args.port,
        store=args.store,
        long_poll=args.long_poll,
        mailbox_ttl=args.mailbox_ttl,
        relay_only_to=args.relay_only_to,
        log_format=args.log_format,
        idle_timeout=args.idle_timeout,
        body_timeout=args.body_timeout,
        max_waiters=args.max_waiters,
        workers=args.workers,
    )
    try:
        return serve_directory(config, seed=args.seed)
    except DirectoryExtraMissing:
        print(EXTRA_MISSING, file=sys.stderr)
        return USAGE_ERROR


__all__ = ["command"]
