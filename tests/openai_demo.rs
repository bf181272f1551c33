//! The demo's real-model mode against a local OpenAI-compatible server: async-openai's real HTTP
//! client and (de)serialisation, whole and streamed responses, each model call's span read back
//! over OTLP with its usage, cost, stream attributes and content.

use genai_tracing::capture::CAPTURE_ENV;
use genai_tracing::semconv as sc;
use genai_tracing_tests::openai_server::OpenAiServer;
use genai_tracing_tests::otlp_receiver::OtlpReceiver;
use genai_tracing_tests::process::{command_without_otel, received, stdout_of};
use genai_tracing_tests::{SpanDataExt, Spans};
use serde_json::json;

const EXE: &str = env!("CARGO_BIN_EXE_react_agent");
const QUESTION: &str = "What is 17 * 23?";

/// Runs the demo on one question against `server`, exporting to a fresh receiver.
fn run(server: &OpenAiServer, extra: &[&str]) -> (String, Spans) {
    let receiver = OtlpReceiver::start();
    let output = command_without_otel(EXE)
        .env("OPENAI_BASE_URL", &server.base_url)
        .env("OPENAI_API_KEY", "sk-test-not-a-secret")
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", &receiver.endpoint)
        .env(CAPTURE_ENV, "true")
        .args(["--question", QUESTION])
        .args(extra)
        .output()
        .expect("run the demo");
    (stdout_of(&output), received(&receiver))
}

fn close(actual: Option<f64>, expected: f64) {
    let actual = actual.expect("a figure");
    assert!((actual - expected).abs() < 1e-12, "{actual} != {expected}");
}

/// gpt-4o-mini: $0.15 / M input, $0.075 / M cached input, $0.60 / M output.
const FIRST: f64 = (151.0 * 0.15 + 18.0 * 0.6) / 1e6;
const SECOND: f64 = (59.0 * 0.15 + 128.0 * 0.075 + 9.0 * 0.6) / 1e6;

/// What both modes must show: the tree, usage and cost of each call, the agent's totals, the
/// answer and the tool call as content.
fn assert_run(stdout: &str, spans: &Spans) {
    assert!(stdout.contains("A: 17 * 23 = 391."), "{stdout}");
    assert_eq!(spans.0.len(), 4, "{:?}", spans.names());
    let agent = spans.one("invoke_agent react-agent");
    let calls: Vec<_> = spans.all("chat gpt-4o-mini");
    assert_eq!(calls.len(), 2, "{:?}", spans.names());
    let (first, second) = if calls[0].start_time < calls[1].start_time {
        (calls[0], calls[1])
    } else {
        (calls[1], calls[0])
    };
    for call in [first, second] {
        assert_eq!(
            spans.parent_of(call).map(|p| p.name.as_ref()),
            Some(agent.name.as_ref())
        );
        assert_eq!(call.str_attr(sc::GEN_AI_PROVIDER_NAME), Some("openai"));
        assert_eq!(
            call.str_attr(sc::GEN_AI_RESPONSE_MODEL),
            Some("gpt-4o-mini-2024-07-18")
        );
        assert!(!call.is_error());
    }
    assert_eq!(first.int_attr(sc::GEN_AI_USAGE_INPUT_TOKENS), Some(151));
    assert_eq!(
        first.strings_attr(sc::GEN_AI_RESPONSE_FINISH_REASONS),
        Some(vec!["tool_calls".into()])
    );
    assert_eq!(
        first.json_attr(sc::GEN_AI_OUTPUT_MESSAGES),
        Some(
            json!([{"role": "assistant", "parts": [{"type": "tool_call", "id": "call_Qm7Yx2KpL9vT3nR8sD4fG6hJ",
            "name": "calculator", "arguments": {"expr": "17 * 23"}}], "finish_reason": "tool_call"}])
        )
    );
    close(first.f64_attr(sc::COST_USD), FIRST);
    assert_eq!(
        second.int_attr(sc::GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS),
        Some(128)
    );
    assert_eq!(second.int_attr(sc::GEN_AI_USAGE_OUTPUT_TOKENS), Some(9));
    let output = second.json_attr(sc::GEN_AI_OUTPUT_MESSAGES).unwrap();
    assert_eq!(output[0]["parts"][0]["content"], "17 * 23 = 391.");
    close(second.f64_attr(sc::COST_USD), SECOND);
    close(second.f64_attr(sc::LLM_COST_TOTAL), SECOND);
    // The request went out as async-openai built it, and the span read it back.
    let input = second.json_attr(sc::GEN_AI_INPUT_MESSAGES).unwrap();
    assert_eq!(
        input[1],
        json!({"role": "user", "parts": [{"type": "text", "content": QUESTION}]})
    );
    assert_eq!(second.f64_attr(sc::GEN_AI_REQUEST_TEMPERATURE), Some(0.0));
    // The agent carries the run's totals.
    assert_eq!(
        agent.int_attr(sc::GEN_AI_USAGE_INPUT_TOKENS),
        Some(151 + 187)
    );
    assert_eq!(agent.int_attr(sc::GEN_AI_USAGE_OUTPUT_TOKENS), Some(18 + 9));
    close(agent.f64_attr(sc::COST_USD), FIRST + SECOND);
}

