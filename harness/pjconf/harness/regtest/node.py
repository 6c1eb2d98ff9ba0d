"""A real regtest Bitcoin node for end-to-end tests, and an in-process consensus fallback.

:class:`Regtest` runs ``bitcoind -regtest`` (``ci/fetch-bitcoind.sh`` provides one, unpacked
from Debian sid into ``.bitcoind/``) on free loopback ports with a temporary data directory and
no peers, and talks to it through a small JSON-RPC client built on :mod:`urllib`. Every failed
call raises an :class:`RPCError` subclass that names the method and the node's error code. The
node is stopped by its PID (SIGTERM, then SIGKILL after a timeout) and its data directory
removed, also when a test fails or the interpreter exits.

:class:`KernelChain` is the fallback where no bitcoind can be had: Bitcoin Core's
libbitcoinkernel in-process (``py-bitcoinkernel``, a test extra). It mines a regtest chain and
connects blocks carrying given transactions, on the tip or on a branch that replaces it. It
checks consensus only: there is no mempool policy, no wallet and no RPC. The kernel may accept a
block for processing and still not connect it, so a block counts as connected only when the tip
moves to it. Transactions (coinbases included) are :mod:`pjconf.reference.bitcoin`'s model and
encoding; only block framing and proof of work are built here.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum
from importlib.metadata import version as _distribution_version
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from pjconf.reference.bitcoin.encoding import Reader, compact_size, sha256d
from pjconf.reference.bitcoin.tx import SEQUENCE_FINAL, OutPoint, Transaction, TxIn, TxOut

_CHECKOUT = Path(__file__).resolve().parents[4]

# ------------------------------------------------------------------------------------------------
# Errors


class RegtestError(Exception):
    """Base class of everything this module raises."""


class BitcoindNotFound(RegtestError):
    """No bitcoind binary: run ``bash ci/fetch-bitcoind.sh`` or set ``PJCONF_BITCOIND``."""


class NodeStartError(RegtestError):
    """bitcoind exited or did not answer RPC in time; the message carries its log's tail."""


class RPCTransportError(RegtestError):
    """The RPC call did not get a JSON-RPC answer (connection refused, timeout, HTTP 401...)."""

    def __init__(self, method: str, detail: str) -> None:
        super().__init__(f"RPC {method}: {detail}")
        self.method = method
        self.detail = detail


class RPCErrorCode(IntEnum):
    """The node's error codes (Bitcoin Core's ``src/rpc/protocol.h``) that tests meet."""

    MISC_ERROR = -1
    TYPE_ERROR = -3
    WALLET_ERROR = -4
    INVALID_ADDRESS_OR_KEY = -5
    WALLET_INSUFFICIENT_FUNDS = -6
    INVALID_PARAMETER = -8
    WALLET_NOT_FOUND = -18
    DESERIALIZATION_ERROR = -22
    VERIFY_ERROR = -25
    VERIFY_REJECTED = -26
    VERIFY_ALREADY_IN_CHAIN = -27
    IN_WARMUP = -28
    WALLET_ALREADY_EXISTS = -35
    INVALID_REQUEST = -32600
    METHOD_NOT_FOUND = -32601
    INVALID_PARAMS = -32602
    PARSE_ERROR = -32700


class RPCError(RegtestError):
    """The node answered the call with an error object: ``method``, ``code``, ``message``."""

    def __init__(self, method: str, code: int, message: str) -> None:
        try:
            name = RPCErrorCode(code).name
        except ValueError:
            name = "UNKNOWN"
        super().__init__(f"RPC {method} failed with node error {code} ({name}): {message}")
        self.method = method
        self.code = code
        self.message = message

    @staticmethod
    def for_code(method: str, code: int, message: str) -> RPCError:
        """The most specific subclass for ``code``."""
        cls = _ERROR_CLASSES.get(code, RPCError)
        return cls(method, code, message)


class MethodNotFound(RPCError):
    """-32601: no such RPC method."""


class InvalidParameter(RPCError):
    """-8 / -3 / -32602: a parameter of the wrong type or value."""


class InvalidAddressOrKey(RPCError):
    """-5: an invalid address or key, or an unknown transaction."""


class DeserializationError(RPCError):
    """-22: a transaction, PSBT or block that does not decode."""


