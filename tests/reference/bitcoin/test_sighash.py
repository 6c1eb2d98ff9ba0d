"""Signature hashes against published vectors: Core's sighash.json, BIP 143 and BIP 341.

Where a vector also publishes the signature, RFC 6979 (or BIP 340 with zero aux randomness)
over our digest must reproduce it byte for byte: that checks the digest a second way.
"""

from __future__ import annotations

import pytest
from bip341_vectors import KEY_PATH_TX, key_path_spent
from btclib_secp256k1 import dsa, ssa

from pjconf.reference.bitcoin.encoding import hash160
from pjconf.reference.bitcoin.sighash import (
    SighashError,
    legacy_script_code,
    legacy_sighash,
    p2wpkh_script_code,
    segwit_v0_sighash,
    taproot_sig_msg,
    taproot_sighash,
)
from pjconf.reference.bitcoin.tx import Transaction, TxIn, TxOut
from pjconf.reference.bitcoin.wallet import (
    taproot_output_key,
    taproot_tweak,
    taproot_tweak_secret,
)


def _tx(hex_text: str) -> Transaction:
    return Transaction.deserialize(bytes.fromhex(hex_text))


# --- legacy -----------------------------------------------------------------------------------

# bitcoin/bitcoin src/test/data/sighash.json (commit 14dbc73e), the first entries whose raw
# transaction parses: [raw_transaction, script, input_index, hashType, signature_hash]. The hash
# is printed as a uint256 (byte-reversed). They cover ALL-like, NONE and ANYONECANPAY types,
# arbitrary type bytes reduced with & 0x1f, and scripts with OP_CODESEPARATOR (0xab) to strip.
SIGHASH_JSON = [
    (
        "4bb217b2044e554264fbc5838a7b35d0ced146a2661a984f4b5cae6a9d75c2e7265fb5b35702000000036a63ab20eca805e04c879e85061734a033757701ffbbdfb50b5239979314a49c0863d0f23470b20300000005ac5352ac52ffffffffc49ac91534925907bc0fe1efd609f77c44b72984c954635fbccf0938ac1c99fd01000000056a63635363ffffffff80ed93158c847f159f3476a40026f753e8b959d8da11887661a4e61ae5fa806c02000000008beb2a69045b569760d239010000315daf7aaa1b000005635165535119585177ca4400000055a3371b856400000030458c8d",
        "525165ab636a",
        0,
        -786082264,
        "a920f6cecde9c1f856b5cf0284dea8e136eb7da697c22cfb3fd907a1993cdae5",
    ),
    (
        "0da910a503304372f2c841f76b767b3c0aacebfc6dc4074f0cae114c365a598e2e6e37a3ff010000000853ac00516aabacabffffffffdc6f3ca479a3d12ffff996d03ef4898f896f53556fa7f6ec154e6b96bbe45d860100000000ffffffffb97b61ff17af51abaa2ac726eb0a2ca1a0578665f4c3fd76ed6076788d8b7c3e0000000006ab6a655200ac54d974f30107132f675d0b040009536a6351515251005200000000",
        "6a5100ac0051",
        0,
        -1522017801,
        "ec2e8a5c762d774486544c01805d62695b41c2eb597106973d092781556f650f",
    ),
    (
        "c9d2af7c014379565ef74fe6cbb17ff5a42ba57c64329b85f90ea6bfc000a94fa5cc414be502000000076a0053ab536551ffffffff040b4effecb1d70100030065ab54986fe2c36d01000163b5890ec22d40000008636aac65515200ac23749cc4abe100000453ac005200000000",
        "acab63ab635353ab6a",
        0,
        -783683045,
        "196c87b447f8666af448a62f086deb0dbfaf3284bdc0fbfc973aa998e6b13876",
    ),
    (
        "4737215002d6ac898bde5f2055b5f642a9d95251aa9bd79a757058b5fc429c0c9ae2b1f2250100000009ab6a00ac00abab656affffffff176c3a90b0495f136312fafc161bff5bb32fa61981303f9d15e683798e8e219e0300000001ab5b0be2bb02b92d2229714b01000500006353ab294057f6cbcc020002ac6500000000",
        "53",
        0,
        434913772,
        "e154b93312a31ae30d7629517083866bb3dd9f2b8c2aeca1fdcc6d9ef28b2deb",
    ),
    (
        "9f3475fa02af64a02375fd5f0bf23e86f1b6eaa6b194f82a87ec44d254d14a538f50dd32b10300000006ac6a5363ac65ffffffff23b6a533b1491909571a1d6926bb63517dd3fe91606a9f67871cd913c35d967702000000080052516553516552ffffffff0301b68cdfaece000009536a63acab006551abe61db2e1e1ec01000853ac516a005200abc124435500b90000096a5252516a6a006552406041a2",
        "6aac516363ab5353",
        0,
        1582559354,
        "c3b0af3f6dc5eeb5cce8f566195fb89967a9eb87d002943d1cf38f36a2959d1a",
    ),
    (
        "0ad29457020c1f81c448e6a16c1d46c6b11ce10350c25cee981a7e5f355a430a4b1a02c3e3010000000953525165ac6a516a52db03f96bc594126fef82a78e20977c76c690ec394ab51b00ed9f18fc07400768ad9bd48b0000000009ab51636a5265525263616b5423012426ef16db5b0100056351006a5300000000",
        "636a",
        1,
        877962686,
        "0e1455886a1cd6fd614950b396eb1f207eb6dbbcec0945da95629418da923366",
    ),
    (
        "01b86ffc0170aa032757ea88fd74489a2b5ae4ba63e9388416ce0f6e3ef15fb9201e41feb80200000006636353ac6a63ffffffff02f09fce0dc00b01000365006a24f6249ce1d2010003ab6300561258d1",
        "acac655265ab0052",
        0,
        894060510,
        "28191d986349b920372a4c61b32c1ec3f007bd3989a027b23208008c93624242",
    ),
    (
        "9fd9f3ec028c97328bafaaebbd773c779cbdc7ee15a6d94620232b96b11e6522b15ea439a303000000076351525253636affffffff7725b7ce1eee44c544486a2f24abfb81093ee3f9803a5ad459f4ce904a3f4b140100000000ffffffff0349c565846a2602000100b5da3b65963b010007006552526a006a8b7005dfbe3e010003536aab6e84645e",
        "",
        1,
        -65807906,
        "a69a7848f2cf474e4184206347d991ec25c72222f089f0ca2df92b8f11ffebf0",
    ),
    (
        "42cd30df03d9712ef5306237f146c4f6824480cb3bc25bec3b3e946a46a9e598d8f8be93e50100000004acabac53c992944f305ac7b1358dd422445d2b82b6e775226d835c6da33b7d7e1356ad94bb3546460100000008006551abacab63511cf8c6580fbbb0ceafc62dc9f95f9aaf322c0e66318e09eea809303da6471e18dc0f045e02000000096a005251ac53525351ffffffff044032a698a386000004536aacab201f4bc5470b010006ab65abac5252b4f817ba9cc4000000459ea051ed6e00000153b18fb9e1",
        "6a",
        2,
        1655663749,
        "1bbe2ddc299d4edb13b4f9e31d23f45cdc3362d1f507f32a6eaf590f19d8e483",
    ),
    (
        "1ba51bda02961cbcf129f7ededc032fb7bd72d6d1ea0d0ea2363620753ff528420f24b797a0300000009516352ac6aab6a6552ffffffff5164406e0dc5d425e1f1f2eadaf764fe356f031921306ac6cdda8cf4fe2f5a34010000000751ac51ab5100531dff4f800219f48b57d658020008006551656353abac2288a35d21e100000000000000",
        "",
        0,
        767356194,
        "eb63e6721af3d9b9b45ca2344b1a0891706455a30713bdc9d37f23f89695b27d",
    ),
    (
        "575f83d2039a3a6f534f44ee070f65072ccb532be09740fb84c79cf56197218757cb44142e0300000007ab6a51656a0065ffffffff0409536c21b3f91118f047dd9c97f2fc45e5cd3635e140d8bcfb27803427164a0200000007ab6a006551acabd582ab9ec72efebe8948a0cca593c298586f382e62ff4f1f464ddca4c45f9ab581549bea020000000453636a51ffffffff0128e3e5c4bec3030003acab0000000000",
        "6aac63525351005165",
        1,
        962096978,
        "7a0c8e022329fc80d3b336b40a945bc6bd442636ca16da69fd6d3dfe1aad0054",
    ),
    (
        "1558940e04c53c26ce96222a2b44f9bb8f2d616a025b2b92b820aa292da2147d7c5f36a8f10200000003516500fffffffffe73c98c41bb236538a4fe75a285048b34599bcbca86523cb0088452da60889f0000000000f138dcf6d079beabc54179cf3b2c9dd9103c6f47636b8e17fde8f0410fb2c6c4daf2eb120100000004655165006fb2c8aacd093636f76e521162b52e464aaf61d4a2080ec268609b0975d73812b2252c95020000000765536a536a5200c60ed0e30347e8e2ac28c201000752acab000065abcb13d378b80201000853525263ab53ab00d7ef2c96cd4a0200015200000000",
        "",
        3,
        -2022306078,
        "af8adf2fa72d3f0066b59d9d3d89e498f39f7974b2a97bee72e1318cbefd3a53",
    ),
    (
        "c2a8db94017709eed353ca42aa3b78a0c4a3c2cc4c52287b784fcf508a4df8876ca9ab156903000000025151853c5140029ac92ccbb795030007000052526553520d4c9ee0dcd900000665516565006a00acb7f7",
        "526a63",
        0,
        -1402165248,
        "7f682def9a0f014c9919807c5177e033a478493f753ce763dadc7f097e49fb8b",
    ),
    (
        "cc3dee6b0395388456d20ddd370a430e665087f08e851898dd4caf2acf650a724199d576350000000001517d566d2f77b9caefa0004c5df5c34ed75925c36436ac71440f5566a58ccf7a7b9ccf6b5102000000016560aab9340494550cd22311392dcc6f2607eda8fc7fc81ff1f7c5d06ae3e444f21344daaa0200000008ab656a52acac65524e15a99501b41d1dcb873401000045831831",
        "ac",
        1,
        1704699221,
        "b9481741427436838e2dc98b6b9f8f35f480fa617d45300e3ca9904a4f7b8a3d",
    ),
]


