//! Session events, replay and live sessions, through payjoin's own serde types, `replay_event_log`
//! and an in-memory `SessionPersister`.
//!
//! Time cannot be injected into payjoin 1.0.0 (`Time::now()` reads `SystemTime`), so `replay`'s
//! optional `now` is ignored (the result says so in `now_ignored`), and randomness (`seed`) cannot
//! be injected either.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use payjoin::bitcoin::consensus::encode::serialize_hex;
use payjoin::bitcoin::{Address, Amount, FeeRate, Psbt};
use payjoin::persist::SessionPersister;
use payjoin::receive::v2 as recv;
use payjoin::send::v2 as send;
use payjoin::{OhttpKeys, PjParam, Uri};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use crate::args::{arg_bytes, arg_str, arg_u64, opt_u64, opt_value, Args, OpError};

/// An append-only in-memory event log, preloaded or empty.
pub struct MemPersister<E> {
    events: RefCell<Vec<E>>,
    closed: Cell<bool>,
}

impl<E> MemPersister<E> {
    pub fn new(events: Vec<E>) -> Self { MemPersister { events: RefCell::new(events), closed: Cell::new(false) } }
    pub fn closed(&self) -> bool { self.closed.get() }
}

#[derive(Debug)]
pub struct ClosedLog;

impl std::fmt::Display for ClosedLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { write!(f, "the session log is closed") }
}

impl std::error::Error for ClosedLog {}

impl<E: Clone + 'static> SessionPersister for MemPersister<E> {
    type InternalStorageError = ClosedLog;
    type SessionEvent = E;

    fn save_event(&self, event: E) -> Result<(), ClosedLog> {
        if self.closed.get() {
            return Err(ClosedLog);
        }
        self.events.borrow_mut().push(event);
        Ok(())
    }

    fn load(&self) -> Result<Box<dyn Iterator<Item = E>>, ClosedLog> {
        Ok(Box::new(self.events.borrow().clone().into_iter()))
    }

    fn close(&self) -> Result<(), ClosedLog> {
        self.closed.set(true);
        Ok(())
    }
}

fn role(args: &Args) -> Result<&str, OpError> {
    match arg_str(args, "role")? {
        r @ ("receiver" | "sender") => Ok(r),
        other => Err(OpError::invalid_arg("role", &format!("{other:?} is not receiver or sender"))),
    }
}

fn decode_event<E: DeserializeOwned>(text: &str) -> Result<E, OpError> {
    serde_json::from_str(text).map_err(|e| OpError::new("DecodeError", format!("serde_json: {e}")))
}

fn encode_event<E: Serialize>(event: &E) -> Result<String, OpError> {
    serde_json::to_string(event).map_err(|e| OpError::new("InternalError", format!("serde_json: {e}")))
}

pub fn roundtrip(args: &Args) -> Result<Value, OpError> {
    let text = arg_str(args, "event")?;
    let out = if role(args)? == "receiver" {
        encode_event(&decode_event::<recv::SessionEvent>(text)?)?
    } else {
        encode_event(&decode_event::<send::SessionEvent>(text)?)?
    };
    Ok(json!({"event": out}))
}

fn event_texts(args: &Args) -> Result<Vec<String>, OpError> {
    match opt_value(args, "events") {
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_string).ok_or_else(|| OpError::invalid_arg("events", "each event is a JSON text string")))
            .collect(),
        Some(_) => Err(OpError::invalid_arg("events", "not a list")),
        None => Err(OpError::invalid_arg("events", "missing")),
    }
}

fn now_secs() -> u64 { SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0) }

/// The expiry of a v2 pj parameter, read from its serde form (the getter is `pub(crate)`).
fn expiration_of(pj: &impl Serialize) -> Option<u64> {
    serde_json::to_value(pj).ok()?.get("expiration")?.as_u64()
}

fn receive_state_name(s: &recv::ReceiveSession) -> &'static str {
    use recv::ReceiveSession::*;
    match s {
        Initialized(_) => "Initialized",
        UncheckedOriginalPayload(_) => "UncheckedOriginalPayload",
        MaybeInputsOwned(_) => "MaybeInputsOwned",
        MaybeInputsSeen(_) => "MaybeInputsSeen",
        OutputsUnknown(_) => "OutputsUnknown",
        WantsOutputs(_) => "WantsOutputs",
        WantsInputs(_) => "WantsInputs",
        WantsFeeRange(_) => "WantsFeeRange",
        ProvisionalProposal(_) => "ProvisionalProposal",
        PayjoinProposal(_) => "PayjoinProposal",
        HasReplyableError(_) => "HasReplyableError",
        Monitor(_) => "Monitor",
        PendingFallback(_) => "PendingFallback",
        Closed(_) => "Closed",
    }
}

