//! Span declarations, one per span type, each with every field it may fill declared up front:
//! the macros' spans, an MCP request's and an LLM judge's.
//!
//! The macros' are `macro_rules!` so that the span's callsite lives in the user's function: its
//! target is the user's module (so `EnvFilter` directives like `my_app::tools=off` work) and its
//! fields are known when the span is created (`tracing` ignores a `record` of an undeclared
//! field). Names and OpenInference span kinds come from [`crate::semconv`].
//! Name, kind and the sampling-relevant attributes are set at creation, before the span is first
//! entered, because `tracing-opentelemetry` fixes the OpenTelemetry span then.

/// Creates a span with the fields every GenAI span has, then the type's own (used by the macros).
#[doc(hidden)]
#[macro_export]
macro_rules! __genai_span {
    (@common target: $target:expr, $name:expr, kind: $kind:expr, operation: $op:expr, span_kind: $oi:expr, $($fields:tt)*) => {
        $crate::__private::tracing::span!(
            target: $target,
            $crate::__private::tracing::Level::INFO,
            $name,
            { $crate::semconv::OTEL_KIND } = $kind,
            { $crate::semconv::OTEL_STATUS_CODE } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::OTEL_STATUS_DESCRIPTION } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::ERROR_TYPE } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_OPERATION_NAME } = $op,
            { $crate::semconv::OPENINFERENCE_SPAN_KIND } = $oi,
            { $crate::semconv::SESSION_ID } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::USER_ID } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_CONVERSATION_ID } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::METADATA } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::RETRY_ATTEMPTS } = $crate::__private::tracing::field::Empty,
            $($fields)*
        )
    };

    (tool, name: $tool:literal, description: $desc:expr, call_id: $call_id:expr, fields: { $($user:tt)* }) => {
        $crate::__genai_span!(@common target: module_path!(), $crate::__genai_span_name!(tool, $tool),
            kind: "internal",
            operation: $crate::semconv::operation::EXECUTE_TOOL,
            span_kind: $crate::semconv::span_kind::TOOL,
            { $crate::semconv::GEN_AI_TOOL_NAME } = $tool,
            { $crate::semconv::GEN_AI_TOOL_DESCRIPTION } = $desc,
            { $crate::semconv::GEN_AI_TOOL_TYPE } = "function",
            { $crate::semconv::GEN_AI_TOOL_CALL_ID } = $call_id,
            { $crate::semconv::GEN_AI_TOOL_CALL_ARGUMENTS } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_TOOL_CALL_RESULT } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::REPLAY_KEY } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::REPLAY_OUTPUT } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::REPLAY_SKIPPED } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::REPLAY_REPLAYED } = $crate::__private::tracing::field::Empty,
            $($user)*
        )
    };

    (agent, name: $agent:literal, description: $desc:expr, id: $id:expr, version: $version:expr, provider: $provider:expr, fields: { $($user:tt)* }) => {
        $crate::__genai_span!(@common target: module_path!(), $crate::__genai_span_name!(agent, $agent),
            kind: "internal",
            operation: $crate::semconv::operation::INVOKE_AGENT,
            span_kind: $crate::semconv::span_kind::AGENT,
            { $crate::semconv::GEN_AI_AGENT_NAME } = $agent,
            { $crate::semconv::GEN_AI_AGENT_DESCRIPTION } = $desc,
            { $crate::semconv::GEN_AI_AGENT_ID } =
                $crate::semconv::version::versioned($crate::semconv::version::Versioned::AgentId, $id),
            { $crate::semconv::GEN_AI_AGENT_VERSION } =
                $crate::semconv::version::versioned($crate::semconv::version::Versioned::AgentVersion, $version),
            { $crate::semconv::GEN_AI_PROVIDER_NAME } =
                $crate::semconv::version::versioned($crate::semconv::version::Versioned::AgentProviderName, $provider),
            { $crate::semconv::INPUT_VALUE } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::INPUT_MIME_TYPE } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::OUTPUT_VALUE } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::OUTPUT_MIME_TYPE } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_USAGE_INPUT_TOKENS } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_USAGE_OUTPUT_TOKENS } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::COST_USD } = $crate::__private::tracing::field::Empty,
            $($user)*
        )
    };

    (workflow, name: $workflow:literal, fields: { $($user:tt)* }) => {
        $crate::__genai_span!(@common target: module_path!(), $crate::__genai_span_name!(workflow, $workflow),
            kind: "internal",
            operation: $crate::semconv::operation::INVOKE_WORKFLOW,
            span_kind: $crate::semconv::span_kind::CHAIN,
            { $crate::semconv::GEN_AI_WORKFLOW_NAME } = $workflow,
            { $crate::semconv::INPUT_VALUE } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::INPUT_MIME_TYPE } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::OUTPUT_VALUE } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::OUTPUT_MIME_TYPE } = $crate::__private::tracing::field::Empty,
            $($user)*
        )
    };

    (retrieval, data_source: $source:expr, provider: $provider:expr, model: $model:expr, fields: { $($user:tt)* }) => {
        $crate::__genai_span!(@common target: module_path!(), $crate::semconv::operation::RETRIEVAL,
            kind: "client",
            operation: $crate::semconv::operation::RETRIEVAL,
            span_kind: $crate::semconv::span_kind::RETRIEVER,
            { $crate::semconv::OTEL_NAME } = $crate::__private::tracing::field::display(
                $crate::semconv::SpanName($crate::semconv::operation::RETRIEVAL, $source)
            ),
            { $crate::semconv::GEN_AI_DATA_SOURCE_ID } = $source,
            { $crate::semconv::GEN_AI_PROVIDER_NAME } = $provider,
            { $crate::semconv::GEN_AI_REQUEST_MODEL } = $model,
            { $crate::semconv::GEN_AI_REQUEST_TOP_K } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_RETRIEVAL_TOP_K } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_RETRIEVAL_QUERY_TEXT } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_RETRIEVAL_DOCUMENTS } = $crate::__private::tracing::field::Empty,
            $($user)*
        )
    };

    (memory, operation: $op:literal, provider: $provider:expr, store: $store:expr, record: $record:expr, fields: { $($user:tt)* }) => {
        $crate::__genai_span!(@common target: module_path!(), $op,
            kind: "client",
            operation: $op,
            span_kind: $crate::semconv::span_kind::of_memory($op),
            { $crate::semconv::GEN_AI_PROVIDER_NAME } = $provider,
            { $crate::semconv::GEN_AI_MEMORY_STORE_ID } = $store,
            { $crate::semconv::GEN_AI_MEMORY_RECORD_ID } = $record,
            { $crate::semconv::GEN_AI_MEMORY_RECORD_COUNT } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_MEMORY_QUERY_TEXT } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_MEMORY_RECORDS } = $crate::__private::tracing::field::Empty,
            $($user)*
        )
    };

    (llm, operation: $op:literal, provider: $provider:expr, model: $model:expr, dimensions: $dimensions:expr, fields: { $($user:tt)* }) => {
        $crate::__genai_span!(@common target: module_path!(), $op,
            kind: "client",
            operation: $op,
            span_kind: $crate::semconv::span_kind::of_model_call($op),
            { $crate::semconv::OTEL_NAME } = $crate::__private::tracing::field::display(
                $crate::semconv::SpanName($op, $model)
            ),
            { $crate::semconv::GEN_AI_PROVIDER_NAME } = $provider,
            { $crate::semconv::MLFLOW_SPAN_TYPE } = $crate::semconv::mlflow_span_type($op),
            { $crate::semconv::GEN_AI_REQUEST_MODEL } = $model,
            { $crate::semconv::GEN_AI_EMBEDDINGS_DIMENSION_COUNT } = $dimensions,
            { $crate::semconv::GEN_AI_REQUEST_TEMPERATURE } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_REQUEST_MAX_TOKENS } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_REQUEST_TOP_P } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_REQUEST_TOP_K } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_REQUEST_SEED } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_REQUEST_FREQUENCY_PENALTY } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_REQUEST_PRESENCE_PENALTY } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_REQUEST_STREAM } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_RESPONSE_ID } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_RESPONSE_MODEL } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_USAGE_INPUT_TOKENS } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_USAGE_OUTPUT_TOKENS } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_USAGE_REASONING_OUTPUT_TOKENS } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::COST_USD } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::LLM_COST_PROMPT } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::LLM_COST_COMPLETION } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::LLM_COST_TOTAL } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::LANGFUSE_COST_DETAILS } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_INPUT_MESSAGES } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_OUTPUT_MESSAGES } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_SYSTEM_INSTRUCTIONS } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::INPUT_VALUE } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::INPUT_MIME_TYPE } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::REPLAY_KEY } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::REPLAY_OUTPUT } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::REPLAY_SKIPPED } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::REPLAY_REPLAYED } = $crate::__private::tracing::field::Empty,
            $($user)*
        )
    };
}

