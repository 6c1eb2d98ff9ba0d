//! The `bench` op: time one of this adapter's stateless ops inside the process.
//!
//! Timing here keeps the pipe, the container and the JSON framing out of the figure, so the
//! harness compares rust-payjoin's work with the reference's (docs/adapter-protocol.md,
//! "Benchmarks"). The rules match the reference's `pjconf.harness.adapters.bench_op`: arguments
//! are checked first, an op that keeps state (live sessions, OHTTP contexts) or is unknown is
//! `unimplemented`, and an op that fails on the given `args` answers its own error, not a figure.

use std::hint::black_box;
use std::time::Instant;

use serde_json::{json, Map, Value};

use crate::args::{arg_str, arg_u64, opt_value, Args, OpError};
use crate::{stateless, Answer};

/// `op`, its `args` (absent means empty, as in a request) and `iterations` (at least 1).
fn bench_args<'a>(args: &'a Args, empty: &'a Args) -> Result<(&'a str, &'a Args, u64), OpError> {
    let op = arg_str(args, "op")?;
    let op_args = match opt_value(args, "args") {
        None => empty,
        Some(Value::Object(m)) => m,
        Some(_) => return Err(OpError::invalid_arg("args", "not an object")),
    };
    let iterations = arg_u64(args, "iterations")?;
    if iterations == 0 {
        return Err(OpError::invalid_arg("iterations", "must be at least 1"));
    }
    Ok((op, op_args, iterations))
}

/// One untimed call (its answer is returned as `result`, so the caller sees what was timed),
/// then `iterations` calls between two `Instant` readings. Any call that does not succeed ends
/// the bench with its own answer.
pub fn bench(args: &Args) -> Answer {
    let empty = Map::new();
    let (op, op_args, iterations) = match bench_args(args, &empty) {
        Ok(parsed) => parsed,
        Err(e) => return Answer::Error(e),
    };
    let Some(run) = stateless(op) else {
        return Answer::Unimplemented(format!("op {op:?} cannot be benched by this adapter"));
    };
    let first = match run(op_args) {
        Answer::Result(value) => value,
        other => return other,
    };
    let start = Instant::now();
    for _ in 0..iterations {
        match black_box(run(black_box(op_args))) {
            Answer::Result(_) => {}
            other => return other,
        }
    }
    let ns_total = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
    Answer::Result(json!({"iterations": iterations, "ns_total": ns_total, "result": first}))
}
