"""Check that a patch against a published crate changes nothing but visibility.

    python3 ci/visibility_patch.py check PATCH [PATCH ...]

ci/build-rust-payjoin.sh runs this on ``adapters/rust-payjoin/versions/<VERSION>/visibility.patch``
before applying it to payjoin's published source, so the adapter calls the crate's own code and the
patch cannot slip in a behaviour change. A patch passes when it is a plain unified diff (``--- a/P``
and ``+++ b/P`` headers naming the same existing ``.rs`` file, each file once, hunks whose line
counts match their ``@@`` header) and, within each run of changed lines:

- every removed line has an added counterpart equal to it once visibility is normalised
  (``pub(crate)``, ``pub(super)``, ``pub(self)``, ``pub(in path)`` or no visibility at all become
  ``pub``), and that counterpart says plain ``pub``;
- every other added line is a whole ``pub use ...;`` or ``pub mod ...;`` line.

Anything else fails with a message naming the patch, the file, the hunk and the line. Standard
library only: it runs before any dependency is installed.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$")
_VISIBILITY = re.compile(r"^pub(?:\((?:crate|super|self|in [A-Za-z_][A-Za-z0-9_:]*)\))?\s+")
_WHOLE_PUB_ITEM = re.compile(r"^\s*pub (?:use|mod) [A-Za-z_{][^;]*;\s*$")


class PatchError(Exception):
    """The patch is not a visibility-only unified diff; the message says where and why."""


@dataclass
class Hunk:
    header: str
    number: int
    patch_line: int
    lines: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class FilePatch:
    path: str
    patch_line: int
    hunks: list[Hunk] = field(default_factory=list)


def normalise(line: str) -> str:
    """The line with its item visibility, whatever it is (or none), made ``pub``."""
    body = line.lstrip()
    indent = line[: len(line) - len(body)]
    return indent + "pub " + _VISIBILITY.sub("", body, count=1)


def is_plain_pub(line: str) -> bool:
    body = line.lstrip()
    return body.startswith("pub ") and not body.startswith("pub (")


def _strip_prefix(path: str, prefix: str) -> str:
    return path[len(prefix) :] if path.startswith(prefix) else path


def _file_header(lines: list[str], i: int, files: list[FilePatch], name: str) -> FilePatch:
    no = i + 1
    if i + 1 >= len(lines) or not lines[i + 1].startswith("+++ "):
        raise PatchError(f"{name}: line {no}: a '---' header without a '+++' header after it")
    old = lines[i][4:].split("\t")[0].strip()
    new = lines[i + 1][4:].split("\t")[0].strip()
    if "/dev/null" in (old, new):
        raise PatchError(
            f"{name}: line {no}: creates or deletes a file ({old} -> {new}); "
            "a visibility patch only edits existing files"
        )
    if not (old.startswith("a/") and new.startswith("b/")):
        raise PatchError(f"{name}: line {no}: headers must be a/PATH and b/PATH, not {old}, {new}")
    path_a, path_b = _strip_prefix(old, "a/"), _strip_prefix(new, "b/")
    if path_a != path_b:
        raise PatchError(f"{name}: line {no}: headers name different files: {path_a}, {path_b}")
    if path_a.startswith("/") or ".." in path_a.split("/") or not path_a.endswith(".rs"):
        raise PatchError(f"{name}: line {no}: {path_a} is not a relative path to a .rs file")
    if any(f.path == path_a for f in files):
        raise PatchError(f"{name}: line {no}: {path_a} appears twice")
    return FilePatch(path_a, no)


def _hunk(lines: list[str], i: int, current: FilePatch, name: str) -> tuple[Hunk, int]:
    """The hunk whose ``@@`` header is ``lines[i]``, and the index of the line after it."""
    match = _HUNK.match(lines[i])
    assert match is not None
    old_count = int(match.group(2) or "1")
    new_count = int(match.group(4) or "1")
    hunk = Hunk(lines[i], len(current.hunks) + 1, i + 1)
    i += 1
    seen_old = seen_new = 0
    while i < len(lines) and (seen_old < old_count or seen_new < new_count):
        tag = lines[i][:1]
        if tag in (" ", ""):
            seen_old += 1
            seen_new += 1
        elif tag == "-":
            seen_old += 1
        elif tag == "+":
            seen_new += 1
        elif tag != "\\":
            break
        hunk.lines.append((i + 1, lines[i]))
        i += 1
    while i < len(lines) and lines[i].startswith("\\"):
        hunk.lines.append((i + 1, lines[i]))
        i += 1
    if (seen_old, seen_new) != (old_count, new_count):
        raise PatchError(
            f"{name}: {current.path}, hunk {hunk.number} ({hunk.header}): the header promises "
            f"{old_count} old and {new_count} new lines, the hunk has {seen_old} and {seen_new}"
        )
    return hunk, i


def parse(text: str, name: str = "patch") -> list[FilePatch]:
    """Split a unified diff into files and hunks, refusing anything unusual about its shape."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    files: list[FilePatch] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("--- "):
            files.append(_file_header(lines, i, files, name))
            i += 2
        elif _HUNK.match(line):
            if not files:
                raise PatchError(f"{name}: line {i + 1}: a hunk before any file header")
            hunk, i = _hunk(lines, i, files[-1], name)
            files[-1].hunks.append(hunk)
        elif line.startswith(("diff ", "index ")):
            i += 1  # `diff -ru a/P b/P` or git's header lines: the ---/+++ pair says what matters
        else:
            raise PatchError(f"{name}: line {i + 1}: unexpected line outside a hunk: {line!r}")
    if not files:
        raise PatchError(f"{name}: no file headers: not a unified diff")
    for f in files:
        if not f.hunks:
            raise PatchError(f"{name}: {f.path} (line {f.patch_line}): a file header with no hunk")
    return files


