//! The attribute names in one place: every name `genai_tracing::semconv` declares is emitted by some
//! span, spelled as declared, and the macros emit no other names (apart from `tracing-opentelemetry`'s
//! own code/thread/timing attributes). Record mode is on, and one call replayed, so that the
//! replay names are among them.

use std::collections::BTreeSet;

use genai_tracing::replay::{Cassette, Recording};
use genai_tracing::semconv as sc;
use genai_tracing::{agent, llm_call, tool, workflow};
use genai_tracing_tests::record_async;
use serde_json::{json, Value};

/// Looks things up.
#[tool(capture = true, call_id = "call_7")]
fn lookup(key: &str) -> Result<String, String> {
    if key.is_empty() {
        Err("empty key".into())
    } else {
        Ok(key.to_uppercase())
    }
}

#[llm_call(provider = "openai", capture = true)]
fn openai(request: &Value) -> Value {
    let _ = request;
    json!({"id": "c", "model": "gpt-4o", "choices": [{"message": {"role": "assistant", "content": "x"}, "finish_reason": "stop"}],
           "usage": {"prompt_tokens": 3, "completion_tokens": 2, "prompt_tokens_details": {"cached_tokens": 1},
                     "completion_tokens_details": {"reasoning_tokens": 1}}})
}

#[llm_call(provider = "anthropic", model = "claude", capture = true)]
fn anthropic(question: &str) -> Value {
    let _ = question;
    json!({"id": "m", "type": "message", "role": "assistant", "model": "claude", "content": [{"type": "text", "text": "y"}],
           "stop_reason": "end_turn", "usage": {"input_tokens": 1, "cache_creation_input_tokens": 2, "output_tokens": 1}})
}