@pytest.mark.parametrize(
    ("raw", "script", "index", "hash_type", "expected"),
    SIGHASH_JSON,
    ids=[f"entry{n}" for n in range(len(SIGHASH_JSON))],
)
def test_legacy_sighash_core_vectors(
    raw: str, script: str, index: int, hash_type: int, expected: str
) -> None:
    digest = legacy_sighash(_tx(raw), index, bytes.fromhex(script), hash_type)
    assert digest[::-1].hex() == expected


def test_legacy_single_without_output_hashes_to_one() -> None:
    """Core's SIGHASH_SINGLE bug: no output at the input's index signs the number 1."""
    tx = _tx(SIGHASH_JSON[0][0])  # 4 inputs, 4 outputs: drop outputs to leave index 3 bare
    short = Transaction(tx.version, tx.inputs, tx.outputs[:2], tx.lock_time)
    assert legacy_sighash(short, 3, b"", 0x03) == (1).to_bytes(32, "little")


def test_legacy_script_code_strips_separators_like_core() -> None:
    assert legacy_script_code(bytes.fromhex("ab51ab52")) == bytes.fromhex("025152")
    # A push's payload is data, not an opcode: its 0xab byte stays.
    assert legacy_script_code(bytes.fromhex("01ab51")) == bytes.fromhex("0301ab51")
    # A truncated push stops Core's walk mid-way; the length prefix still counts every byte.
    assert legacy_script_code(bytes.fromhex("ab4c")) == bytes.fromhex("014c")