fn send_state_name(s: &send::SendSession) -> &'static str {
    use send::SendSession::*;
    match s {
        WithReplyKey(_) => "WithReplyKey",
        PollingForProposal(_) => "PollingForProposal",
        PendingFallback(_) => "PendingFallback",
        Closed(_) => "Closed",
    }
}

/// Map payjoin's `ReplayError` (its variants are private; `Display` names them).
fn replay_error<S: std::fmt::Debug, E: std::fmt::Debug>(
    e: &payjoin::error::ReplayError<S, E>,
    closed: bool,
) -> OpError {
    let text = e.to_string();
    let kind = if e.is_expired() {
        "Expired"
    } else if text.starts_with("No events") {
        "NoEvents"
    } else if text.starts_with("Invalid first event") {
        "InvalidFirstEvent"
    } else if text.starts_with("Invalid event payload") {
        "InvalidEventPayload"
    } else if text.starts_with("Invalid event") {
        "InvalidEvent"
    } else {
        "InternalError"
    };
    let fallback = e.expiry_fallback_tx().map(serialize_hex);
    OpError::new(kind, text).extra("closed", json!(closed)).extra("fallback_tx", json!(fallback))
}

pub fn replay(args: &Args) -> Result<Value, OpError> {
    let texts = event_texts(args)?;
    let now_ignored = opt_value(args, "now").is_some();
    if role(args)? == "receiver" {
        let events = texts.iter().map(|t| decode_event::<recv::SessionEvent>(t)).collect::<Result<Vec<_>, _>>()?;
        let persister = MemPersister::new(events);
        let (session, history) =
            recv::replay_event_log(&persister).map_err(|e| replay_error(&e, persister.closed()))?;
        let expiration = match history.pj_uri().extras().pj_param() {
            PjParam::V2(p) => expiration_of(p),
            #[allow(unreachable_patterns)]
            _ => None,
        };
        Ok(json!({
            "state": receive_state_name(&session),
            "status": format!("{:?}", history.status()),
            "closed": persister.closed(),
            "fallback_tx": history.fallback_tx().map(|tx| serialize_hex(&tx)),
            "expired": expiration.map(|t| t <= now_secs()),
            "now_ignored": now_ignored,
        }))
    } else {
        let events = texts.iter().map(|t| decode_event::<send::SessionEvent>(t)).collect::<Result<Vec<_>, _>>()?;
        let persister = MemPersister::new(events);
        let (session, history) =
            send::replay_event_log(&persister).map_err(|e| replay_error(&e, persister.closed()))?;
        Ok(json!({
            "state": send_state_name(&session),
            "status": format!("{:?}", history.status()),
            "closed": persister.closed(),
            "fallback_tx": serialize_hex(&history.fallback_tx()),
            "expired": expiration_of(history.pj_param()).map(|t| t <= now_secs()),
            "now_ignored": now_ignored,
        }))
    }
}

// ---- live sessions ---------------------------------------------------------------------------