def _check_block(
    name: str,
    f: FilePatch,
    hunk: Hunk,
    removed: list[tuple[int, str]],
    added: list[tuple[int, str]],
) -> None:
    where = f"{name}: {f.path}, hunk {hunk.number} ({hunk.header})"
    unmatched = list(added)
    for line_no, text in removed:
        target = normalise(text[1:])
        for k, (_, add_text) in enumerate(unmatched):
            if is_plain_pub(add_text[1:]) and normalise(add_text[1:]) == target:
                del unmatched[k]
                break
        else:
            raise PatchError(
                f"{where}, patch line {line_no}: removed line {text[1:]!r} has no added "
                "counterpart that differs from it only in visibility"
            )
    for line_no, text in unmatched:
        if not _WHOLE_PUB_ITEM.match(text[1:]):
            raise PatchError(
                f"{where}, patch line {line_no}: added line {text[1:]!r} is neither a visibility "
                "change of a removed line nor a whole 'pub use ...;' or 'pub mod ...;' line"
            )


def check(text: str, name: str = "patch") -> list[FilePatch]:
    """Raise :class:`PatchError` unless ``text`` changes visibility only; return its files."""
    files = parse(text, name)
    for f in files:
        for hunk in f.hunks:
            removed: list[tuple[int, str]] = []
            added: list[tuple[int, str]] = []
            for line_no, body in [*hunk.lines, (0, " ")]:
                if body.startswith("-"):
                    removed.append((line_no, body))
                elif body.startswith("+"):
                    added.append((line_no, body))
                elif body.startswith("\\"):
                    continue
                else:
                    if removed or added:
                        _check_block(name, f, hunk, removed, added)
                    removed, added = [], []
    return files


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) < 2 or args[0] != "check":
        print("usage: visibility_patch.py check PATCH [PATCH ...]", file=sys.stderr)
        return 2
    status = 0
    for patch in args[1:]:
        try:
            files = check(Path(patch).read_text(encoding="utf-8"), patch)
        except (OSError, UnicodeDecodeError) as e:
            print(f"error: {patch}: {e}", file=sys.stderr)
            status = 1
        except PatchError as e:
            print(f"error: {e}", file=sys.stderr)
            status = 1
        else:
            hunks = sum(len(f.hunks) for f in files)
            print(f"ok: {patch}: visibility only ({len(files)} files, {hunks} hunks)")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
