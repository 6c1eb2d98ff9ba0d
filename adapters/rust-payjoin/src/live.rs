//! Live sessions: payjoin 1.0 typestates held behind handles, each with its own in-memory
//! persister (`events::MemPersister`).
//!
//! Every method call goes through payjoin's public transition API and the transition's own
//! `save(&persister)`. The protocol's `outcome` is derived from two things only: what `save`
//! returned (Ok / transient error / fatal error) and what it did to the log (events appended,
//! closed or not):
//!
//! | `save` returned          | log                         | outcome     |
//! |--------------------------|-----------------------------|-------------|
//! | Ok                       | unchanged                   | `stasis`    |
//! | Ok                       | +1 event, still open        | `progress`  |
//! | Ok                       | +1 event, closed            | `terminal`  |
//! | Err, `is_transient()`    | (unchanged)                 | `transient` |
//! | Err, `is_fatal()`        | +1 event, still open        | `replyable` |
//! | Err, `is_fatal()`        | +1 event, closed            | `fatal`     |
//!
//! (payjoin 1.0: `PersistActions::NoOp` / `Save` / `SaveAndClose` behind every transition type.)

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use payjoin::bitcoin::hashes::Hash;
use payjoin::bitcoin::secp256k1::{Message, Secp256k1};
use payjoin::bitcoin::sighash::{EcdsaSighashType, SighashCache};
use payjoin::bitcoin::{
    Address, Amount, CompressedPublicKey, FeeRate, OutPoint, PrivateKey, Psbt, ScriptBuf,
    Transaction, TxOut, Txid, Witness,
};
use payjoin::persist::{OptionalTransitionOutcome, PersistedError};
use payjoin::receive::v2 as recv;
use payjoin::send::v2 as send;
use payjoin::{ImplementationError, OhttpKeys, OhttpResponse, Uri};
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::args::{arg_bytes, arg_str, arg_u64, hex, opt_u64, opt_value, Args, OpError};
use crate::events::{
    decode_event, encode_event, event_texts, now_secs, receive_state_name, replay_error, role,
    send_state_name, ClosedLog, MemPersister,
};
use crate::Answer;

use recv::ReceiveSession as RS;
use send::SendSession as SS;

pub enum Session {
    Receiver { persister: MemPersister<recv::SessionEvent>, session: Option<RS> },
    Sender { persister: MemPersister<send::SessionEvent>, session: Option<SS> },
}

impl Session {
    fn state(&self) -> &'static str {
        match self {
            Session::Receiver { session: Some(s), .. } => receive_state_name(s),
            Session::Sender { session: Some(s), .. } => send_state_name(s),
            _ => "Closed",
        }
    }
}

#[derive(Default)]
pub struct Sessions {
    next: u64,
    map: HashMap<String, Session>,
    /// OHTTP response contexts from `session.request`: context handle -> (session handle, context).
    contexts: HashMap<String, (String, OhttpResponse)>,
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

fn wrong_state(method: &str, state: &str) -> OpError {
    OpError::new("InvalidState", format!("{method} is not a method of the {state} typestate"))
}

fn handle_arg(args: &Args, field: &str) -> Result<String, OpError> {
    match opt_value(args, field) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        Some(_) => Err(OpError::invalid_arg(field, "not a string")),
        None => Err(OpError::invalid_arg(field, "missing")),
    }
}

// ---- creation, resume, events, drop -----------------------------------------------------------

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
    let handle = sessions.insert("receiver", Session::Receiver { persister, session: Some(RS::Initialized(receiver)) });
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
    // v1 feature is on; catch_unwind in main turns that into InternalError. payjoin 1.1 deprecates
    // it for that reason (use from_parts); kept so that every version runs the same constructor.
    #[allow(deprecated)]
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
    let sender = transition.save(&persister).map_err(storage_err)?;
    let appended = texts_of(&persister.events.borrow())?;
    let handle = sessions.insert("sender", Session::Sender { persister, session: Some(SS::WithReplyKey(sender)) });
    Ok(json!({
        "handle": handle,
        "state": "WithReplyKey",
        "appended": appended,
        "seed_ignored": opt_value(args, "seed").is_some(),
    }))
}