/// The span of an MCP request, CLIENT or SERVER side (`kind`), named `name`; a `tools/call`
/// (`tool` set) is also the `execute_tool` span of the call, and a `#[tool]` it hosts records
/// into it (see `call/hosted.rs`), replay included.
#[cfg(feature = "mcp")]
pub(crate) fn mcp(
    kind: &'static str,
    name: String,
    method: &str,
    resource: Option<&str>,
    prompt: Option<&str>,
    tool: Option<&str>,
) -> tracing::Span {
    use crate::semconv::{self as sc, operation, span_kind};
    use tracing::field::Empty;
    let (op, oi) = match tool {
        Some(_) => (Some(operation::EXECUTE_TOOL), Some(span_kind::TOOL)),
        None => (None, None),
    };
    crate::__genai_span!(@common target: "genai_tracing::mcp", "mcp",
        kind: kind,
        operation: op,
        span_kind: oi,
        { sc::OTEL_NAME } = name,
        { sc::MCP_METHOD_NAME } = method,
        { sc::MCP_PROTOCOL_VERSION } = Empty,
        { sc::MCP_RESOURCE_URI } = resource,
        { sc::JSONRPC_REQUEST_ID } = Empty,
        { sc::RPC_RESPONSE_STATUS_CODE } = Empty,
        { sc::NETWORK_TRANSPORT } = Empty,
        { sc::GEN_AI_PROMPT_NAME } = prompt,
        { sc::GEN_AI_TOOL_NAME } = tool,
        { sc::GEN_AI_TOOL_TYPE } = Empty,
        { sc::GEN_AI_TOOL_DESCRIPTION } = Empty,
        { sc::GEN_AI_TOOL_CALL_ID } = Empty,
        { sc::GEN_AI_TOOL_CALL_ARGUMENTS } = Empty,
        { sc::GEN_AI_TOOL_CALL_RESULT } = Empty,
        { sc::REPLAY_KEY } = Empty,
        { sc::REPLAY_OUTPUT } = Empty,
        { sc::REPLAY_SKIPPED } = Empty,
        { sc::REPLAY_REPLAYED } = Empty,
    )
}

