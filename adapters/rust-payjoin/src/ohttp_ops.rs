//! OHTTP key configurations, OHTTP encapsulation (bitcoin-ohttp 0.6) and BHTTP (bhttp 0.6).
//!
//! `ohttp.request.seal` follows payjoin-1.0.0/src/core/ohttp.rs `ohttp_encapsulate`: the BHTTP
//! message is written at the front of an 8104-byte buffer (payjoin fills the rest with OsRng
//! bytes; `pad: "zero"` leaves zeros), then `ClientRequest::from_config(..).encapsulate(..)`.
//! The resulting `ohttp::ClientResponse` is kept in a table; its handle is the protocol's
//! opaque `context`.

use std::collections::HashMap;
use std::io::Cursor;

use hpke::rand_core::{OsRng, RngCore};
use payjoin::OhttpKeys;
use serde_json::{json, Value};

use crate::args::{arg_bytes, arg_str, hex, opt_bytes, opt_str, Args, OpError};
use crate::Answer;

/// payjoin::directory::ENCAPSULATED_MESSAGE_BYTES
const ENCAPSULATED_MESSAGE_BYTES: usize = 8192;
/// payjoin-1.0.0 ohttp.rs PADDED_BHTTP_REQ_BYTES: 8192 - (65 + 16 + 7)
const PADDED_BHTTP_REQ_BYTES: usize = ENCAPSULATED_MESSAGE_BYTES - (65 + 16 + 7);

#[derive(Default)]
pub struct Contexts {
    next: u64,
    clients: HashMap<String, ohttp::ClientResponse>,
    /// Handles whose single-use `ClientResponse` was consumed by `decapsulate`.
    used: std::collections::HashSet<String>,
    /// Gateway-side response contexts from `ohttp.request.open` (single use).
    servers: HashMap<String, ohttp::ServerResponse>,
}

fn ohttp_error_kind(e: &ohttp::Error) -> (&'static str, Option<&'static str>) {
    use ohttp::Error::*;
    match e {
        Unsupported | InvalidKem => ("UnsupportedSuite", None),
        Truncated => ("ParseError", Some("Truncated")),
        Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => ("ParseError", Some("Truncated")),
        Format => ("ParseError", Some("Format")),
        KeyId => ("UnknownKeyId", None),
        Hpke(hpke::HpkeError::ValidationError) => ("ParseError", Some("InvalidPublicKey")),
        Hpke(_) | Aead(_) => ("OpenError", None),
        _ => ("ParseError", None),
    }
}

fn ohttp_op_error(context: &str, e: &ohttp::Error) -> OpError {
    let (kind, reason) = ohttp_error_kind(e);
    let mut err = OpError::new(kind, format!("{context}: {e} ({e:?})"));
    err.reason = reason.map(str::to_string);
    err
}

/// `OhttpKeys::decode` (= `ohttp::KeyConfig::decode`), reported from its own re-encoding.
pub fn keys_decode(args: &Args) -> Result<Value, OpError> {
    let bytes = arg_bytes(args, "bytes")?;
    let keys = OhttpKeys::decode(&bytes).map_err(|e| {
        let inner = match &e {
            payjoin::OhttpKeysError::Decode(b) => b.downcast_ref::<ohttp::Error>(),
            _ => None,
        };
        match inner {
            Some(oe) => ohttp_op_error("OhttpKeys::decode", oe),
            None => OpError::new("ParseError", format!("OhttpKeys::decode: {e}")),
        }
    })?;
    let enc = keys
        .encode()
        .map_err(|e| OpError::new("InternalError", format!("OhttpKeys::encode: {e}")))?;
    // key_id(1) kem(2) pk(65) suites_len(2) suites(4 each)
    if enc.len() < 70 {
        return Err(OpError::new("InternalError", format!("re-encoded config is {} bytes", enc.len())));
    }
    let kem_id = u16::from_be_bytes([enc[1], enc[2]]);
    let suites: Vec<Value> = enc[70..]
        .chunks(4)
        .filter(|c| c.len() == 4)
        .map(|c| json!([u16::from_be_bytes([c[0], c[1]]), u16::from_be_bytes([c[2], c[3]])]))
        .collect();
    Ok(json!({
        "key_id": enc[0],
        "kem_id": kem_id,
        "pk": hex(&enc[3..68]),
        "suites": suites,
        "encoded": hex(&enc),
    }))
}