/// `replay_event_log` into a live typestate behind a new handle. A log whose replay ends in
/// `Closed` is held with a closed persister (payjoin only writes `Closed` with `SaveAndClose`).
pub fn resume(sessions: &mut Sessions, args: &Args) -> Result<Value, OpError> {
    let texts = event_texts(args)?;
    let (session, prefix) = if role(args)? == "receiver" {
        let events = texts.iter().map(|t| decode_event::<recv::SessionEvent>(t)).collect::<Result<Vec<_>, _>>()?;
        let persister = MemPersister::new(events);
        let (state, _history) =
            recv::replay_event_log(&persister).map_err(|e| replay_error(&e, persister.closed()))?;
        if matches!(state, RS::Closed(_)) {
            let _ = payjoin::persist::SessionPersister::close(&persister);
        }
        (Session::Receiver { persister, session: Some(state) }, "receiver")
    } else {
        let events = texts.iter().map(|t| decode_event::<send::SessionEvent>(t)).collect::<Result<Vec<_>, _>>()?;
        let persister = MemPersister::new(events);
        let (state, _history) =
            send::replay_event_log(&persister).map_err(|e| replay_error(&e, persister.closed()))?;
        if matches!(state, SS::Closed(_)) {
            let _ = payjoin::persist::SessionPersister::close(&persister);
        }
        (Session::Sender { persister, session: Some(state) }, "sender")
    };
    let state = session.state();
    let closed = match &session {
        Session::Receiver { persister, .. } => persister.closed(),
        Session::Sender { persister, .. } => persister.closed(),
    };
    let handle = sessions.insert(prefix, session);
    Ok(json!({"handle": handle, "state": state, "closed": closed}))
}

pub fn session_events(sessions: &Sessions, args: &Args) -> Result<Value, OpError> {
    let handle = handle_arg(args, "handle")?;
    let session = sessions.map.get(&handle).ok_or_else(|| OpError::invalid_arg("handle", &format!("no session {handle:?}")))?;
    let (events, closed) = match session {
        Session::Receiver { persister, .. } => (texts_of(&persister.events.borrow())?, persister.closed()),
        Session::Sender { persister, .. } => (texts_of(&persister.events.borrow())?, persister.closed()),
    };
    Ok(json!({"events": events, "closed": closed, "state": session.state()}))
}

pub fn session_drop(sessions: &mut Sessions, args: &Args) -> Result<Value, OpError> {
    let handle = handle_arg(args, "handle")?;
    sessions.map.remove(&handle);
    sessions.contexts.retain(|_, (owner, _)| owner != &handle);
    Ok(json!({}))
}

// ---- transition results -----------------------------------------------------------------------

/// What one transition did, before the log diff is looked at.
struct Step<S> {
    next: Option<S>,
    error: Option<(String, String)>,
    transient: bool,
    fatal: bool,
    value: Option<Value>,
}

impl<S> Step<S> {
    fn ok(next: Option<S>) -> Self { Step { next, error: None, transient: false, fatal: false, value: None } }
    fn with_value(mut self, value: Value) -> Self {
        self.value = Some(value);
        self
    }
}

/// The protocol's error `kind` for a payjoin API error (docs/adapter-protocol.md, "Error kinds
/// of live sessions"): the crate's public error type, then `::Variant` when that type is a public
/// enum. Opaque structs (`ImplementationError`, `DecapsulationError`, ...) are the type alone:
/// their variants are private to the crate. Matched explicitly, never read from `Debug` (whose
/// text is hand-written for some types, e.g. `ResponseError::WellKnown` prints "Well known").
trait ErrorKind {
    fn kind(&self) -> String;
}

impl ErrorKind for payjoin::receive::Error {
    fn kind(&self) -> String {
        match self {
            payjoin::receive::Error::Protocol(_) => "Error::Protocol",
            payjoin::receive::Error::Implementation(_) => "Error::Implementation",
            _ => "Error",
        }
        .into()
    }
}

impl ErrorKind for payjoin::receive::ProtocolError {
    fn kind(&self) -> String {
        match self {
            payjoin::receive::ProtocolError::OriginalPayload(_) => "ProtocolError::OriginalPayload",
            payjoin::receive::ProtocolError::V1(_) => "ProtocolError::V1",
            payjoin::receive::ProtocolError::V2(_) => "ProtocolError::V2",
            _ => "ProtocolError",
        }
        .into()
    }
}

impl ErrorKind for payjoin::send::ResponseError {
    fn kind(&self) -> String {
        match self {
            payjoin::send::ResponseError::WellKnown(_) => "ResponseError::WellKnown",
            payjoin::send::ResponseError::Validation(_) => "ResponseError::Validation",
            payjoin::send::ResponseError::Unrecognized { .. } => "ResponseError::Unrecognized",
            _ => "ResponseError",
        }
        .into()
    }
}

impl ErrorKind for ImplementationError {
    fn kind(&self) -> String { "ImplementationError".into() }
}

impl ErrorKind for send::DecapsulationError {
    fn kind(&self) -> String { "DecapsulationError".into() }
}

