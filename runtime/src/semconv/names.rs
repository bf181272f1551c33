//! The names themselves: attribute, event and metric names, and the well-known values of a few.

// --- tracing-opentelemetry special fields -------------------------------------------------------

/// Overrides the OpenTelemetry span name (read by `tracing-opentelemetry`).
pub const OTEL_NAME: &str = "otel.name";
/// The OpenTelemetry span kind: `client`, `internal`, … (read by `tracing-opentelemetry`).
pub const OTEL_KIND: &str = "otel.kind";
/// The span status code, `ok` or `error` (read by `tracing-opentelemetry`).
pub const OTEL_STATUS_CODE: &str = "otel.status_code";
/// The span status description; recording it sets the status to error (read by `tracing-opentelemetry`).
pub const OTEL_STATUS_DESCRIPTION: &str = "otel.status_description";

// --- general (stable) --------------------------------------------------------------------------

/// Low-cardinality class of the error that ended the operation.
pub const ERROR_TYPE: &str = "error.type";

// --- GenAI: operation, provider, agent, workflow -----------------------------------------------

/// The operation: `chat`, `execute_tool`, `invoke_agent`, … (see [`operation`]).
pub const GEN_AI_OPERATION_NAME: &str = "gen_ai.operation.name";
/// The model provider, e.g. `openai`, `anthropic`.
pub const GEN_AI_PROVIDER_NAME: &str = "gen_ai.provider.name";
/// Name the application gives the agent.
pub const GEN_AI_AGENT_NAME: &str = "gen_ai.agent.name";
/// Free-form description of the agent.
pub const GEN_AI_AGENT_DESCRIPTION: &str = "gen_ai.agent.description";
/// Stable id of a hosted agent.
pub const GEN_AI_AGENT_ID: &str = "gen_ai.agent.id";
/// Version of the agent.
pub const GEN_AI_AGENT_VERSION: &str = "gen_ai.agent.version";
/// Low-cardinality name of a workflow.
pub const GEN_AI_WORKFLOW_NAME: &str = "gen_ai.workflow.name";

// --- GenAI: request ----------------------------------------------------------------------------

/// Model name as requested.
pub const GEN_AI_REQUEST_MODEL: &str = "gen_ai.request.model";
/// Sampling temperature (double).
pub const GEN_AI_REQUEST_TEMPERATURE: &str = "gen_ai.request.temperature";
/// Maximum tokens to generate (int).
pub const GEN_AI_REQUEST_MAX_TOKENS: &str = "gen_ai.request.max_tokens";
/// Nucleus sampling parameter (double).
pub const GEN_AI_REQUEST_TOP_P: &str = "gen_ai.request.top_p";
/// Top-K decoding parameter (double in v1.41, int in the latest names).
pub const GEN_AI_REQUEST_TOP_K: &str = "gen_ai.request.top_k";
/// Number of documents a retrieval asks for (int; latest name, see [`Versioned`](super::version::Versioned)).
pub const GEN_AI_RETRIEVAL_TOP_K: &str = "gen_ai.retrieval.top_k";
/// Stop sequences (string array).
pub const GEN_AI_REQUEST_STOP_SEQUENCES: &str = "gen_ai.request.stop_sequences";
/// Seed (int).
pub const GEN_AI_REQUEST_SEED: &str = "gen_ai.request.seed";
/// Set to `true` on a streaming call only (boolean).
pub const GEN_AI_REQUEST_STREAM: &str = "gen_ai.request.stream";
/// Frequency penalty (double).
pub const GEN_AI_REQUEST_FREQUENCY_PENALTY: &str = "gen_ai.request.frequency_penalty";
/// Presence penalty (double).
pub const GEN_AI_REQUEST_PRESENCE_PENALTY: &str = "gen_ai.request.presence_penalty";

// --- GenAI: response and usage -----------------------------------------------------------------

