//! The instrumented call: what the macros' expansion drives from a function's start to its end.
//!
//! - `lifecycle.rs`: a [`Call`] wraps the span, keeps the trace attributes in force, runs the
//!   body (sync or async) and ends the span with the right status: value, error, panic or
//!   cancellation.
//! - `record.rs`: what each kind of call records of its inputs and outputs.
//! - `model.rs`: a model call's response, usage, cost and metrics.
//! - `stream.rs`: a streaming model call, one span until the stream ends.
//! - `replay.rs`: the record and replay hooks of tools and model calls.
//! - `retry.rs`: retries inside one span.
//! - `hosted.rs`: a tool recording into the MCP server span that hosts it.
//! - `rollup.rs`: an agent's totals of the model calls beneath it.
//! - `fields.rs`: how values are written on the span.

mod fields;
mod hosted;
mod lifecycle;
mod model;
mod record;
mod replay;
mod retry;
mod rollup;
mod stream;

#[cfg_attr(not(feature = "mcp"), allow(unused_imports))]
pub(crate) use hosted::{hosting, Host};
pub use lifecycle::{Call, CallFuture, State};
pub use replay::{Replay, Replaying};
pub use retry::{backoff, Attempts, RetryPolicy};
pub use stream::{StreamReturn, TracedStream};