/// A `save` that can fail with payjoin's `PersistedError` (every Maybe*Transition).
fn step_persisted<N, A, ES, CS, S>(
    result: Result<N, PersistedError<A, ClosedLog, ES, CS>>,
    on_next: impl FnOnce(N) -> Option<S>,
    on_error_state: impl FnOnce(ES) -> Option<S>,
    on_current: impl FnOnce(CS) -> Option<S>,
) -> Step<S>
where
    A: std::error::Error + ErrorKind,
    ES: std::fmt::Debug,
    CS: std::fmt::Debug,
{
    match result {
        Ok(n) => Step::ok(on_next(n)),
        Err(e) => {
            if let Some(storage) = e.storage_error_ref() {
                let message = storage.to_string();
                return Step {
                    next: None,
                    error: Some(("StorageError".into(), message)),
                    transient: false,
                    fatal: true,
                    value: None,
                };
            }
            let error = e.api_error_ref().map(|a| (a.kind(), a.to_string()));
            if e.is_transient() {
                Step { next: e.transient_state().and_then(on_current), error, transient: true, fatal: false, value: None }
            } else {
                Step { next: e.fatal_state().and_then(on_error_state), error, transient: false, fatal: true, value: None }
            }
        }
    }
}

/// A `save` that can only fail in storage (NextStateTransition, TerminalTransition,
/// MaybeTerminalTransition).
fn step_plain<N, S>(result: Result<N, ClosedLog>, on_next: impl FnOnce(N) -> Option<S>) -> Step<S> {
    match result {
        Ok(n) => Step::ok(on_next(n)),
        Err(e) => Step {
            next: None,
            error: Some(("StorageError".into(), e.to_string())),
            transient: false,
            fatal: true,
            value: None,
        },
    }
}

fn optional<N, C, S>(o: OptionalTransitionOutcome<N, C>, p: impl FnOnce(N) -> Option<S>, c: impl FnOnce(C) -> Option<S>) -> Option<S> {
    match o {
        OptionalTransitionOutcome::Progress(n) => p(n),
        OptionalTransitionOutcome::Stasis(cur) => c(cur),
    }
}

fn outcome_of<S>(step: &Step<S>, grew: usize, closed_now: bool) -> &'static str {
    if step.transient {
        "transient"
    } else if step.fatal {
        if closed_now {
            "fatal"
        } else {
            "replyable"
        }
    } else if grew == 0 {
        "stasis"
    } else if closed_now {
        "terminal"
    } else {
        "progress"
    }
}

/// Run `f` on the session's typestate and report it as the protocol's `session.call` result.
fn run_step<E: Serialize + Clone + 'static, S>(
    persister: &MemPersister<E>,
    slot: &mut Option<S>,
    name: impl Fn(&S) -> &'static str,
    f: impl FnOnce(S, &MemPersister<E>) -> Result<Step<S>, (S, OpError)>,
) -> Answer {
    let Some(current) = slot.take() else {
        return Answer::Error(OpError::new("InvalidState", "the session is over (no typestate left)"));
    };
    let before = persister.events.borrow().len();
    let was_closed = persister.closed();
    let step = match f(current, persister) {
        Ok(step) => step,
        Err((back, err)) => {
            *slot = Some(back);
            return Answer::Error(err);
        }
    };
    let after = persister.events.borrow().len();
    let closed_now = persister.closed() && !was_closed;
    let outcome = outcome_of(&step, after.saturating_sub(before), closed_now);
    let appended = match texts_of(&persister.events.borrow()[before.min(after)..]) {
        Ok(t) => t,
        Err(e) => return Answer::Error(e),
    };
    let state = step.next.as_ref().map(&name).unwrap_or("Closed");
    let mut out = Map::new();
    out.insert("outcome".into(), json!(outcome));
    out.insert("appended".into(), json!(appended));
    out.insert("closed".into(), json!(persister.closed()));
    out.insert("state".into(), json!(state));
    if let Some((kind, message)) = step.error {
        out.insert("error".into(), json!({"kind": kind, "message": message}));
    }
    if let Some(v) = step.value {
        out.insert("value".into(), v);
    }
    *slot = step.next;
    Answer::Result(Value::Object(out))
}

// ---- wallet answers from args -------------------------------------------------------------------

/// A wallet callback's answer: `Err(())` when args say `"error"`.
type Callback<T> = Result<T, ()>;

fn callback<T>(args: &Args, field: &str, parse: impl FnOnce(&Value) -> Result<T, OpError>) -> Result<Callback<T>, OpError> {
    match opt_value(args, field) {
        Some(Value::String(s)) if s == "error" => Ok(Err(())),
        Some(v) => parse(v).map(Ok),
        None => Err(OpError::invalid_arg(field, "missing")),
    }
}

fn string_list<T>(field: &str, v: &Value, parse: impl Fn(&str) -> Result<T, String>) -> Result<Vec<T>, OpError> {
    let items = v.as_array().ok_or_else(|| OpError::invalid_arg(field, "not a list or \"error\""))?;
    items
        .iter()
        .map(|i| {
            let s = i.as_str().ok_or_else(|| OpError::invalid_arg(field, "items must be strings"))?;
            parse(s).map_err(|e| OpError::invalid_arg(field, &format!("{s:?}: {e}")))
        })
        .collect()
}