/// Completion id returned by the provider.
pub const GEN_AI_RESPONSE_ID: &str = "gen_ai.response.id";
/// Model that actually answered.
pub const GEN_AI_RESPONSE_MODEL: &str = "gen_ai.response.model";
/// One finish reason per choice (string array).
pub const GEN_AI_RESPONSE_FINISH_REASONS: &str = "gen_ai.response.finish_reasons";
/// Seconds from the request to the first chunk of a streamed response (double).
pub const GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK: &str = "gen_ai.response.time_to_first_chunk";
/// All input tokens, cached ones included (int).
pub const GEN_AI_USAGE_INPUT_TOKENS: &str = "gen_ai.usage.input_tokens";
/// All output tokens, reasoning ones included (int).
pub const GEN_AI_USAGE_OUTPUT_TOKENS: &str = "gen_ai.usage.output_tokens";
/// Input tokens served from the provider's cache, a subset of input (int).
pub const GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS: &str = "gen_ai.usage.cache_read.input_tokens";
/// Input tokens written to the provider's cache, a subset of input (int; v1.41 name).
pub const GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS: &str =
    "gen_ai.usage.cache_creation.input_tokens";
/// Input tokens written to the provider's cache (int; latest name, see [`Versioned`](super::version::Versioned)).
pub const GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS: &str = "gen_ai.usage.cache_write.input_tokens";
/// Reasoning tokens, a subset of output (int).
pub const GEN_AI_USAGE_REASONING_OUTPUT_TOKENS: &str = "gen_ai.usage.reasoning.output_tokens";

// --- GenAI: content (opt-in) -------------------------------------------------------------------

/// Input messages, JSON in the semconv message schema.
pub const GEN_AI_INPUT_MESSAGES: &str = "gen_ai.input.messages";
/// Output messages, JSON in the semconv message schema, one per choice.
pub const GEN_AI_OUTPUT_MESSAGES: &str = "gen_ai.output.messages";
/// System instructions given apart from the chat history, JSON list of parts.
pub const GEN_AI_SYSTEM_INSTRUCTIONS: &str = "gen_ai.system_instructions";

// --- GenAI: tools ------------------------------------------------------------------------------

/// Tool name.
pub const GEN_AI_TOOL_NAME: &str = "gen_ai.tool.name";
/// Tool description.
pub const GEN_AI_TOOL_DESCRIPTION: &str = "gen_ai.tool.description";
/// Tool type; this crate's tools are `function`.
pub const GEN_AI_TOOL_TYPE: &str = "gen_ai.tool.type";
/// Tool call id, e.g. `call_…`.
pub const GEN_AI_TOOL_CALL_ID: &str = "gen_ai.tool.call.id";
/// Tool arguments, a JSON object (opt-in).
pub const GEN_AI_TOOL_CALL_ARGUMENTS: &str = "gen_ai.tool.call.arguments";
/// Tool result, JSON (opt-in).
pub const GEN_AI_TOOL_CALL_RESULT: &str = "gen_ai.tool.call.result";

// --- GenAI: embeddings, retrieval, memory ------------------------------------------------------

/// Requested embedding dimensions (int).
pub const GEN_AI_EMBEDDINGS_DIMENSION_COUNT: &str = "gen_ai.embeddings.dimension.count";
/// Id of the data source a retrieval reads (a RAG store, an index).
pub const GEN_AI_DATA_SOURCE_ID: &str = "gen_ai.data_source.id";
/// The retrieval query (opt-in content).
pub const GEN_AI_RETRIEVAL_QUERY_TEXT: &str = "gen_ai.retrieval.query.text";
/// The retrieved documents, JSON `[{"id"?, "score"?, …}]` (opt-in content).
pub const GEN_AI_RETRIEVAL_DOCUMENTS: &str = "gen_ai.retrieval.documents";
/// Id of a memory store.
pub const GEN_AI_MEMORY_STORE_ID: &str = "gen_ai.memory.store.id";
/// Id of a memory record.
pub const GEN_AI_MEMORY_RECORD_ID: &str = "gen_ai.memory.record.id";
/// Number of memory records involved (int).
pub const GEN_AI_MEMORY_RECORD_COUNT: &str = "gen_ai.memory.record.count";
/// The memory query (opt-in content).
pub const GEN_AI_MEMORY_QUERY_TEXT: &str = "gen_ai.memory.query.text";
/// The memory records, JSON `[{"content", "id"?, "metadata"?, "score"?}]` (opt-in content).
pub const GEN_AI_MEMORY_RECORDS: &str = "gen_ai.memory.records";