pub fn request_seal(ctxs: &mut Contexts, args: &Args) -> Answer {
    let run = || -> Result<(Vec<u8>, ohttp::ClientResponse), OpError> {
        let key_config = arg_bytes(args, "key_config")?;
        let bhttp = arg_bytes(args, "bhttp")?;
        let zero_pad = match opt_str(args, "pad")? {
            None | Some("random") => false,
            Some("zero") => true,
            Some(other) => return Err(OpError::invalid_arg("pad", &format!("{other:?} is not zero or random"))),
        };
        if let Some(sk_e) = opt_bytes(args, "sk_e")? {
            // Only judged, never used (see below).
            crate_secret_key_check(&sk_e)?;
        }
        let mut config =
            ohttp::KeyConfig::decode(&key_config).map_err(|e| ohttp_op_error("KeyConfig::decode", &e))?;
        let client =
            ohttp::ClientRequest::from_config(&mut config).map_err(|e| ohttp_op_error("ClientRequest", &e))?;
        let mut padded = [0u8; PADDED_BHTTP_REQ_BYTES];
        if !zero_pad {
            OsRng.fill_bytes(&mut padded);
        }
        if bhttp.len() > PADDED_BHTTP_REQ_BYTES {
            return Err(OpError::new(
                "PayloadTooLarge",
                format!("BHTTP message of {} bytes does not fit {PADDED_BHTTP_REQ_BYTES}", bhttp.len()),
            ));
        }
        padded[..bhttp.len()].copy_from_slice(&bhttp);
        let (encapsulated, response) =
            client.encapsulate(&padded).map_err(|e| ohttp_op_error("encapsulate", &e))?;
        let mut buffer = vec![0u8; ENCAPSULATED_MESSAGE_BYTES];
        let len = encapsulated.len().min(ENCAPSULATED_MESSAGE_BYTES);
        buffer[..len].copy_from_slice(&encapsulated[..len]);
        Ok((buffer, response))
    };
    match run() {
        Err(e) => Answer::Error(e),
        Ok(_) if opt_value_present(args, "sk_e") => Answer::Unimplemented(
            "bitcoin-ohttp 0.6 draws the HPKE ephemeral itself (ClientRequest::from_config); \
             a fixed sk_e cannot be injected"
                .into(),
        ),
        Ok((request, response)) => {
            ctxs.next += 1;
            let handle = format!("rust-payjoin-ohttp-client-{}", ctxs.next);
            ctxs.clients.insert(handle.clone(), response);
            Answer::Result(json!({"request": hex(request), "context": handle}))
        }
    }
}

fn opt_value_present(args: &Args, field: &str) -> bool { crate::args::opt_value(args, field).is_some() }

fn crate_secret_key_check(sk: &[u8]) -> Result<(), OpError> {
    use hpke::Deserializable;
    <hpke::kem::SecpK256HkdfSha256 as hpke::Kem>::PrivateKey::from_bytes(sk)
        .map(|_| ())
        .map_err(|e| OpError::new("InvalidKey", format!("sk_e: {e:?}")))
}

/// `ClientResponse::decapsulate` on a context this adapter issued, after payjoin's size check
/// (`process_ohttp_res`: a response that is not exactly 8192 bytes is `InvalidSize`).
pub fn response_open(ctxs: &mut Contexts, args: &Args) -> Answer {
    let handle = match arg_str(args, "context") {
        Ok(h) => h,
        Err(e) => return Answer::Error(e),
    };
    let response = match arg_bytes(args, "response") {
        Ok(r) => r,
        Err(e) => return Answer::Error(e),
    };
    if ctxs.used.contains(handle) {
        return Answer::Error(OpError::invalid_arg(
            "context",
            "already used: bitcoin-ohttp's ClientResponse::decapsulate consumes the context",
        ));
    }
    let Some(client) = ctxs.clients.remove(handle) else {
        return Answer::Unimplemented(
            "contexts are opaque bitcoin-ohttp ClientResponse handles issued by ohttp.request.seal; \
             a serialized exchange context cannot be loaded into bitcoin-ohttp"
                .into(),
        );
    };
    if response.len() != ENCAPSULATED_MESSAGE_BYTES {
        // payjoin checks the size before it consumes the context; keep the handle usable.
        ctxs.clients.insert(handle.to_string(), client);
        return Answer::Error(OpError::new(
            "InvalidSize",
            format!("Unexpected response size {}, expected {ENCAPSULATED_MESSAGE_BYTES} bytes", response.len()),
        ));
    }
    ctxs.used.insert(handle.to_string());
    match client.decapsulate(&response) {
        Ok(bhttp) => Answer::Result(json!({"bhttp": hex(bhttp)})),
        Err(e) => {
            let mut err = ohttp_op_error("ClientResponse::decapsulate", &e);
            if err.kind == "ParseError" || err.kind == "UnsupportedSuite" {
                err.kind = "OpenError".into();
                err.reason = None;
            }
            Answer::Error(err)
        }
    }
}