fn outpoints(args: &Args, field: &str) -> Result<Callback<Vec<OutPoint>>, OpError> {
    callback(args, field, |v| string_list(field, v, |s| OutPoint::from_str(s).map_err(|e| e.to_string())))
}

fn wallet_error(field: &str) -> ImplementationError {
    ImplementationError::from(format!("wallet callback failed ({field}: \"error\")").as_str())
}

fn opt_fee_rate(args: &Args, field: &str) -> Result<Option<FeeRate>, OpError> {
    Ok(opt_u64(args, field)?.map(FeeRate::from_sat_per_kwu))
}

/// Sign every P2WPKH input whose `witness_utxo` pays one of `keys` and is not yet finalized.
pub(crate) fn sign_p2wpkh(psbt: &Psbt, keys: &[PrivateKey]) -> Result<Psbt, String> {
    let secp = Secp256k1::new();
    let mut psbt = psbt.clone();
    let tx = psbt.unsigned_tx.clone();
    let mut cache = SighashCache::new(&tx);
    for (index, input) in psbt.inputs.iter_mut().enumerate() {
        if input.final_script_witness.is_some() || input.final_script_sig.is_some() {
            continue;
        }
        let Some(utxo) = input.witness_utxo.clone() else { continue };
        for key in keys {
            let cpk = CompressedPublicKey::from_private_key(&secp, key).map_err(|e| e.to_string())?;
            if utxo.script_pubkey != ScriptBuf::new_p2wpkh(&cpk.wpubkey_hash()) {
                continue;
            }
            let sighash = cache
                .p2wpkh_signature_hash(index, &utxo.script_pubkey, utxo.value, EcdsaSighashType::All)
                .map_err(|e| e.to_string())?;
            let msg = Message::from_digest(sighash.to_byte_array());
            let sig = payjoin::bitcoin::ecdsa::Signature::sighash_all(secp.sign_ecdsa(&msg, &key.inner));
            input.final_script_witness = Some(Witness::p2wpkh(&sig, &cpk.0));
            input.partial_sigs.clear();
            break;
        }
    }
    Ok(psbt)
}

enum WalletPsbt {
    Keys(Vec<PrivateKey>),
    Signed(Psbt),
    Error,
}

fn wallet_psbt(args: &Args) -> Result<WalletPsbt, OpError> {
    if let Some(v) = opt_value(args, "signed_psbt") {
        if v.as_str() == Some("error") {
            return Ok(WalletPsbt::Error);
        }
        let text = v.as_str().ok_or_else(|| OpError::invalid_arg("signed_psbt", "not a string"))?;
        return Psbt::from_str(text)
            .map(WalletPsbt::Signed)
            .map_err(|e| OpError::invalid_arg("signed_psbt", &e.to_string()));
    }
    match callback(args, "signing_keys", |v| {
        string_list("signing_keys", v, |s| PrivateKey::from_wif(s).map_err(|e| e.to_string()))
    })? {
        Ok(keys) => Ok(WalletPsbt::Keys(keys)),
        Err(()) => Ok(WalletPsbt::Error),
    }
}

/// The transaction a `found_txids` answer hands back for `txid`: payjoin compares the txid of
/// what `find_transaction` returns with the proposal's, so the proposal's unsigned transaction
/// (from the log's `FinalizedProposal` event) stands in for it; for any other txid (the fallback)
/// payjoin only checks that something was found.
fn found_tx(persister: &MemPersister<recv::SessionEvent>, txid: Txid) -> Option<Transaction> {
    let events = persister.events.borrow();
    let proposal = events.iter().rev().find_map(|e| match e {
        recv::SessionEvent::FinalizedProposal(psbt) => Some(psbt.unsigned_tx.clone()),
        _ => None,
    });
    let original = events.iter().find_map(|e| {
        let v = serde_json::to_value(e).ok()?;
        let psbt = v.get("RetrievedOriginalPayload")?.get("original")?.get("psbt")?.clone();
        serde_json::from_value::<Psbt>(psbt).ok().map(|p| p.unsigned_tx)
    });
    match proposal {
        Some(tx) if tx.compute_txid() == txid => Some(tx),
        _ => original.or(proposal),
    }
}

