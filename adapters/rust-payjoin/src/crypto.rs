//! HPKE, ElligatorSwift and the BIP 77 messages.
//!
//! rust-payjoin 1.0.0 keeps its `hpke` module `pub(crate)` (`encrypt_message_a` and friends are
//! not exported), so the BIP 77 message ops are composed here from the very crates and calls
//! payjoin-1.0.0/src/core/hpke.rs uses: bitcoin-hpke 0.13 (`setup_sender`/`setup_receiver`,
//! DHKEM(secp256k1)/HKDF-SHA256/ChaCha20-Poly1305, OsRng) and rust-secp256k1 0.29's
//! `ElligatorSwift::from_pubkey` / `PublicKey::from_ellswift`, step by step in the same order,
//! including payjoin's unchecked `plaintext[..33]` slice in `decrypt_message_a`.
//!
//! bitcoin-hpke only takes an RNG, and draws the ephemeral through `DeriveKeyPair(random ikm)`;
//! its `encap_with_eph` is `pub(crate)`. A fixed ephemeral secret (`sk_e`) therefore cannot be
//! injected: a seal given `sk_e` reports the errors that do not depend on the ephemeral (and an
//! invalid `sk_e`), and otherwise answers `unimplemented`.

use bitcoin::key::constants::{ELLSWIFT_ENCODING_SIZE, PUBLIC_KEY_SIZE};
use bitcoin::secp256k1;
use bitcoin::secp256k1::ellswift::ElligatorSwift;
use hpke::aead::ChaCha20Poly1305;
use hpke::kdf::HkdfSha256;
use hpke::kem::SecpK256HkdfSha256;
use hpke::rand_core::OsRng;
use hpke::{Deserializable, OpModeR, OpModeS, Serializable};
use serde_json::{json, Value};

use crate::args::{arg_array, arg_bytes, arg_str, hex, opt_bytes, Args, OpError};
use crate::Answer;

type Kem = SecpK256HkdfSha256;
type SecretKey = <Kem as hpke::Kem>::PrivateKey;
type PublicKey = <Kem as hpke::Kem>::PublicKey;
type EncappedKey = <Kem as hpke::Kem>::EncappedKey;

// payjoin-1.0.0/src/core/hpke.rs constants.
const PADDED_MESSAGE_BYTES: usize = 7168;
const POLY1305_TAG_SIZE: usize = 16;
const PADDED_PLAINTEXT_A_LENGTH: usize =
    PADDED_MESSAGE_BYTES - (ELLSWIFT_ENCODING_SIZE + PUBLIC_KEY_SIZE + POLY1305_TAG_SIZE);
const PADDED_PLAINTEXT_B_LENGTH: usize =
    PADDED_MESSAGE_BYTES - (ELLSWIFT_ENCODING_SIZE + POLY1305_TAG_SIZE);
const INFO_A: &[u8; 8] = b"PjV2MsgA";
const INFO_B: &[u8; 8] = b"PjV2MsgB";

const NO_SK_E: &str = "bitcoin-hpke 0.13 cannot take a fixed ephemeral key: setup_sender draws it \
                       as DeriveKeyPair(rng ikm) and encap_with_eph is pub(crate)";

fn hpke_err(e: hpke::HpkeError) -> OpError {
    use hpke::HpkeError::*;
    let kind = match e {
        OpenError => "OpenError",
        ValidationError | IncorrectInputLength(..) | EncapError | DecapError => "InvalidKey",
        _ => "InternalError",
    };
    OpError::new(kind, format!("bitcoin-hpke: {e} ({e:?})"))
}

fn key_err(field: &str, e: hpke::HpkeError) -> OpError {
    OpError::new("InvalidKey", format!("{field}: bitcoin-hpke rejects it: {e:?}"))
}

fn secret_key(field: &str, bytes: &[u8]) -> Result<SecretKey, OpError> {
    SecretKey::from_bytes(bytes).map_err(|e| key_err(field, e))
}

fn public_key(field: &str, bytes: &[u8]) -> Result<PublicKey, OpError> {
    PublicKey::from_bytes(bytes).map_err(|e| key_err(field, e))
}

fn mode_arg(args: &Args) -> Result<bool, OpError> {
    match arg_str(args, "mode")? {
        "base" => Ok(false),
        "auth" => Ok(true),
        other => Err(OpError::invalid_arg("mode", &format!("{other:?} is not base or auth"))),
    }
}