pub enum Session {
    Receiver { persister: MemPersister<recv::SessionEvent>, state: &'static str },
    Sender { persister: MemPersister<send::SessionEvent>, state: &'static str },
}

#[derive(Default)]
pub struct Sessions {
    next: u64,
    map: HashMap<String, Session>,
}

impl Sessions {
    fn insert(&mut self, prefix: &str, session: Session) -> String {
        self.next += 1;
        let handle = format!("{prefix}-{}", self.next);
        self.map.insert(handle.clone(), session);
        handle
    }
}

fn texts_of<E: Serialize>(events: &[E]) -> Result<Vec<String>, OpError> { events.iter().map(encode_event).collect() }

fn storage_err(e: impl std::fmt::Display) -> OpError { OpError::new("InternalError", format!("persister: {e}")) }

pub fn new_receiver(sessions: &mut Sessions, args: &Args) -> Result<Value, OpError> {
    let address = Address::from_str(arg_str(args, "address")?)
        .map_err(|e| OpError::invalid_arg("address", &e.to_string()))?
        .assume_checked();
    let directory = arg_str(args, "directory")?;
    let ohttp_keys = OhttpKeys::decode(&arg_bytes(args, "ohttp_keys")?)
        .map_err(|e| OpError::invalid_arg("ohttp_keys", &e.to_string()))?;
    let mut builder = recv::ReceiverBuilder::new(address, directory, ohttp_keys)
        .map_err(|e| OpError::invalid_arg("directory", &format!("{e}")))?;
    if let Some(expiration) = opt_u64(args, "expiration")? {
        // payjoin takes a Duration from now; the protocol gives absolute Unix seconds.
        builder = builder.with_expiration(Duration::from_secs(expiration.saturating_sub(now_secs())));
    }
    if let Some(amount) = opt_u64(args, "amount")? {
        builder = builder.with_amount(Amount::from_sat(amount));
    }
    if let Some(rate) = opt_u64(args, "max_fee_rate")? {
        builder = builder.with_max_fee_rate(FeeRate::from_sat_per_kwu(rate));
    }
    let persister = MemPersister::new(Vec::new());
    let receiver = builder.build().save(&persister).map_err(storage_err)?;
    let pj_uri = receiver.pj_uri().to_string();
    let appended = texts_of(&persister.events.borrow())?;
    let handle = sessions.insert("receiver", Session::Receiver { persister, state: "Initialized" });
    Ok(json!({
        "handle": handle,
        "state": "Initialized",
        "appended": appended,
        "pj_uri": pj_uri,
        "seed_ignored": opt_value(args, "seed").is_some(),
    }))
}

pub fn new_sender(sessions: &mut Sessions, args: &Args) -> Result<Value, OpError> {
    let psbt = Psbt::from_str(arg_str(args, "psbt")?).map_err(|e| OpError::invalid_arg("psbt", &e.to_string()))?;
    let uri_text = arg_str(args, "pj_uri")?;
    let uri = Uri::try_from(uri_text)
        .map_err(|e| OpError::new("ParseError", format!("pj_uri: {e}")))?
        .assume_checked()
        .check_pj_supported()
        .map_err(|_| OpError::with_reason("ParseError", "PjNotSupported", "pj_uri has no pj parameter"))?;
    let min_fee_rate = FeeRate::from_sat_per_kwu(arg_u64(args, "min_fee_rate")?);
    // Note: SenderBuilder::new panics (unimplemented!) on a BIP 78 pj parameter when payjoin's
    // v1 feature is on; catch_unwind in main turns that into InternalError.
    let builder = send::SenderBuilder::new(psbt, uri);
    let transition = match opt_value(args, "fee_contribution") {
        Some(Value::Object(fc)) => {
            let max_amount = arg_u64(fc, "max_amount")?;
            let change_vout = opt_u64(fc, "change_vout")?.map(|v| v as usize);
            builder.build_with_additional_fee(Amount::from_sat(max_amount), change_vout, min_fee_rate, false)
        }
        Some(_) => return Err(OpError::invalid_arg("fee_contribution", "not an object")),
        None => builder.build_recommended(min_fee_rate),
    }
    .map_err(|e| OpError::new("BuildSenderError", format!("{e}")))?;
    let persister = MemPersister::new(Vec::new());
    transition.save(&persister).map_err(storage_err)?;
    let appended = texts_of(&persister.events.borrow())?;
    let handle = sessions.insert("sender", Session::Sender { persister, state: "WithReplyKey" });
    Ok(json!({
        "handle": handle,
        "state": "WithReplyKey",
        "appended": appended,
        "seed_ignored": opt_value(args, "seed").is_some(),
    }))
}

fn handle_arg(args: &Args) -> Result<String, OpError> {
    match opt_value(args, "handle") {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        _ => Err(OpError::invalid_arg("handle", "missing")),
    }
}

pub fn session_events(sessions: &Sessions, args: &Args) -> Result<Value, OpError> {
    let handle = handle_arg(args)?;
    match sessions.map.get(&handle) {
        Some(Session::Receiver { persister, state }) => Ok(json!({
            "events": texts_of(&persister.events.borrow())?,
            "closed": persister.closed(),
            "state": state,
        })),
        Some(Session::Sender { persister, state }) => Ok(json!({
            "events": texts_of(&persister.events.borrow())?,
            "closed": persister.closed(),
            "state": state,
        })),
        None => Err(OpError::invalid_arg("handle", &format!("no session {handle:?}"))),
    }
}

pub fn session_drop(sessions: &mut Sessions, args: &Args) -> Result<Value, OpError> {
    let handle = handle_arg(args)?;
    sessions.map.remove(&handle);
    Ok(json!({}))
}