/// `contribute_inputs`' `inputs`: `[{"outpoint": "txid:vout", "txout": {"value", "script_pubkey"}}]`,
/// each a P2WPKH coin of the receiver's wallet.
pub(crate) fn input_specs(args: &Args) -> Result<Vec<(OutPoint, TxOut)>, OpError> {
    let items = match opt_value(args, "inputs") {
        Some(Value::Array(items)) => items,
        Some(_) => return Err(OpError::invalid_arg("inputs", "not a list")),
        None => return Err(OpError::invalid_arg("inputs", "missing")),
    };
    items
        .iter()
        .map(|item| {
            let item = item.as_object().ok_or_else(|| OpError::invalid_arg("inputs", "items must be objects"))?;
            let text = arg_str(item, "outpoint")?;
            let outpoint = OutPoint::from_str(text).map_err(|e| OpError::invalid_arg("outpoint", &format!("{text:?}: {e}")))?;
            let txout = match opt_value(item, "txout") {
                Some(Value::Object(t)) => t,
                Some(_) => return Err(OpError::invalid_arg("txout", "not an object")),
                None => return Err(OpError::invalid_arg("txout", "missing")),
            };
            let value = Amount::from_sat(arg_u64(txout, "value")?);
            let script_pubkey = ScriptBuf::from_bytes(arg_bytes(txout, "script_pubkey")?);
            Ok((outpoint, TxOut { value, script_pubkey }))
        })
        .collect()
}

/// A plain edit: nothing is persisted. Success is `stasis` with the edited `WantsInputs`; a refusal
/// (an input `InputPair::new_p2wpkh` rejects, or `InputContributionError`) is `transient` with the
/// unedited state handed back (payjoin moves the receiver into the call, so a clone is kept).
fn contribute(r: recv::Receiver<recv::WantsInputs>, specs: Vec<(OutPoint, TxOut)>) -> Step<RS> {
    let refused = |r, kind: &str, message: String| Step {
        next: Some(RS::WantsInputs(r)),
        error: Some((kind.to_string(), message)),
        transient: true,
        fatal: false,
        value: None,
    };
    let pairs: Result<Vec<_>, _> =
        specs.into_iter().map(|(outpoint, txout)| payjoin::receive::InputPair::new_p2wpkh(txout, outpoint)).collect();
    let pairs = match pairs {
        Ok(pairs) => pairs,
        Err(e) => return refused(r, "PsbtInputError", e.to_string()),
    };
    match r.clone().contribute_inputs(pairs) {
        Ok(edited) => Step::ok(Some(RS::WantsInputs(edited))),
        Err(e) => refused(r, "InputContributionError", e.to_string()),
    }
}

// ---- session.call -------------------------------------------------------------------------------

const RECEIVER_METHODS: &[&str] = &[
    "check_broadcast_suitability",
    "assume_interactive_receiver",
    "check_inputs_not_owned",
    "check_no_inputs_seen_before",
    "identify_receiver_outputs",
    "commit_outputs",
    "contribute_inputs",
    "commit_inputs",
    "apply_fee_range",
    "finalize_proposal",
    "check_for_transaction",
    "cancel",
    "close",
];
const SENDER_METHODS: &[&str] = &["cancel", "close"];

pub fn call(sessions: &mut Sessions, args: &Args) -> Answer {
    let parsed = (|| -> Result<(String, String, Args), OpError> {
        let handle = handle_arg(args, "handle")?;
        let method = arg_str(args, "method")?.to_string();
        let margs = match opt_value(args, "args") {
            None => Map::new(),
            Some(Value::Object(m)) => m.clone(),
            Some(_) => return Err(OpError::invalid_arg("args", "not an object")),
        };
        Ok((handle, method, margs))
    })();
    let (handle, method, margs) = match parsed {
        Ok(p) => p,
        Err(e) => return Answer::Error(e),
    };
    let Some(session) = sessions.map.get_mut(&handle) else {
        return Answer::Error(OpError::invalid_arg("handle", &format!("no session {handle:?}")));
    };
    match session {
        Session::Receiver { persister, session } => {
            if !RECEIVER_METHODS.contains(&method.as_str()) {
                return Answer::Unimplemented(format!("receiver method {method:?} is not supported by this adapter"));
            }
            run_step(persister, session, receive_state_name, |s, p| receiver_call(s, &method, &margs, p))
        }
        Session::Sender { persister, session } => {
            if !SENDER_METHODS.contains(&method.as_str()) {
                return Answer::Unimplemented(format!("sender method {method:?} is not supported by this adapter"));
            }
            run_step(persister, session, send_state_name, |s, p| sender_call(s, &method, p))
        }
    }
}

type Back<S> = Result<Step<S>, (S, OpError)>;