# --- BIP 143 ----------------------------------------------------------------------------------

# bips/bip-0143.mediawiki, "Native P2WPKH": input 0 spends a P2PK (a legacy sighash), input 1 a
# P2WPKH of 6 BTC; both signatures are published in the signed transaction.
NATIVE_P2WPKH_TX = (
    "0100000002fff7f7881a8099afa6940d42d1e7f6362bec38171ea3edf433541db4e4ad969f0000000000eeffffff"
    "ef51e1b804cc89d182d279655c3aa89e815b1b309fe287d9b2b55d57b90ec68a0100000000ffffffff02202cb206"
    "000000001976a9148280b37df378db99f66f85c95a783a76ac7a6d5988ac9093510d000000001976a9143bde42db"
    "ee7e4dbe6a21b2d50ce2f0167faa815988ac11000000"
)


def test_bip143_native_p2wpkh() -> None:
    tx = _tx(NATIVE_P2WPKH_TX)
    secret = bytes.fromhex("619c335025c7f4012e556c2a58b2506e30b8511b53ade95ea316fd8c3286feb9")
    pubkey = bytes.fromhex("025476c2e83188368da1ff3e292e7acafcdb3566bb0ad253f62fc70f07aeee6357")
    code = p2wpkh_script_code(hash160(pubkey))
    assert code.hex() == "76a9141d0f172a0ecb48aee1be1f2687d2963ae33f71a188ac"
    digest = segwit_v0_sighash(tx, 1, code, 600_000_000, 0x01)
    assert digest.hex() == "c37af31116d1b27caf68aae9e3ac82f1477929014d5b917657d0eb49478cb670"
    assert dsa.sign(digest, secret).hex() == (
        "304402203609e17b84f6a7d30c80bfa610b5b4542f32a8a0d5447a12fb1366d7f01cc44a"
        "0220573a954c4518331561406f90300e8f3358f51928d43c212a8caed02de67eebee"
    )


def test_bip143_example_p2pk_input_is_a_legacy_sighash() -> None:
    """The same example's input 0 (P2PK, SIGHASH_ALL): its published signature reproduces."""
    tx = _tx(NATIVE_P2WPKH_TX)
    secret = bytes.fromhex("bbc27228ddcb9209d7fd6f36b02f7dfa6252af40bb2f1cbc7a557da8027ff866")
    spk = bytes.fromhex("2103c9f4836b9a4f77fc0d81f7bcb01b7f1b35916864b9476c241ce9fc198bd25432ac")
    digest = legacy_sighash(tx, 0, spk, 0x01)
    assert dsa.sign(digest, secret).hex() == (
        "30450221008b9d1dc26ba6a9cb62127b02742fa9d754cd3bebf337f7a55d114c8e5cdd30be"
        "022040529b194ba3f9281a99f2b1c0a19c0489bc22ede944ccf4ecbab4cc618ef3ed"
    )


