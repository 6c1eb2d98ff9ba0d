//! `session.whole`: one complete payjoin v2 session, run inside this process with payjoin 1.0's
//! public API, so `bench` can time a whole session beside the reference's (issue 6).
//!
//! Both parties and the directory live here. The directory stand-in is a bitcoin-ohttp gateway
//! derived from `gateway_ikm` (`KeyConfig::derive`, as payjoin-mailroom and `ohttp.request.open`
//! build theirs) in front of in-memory mailboxes: `POST` stores, `GET` serves the body or 202
//! when empty, and every answer is a known-length BHTTP response zero-padded to 8144 bytes and
//! sealed into 8192. The session is the reference twin's
//! (`pjconf.harness.adapters.session_whole`): the sender posts the Original, the receiver polls,
//! passes every check, contributes one P2WPKH coin, signs it and posts the proposal, the sender
//! polls, checks the proposal and signs its own input, and the receiver's `check_for_transaction`
//! finds that payjoin: both logs end in `Closed`. Every transition is saved to its own in-memory
//! persister (`events::MemPersister`); a step that does not go the happy way ends the op with
//! `SessionFailed` naming the step as the twin does (`build`, `build_recommended`, `sender post`,
//! `receiver poll`, `checks`, `contribution`, `finalize_proposal`, `receiver post`, `sender poll`,
//! `sender signing`, `check_for_transaction`), never with a figure.

use std::collections::HashMap;
use std::io::Cursor;
use std::str::FromStr;

use payjoin::bitcoin::{Address, FeeRate, PrivateKey, Psbt};
use payjoin::persist::OptionalTransitionOutcome;
use payjoin::receive::v2 as recv;
use payjoin::send::v2 as send;
use payjoin::{ImplementationError, OhttpKeys, Uri};
use serde::Serialize;
use serde_json::{json, Value};

use crate::args::{arg_array, arg_str, arg_u64, Args, OpError};
use crate::events::MemPersister;
use crate::live::{input_specs, sign_p2wpkh};

/// payjoin-mailroom's `DEFAULT_KEY_ID`.
const GATEWAY_KEY_ID: u8 = 0;
/// payjoin::directory::ENCAPSULATED_MESSAGE_BYTES less the response nonce (32) and AEAD tag (16).
const PADDED_BHTTP_RES_BYTES: usize = 8192 - (32 + 16);

/// A step that did not go the happy way: `SessionFailed`, with the step and payjoin's text.
fn failed(step: &str, e: impl std::fmt::Display) -> OpError {
    OpError::new("SessionFailed", format!("{step}: {e}"))
}

/// The session's inputs, all from `args` so the harness can give both adapters one payment.
struct Payment {
    original: Psbt,
    address: Address,
    contribution: Vec<(payjoin::bitcoin::OutPoint, payjoin::bitcoin::TxOut)>,
    receiver_key: PrivateKey,
    sender_key: PrivateKey,
    gateway_ikm: [u8; 32],
    directory: String,
    relay: String,
    min_fee_rate: FeeRate,
}

fn wif(args: &Args, field: &str) -> Result<PrivateKey, OpError> {
    PrivateKey::from_wif(arg_str(args, field)?).map_err(|e| OpError::invalid_arg(field, &e.to_string()))
}

fn payment(args: &Args) -> Result<Payment, OpError> {
    let original =
        Psbt::from_str(arg_str(args, "original")?).map_err(|e| OpError::invalid_arg("original", &e.to_string()))?;
    let address = Address::from_str(arg_str(args, "address")?)
        .map_err(|e| OpError::invalid_arg("address", &e.to_string()))?
        .assume_checked();
    Ok(Payment {
        original,
        address,
        contribution: input_specs(args)?,
        receiver_key: wif(args, "receiver_wif")?,
        sender_key: wif(args, "sender_wif")?,
        gateway_ikm: arg_array::<32>(args, "gateway_ikm")?,
        directory: arg_str(args, "directory")?.to_string(),
        relay: arg_str(args, "relay")?.to_string(),
        min_fee_rate: FeeRate::from_sat_per_kwu(arg_u64(args, "min_fee_rate")?),
    })
}

/// The directory stand-in: an OHTTP gateway and the mailboxes behind it.
struct Directory {
    server: ohttp::Server,
    keys: OhttpKeys,
    boxes: HashMap<Vec<u8>, Vec<u8>>,
}

