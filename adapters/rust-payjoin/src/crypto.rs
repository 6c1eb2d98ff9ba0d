//! HPKE, ElligatorSwift and the BIP 77 messages.
//!
//! The `bip77.msg_*` ops call payjoin's own `hpke::{encrypt,decrypt}_message_{a,b}` with its key
//! types (`HpkePublicKey`, `HpkeSecretKey`, `HpkeKeyPair`); the module is `pub(crate)` in the
//! published crate and made `pub` by `versions/<VERSION>/visibility.patch`. Here only arguments
//! and results are translated.
//!
//! `hpke.seal`/`hpke.open` and `ellswift.*` are bitcoin-hpke and rust-secp256k1 functions that
//! payjoin does not implement; they call those crates (the versions payjoin depends on) directly.
//!
//! bitcoin-hpke only takes an RNG, and draws the ephemeral through `DeriveKeyPair(random ikm)`;
//! its `encap_with_eph` is `pub(crate)`. A fixed ephemeral secret (`sk_e`) therefore cannot be
//! injected: a seal given `sk_e` reports the errors that do not depend on the ephemeral (and an
//! invalid `sk_e`), and otherwise answers `unimplemented`.

use bitcoin::secp256k1;
use bitcoin::secp256k1::ellswift::ElligatorSwift;
use hpke::aead::ChaCha20Poly1305;
use hpke::kdf::HkdfSha256;
use hpke::kem::SecpK256HkdfSha256;
use hpke::rand_core::OsRng;
use hpke::{Deserializable, OpModeR, OpModeS, Serializable};
use payjoin::hpke::HpkeSecretKey;
use payjoin::{HpkeKeyPair, HpkePublicKey};
use serde_json::{json, Value};

use crate::args::{arg_array, arg_bytes, arg_str, hex, opt_bytes, Args, OpError};
use crate::Answer;

type Kem = SecpK256HkdfSha256;
type SecretKey = <Kem as hpke::Kem>::PrivateKey;
type PublicKey = <Kem as hpke::Kem>::PublicKey;
type EncappedKey = <Kem as hpke::Kem>::EncappedKey;

const NO_SK_E: &str = "bitcoin-hpke cannot take a fixed ephemeral key: setup_sender draws it \
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

// ---- BIP 77 messages: payjoin::hpke (exposed by versions/<VERSION>/visibility.patch) --------

fn msg_err(e: payjoin::hpke::HpkeError) -> OpError {
    use payjoin::hpke::HpkeError as E;
    match e {
        E::InvalidPublicKey => OpError::new("InvalidKey", format!("payjoin::hpke: {e}")),
        E::Hpke(inner) => {
            let mut err = hpke_err(inner);
            err.message = format!("payjoin::hpke: {}", err.message);
            err
        }
        E::PayloadTooLarge { .. } => OpError::new("PayloadTooLarge", e.to_string()),
        E::PayloadTooShort => OpError::new("PayloadTooShort", e.to_string()),
        other => OpError::new("InternalError", format!("payjoin::hpke: {other} ({other:?})")),
    }
}

/// A 33-byte compressed key as payjoin's `HpkePublicKey::from_compressed_bytes` reads it.
fn compressed_key(field: &str, args: &Args) -> Result<HpkePublicKey, OpError> {
    HpkePublicKey::from_compressed_bytes(&arg_bytes(args, field)?)
        .map_err(|e| OpError::new("InvalidKey", format!("{field}: payjoin rejects it: {e}")))
}

/// A 32-byte secret as payjoin's own `HpkeSecretKey` deserializer reads it (its only constructor
/// from bytes; the field is private): serde bytes, then bitcoin-hpke's `PrivateKey::from_bytes`.
fn crate_secret_key(field: &str, args: &Args) -> Result<HpkeSecretKey, OpError> {
    let bytes = arg_bytes(args, field)?;
    // Judged by bitcoin-hpke first, for the same InvalidKey message as the raw HPKE ops.
    secret_key(field, &bytes)?;
    serde_json::from_value::<HpkeSecretKey>(json!(bytes))
        .map_err(|e| OpError::new("InvalidKey", format!("{field}: payjoin rejects it: {e}")))
}

pub fn msg_a_seal(args: &Args) -> Answer {
    seal_with_optional_sk_e(args, || {
        let receiver_pk = compressed_key("receiver_pk", args)?;
        let reply_pk = compressed_key("reply_pk", args)?;
        let body = arg_bytes(args, "body")?;
        let msg = payjoin::hpke::encrypt_message_a(body, &reply_pk, &receiver_pk).map_err(msg_err)?;
        Ok(json!({"msg": hex(msg)}))
    })
}

pub fn msg_a_open(args: &Args) -> Result<Value, OpError> {
    let receiver_sk = crate_secret_key("receiver_sk", args)?;
    let msg = arg_bytes(args, "msg")?;
    // payjoin 1.0.0 slices the plaintext without a length check (`plaintext[..33]`): a short
    // authentic plaintext panics there, which main.rs reports as InternalError. 1.1.0 checks it.
    let (body, reply_pk) = payjoin::hpke::decrypt_message_a(&msg, &receiver_sk).map_err(msg_err)?;
    Ok(json!({"reply_pk": hex(reply_pk.to_compressed_bytes()), "plaintext": hex(body)}))
}

pub fn msg_b_seal(args: &Args) -> Answer {
    seal_with_optional_sk_e(args, || {
        let receiver_sk = crate_secret_key("receiver_sk", args)?;
        let reply_pk = compressed_key("reply_pk", args)?;
        let body = arg_bytes(args, "body")?;
        let keypair = HpkeKeyPair::from_secret_key(&receiver_sk);
        let msg = payjoin::hpke::encrypt_message_b(body, &keypair, &reply_pk).map_err(msg_err)?;
        Ok(json!({"msg": hex(msg)}))
    })
}

pub fn msg_b_open(args: &Args) -> Result<Value, OpError> {
    let reply_sk = crate_secret_key("reply_sk", args)?;
    let receiver_pk = compressed_key("receiver_pk", args)?;
    let msg = arg_bytes(args, "msg")?;
    let plaintext = payjoin::hpke::decrypt_message_b(&msg, receiver_pk, &reply_sk).map_err(msg_err)?;
    Ok(json!({"plaintext": hex(plaintext)}))
}