/// payjoin-mailroom pads a BHTTP response to 8192 - (32 + 16) before encapsulating it.
const PADDED_BHTTP_RES_BYTES: usize = ENCAPSULATED_MESSAGE_BYTES - (32 + 16);

/// The gateway side, as payjoin-mailroom builds it: `KeyConfig::derive(key_id, K256Sha256,
/// [HKDF-SHA256/ChaCha20-Poly1305], ikm)` then `Server::new(..).decapsulate(request)`. bitcoin-ohttp
/// 0.6 cannot load a raw secret key, so only `gateway_ikm` is supported.
pub fn request_open(ctxs: &mut Contexts, args: &Args) -> Answer {
    if crate::args::opt_value(args, "gateway_ikm").is_none() {
        return Answer::Unimplemented(
            "bitcoin-ohttp 0.6 builds a gateway (ohttp::Server) only from KeyConfig::new (random key) \
             or KeyConfig::derive (from IKM); a raw gateway_sk cannot be loaded (pass gateway_ikm)"
                .into(),
        );
    }
    let run = || -> Result<(Vec<u8>, ohttp::ServerResponse), OpError> {
        let ikm = crate::args::arg_array::<32>(args, "gateway_ikm")?;
        let key_config = arg_bytes(args, "key_config")?;
        let request = arg_bytes(args, "request")?;
        let given =
            ohttp::KeyConfig::decode(&key_config).map_err(|e| ohttp_op_error("KeyConfig::decode", &e))?;
        let given_enc = given.encode().map_err(|e| ohttp_op_error("KeyConfig::encode", &e))?;
        // key_id(1) kem(2) pk(65) ...
        if given_enc.len() < 68 {
            return Err(OpError::new("InternalError", "re-encoded key config too short"));
        }
        let key_id = given_enc[0];
        let suite = ohttp::SymmetricSuite::new(ohttp::hpke::Kdf::HkdfSha256, ohttp::hpke::Aead::ChaCha20Poly1305);
        let derived = ohttp::KeyConfig::derive(key_id, ohttp::hpke::Kem::K256Sha256, vec![suite], &ikm)
            .map_err(|e| OpError::new("InvalidKey", format!("KeyConfig::derive: {e}")))?;
        let derived_enc = derived.encode().map_err(|e| ohttp_op_error("KeyConfig::encode", &e))?;
        if derived_enc.get(3..68) != given_enc.get(3..68) {
            return Err(OpError::new(
                "InvalidKey",
                "the key derived from gateway_ikm is not the key_config's public key",
            ));
        }
        let server = ohttp::Server::new(derived).map_err(|e| ohttp_op_error("Server::new", &e))?;
        // header(7) + enc(65): past them, every failure is the HPKE open failing (a bad `enc`
        // point, a short or corrupt ciphertext), which the protocol calls OpenError.
        const HEADER_AND_ENC: usize = 7 + 65;
        server.decapsulate(&request).map_err(|e| {
            let mut err = ohttp_op_error("Server::decapsulate", &e);
            if err.kind == "ParseError" && request.len() >= HEADER_AND_ENC {
                err.kind = "OpenError".into();
                err.reason = None;
            }
            err
        })
    };
    match run() {
        Err(e) => Answer::Error(e),
        Ok((bhttp, response)) => {
            ctxs.next += 1;
            let handle = format!("rust-payjoin-ohttp-gateway-{}", ctxs.next);
            ctxs.servers.insert(handle.clone(), response);
            Answer::Result(json!({"bhttp": hex(bhttp), "context": handle}))
        }
    }
}

/// `ServerResponse::encapsulate` of the BHTTP response zero-padded to 8144 bytes (payjoin-mailroom).
pub fn response_seal(ctxs: &mut Contexts, args: &Args) -> Answer {
    let handle = match arg_str(args, "context") {
        Ok(h) => h.to_string(),
        Err(e) => return Answer::Error(e),
    };
    let bhttp = match arg_bytes(args, "bhttp") {
        Ok(b) => b,
        Err(e) => return Answer::Error(e),
    };
    if crate::args::opt_value(args, "response_nonce").is_some() {
        return Answer::Unimplemented(
            "bitcoin-ohttp 0.6 draws the response nonce itself (ServerResponse::new); \
             a fixed response_nonce cannot be injected"
                .into(),
        );
    }
    if ctxs.used.contains(&handle) {
        return Answer::Error(OpError::invalid_arg(
            "context",
            "already used: bitcoin-ohttp's ServerResponse::encapsulate consumes the context",
        ));
    }
    if bhttp.len() > PADDED_BHTTP_RES_BYTES {
        return Answer::Error(OpError::new(
            "PayloadTooLarge",
            format!("BHTTP response of {} bytes does not fit {PADDED_BHTTP_RES_BYTES}", bhttp.len()),
        ));
    }
    let Some(server) = ctxs.servers.remove(&handle) else {
        return Answer::Unimplemented(
            "gateway contexts are opaque bitcoin-ohttp ServerResponse handles issued by \
             ohttp.request.open; a serialized exchange context cannot be loaded into bitcoin-ohttp"
                .into(),
        );
    };
    ctxs.used.insert(handle);
    let mut padded = vec![0u8; PADDED_BHTTP_RES_BYTES];
    padded[..bhttp.len()].copy_from_slice(&bhttp);
    match server.encapsulate(&padded) {
        Ok(response) => Answer::Result(json!({"response": hex(response)})),
        Err(e) => Answer::Error(ohttp_op_error("ServerResponse::encapsulate", &e)),
    }
}