impl Directory {
    fn new(ikm: &[u8; 32]) -> Result<Self, OpError> {
        let suite = ohttp::SymmetricSuite::new(ohttp::hpke::Kdf::HkdfSha256, ohttp::hpke::Aead::ChaCha20Poly1305);
        let config = ohttp::KeyConfig::derive(GATEWAY_KEY_ID, ohttp::hpke::Kem::K256Sha256, vec![suite], ikm)
            .map_err(|e| failed("KeyConfig::derive", e))?;
        let encoded = config.encode().map_err(|e| failed("KeyConfig::encode", e))?;
        let keys = OhttpKeys::decode(&encoded).map_err(|e| failed("OhttpKeys::decode", e))?;
        let server = ohttp::Server::new(config).map_err(|e| failed("Server::new", e))?;
        Ok(Directory { server, keys, boxes: HashMap::new() })
    }

    /// The gateway's answer to one relayed request body.
    fn handle(&mut self, request: &[u8]) -> Result<Vec<u8>, OpError> {
        let (inner, context) = self.server.decapsulate(request).map_err(|e| failed("gateway decapsulate", e))?;
        let message =
            bhttp::Message::read_bhttp(&mut Cursor::new(inner.as_slice())).map_err(|e| failed("gateway bhttp", e))?;
        let bhttp::ControlData::Request { method, path, .. } = message.control() else {
            return Err(failed("gateway bhttp", "not a request"));
        };
        let mailbox = path.rsplit(|b| *b == b'/').next().unwrap_or_default().to_vec();
        let (status, body): (u16, Vec<u8>) = match method.as_slice() {
            b"POST" => {
                self.boxes.insert(mailbox, message.content().to_vec());
                (200, Vec::new())
            }
            b"GET" => match self.boxes.get(&mailbox) {
                Some(body) => (200, body.clone()),
                None => (202, Vec::new()),
            },
            _ => (404, Vec::new()),
        };
        let code = bhttp::StatusCode::try_from(status).map_err(|e| failed("gateway status", e))?;
        let mut response = bhttp::Message::response(code);
        if !body.is_empty() {
            response.write_content(&body);
        }
        let mut padded = Vec::with_capacity(PADDED_BHTTP_RES_BYTES);
        response.write_bhttp(bhttp::Mode::KnownLength, &mut padded).map_err(|e| failed("gateway bhttp", e))?;
        if padded.len() > PADDED_BHTTP_RES_BYTES {
            return Err(failed("gateway", "response too large"));
        }
        padded.resize(PADDED_BHTTP_RES_BYTES, 0);
        context.encapsulate(&padded).map_err(|e| failed("gateway encapsulate", e))
    }
}

/// `Progress`'s value, or `SessionFailed` when the transition stayed put.
fn progressed<N, C>(step: &str, outcome: OptionalTransitionOutcome<N, C>) -> Result<N, OpError> {
    match outcome {
        OptionalTransitionOutcome::Progress(next) => Ok(next),
        OptionalTransitionOutcome::Stasis(_) => Err(failed(step, "no progress (stasis)")),
    }
}

/// The last event's variant as pjconf names it (`Closed/Success`), from its serde form.
fn last_variant<E: Serialize>(events: &[E]) -> String {
    let Some(value) = events.last().and_then(|e| serde_json::to_value(e).ok()) else {
        return String::new();
    };
    let name_of = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Object(m) => m.keys().next().cloned().unwrap_or_default(),
        _ => String::new(),
    };
    match &value {
        Value::Object(m) if m.contains_key("Closed") => format!("Closed/{}", name_of(&m["Closed"])),
        other => name_of(other),
    }
}

fn log_summary<E: Serialize + Clone + 'static>(persister: &MemPersister<E>) -> Value {
    let events = persister.events.borrow();
    json!({
        "state": if persister.closed() { "Closed" } else { "Open" },
        "closed": persister.closed(),
        "events": events.len(),
        "last_event": last_variant(&events),
    })
}

fn sign(psbt: &Psbt, key: &PrivateKey) -> Result<Psbt, ImplementationError> {
    sign_p2wpkh(psbt, std::slice::from_ref(key)).map_err(|e| ImplementationError::from(e.as_str()))
}

