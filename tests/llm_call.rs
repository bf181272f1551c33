//! `#[llm_call]`: span name and kind set before entry, request parameters, response usage in both
//! provider shapes (as OTel ints), finish reasons as a string array, and message capture.

use genai_tracing::{llm_call, MessagePart, ModelResponse, OutputMessage, Usage};
use genai_tracing_tests::{record, record_async, SpanDataExt};
use opentelemetry::trace::SpanKind;
use serde_json::{json, Value};

fn openai_response() -> Value {
    json!({
        "id": "chatcmpl-abc123",
        "object": "chat.completion",
        "model": "gpt-4o-2024-08-06",
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": null, "tool_calls": [{
                "id": "call_1", "type": "function",
                "function": {"name": "calculator", "arguments": "{\"expr\":\"2+2\"}"}
            }]},
            "finish_reason": "tool_calls"
        }],
        "usage": {
            "prompt_tokens": 1200, "completion_tokens": 85, "total_tokens": 1285,
            "prompt_tokens_details": {"cached_tokens": 1024},
            "completion_tokens_details": {"reasoning_tokens": 64}
        }
    })
}

fn openai_request() -> Value {
    json!({
        "model": "gpt-4o",
        "temperature": 0.2, "max_tokens": 512, "top_p": 0.9, "seed": 7,
        "frequency_penalty": 0.5, "presence_penalty": -0.25,
        "stop": ["\nObservation:"],
        "messages": [
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": "What is 2+2?"},
            {"role": "assistant", "tool_calls": [{"id": "call_0", "type": "function",
                "function": {"name": "calculator", "arguments": "{\"expr\":\"1+1\"}"}}]},
            {"role": "tool", "tool_call_id": "call_0", "content": "2"}
        ]
    })
}

#[llm_call(provider = "openai", capture = true)]
fn chat(request: &Value) -> Result<Value, std::io::Error> {
    let _ = request;
    Ok(openai_response())
}

#[test]
fn openai_shapes_become_request_and_response_attributes() {
    let req = openai_request();
    let (_, spans) = record(|| chat(&req));
    let s = spans.one("chat gpt-4o");
    assert_eq!(s.kind(), &SpanKind::Client);
    assert_eq!(s.str_attr("gen_ai.operation.name"), Some("chat"));
    assert_eq!(s.str_attr("gen_ai.provider.name"), Some("openai"));
    assert_eq!(s.str_attr("gen_ai.request.model"), Some("gpt-4o"));
    assert_eq!(s.str_attr("openinference.span.kind"), Some("LLM"));
    assert_eq!(s.f64_attr("gen_ai.request.temperature"), Some(0.2));
    assert_eq!(s.int_attr("gen_ai.request.max_tokens"), Some(512));
    assert_eq!(s.f64_attr("gen_ai.request.top_p"), Some(0.9));
    assert_eq!(s.int_attr("gen_ai.request.seed"), Some(7));
    assert_eq!(s.f64_attr("gen_ai.request.frequency_penalty"), Some(0.5));
    assert_eq!(s.f64_attr("gen_ai.request.presence_penalty"), Some(-0.25));
    assert_eq!(
        s.strings_attr("gen_ai.request.stop_sequences"),
        Some(vec!["\nObservation:".to_owned()])
    );
    assert_eq!(s.str_attr("gen_ai.response.id"), Some("chatcmpl-abc123"));
    assert_eq!(
        s.str_attr("gen_ai.response.model"),
        Some("gpt-4o-2024-08-06")
    );
    assert_eq!(
        s.strings_attr("gen_ai.response.finish_reasons"),
        Some(vec!["tool_calls".to_owned()])
    );
    // Token counts are OTel ints, not strings.
    assert_eq!(s.int_attr("gen_ai.usage.input_tokens"), Some(1200));
    assert_eq!(s.int_attr("gen_ai.usage.output_tokens"), Some(85));
    assert_eq!(
        s.int_attr("gen_ai.usage.cache_read.input_tokens"),
        Some(1024)
    );
    assert_eq!(s.int_attr("gen_ai.usage.reasoning.output_tokens"), Some(64));
    assert_eq!(s.attr("gen_ai.usage.cache_creation.input_tokens"), None);
    assert_eq!(
        s.json_attr("gen_ai.input.messages"),
        Some(json!([
            {"role": "system", "parts": [{"type": "text", "content": "You are terse."}]},
            {"role": "user", "parts": [{"type": "text", "content": "What is 2+2?"}]},
            {"role": "assistant", "parts": [{"type": "tool_call", "id": "call_0", "name": "calculator", "arguments": {"expr": "1+1"}}]},
            {"role": "tool", "parts": [{"type": "tool_call_response", "id": "call_0", "response": "2"}]}
        ]))
    );
    assert_eq!(
        s.json_attr("gen_ai.output.messages"),
        Some(
            json!([{"role": "assistant", "finish_reason": "tool_call", "parts": [
                {"type": "tool_call", "id": "call_1", "name": "calculator", "arguments": {"expr": "2+2"}}
            ]}])
        )
    );
    assert_eq!(
        s.attr("input.value"),
        None,
        "a request argument is recorded as messages only"
    );
}

