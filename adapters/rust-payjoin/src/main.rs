//! pjconf adapter for rust-payjoin (1.x; the version built is `VERSION`).
//!
//! Speaks pjconf's adapter protocol (docs/adapter-protocol.md): one JSON request per stdin line,
//! one JSON answer per stdout line, in order. Every op runs under `catch_unwind`, so a panic inside
//! rust-payjoin (or its crypto crates) is reported as an `InternalError` and the process goes on.
//!
//! `--supervise` (the image's entrypoint) runs the same binary as a child under a supervisor that
//! answers `pjconf.respawn` by SIGKILLing the child and starting a fresh one (supervise.rs).

mod args;
mod bench;
mod crypto;
mod events;
mod live;
mod ohttp_ops;
mod psbt_ops;
mod session_bench;
mod supervise;
mod uri_ops;

use std::io::{BufRead, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};

use serde_json::{json, Map, Value};

use crate::args::{Args, OpError};

pub const IMPLEMENTATION: &str = "rust-payjoin";
/// The payjoin crate version this binary was built against (build.rs, from the lock file).
pub const VERSION: &str = env!("PJCONF_PAYJOIN_VERSION");

/// What an op hands back: a result object, a protocol error, or "not supported here".
pub enum Answer {
    Result(Value),
    Error(OpError),
    Unimplemented(String),
}

impl From<Result<Value, OpError>> for Answer {
    fn from(r: Result<Value, OpError>) -> Self {
        match r {
            Ok(v) => Answer::Result(v),
            Err(e) => Answer::Error(e),
        }
    }
}

/// Every op this adapter implements, in the order `hello` lists them.
pub const OPS: &[&str] = &[
    "hello",
    "shutdown",
    "hpke.seal",
    "hpke.open",
    "ellswift.encode",
    "ellswift.decode",
    "bip77.msg_a.seal",
    "bip77.msg_a.open",
    "bip77.msg_b.seal",
    "bip77.msg_b.open",
    "ohttp.keys.decode",
    "ohttp.request.seal",
    "ohttp.request.open",
    "ohttp.response.seal",
    "ohttp.response.open",
    "bhttp.request.encode",
    "bhttp.request.decode",
    "uri.parse",
    "short_id",
    "event.roundtrip",
    "replay",
    "psbt.to_json",
    "psbt.from_json",
    "session.new_receiver",
    "session.new_sender",
    "session.resume",
    "session.call",
    "session.request",
    "session.response",
    "session.events",
    "session.drop",
    "session.whole",
    "bench",
];

/// Process-wide state: OHTTP response contexts and live sessions, both behind string handles.
#[derive(Default)]
pub struct State {
    pub ohttp: ohttp_ops::Contexts,
    pub sessions: live::Sessions,
    /// Started by `--supervise` as its child: `hello` announces `respawn`.
    pub supervised: bool,
}

/// An op that keeps no state between calls: what `dispatch` serves first and `bench` may time.
pub type StatelessOp = fn(&Args) -> Answer;

/// The stateless ops by name. The OHTTP ops that hold response contexts and the live sessions
/// are not here: each call would change what the next one sees.
pub fn stateless(op: &str) -> Option<StatelessOp> {
    let run: StatelessOp = match op {
        "hpke.seal" => crypto::hpke_seal,
        "hpke.open" => |a| crypto::hpke_open(a).into(),
        "ellswift.encode" => |a| crypto::ellswift_encode(a).into(),
        "ellswift.decode" => |a| crypto::ellswift_decode(a).into(),
        "bip77.msg_a.seal" => crypto::msg_a_seal,
        "bip77.msg_a.open" => |a| crypto::msg_a_open(a).into(),
        "bip77.msg_b.seal" => crypto::msg_b_seal,
        "bip77.msg_b.open" => |a| crypto::msg_b_open(a).into(),
        "ohttp.keys.decode" => |a| ohttp_ops::keys_decode(a).into(),
        "bhttp.request.encode" => |a| ohttp_ops::bhttp_encode(a).into(),
        "bhttp.request.decode" => |a| ohttp_ops::bhttp_decode(a).into(),
        "uri.parse" => |a| uri_ops::uri_parse(a).into(),
        "short_id" => |a| uri_ops::short_id(a).into(),
        "event.roundtrip" => |a| events::roundtrip(a).into(),
        "replay" => |a| events::replay(a).into(),
        "psbt.to_json" => |a| psbt_ops::to_json(a).into(),
        "psbt.from_json" => |a| psbt_ops::from_json(a).into(),
        // A whole session in-process (session_bench.rs): it keeps no state between calls.
        "session.whole" => |a| session_bench::whole(a).into(),
        _ => return None,
    };
    Some(run)
}