#[llm_call(provider = "openai", model = "gpt-4o", capture = true)]
fn streamed(question: &str) -> impl futures_util::Stream<Item = Result<Value, String>> {
    let _ = question;
    futures_util::stream::iter([Ok(json!({"id": "s", "model": "gpt-4o",
        "choices": [{"index": 0, "delta": {"content": "z"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 2, "completion_tokens": 1}}))])
}

/// Returns a borrow: recorded as skipped.
#[tool]
fn motto() -> &'static str {
    "as recorded"
}

#[workflow(capture = true)]
fn pipeline(n: u32) -> u32 {
    n
}

/// Does everything once.
#[agent(id = "asst_1", version = "3", capture = true)]
async fn everything() -> String {
    let request = json!({"model": "gpt-4o", "temperature": 0.1, "max_tokens": 9, "top_p": 0.5, "top_k": 3,
        "seed": 1, "frequency_penalty": 0.1, "presence_penalty": 0.2, "stop": "END", "system": "be brief",
        "messages": [{"role": "user", "content": "hi"}]});
    openai(&request);
    anthropic("why?");
    futures_util::StreamExt::count(streamed("stream?")).await;
    pipeline(1);
    let _ = lookup("");
    motto();
    let replayed = Cassette::new([Recording::new("execute_tool lookup", json!({"Ok": "K"}))]);
    replayed.serve_sync(|| lookup("k")).unwrap()
}

#[test]
fn every_declared_name_is_emitted_and_no_other() {
    genai_tracing::replay::set_recording(true);
    let attrs = genai_tracing::TraceAttributes::new()
        .session("s")
        .user("u")
        .conversation("c")
        .tag("t")
        .metadata("k", "v");
    let (_, spans) = record_async(|| attrs.scope(everything()));
    let emitted: BTreeSet<String> = spans
        .0
        .iter()
        .flat_map(|s| s.attributes.iter().map(|kv| kv.key.as_str().to_owned()))
        .filter(|k| {
            !["code.", "thread.", "busy_ns", "idle_ns", "target", "level"]
                .iter()
                .any(|p| k.starts_with(p))
        })
        .collect();
    let declared: BTreeSet<String> = [
        sc::ERROR_TYPE,
        sc::GEN_AI_OPERATION_NAME,
        sc::GEN_AI_PROVIDER_NAME,
        sc::GEN_AI_AGENT_NAME,
        sc::GEN_AI_AGENT_DESCRIPTION,
        sc::GEN_AI_AGENT_ID,
        sc::GEN_AI_AGENT_VERSION,
        sc::GEN_AI_WORKFLOW_NAME,
        sc::GEN_AI_REQUEST_MODEL,
        sc::GEN_AI_REQUEST_TEMPERATURE,
        sc::GEN_AI_REQUEST_MAX_TOKENS,
        sc::GEN_AI_REQUEST_TOP_P,
        sc::GEN_AI_REQUEST_TOP_K,
        sc::GEN_AI_REQUEST_STOP_SEQUENCES,
        sc::GEN_AI_REQUEST_SEED,
        sc::GEN_AI_REQUEST_FREQUENCY_PENALTY,
        sc::GEN_AI_REQUEST_PRESENCE_PENALTY,
        sc::GEN_AI_REQUEST_STREAM,
        sc::GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
        sc::GEN_AI_RESPONSE_ID,
        sc::GEN_AI_RESPONSE_MODEL,
        sc::GEN_AI_RESPONSE_FINISH_REASONS,
        sc::GEN_AI_USAGE_INPUT_TOKENS,
        sc::GEN_AI_USAGE_OUTPUT_TOKENS,
        sc::GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
        sc::GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
        sc::GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
        sc::COST_USD,
        sc::LLM_COST_PROMPT,
        sc::LLM_COST_COMPLETION,
        sc::LLM_COST_TOTAL,
        sc::LANGFUSE_COST_DETAILS,
        sc::GEN_AI_INPUT_MESSAGES,
        sc::GEN_AI_OUTPUT_MESSAGES,
        sc::GEN_AI_SYSTEM_INSTRUCTIONS,
        sc::GEN_AI_TOOL_NAME,
        sc::GEN_AI_TOOL_DESCRIPTION,
        sc::GEN_AI_TOOL_TYPE,
        sc::GEN_AI_TOOL_CALL_ID,
        sc::GEN_AI_TOOL_CALL_ARGUMENTS,
        sc::GEN_AI_TOOL_CALL_RESULT,
        sc::OPENINFERENCE_SPAN_KIND,
        sc::MLFLOW_SPAN_TYPE,
        sc::INPUT_VALUE,
        sc::INPUT_MIME_TYPE,
        sc::OUTPUT_VALUE,
        sc::OUTPUT_MIME_TYPE,
        sc::SESSION_ID,
        sc::USER_ID,
        sc::GEN_AI_CONVERSATION_ID,
        sc::TAG_TAGS,
        sc::METADATA,
        sc::REPLAY_KEY,
        sc::REPLAY_OUTPUT,
        sc::REPLAY_SKIPPED,
        sc::REPLAY_REPLAYED,
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(emitted, declared);
    // The otel.* fields steer tracing-opentelemetry and never become attributes.
    for special in [
        sc::OTEL_NAME,
        sc::OTEL_KIND,
        sc::OTEL_STATUS_CODE,
        sc::OTEL_STATUS_DESCRIPTION,
    ] {
        assert!(
            !emitted.contains(special),
            "{special} leaked as an attribute"
        );
    }
}

#[test]
fn names_are_spelled_as_the_conventions_spell_them() {
    // A typo here would still pass the test above; these are the spec's spellings (semconv v1.41).
    assert_eq!(
        sc::GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
        "gen_ai.usage.cache_read.input_tokens"
    );
    assert_eq!(
        sc::GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
        "gen_ai.usage.cache_creation.input_tokens"
    );
    assert_eq!(
        sc::GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
        "gen_ai.usage.reasoning.output_tokens"
    );
    assert_eq!(
        sc::GEN_AI_RESPONSE_FINISH_REASONS,
        "gen_ai.response.finish_reasons"
    );
    assert_eq!(
        sc::GEN_AI_REQUEST_STOP_SEQUENCES,
        "gen_ai.request.stop_sequences"
    );
    assert_eq!(sc::GEN_AI_TOOL_CALL_ARGUMENTS, "gen_ai.tool.call.arguments");
    assert_eq!(sc::GEN_AI_SYSTEM_INSTRUCTIONS, "gen_ai.system_instructions");
    assert_eq!(sc::GEN_AI_PROVIDER_NAME, "gen_ai.provider.name");
    assert_eq!(sc::OPENINFERENCE_SPAN_KIND, "openinference.span.kind");
    assert_eq!(sc::ERROR_TYPE, "error.type");
    assert_eq!(sc::GEN_AI_EVALUATION_RESULT, "gen_ai.evaluation.result");
    assert_eq!(sc::GEN_AI_EVALUATION_NAME, "gen_ai.evaluation.name");
    assert_eq!(
        sc::GEN_AI_EVALUATION_SCORE_VALUE,
        "gen_ai.evaluation.score.value"
    );
    assert_eq!(
        sc::GEN_AI_EVALUATION_SCORE_LABEL,
        "gen_ai.evaluation.score.label"
    );
    assert_eq!(
        sc::GEN_AI_EVALUATION_EXPLANATION,
        "gen_ai.evaluation.explanation"
    );
    // This crate's own names, in its namespace.
    assert_eq!(sc::REPLAY_KEY, "genai_tracing.replay.key");
    assert_eq!(sc::REPLAY_OUTPUT, "genai_tracing.replay.output");
    assert_eq!(sc::REPLAY_SKIPPED, "genai_tracing.replay.skipped");
    assert_eq!(sc::REPLAY_REPLAYED, "genai_tracing.replay.replayed");
    assert_eq!(sc::EVALUATION_OUTCOME, "genai_tracing.evaluation.outcome");
}