def test_bip143_p2sh_p2wpkh() -> None:
    """bips/bip-0143.mediawiki, "P2SH-P2WPKH" (10 BTC, nSequence 0xfffffffe, locktime 1170)."""
    tx = _tx(
        "0100000001db6b1b20aa0fd7b23880be2ecbd4a98130974cf4748fb66092ac4d3ceb1a54770100000000feff"
        "ffff02b8b4eb0b000000001976a914a457b684d7f0d539a46a45bbc043f35b59d0d96388ac0008af2f000000"
        "001976a914fd270b1ee6abcaea97fea7ad0402e8bd8ad6d77c88ac92040000"
    )
    secret = bytes.fromhex("eb696a065ef48a2192da5b28b694f87544b30fae8327c4510137a922f32c6dcf")
    pubkey = bytes.fromhex("03ad1d8e89212f0b92c74d23bb710c00662ad1470198ac48c43f7d6f93a2a26873")
    digest = segwit_v0_sighash(tx, 0, p2wpkh_script_code(hash160(pubkey)), 1_000_000_000, 0x01)
    assert digest.hex() == "64f3b0f4dd2bb3aa1ce8566d220cc74dda9df97d8490cc81d89d735c92e59fb6"
    assert dsa.sign(digest, secret).hex() == (
        "3044022047ac8e878352d3ebbde1c94ce3a10d057c24175747116f8288e5d794d12d482f"
        "0220217f36a485cae903c713331d877c1f64677e3622ad4010726870540656fe9dcb"
    )


# bips/bip-0143.mediawiki, the two "Native P2WSH" examples: SIGHASH_SINGLE with no matching
# output (hashOutputs zero, not Core's legacy "one") and SINGLE|ANYONECANPAY, each with the
# scriptCode the example gives. (secret, scriptCode, amount, hash type, sighash, signature).
P2WSH_SINGLE_TX = (
    "0100000002fe3dc9208094f3ffd12645477b3dc56f60ec4fa8e6f5d67c565d1c6b9216b36e0000000000ffffffff"
    "0815cf020f013ed6cf91d29f4202e8a58726b1ac6c79da47c23d1bee0a6925f80000000000ffffffff0100f2052a"
    "010000001976a914a30741f8145e5acadf23f751864167f32e0963f788ac00000000"
)
P2WSH_ANYONECANPAY_TX = (
    "0100000002e9b542c5176808107ff1df906f46bb1f2583b16112b95ee5380665ba7fcfc0010000000000ffffffff"
    "80e68831516392fcd100d186b3c2c7b95c80b53c77e77c35ba03a66b429a2a1b0000000000ffffffff0280969800"
    "000000001976a914de4b231626ef508c9a74a8517e6783c0546d6b2888ac80969800000000001976a9146648a8cd"
    "4531e1ec47f35916de8e259237294d1e88ac00000000"
)
P2WSH_CASES: list[tuple[str, int, str, str, int, int, str, str]] = [
    (
        P2WSH_SINGLE_TX,
        1,
        "8e02b539b1500aa7c81cf3fed177448a546f19d2be416c0c61ff28e577d8d0cd",
        "21026dccc749adc2a9d0d89497ac511f760f45c47dc5ed9cf352a58ac706453880aeadab210255a9626aebf5"
        "e29c0e6538428ba0d1dcf6ca98ffdf086aa8ced5e0d0215ea465ac",
        4_900_000_000,
        0x03,
        "82dde6e4f1e94d02c2b7ad03d2115d691f48d064e9d52f58194a6637e4194391",
        "3044022027dc95ad6b740fe5129e7e62a75dd00f291a2aeb1200b84b09d9e3789406b6c002201a9ecd315dd6"
        "a0e632ab20bbb98948bc0c6fb204f2c286963bb48517a7058e27",
    ),
    (
        P2WSH_SINGLE_TX,
        1,
        "86bf2ed75935a0cbef03b89d72034bb4c189d381037a5ac121a70016db8896ec",
        "210255a9626aebf5e29c0e6538428ba0d1dcf6ca98ffdf086aa8ced5e0d0215ea465ac",
        4_900_000_000,
        0x03,
        "fef7bd749cce710c5c052bd796df1af0d935e59cea63736268bcbe2d2134fc47",
        "304402200de66acf4527789bfda55fc5459e214fa6083f936b430a762c629656216805ac0220396f550692cd"
        "347171cbc1ef1f51e15282e837bb2b30860dc77c8f78bc8501e5",
    ),
    (
        P2WSH_ANYONECANPAY_TX,
        0,
        "f52b3484edd96598e02a9c89c4492e9c1e2031f471c49fd721fe68b3ce37780d",
        "0063ab68210392972e2eb617b2388771abe27235fd5ac44af8e61693261550447a4c3e39da98ac",
        16_777_215,
        0x83,
        "e9071e75e25b8a1e298a72f0d2e9f4f95a0f5cdf86a533cda597eb402ed13b3a",
        "3045022100f6a10b8604e6dc910194b79ccfc93e1bc0ec7c03453caaa8987f7d6c3413566002206216229ede"
        "9b4d6ec2d325be245c5b508ff0339bf1794078e20bfe0babc7ffe6",
    ),
    (
        P2WSH_ANYONECANPAY_TX,
        1,
        "f52b3484edd96598e02a9c89c4492e9c1e2031f471c49fd721fe68b3ce37780d",
        "68210392972e2eb617b2388771abe27235fd5ac44af8e61693261550447a4c3e39da98ac",
        16_777_215,
        0x83,
        "cd72f1f1a433ee9df816857fad88d8ebd97e09a75cd481583eb841c330275e54",
        "30440220032521802a76ad7bf74d0e2c218b72cf0cbc867066e2e53db905ba37f130397e02207709e2188ed7"
        "f08f4c952d9d13986da504502b8c3be59617e043552f506c46ff",
    ),
]