fn anthropic_response() -> Value {
    json!({
        "id": "msg_01", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5-20250929",
        "content": [
            {"type": "thinking", "thinking": "Add them."},
            {"type": "text", "text": "4"}
        ],
        "stop_reason": "end_turn",
        "usage": {"input_tokens": 50, "cache_read_input_tokens": 2000, "cache_creation_input_tokens": 300, "output_tokens": 12}
    })
}

#[llm_call(provider = "anthropic", model = "claude-sonnet-4-5", capture = true)]
async fn claude(request: Value) -> Result<Value, std::io::Error> {
    let _ = request;
    tokio::task::yield_now().await;
    Ok(anthropic_response())
}

#[test]
fn anthropic_input_tokens_include_cache_reads_and_writes() {
    let req = json!({
        "model": "ignored-because-the-macro-names-one", "max_tokens": 1024, "top_k": 40,
        "stop_sequences": ["END"],
        "system": [{"type": "text", "text": "Be exact."}],
        "messages": [{"role": "user", "content": [{"type": "text", "text": "2+2?"},
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBOR"}}]}]
    });
    let (_, spans) = record_async(|| claude(req));
    let s = spans.one("chat claude-sonnet-4-5");
    assert_eq!(
        s.str_attr("gen_ai.request.model"),
        Some("claude-sonnet-4-5")
    );
    assert_eq!(s.str_attr("gen_ai.provider.name"), Some("anthropic"));
    assert_eq!(s.int_attr("gen_ai.usage.input_tokens"), Some(2350));
    assert_eq!(
        s.int_attr("gen_ai.usage.cache_read.input_tokens"),
        Some(2000)
    );
    assert_eq!(
        s.int_attr("gen_ai.usage.cache_creation.input_tokens"),
        Some(300)
    );
    assert_eq!(s.int_attr("gen_ai.usage.output_tokens"), Some(12));
    assert_eq!(s.f64_attr("gen_ai.request.top_k"), Some(40.0));
    assert_eq!(
        s.strings_attr("gen_ai.request.stop_sequences"),
        Some(vec!["END".to_owned()])
    );
    assert_eq!(
        s.strings_attr("gen_ai.response.finish_reasons"),
        Some(vec!["end_turn".to_owned()])
    );
    assert_eq!(
        s.json_attr("gen_ai.system_instructions"),
        Some(json!([{"type": "text", "content": "Be exact."}]))
    );
    assert_eq!(
        s.json_attr("gen_ai.input.messages"),
        Some(json!([{"role": "user", "parts": [
            {"type": "text", "content": "2+2?"},
            {"type": "blob", "mime_type": "image/png", "modality": "image", "content": "iVBOR"}
        ]}]))
    );
    assert_eq!(
        s.json_attr("gen_ai.output.messages"),
        Some(
            json!([{"role": "assistant", "finish_reason": "stop", "parts": [
                {"type": "reasoning", "content": "Add them."}, {"type": "text", "content": "4"}
            ]}])
        )
    );
}

/// A typed response of the user's own.
struct Reply {
    text: String,
}

impl ModelResponse for Reply {
    fn response_id(&self) -> Option<&str> {
        Some("r-1")
    }
    fn usage(&self) -> Usage {
        Usage {
            input_tokens: Some(10),
            output_tokens: Some(2),
            ..Usage::default()
        }
    }
    fn finish_reasons(&self) -> Vec<String> {
        vec!["stop".into()]
    }
    fn output_messages(&self) -> Vec<OutputMessage> {
        vec![OutputMessage {
            role: "assistant".into(),
            parts: vec![MessagePart::text(&self.text)],
            finish_reason: "stop".into(),
        }]
    }
}

struct Client {
    model: String,
}

impl Client {
    #[llm_call(provider = "vllm", model = self.model, operation = "text_completion", capture = true, skip(prompt))]
    fn complete(&self, prompt: &str, n: u32) -> Reply {
        Reply {
            text: format!("{prompt}{n}"),
        }
    }

    #[llm_call(provider = "openai", model = format!("{}-embed", self.model), operation = "embeddings")]
    async fn embed(&self, text: &str) -> Result<Reply, String> {
        Err(format!("no embedding for {text}"))
    }
}

#[test]
fn model_expression_operation_and_a_custom_response_type() {
    let c = Client {
        model: "llama-3".into(),
    };
    let (r, spans) = record(|| c.complete("count: ", 3));
    assert_eq!(r.text, "count: 3");
    let s = spans.one("text_completion llama-3");
    assert_eq!(s.str_attr("gen_ai.operation.name"), Some("text_completion"));
    assert_eq!(s.str_attr("gen_ai.request.model"), Some("llama-3"));
    assert_eq!(s.str_attr("gen_ai.response.id"), Some("r-1"));
    assert_eq!(s.int_attr("gen_ai.usage.input_tokens"), Some(10));
    // No request argument: the named, non-skipped arguments are the input.
    assert_eq!(
        s.json_attr("input.value"),
        Some(json!({"n": 3})),
        "`prompt` is skipped"
    );
    assert_eq!(s.str_attr("input.mime_type"), Some("application/json"));
    assert_eq!(
        s.json_attr("gen_ai.output.messages"),
        Some(
            json!([{"role": "assistant", "finish_reason": "stop", "parts": [{"type": "text", "content": "count: 3"}]}])
        )
    );

    let (r, spans) = record_async(|| c.embed("hello"));
    assert!(r.is_err());
    let s = spans.one("embeddings llama-3-embed");
    assert_eq!(s.str_attr("openinference.span.kind"), Some("EMBEDDING"));
    assert_eq!(s.str_attr("error.type"), Some("alloc::string::String"));
    assert_eq!(s.error_description(), Some("no embedding for hello"));
}

#[llm_call(provider = "openai", capture = true)]
fn no_model(question: &str) -> Value {
    let _ = question;
    json!({"choices": []})
}

#[test]
fn without_a_model_the_span_is_named_by_the_operation_and_arguments_are_the_input() {
    let (_, spans) = record(|| no_model("why?"));
    let s = spans.one("chat");
    assert_eq!(s.attr("gen_ai.request.model"), None);
    assert_eq!(s.str_attr("input.value"), Some("why?"));
    assert_eq!(s.str_attr("input.mime_type"), Some("text/plain"));
}

#[llm_call(provider = "openai")]
fn chat_default_capture(request: &Value) -> Value {
    let _ = request;
    openai_response()
}

#[test]
fn with_capture_off_usage_is_recorded_and_content_is_not() {
    let req = openai_request();
    let (_, spans) = record(|| chat_default_capture(&req));
    let s = spans.one("chat gpt-4o");
    assert_eq!(s.int_attr("gen_ai.usage.input_tokens"), Some(1200));
    assert_eq!(s.f64_attr("gen_ai.request.temperature"), Some(0.2));
    for key in [
        "gen_ai.input.messages",
        "gen_ai.output.messages",
        "gen_ai.system_instructions",
        "input.value",
    ] {
        assert_eq!(s.attr(key), None, "{key} recorded with capture off");
    }
}

#[llm_call(provider = "openai", capture = true, skip(request))]
fn skipped_request(request: &Value) -> Value {
    let _ = request;
    openai_response()
}

#[test]
fn a_skipped_request_still_gives_parameters_but_no_messages() {
    let req = openai_request();
    let (_, spans) = record(|| skipped_request(&req));
    let s = spans.one("chat gpt-4o");
    assert_eq!(s.int_attr("gen_ai.request.max_tokens"), Some(512));
    assert_eq!(s.attr("gen_ai.input.messages"), None);
    assert!(s.attr("gen_ai.output.messages").is_some());
}

#[llm_call(provider = "openai", capture = true, skip_result)]
fn skipped_result(request: &Value) -> Result<Value, std::io::Error> {
    let _ = request;
    Ok(openai_response())
}

#[llm_call(provider = "openai", model = "gpt-4o", capture = true, skip_result)]
fn failing_skipped_result(question: &str) -> Result<Value, std::io::Error> {
    Err(std::io::Error::other(format!("refused: {question}")))
}

#[test]
fn skip_result_keeps_the_input_messages_and_usage_but_not_the_output_messages() {
    let req = openai_request();
    let (_, spans) = record(|| skipped_result(&req));
    let s = spans.one("chat gpt-4o");
    assert!(s.attr("gen_ai.input.messages").is_some());
    assert_eq!(s.attr("gen_ai.output.messages"), None);
    assert_eq!(s.int_attr("gen_ai.usage.input_tokens"), Some(1200));
    assert_eq!(s.int_attr("gen_ai.usage.output_tokens"), Some(85));
    assert_eq!(s.str_attr("gen_ai.response.id"), Some("chatcmpl-abc123"));
    assert_eq!(
        s.strings_attr("gen_ai.response.finish_reasons"),
        Some(vec!["tool_calls".to_owned()])
    );
    assert!(!s.is_error());

    // A failure is still one, with the arguments recorded.
    let (_, spans) = record(|| failing_skipped_result("why?"));
    let s = spans.one("chat gpt-4o");
    assert!(s.is_error());
    assert_eq!(s.error_description(), Some("refused: why?"));
    assert_eq!(s.str_attr("input.value"), Some("why?"));
}

#[test]
fn unknown_response_shapes_record_nothing_rather_than_guessing() {
    let v = json!({"output": "hi"});
    assert_eq!(v.usage(), Usage::default());
    assert!(v.finish_reasons().is_empty());
    assert!(v.output_messages().is_empty());
}