fn receiver_call(s: RS, method: &str, a: &Args, p: &MemPersister<recv::SessionEvent>) -> Back<RS> {
    macro_rules! arg {
        ($e:expr, $back:expr) => {
            match $e {
                Ok(v) => v,
                Err(err) => return Err(($back, err)),
            }
        };
    }
    match (method, s) {
        ("check_broadcast_suitability", RS::UncheckedOriginalPayload(r)) => {
            let answer = arg!(callback(a, "can_broadcast", |v| v
                .as_bool()
                .ok_or_else(|| OpError::invalid_arg("can_broadcast", "not a bool or \"error\""))), RS::UncheckedOriginalPayload(r));
            let min = arg!(opt_fee_rate(a, "min_fee_rate"), RS::UncheckedOriginalPayload(r));
            let t = r.check_broadcast_suitability(min, |_| answer.map_err(|()| wallet_error("can_broadcast")));
            Ok(step_persisted(
                t.save(p),
                |n| Some(RS::MaybeInputsOwned(n)),
                |e| Some(RS::HasReplyableError(e)),
                |c| Some(RS::UncheckedOriginalPayload(c)),
            ))
        }
        ("assume_interactive_receiver", RS::UncheckedOriginalPayload(r)) =>
            Ok(step_plain(r.assume_interactive_receiver().save(p), |n| Some(RS::MaybeInputsOwned(n)))),
        ("check_inputs_not_owned", RS::MaybeInputsOwned(r)) => {
            let answer = arg!(outpoints(a, "owned_outpoints"), RS::MaybeInputsOwned(r));
            let t = r.check_inputs_not_owned(&mut |op| match &answer {
                Ok(list) => Ok(list.contains(op)),
                Err(()) => Err(wallet_error("owned_outpoints")),
            });
            Ok(step_persisted(
                t.save(p),
                |n| Some(RS::MaybeInputsSeen(n)),
                |e| Some(RS::HasReplyableError(e)),
                |c| Some(RS::MaybeInputsOwned(c)),
            ))
        }
        ("check_no_inputs_seen_before", RS::MaybeInputsSeen(r)) => {
            let answer = arg!(outpoints(a, "seen_outpoints"), RS::MaybeInputsSeen(r));
            let t = r.check_no_inputs_seen_before(&mut |op| match &answer {
                Ok(list) => Ok(list.contains(op)),
                Err(()) => Err(wallet_error("seen_outpoints")),
            });
            Ok(step_persisted(
                t.save(p),
                |n| Some(RS::OutputsUnknown(n)),
                |e| Some(RS::HasReplyableError(e)),
                |c| Some(RS::MaybeInputsSeen(c)),
            ))
        }
        ("identify_receiver_outputs", RS::OutputsUnknown(r)) => {
            let answer = arg!(
                callback(a, "receiver_scripts", |v| string_list("receiver_scripts", v, |s| {
                    crate::args::decode_hex("receiver_scripts", s).map(ScriptBuf::from_bytes).map_err(|e| e.message)
                })),
                RS::OutputsUnknown(r)
            );
            let t = r.identify_receiver_outputs(&mut |script| match &answer {
                Ok(list) => Ok(list.iter().any(|s| s.as_script() == script)),
                Err(()) => Err(wallet_error("receiver_scripts")),
            });
            Ok(step_persisted(
                t.save(p),
                |n| Some(RS::WantsOutputs(n)),
                |e| Some(RS::HasReplyableError(e)),
                |c| Some(RS::OutputsUnknown(c)),
            ))
        }
        ("commit_outputs", RS::WantsOutputs(r)) => Ok(step_plain(r.commit_outputs().save(p), |n| Some(RS::WantsInputs(n)))),
        ("contribute_inputs", RS::WantsInputs(r)) => {
            let specs = arg!(input_specs(a), RS::WantsInputs(r));
            Ok(contribute(r, specs))
        }
        ("commit_inputs", RS::WantsInputs(r)) => Ok(step_plain(r.commit_inputs().save(p), |n| Some(RS::WantsFeeRange(n)))),
        ("apply_fee_range", RS::WantsFeeRange(r)) => {
            let min = arg!(opt_fee_rate(a, "min_fee_rate"), RS::WantsFeeRange(r));
            let max = arg!(opt_fee_rate(a, "max_effective_fee_rate"), RS::WantsFeeRange(r));
            Ok(step_persisted(
                r.apply_fee_range(min, max).save(p),
                |n| Some(RS::ProvisionalProposal(n)),
                |()| None,
                |c| Some(RS::WantsFeeRange(c)),
            ))
        }
        ("finalize_proposal", RS::ProvisionalProposal(r)) => {
            let wallet = arg!(wallet_psbt(a), RS::ProvisionalProposal(r));
            let t = r.finalize_proposal(|psbt| match &wallet {
                WalletPsbt::Keys(keys) => sign_p2wpkh(psbt, keys).map_err(|e| ImplementationError::from(e.as_str())),
                WalletPsbt::Signed(signed) => Ok(signed.clone()),
                WalletPsbt::Error => Err(wallet_error("signing_keys")),
            });
            let step = step_persisted(t.save(p), |n| Some(RS::PayjoinProposal(n)), |()| None, |c| Some(RS::ProvisionalProposal(c)));
            let psbt = match &step.next {
                Some(RS::PayjoinProposal(r)) => Some(r.psbt().to_string()),
                _ => None,
            };
            Ok(match psbt {
                Some(psbt) => step.with_value(json!({"psbt": psbt})),
                None => step,
            })
        }
        ("check_for_transaction", RS::Monitor(r)) => {
            let answer = arg!(
                callback(a, "found_txids", |v| string_list("found_txids", v, |s| Txid::from_str(s).map_err(|e| e.to_string()))),
                RS::Monitor(r)
            );
            let t = r.check_for_transaction(|txid| match &answer {
                Ok(list) if list.contains(&txid) => Ok(found_tx(p, txid)),
                Ok(_) => Ok(None),
                Err(()) => Err(wallet_error("found_txids")),
            });
            Ok(step_persisted(t.save(p), |o| optional(o, |()| None, |c| Some(RS::Monitor(c))), |()| None, |c| Some(RS::Monitor(c))))
        }
        ("cancel", RS::Initialized(r)) => Ok(step_plain(r.cancel().save(p), |()| None)),
        ("cancel", RS::UncheckedOriginalPayload(r)) => Ok(step_plain(r.cancel().save(p), |()| None)),
        ("cancel", RS::MaybeInputsOwned(r)) => Ok(step_plain(r.cancel().save(p), |n| Some(RS::PendingFallback(n)))),
        ("cancel", RS::MaybeInputsSeen(r)) => Ok(step_plain(r.cancel().save(p), |n| Some(RS::PendingFallback(n)))),
        ("cancel", RS::OutputsUnknown(r)) => Ok(step_plain(r.cancel().save(p), |n| Some(RS::PendingFallback(n)))),
        ("cancel", RS::WantsOutputs(r)) => Ok(step_plain(r.cancel().save(p), |n| Some(RS::PendingFallback(n)))),
        ("cancel", RS::WantsInputs(r)) => Ok(step_plain(r.cancel().save(p), |n| Some(RS::PendingFallback(n)))),
        ("cancel", RS::WantsFeeRange(r)) => Ok(step_plain(r.cancel().save(p), |n| Some(RS::PendingFallback(n)))),
        ("cancel", RS::ProvisionalProposal(r)) => Ok(step_plain(r.cancel().save(p), |n| Some(RS::PendingFallback(n)))),
        ("cancel", RS::PayjoinProposal(r)) => Ok(step_plain(r.cancel().save(p), |n| Some(RS::PendingFallback(n)))),
        ("cancel", RS::Monitor(r)) => Ok(step_plain(r.cancel().save(p), |n| Some(RS::PendingFallback(n)))),
        ("cancel", RS::HasReplyableError(r)) => Ok(step_plain(r.cancel().save(p), |n| n.map(RS::PendingFallback))),
        ("close", RS::PendingFallback(r)) => Ok(step_plain(r.close().save(p), |()| None)),
        (m, other) => {
            let err = wrong_state(m, receive_state_name(&other));
            Err((other, err))
        }
    }
}

