//! Compile-time checked OpenTelemetry GenAI tracing for AI agents.
//!
//! Annotate your own functions and every call becomes a span in the GenAI semantic conventions,
//! nested into one trace per run:
//!
//! ```
//! use genai_tracing::{agent, tool};
//!
//! /// Evaluates arithmetic.
//! #[tool]
//! fn calculator(expr: &str) -> Result<f64, std::num::ParseFloatError> {
//!     expr.trim().parse()
//! }
//!
//! #[agent(name = "researcher")]
//! async fn run(goal: &str) -> Result<String, std::num::ParseFloatError> {
//!     Ok(format!("{goal} = {}", calculator("4")?))
//! }
//! ```
//!
//! - [`agent`] → `invoke_agent {name}`, [`workflow`] → `invoke_workflow {name}`,
//!   [`llm_call`] → `chat {model}` (CLIENT), [`tool`] → `execute_tool {name}`.
//! - Spans go through `tracing` and `tracing-opentelemetry`: [`init`] sets up OTLP export from the
//!   standard environment, or add `tracing_opentelemetry::layer()` to your own subscriber.
//! - Content (arguments, messages, results) is recorded only when capture is on: see [`capture`].
//! - Every model call carries its cost in US dollars, and every agent the tokens and cost of the
//!   calls beneath it: see [`cost`].
//! - An `#[llm_call]` returning a stream of chunks ([`ModelChunk`]) is one span that lasts until
//!   the stream ends, with time to first chunk and the usage read from the chunks.
//! - With the cargo feature `async-openai`, async-openai's chat-completion request, response and
//!   stream chunk types need nothing else.
//! - Across processes, [`inject`](propagation::inject) the current context into a request's headers and
//!   [`extract`](propagation::extract)
//!   it on the other side, for `parent = ..`: one trace over an HTTP handoff (see [`propagation`]).
//! - With the cargo feature `mcp`, `mcp` traces MCP clients and servers built on `rmcp`, the
//!   context riding in `params._meta`.
//! - Export never blocks the agent and counts what it loses; tail sampling keeps every error
//!   trace; console and file exporters work with no server; platform presets for Phoenix,
//!   MLflow, Langfuse and LangSmith: see [`export`]. Token, duration and cost metrics are recorded
//!   for every call: see [`metrics`].
//! - Record mode stores every tool's and model call's output in the trace; a [`replay::Cassette`]
//!   serves them back instead of calling the model or tool, so a recorded run reproduces
//!   deterministically in a test: see [`replay`].
//! - Attribute names are in [`semconv`].

mod call;
pub mod capture;
mod context;
pub mod cost;
pub mod eval;
pub mod export;
mod failure;
mod init;
#[cfg(feature = "mcp")]
pub mod mcp;
pub mod metrics;
mod model;
pub mod replay;
pub mod semconv;
mod spans;
mod trace;

#[doc(hidden)]
pub mod __private;

pub use context::propagation;
pub use context::{spawn, spawn_blocking, spawn_thread, Scoped, TraceAttributes};
pub use failure::ErrorType;
pub use genai_tracing_macros::{agent, embeddings, llm_call, memory, retrieval, tool, workflow};
pub use init::{init, Builder, InitError, TracingGuard};
pub use model::{
    ChatMessage, Delta, DeltaPart, MessagePart, ModelChunk, ModelRequest, ModelResponse,
    OutputMessage, RequestParameters, Usage,
};
