"""Splitting a byte stream into bounded lines: an overlong line is reported, then skipped."""

from __future__ import annotations

import io
import itertools

import pytest

from pjconf.protocol.lines import Line, LineSplitter, Oversized, read_lines


def _split(chunks: list[bytes], limit: int = 8) -> list[Line]:
    splitter = LineSplitter(limit)
    out = [line for chunk in chunks for line in splitter.feed(chunk)]
    return out + splitter.finish()


@pytest.mark.parametrize("size", [1, 2, 3, 5, 64])
def test_lines_come_out_whole_however_the_bytes_are_chunked(size: int) -> None:
    data = b"one\ntwo\n\nthree\n\xff\xfe\nlast"
    chunks = [data[i : i + size] for i in range(0, len(data), size)]
    assert _split(chunks) == [b"one", b"two", b"", b"three", b"\xff\xfe", b"last"]


@pytest.mark.parametrize("size", [1, 4, 100])
def test_an_overlong_line_is_reported_once_and_the_next_line_is_intact(size: int) -> None:
    data = b"short\n" + b"x" * 30 + b"\nafter\n"
    chunks = [data[i : i + size] for i in range(0, len(data), size)]
    assert _split(chunks) == [b"short", Oversized(8), b"after"]


def test_a_line_of_exactly_the_limit_is_kept() -> None:
    assert _split([b"12345678\n123456789\n"]) == [b"12345678", Oversized(8)]


def test_an_endless_line_is_reported_as_soon_as_it_crosses_the_limit() -> None:
    """The newline never comes: the report must not wait for it, and nothing is kept."""
    splitter = LineSplitter(1024)
    reported: list[Line] = []
    for chunk in itertools.repeat(b"y" * 100, 20):
        reported += splitter.feed(chunk)
    assert reported == [Oversized(1024)]
    assert len(splitter._pending) == 0
    assert splitter.feed(b"y" * 10_000) == []


def test_read_lines_reads_a_binary_stream() -> None:
    stream = io.BufferedReader(io.BytesIO(b"a\n" + b"b" * 100 + b"\nc\n"))
    assert list(read_lines(stream, 10)) == [b"a", Oversized(10), b"c"]


def test_the_report_reads_as_a_reason() -> None:
    assert str(Oversized(4096)) == "line longer than 4096 bytes (discarded)"
