//! `--supervise`: the image's entrypoint, a parent that relays the protocol to a child adapter
//! and kills and replaces that child on `pjconf.respawn` (docs/adapter-protocol.md, "Respawn").
//!
//! Why: a crash-resume session crashes the adapter at every persistence point. Restarting the
//! whole container costs a `docker` round of ~0.15-0.3 s per crash; killing a child process and
//! starting a new one costs about a millisecond. The crash stays real: the child is SIGKILLed
//! (no shutdown, no flush, no handler runs) and reaped, so every byte of its memory, its live
//! sessions among them, is gone, and the fresh child knows only what the harness sends it.
//!
//! The parent holds no protocol state. It reads request lines and writes them to the child
//! unchanged, except for a line whose `op` is exactly `pjconf.respawn`, which it answers
//! itself; a relay thread copies the child's answer lines to stdout. When the child ends on its
//! own (`shutdown`, end of input, a crash the harness did not ask for), the parent ends too, so
//! the harness sees the adapter exit exactly as it would without a supervisor.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use serde_json::{json, Value};

/// The control op the supervisor answers itself.
pub const RESPAWN_OP: &str = "pjconf.respawn";
/// The argument the child is started with: it serves as usual, and its `hello` says
/// `"respawn": true` (it is supervised, so the op will be answered).
pub const CHILD_FLAG: &str = "--supervised";

/// One running child: the process, its stdin, and the thread relaying its stdout.
struct Worker {
    child: Child,
    stdin: ChildStdin,
    relay: JoinHandle<()>,
}

/// Which child is the current one: a relay thread whose child is no longer current was
/// respawned away, and its end of output is expected, not the adapter's end.
type Generation = Arc<AtomicU64>;

fn start(generation: &Generation) -> std::io::Result<Worker> {
    let exe = std::env::current_exe()
        .or_else(|_| std::env::args_os().next().map(Into::into).ok_or(std::io::ErrorKind::NotFound))?;
    let mut child = Command::new(exe)
        .arg(CHILD_FLAG)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let stdin = child.stdin.take().expect("stdin was piped");
    let stdout = child.stdout.take().expect("stdout was piped");
    let mine = generation.load(Ordering::SeqCst);
    let current = Arc::clone(generation);
    let relay = std::thread::spawn(move || {
        let mut input = BufReader::new(stdout);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match input.read_until(b'\n', &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let out = std::io::stdout();
                    let mut out = out.lock();
                    if out.write_all(&buf).and_then(|_| out.flush()).is_err() {
                        std::process::exit(0); // nobody reads us any more
                    }
                }
            }
        }
        if current.load(Ordering::SeqCst) == mine {
            // The child ended on its own: so does the adapter, as it would unsupervised.
            std::process::exit(0);
        }
    });
    Ok(Worker { child, stdin, relay })
}

/// SIGKILL the child, reap it, and wait until everything it wrote has been relayed (so no
/// answer of the old child can follow the respawn's answer).
fn kill(worker: Worker, generation: &Generation) {
    generation.fetch_add(1, Ordering::SeqCst);
    let Worker { mut child, stdin, relay } = worker;
    let _ = child.kill(); // std's kill is SIGKILL on Unix
    let _ = child.wait();
    drop(stdin);
    let _ = relay.join();
}

/// The request's id when the line is a `pjconf.respawn` request, else None (forward it).
fn respawn_request(line: &[u8]) -> Option<Value> {
    // Cheap test first: only a line naming the op is parsed here; the child parses the rest.
    if !line.windows(RESPAWN_OP.len()).any(|w| w == RESPAWN_OP.as_bytes()) {
        return None;
    }
    let parsed: Value = serde_json::from_slice(line).ok()?;
    let object = parsed.as_object()?;
    if object.get("op").and_then(Value::as_str) != Some(RESPAWN_OP) {
        return None;
    }
    match object.get("id") {
        Some(id @ Value::Number(n)) if n.is_i64() || n.is_u64() => Some(id.clone()),
        _ => None, // not a valid request: the child answers BadRequest as for any other
    }
}

fn answer(value: Value) {
    let out = std::io::stdout();
    let mut out = out.lock();
    let text = serde_json::to_string(&value).expect("a serde_json::Value always serializes");
    if writeln!(out, "{text}").and_then(|_| out.flush()).is_err() {
        std::process::exit(0);
    }
}

/// The supervisor's loop; never returns.
pub fn run() -> ! {
    let generation: Generation = Arc::new(AtomicU64::new(0));
    let mut worker = match start(&generation) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("pjconf-adapter-rust-payjoin: cannot start the adapter: {e}");
            std::process::exit(1);
        }
    };
    let mut respawns: u64 = 0;
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match input.read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        if let Some(id) = respawn_request(&buf) {
            kill(worker, &generation);
            worker = match start(&generation) {
                Ok(w) => w,
                Err(e) => {
                    let message = format!("cannot start a new adapter process: {e}");
                    answer(json!({"id": id, "error": {"kind": "InternalError", "message": message}}));
                    std::process::exit(1);
                }
            };
            respawns += 1;
            answer(json!({"id": id, "result": {"respawned": true, "respawns": respawns}}));
            continue;
        }
        if worker.stdin.write_all(&buf).and_then(|_| worker.stdin.flush()).is_err() {
            break; // the child is gone: its relay thread ends the process
        }
    }
    // End of our input: the child's, too; it exits as it would unsupervised, and so do we.
    let Worker { mut child, stdin, relay } = worker;
    drop(stdin);
    let _ = relay.join();
    let status = child.wait().map(|s| s.code().unwrap_or(1)).unwrap_or(1);
    std::process::exit(status);
}