fn hello(supervised: bool) -> Value {
    let mut hello = json!({
        "protocol": 1,
        "implementation": IMPLEMENTATION,
        "version": VERSION,
        "ops": OPS,
        "deterministic": false,
    });
    if supervised {
        // Our parent answers pjconf.respawn (supervise.rs); an unsupervised process cannot.
        hello["respawn"] = Value::Bool(true);
    }
    hello
}

fn dispatch(state: &mut State, op: &str, args: &Map<String, Value>) -> Answer {
    if let Some(run) = stateless(op) {
        return run(args);
    }
    match op {
        "hello" => Answer::Result(hello(state.supervised)),
        "ohttp.request.seal" => ohttp_ops::request_seal(&mut state.ohttp, args),
        "ohttp.request.open" => ohttp_ops::request_open(&mut state.ohttp, args),
        "ohttp.response.seal" => ohttp_ops::response_seal(&mut state.ohttp, args),
        "ohttp.response.open" => ohttp_ops::response_open(&mut state.ohttp, args),
        "session.new_receiver" => live::new_receiver(&mut state.sessions, args).into(),
        "session.new_sender" => live::new_sender(&mut state.sessions, args).into(),
        "session.resume" => live::resume(&mut state.sessions, args).into(),
        "session.call" => live::call(&mut state.sessions, args),
        "session.request" => live::request(&mut state.sessions, args).into(),
        "session.response" => live::response(&mut state.sessions, args),
        "session.events" => live::session_events(&state.sessions, args).into(),
        "session.drop" => live::session_drop(&mut state.sessions, args).into(),
        "bench" => bench::bench(args),
        other => Answer::Unimplemented(format!("op {other:?} is not implemented by this adapter")),
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_string()
    }
}

fn error_object(id: Value, kind: &str, message: String) -> Value {
    json!({"id": id, "error": {"kind": kind, "message": message}})
}

/// Answer one line. Returns the answer and whether the process should exit afterwards.
fn handle_line(state: &mut State, line: &str) -> (Value, bool) {
    let parsed: Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => return (error_object(Value::Null, "BadRequest", format!("bad JSON: {e}")), false),
    };
    let Some(obj) = parsed.as_object() else {
        return (error_object(Value::Null, "BadRequest", "request is not a JSON object".into()), false);
    };
    let id = match obj.get("id") {
        Some(v @ Value::Number(n)) if n.is_i64() || n.is_u64() => v.clone(),
        _ => {
            return (error_object(Value::Null, "BadRequest", "missing or non-integer \"id\"".into()), false)
        }
    };
    let Some(op) = obj.get("op").and_then(Value::as_str) else {
        return (error_object(id, "BadRequest", "\"op\" missing or not a string".into()), false);
    };
    let empty = Map::new();
    let args = match obj.get("args") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(m)) => m,
        Some(_) => return (error_object(id, "BadRequest", "\"args\" is not an object".into()), false),
    };

    if op == "shutdown" {
        return (json!({"id": id, "result": {}}), true);
    }

    let answer = catch_unwind(AssertUnwindSafe(|| dispatch(state, op, args)));
    let out = match answer {
        Ok(Answer::Result(result)) => json!({"id": id, "result": result}),
        Ok(Answer::Error(e)) => {
            let mut err = Map::new();
            err.insert("kind".into(), Value::String(e.kind));
            err.insert("message".into(), Value::String(e.message));
            if let Some(reason) = e.reason {
                err.insert("reason".into(), Value::String(reason));
            }
            for (k, v) in e.extra {
                err.insert(k, v);
            }
            json!({"id": id, "error": err})
        }
        Ok(Answer::Unimplemented(message)) => {
            json!({"id": id, "unimplemented": true, "message": message})
        }
        Err(payload) => {
            error_object(id, "InternalError", format!("panic: {}", panic_message(payload.as_ref())))
        }
    };
    (out, false)
}

fn main() {
    let flag = std::env::args().nth(1);
    if flag.as_deref() == Some("--supervise") {
        supervise::run();
    }
    // Keep panics inside rust-payjoin visible on stderr (free for logs) but short.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("pjconf-adapter-rust-payjoin: caught panic: {info}");
    }));

    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut state = State {
        supervised: flag.as_deref() == Some(supervise::CHILD_FLAG),
        ..State::default()
    };
    let mut input = stdin.lock();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match input.read_until(b'\n', &mut buf) {
            Ok(0) => break, // EOF
            Ok(_) => {}
            Err(e) => {
                eprintln!("pjconf-adapter-rust-payjoin: stdin: {e}");
                break;
            }
        }
        let line = String::from_utf8_lossy(&buf);
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (answer, exit) = handle_line(&mut state, line);
        let mut out = stdout.lock();
        let text = serde_json::to_string(&answer).expect("a serde_json::Value always serializes");
        if writeln!(out, "{text}").and_then(|_| out.flush()).is_err() {
            break;
        }
        if exit {
            break;
        }
    }
    std::process::exit(0);
}
