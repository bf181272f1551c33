//! Span declarations, one per span type, each with every field it may fill declared up front.
//!
//! These are `macro_rules!` so that the span's callsite lives in the user's function: its target
//! is the user's module (so `EnvFilter` directives like `my_app::tools=off` work) and its fields
//! are known when the span is created (`tracing` ignores a `record` of an undeclared field).
//! Name, kind and the sampling-relevant attributes are set at creation, before the span is first
//! entered, because `tracing-opentelemetry` fixes the OpenTelemetry span then.

/// Creates a span with the fields every GenAI span has, then the type's own (used by the macros).
#[doc(hidden)]
#[macro_export]
macro_rules! __genai_span {
    (@common $name:expr, kind: $kind:expr, operation: $op:expr, span_kind: $oi:expr, $($fields:tt)*) => {
        $crate::__private::tracing::span!(
            target: module_path!(),
            $crate::__private::tracing::Level::INFO,
            $name,
            { $crate::semconv::OTEL_KIND } = $kind,
            { $crate::semconv::OTEL_STATUS_CODE } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::OTEL_STATUS_DESCRIPTION } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::ERROR_TYPE } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_OPERATION_NAME } = $op,
            { $crate::semconv::OPENINFERENCE_SPAN_KIND } = $oi,
            $($fields)*
        )
    };

    (tool, span_name: $name:expr, tool_name: $tool:expr, description: $desc:expr, call_id: $call_id:expr, fields: { $($user:tt)* }) => {
        $crate::__genai_span!(@common $name,
            kind: "internal",
            operation: $crate::semconv::operation::EXECUTE_TOOL,
            span_kind: $crate::semconv::span_kind::TOOL,
            { $crate::semconv::GEN_AI_TOOL_NAME } = $tool,
            { $crate::semconv::GEN_AI_TOOL_DESCRIPTION } = $desc,
            { $crate::semconv::GEN_AI_TOOL_TYPE } = "function",
            { $crate::semconv::GEN_AI_TOOL_CALL_ID } = $call_id,
            { $crate::semconv::GEN_AI_TOOL_CALL_ARGUMENTS } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_TOOL_CALL_RESULT } = $crate::__private::tracing::field::Empty,
            $($user)*
        )
    };

    (agent, span_name: $name:expr, agent_name: $agent:expr, description: $desc:expr, id: $id:expr, version: $version:expr, fields: { $($user:tt)* }) => {
        $crate::__genai_span!(@common $name,
            kind: "internal",
            operation: $crate::semconv::operation::INVOKE_AGENT,
            span_kind: $crate::semconv::span_kind::AGENT,
            { $crate::semconv::GEN_AI_AGENT_NAME } = $agent,
            { $crate::semconv::GEN_AI_AGENT_DESCRIPTION } = $desc,
            { $crate::semconv::GEN_AI_AGENT_ID } = $id,
            { $crate::semconv::GEN_AI_AGENT_VERSION } = $version,
            { $crate::semconv::INPUT_VALUE } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::INPUT_MIME_TYPE } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::OUTPUT_VALUE } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::OUTPUT_MIME_TYPE } = $crate::__private::tracing::field::Empty,
            $($user)*
        )
    };

    (workflow, span_name: $name:expr, workflow_name: $workflow:expr, fields: { $($user:tt)* }) => {
        $crate::__genai_span!(@common $name,
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

    (llm, operation: $op:expr, span_kind: $oi:expr, provider: $provider:expr, model: $model:expr, fields: { $($user:tt)* }) => {
        $crate::__genai_span!(@common $op,
            kind: "client",
            operation: $op,
            span_kind: $oi,
            { $crate::semconv::OTEL_NAME } = $crate::__private::tracing::field::display(
                $crate::__private::SpanName($op, $model)
            ),
            { $crate::semconv::GEN_AI_PROVIDER_NAME } = $provider,
            { $crate::semconv::GEN_AI_REQUEST_MODEL } = $model,
            { $crate::semconv::GEN_AI_REQUEST_TEMPERATURE } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_REQUEST_MAX_TOKENS } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_REQUEST_TOP_P } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_REQUEST_TOP_K } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_REQUEST_SEED } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_REQUEST_FREQUENCY_PENALTY } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_REQUEST_PRESENCE_PENALTY } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_RESPONSE_ID } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_RESPONSE_MODEL } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_USAGE_INPUT_TOKENS } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_USAGE_OUTPUT_TOKENS } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_USAGE_REASONING_OUTPUT_TOKENS } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_INPUT_MESSAGES } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_OUTPUT_MESSAGES } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::GEN_AI_SYSTEM_INSTRUCTIONS } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::INPUT_VALUE } = $crate::__private::tracing::field::Empty,
            { $crate::semconv::INPUT_MIME_TYPE } = $crate::__private::tracing::field::Empty,
            $($user)*
        )
    };
}

/// The name of a model-call span: `{operation} {model}`, or the operation alone.
#[doc(hidden)]
pub struct SpanName<'a>(pub &'static str, pub Option<&'a str>);

impl std::fmt::Display for SpanName<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.1 {
            Some(model) => write!(f, "{} {}", self.0, model),
            None => f.write_str(self.0),
        }
    }
}
