//! Oracle ops for pjconf's Bitcoin data layer: rust-bitcoin 0.32's own serde JSON of a `Psbt`.
//!
//! payjoin 1.0's session events embed PSBTs through rust-bitcoin's serde derive, so the Python
//! reference's JSON codec must match this crate byte for byte. These two ops expose exactly that
//! codec and nothing of payjoin itself.

use std::str::FromStr;

use bitcoin::Psbt;
use serde_json::{json, Value};

use crate::args::{arg_str, Args, OpError};

/// `psbt` (base64) -> `json`: `serde_json::to_string` of the parsed `Psbt`.
pub fn to_json(args: &Args) -> Result<Value, OpError> {
    let text = arg_str(args, "psbt")?;
    let psbt = Psbt::from_str(text)
        .map_err(|e| OpError::invalid_arg("psbt", &format!("not a PSBT: {e}")))?;
    let out = serde_json::to_string(&psbt)
        .map_err(|e| OpError::new("InternalError", format!("serde_json: {e}")))?;
    Ok(json!({"json": out}))
}

/// `json` (text) -> `psbt` (base64): serde_json's decode of a `Psbt`, then BIP 174 binary.
pub fn from_json(args: &Args) -> Result<Value, OpError> {
    let text = arg_str(args, "json")?;
    let psbt: Psbt = serde_json::from_str(text)
        .map_err(|e| OpError::new("DecodeError", format!("serde_json: {e}")))?;
    Ok(json!({"psbt": psbt.to_string()}))
}
