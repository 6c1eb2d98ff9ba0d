"""The payjoin URI: a BIP 21 ``bitcoin:`` URI whose ``pj`` parameter is a BIP 77 mailbox URL.

Everything here follows what rust-payjoin 1.0 (with payjoin's ``bitcoin_uri`` fork of the bip21
crate, rust-bitcoin 0.32 and payjoin's own ``Url`` type) accepts and Displays, quirks included,
because a conformance reference must agree with the deployed implementation byte for byte::

    bitcoin:<address>?amount=<btc>&label=..&message=..&pjos=0&pj=<PJ>
    PJ = HTTPS://HOST/<SHORTID>%23EX1<expiry>-OH1<ohttp keys>-RK1<receiver key>

Parsing layers, each failure a :class:`~pjconf.reference.errors.ParseError` with a stable
``reason`` (the vectors pin them):

1. BIP 21 (:func:`parse_uri`): scheme, address, ``amount``/``label``/``message``, ``pj``,
   ``pjos``, ``req-*``; the query ends at the first unescaped ``#``.
2. The ``pj`` URL (:func:`parse_pj_param`), parsed as rust-payjoin 1.0 parses it, with its own
   ``Url`` (:func:`~pjconf.reference.bip77.url.parse_url`): scheme lower-cased, host kept as
   written, an explicit port kept even when it is the default, the path never normalised.
   (Earlier rust-payjoin used the ``url`` crate, which lower-cases hosts and drops default ports;
   running the corpus against rust-payjoin 1.0 showed the difference, and the crate wins.)
3. v2 detection: exactly one path segment that parses as a ShortId, and a fragment naming
   ``RK1``, ``OH1`` and ``EX1``. If it is not v2, Rust falls back to BIP 78 and so does this
   module: the result is a :class:`PjParamV1` (``pj.version == 1``) holding the endpoint, valid
   when it is ``https`` or ``http`` to a ``.onion`` host. :func:`parse_pj_param_v2` is the
   strict variant that raises ``NotV2`` instead.
4. The fragment parameters (:func:`parse_fragment`).

Quirks worth knowing (each has a flagged vector): ``+`` is still accepted as the fragment
delimiter; parameters may come in any order and unknown pieces are ignored; ShortId aliases
are accepted; ``RK1`` may carry a 65-byte key; a v2 URL is accepted over plain ``http``;
``req-pj`` is an unknown *required* parameter and fails; a repeated ``amount`` overwrites.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pjconf.reference.bip77 import bech32
from pjconf.reference.bip77.ohttp_keys import OhttpKeyConfig
from pjconf.reference.bip77.short_id import format_short_id, parse_short_id, short_id
from pjconf.reference.bip77.url import Url, check_unicode, parse_url, percent_decode
from pjconf.reference.bitcoin import address as bitcoin_address
from pjconf.reference.crypto.secp256k1 import compress
from pjconf.reference.entropy import Clock
from pjconf.reference.errors import InvalidKey, ParseError

LOCK_TIME_THRESHOLD = 500_000_000
"""Smallest expiry: below it a Bitcoin lock time is a block height, not a time."""
MAX_EXPIRATION = 2**32 - 1
EX_HRP, OH_HRP, RK_HRP = "EX", "OH", "RK"
SATS_PER_BTC = 100_000_000

# ---------------------------------------------------------------------------------------------
# The pj parameter
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PjParamV2:
    """A BIP 77 mailbox endpoint.

    ``directory`` is the origin root as rust-payjoin 1.0's ``Url`` writes it: scheme lower-cased,
    host and explicit port as written (``HTTPS://PAYJO.IN:443/…`` gives ``https://PAYJO.IN:443/``);
    ``mailbox`` the 8-byte ShortId (normally, but not necessarily, that of ``receiver_pk``);
    ``receiver_pk`` 33 bytes compressed; ``expiration`` Unix seconds.
    """

    directory: str
    mailbox: bytes
    receiver_pk: bytes
    ohttp_keys: OhttpKeyConfig
    expiration: int

    def __post_init__(self) -> None:
        if len(self.mailbox) != 8:
            raise ParseError("IncorrectLength", f"a mailbox id is 8 bytes, got {len(self.mailbox)}")
        if len(self.receiver_pk) != 33 or _compressed_key(self.receiver_pk) != self.receiver_pk:
            raise ParseError("InvalidPublicKey", "receiver_pk must be a 33-byte compressed key")
        if not LOCK_TIME_THRESHOLD <= self.expiration <= MAX_EXPIRATION:
            raise ParseError("InvalidExpiration", f"expiration {self.expiration} out of range")

    @property
    def version(self) -> int:
        return 2

    @property
    def endpoint(self) -> str:
        """The mailbox URL as rust-payjoin serializes it (scheme lower-cased, host as written)."""
        return self.directory + format_short_id(self.mailbox) + "#" + format_fragment(self)


@dataclass(frozen=True)
class PjParamV1:
    """A BIP 78 endpoint (what a non-v2 ``pj`` falls back to) as payjoin's ``Url`` writes it."""

    endpoint: str

    @property
    def version(self) -> int:
        return 1


PjParam = PjParamV1 | PjParamV2


def new_pj_param(
    directory: str, receiver_pk: bytes, ohttp_keys: OhttpKeyConfig, expiration: int
) -> PjParamV2:
    """The ``pj`` a receiver publishes: mailbox = ShortId of its key, directory at an origin root.

    A directory with a path would give the mailbox URL two path segments, which no v2 parser
    accepts (BIP 77 research notes §5.3), so it is refused as ``InvalidUrl``.
    """
    url = parse_url(directory)
    if url.path != "/" or url.query is not None or url.fragment is not None:
        raise ParseError("InvalidUrl", "a BIP 77 directory must be an origin root URL")
    return PjParamV2(
        url.origin_root(), short_id(receiver_pk), compress(receiver_pk), ohttp_keys, expiration
    )


def parse_pj_param(text: str) -> PjParam:
    """Parse a (percent-decoded) ``pj`` value: v2 if it is one, else a BIP 78 endpoint."""
    url = parse_url(text)
    v2 = _parse_v2(url)
    if v2 is not None:
        return v2
    if url.scheme == "https" or (url.scheme == "http" and url.host.endswith(".onion")):
        return PjParamV1(url.serialize())
    raise ParseError("UnsecureEndpoint", "a BIP 78 endpoint must be https or an http .onion")


def parse_pj_param_v2(text: str) -> PjParamV2:
    """Like :func:`parse_pj_param` but without the BIP 78 fallback: raises ``NotV2``."""
    url = parse_url(text)
    v2 = _parse_v2(url)
    if v2 is None:
        raise ParseError("NotV2", "not a mailbox URL with RK1, OH1 and EX1 fragment parameters")
    return v2


def format_pj_param(pj: PjParam) -> str:
    """rust-payjoin's ``Display`` of the ``pj`` value: scheme and host upper-cased for QR codes.

    Rust does this with two ``replacen(.., 1)`` calls on the serialized URL, so this does too.
    """
    url = parse_url(pj.endpoint)
    text = url.serialize()
    text = text.replace(url.scheme, url.scheme.upper(), 1)
    return text.replace(url.host, url.host.upper(), 1)


def _parse_v2(url: Url) -> PjParamV2 | None:
    """rust-payjoin's ``v2::PjParam::parse``; ``None`` means "not v2" (the BIP 78 fallback)."""
    # `Url::path_segments`: no segment for "" or "/", else split after trimming every leading "/".
    segments = [] if url.path in ("", "/") else url.path.lstrip("/").split("/")
    if len(segments) != 1:
        return None
    try:
        mailbox = parse_short_id(segments[0])
    except ParseError:
        return None
    fragment = url.fragment
    if fragment is not None:
        # `char::is_lowercase` is Unicode's Lowercase property, not just a-z ("é" counts).
        if any(ch.islower() for ch in fragment):
            raise ParseError("LowercaseFragment", "fragment parameters must be upper-case")
        if not all(key in fragment for key in ("RK1", "OH1", "EX1")):
            return None
    receiver_pk, ohttp_keys, expiration = parse_fragment(fragment)
    return PjParamV2(url.origin_root(), mailbox, receiver_pk, ohttp_keys, expiration)


# ---------------------------------------------------------------------------------------------
# Fragment parameters: EX1 (expiry), OH1 (OHTTP keys), RK1 (receiver key)
# ---------------------------------------------------------------------------------------------


def format_fragment(pj: PjParamV2) -> str:
    """``EX1…-OH1…-RK1…``: ``-`` separated and ascending, as Rust's ``set_param`` leaves it."""
    return "-".join(
        [
            bech32.encode_upper(EX_HRP, pj.expiration.to_bytes(4, "little")),
            bech32.encode_upper(OH_HRP, pj.ohttp_keys.to_compact()),
            bech32.encode_upper(RK_HRP, pj.receiver_pk),
        ]
    )


def parse_fragment(fragment: str | None) -> tuple[bytes, OhttpKeyConfig, int]:
    """Decode ``(receiver_pk, ohttp_keys, expiration)``, checked in Rust's order RK, OH, EX."""
    rk = _fragment_payload(fragment, RK_HRP, "MissingReceiverKey")
    receiver_pk = _compressed_key(rk)
    oh = _fragment_payload(fragment, OH_HRP, "MissingOhttpKeys")
    ohttp_keys = OhttpKeyConfig.from_compact(oh)
    ex = _fragment_payload(fragment, EX_HRP, "MissingExpiration")
    if len(ex) != 4:
        raise ParseError("IncorrectLength", f"EX1 payload is {len(ex)} bytes, not 4")
    expiration = int.from_bytes(ex, "little")
    if expiration < LOCK_TIME_THRESHOLD:
        raise ParseError("InvalidExpiration", f"expiration {expiration} is below 500000000")
    return receiver_pk, ohttp_keys, expiration


def _fragment_delimiter(fragment: str) -> str:
    """``-``, or ``+`` for pre-0.2.0 URIs; characters are checked before delimiters."""
    for ch in fragment:
        if not ("0" <= ch <= "9" or "A" <= ch <= "Z" or ch in "+-"):
            raise ParseError("InvalidFragmentChar", f"{ch!r} is not allowed in the fragment")
    if "-" in fragment and "+" in fragment:
        raise ParseError("AmbiguousDelimiter", "the fragment mixes '-' and '+' delimiters")
    return "+" if "+" in fragment else "-"


def _fragment_payload(fragment: str | None, hrp: str, missing: str) -> bytes:
    """The bytes of the first piece that starts with ``HRP1``; later duplicates are ignored."""
    piece = None
    if fragment is not None:
        delimiter = _fragment_delimiter(fragment)
        piece = next((p for p in fragment.split(delimiter) if p.startswith(hrp + "1")), None)
    if piece is None:
        raise ParseError(missing, f"no {hrp}1 parameter in the fragment")
    try:
        found_hrp, data = bech32.decode(piece)
    except ParseError as exc:
        raise ParseError("InvalidBech32", f"{hrp}1 parameter: {exc.message}") from None
    if found_hrp.lower() != hrp.lower():
        raise ParseError("HrpMismatch", f"{piece!r} has the HRP {found_hrp!r}, not {hrp!r}")
    return data


def _compressed_key(data: bytes) -> bytes:
    """Parse like ``secp256k1::PublicKey::from_slice`` (33 or 65 bytes) and compress."""
    try:
        return compress(data)
    except InvalidKey as exc:
        raise ParseError("InvalidPublicKey", exc.message) from None


# ---------------------------------------------------------------------------------------------
# The whole BIP 21 URI
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PjUri:
    """A payjoin URI.

    ``address`` is text, decoded and checked (checksum, version, program length) for any
    network; bech32 addresses are lower-cased, as rust-bitcoin displays them. ``amount`` is in sats.
    ``output_substitution`` is ``pjos`` (absent means enabled). ``label`` and ``message`` are
    percent-decoded (invalid UTF-8 kept with ``surrogateescape``). ``params`` keeps the other
    parameters (key, decoded value) for the caller, but :func:`format_uri` does not write them,
    because rust-payjoin drops them.
    """

    address: str
    amount: int | None
    pj: PjParam
    output_substitution: bool = True
    label: str | None = None
    message: str | None = None
    params: tuple[tuple[str, str], ...] = ()


def parse_uri(text: str) -> PjUri:
    """Parse a payjoin URI as ``Uri::try_from(..)?.assume_checked().check_pj_supported()``."""
    check_unicode(text)
    scheme = "bitcoin:"
    if len(text) < len(scheme) or _ascii_lower(text[: len(scheme)]) != scheme:
        raise ParseError("InvalidScheme", "a payjoin URI starts with 'bitcoin:'")
    address, has_query, query = text[len(scheme) :].partition("?")
    address = check_address(address)
    amount: int | None = None
    label: str | None = None
    message: str | None = None
    pj: PjParam | None = None
    pjos: bool | None = None
    params: list[tuple[str, str]] = []
    # Rust ends the query at the first '#' and takes every piece between '&' as key=value.
    for piece in query.split("#", 1)[0].split("&") if has_query else []:
        key, has_value, value = piece.partition("=")
        if not has_value:
            raise ParseError("MissingEquals", f"parameter {piece!r} has no '='")
        if key == "amount":
            amount = parse_amount(value)  # not percent-decoded; a repeat overwrites
        elif key in ("label", "message"):
            decoded = percent_decode(value).decode("utf-8", "surrogateescape")
            label, message = (decoded, message) if key == "label" else (label, decoded)
        else:
            raw = percent_decode(value)
            if key == "pj":
                if pj is not None:
                    raise ParseError("DuplicateParam", "more than one 'pj' parameter")
                try:
                    endpoint = raw.decode("utf-8")
                except UnicodeDecodeError:
                    raise ParseError("NotUtf8", "the pj value is not UTF-8") from None
                pj = parse_pj_param(endpoint)
            elif key == "pjos":
                if pjos is not None:
                    raise ParseError("DuplicateParam", "more than one 'pjos' parameter")
                if raw not in (b"0", b"1"):
                    raise ParseError("InvalidPjos", "pjos must be 0 or 1")
                pjos = raw == b"1"
            elif key.startswith("req-"):
                raise ParseError("UnknownRequiredParam", f"unknown required parameter {key!r}")
            else:
                params.append((key, raw.decode("utf-8", "surrogateescape")))
    if pj is None:
        if pjos is not None:
            raise ParseError("MissingEndpoint", "pjos without pj")
        raise ParseError("PjNotSupported", "no pj parameter: not a payjoin URI")
    output_substitution = True if pjos is None else pjos
    return PjUri(address, amount, pj, output_substitution, label, message, tuple(params))


def format_uri(uri: PjUri) -> str:
    """rust-payjoin's ``Display``: amount, label, message, then ``pjos=0`` (if off) and ``pj``."""
    params: list[str] = []
    if uri.amount is not None:
        params.append("amount=" + format_amount(uri.amount))
    for key, value in (("label", uri.label), ("message", uri.message)):
        if value is not None:
            params.append(f"{key}={_percent_encode(value.encode('utf-8', 'surrogateescape'))}")
    if not uri.output_substitution:
        params.append("pjos=0")
    params.append("pj=" + _percent_encode(format_pj_param(uri.pj).encode()))
    return f"bitcoin:{uri.address}?" + "&".join(params)


def uri_to_protocol(uri: PjUri) -> dict[str, Any]:
    """The adapter protocol's ``uri.parse`` result.

    v2: ``pj`` = ``{version: 2, directory, mailbox (canonical ShortId text), receiver_pk (33,
    hex), ohttp_keys (the 74-byte config, hex), expiration}``. A BIP 78 fallback is ``pj`` =
    ``{"version": 1, "endpoint": <url>}``.
    """
    pj: dict[str, Any]
    if isinstance(uri.pj, PjParamV2):
        pj = {
            "version": 2,
            "directory": uri.pj.directory,
            "mailbox": format_short_id(uri.pj.mailbox),
            "receiver_pk": uri.pj.receiver_pk.hex(),
            "ohttp_keys": uri.pj.ohttp_keys.encode().hex(),
            "expiration": uri.pj.expiration,
        }
    else:
        pj = {"version": 1, "endpoint": uri.pj.endpoint}
    return {
        "address": uri.address,
        "amount": uri.amount,
        "pj": pj,
        "output_substitution": uri.output_substitution,
    }


def is_expired(expiration: int, clock: Clock) -> bool:
    """rust-payjoin's ``Time::elapsed``: expired at the expiry second itself, not after it."""
    return expiration <= clock.now()


# ---------------------------------------------------------------------------------------------
# Address and amount
# ---------------------------------------------------------------------------------------------

_BECH32_HRPS = ("bc", "tb", "bcrt")


def check_address(text: str) -> str:
    """Decode ``text`` as an address of any network and return it as rust-bitcoin displays it.

    rust-bitcoin 0.32's ``Address::from_str`` checks the checksum, the base58 version and payload
    length, and the witness version and program length (2 to 40 bytes, 20 or 32 for v0), so the
    shortest and longest programs parse and one byte past either end does not. bech32 addresses
    are returned lower-case.
    """
    try:
        bitcoin_address.decode(text)
    except ParseError as exc:
        raise ParseError(
            "InvalidAddress", f"{text!r} is not a Bitcoin address ({exc.reason})"
        ) from None
    lower = text.lower()
    return lower if lower.rpartition("1")[0] in _BECH32_HRPS else text


def parse_amount(text: str) -> int:
    """BTC decimal text to sats, as rust-bitcoin 0.32's ``Amount::from_str_in(_, Bitcoin)``.

    Accepts ``1``, ``1.``, ``.5`` and ``.`` (= 0); refuses signs, exponents, more than 8
    decimals, more than 50 characters and anything above ``u64::MAX`` sats. There is no
    21-million cap in 0.32.
    """
    if not text or len(text) > 50:
        raise ParseError("InvalidAmount", "amount is empty or longer than 50 characters")
    whole, _, fraction = text.partition(".")
    if not re.fullmatch(r"[0-9]*", whole) or not re.fullmatch(r"[0-9]{0,8}", fraction):
        raise ParseError("InvalidAmount", f"{text!r} is not a BTC amount with at most 8 decimals")
    sats = int(whole or "0") * SATS_PER_BTC + int(fraction.ljust(8, "0"))
    if sats >= 2**64:
        raise ParseError("InvalidAmount", f"{text!r} BTC does not fit a u64 of sats")
    return sats


def format_amount(sats: int) -> str:
    """Sats as BTC without trailing zeros (``0.01``, ``1``), as rust-bitcoin displays it."""
    whole, fraction = divmod(sats, SATS_PER_BTC)
    return f"{whole}.{fraction:08d}".rstrip("0").rstrip(".")


# ---------------------------------------------------------------------------------------------
# Percent-encoding (BIP 21 layer)
# ---------------------------------------------------------------------------------------------

_BIP21_SAFE = frozenset(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$'()*+,;:@/?"
)
"""What bitcoin_uri leaves unescaped in a value: RFC 3986 query characters minus ``&`` ``=``."""


def _percent_encode(raw: bytes, safe: frozenset[int] = _BIP21_SAFE) -> str:
    return "".join(chr(b) if b in safe else f"%{b:02X}" for b in raw)


def _ascii_lower(text: str) -> str:
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in text)
