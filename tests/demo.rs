//! The demo's agent with content capture on: the messages are the conventions' JSON (each output
//! message keeps `finish_reason`, which Phoenix requires), tool calls line up with tool spans, and
//! the off-by-one calculator produces the seed's silent failure: a wrong answer, no error anywhere.

use genai_tracing::capture::CapturePolicy;
use genai_tracing_examples::agent::ReactAgent;
use genai_tracing_examples::tools::Calculator;
use genai_tracing_tests::{record_async, SpanDataExt};
use serde_json::json;

#[test]
fn captured_content_is_in_the_conventions_schema_and_the_buggy_calculator_fails_silently() {
    genai_tracing::capture::set_content_capture(CapturePolicy::Content);

    let agent = ReactAgent::default();
    let (answer, spans) = record_async(|| agent.answer("What is 17 * 23?"));
    assert_eq!(answer.unwrap(), "17 * 23 = 391.");
    let root = spans.one("invoke_agent react-agent");
    assert_eq!(root.str_attr("input.value"), Some("What is 17 * 23?"));
    assert_eq!(root.str_attr("output.value"), Some("17 * 23 = 391."));
    let tool = spans.one("execute_tool calculator");
    assert_eq!(
        tool.json_attr("gen_ai.tool.call.arguments"),
        Some(json!({"expr": "17 * 23"}))
    );
    assert_eq!(
        tool.json_attr("gen_ai.tool.call.result"),
        Some(json!(391.0))
    );
    let chats: Vec<_> = spans.all("chat gpt-4o-mini");
    assert_eq!(chats.len(), 2);
    let first_out = chats[0].json_attr("gen_ai.output.messages").unwrap();
    assert_eq!(first_out[0]["finish_reason"], "tool_call");
    let call = &first_out[0]["parts"][0];
    assert_eq!(
        (call["type"].as_str(), call["name"].as_str()),
        (Some("tool_call"), Some("calculator"))
    );
    assert_eq!(
        tool.str_attr("gen_ai.tool.call.id"),
        call["id"].as_str(),
        "the tool span names the model's call"
    );
    let second_in = chats[1].json_attr("gen_ai.input.messages").unwrap();
    assert_eq!(
        second_in.as_array().unwrap().len(),
        4,
        "system, user, assistant tool call, tool result"
    );
    assert_eq!(
        second_in[3]["parts"][0],
        json!({"type": "tool_call_response", "id": "call_0", "response": "391"})
    );
    assert_eq!(
        chats[1].json_attr("gen_ai.output.messages").unwrap()[0]["finish_reason"],
        "stop"
    );

    let buggy = ReactAgent {
        calculator: Calculator { buggy: true },
        ..ReactAgent::default()
    };
    let (answer, spans) = record_async(|| buggy.answer("What is 17 * 23?"));
    assert_eq!(
        answer.unwrap(),
        "17 * 23 = 392.",
        "a confident wrong answer"
    );
    assert!(
        spans.0.iter().all(|s| !s.is_error()),
        "and nothing in the trace is marked failed"
    );
    // Only the calculator span's result shows where the wrong value entered.
    let tool = spans.one("execute_tool calculator");
    assert_eq!(
        tool.json_attr("gen_ai.tool.call.arguments"),
        Some(json!({"expr": "17 * 23"}))
    );
    assert_eq!(
        tool.json_attr("gen_ai.tool.call.result"),
        Some(json!(392.0))
    );
}