/// A seal given a fixed ephemeral: errors that do not depend on it are real answers, success is not.
fn seal_with_optional_sk_e(args: &Args, seal: impl FnOnce() -> Result<Value, OpError>) -> Answer {
    let sk_e = match opt_bytes(args, "sk_e") {
        Ok(v) => v,
        Err(e) => return Answer::Error(e),
    };
    if let Some(sk_e) = &sk_e {
        if let Err(e) = secret_key("sk_e", sk_e) {
            return Answer::Error(e);
        }
    }
    match (seal(), sk_e) {
        (Err(e), _) => Answer::Error(e),
        (Ok(v), None) => Answer::Result(v),
        (Ok(_), Some(_)) => Answer::Unimplemented(NO_SK_E.into()),
    }
}

pub fn hpke_seal(args: &Args) -> Answer {
    seal_with_optional_sk_e(args, || {
        let auth = mode_arg(args)?;
        let pk_r = public_key("pk_r", &arg_bytes(args, "pk_r")?)?;
        let info = arg_bytes(args, "info")?;
        let aad = arg_bytes(args, "aad")?;
        let pt = arg_bytes(args, "pt")?;
        let mode = if auth {
            let sk_s = secret_key("sk_s", &arg_bytes(args, "sk_s")?)?;
            let pk_s = <Kem as hpke::Kem>::sk_to_pk(&sk_s);
            OpModeS::Auth((sk_s, pk_s))
        } else {
            OpModeS::Base
        };
        let (enc, mut ctx) = hpke::setup_sender::<ChaCha20Poly1305, HkdfSha256, Kem, _>(
            &mode, &pk_r, &info, &mut OsRng,
        )
        .map_err(hpke_err)?;
        let ct = ctx.seal(&pt, &aad).map_err(hpke_err)?;
        Ok(json!({"enc": hex(enc.to_bytes()), "ct": hex(ct)}))
    })
}

pub fn hpke_open(args: &Args) -> Result<Value, OpError> {
    let auth = mode_arg(args)?;
    let sk_r = secret_key("sk_r", &arg_bytes(args, "sk_r")?)?;
    let enc = EncappedKey::from_bytes(&arg_bytes(args, "enc")?).map_err(|e| key_err("enc", e))?;
    let info = arg_bytes(args, "info")?;
    let aad = arg_bytes(args, "aad")?;
    let ct = arg_bytes(args, "ct")?;
    let mode = if auth {
        OpModeR::Auth(public_key("pk_s", &arg_bytes(args, "pk_s")?)?)
    } else {
        OpModeR::Base
    };
    let mut ctx = hpke::setup_receiver::<ChaCha20Poly1305, HkdfSha256, Kem>(&mode, &sk_r, &enc, &info)
        .map_err(hpke_err)?;
    let pt = ctx.open(&ct, &aad).map_err(hpke_err)?;
    Ok(json!({"pt": hex(pt)}))
}

/// Encode with libsecp256k1's `secp256k1_ellswift_encode`. rust-secp256k1 0.29's
/// `ElligatorSwift::from_pubkey` (what payjoin calls) hard-codes a zero `rnd32`; for a zero
/// `rnd32` that wrapper is used, for any other the same C function is called through
/// `secp256k1::ffi` with the given randomness.
pub fn ellswift_encode(args: &Args) -> Result<Value, OpError> {
    let pk_bytes = arg_bytes(args, "pk")?;
    let rnd32: [u8; 32] = arg_array(args, "rnd32")?;
    let pk = secp256k1::PublicKey::from_slice(&pk_bytes)
        .map_err(|e| OpError::new("InvalidKey", format!("secp256k1: {e}")))?;
    let ell = if rnd32 == [0u8; 32] {
        ElligatorSwift::from_pubkey(pk).to_array()
    } else {
        use secp256k1::ffi::{self, CPtr};
        let mut out = [0u8; 64];
        // SAFETY: valid pointers to a 64-byte output, a parsed public key and 32 random bytes;
        // the no-precomp context suffices for encoding (as rust-secp256k1's own `encode` uses).
        let ret = unsafe {
            ffi::secp256k1_ellswift_encode(
                ffi::secp256k1_context_no_precomp,
                out.as_mut_c_ptr(),
                pk.as_c_ptr(),
                rnd32.as_c_ptr(),
            )
        };
        if ret != 1 {
            return Err(OpError::new("InvalidKey", "secp256k1_ellswift_encode failed"));
        }
        out
    };
    Ok(json!({"ell64": hex(ell)}))
}

pub fn ellswift_decode(args: &Args) -> Result<Value, OpError> {
    let ell: [u8; 64] = arg_array(args, "ell64")?;
    let pk = secp256k1::PublicKey::from_ellswift(ElligatorSwift::from_array(ell));
    Ok(json!({"pk": hex(pk.serialize_uncompressed())}))
}