@pytest.mark.parametrize(
    "case",
    P2WSH_CASES,
    ids=["single-full-code", "single-after-separator", "acp-input0", "acp-input1"],
)
def test_bip143_p2wsh_single_and_anyonecanpay(
    case: tuple[str, int, str, str, int, int, str, str],
) -> None:
    raw, index, secret, code, amount, hash_type, sighash, signature = case
    digest = segwit_v0_sighash(_tx(raw), index, bytes.fromhex(code), amount, hash_type)
    assert digest.hex() == sighash
    assert dsa.sign(digest, bytes.fromhex(secret)).hex() == signature


def test_bip143_commits_to_the_amount() -> None:
    tx = _tx(NATIVE_P2WPKH_TX)
    code = p2wpkh_script_code(bytes.fromhex("1d0f172a0ecb48aee1be1f2687d2963ae33f71a1"))
    assert segwit_v0_sighash(tx, 1, code, 600_000_000, 1) != segwit_v0_sighash(
        tx, 1, code, 600_000_001, 1
    )


# --- BIP 341 ----------------------------------------------------------------------------------

# bitcoin/bitcoin src/test/data/bip341_wallet_vectors.json (= bips/bip-0341/wallet-test-vectors
# .json), "scriptPubKey": internal key, merkle root, tweak, tweaked (output) key.
TWEAK_VECTORS = [
    (
        "d6889cb081036e0faefa3a35157ad71086b123b2b144b649798b494c300a961d",
        None,
        "b86e7be8f39bab32a6f2c0443abbc210f0edac0e2c53d501b36b64437d9c6c70",
        "53a1f6e454df1aa2776a2814a721372d6258050de330b3c6d10ee8f4e0dda343",
    ),
    (
        "187791b6f712a8ea41c8ecdd0ee77fab3e85263b37e1ec18a3651926b3a6cf27",
        "5b75adecf53548f3ec6ad7d78383bf84cc57b55a3127c72b9a2481752dd88b21",
        "cbd8679ba636c1110ea247542cfbd964131a6be84f873f7f3b62a777528ed001",
        "147c9c57132f6e7ecddba9800bb0c4449251c92a1e60371ee77557b6620f3ea3",
    ),
    (
        "ee4fe085983462a184015d1f782d6a5f8b9c2b60130aff050ce221ecf3786592",
        "6c2dc106ab816b73f9d07e3cd1ef2c8c1256f519748e0813e4edd2405d277bef",
        "9e0517edc8259bb3359255400b23ca9507f2a91cd1e4250ba068b4eafceba4a9",
        "712447206d7a5238acc7ff53fbe94a3b64539ad291c7cdbc490b7577e4b17df5",
    ),
    (
        "55adf4e8967fbd2e29f20ac896e60c3b0f1d5b0efa9d34941b5958c7b0a0312d",
        "2f6b2c5397b6d68ca18e09a3f05161668ffe93a988582d55c6f07bd5b3329def",
        "6579138e7976dc13b6a92f7bfd5a2fc7684f5ea42419d43368301470f3b74ed9",
        "75169f4001aa68f15bbed28b218df1d0a62cbbcf1188c6665110c293c907b831",
    ),
]


@pytest.mark.parametrize(("internal", "merkle_root", "tweak", "output"), TWEAK_VECTORS)
def test_bip341_output_key_tweak(
    internal: str, merkle_root: str | None, tweak: str, output: str
) -> None:
    root = bytes.fromhex(merkle_root) if merkle_root else None
    assert taproot_tweak(bytes.fromhex(internal), root).hex() == tweak
    assert taproot_output_key(bytes.fromhex(internal), root)[0].hex() == output


