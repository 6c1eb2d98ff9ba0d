//! Protocol argument helpers and the error type every op returns.

use serde_json::{Map, Value};

/// A protocol error: `{"kind", "message", "reason"?, ...extra}`.
#[derive(Debug)]
pub struct OpError {
    pub kind: String,
    pub message: String,
    pub reason: Option<String>,
    pub extra: Vec<(String, Value)>,
}

impl OpError {
    pub fn new(kind: &str, message: impl Into<String>) -> Self {
        OpError { kind: kind.to_string(), message: message.into(), reason: None, extra: Vec::new() }
    }

    pub fn with_reason(kind: &str, reason: &str, message: impl Into<String>) -> Self {
        OpError { reason: Some(reason.to_string()), ..OpError::new(kind, message) }
    }

    pub fn invalid_arg(field: &str, why: &str) -> Self {
        OpError::new("InvalidArgument", format!("argument {field:?}: {why}"))
    }

    pub fn extra(mut self, key: &str, value: Value) -> Self {
        self.extra.push((key.to_string(), value));
        self
    }
}

pub type Args = Map<String, Value>;

pub fn opt_value<'a>(args: &'a Args, field: &str) -> Option<&'a Value> {
    match args.get(field) {
        None | Some(Value::Null) => None,
        Some(v) => Some(v),
    }
}

pub fn arg_str<'a>(args: &'a Args, field: &str) -> Result<&'a str, OpError> {
    match opt_value(args, field) {
        None => Err(OpError::invalid_arg(field, "missing")),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(OpError::invalid_arg(field, "not a string")),
    }
}

pub fn opt_str<'a>(args: &'a Args, field: &str) -> Result<Option<&'a str>, OpError> {
    match opt_value(args, field) {
        None => Ok(None),
        Some(_) => arg_str(args, field).map(Some),
    }
}

pub fn arg_u64(args: &Args, field: &str) -> Result<u64, OpError> {
    match opt_value(args, field) {
        None => Err(OpError::invalid_arg(field, "missing")),
        Some(v) => v.as_u64().ok_or_else(|| OpError::invalid_arg(field, "not a non-negative integer")),
    }
}

pub fn opt_u64(args: &Args, field: &str) -> Result<Option<u64>, OpError> {
    match opt_value(args, field) {
        None => Ok(None),
        Some(_) => arg_u64(args, field).map(Some),
    }
}

/// Decode lowercase hex (the protocol's only byte encoding).
pub fn decode_hex(field: &str, text: &str) -> Result<Vec<u8>, OpError> {
    if text.len() % 2 != 0 {
        return Err(OpError::invalid_arg(field, "odd-length hex"));
    }
    let digit = |c: u8| -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        }
    };
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len() / 2);
    for pair in bytes.chunks(2) {
        match (digit(pair[0]), digit(pair[1])) {
            (Some(h), Some(l)) => out.push(h << 4 | l),
            _ => return Err(OpError::invalid_arg(field, "not lowercase hex")),
        }
    }
    Ok(out)
}

pub fn arg_bytes(args: &Args, field: &str) -> Result<Vec<u8>, OpError> {
    decode_hex(field, arg_str(args, field)?)
}

pub fn opt_bytes(args: &Args, field: &str) -> Result<Option<Vec<u8>>, OpError> {
    match opt_str(args, field)? {
        None => Ok(None),
        Some(s) => decode_hex(field, s).map(Some),
    }
}

/// A fixed-size non-key argument: the wrong length is `InvalidArgument`.
pub fn arg_array<const N: usize>(args: &Args, field: &str) -> Result<[u8; N], OpError> {
    let bytes = arg_bytes(args, field)?;
    bytes
        .as_slice()
        .try_into()
        .map_err(|_| OpError::invalid_arg(field, &format!("must be {N} bytes, got {}", bytes.len())))
}

pub fn hex(bytes: impl AsRef<[u8]>) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let bytes = bytes.as_ref();
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}