/// The span of an LLM judge scoring a trace with the scorer `name`: `evaluate {name}`, an
/// `EVALUATOR` (see `eval/judge.rs`, which makes it a child of the judged trace's root).
#[cfg(feature = "eval")]
pub(crate) fn evaluator(name: &str) -> tracing::Span {
    use crate::semconv::{self as sc, span_kind, SpanName};
    use tracing::field::Empty;
    const EVALUATE: &str = "evaluate";
    tracing::info_span!(
        target: "genai_tracing::eval",
        EVALUATE,
        { sc::OTEL_NAME } = %SpanName(EVALUATE, Some(name)),
        { sc::OPENINFERENCE_SPAN_KIND } = span_kind::EVALUATOR,
        { sc::GEN_AI_EVALUATION_NAME } = name,
        { sc::GEN_AI_EVALUATION_SCORE_VALUE } = Empty,
        { sc::GEN_AI_EVALUATION_SCORE_LABEL } = Empty,
        { sc::GEN_AI_EVALUATION_EXPLANATION } = Empty,
        { sc::ERROR_TYPE } = Empty,
        { sc::OTEL_STATUS_CODE } = Empty,
        { sc::OTEL_STATUS_DESCRIPTION } = Empty,
    )
}

/// The fields each span type declares, for the compile-time check that `fields(..)` does not
/// repeat one (the macros emit [`sets_field`] for every user key). A test keeps these lists
/// equal to what the `span!` arms above declare.
#[doc(hidden)]
pub mod declared {
    use crate::semconv::*;