class WalletError(RPCError):
    """-4 / -6 / -18 / -35: the wallet refused (insufficient funds, not loaded, exists...)."""


class VerifyError(RPCError):
    """-25 / -26 / -27: a transaction the node will not accept (rejected, in chain, missing)."""


class InWarmup(RPCError):
    """-28: the node is still starting."""


_ERROR_CLASSES: dict[int, type[RPCError]] = {
    -32601: MethodNotFound,
    -32602: InvalidParameter,
    -8: InvalidParameter,
    -3: InvalidParameter,
    -5: InvalidAddressOrKey,
    -22: DeserializationError,
    -4: WalletError,
    -6: WalletError,
    -18: WalletError,
    -35: WalletError,
    -25: VerifyError,
    -26: VerifyError,
    -27: VerifyError,
    -28: InWarmup,
}

# ------------------------------------------------------------------------------------------------
# JSON-RPC


def _json_default(value: object) -> object:
    # Amounts travel as JSON numbers; a Decimal with at most 8 places survives float's repr.
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


class RPCClient:
    """A JSON-RPC 1.0 client for bitcoind over HTTP with basic auth (stdlib only).

    Numbers in answers are parsed as :class:`~decimal.Decimal` when they have a fraction, so
    amounts stay exact.
    """

    def __init__(self, url: str, user: str, password: str, timeout: float = 60.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        self._headers = {"Authorization": f"Basic {token}", "Content-Type": "application/json"}
        self._ids = iter(range(1, 1 << 62))

    def call(
        self,
        method: str,
        *params: Any,
        wallet: str | None = None,
        timeout: float | None = None,
    ) -> Any:
        """Call ``method``; the result, or :class:`RPCError` / :class:`RPCTransportError`."""
        body = json.dumps(
            {"version": "1.1", "id": next(self._ids), "method": method, "params": list(params)},
            default=_json_default,
        ).encode()
        url = (
            self.url
            if wallet is None
            else f"{self.url}/wallet/{urllib.parse.quote(wallet, safe='')}"
        )
        request = urllib.request.Request(url, data=body, headers=self._headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=timeout or self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            # Legacy JSON-RPC answers errors with HTTP 404/500 and the error object as body.
            raw = exc.read()
            if not raw:
                raise RPCTransportError(method, f"HTTP {exc.code} {exc.reason}") from exc
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            reason = getattr(exc, "reason", exc)
            raise RPCTransportError(method, f"{type(exc).__name__}: {reason}") from exc
        try:
            answer = json.loads(raw, parse_float=Decimal)
        except ValueError as exc:
            raise RPCTransportError(method, f"not JSON: {raw[:200]!r}") from exc
        if not isinstance(answer, dict):
            raise RPCTransportError(method, f"not a JSON-RPC object: {raw[:200]!r}")
        error = answer.get("error")
        if error is not None:
            if not isinstance(error, dict):
                raise RPCTransportError(method, f"malformed error: {error!r}")
            raise RPCError.for_code(method, int(error.get("code", 0)), str(error.get("message")))
        return answer.get("result")


# ------------------------------------------------------------------------------------------------
# Small typed views of JSON answers (mypy --strict sees Any otherwise)


def _obj(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise RegtestError(f"expected a JSON object, got {value!r}")
    return value


def _objs(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise RegtestError(f"expected a JSON array, got {value!r}")
    return [_obj(item) for item in value]


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise RegtestError(f"expected a string, got {value!r}")
    return value


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise RegtestError(f"expected an integer, got {value!r}")
    return value


# ------------------------------------------------------------------------------------------------
# The node


def find_bitcoind() -> Path:
    """``$PJCONF_BITCOIND``, else ``ci/fetch-bitcoind.sh``'s ``bin/bitcoind`` (in
    ``$PJCONF_BITCOIND_DIR``, by default this checkout's ``.bitcoind/``), else ``bitcoind`` on
    ``PATH``."""
    override = os.environ.get("PJCONF_BITCOIND")
    if override:
        return Path(override)
    fetch_dir = os.environ.get("PJCONF_BITCOIND_DIR")
    fetched = (Path(fetch_dir) if fetch_dir else _CHECKOUT / ".bitcoind") / "bin" / "bitcoind"
    if fetched.is_file() and os.access(fetched, os.X_OK):
        return fetched
    on_path = shutil.which("bitcoind")
    if on_path:
        return Path(on_path)
    raise BitcoindNotFound("no bitcoind: run `bash ci/fetch-bitcoind.sh` or set PJCONF_BITCOIND")


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _terminate(proc: subprocess.Popen[bytes], timeout: float) -> int:
    """SIGTERM the process by its PID, wait, SIGKILL after ``timeout``; its exit status."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGTERM)
        try:
            return proc.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGKILL)
    return proc.wait(10)


def _cleanup(proc: subprocess.Popen[bytes] | None, datadir: Path | None, remove: bool) -> None:
    if proc is not None:
        _terminate(proc, 10)
    if datadir is not None and remove:
        shutil.rmtree(datadir, ignore_errors=True)


def _tail(path: Path, lines: int = 25) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


class Regtest:
    """``bitcoind -regtest`` on loopback with a temporary data directory and no peers.

    >>> with Regtest() as node:                                     # doctest: +SKIP
    ...     alice = node.createwallet("alice")
    ...     node.generatetoaddress(101, alice.getnewaddress())
    """

    def __init__(
        self,
        bitcoind: str | Path | None = None,
        *,
        datadir: str | Path | None = None,
        extra_args: Sequence[str] = (),
        start_timeout: float = 60.0,
        stop_timeout: float = 30.0,
        rpc_timeout: float = 60.0,
    ) -> None:
        self.bitcoind = Path(bitcoind) if bitcoind is not None else find_bitcoind()
        self._given_datadir = Path(datadir) if datadir is not None else None
        self.extra_args = tuple(extra_args)
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.rpc_timeout = rpc_timeout
        self.datadir: Path | None = None
        self.rpc_port = 0
        # The RPC credentials of the running node, for clients it hands out (payjoin-cli in a
        # container); random per start.
        self.rpc_user = ""
        self.rpc_password = ""
        self._proc: subprocess.Popen[bytes] | None = None
        self._rpc: RPCClient | None = None
        self._finalizer: weakref.finalize[Any, Any] | None = None

    # -- lifecycle ----------------------------------------------------------------------------

    @property
    def pid(self) -> int:
        if self._proc is None:
            raise RegtestError("the node is not running")
        return self._proc.pid

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, attempts: int = 3) -> Self:
        """Start the node and wait until it answers RPC (retrying if a port was taken)."""
        if self._proc is not None:
            raise RegtestError("the node is already started")
        error: NodeStartError | None = None
        for _ in range(attempts):
            try:
                self._start_once()
                return self
            except NodeStartError as exc:
                error = exc
                self.stop()
                if "bind" not in str(exc).lower():
                    break
        assert error is not None
        raise error

    def _start_once(self) -> None:
        remove = self._given_datadir is None
        datadir = self._given_datadir or Path(tempfile.mkdtemp(prefix="pjconf-regtest-"))
        datadir.mkdir(parents=True, exist_ok=True)
        self.datadir = datadir
        self.rpc_port = free_port()
        user, password = "pjconf", secrets.token_hex(16)
        self.rpc_user, self.rpc_password = user, password
        args = [
            str(self.bitcoind),
            "-regtest",
            f"-datadir={datadir}",
            "-server=1",
            "-daemon=0",
            "-printtoconsole=0",
            "-listen=0",
            "-connect=0",
            "-dnsseed=0",
            "-fixedseeds=0",
            "-listenonion=0",
            "-discover=0",
            "-rpcbind=127.0.0.1",
            "-rpcallowip=127.0.0.1",
            f"-rpcport={self.rpc_port}",
            f"-rpcuser={user}",
            f"-rpcpassword={password}",
            "-fallbackfee=0.0001",
            # Knots picks the change type as "an implementation detail" (legacy P2PKH was seen);
            # payjoin wants segwit inputs everywhere, so both types are fixed.
            "-addresstype=bech32",
            "-changetype=bech32",
            "-txindex=1",
            *self.extra_args,
        ]
        output = (datadir / "bitcoind.out").open("wb")
        try:
            self._proc = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a terminal's Ctrl-C is ours to turn into SIGTERM
            )
        finally:
            output.close()
        self._finalizer = weakref.finalize(self, _cleanup, self._proc, datadir, remove)
        self._rpc = RPCClient(f"http://127.0.0.1:{self.rpc_port}", user, password, self.rpc_timeout)
        self._wait_for_rpc()

    def _wait_for_rpc(self) -> None:
        assert self._proc is not None
        assert self._rpc is not None
        deadline = time.monotonic() + self.start_timeout
        delay = 0.05
        while True:
            status = self._proc.poll()
            if status is not None:
                raise NodeStartError(f"bitcoind exited with status {status}:\n{self._log_tail()}")
            try:
                self._rpc.call("getblockcount", timeout=5)
                return
            except (RPCTransportError, InWarmup):
                pass
            if time.monotonic() > deadline:
                raise NodeStartError(
                    f"bitcoind did not answer RPC within {self.start_timeout}s:\n{self._log_tail()}"
                )
            time.sleep(delay)
            delay = min(delay * 2, 0.5)

    def _log_tail(self) -> str:
        if self.datadir is None:
            return ""
        return "\n".join(
            tail
            for tail in (
                _tail(self.datadir / "bitcoind.out"),
                _tail(self.datadir / "regtest" / "debug.log"),
            )
            if tail
        )

    def stop(self, timeout: float | None = None) -> int | None:
        """Stop the node by its PID and remove a temporary data directory; the exit status.

        Safe to call twice, and on a node that never started.
        """
        status: int | None = None
        if self._proc is not None:
            status = _terminate(self._proc, self.stop_timeout if timeout is None else timeout)
        if self._finalizer is not None:
            self._finalizer()  # removes the temporary datadir; a no-op for the dead process
            self._finalizer = None
        self._proc = None
        self._rpc = None
        return status

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- RPC ----------------------------------------------------------------------------------

    def rpc(self, method: str, *params: Any, wallet: str | None = None) -> Any:
        """Any RPC call; the raw JSON result."""
        if self._rpc is None:
            raise RegtestError(f"RPC {method}: the node is not running")
        return self._rpc.call(method, *params, wallet=wallet)

    def version(self) -> str:
        """The node's user agent, e.g. ``/Satoshi:29.4.3/Knots:20260508/``."""
        return _str(_obj(self.rpc("getnetworkinfo"))["subversion"])

    def getblockcount(self) -> int:
        return _int(self.rpc("getblockcount"))

    def getbestblockhash(self) -> str:
        return _str(self.rpc("getbestblockhash"))

    def generatetoaddress(self, nblocks: int, address: str) -> list[str]:
        result = self.rpc("generatetoaddress", nblocks, address)
        return [_str(block) for block in result]

    def createwallet(self, name: str) -> Wallet:
        """A new descriptor wallet, loaded."""
        self.rpc("createwallet", name)
        return Wallet(self, name)

    def wallet(self, name: str) -> Wallet:
        """A handle on an already loaded wallet."""
        return Wallet(self, name)

    def createpsbt(
        self,
        inputs: Sequence[dict[str, Any]],
        outputs: Sequence[dict[str, Any]],
        locktime: int = 0,
        replaceable: bool = True,
    ) -> str:
        return _str(self.rpc("createpsbt", list(inputs), list(outputs), locktime, replaceable))

    def joinpsbts(self, psbts: Sequence[str]) -> str:
        return _str(self.rpc("joinpsbts", list(psbts)))

    def combinepsbt(self, psbts: Sequence[str]) -> str:
        return _str(self.rpc("combinepsbt", list(psbts)))

    def utxoupdatepsbt(self, psbt: str) -> str:
        return _str(self.rpc("utxoupdatepsbt", psbt))

    def decodepsbt(self, psbt: str) -> dict[str, Any]:
        return _obj(self.rpc("decodepsbt", psbt))

    def analyzepsbt(self, psbt: str) -> dict[str, Any]:
        return _obj(self.rpc("analyzepsbt", psbt))

    def finalizepsbt(self, psbt: str, extract: bool = True) -> dict[str, Any]:
        """``{"psbt"|"hex": ..., "complete": bool}``."""
        return _obj(self.rpc("finalizepsbt", psbt, extract))

    def testmempoolaccept(
        self, rawtxs: Sequence[str], maxfeerate: Decimal | None = None
    ) -> list[dict[str, Any]]:
        params: list[Any] = [list(rawtxs)]
        if maxfeerate is not None:
            params.append(maxfeerate)
        return _objs(self.rpc("testmempoolaccept", *params))

    def sendrawtransaction(self, hexstring: str) -> str:
        return _str(self.rpc("sendrawtransaction", hexstring))

    def getrawtransaction(self, txid: str, blockhash: str | None = None) -> dict[str, Any]:
        """The decoded transaction (verbose), with ``confirmations`` once it is in a block."""
        params: list[Any] = [txid, True]
        if blockhash is not None:
            params.append(blockhash)
        return _obj(self.rpc("getrawtransaction", *params))

    def getmempoolentry(self, txid: str) -> dict[str, Any]:
        return _obj(self.rpc("getmempoolentry", txid))


@dataclass(frozen=True)
class Wallet:
    """Wallet-scoped RPCs (``/wallet/<name>``) of a :class:`Regtest` node."""

    node: Regtest
    name: str

    def rpc(self, method: str, *params: Any) -> Any:
        return self.node.rpc(method, *params, wallet=self.name)

    def getnewaddress(self, address_type: str = "bech32") -> str:
        """``legacy``, ``p2sh-segwit``, ``bech32`` (P2WPKH) or ``bech32m`` (P2TR)."""
        return _str(self.rpc("getnewaddress", "", address_type))

    def getaddressinfo(self, address: str) -> dict[str, Any]:
        return _obj(self.rpc("getaddressinfo", address))

    def getbalance(self) -> Decimal:
        balance = self.rpc("getbalance")
        if not isinstance(balance, Decimal | int):
            raise RegtestError(f"expected an amount, got {balance!r}")
        return Decimal(balance)

    def listunspent(self, minconf: int = 1) -> list[dict[str, Any]]:
        return _objs(self.rpc("listunspent", minconf))

    def sendtoaddress(self, address: str, amount: Decimal) -> str:
        return _str(self.rpc("sendtoaddress", address, amount))

    def sendmany(self, amounts: dict[str, Decimal]) -> str:
        """One transaction paying each address its amount (plus change); its txid."""
        return _str(self.rpc("sendmany", "", amounts))

    def walletcreatefundedpsbt(
        self,
        inputs: Sequence[dict[str, Any]],
        outputs: Sequence[dict[str, Any]],
        locktime: int = 0,
        options: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """``{"psbt": ..., "fee": ..., "changepos": ...}``."""
        return _obj(
            self.rpc("walletcreatefundedpsbt", list(inputs), list(outputs), locktime, options or {})
        )

    def walletprocesspsbt(
        self, psbt: str, sign: bool = True, sighashtype: str = "ALL", finalize: bool = True
    ) -> dict[str, Any]:
        """``{"psbt": ..., "complete": bool[, "hex": ...]}``: this wallet's inputs signed."""
        return _obj(self.rpc("walletprocesspsbt", psbt, sign, sighashtype, True, finalize))

    def gettransaction(self, txid: str) -> dict[str, Any]:
        return _obj(self.rpc("gettransaction", txid))


# ------------------------------------------------------------------------------------------------
# The in-process fallback: libbitcoinkernel


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """Bitcoin's merkle root (the last node of an odd level is paired with itself)."""
    level = list(leaves)
    while len(level) > 1:
        if len(level) % 2:
            level.append(level[-1])
        level = [sha256d(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def _script_num(n: int) -> bytes:
    """The minimal push of ``n`` as Bitcoin Core's ``CScript() << n`` writes it (BIP 34)."""
    if n == 0:
        return b"\x00"
    if 1 <= n <= 16:
        return bytes([0x50 + n])
    body = bytearray()
    while n:
        body.append(n & 0xFF)
        n >>= 8
    if body[-1] & 0x80:
        body.append(0)
    return bytes([len(body)]) + bytes(body)


REGTEST_GENESIS_TIME = 1296688602
REGTEST_BITS = 0x207FFFFF
REGTEST_HALVING_INTERVAL = 150
COINBASE_MATURITY = 100
WITNESS_COMMITMENT_HEADER = b"\x6a\x24\xaa\x21\xa9\xed"
"""``OP_RETURN <36 bytes>`` starting with BIP 141's commitment tag."""


def block_subsidy(height: int) -> int:
    """The regtest block reward at ``height`` (halving every 150 blocks)."""
    return (50 * 100_000_000) >> (height // REGTEST_HALVING_INTERVAL)


def block_hash(block: bytes) -> bytes:
    """A serialized block's hash (of its 80-byte header), internal byte order."""
    return sha256d(block[:80])


def block_transactions(block: bytes) -> list[Transaction]:
    """The transactions of a serialized block, parsed by the reference's decoder."""
    reader = Reader(block, 80)
    txs = [Transaction.read(reader) for _ in range(reader.compact_size())]
    if not reader.at_end():
        raise RegtestError(f"{reader.remaining()} bytes after the block's last transaction")
    return txs


TxLike = Transaction | bytes
"""A transaction for a block: the reference's model, or its consensus serialization."""


def _as_tx(tx: TxLike) -> Transaction:
    return tx if isinstance(tx, Transaction) else Transaction.deserialize(tx)


@dataclass(frozen=True)
class Coin:
    """A spendable output: ``txid`` in internal byte order, ``vout``, ``value`` in sat, and the
    transaction that created it (a PSBT's ``non_witness_utxo``)."""

    txid: bytes
    vout: int
    value: int
    script_pubkey: bytes
    height: int
    tx: Transaction | None = None

    @property
    def outpoint(self) -> OutPoint:
        return OutPoint(self.txid, self.vout)

    @property
    def txout(self) -> TxOut:
        return TxOut(self.value, self.script_pubkey)


class KernelChain:
    """An in-process regtest chain on libbitcoinkernel (``py-bitcoinkernel``).

    Blocks are built here (coinbase with the BIP 34 height, witness commitment, merkle root,
    proof of work at regtest difficulty) and handed to the kernel, which validates them fully.
    Transactions, coinbases included, are the reference's :class:`Transaction` model, so the
    kernel also checks the reference's serialization; only block framing and mining are local.
    A block may be built on any block this chain built (``parent``), so a branch can replace
    the tip: the kernel reorganizes to the branch with more work, validating it in full.
    """

    def __init__(self, datadir: str | Path | None = None) -> None:
        # py-bitcoinkernel is a test extra: imported here, so the harness itself never needs it.
        import pbk  # noqa: PLC0415

        self._pbk = pbk
        self._own_datadir = datadir is None
        self.datadir = Path(datadir) if datadir else Path(tempfile.mkdtemp(prefix="pjconf-kernel-"))
        context = pbk.make_context(pbk.ChainType.REGTEST)
        options = pbk.ChainstateManagerOptions(
            context, str(self.datadir), str(self.datadir / "blocks")
        )
        options.update_block_tree_db_in_memory(True)
        options.update_chainstate_db_in_memory(True)
        options.set_worker_threads_num(0)
        self._chainman: Any = pbk.ChainstateManager(options)
        self._time = REGTEST_GENESIS_TIME
        # Heights of the blocks built here (and genesis): a branch's parent may be off the tip.
        self._heights: dict[bytes, int] = {self.tip: 0}

    @staticmethod
    def version() -> str:
        return f"libbitcoinkernel (py-bitcoinkernel {_distribution_version('py-bitcoinkernel')})"

    @property
    def height(self) -> int:
        return int(self._chainman.get_active_chain().height)

    @property
    def tip(self) -> bytes:
        """The tip's hash in internal byte order."""
        chain = self._chainman.get_active_chain()
        return bytes(chain.block_tree_entries[chain.height].block_hash)

    def close(self) -> None:
        self._chainman = None
        if self._own_datadir:
            shutil.rmtree(self.datadir, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @staticmethod
    def coinbase(height: int, script_pubkey: bytes, commitment: bytes | None) -> Transaction:
        """The coinbase of a block at ``height``: the BIP 34 height in its scriptSig, the
        subsidy to ``script_pubkey`` and, for a block with witnesses, the BIP 141 commitment
        with the all-zero witness reserved value."""
        script_sig = _script_num(height) + b"\x00"  # BIP 34 height, padded to >= 2 bytes
        outputs = [TxOut(block_subsidy(height), script_pubkey)]
        witness: tuple[bytes, ...] = ()
        if commitment is not None:
            outputs.append(TxOut(0, WITNESS_COMMITMENT_HEADER + commitment))
            witness = (bytes(32),)
        txin = TxIn(OutPoint(bytes(32), 0xFFFF_FFFF), script_sig, SEQUENCE_FINAL, witness)
        return Transaction(2, (txin,), tuple(outputs), 0)

    def build_block(
        self, transactions: Sequence[TxLike], script_pubkey: bytes, parent: bytes | None = None
    ) -> bytes:
        """A block on ``parent`` (by default the tip): a coinbase paying ``script_pubkey``, then
        the transactions."""
        txs = [_as_tx(tx) for tx in transactions]
        parent = self.tip if parent is None else parent
        if parent not in self._heights:
            raise RegtestError(f"unknown parent block {parent[::-1].hex()}")
        height = self._heights[parent] + 1
        commitment = None
        if any(tx.uses_segwit_serialization for tx in txs):
            witness_root = merkle_root([bytes(32)] + [tx.wtxid() for tx in txs])
            commitment = sha256d(witness_root + bytes(32))
        coinbase = self.coinbase(height, script_pubkey, commitment)
        root = merkle_root([coinbase.txid()] + [tx.txid() for tx in txs])
        self._time += 1
        header = (
            (0x20000000).to_bytes(4, "little")
            + parent
            + root
            + self._time.to_bytes(4, "little")
            + REGTEST_BITS.to_bytes(4, "little")
        )
        target = (REGTEST_BITS & 0xFFFFFF) << (8 * ((REGTEST_BITS >> 24) - 3))
        for nonce in range(1 << 32):  # each try succeeds with probability 1/2 at regtest bits
            candidate = header + nonce.to_bytes(4, "little")
            if int.from_bytes(sha256d(candidate), "little") <= target:
                break
        self._heights[sha256d(candidate)] = height
        body = [coinbase.serialize(), *(tx.serialize() for tx in txs)]
        return candidate + compact_size(len(body)) + b"".join(body)

    def submit(self, block: bytes) -> bool:
        """Hand ``block`` to the kernel; True when the tip moved to it (connected)."""
        before = self.tip
        with contextlib.suppress(self._pbk.ProcessBlockException):
            self._chainman.process_block(self._pbk.Block(block))
        return self.tip != before and self.tip == block_hash(block)

    def connect(
        self,
        transactions: Sequence[TxLike],
        script_pubkey: bytes = b"\x51",
        parent: bytes | None = None,
    ) -> bool:
        """Mine a block with ``transactions`` on ``parent`` (the tip); True when it connected."""
        return self.submit(self.build_block(transactions, script_pubkey, parent))

    def connect_branch(
        self, parent: bytes, blocks: Sequence[Sequence[TxLike]], script_pubkey: bytes = b"\x51"
    ) -> bool:
        """Blocks carrying ``blocks[i]`` in a chain from ``parent``; True when the tip is the
        last of them (a branch off the tip must be longer than what it replaces)."""
        last = parent
        for transactions in blocks:
            block = self.build_block(transactions, script_pubkey, last)
            self.submit(block)
            last = block_hash(block)
        return self.tip == last

    def mine(self, count: int, script_pubkey: bytes) -> list[Coin]:
        """``count`` blocks whose coinbases pay ``script_pubkey``; their outputs."""
        coins = []
        for _ in range(count):
            block = self.build_block([], script_pubkey)
            if not self.submit(block):
                raise RegtestError(f"an empty block at height {self.height + 1} did not connect")
            coinbase = block_transactions(block)[0]
            out = coinbase.outputs[0]
            coins.append(
                Coin(coinbase.txid(), 0, out.value, out.script_pubkey, self.height, coinbase)
            )
        return coins

    def blocks(self) -> Iterator[bytes]:
        """Block hashes of the active chain from genesis (internal byte order)."""
        chain = self._chainman.get_active_chain()
        for height in range(chain.height + 1):
            yield bytes(chain.block_tree_entries[height].block_hash)