// ---- BIP 77 messages, composed as payjoin-1.0.0/src/core/hpke.rs does -------------------------

/// payjoin's `HpkeError`, kept to report the same distinctions.
enum MsgError {
    InvalidPublicKey(String),
    Hpke(hpke::HpkeError),
    PayloadTooLarge { actual: usize, max: usize },
    PayloadTooShort,
}

impl From<hpke::HpkeError> for MsgError {
    fn from(e: hpke::HpkeError) -> Self { MsgError::Hpke(e) }
}

impl From<secp256k1::Error> for MsgError {
    fn from(e: secp256k1::Error) -> Self { MsgError::InvalidPublicKey(e.to_string()) }
}

impl From<MsgError> for OpError {
    fn from(e: MsgError) -> Self {
        match e {
            MsgError::InvalidPublicKey(m) => OpError::new("InvalidKey", format!("invalid public key: {m}")),
            MsgError::Hpke(e) => hpke_err(e),
            MsgError::PayloadTooLarge { actual, max } => OpError::new(
                "PayloadTooLarge",
                format!("Plaintext too large, max size is {max} bytes, actual size is {actual} bytes"),
            ),
            MsgError::PayloadTooShort => OpError::new("PayloadTooShort", "Payload too small"),
        }
    }
}

fn pubkey_from_compressed_bytes(pk_bytes: &[u8]) -> Result<PublicKey, MsgError> {
    let uncompressed = secp256k1::PublicKey::from_slice(pk_bytes)?.serialize_uncompressed();
    Ok(PublicKey::from_bytes(&uncompressed).expect("conversion to uncompressed pubkey must not fail"))
}

fn compressed_bytes_from_pubkey(pk: &PublicKey) -> [u8; PUBLIC_KEY_SIZE] {
    secp256k1::PublicKey::from_slice(&pk.to_bytes())
        .expect("parsing a pubkey immediately after serializing it must not fail")
        .serialize()
}

fn encapped_key_from_ellswift_bytes(encoded: &[u8]) -> Result<EncappedKey, MsgError> {
    let mut buf = [0u8; ELLSWIFT_ENCODING_SIZE];
    buf.copy_from_slice(encoded);
    let pk = secp256k1::PublicKey::from_ellswift(ElligatorSwift::from_array(buf));
    Ok(EncappedKey::from_bytes(pk.serialize_uncompressed().as_slice())?)
}

fn ellswift_bytes_from_encapped_key(enc: &EncappedKey) -> Result<[u8; ELLSWIFT_ENCODING_SIZE], MsgError> {
    let pk = secp256k1::PublicKey::from_slice(&enc.to_bytes())?;
    Ok(ElligatorSwift::from_pubkey(pk).to_array())
}

fn pad_plaintext(msg: &mut Vec<u8>, padded_length: usize) -> Result<&[u8], MsgError> {
    if msg.len() > padded_length {
        return Err(MsgError::PayloadTooLarge { actual: msg.len(), max: padded_length });
    }
    msg.resize(padded_length, 0);
    Ok(msg)
}

fn encrypt_message_a(mut body: Vec<u8>, reply_pk: &PublicKey, receiver_pk: &PublicKey) -> Result<Vec<u8>, MsgError> {
    let (encapsulated_key, mut ctx) = hpke::setup_sender::<ChaCha20Poly1305, HkdfSha256, Kem, _>(
        &OpModeS::Base,
        receiver_pk,
        INFO_A,
        &mut OsRng,
    )?;
    pad_plaintext(&mut body, PADDED_PLAINTEXT_A_LENGTH)?;
    let mut plaintext = compressed_bytes_from_pubkey(reply_pk).to_vec();
    plaintext.extend(body);
    let ciphertext = ctx.seal(&plaintext, &[])?;
    let mut message_a = ellswift_bytes_from_encapped_key(&encapsulated_key)?.to_vec();
    message_a.extend(&ciphertext);
    Ok(message_a)
}