fn sender_call(s: SS, method: &str, p: &MemPersister<send::SessionEvent>) -> Back<SS> {
    match (method, s) {
        ("cancel", SS::WithReplyKey(r)) => Ok(step_plain(r.cancel().save(p), |n| Some(SS::PendingFallback(n)))),
        ("cancel", SS::PollingForProposal(r)) => Ok(step_plain(r.cancel().save(p), |n| Some(SS::PendingFallback(n)))),
        ("close", SS::PendingFallback(r)) => Ok(step_plain(r.close().save(p), |()| None)),
        (m, other) => {
            let err = wrong_state(m, send_state_name(&other));
            Err((other, err))
        }
    }
}

// ---- session.request / session.response ---------------------------------------------------------

fn request_error(e: impl std::fmt::Display + std::fmt::Debug) -> OpError {
    let debug = format!("{e:?}");
    let kind = if debug.contains("Expired") { "Expired" } else { "CreateRequestError" };
    OpError::new(kind, format!("{e} [{debug}]"))
}

pub fn request(sessions: &mut Sessions, args: &Args) -> Result<Value, OpError> {
    let handle = handle_arg(args, "handle")?;
    let relay = arg_str(args, "relay")?.to_string();
    let session = sessions.map.get(&handle).ok_or_else(|| OpError::invalid_arg("handle", &format!("no session {handle:?}")))?;
    let (req, ctx, kind) = match session {
        Session::Receiver { session: Some(s), .. } => match s {
            RS::Initialized(r) => {
                let (req, ctx) = r.create_poll_request(relay.as_str()).map_err(request_error)?;
                (req, ctx, "create_poll_request")
            }
            RS::PayjoinProposal(r) => {
                let (req, ctx) = r.create_post_request(relay.as_str()).map_err(request_error)?;
                (req, ctx, "create_post_request")
            }
            RS::HasReplyableError(r) => {
                let (req, ctx) = r.create_error_request(relay.as_str()).map_err(request_error)?;
                (req, ctx, "create_error_request")
            }
            other => return Err(wrong_state("session.request", receive_state_name(other))),
        },
        Session::Sender { session: Some(s), .. } => match s {
            SS::WithReplyKey(r) => {
                let (req, ctx) = r.create_v2_post_request(relay.as_str()).map_err(request_error)?;
                (req, ctx, "create_v2_post_request")
            }
            SS::PollingForProposal(r) => {
                let (req, ctx) = r.create_poll_request(relay.as_str()).map_err(request_error)?;
                (req, ctx, "create_poll_request")
            }
            other => return Err(wrong_state("session.request", send_state_name(other))),
        },
        _ => return Err(OpError::new("InvalidState", "the session is over (no typestate left)")),
    };
    sessions.next += 1;
    let context = format!("rust-payjoin-session-ctx-{}", sessions.next);
    sessions.contexts.insert(context.clone(), (handle, ctx));
    Ok(json!({
        "url": req.url,
        // payjoin's v2 Request has no method field: every OHTTP request goes to the relay as POST.
        "method": "POST",
        "content_type": req.content_type,
        "body": hex(&req.body),
        "context": context,
        "created_by": kind,
    }))
}