# The common prefix every non-ANYONECANPAY sigMsg below shares: hash type byte (filled in),
# version, locktime, then shaPrevouts, shaAmounts, shaScriptPubkeys, shaSequences.
_COMMON = (
    "020000000065cd1de3b33bb4ef3a52ad1fffb555c0d82828eb22737036eaeb02a235d82b909c4c3f58a6964a4f5f"
    "8f0b642ded0a8a553be7622a719da71d1f5befcefcdee8e0fde623ad0f61ad2bca5ba6a7693f50fce988e17c3780"
    "bf2b1e720cfbb38fbdd52e2118959c7221ab5ce9e26c3cd67b22c24f8baa54bac281d8e6b05e400e6c3a957e"
)
_SHA_OUTPUTS = "a2e6dab7c1f0dcd297c8d61647fd17d821541ea69c3cc37dcbad7f90d4eb4bc5"
KeyPathCase = tuple[int, str, str | None, int, str, str, str, str]
# (input index, internal private key, merkle root, hash type, tweaked private key, sigMsg,
#  sigHash, witness[0]).
KEY_PATH_INPUTS: list[KeyPathCase] = [
    (
        0,
        "6b973d88838f27366ed61c9ad6367663045cb456e28335c109e30717ae0c6baa",
        None,
        3,
        "2405b971772ad26915c8dcdf10f238753a9b837e5f8e6a86fd7c0cce5b7296d9",
        "0003"
        + _COMMON
        + "0000000000d0418f0e9a36245b9a50ec87f8bf5be5bcae434337b87139c3a5b1f56e33cba0",
        "2514a6272f85cfa0f45eb907fcb0d121b808ed37c6ea160a5a9046ed5526d555",
        "ed7c1647cb97379e76892be0cacff57ec4a7102aa24296ca39af7541246d8ff14d38958d4cc1e2e478e4d4a764bb"
        "fd835b16d4e314b72937b29833060b87276c03",
    ),
    (
        1,
        "1e4da49f6aaf4e5cd175fe08a32bb5cb4863d963921255f33d3bc31e1343907f",
        "5b75adecf53548f3ec6ad7d78383bf84cc57b55a3127c72b9a2481752dd88b21",
        0x83,
        "ea260c3b10e60f6de018455cd0278f2f5b7e454be1999572789e6a9565d26080",
        "0083020000000065cd1d00d7b7cab57b1393ace2d064f4d4a2cb8af6def61273e127517d44759b6dafdd99000000"
        "00808f891b00000000225120147c9c57132f6e7ecddba9800bb0c4449251c92a1e60371ee77557b6620f3ea3ffff"
        "ffffffcef8fb4ca7efc5433f591ecfc57391811ce1e186a3793024def5c884cba51d",
        "325a644af47e8a5a2591cda0ab0723978537318f10e6a63d4eed783b96a71a4d",
        "052aedffc554b41f52b521071793a6b88d6dbca9dba94cf34c83696de0c1ec35ca9c5ed4ab28059bd606a4f3a657"
        "eec0bb96661d42921b5f50a95ad33675b54f83",
    ),
    (
        3,
        "d3c7af07da2d54f7a7735d3d0fc4f0a73164db638b2f2f7c43f711f6d4aa7e64",
        "c525714a7f49c28aedbbba78c005931a81c234b2f6c99a73e4d06082adc8bf2b",
        1,
        "97323385e57015b75b0339a549c56a948eb961555973f0951f555ae6039ef00d",
        "0001" + _COMMON + _SHA_OUTPUTS + "0003000000",
        "bf013ea93474aa67815b1b6cc441d23b64fa310911d991e713cd34c7f5d46669",
        "ff45f742a876139946a149ab4d9185574b98dc919d2eb6754f8abaa59d18b025637a3aa043b91817739554f4ed20"
        "26cf8022dbd83e351ce1fabc272841d2510a01",
    ),
    (
        4,
        "f36bb07a11e469ce941d16b63b11b9b9120a84d9d87cff2c84a8d4affb438f4e",
        "ccbd66c6f7e8fdab47b3a486f59d28262be857f30d4773f2d5ea47f7761ce0e2",
        0,
        "a8e7aa924f0d58854185a490e6c41f6efb7b675c0f3331b7f14b549400b4d501",
        "0000" + _COMMON + _SHA_OUTPUTS + "0004000000",
        "4f900a0bae3f1446fd48490c2958b5a023228f01661cda3496a11da502a7f7ef",
        "b4010dd48a617db09926f729e79c33ae0b4e94b79f04a1ae93ede6315eb3669de185a17d2b0ac9ee09fd4c64b678"
        "a0b61a0a86fa888a273c8511be83bfd6810f",
    ),
    (
        6,
        "415cfe9c15d9cea27d8104d5517c06e9de48e2f986b695e4f5ffebf230e725d8",
        "2f6b2c5397b6d68ca18e09a3f05161668ffe93a988582d55c6f07bd5b3329def",
        2,
        "241c14f2639d0d7139282aa6abde28dd8a067baa9d633e4e7230287ec2d02901",
        "0002" + _COMMON + "0006000000",
        "15f25c298eb5cdc7eb1d638dd2d45c97c4c59dcaec6679cfc16ad84f30876b85",
        "a3785919a2ce3c4ce26f298c3d51619bc474ae24014bcdd31328cd8cfbab2eff3395fa0a16fe5f486d12f22a9ced"
        "ded5ae74feb4bbe5351346508c5405bcfee002",
    ),
    (
        7,
        "c7b0e81f0a9a0b0499e112279d718cca98e79a12e2f137c72ae5b213aad0d103",
        "6c2dc106ab816b73f9d07e3cd1ef2c8c1256f519748e0813e4edd2405d277bef",
        0x82,
        "65b6000cd2bfa6b7cf736767a8955760e62b6649058cbc970b7c0871d786346b",
        "0082020000000065cd1d00e9aa6b8e6c9de67619e6a3924ae25696bb7b694bb677a632a74ef7eadfd4eabf000000"
        "00804c8b2000000000225120712447206d7a5238acc7ff53fbe94a3b64539ad291c7cdbc490b7577e4b17df5ffff"
        "ffff",
        "cd292de50313804dabe4685e83f923d2969577191a3e1d2882220dca88cbeb10",
        "ea0c6ba90763c2d3a296ad82ba45881abb4f426b3f87af162dd24d5109edc1cdd11915095ba47c3a9963dc1e6c43"
        "2939872bc49212fe34c632cd3ab9fed429c482",
    ),
    (
        8,
        "77863416be0d0665e517e1c375fd6f75839544eca553675ef7fdf4949518ebaa",
        "ab179431c28d3b68fb798957faf5497d69c883c6fb1e1cd9f81483d87bac90cc",
        0x81,
        "ec18ce6af99f43815db543f47b8af5ff5df3b2cb7315c955aa4a86e8143d2bf5",
        "0081020000000065cd1d" + _SHA_OUTPUTS + "00a778eb6a263dc090464cd125c466b5a99667720b1c110468"
        "831d058aa1b82af101000000002b0c230000000022512077e30a5522dd9f894c3f8b8bd4c4b2cf82ca7da8a3ea6a"
        "239655c39c050ab220ffffffff",
        "cccb739eca6c13a8a89e6e5cd317ffe55669bbda23f2fd37b0f18755e008edd2",
        "bbc9584a11074e83bc8c6759ec55401f0ae7b03ef290c3139814f545b58a9f8127258000874f44bc46db76463221"
        "07d4d86aec8e73b8719a61fff761d75b5dd981",
    ),
]