// ---- BHTTP -----------------------------------------------------------------------------------

fn text_arg(args: &Args, field: &str) -> Result<Vec<u8>, OpError> { Ok(arg_str(args, field)?.as_bytes().to_vec()) }

pub fn bhttp_encode(args: &Args) -> Result<Value, OpError> {
    let mut msg = bhttp::Message::request(
        text_arg(args, "method")?,
        text_arg(args, "scheme")?,
        text_arg(args, "authority")?,
        text_arg(args, "path")?,
    );
    for (field, trailer) in [("headers", false), ("trailers", true)] {
        let items = match crate::args::opt_value(args, field) {
            None => Vec::new(),
            Some(Value::Array(items)) => items.clone(),
            Some(_) => return Err(OpError::invalid_arg(field, "not a list")),
        };
        for h in items {
            let pair = h.as_array().filter(|p| p.len() == 2);
            let (Some(name), Some(value)) =
                (pair.and_then(|p| p[0].as_str()), pair.and_then(|p| p[1].as_str()))
            else {
                return Err(OpError::invalid_arg(field, "each field is a [name, value] pair of strings"));
            };
            if trailer {
                msg.put_trailer(name.as_bytes().to_vec(), value.as_bytes().to_vec());
            } else {
                msg.put_header(name.as_bytes().to_vec(), value.as_bytes().to_vec());
            }
        }
    }
    let body = match opt_str(args, "body")? {
        None => Vec::new(),
        Some(b) => crate::args::decode_hex("body", b)?,
    };
    if !body.is_empty() {
        msg.write_content(&body);
    }
    let mut out = Vec::new();
    msg.write_bhttp(bhttp::Mode::KnownLength, &mut out)
        .map_err(|e| OpError::new("ParseError", format!("bhttp write: {e}")))?;
    Ok(json!({"bhttp": hex(out)}))
}

fn bhttp_error(e: &bhttp::Error) -> OpError {
    use bhttp::Error::*;
    let reason = match e {
        Truncated => "Truncated",
        Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => "Truncated",
        InvalidMode => "InvalidFramingIndicator",
        ExpectedRequest | ExpectedResponse => "InvalidFramingIndicator",
        CharacterEncoding(_) => "NotUtf8",
        IntRange(_) => "IntRange",
        InvalidStatus => "InvalidStatus",
        _ => "Other",
    };
    OpError::with_reason("ParseError", reason, format!("bhttp: {e} ({e:?})"))
}

fn utf8(field: &str, bytes: &[u8]) -> Result<String, OpError> {
    String::from_utf8(bytes.to_vec())
        .map_err(|_| OpError::with_reason("ParseError", "NotUtf8", format!("{field} is not UTF-8")))
}

pub fn bhttp_decode(args: &Args) -> Result<Value, OpError> {
    let bytes = arg_bytes(args, "bhttp")?;
    let mut cursor = Cursor::new(bytes.as_slice());
    let msg = bhttp::Message::read_bhttp(&mut cursor).map_err(|e| bhttp_error(&e))?;
    let bhttp::ControlData::Request { method, scheme, authority, path } = msg.control() else {
        return Err(OpError::with_reason(
            "ParseError",
            "InvalidFramingIndicator",
            "bhttp: read a response where a request was expected",
        ));
    };
    let mut headers = Vec::new();
    for f in msg.header().fields() {
        headers.push(json!([utf8("header name", f.name())?, utf8("header value", f.value())?]));
    }
    let mut trailers = Vec::new();
    for f in msg.trailer().fields() {
        trailers.push(json!([utf8("trailer name", f.name())?, utf8("trailer value", f.value())?]));
    }
    Ok(json!({
        "method": utf8("method", method)?,
        "scheme": utf8("scheme", scheme)?,
        "authority": utf8("authority", authority)?,
        "path": utf8("path", path)?,
        "headers": headers,
        "body": hex(msg.content()),
        "trailers": trailers,
    }))
}