// --- MCP (semconv `model/mcp`; the spans of `genai_tracing::mcp`) -----------------------------------

/// The JSON-RPC method of an MCP message, e.g. `tools/call`.
pub const MCP_METHOD_NAME: &str = "mcp.method.name";
/// The negotiated MCP protocol version, e.g. `2025-06-18`.
pub const MCP_PROTOCOL_VERSION: &str = "mcp.protocol.version";
/// The URI of the resource a resource request is about.
pub const MCP_RESOURCE_URI: &str = "mcp.resource.uri";
/// The JSON-RPC request id.
pub const JSONRPC_REQUEST_ID: &str = "jsonrpc.request.id";
/// The JSON-RPC error code of a failed request, as a string (e.g. `-32603`).
pub const RPC_RESPONSE_STATUS_CODE: &str = "rpc.response.status_code";
/// The prompt a `prompts/get` asks for.
pub const GEN_AI_PROMPT_NAME: &str = "gen_ai.prompt.name";
/// The transport: `pipe` (stdio), `tcp`, `quic`.
pub const NETWORK_TRANSPORT: &str = "network.transport";

// --- Scope attributes (OpenInference names, read by Phoenix, Langfuse and MLflow) ----------------

/// Conversation, session or thread id the application supplies (never invented).
pub const GEN_AI_CONVERSATION_ID: &str = "gen_ai.conversation.id";
/// Session id: groups the traces of one session.
pub const SESSION_ID: &str = "session.id";
/// End-user id.
pub const USER_ID: &str = "user.id";
/// Tags (string array).
pub const TAG_TAGS: &str = "tag.tags";
/// Free-form metadata, a JSON object.
pub const METADATA: &str = "metadata";

// --- Cost (the conventions have none; see `crate::cost`) ---------------------------------------

/// The call's cost in US dollars (double; this crate's name). On an `#[agent]` span: the summed
/// cost of the model calls beneath it.
pub const COST_USD: &str = "genai_tracing.cost.usd";
/// Cost of the input tokens in US dollars (double; OpenInference, read by Phoenix).
pub const LLM_COST_PROMPT: &str = "llm.cost.prompt";
/// Cost of the output tokens in US dollars (double; OpenInference).
pub const LLM_COST_COMPLETION: &str = "llm.cost.completion";
/// Total cost in US dollars (double; OpenInference).
pub const LLM_COST_TOTAL: &str = "llm.cost.total";
/// The cost as a JSON object `{"input":…,"output":…,"total":…}` (Langfuse's own key, which it
/// reads before any other cost attribute).
pub const LANGFUSE_COST_DETAILS: &str = "langfuse.observation.cost_details";

// --- Retries (this crate's own names; the conventions have none) ----------------------------------

/// Attempts a call with `retry = ..` made in all (int): 1 for a first-time success, more for a
/// flaky success, the maximum with an error status for a broken call.
pub const RETRY_ATTEMPTS: &str = "genai_tracing.retry.attempts";
/// On each failed-attempt event: which attempt it was (int, from 1).
pub const RETRY_ATTEMPT: &str = "genai_tracing.retry.attempt";
/// The span event of a failed attempt (OpenTelemetry's exception event).
pub const EXCEPTION_EVENT: &str = "exception";
/// On the exception event: the error's type (as `error.type`).
pub const EXCEPTION_TYPE: &str = "exception.type";
/// On the exception event: the error's message (scrubbed of secrets).
pub const EXCEPTION_MESSAGE: &str = "exception.message";

