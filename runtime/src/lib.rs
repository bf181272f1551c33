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
//! One attribute macro per kind of step, each a span in the conventions:
//!
//! - [`agent`]: an agent run, `invoke_agent {name}`, with the tokens and cost of the model calls
//!   beneath it; its page also documents the options every macro takes.
//! - [`workflow`]: an application-defined workflow, `invoke_workflow {name}`.
//! - [`llm_call`]: a model call, `{operation} {model}` (CLIENT), whole or streamed, with its usage
//!   and cost.
//! - [`embeddings`]: an embeddings call, `embeddings {model}` (CLIENT).
//! - [`tool`]: a tool, `execute_tool {name}`, with its arguments and result.
//! - [`retrieval`]: a retrieval, `retrieval {data_source}` (CLIENT), with its query and documents.
//! - [`memory`]: a memory operation, `search_memory`, `create_memory`, … (CLIENT).
//!
//! Every macro takes `skip(arg, ..)`, `skip_all`, `skip_result` and `capture = true | false` (what
//! content is recorded), `fields(..)`, `session`/`user`/`conversation`, `parent` and `crate`; a
//! misuse is a compile error on your tokens that says what to write instead.
//!
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

/// Re-exports the attribute macros with the targets of the links in their documentation, which
/// is written in `genai-tracing-macros` (a crate that cannot name these items): Markdown reference
/// definitions, which render as nothing and are resolved here. rustdoc does not report one it
/// cannot resolve, nor a reference with no definition: `scripts/doc_links.py` reads the rendered
/// pages for both (run by CI).
macro_rules! documented_macros {
    ($($name:ident),* $(,)?) => {$(
        #[doc = "[`agent`]: crate::agent"]
        #[doc = "[`Builder`]: crate::Builder"]
        #[doc = "[`init`]: fn@crate::init"]
        #[doc = "[`TraceAttributes`]: crate::TraceAttributes"]
        #[doc = "[`propagation::extract`]: crate::propagation::extract"]
        #[doc = "[`RemoteContext`]: crate::propagation::RemoteContext"]
        #[doc = "[`Parent`]: crate::propagation::Parent"]
        #[doc = "[`capture`]: crate::capture"]
        #[doc = "[`CapturedArgument`]: crate::capture::CapturedArgument"]
        #[doc = "[`CapturedResult`]: crate::capture::CapturedResult"]
        #[doc = "[`ModelResponse`]: crate::ModelResponse"]
        #[doc = "[`ModelRequest`]: crate::ModelRequest"]
        #[doc = "[`ModelChunk`]: crate::ModelChunk"]
        #[doc = "[`cost`]: crate::cost"]
        pub use genai_tracing_macros::$name;
    )*};
}
documented_macros!(agent, workflow, llm_call, embeddings, tool, retrieval, memory);
pub use init::{init, Builder, InitError, TracingGuard};
pub use model::{
    ChatMessage, Delta, DeltaPart, MessagePart, ModelChunk, ModelRequest, ModelResponse,
    OutputMessage, RequestParameters, Usage,
};