/// One whole session on `payment`; the two logs' summaries and the payjoin's txid.
fn run(p: &Payment) -> Result<Value, OpError> {
    let mut directory = Directory::new(&p.gateway_ikm)?;
    let relay = p.relay.as_str();
    let rlog = MemPersister::<recv::SessionEvent>::new(Vec::new());
    let slog = MemPersister::<send::SessionEvent>::new(Vec::new());

    let receiver = recv::ReceiverBuilder::new(p.address.clone(), p.directory.as_str(), directory.keys.clone())
        .map_err(|e| failed("build", e))?
        .build()
        .save(&rlog)
        .map_err(|e| failed("build", e))?;

    // The sender reads the pj URI as text, as a wallet would.
    let uri = Uri::try_from(receiver.pj_uri().to_string())
        .map_err(|e| failed("build_recommended", e))?
        .assume_checked()
        .check_pj_supported()
        .map_err(|_| failed("build_recommended", "no pj parameter"))?;
    #[allow(deprecated)] // payjoin 1.1: use from_parts; the same constructor on every version
    let sender = send::SenderBuilder::new(p.original.clone(), uri)
        .build_recommended(p.min_fee_rate)
        .map_err(|e| failed("build_recommended", e))?
        .save(&slog)
        .map_err(|e| failed("build_recommended", e))?;
    let (req, ctx) = sender.create_v2_post_request(relay).map_err(|e| failed("sender post", e))?;
    let answer = directory.handle(&req.body)?;
    let polling = sender.process_response(&answer, ctx).save(&slog).map_err(|e| failed("sender post", e))?;

    let (req, ctx) = receiver.create_poll_request(relay).map_err(|e| failed("receiver poll", e))?;
    let answer = directory.handle(&req.body)?;
    let outcome = receiver.process_response(&answer, ctx).save(&rlog).map_err(|e| failed("receiver poll", e))?;
    let unchecked = progressed("receiver poll", outcome)?;
    let owned = unchecked
        .check_broadcast_suitability(None, |_| Ok(true))
        .save(&rlog)
        .map_err(|e| failed("checks", e))?;
    let seen = owned.check_inputs_not_owned(&mut |_| Ok(false)).save(&rlog).map_err(|e| failed("checks", e))?;
    let unknown = seen
        .check_no_inputs_seen_before(&mut |_| Ok(false))
        .save(&rlog)
        .map_err(|e| failed("checks", e))?;
    let script = p.address.script_pubkey();
    let wants_outputs = unknown
        .identify_receiver_outputs(&mut |s| Ok(s == script.as_script()))
        .save(&rlog)
        .map_err(|e| failed("checks", e))?;
    let wants_inputs = wants_outputs.commit_outputs().save(&rlog).map_err(|e| failed("contribution", e))?;
    let pairs = p
        .contribution
        .iter()
        .map(|(outpoint, txout)| payjoin::receive::InputPair::new_p2wpkh(txout.clone(), *outpoint))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| failed("contribution", e))?;
    let wants_inputs = wants_inputs.contribute_inputs(pairs).map_err(|e| failed("contribution", e))?;
    let fee_range = wants_inputs.commit_inputs().save(&rlog).map_err(|e| failed("contribution", e))?;
    let provisional = fee_range.apply_fee_range(None, None).save(&rlog).map_err(|e| failed("contribution", e))?;
    let proposal = provisional
        .finalize_proposal(|psbt| sign(psbt, &p.receiver_key))
        .save(&rlog)
        .map_err(|e| failed("finalize_proposal", e))?;
    let (req, ctx) = proposal.create_post_request(relay).map_err(|e| failed("receiver post", e))?;
    let answer = directory.handle(&req.body)?;
    let monitor = proposal.process_response(&answer, ctx).save(&rlog).map_err(|e| failed("receiver post", e))?;

    let (req, ctx) = polling.create_poll_request(relay).map_err(|e| failed("sender poll", e))?;
    let answer = directory.handle(&req.body)?;
    let outcome = polling.process_response(&answer, ctx).save(&slog).map_err(|e| failed("sender poll", e))?;
    let checked = progressed("sender poll", outcome)?;
    let payjoin_tx = sign(&checked, &p.sender_key).map_err(|e| failed("sender signing", e))?.extract_tx_unchecked_fee_rate();
    let txid = payjoin_tx.compute_txid();

    let outcome = monitor
        .check_for_transaction(|id| Ok((id == txid).then(|| payjoin_tx.clone())))
        .save(&rlog)
        .map_err(|e| failed("check_for_transaction", e))?;
    progressed("check_for_transaction", outcome)?;
    Ok(json!({
        "receiver": log_summary(&rlog),
        "sender": log_summary(&slog),
        "payjoin_txid": txid.to_string(),
    }))
}

/// The op: arguments first (`InvalidArgument`), then one whole session.
pub fn whole(args: &Args) -> Result<Value, OpError> { run(&payment(args)?) }