// --- Record and replay (this crate's own names; see `crate::replay`) ------------------------------

/// What a recorded call's output is filed under: `{operation} {name}`, e.g. `execute_tool
/// calculator` (the tool's name) or `chat plan` (the `#[llm_call]` function's name). Set while
/// recording is on (see [`crate::replay::set_recording`]).
pub const REPLAY_KEY: &str = "genai_tracing.replay.key";
/// The call's return value as JSON, verbatim and untruncated (string). Absent when
/// [`REPLAY_SKIPPED`] says why.
pub const REPLAY_OUTPUT: &str = "genai_tracing.replay.output";
/// Why a recorded call has no [`REPLAY_OUTPUT`]: `not serializable` or `too large` (string).
pub const REPLAY_SKIPPED: &str = "genai_tracing.replay.skipped";
/// Set to `true` on a call whose output was served from a cassette instead of running its body
/// (boolean; see [`crate::replay::Cassette`]).
pub const REPLAY_REPLAYED: &str = "genai_tracing.replay.replayed";

// --- MLflow ------------------------------------------------------------------------------------

/// MLflow's span type, JSON-encoded as MLflow stores it. Set on model calls only: MLflow takes
/// `openinference.span.kind` over `gen_ai.operation.name`, which would make every chat call an
/// `LLM` span rather than a `CHAT_MODEL` one; an explicit type wins over both.
pub const MLFLOW_SPAN_TYPE: &str = "mlflow.spanType";

/// The [`MLFLOW_SPAN_TYPE`] of a model call doing `operation`.
///
/// ```
/// assert_eq!(genai_tracing::semconv::mlflow_span_type("chat"), "\"CHAT_MODEL\"");
/// ```
pub const fn mlflow_span_type(operation: &str) -> &'static str {
    match operation.as_bytes() {
        b"chat" => "\"CHAT_MODEL\"",
        b"embeddings" => "\"EMBEDDING\"",
        _ => "\"LLM\"",
    }
}

// --- Sampling (this crate's own name) -------------------------------------------------------------

/// Set to `true` on a span by [`crate::export::keep_trace`]: the tail sampler keeps its trace.
pub const SAMPLING_KEEP: &str = "genai_tracing.sampling.keep";

// --- Evaluation (semconv v1.38+, section 3.8; the event of section 4) ---------------------------

/// The event that records a score, on the span it judges.
pub const GEN_AI_EVALUATION_RESULT: &str = "gen_ai.evaluation.result";
/// The evaluation's (scorer's) name, e.g. `groundedness`.
pub const GEN_AI_EVALUATION_NAME: &str = "gen_ai.evaluation.name";
/// The score (a double).
pub const GEN_AI_EVALUATION_SCORE_VALUE: &str = "gen_ai.evaluation.score.value";
/// A low-cardinality label: `pass`, `fail` or `not_checked` for this crate's scorers.
pub const GEN_AI_EVALUATION_SCORE_LABEL: &str = "gen_ai.evaluation.score.label";
/// Why, in the evaluator's words.
pub const GEN_AI_EVALUATION_EXPLANATION: &str = "gen_ai.evaluation.explanation";
/// How this crate counts the score: `pass`, `fail` or `not_checked` (the scorer had nothing to
/// check: no `gen_ai.evaluation.score.value` then), on every score it records; a scorer that
/// failed itself (`error.type`) counts as `fail`. This crate's name: the conventions' label is
/// free-form, this is the verdict pass rates and the release gate count.
pub const EVALUATION_OUTCOME: &str = "genai_tracing.evaluation.outcome";

// --- Metrics (semconv v1.41, section 5.1 of the reference) ---------------------------------------

/// Histogram of the tokens a model call used, in `{token}`, by [`GEN_AI_TOKEN_TYPE`].
pub const GEN_AI_CLIENT_TOKEN_USAGE: &str = "gen_ai.client.token.usage";
/// Histogram of a model call's duration, in seconds.
pub const GEN_AI_CLIENT_OPERATION_DURATION: &str = "gen_ai.client.operation.duration";
/// Histogram of a streaming call's time to its first chunk, in seconds.
pub const GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK: &str =
    "gen_ai.client.operation.time_to_first_chunk";