fn decrypt_message_a(message_a: &[u8], receiver_sk: &SecretKey) -> Result<(Vec<u8>, PublicKey), MsgError> {
    use std::io::{Cursor, Read};
    let mut cursor = Cursor::new(message_a);
    let mut enc_bytes = [0u8; ELLSWIFT_ENCODING_SIZE];
    cursor.read_exact(&mut enc_bytes).map_err(|_| MsgError::PayloadTooShort)?;
    let enc = encapped_key_from_ellswift_bytes(&enc_bytes)?;
    let mut ctx =
        hpke::setup_receiver::<ChaCha20Poly1305, HkdfSha256, Kem>(&OpModeR::Base, receiver_sk, &enc, INFO_A)?;
    let mut ciphertext = Vec::new();
    cursor.read_to_end(&mut ciphertext).map_err(|_| MsgError::PayloadTooShort)?;
    let plaintext = ctx.open(&ciphertext, &[])?;
    // payjoin 1.0.0 slices without a length check: a short authentic plaintext panics here.
    let reply_pk = pubkey_from_compressed_bytes(&plaintext[..PUBLIC_KEY_SIZE])?;
    let body = &plaintext[PUBLIC_KEY_SIZE..];
    Ok((body.to_vec(), reply_pk))
}

fn encrypt_message_b(
    mut plaintext: Vec<u8>,
    receiver_sk: &SecretKey,
    sender_pk: &PublicKey,
) -> Result<Vec<u8>, MsgError> {
    let receiver_pk = <Kem as hpke::Kem>::sk_to_pk(receiver_sk);
    let (encapsulated_key, mut ctx) = hpke::setup_sender::<ChaCha20Poly1305, HkdfSha256, Kem, _>(
        &OpModeS::Auth((receiver_sk.clone(), receiver_pk)),
        sender_pk,
        INFO_B,
        &mut OsRng,
    )?;
    let plaintext: &[u8] = pad_plaintext(&mut plaintext, PADDED_PLAINTEXT_B_LENGTH)?;
    let ciphertext = ctx.seal(plaintext, &[])?;
    let mut message_b = ellswift_bytes_from_encapped_key(&encapsulated_key)?.to_vec();
    message_b.extend(&ciphertext);
    Ok(message_b)
}

fn decrypt_message_b(message_b: &[u8], receiver_pk: PublicKey, sender_sk: &SecretKey) -> Result<Vec<u8>, MsgError> {
    let enc = message_b.get(..ELLSWIFT_ENCODING_SIZE).ok_or(MsgError::PayloadTooShort)?;
    let enc = encapped_key_from_ellswift_bytes(enc)?;
    let mut ctx = hpke::setup_receiver::<ChaCha20Poly1305, HkdfSha256, Kem>(
        &OpModeR::Auth(receiver_pk),
        sender_sk,
        &enc,
        INFO_B,
    )?;
    let plaintext =
        ctx.open(message_b.get(ELLSWIFT_ENCODING_SIZE..).ok_or(MsgError::PayloadTooShort)?, &[])?;
    Ok(plaintext)
}

fn compressed_key(field: &str, args: &Args) -> Result<PublicKey, OpError> {
    pubkey_from_compressed_bytes(&arg_bytes(args, field)?)
        .map_err(|_| OpError::new("InvalidKey", format!("{field}: not a valid secp256k1 public key")))
}

pub fn msg_a_seal(args: &Args) -> Answer {
    seal_with_optional_sk_e(args, || {
        let receiver_pk = compressed_key("receiver_pk", args)?;
        let reply_pk = compressed_key("reply_pk", args)?;
        let body = arg_bytes(args, "body")?;
        let msg = encrypt_message_a(body, &reply_pk, &receiver_pk)?;
        Ok(json!({"msg": hex(msg)}))
    })
}

pub fn msg_a_open(args: &Args) -> Result<Value, OpError> {
    let receiver_sk = secret_key("receiver_sk", &arg_bytes(args, "receiver_sk")?)?;
    let msg = arg_bytes(args, "msg")?;
    let (body, reply_pk) = decrypt_message_a(&msg, &receiver_sk)?;
    Ok(json!({"reply_pk": hex(compressed_bytes_from_pubkey(&reply_pk)), "plaintext": hex(body)}))
}

pub fn msg_b_seal(args: &Args) -> Answer {
    seal_with_optional_sk_e(args, || {
        let receiver_sk = secret_key("receiver_sk", &arg_bytes(args, "receiver_sk")?)?;
        let reply_pk = compressed_key("reply_pk", args)?;
        let body = arg_bytes(args, "body")?;
        let msg = encrypt_message_b(body, &receiver_sk, &reply_pk)?;
        Ok(json!({"msg": hex(msg)}))
    })
}

pub fn msg_b_open(args: &Args) -> Result<Value, OpError> {
    let reply_sk = secret_key("reply_sk", &arg_bytes(args, "reply_sk")?)?;
    let receiver_pk = compressed_key("receiver_pk", args)?;
    let msg = arg_bytes(args, "msg")?;
    let plaintext = decrypt_message_b(&msg, receiver_pk, &reply_sk)?;
    Ok(json!({"plaintext": hex(plaintext)}))
}