pub fn response(sessions: &mut Sessions, args: &Args) -> Answer {
    let parsed = (|| -> Result<(String, String, Vec<u8>), OpError> {
        Ok((handle_arg(args, "handle")?, handle_arg(args, "context")?, arg_bytes(args, "body")?))
    })();
    let (handle, context, body) = match parsed {
        Ok(p) => p,
        Err(e) => return Answer::Error(e),
    };
    let Some(session) = sessions.map.get_mut(&handle) else {
        return Answer::Error(OpError::invalid_arg("handle", &format!("no session {handle:?}")));
    };
    match sessions.contexts.get(&context) {
        Some((owner, _)) if owner == &handle => {}
        Some(_) => return Answer::Error(OpError::invalid_arg("context", "belongs to another session")),
        None => return Answer::Error(OpError::invalid_arg("context", "unknown or already used (contexts are single use)")),
    }
    // Check the state before consuming the single-use context.
    let ok_state = match session {
        Session::Receiver { session: Some(s), .. } =>
            matches!(s, RS::Initialized(_) | RS::PayjoinProposal(_) | RS::HasReplyableError(_)),
        Session::Sender { session: Some(s), .. } => matches!(s, SS::WithReplyKey(_) | SS::PollingForProposal(_)),
        _ => false,
    };
    if !ok_state {
        return Answer::Error(wrong_state("session.response", session.state()));
    }
    let Some((_, ctx)) = sessions.contexts.remove(&context) else {
        return Answer::Error(OpError::invalid_arg("context", "unknown"));
    };
    match session {
        Session::Receiver { persister, session } => run_step(persister, session, receive_state_name, |s, p| {
            Ok(match s {
                RS::Initialized(r) => step_persisted(
                    r.process_response(&body, ctx).save(p),
                    |o| optional(o, |n| Some(RS::UncheckedOriginalPayload(n)), |c| Some(RS::Initialized(c))),
                    |()| None,
                    |c| Some(RS::Initialized(c)),
                ),
                RS::PayjoinProposal(r) => step_persisted(
                    r.process_response(&body, ctx).save(p),
                    |n| Some(RS::Monitor(n)),
                    |e| Some(RS::PendingFallback(e)),
                    |c| Some(RS::PayjoinProposal(c)),
                ),
                RS::HasReplyableError(r) => step_persisted(
                    r.process_error_response(&body, ctx).save(p),
                    |n| n.map(RS::PendingFallback),
                    |e| Some(RS::PendingFallback(e)),
                    |c| Some(RS::HasReplyableError(c)),
                ),
                other => {
                    let err = wrong_state("session.response", receive_state_name(&other));
                    return Err((other, err));
                }
            })
        }),
        Session::Sender { persister, session } => run_step(persister, session, send_state_name, |s, p| {
            Ok(match s {
                SS::WithReplyKey(r) => step_persisted(
                    r.process_response(&body, ctx).save(p),
                    |n| Some(SS::PollingForProposal(n)),
                    |()| None,
                    |c| Some(SS::WithReplyKey(c)),
                ),
                SS::PollingForProposal(r) => {
                    let mut proposal = None;
                    let step = step_persisted(
                        r.process_response(&body, ctx).save(p),
                        |o| optional(o, |psbt: Psbt| {
                            proposal = Some(psbt.to_string());
                            None
                        }, |c| Some(SS::PollingForProposal(c))),
                        |()| None,
                        |c| Some(SS::PollingForProposal(c)),
                    );
                    match proposal {
                        Some(psbt) => step.with_value(json!({"psbt": psbt})),
                        None => step,
                    }
                }
                other => {
                    let err = wrong_state("session.response", send_state_name(&other));
                    return Err((other, err));
                }
            })
        }),
    }
}