/// On [`GEN_AI_CLIENT_TOKEN_USAGE`]: `input` or `output`.
pub const GEN_AI_TOKEN_TYPE: &str = "gen_ai.token.type";
/// Counter of what model calls cost, in US dollars (this crate's name: the conventions have no
/// cost metric). Attributes as on [`GEN_AI_CLIENT_OPERATION_DURATION`].
pub const CLIENT_COST: &str = "genai_tracing.client.cost";

/// Explicit bucket boundaries of the duration histograms, in seconds.
pub const DURATION_BUCKETS: [f64; 14] = [
    0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];
/// Explicit bucket boundaries of the token histogram.
pub const TOKEN_BUCKETS: [f64; 14] = [
    1.0, 4.0, 16.0, 64.0, 256.0, 1024.0, 4096.0, 16384.0, 65536.0, 262144.0, 1048576.0, 4194304.0,
    16777216.0, 67108864.0,
];

// --- OpenInference -----------------------------------------------------------------------------

/// OpenInference span kind (`AGENT`, `CHAIN`, `LLM`, `EMBEDDING`, `TOOL`): Phoenix, Langfuse and
/// MLflow classify spans by it.
pub const OPENINFERENCE_SPAN_KIND: &str = "openinference.span.kind";
/// Input of an agent or workflow as Phoenix and Langfuse display it.
pub const INPUT_VALUE: &str = "input.value";
/// MIME type of [`INPUT_VALUE`]: `text/plain` or `application/json`.
pub const INPUT_MIME_TYPE: &str = "input.mime_type";
/// Output of an agent or workflow as Phoenix and Langfuse display it.
pub const OUTPUT_VALUE: &str = "output.value";
/// MIME type of [`OUTPUT_VALUE`].
pub const OUTPUT_MIME_TYPE: &str = "output.mime_type";

/// Well-known values of [`GEN_AI_OPERATION_NAME`].
pub mod operation {
    /// A chat completion.
    pub const CHAT: &str = "chat";
    /// A legacy text completion.
    pub const TEXT_COMPLETION: &str = "text_completion";
    /// A multimodal content generation (Gemini style).
    pub const GENERATE_CONTENT: &str = "generate_content";
    /// An embeddings request.
    pub const EMBEDDINGS: &str = "embeddings";
    /// A tool execution.
    pub const EXECUTE_TOOL: &str = crate::__genai_operation!(execute_tool);
    /// An in-process agent invocation.
    pub const INVOKE_AGENT: &str = crate::__genai_operation!(invoke_agent);
    /// An application-defined workflow.
    pub const INVOKE_WORKFLOW: &str = crate::__genai_operation!(invoke_workflow);
    /// A retrieval from a data source.
    pub const RETRIEVAL: &str = "retrieval";
    /// The memory operations (semconv §2.7).
    pub const MEMORY: [&str; 7] = [
        "create_memory_store",
        "delete_memory_store",
        "search_memory",
        "create_memory",
        "update_memory",
        "upsert_memory",
        "delete_memory",
    ];
}

/// Values of [`OPENINFERENCE_SPAN_KIND`] (uppercase, as OpenInference requires), and which one
/// each kind of call gets.
pub mod span_kind {
    /// An agent invocation.
    pub const AGENT: &str = "AGENT";
    /// A workflow or chain.
    pub const CHAIN: &str = "CHAIN";
    /// A model call.
    pub const LLM: &str = "LLM";
    /// An embeddings call.
    pub const EMBEDDING: &str = "EMBEDDING";
    /// A tool call.
    pub const TOOL: &str = "TOOL";
    /// A retrieval (and a memory search).
    pub const RETRIEVER: &str = "RETRIEVER";
    /// An evaluator (an LLM judge scoring a trace).
    pub const EVALUATOR: &str = "EVALUATOR";