@pytest.mark.parametrize("case", KEY_PATH_INPUTS, ids=[f"input{c[0]}" for c in KEY_PATH_INPUTS])
def test_bip341_key_path_spending(case: KeyPathCase) -> None:
    index, secret, merkle_root, hash_type, tweaked, sig_msg, sighash, witness = case
    tx, spent = _tx(KEY_PATH_TX), key_path_spent()
    # The file's "sigMsg" includes the leading epoch byte 0x00 that BIP 341 hashes in front.
    assert "00" + taproot_sig_msg(tx, index, spent, hash_type).hex() == sig_msg
    digest = taproot_sighash(tx, index, spent, hash_type)
    assert digest.hex() == sighash
    root = bytes.fromhex(merkle_root) if merkle_root else None
    tweaked_secret = taproot_tweak_secret(bytes.fromhex(secret), root)
    assert tweaked_secret.hex() == tweaked
    # The vectors' signatures use 32 zero bytes of auxiliary randomness.
    signature = ssa.sign(digest, tweaked_secret, bytes(32))
    suffix = bytes((hash_type,)) if hash_type else b""
    assert (signature + suffix).hex() == witness


def test_bip341_fully_signed_tx() -> None:
    """The vectors' "auxiliary.fullySignedTx", rebuilt from our three sighash kinds.

    Inputs 2 (P2PKH of key 1) and 5 (P2WPKH of key 3) are not in "inputSpending", but their
    signatures are in the signed transaction, and RFC 6979 over our digests reproduces them.
    """
    tx, spent = _tx(KEY_PATH_TX), key_path_spent()
    witnesses: dict[int, tuple[bytes, ...]] = {}
    for index, secret, root, hash_type, *_ in KEY_PATH_INPUTS:
        digest = taproot_sighash(tx, index, spent, hash_type)
        key = taproot_tweak_secret(bytes.fromhex(secret), bytes.fromhex(root) if root else None)
        suffix = bytes((hash_type,)) if hash_type else b""
        witnesses[index] = (ssa.sign(digest, key, bytes(32)) + suffix,)
    g1 = bytes.fromhex("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
    g3 = bytes.fromhex("02f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9")
    legacy = dsa.sign(legacy_sighash(tx, 2, spent[2].script_pubkey, 1), 1) + b"\x01"
    v0 = segwit_v0_sighash(tx, 5, p2wpkh_script_code(hash160(g3)), spent[5].value, 1)
    witnesses[5] = (dsa.sign(v0, 3) + b"\x01", g3)
    script_sig = bytes((len(legacy),)) + legacy + bytes((len(g1),)) + g1
    inputs = tuple(
        TxIn(
            txin.previous_output,
            script_sig if n == 2 else b"",
            txin.sequence,
            witnesses.get(n, ()),
        )
        for n, txin in enumerate(tx.inputs)
    )
    signed = Transaction(tx.version, inputs, tx.outputs, tx.lock_time)
    assert signed.serialize().hex() == (
        "020000000001097de20cbff686da83a54981d2b9bab3586f4ca7e48f57f5b55963115f3b334e9c0100000000"
        "00000000d7b7cab57b1393ace2d064f4d4a2cb8af6def61273e127517d44759b6dafdd990000000000ffffff"
        "fff8e1f583384333689228c5d28eac13366be082dc57441760d957275419a41842000000006b483045022100"
        "8f3b8f8f0537c420654d2283673a761b7ee2ea3c130753103e08ce79201cf32a022079e7ab904a1980ef1c58"
        "90b648c8783f4d10103dd62f740d13daa79e298d50c201210279be667ef9dcbbac55a06295ce870b07029bfc"
        "db2dce28d959f2815b16f81798fffffffff0689180aa63b30cb162a73c6d2a38b7eeda2a83ece74310fda084"
        "3ad604853b0100000000feffffffaa5202bdf6d8ccd2ee0f0202afbbb7461d9264a25e5bfd3c5a52ee1239e0"
        "ba6c0000000000feffffff956149bdc66faa968eb2be2d2faa29718acbfe3941215893a2a3446d32acd05000"
        "0000000000000000e664b9773b88c09c32cb70a2a3e4da0ced63b7ba3b22f848531bbb1d5d5f4c9401000000"
        "0000000000e9aa6b8e6c9de67619e6a3924ae25696bb7b694bb677a632a74ef7eadfd4eabf0000000000ffff"
        "ffffa778eb6a263dc090464cd125c466b5a99667720b1c110468831d058aa1b82af10100000000ffffffff02"
        "00ca9a3b000000001976a91406afd46bcdfd22ef94ac122aa11f241244a37ecc88ac807840cb0000000020ac"
        "9a87f5594be208f8532db38cff670c450ed2fea8fcdefcc9a663f78bab962b0141ed7c1647cb97379e76892b"
        "e0cacff57ec4a7102aa24296ca39af7541246d8ff14d38958d4cc1e2e478e4d4a764bbfd835b16d4e314b729"
        "37b29833060b87276c030141052aedffc554b41f52b521071793a6b88d6dbca9dba94cf34c83696de0c1ec35"
        "ca9c5ed4ab28059bd606a4f3a657eec0bb96661d42921b5f50a95ad33675b54f83000141ff45f742a8761399"
        "46a149ab4d9185574b98dc919d2eb6754f8abaa59d18b025637a3aa043b91817739554f4ed2026cf8022dbd8"
        "3e351ce1fabc272841d2510a010140b4010dd48a617db09926f729e79c33ae0b4e94b79f04a1ae93ede6315e"
        "b3669de185a17d2b0ac9ee09fd4c64b678a0b61a0a86fa888a273c8511be83bfd6810f0247304402202b795e"
        "4de72646d76eab3f0ab27dfa30b810e856ff3a46c9a702df53bb0d8cc302203ccc4d822edab5f35caddb10af"
        "1be93583526ccfbade4b4ead350781e2f8adcd012102f9308a019258c31049344f85f89d5229b531c845836f"
        "99b08601f113bce036f90141a3785919a2ce3c4ce26f298c3d51619bc474ae24014bcdd31328cd8cfbab2eff"
        "3395fa0a16fe5f486d12f22a9cedded5ae74feb4bbe5351346508c5405bcfee0020141ea0c6ba90763c2d3a2"
        "96ad82ba45881abb4f426b3f87af162dd24d5109edc1cdd11915095ba47c3a9963dc1e6c432939872bc49212"
        "fe34c632cd3ab9fed429c4820141bbc9584a11074e83bc8c6759ec55401f0ae7b03ef290c3139814f545b58a"
        "9f8127258000874f44bc46db7646322107d4d86aec8e73b8719a61fff761d75b5dd9810065cd1d"
    )


def test_bip341_commits_to_every_spent_amount() -> None:
    tx, spent = _tx(KEY_PATH_TX), key_path_spent()
    bumped = list(spent)
    bumped[8] = TxOut(spent[8].value + 1, spent[8].script_pubkey)
    assert taproot_sighash(tx, 0, spent, 0) != taproot_sighash(tx, 0, bumped, 0)
    # ... except under ANYONECANPAY, which commits to its own input's output alone.
    assert taproot_sighash(tx, 1, spent, 0x81) == taproot_sighash(tx, 1, bumped, 0x81)


# --- errors -----------------------------------------------------------------------------------


def test_errors_are_typed() -> None:
    tx, spent = _tx(KEY_PATH_TX), key_path_spent()
    with pytest.raises(SighashError, match="not a taproot sighash type"):
        taproot_sighash(tx, 0, spent, 0x04)
    with pytest.raises(SighashError, match="spent outputs"):
        taproot_sighash(tx, 0, spent[:-1], 0)
    with pytest.raises(SighashError, match="out of range"):
        taproot_sighash(tx, 9, spent, 0)
    with pytest.raises(SighashError, match="without a matching output"):
        taproot_sighash(tx, 2, spent, 0x03)
    with pytest.raises(SighashError, match="out of range"):
        legacy_sighash(tx, 9, b"", 1)
    with pytest.raises(SighashError, match="out of range"):
        segwit_v0_sighash(tx, -1, b"", 0, 1)
