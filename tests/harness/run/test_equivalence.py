"""RFC 3986 section 6.2.2 normalization of the URL fields bip77 compares by meaning."""

from __future__ import annotations

import pytest

from pjconf.harness.run.equivalence import equivalent, normalized_url, opaque_context, unpadded


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://PAYJO.IN/", "https://payjo.in/"),
        ("HTTPS://PAYJO.IN:443/", "https://payjo.in/"),
        ("http://EXAMPLE.COM:80", "http://example.com/"),
        ("https://example.com/a%2fb", "https://example.com/a%2Fb"),
        ("https://[::1]:443/", "https://[::1]/"),
    ],
)
def test_spellings_of_one_url_normalize_alike(a: str, b: str) -> None:
    assert normalized_url(a) == normalized_url(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://payjo.in/", "https://payjo.in:8443/"),
        ("https://payjo.in/", "http://payjo.in/"),
        ("https://payjo.in/A", "https://payjo.in/a"),  # the path is case-sensitive
        ("https://User@payjo.in/", "https://user@payjo.in/"),  # so is userinfo
        ("https://payjo.in/?a", "https://payjo.in/?A"),
    ],
)
def test_different_urls_stay_different(a: str, b: str) -> None:
    assert normalized_url(a) != normalized_url(b)


def test_text_that_is_no_url_has_no_normal_form() -> None:
    assert normalized_url("payjo.in") is None
    assert normalized_url("") is None


def test_only_the_url_fields_of_the_op_are_compared_loosely() -> None:
    want = {"version": 2, "directory": "https://PAYJO.IN/", "mailbox": "TXJCGKTKXLUUZ"}
    assert equivalent("uri.parse", "pj", want, {**want, "directory": "https://payjo.in/"})
    # anything else differing as well: no
    assert not equivalent(
        "uri.parse", "pj", want, {**want, "directory": "https://payjo.in/", "mailbox": "X"}
    )
    # another op, another key: no
    assert not equivalent("bhttp.request.decode", "pj", want, {**want, "directory": "x"})
    assert not equivalent("uri.parse", "address", "A", "a")


def test_a_response_returned_without_its_padding_matches_in_every_profile() -> None:
    message = "4140c8" + "00"  # a BHTTP message may itself end in a zero byte
    padded = message + "00" * 100
    assert unpadded("ohttp.response.open", "bhttp", padded, message)
    assert unpadded("ohttp.response.open", "bhttp", padded, message[:-2])
    assert not unpadded("ohttp.response.open", "bhttp", padded, "4140c9")  # another message
    assert not unpadded("ohttp.response.open", "bhttp", padded, "4140c")  # half a byte
    assert not unpadded("ohttp.response.open", "bhttp", message + "01" + "00" * 9, message)
    assert not unpadded("ohttp.request.open", "bhttp", padded, message)


def test_a_context_handle_is_not_compared_but_a_serialized_context_is() -> None:
    """The protocol lets an IUT return an opaque handle; a hex context claims the format."""
    want = "0100160001000341" + "04" * 65 + "ab" * 32
    for op in ("ohttp.request.seal", "ohttp.request.open"):
        assert opaque_context(op, "context", want, "rust-payjoin-ohttp-client-1")
    # hex is the serialization, so it must be equal (the caller compared it first)
    assert not opaque_context("ohttp.request.open", "context", want, want[:-2])
    assert not opaque_context("ohttp.request.open", "context", want, "")
    assert not opaque_context("ohttp.request.open", "context", want, 7)
    assert not opaque_context("ohttp.request.open", "bhttp", want, "handle")
    assert not opaque_context("ohttp.response.open", "context", want, "handle")
