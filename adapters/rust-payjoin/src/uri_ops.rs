//! `uri.parse` through `payjoin::Uri` and `short_id` through `payjoin::directory::ShortId`.
//!
//! payjoin 1.0.0's URI errors are private enums; only their `Debug` text names the variant, so
//! `reason` is read from it (see `reason_from_debug`). The v2 `PjParam` has no public getters for
//! the directory, mailbox, OHTTP keys or expiry, but it derives `Serialize`; its serde form is the
//! source of those fields here.

use payjoin::bitcoin::address::NetworkUnchecked;
use payjoin::uri::MaybePayjoinExtras;
use payjoin::{HpkePublicKey, OutputSubstitution, PjParam, Uri};
use serde_json::{json, Value};

use crate::args::{arg_bytes, arg_str, hex, Args, OpError};

/// Map the `Debug` text of payjoin's `UriParseError` to the protocol's reason names. The outer
/// variant (`Bip21` from bitcoin_uri, or `PayjoinParams` from payjoin) picks the table; within a
/// table the outermost meaningful variant is listed first.
fn reason_from_debug(debug: &str) -> &'static str {
    const BIP21: &[(&str, &str)] = &[
        ("Address(", "InvalidAddress"),
        ("Amount(", "InvalidAmount"),
        ("UnknownRequiredParameter", "UnknownRequiredParam"),
        ("PercentDecode", "InvalidPercentEncoding"),
        ("MissingEquals", "MissingEquals"),
        ("InvalidScheme", "InvalidScheme"),
        ("TooShort", "InvalidScheme"),
    ];
    const PJ: &[(&str, &str)] = &[
        ("IntoUrl(", "InvalidUrl"),
        ("BadPjOs", "InvalidPjos"),
        ("DuplicateParams", "DuplicateParam"),
        ("MissingEndpoint", "MissingEndpoint"),
        ("NotUtf8", "NotUtf8"),
        ("UnsecureEndpoint", "UnsecureEndpoint"),
        ("LowercaseFragment", "LowercaseFragment"),
        ("InvalidChar", "InvalidFragmentChar"),
        ("AmbiguousDelimiter", "AmbiguousDelimiter"),
        ("MissingPubkey", "MissingReceiverKey"),
        ("MissingOhttpKeys", "MissingOhttpKeys"),
        ("MissingExp", "MissingExpiration"),
        ("IncorrectLength", "IncorrectLength"),
        ("InvalidPubkey", "InvalidPublicKey"),
        ("InvalidPublicKey", "InvalidPublicKey"),
        ("InvalidOhttpKeys(Decode", "InvalidPublicKey"),
        ("InvalidExp(Convert", "InvalidExpiration"),
        // payjoin's InvalidFormat covers both a bad bech32 string and a wrong HRP.
        ("InvalidFormat", "InvalidBech32"),
        ("NotV2", "NotV2"),
    ];
    // payjoin's own URL parser (core/url.rs ParseError): name its variant, as the vectors do.
    const URL_REASONS: &[&str] = &["EmptyHost", "InvalidScheme", "InvalidFormat", "InvalidPort", "InvalidHost"];
    if debug.contains("PayjoinParams(") {
        for reason in URL_REASONS {
            if debug.contains(&format!("IntoUrl(ParseError({reason}))")) {
                return reason;
            }
        }
    }
    let table = if debug.contains("PayjoinParams(") { PJ } else { BIP21 };
    for (needle, reason) in table {
        if debug.contains(needle) {
            return reason;
        }
    }
    "Unknown"
}

fn parse_error(debug: String, display: String) -> OpError {
    let reason = reason_from_debug(&debug);
    OpError::with_reason("ParseError", reason, format!("{display} [{debug}]"))
}

fn v2_fields(p: &impl serde::Serialize) -> Result<Value, OpError> {
    let v = serde_json::to_value(p).map_err(|e| OpError::new("InternalError", format!("serialize PjParam: {e}")))?;
    let bytes_of = |key: &str| -> Result<Vec<u8>, OpError> {
        v.get(key)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|b| b.as_u64().map(|b| b as u8)).collect())
            .ok_or_else(|| OpError::new("InternalError", format!("PjParam serde form has no byte list {key:?}: {v}")))
    };
    let directory_raw = v
        .get("directory")
        .and_then(Value::as_str)
        .ok_or_else(|| OpError::new("InternalError", format!("PjParam serde form has no directory: {v}")))?;
    let directory = payjoin::Url::parse(directory_raw)
        .and_then(|u| u.join("/"))
        .map(|u| u.as_str().to_string())
        .map_err(|e| OpError::new("InternalError", format!("directory {directory_raw:?}: {e:?}")))?;
    let id: [u8; 8] = bytes_of("id")?
        .try_into()
        .map_err(|_| OpError::new("InternalError", "ShortId is not 8 bytes"))?;
    let mailbox = payjoin::directory::ShortId(id).to_string();
    let receiver_pk_full = bytes_of("receiver_pubkey")?;
    let receiver_pk = payjoin::bitcoin::secp256k1::PublicKey::from_slice(&receiver_pk_full)
        .map(|k| hex(k.serialize()))
        .map_err(|e| OpError::new("InternalError", format!("receiver key: {e}")))?;
    let ohttp_keys = hex(bytes_of("ohttp_keys")?);
    let expiration = v.get("expiration").cloned().unwrap_or(Value::Null);
    Ok(json!({
        "version": 2,
        "directory": directory,
        "mailbox": mailbox,
        "receiver_pk": receiver_pk,
        "ohttp_keys": ohttp_keys,
        "expiration": expiration,
    }))
}

pub fn uri_to_value(
    address: String,
    amount: Option<u64>,
    pj: &PjParam,
    os: OutputSubstitution,
) -> Result<Value, OpError> {
    let pj_value = match pj {
        PjParam::V2(p) => v2_fields(p)?,
        #[allow(unreachable_patterns)]
        other => json!({"version": 1, "endpoint": other.endpoint()}),
    };
    Ok(json!({
        "address": address,
        "amount": amount,
        "pj": pj_value,
        "output_substitution": os == OutputSubstitution::Enabled,
    }))
}

pub fn uri_parse(args: &Args) -> Result<Value, OpError> {
    let text = arg_str(args, "uri")?;
    let uri: Uri<NetworkUnchecked> =
        Uri::try_from(text).map_err(|e| parse_error(format!("{e:?}"), e.to_string()))?;
    let uri = uri.assume_checked();
    let extras = match uri.extras() {
        MaybePayjoinExtras::Supported(extras) => extras.clone(),
        MaybePayjoinExtras::Unsupported => {
            return Err(OpError::with_reason(
                "ParseError",
                "PjNotSupported",
                "Uri::check_pj_supported: no pj parameter (MaybePayjoinExtras::Unsupported)",
            ))
        }
    };
    uri_to_value(
        uri.address().to_string(),
        uri.amount().map(|a| a.to_sat()),
        extras.pj_param(),
        extras.output_substitution(),
    )
}

pub fn short_id(args: &Args) -> Result<Value, OpError> {
    let pk = arg_bytes(args, "pk")?;
    let key = HpkePublicKey::from_compressed_bytes(&pk)
        .map_err(|e| OpError::new("InvalidKey", format!("pk: {e}")))?;
    let id = payjoin::directory::ShortId::from(&key);
    Ok(json!({"id": hex(id.as_bytes()), "text": id.to_string()}))
}