    /// The span kind of a model call doing `operation` (`chat`, `embeddings`, …).
    ///
    /// ```
    /// use genai_tracing::semconv::span_kind;
    /// assert_eq!(span_kind::of_model_call("embeddings"), span_kind::EMBEDDING);
    /// ```
    pub const fn of_model_call(operation: &str) -> &'static str {
        match operation.as_bytes() {
            b"embeddings" => EMBEDDING,
            _ => LLM,
        }
    }

    /// The span kind of a memory operation: a search retrieves, the rest change the store.
    ///
    /// ```
    /// use genai_tracing::semconv::span_kind;
    /// assert_eq!(span_kind::of_memory("search_memory"), span_kind::RETRIEVER);
    /// assert_eq!(span_kind::of_memory("upsert_memory"), span_kind::CHAIN);
    /// ```
    pub const fn of_memory(operation: &str) -> &'static str {
        match operation.as_bytes() {
            b"search_memory" => RETRIEVER,
            _ => CHAIN,
        }
    }
}

/// Values of [`ERROR_TYPE`] this crate sets itself (a returned error is described by its own
/// type: see [`ErrorType`](crate::ErrorType)).
pub mod error_type {
    /// A call that panicked.
    pub const PANIC: &str = "panic";
    /// A future dropped before it completed (a timeout, a `select!` that took another branch),
    /// or a stream dropped before its end.
    pub const CANCELLED: &str = "cancelled";
    /// An MCP tool call whose result has `isError: true`.
    pub const TOOL_ERROR: &str = "tool_error";

    // Panics in what tracing itself runs for a call: caught, so they never reach the app, and
    // told apart from the call's own `panic`. The value being made becomes a marker,
    // `[not captured: <what> panicked: <message>]`, which is also the status description. A
    // call's own failure (a returned `Err`, a panic, a cancellation) wins over these.

    /// The redaction hook (`capture::set_redaction_hook`) panicked.
    pub const PANIC_REDACTION_HOOK: &str = "genai_tracing.panic.redaction_hook";
    /// A captured argument's or result's `Serialize` panicked (also when record mode records it).
    pub const PANIC_SERIALIZE: &str = "genai_tracing.panic.serialize";
    /// A method of the request's `ModelRequest` implementation panicked.
    pub const PANIC_MODEL_REQUEST: &str = "genai_tracing.panic.model_request";
    /// A method of the response's `ModelResponse` implementation panicked.
    pub const PANIC_MODEL_RESPONSE: &str = "genai_tracing.panic.model_response";
    /// A method of a streamed chunk's `ModelChunk` implementation panicked.
    pub const PANIC_MODEL_CHUNK: &str = "genai_tracing.panic.model_chunk";
    /// The returned error's `ErrorType` implementation panicked (its `Display` or `Debug`
    /// panicking leaves the error's own `error.type` and a marker as the description).
    pub const PANIC_ERROR_TYPE: &str = "genai_tracing.panic.error_type";
}

/// The namespaces of the attributes this crate's spans carry (GenAI, OpenInference, the
/// platforms', MCP's and this crate's own).
const SPAN_NAMESPACES: [&str; 13] = [
    "gen_ai.",
    "genai_tracing.",
    "otel.",
    "openinference.",
    "llm.",
    "input.",
    "output.",
    "langfuse.",
    "mlflow.",
    "mcp.",
    "jsonrpc.",
    "rpc.",
    "network.",
];

/// Whether `name` is an attribute this crate's spans carry: one of [`SPAN_NAMESPACES`] or the
/// trace attributes and `error.type`. The app's logs leave them out (see `init/logs.rs`).
pub(crate) fn is_span_attribute(name: &str) -> bool {
    SPAN_NAMESPACES.iter().any(|ns| name.starts_with(ns))
        || [SESSION_ID, USER_ID, TAG_TAGS, METADATA, ERROR_TYPE].contains(&name)
}