#[test]
fn whole_responses_from_a_real_client_are_traced_with_usage_and_cost() {
    let server = OpenAiServer::start();
    let (stdout, spans) = run(&server, &[]);
    assert_run(&stdout, &spans);
    assert!(
        stdout.contains("Model: gpt-4o-mini at http://127.0.0.1"),
        "{stdout}"
    );
    for call in spans.all("chat gpt-4o-mini") {
        assert!(call.attr(sc::GEN_AI_REQUEST_STREAM).is_none());
    }
    let requests = server.received();
    assert_eq!(requests.len(), 2);
    for r in &requests {
        assert_eq!(
            r.authorization.as_deref(),
            Some("Bearer sk-test-not-a-secret")
        );
        assert_eq!(r.body["model"], "gpt-4o-mini");
        assert!(r.body.get("stream").is_none_or(|s| s == false));
    }
}

#[test]
fn streamed_responses_are_one_span_each_with_time_to_first_chunk() {
    let server = OpenAiServer::start();
    let (stdout, spans) = run(&server, &["--stream"]);
    assert_run(&stdout, &spans);
    assert!(stdout.contains(", streamed"), "{stdout}");
    for call in spans.all("chat gpt-4o-mini") {
        assert_eq!(
            call.attr(sc::GEN_AI_REQUEST_STREAM),
            Some(&opentelemetry::Value::Bool(true)),
            "a boolean"
        );
        let first = call
            .f64_attr(sc::GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK)
            .unwrap();
        let whole = call
            .end_time
            .duration_since(call.start_time)
            .unwrap()
            .as_secs_f64();
        // Events come 15 ms apart: the first after one gap, the last after eight or nine.
        assert!(
            first >= 0.015 && first < whole,
            "first chunk {first}, whole {whole}"
        );
        assert!(
            whole >= 0.1,
            "the span lasts until the stream ends: {whole}"
        );
    }
    for r in server.received() {
        assert_eq!(r.body["stream"], true);
        assert_eq!(r.body["stream_options"]["include_usage"], true);
    }
}

#[test]
fn a_server_error_fails_the_call_span_with_the_providers_message() {
    let server = OpenAiServer::start();
    let (stdout, spans) = run(&server, &["--model", "missing-model"]);
    assert!(stdout.contains("A: (failed)"), "{stdout}");
    let call = spans.one("chat missing-model");
    assert!(call.is_error());
    let description = call.error_description().unwrap();
    assert!(description.contains("does not exist"), "{description}");
    assert!(spans.one("invoke_agent react-agent").is_error());
}

#[test]
fn model_options_without_a_server_are_refused() {
    let output = command_without_otel(EXE)
        .env_remove("OPENAI_BASE_URL")
        .arg("--stream")
        .output()
        .expect("run the demo");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--model and --stream need OPENAI_BASE_URL"),
        "{stderr}"
    );
}
