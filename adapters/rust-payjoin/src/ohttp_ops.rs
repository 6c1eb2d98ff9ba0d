//! OHTTP key configurations, OHTTP encapsulation and BHTTP.
//!
//! The client side is payjoin's: `OhttpKeys::decode`, `ohttp::ohttp_encapsulate` and
//! `ohttp::process_ohttp_res` (made `pub` by `versions/<VERSION>/visibility.patch`). The
//! `ohttp::ClientResponse` payjoin returns is kept in a table; its handle is the protocol's opaque
//! `context`. The gateway side (`ohttp.request.open`, `ohttp.response.seal`) is not in payjoin (it
//! is payjoin-mailroom's, over bitcoin-ohttp), nor are the `bhttp.*` codecs (the bhttp crate):
//! those call bitcoin-ohttp and bhttp, at the versions payjoin depends on, directly.

use std::collections::HashMap;
use std::io::Cursor;

use payjoin::OhttpKeys;
use serde_json::{json, Value};

use crate::args::{arg_bytes, arg_str, hex, opt_bytes, opt_str, Args, OpError};
use crate::Answer;

const ENCAPSULATED_MESSAGE_BYTES: usize = payjoin::directory::ENCAPSULATED_MESSAGE_BYTES;

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
        Hpke(_) => ("OpenError", None),
        // bitcoin-ohttp 0.7 (payjoin 1.1) made Aead a unit variant.
        #[cfg(not(feature = "payjoin_1_1"))]
        Aead(_) => ("OpenError", None),
        #[cfg(feature = "payjoin_1_1")]
        Aead => ("OpenError", None),
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
    let keys = crate_keys(&bytes)?;
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

/// `OhttpKeys::decode` as `ohttp.keys.decode` reports its errors.
fn crate_keys(bytes: &[u8]) -> Result<OhttpKeys, OpError> {
    OhttpKeys::decode(bytes).map_err(|e| {
        let inner = match &e {
            payjoin::OhttpKeysError::Decode(b) => b.downcast_ref::<ohttp::Error>(),
            _ => None,
        };
        match inner {
            Some(oe) => ohttp_op_error("OhttpKeys::decode", oe),
            None => OpError::new("ParseError", format!("OhttpKeys::decode: {e}")),
        }
    })
}

fn encapsulation_error(context: &str, e: &payjoin::ohttp::OhttpEncapsulationError) -> OpError {
    use payjoin::ohttp::OhttpEncapsulationError as E;
    match e {
        E::Ohttp(oe) => ohttp_op_error(context, oe),
        E::Bhttp(be) => bhttp_error(be),
        other => OpError::new("InternalError", format!("{context}: {other} ({other:?})")),
    }
}

