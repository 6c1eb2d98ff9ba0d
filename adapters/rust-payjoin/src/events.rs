//! Session events and replay, through payjoin's own serde types, `replay_event_log`
//! and an in-memory `SessionPersister`.
//!
//! Time cannot be injected into payjoin 1.0.0 (`Time::now()` reads `SystemTime`), so `replay`'s
//! optional `now` is ignored (the result says so in `now_ignored`), and randomness (`seed`) cannot
//! be injected either.

use std::cell::{Cell, RefCell};
use std::time::{SystemTime, UNIX_EPOCH};

use payjoin::bitcoin::consensus::encode::serialize_hex;
use payjoin::persist::SessionPersister;
use payjoin::receive::v2 as recv;
use payjoin::send::v2 as send;
use payjoin::PjParam;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use crate::args::{arg_str, opt_value, Args, OpError};

/// An append-only in-memory event log, preloaded or empty.
pub struct MemPersister<E> {
    pub events: RefCell<Vec<E>>,
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

pub fn role(args: &Args) -> Result<&str, OpError> {
    match arg_str(args, "role")? {
        r @ ("receiver" | "sender") => Ok(r),
        other => Err(OpError::invalid_arg("role", &format!("{other:?} is not receiver or sender"))),
    }
}

pub fn decode_event<E: DeserializeOwned>(text: &str) -> Result<E, OpError> {
    serde_json::from_str(text).map_err(|e| OpError::new("DecodeError", format!("serde_json: {e}")))
}

pub fn encode_event<E: Serialize>(event: &E) -> Result<String, OpError> {
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

pub fn event_texts(args: &Args) -> Result<Vec<String>, OpError> {
    match opt_value(args, "events") {
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_string).ok_or_else(|| OpError::invalid_arg("events", "each event is a JSON text string")))
            .collect(),
        Some(_) => Err(OpError::invalid_arg("events", "not a list")),
        None => Err(OpError::invalid_arg("events", "missing")),
    }
}

pub fn now_secs() -> u64 { SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0) }

/// The expiry of a v2 pj parameter, read from its serde form (the getter is `pub(crate)`).
fn expiration_of(pj: &impl Serialize) -> Option<u64> {
    serde_json::to_value(pj).ok()?.get("expiration")?.as_u64()
}

pub fn receive_state_name(s: &recv::ReceiveSession) -> &'static str {
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

pub fn send_state_name(s: &send::SendSession) -> &'static str {
    use send::SendSession::*;
    match s {
        WithReplyKey(_) => "WithReplyKey",
        PollingForProposal(_) => "PollingForProposal",
        PendingFallback(_) => "PendingFallback",
        Closed(_) => "Closed",
    }
}

/// Map payjoin's `ReplayError` (its variants are private; `Display` names them).
pub fn replay_error<S: std::fmt::Debug, E: std::fmt::Debug>(
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