    /// Declared by every span type.
    pub const COMMON: &[&str] = &[
        OTEL_NAME,
        OTEL_KIND,
        OTEL_STATUS_CODE,
        OTEL_STATUS_DESCRIPTION,
        ERROR_TYPE,
        GEN_AI_OPERATION_NAME,
        OPENINFERENCE_SPAN_KIND,
        SESSION_ID,
        USER_ID,
        GEN_AI_CONVERSATION_ID,
        METADATA,
        TAG_TAGS,
        RETRY_ATTEMPTS,
    ];
    /// `#[tool]`.
    pub const TOOL: &[&str] = &[
        GEN_AI_TOOL_NAME,
        GEN_AI_TOOL_DESCRIPTION,
        GEN_AI_TOOL_TYPE,
        GEN_AI_TOOL_CALL_ID,
        GEN_AI_TOOL_CALL_ARGUMENTS,
        GEN_AI_TOOL_CALL_RESULT,
        REPLAY_KEY,
        REPLAY_OUTPUT,
        REPLAY_SKIPPED,
        REPLAY_REPLAYED,
    ];
    /// `#[agent]`.
    pub const AGENT: &[&str] = &[
        GEN_AI_AGENT_NAME,
        GEN_AI_AGENT_DESCRIPTION,
        GEN_AI_AGENT_ID,
        GEN_AI_AGENT_VERSION,
        GEN_AI_PROVIDER_NAME,
        INPUT_VALUE,
        INPUT_MIME_TYPE,
        OUTPUT_VALUE,
        OUTPUT_MIME_TYPE,
        GEN_AI_USAGE_INPUT_TOKENS,
        GEN_AI_USAGE_OUTPUT_TOKENS,
        COST_USD,
    ];
    /// `#[workflow]`.
    pub const WORKFLOW: &[&str] = &[
        GEN_AI_WORKFLOW_NAME,
        INPUT_VALUE,
        INPUT_MIME_TYPE,
        OUTPUT_VALUE,
        OUTPUT_MIME_TYPE,
    ];
    /// `#[retrieval]`.
    pub const RETRIEVAL: &[&str] = &[
        GEN_AI_DATA_SOURCE_ID,
        GEN_AI_PROVIDER_NAME,
        GEN_AI_REQUEST_MODEL,
        GEN_AI_REQUEST_TOP_K,
        GEN_AI_RETRIEVAL_TOP_K,
        GEN_AI_RETRIEVAL_QUERY_TEXT,
        GEN_AI_RETRIEVAL_DOCUMENTS,
    ];
    /// `#[memory]`.
    pub const MEMORY: &[&str] = &[
        GEN_AI_PROVIDER_NAME,
        GEN_AI_MEMORY_STORE_ID,
        GEN_AI_MEMORY_RECORD_ID,
        GEN_AI_MEMORY_RECORD_COUNT,
        GEN_AI_MEMORY_QUERY_TEXT,
        GEN_AI_MEMORY_RECORDS,
    ];
    /// `#[llm_call]` and `#[embeddings]`.
    pub const LLM: &[&str] = &[
        GEN_AI_PROVIDER_NAME,
        MLFLOW_SPAN_TYPE,
        GEN_AI_REQUEST_MODEL,
        GEN_AI_EMBEDDINGS_DIMENSION_COUNT,
        GEN_AI_REQUEST_TEMPERATURE,
        GEN_AI_REQUEST_MAX_TOKENS,
        GEN_AI_REQUEST_TOP_P,
        GEN_AI_REQUEST_TOP_K,
        GEN_AI_REQUEST_SEED,
        GEN_AI_REQUEST_FREQUENCY_PENALTY,
        GEN_AI_REQUEST_PRESENCE_PENALTY,
        GEN_AI_REQUEST_STREAM,
        GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
        GEN_AI_REQUEST_STOP_SEQUENCES,
        GEN_AI_RESPONSE_ID,
        GEN_AI_RESPONSE_MODEL,
        GEN_AI_RESPONSE_FINISH_REASONS,
        GEN_AI_USAGE_INPUT_TOKENS,
        GEN_AI_USAGE_OUTPUT_TOKENS,
        GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
        GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
        GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS,
        GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
        COST_USD,
        LLM_COST_PROMPT,
        LLM_COST_COMPLETION,
        LLM_COST_TOTAL,
        LANGFUSE_COST_DETAILS,
        GEN_AI_INPUT_MESSAGES,
        GEN_AI_OUTPUT_MESSAGES,
        GEN_AI_SYSTEM_INSTRUCTIONS,
        INPUT_VALUE,
        INPUT_MIME_TYPE,
        REPLAY_KEY,
        REPLAY_OUTPUT,
        REPLAY_SKIPPED,
        REPLAY_REPLAYED,
    ];
}

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn listed(list: &[&str], key: &str) -> bool {
    let mut i = 0;
    while i < list.len() {
        if same(list[i], key) {
            return true;
        }
        i += 1;
    }
    false
}