/// payjoin's `ohttp::ohttp_encapsulate(keys, method, target_resource, body)`, which writes the
/// BHTTP request itself (from a parsed URL, known-length mode) at the front of an 8104-byte
/// buffer filled with OsRng bytes. The op's `bhttp` is therefore decoded into those arguments
/// first; a request payjoin cannot write (header or trailer fields, a URL its parser would
/// rewrite), zero padding and a fixed `sk_e` are `unimplemented` once every error that does not
/// depend on them has been reported.
pub fn request_seal(ctxs: &mut Contexts, args: &Args) -> Answer {
    let zero_pad = match opt_str(args, "pad") {
        Ok(None | Some("random")) => false,
        Ok(Some("zero")) => true,
        Ok(Some(other)) => {
            return Answer::Error(OpError::invalid_arg("pad", &format!("{other:?} is not zero or random")))
        }
        Err(e) => return Answer::Error(e),
    };
    let run = || -> Result<Result<_, String>, OpError> {
        let key_config = arg_bytes(args, "key_config")?;
        let bhttp = arg_bytes(args, "bhttp")?;
        if let Some(sk_e) = opt_bytes(args, "sk_e")? {
            // Only judged, never used (see below).
            crate_secret_key_check(&sk_e)?;
        }
        let keys = crate_keys(&key_config)?;
        if bhttp.len() > payjoin::ohttp::PADDED_BHTTP_REQ_BYTES {
            // payjoin's write into its fixed buffer would fail with a bhttp I/O error.
            return Err(OpError::new(
                "PayloadTooLarge",
                format!(
                    "BHTTP message of {} bytes does not fit payjoin's {} (PADDED_BHTTP_REQ_BYTES)",
                    bhttp.len(),
                    payjoin::ohttp::PADDED_BHTTP_REQ_BYTES
                ),
            ));
        }
        let msg = bhttp::Message::read_bhttp(&mut Cursor::new(bhttp.as_slice())).map_err(|e| bhttp_error(&e))?;
        let bhttp::ControlData::Request { method, scheme, authority, path } = msg.control() else {
            return Ok(Err("the bhttp is a response; payjoin only encapsulates requests".into()));
        };
        if !msg.header().fields().is_empty() || !msg.trailer().fields().is_empty() {
            return Ok(Err("payjoin's ohttp_encapsulate writes no header or trailer fields".into()));
        }
        let (method, scheme, authority, path) =
            (utf8("method", method)?, utf8("scheme", scheme)?, utf8("authority", authority)?, utf8("path", path)?);
        let target = format!("{scheme}://{authority}{path}");
        // payjoin parses the target and writes the request from the parsed URL.
        let url = payjoin::Url::parse(&target).map_err(|e| OpError::new("ParseError", format!("Url: {e}")))?;
        let parsed_authority = match url.port() {
            Some(port) => format!("{}:{port}", url.host_str()),
            None => url.host_str(),
        };
        if url.scheme() != scheme || parsed_authority != authority || url.path() != path {
            return Ok(Err(format!(
                "payjoin's ohttp_encapsulate would write {}://{parsed_authority}{} for {target:?}",
                url.scheme(),
                url.path()
            )));
        }
        let body = msg.content();
        let (request, response) = payjoin::ohttp::ohttp_encapsulate(
            &keys,
            &method,
            &target,
            if body.is_empty() { None } else { Some(body) },
        )
        .map_err(|e| encapsulation_error("payjoin::ohttp::ohttp_encapsulate", &e))?;
        Ok(Ok((request, response)))
    };
    match run() {
        Err(e) => Answer::Error(e),
        Ok(Err(why)) => Answer::Unimplemented(why),
        Ok(Ok(_)) if opt_value_present(args, "sk_e") => Answer::Unimplemented(
            "payjoin's ohttp_encapsulate (bitcoin-ohttp ClientRequest::from_config) draws the HPKE \
             ephemeral itself; a fixed sk_e cannot be injected"
                .into(),
        ),
        Ok(Ok(_)) if zero_pad => Answer::Unimplemented(
            "payjoin's ohttp_encapsulate fills the padding with OsRng bytes; zero padding cannot be asked for"
                .into(),
        ),
        Ok(Ok((request, response))) => {
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

/// payjoin's `ohttp::process_ohttp_res` (the size check, then `ohttp_decapsulate`: bitcoin-ohttp's
/// `ClientResponse::decapsulate` and the BHTTP response parsed into an `http::Response`), on a
/// context this adapter issued. The parsed response is written back as known-length BHTTP (status,
/// header fields, content): the op's `bhttp`, without payjoin's padding, which it drops.
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
            "already used: payjoin's process_ohttp_res consumes the context",
        ));
    }
    let Some(client) = ctxs.clients.remove(handle) else {
        return Answer::Unimplemented(
            "contexts are opaque bitcoin-ohttp ClientResponse handles issued by ohttp.request.seal; \
             a serialized exchange context cannot be loaded into bitcoin-ohttp"
                .into(),
        );
    };
    ctxs.used.insert(handle.to_string());
    use payjoin::ohttp::DirectoryResponseError as D;
    match payjoin::ohttp::process_ohttp_res(&response, client) {
        Ok(res) => {
            let status = match bhttp::StatusCode::try_from(res.status().as_u16()) {
                Ok(s) => s,
                Err(e) => return Answer::Error(OpError::new("InternalError", format!("status: {e}"))),
            };
            let mut msg = bhttp::Message::response(status);
            for (name, value) in res.headers() {
                msg.put_header(name.as_str().as_bytes().to_vec(), value.as_bytes().to_vec());
            }
            if !res.body().is_empty() {
                msg.write_content(res.body());
            }
            let mut out = Vec::new();
            match msg.write_bhttp(bhttp::Mode::KnownLength, &mut out) {
                Ok(()) => Answer::Result(json!({"bhttp": hex(out)})),
                Err(e) => Answer::Error(OpError::new("InternalError", format!("bhttp write: {e}"))),
            }
        }
        Err(e @ D::InvalidSize(_)) => Answer::Error(OpError::new("InvalidSize", e.to_string())),
        Err(D::OhttpDecapsulation(e)) => {
            let mut err = encapsulation_error("payjoin::ohttp::process_ohttp_res", &e);
            if err.kind == "ParseError" && matches!(e, payjoin::ohttp::OhttpEncapsulationError::Ohttp(_)) {
                err.kind = "OpenError".into();
                err.reason = None;
            }
            if matches!(e, payjoin::ohttp::OhttpEncapsulationError::Ohttp(_)) && err.kind == "UnsupportedSuite" {
                err.kind = "OpenError".into();
            }
            Answer::Error(err)
        }
        Err(other) => Answer::Error(OpError::new("InternalError", format!("process_ohttp_res: {other}"))),
    }
}

/// payjoin-mailroom pads a BHTTP response to 8192 - (32 + 16) before encapsulating it.
const PADDED_BHTTP_RES_BYTES: usize = ENCAPSULATED_MESSAGE_BYTES - (32 + 16);

/// The gateway side, as payjoin-mailroom builds it: `KeyConfig::derive(key_id, K256Sha256,
/// [HKDF-SHA256/ChaCha20-Poly1305], ikm)` then `Server::new(..).decapsulate(request)`. bitcoin-ohttp
/// (0.6 and 0.7) cannot load a raw secret key, so only `gateway_ikm` is supported.
pub fn request_open(ctxs: &mut Contexts, args: &Args) -> Answer {
    if crate::args::opt_value(args, "gateway_ikm").is_none() {
        return Answer::Unimplemented(
            "bitcoin-ohttp builds a gateway (ohttp::Server) only from KeyConfig::new (random key) \
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
            "bitcoin-ohttp draws the response nonce itself (ServerResponse::new); \
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
