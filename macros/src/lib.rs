//! Attribute macros of `genai-tracing`; use them through that crate, which re-exports them.
//!
//! Their documentation is written for that crate: its links name `genai_tracing`'s items (its
//! `Builder`, its `capture` module) as Markdown references that the re-exports define (see
//! `runtime/src/lib.rs`), so they resolve, and are checked, where the docs are read. Here they do
//! not resolve, hence the lint allowed below.
//!
//! Each macro parses its options (`attr.rs`; `spelling.rs` finds the option a misspelt one
//! meant), checks them against each other and the function (`check.rs`), and rewrites the
//! function to run inside a GenAI span (`expand.rs`: the span and its inputs in `prelude.rs`, the
//! body in `body.rs`, with `args.rs`, `returns.rs` and `stream_shape.rs` reading the signature).
//! All real work is in the runtime crate.

#![allow(rustdoc::broken_intra_doc_links)]

mod args;
mod attr;
mod body;
mod check;
mod expand;
mod prelude;
mod returns;
mod spelling;
mod stream_shape;

use attr::{Kind, Options};
use proc_macro::TokenStream;

fn instrument(kind: Kind, args: TokenStream, item: TokenStream) -> TokenStream {
    let item2 = proc_macro2::TokenStream::from(item.clone());
    let function = match syn::parse2::<syn::ItemFn>(item2.clone()) {
        Ok(f) => f,
        Err(_) => return not_a_function(kind, item2).unwrap_or(item),
    };
    Options::parse(kind, args.into())
        .and_then(|options| expand::expand(kind, options, function))
        .unwrap_or_else(|err| {
            let err = err.to_compile_error();
            // Keep the function, so its other uses do not add errors of their own.
            quote::quote!(#err #item2)
        })
        .into()
}

/// The error for an item that is not a function with a body; `None` when the tokens do not parse
/// (rustc will report the real syntax error on the unchanged item).
fn not_a_function(kind: Kind, item: proc_macro2::TokenStream) -> Option<TokenStream> {
    let name = kind.attr_name();
    let err = if let Ok(decl) = syn::parse2::<syn::TraitItemFn>(item.clone()) {
        syn::Error::new_spanned(
            &decl.sig,
            format!("#[{name}] needs a function with a body; put it on the implementation"),
        )
    } else if let Ok(other) = syn::parse2::<syn::Item>(item.clone()) {
        syn::Error::new_spanned(other, format!("#[{name}] can only be used on functions"))
    } else {
        return None;
    };
    let err = err.to_compile_error();
    Some(quote::quote!(#err #item).into())
}

/// Traces an agent: span `invoke_agent {name}`, kind INTERNAL, `gen_ai.operation.name =
/// invoke_agent`, `openinference.span.kind = AGENT`; it also carries the summed tokens and cost of
/// the model calls beneath it.
///
/// Spans go nowhere until something exports them: [`init`] (or a [`Builder`]) at the start of
/// `main`, or a `tracing-opentelemetry` layer in your own subscriber.
///
/// Options: `name = ".."` (default: the function's name), `description = ".."` (default: the
/// first paragraph of the doc comment), `id = expr`, `version = expr`, `provider = expr` (emitted
/// only under the semconv v1.41 names), and the common options:
///
/// - `skip(arg, ..)`, `skip_all`, `skip_result`, `capture = true | false`: what content is
///   recorded (below);
/// - `fields(key = expr, ..)`: extra attributes (`%expr` for `Display`, `?expr` for `Debug`);
/// - `session = expr`, `user = expr`, `conversation = expr`: trace attributes for this call and
///   its children (see [`TraceAttributes`]);
/// - `parent = expr`: a propagated context ([`propagation::extract`]`(&headers)`, a
///   [`RemoteContext`], an OpenTelemetry `Context`, a `tracing::Span`, or an `Option` of one: a
///   [`Parent`]) that this call's span continues; arguments the expression reads are never
///   captured;
/// - `crate = "path"`: where `genai_tracing` is, when renamed or re-exported.
///
/// Model, embeddings, tool, retrieval and memory calls also take `retry = N` (run the body again
/// after an `Err`, up to N attempts, in one span) and `backoff = Duration` (the first wait,
/// doubled after each failure).
///
/// With capture on, the arguments are recorded as `input.value` and the result as `output.value`.
///
/// **What is captured.** Capture is off unless the process turns it on (see [`capture`]). When it
/// is on, `skip(arg, ..)` keeps the named arguments out,
/// `skip_all` every argument, and `skip_result` the result: the arguments are still recorded, and
/// a model call still records its usage, response id and model, finish reasons and cost, only not
/// its output messages. `skip_all, skip_result` together record no content. `capture = true |
/// false` overrides the process policy for this function; `false` records no content at all. A
/// value kept out need not implement `serde::Serialize`; every captured one must (an argument is
/// a [`CapturedArgument`], a result a [`CapturedResult`]), or the compile error on it says which
/// of these to write. Rejected as compile errors: `skip(..)` beside
/// `skip_all`, any skip beside `capture = false` (redundant), `capture = true` with nothing left
/// to capture, `skip_result` on a function that returns nothing, or on a memory operation other
/// than `search_memory` (its records are its arguments).
///
/// ```
/// // The arguments are recorded; the handle it returns is not (and need not be `Serialize`).
/// struct Handle(std::fs::File);
///
/// #[genai_tracing::tool(skip_result)]
/// fn open(path: &str) -> std::io::Result<Handle> {
///     std::fs::File::open(path).map(Handle)
/// }
/// ```
///
/// ```
/// /// Answers questions from the web.
/// #[genai_tracing::agent(name = "researcher", version = "2")]
/// async fn run(goal: &str) -> Result<String, std::io::Error> {
///     Ok(goal.to_uppercase())
/// }
/// ```
#[proc_macro_attribute]
pub fn agent(args: TokenStream, item: TokenStream) -> TokenStream {
    instrument(Kind::Agent, args, item)
}

/// Traces an application-defined workflow: span `invoke_workflow {name}`, kind INTERNAL,
/// `gen_ai.workflow.name`, `openinference.span.kind = CHAIN`.
///
/// Options: `name = ".."` and the common options (see [`agent`]).
///
/// ```
/// #[genai_tracing::workflow(name = "nightly-report")]
/// fn report(day: u32) -> String {
///     format!("report for day {day}")
/// }
/// ```
#[proc_macro_attribute]
pub fn workflow(args: TokenStream, item: TokenStream) -> TokenStream {
    instrument(Kind::Workflow, args, item)
}

/// Traces a model call: span `{operation} {model}`, kind CLIENT.
///
/// Options: `provider = ".."` (required: `gen_ai.provider.name`), `model = expr` (a literal or
/// any expression over the arguments that gives a `&str`-like value; default: the model of a
/// request argument), `operation = "chat" | "text_completion" | "generate_content" |
/// "embeddings"`, and the common options (see [`agent`]).
///
/// The return type (`T` or `Result<T, E>`) must implement [`ModelResponse`]: it gives the response
/// id and model, finish reasons and token usage. An argument implementing [`ModelRequest`] gives
/// the request parameters and, with capture on, the input messages; `serde_json::Value`
/// implements both for the OpenAI and Anthropic shapes (and, with the `async-openai` feature, so
/// do async-openai's chat-completion types). The usage is priced (see [`cost`]).
///
/// ```
/// #[genai_tracing::llm_call(provider = "openai")]
/// async fn plan(request: &serde_json::Value) -> Result<serde_json::Value, std::io::Error> {
///     Ok(serde_json::json!({"choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 1}}))
/// }
/// ```
///
/// **Streaming.** A function returning a stream of chunks — `impl Stream<Item = Result<C, E>>`,
/// a boxed `dyn Stream` of them, or a type named `…Stream` (async-openai's
/// `ChatCompletionResponseStream`), alone or in a `Result`, from a plain or `async fn` — gets one
/// span that lasts until the stream ends: `gen_ai.request.stream = true`,
/// `gen_ai.response.time_to_first_chunk`, and the usage, finish reasons and (with capture on,
/// bounded) assembled output read from the chunks, which must implement [`ModelChunk`]. A stream
/// dropped early ends its span as `cancelled`; an `Err` item or an error event sets ERROR.
/// `stream` marks a stream type under another name; `stream = false` turns the detection off.
///
/// ```
/// use futures_util::Stream;
/// use serde_json::Value;
///
/// #[genai_tracing::llm_call(provider = "openai", model = "gpt-4o-mini")]
/// fn chat(chunks: Vec<Value>) -> impl Stream<Item = Result<Value, std::io::Error>> {
///     futures_util::stream::iter(chunks.into_iter().map(Ok))
/// }
/// ```
#[proc_macro_attribute]
pub fn llm_call(args: TokenStream, item: TokenStream) -> TokenStream {
    instrument(Kind::LlmCall, args, item)
}

/// Traces an embeddings call: span `embeddings {model}`, kind CLIENT,
/// `openinference.span.kind = EMBEDDING`; the same as `#[llm_call(operation = "embeddings")]`.
///
/// Options: `provider` (required), `model = expr`, `dimensions = expr`
/// (`gen_ai.embeddings.dimension.count`), and the common options (see [`agent`]). The return type
/// must implement [`ModelResponse`] (its usage gives `gen_ai.usage.input_tokens`).
///
/// ```
/// #[genai_tracing::embeddings(provider = "openai", model = "text-embedding-3-small", dimensions = 512)]
/// async fn embed(text: &str) -> Result<serde_json::Value, std::io::Error> {
///     Ok(serde_json::json!({"usage": {"prompt_tokens": 3}}))
/// }
/// ```
#[proc_macro_attribute]
pub fn embeddings(args: TokenStream, item: TokenStream) -> TokenStream {
    instrument(Kind::Embeddings, args, item)
}

/// Traces a retrieval: span `retrieval {data_source}`, kind CLIENT, `gen_ai.operation.name =
/// retrieval`, `openinference.span.kind = RETRIEVER`.
///
/// Options: `data_source = expr` (`gen_ai.data_source.id`), `query = arg` (the argument holding
/// the query; default: the first captured one), `top_k = expr` (documents asked for),
/// `provider = expr`, `model = expr`, and the common options (see [`agent`]). With capture on,
/// the query is recorded in `gen_ai.retrieval.query.text` and the result (`T` of `Result<T, E>`)
/// in `gen_ai.retrieval.documents`: give documents an `id` and a `score`, which Phoenix requires.
///
/// ```
/// #[derive(serde::Serialize)]
/// struct Doc { id: String, score: f64, content: String }
///
/// #[genai_tracing::retrieval(data_source = "handbook", top_k = 3)]
/// fn search(query: &str) -> Vec<Doc> {
///     vec![Doc { id: "d1".into(), score: 0.9, content: query.into() }]
/// }
/// ```
#[proc_macro_attribute]
pub fn retrieval(args: TokenStream, item: TokenStream) -> TokenStream {
    instrument(Kind::Retrieval, args, item)
}

/// Traces a memory operation: span `{operation}`, kind CLIENT.
///
/// Options: `operation = "search_memory" | "create_memory" | "update_memory" | "upsert_memory" |
/// "delete_memory" | "create_memory_store" | "delete_memory_store"` (required), `store = expr`
/// (`gen_ai.memory.store.id`), `record = expr` (`gen_ai.memory.record.id`), `query = arg` (a
/// search's query; default: the first captured argument), `provider = expr`, and the common
/// options (see [`agent`]). A search's `Vec` result gives `gen_ai.memory.record.count` and, with
/// capture on, `gen_ai.memory.records`, and its query goes in `gen_ai.memory.query.text`; the
/// other operations count a `Vec` first argument, and `create_memory`, `update_memory` and
/// `upsert_memory` record their arguments (a lone list as it is, else one record of them).
///
/// ```
/// #[genai_tracing::memory(operation = "search_memory", store = "user-facts")]
/// fn recall(query: &str) -> Vec<String> {
///     vec![format!("remembered: {query}")]
/// }
/// ```
#[proc_macro_attribute]
pub fn memory(args: TokenStream, item: TokenStream) -> TokenStream {
    instrument(Kind::Memory, args, item)
}

/// Traces a tool: span `execute_tool {name}`, kind INTERNAL, `gen_ai.tool.type = function`.
///
/// Options: `name = ".."`, `description = ".."` (default: the doc comment's first paragraph),
/// `call_id = expr` (`gen_ai.tool.call.id`), and the common options (see [`agent`]). With capture
/// on, the named arguments are recorded as a JSON object in `gen_ai.tool.call.arguments` and the
/// result in `gen_ai.tool.call.result`.
///
/// An `async fn` is traced until its future completes (or is dropped). A plain `fn` that returns a
/// future is traced only while it builds the future: make it an `async fn` to trace the work.
///
/// Run directly inside an MCP server's `tools/call` span of the same tool name (`genai_tracing::mcp`),
/// a tool records into that span instead of opening its own: one span per tool call.
///
/// ```
/// /// Adds two numbers.
/// #[genai_tracing::tool]
/// fn add(a: f64, b: f64) -> f64 {
///     a + b
/// }
/// ```
#[proc_macro_attribute]
pub fn tool(args: TokenStream, item: TokenStream) -> TokenStream {
    instrument(Kind::Tool, args, item)
}