/// Whether a span type whose own fields are `own` sets `key` itself: the macros' expansion fails
/// compilation on such a `fields(..)` key, with a message naming it.
#[doc(hidden)]
pub const fn sets_field(own: &[&str], key: &str) -> bool {
    listed(declared::COMMON, key) || listed(own, key)
}

/// Whether the global `tracing` subscriber would record a GenAI span: an INFO span with
/// `gen_ai.operation.name` (the target is this crate's, not the instrumented function's module,
/// so a filter on the app's own targets is not seen). Asks the filters only: no span is made.
pub(crate) fn genai_spans_enabled() -> bool {
    tracing::enabled!(
        kind: tracing::metadata::Kind::SPAN,
        target: "genai_tracing",
        tracing::Level::INFO,
        { gen_ai.operation.name }
    )
}

#[cfg(test)]
mod tests {
    use super::declared;
    use std::collections::BTreeSet;

    fn names(span: &tracing::Span) -> BTreeSet<&'static str> {
        span.metadata()
            .expect("metadata")
            .fields()
            .iter()
            .map(|f| f.name())
            .collect()
    }

    fn listed(own: &[&'static str]) -> BTreeSet<&'static str> {
        declared::COMMON.iter().chain(own).copied().collect()
    }

    #[test]
    fn the_declared_lists_match_the_span_declarations() {
        tracing::subscriber::with_default(tracing_subscriber::registry(), compare);
    }

    fn compare() {
        use tracing::field::Empty as empty;
        let tool = crate::__genai_span!(tool, name: "t", description: empty, call_id: empty,
            fields: {});
        let agent = crate::__genai_span!(agent, name: "a", description: empty, id: empty,
            version: empty, provider: empty, fields: {});
        let workflow = crate::__genai_span!(workflow, name: "w", fields: {});
        let llm = crate::__genai_span!(llm, operation: "chat", provider: "p",
            model: None::<&str>, dimensions: empty, fields: {});
        let retrieval = crate::__genai_span!(retrieval, data_source: None::<&str>, provider: empty,
            model: empty, fields: {});
        let memory = crate::__genai_span!(memory, operation: "search_memory", provider: empty,
            store: empty, record: empty, fields: {});
        // Tools, agents and workflows are named by their metadata, not `otel.name`; arrays go
        // through `set_attribute`, not fields.
        let without = |list: BTreeSet<&'static str>, gone: &[&str]| -> BTreeSet<&'static str> {
            list.into_iter().filter(|n| !gone.contains(n)).collect()
        };
        use crate::semconv::{
            GEN_AI_REQUEST_STOP_SEQUENCES, GEN_AI_RESPONSE_FINISH_REASONS, TAG_TAGS,
        };
        let named = ["otel.name", TAG_TAGS];
        let arrays = [
            GEN_AI_REQUEST_STOP_SEQUENCES,
            GEN_AI_RESPONSE_FINISH_REASONS,
            TAG_TAGS,
        ];
        assert_eq!(names(&tool), without(listed(declared::TOOL), &named));
        assert_eq!(names(&agent), without(listed(declared::AGENT), &named));
        assert_eq!(
            names(&workflow),
            without(listed(declared::WORKFLOW), &named)
        );
        assert_eq!(names(&llm), without(listed(declared::LLM), &arrays));
        assert_eq!(
            names(&retrieval),
            without(listed(declared::RETRIEVAL), &[TAG_TAGS])
        );
        assert_eq!(names(&memory), without(listed(declared::MEMORY), &named));
    }
}
