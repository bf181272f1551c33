//! `#[agent]` and `#[workflow]`: attributes, input/output capture, and the tree a run produces.

use genai_tracing::{agent, llm_call, tool, workflow};
use genai_tracing_tests::{record, record_async, SpanDataExt};
use opentelemetry::trace::SpanKind;
use serde_json::{json, Value};

/// Finds facts.
///
/// Uses a model and a calculator.
#[agent(
    name = "researcher",
    id = "asst_123",
    version = "1.2.0",
    capture = true
)]
async fn research(goal: &str) -> Result<String, String> {
    let reply =
        think(&json!({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": goal}]}))
            .await;
    let n = add(2, 2).map_err(|e| e.to_string())?;
    Ok(format!(
        "{} {n}",
        reply["choices"][0]["message"]["content"]
            .as_str()
            .unwrap_or_default()
    ))
}

#[llm_call(provider = "openai")]
async fn think(request: &Value) -> Value {
    let _ = request;
    tokio::task::yield_now().await;
    json!({"id": "c1", "model": "gpt-4o-mini", "choices": [{"message": {"role": "assistant", "content": "The answer is"}, "finish_reason": "stop"}],
           "usage": {"prompt_tokens": 20, "completion_tokens": 4}})
}

#[tool]
fn add(a: i64, b: i64) -> Result<i64, std::num::TryFromIntError> {
    Ok(a + b)
}

#[test]
fn an_agent_run_is_one_trace_with_model_and_tool_spans_under_the_agent() {
    let (answer, spans) = record_async(|| research("What is 2+2?"));
    assert_eq!(answer.unwrap(), "The answer is 4");
    let root = spans.one("invoke_agent researcher");
    let llm = spans.one("chat gpt-4o-mini");
    let tool = spans.one("execute_tool add");
    assert_eq!(root.kind(), &SpanKind::Internal);
    assert_eq!(root.str_attr("gen_ai.operation.name"), Some("invoke_agent"));
    assert_eq!(root.str_attr("gen_ai.agent.name"), Some("researcher"));
    assert_eq!(
        root.str_attr("gen_ai.agent.description"),
        Some("Finds facts.")
    );
    assert_eq!(root.str_attr("gen_ai.agent.id"), Some("asst_123"));
    assert_eq!(root.str_attr("gen_ai.agent.version"), Some("1.2.0"));
    assert_eq!(root.str_attr("openinference.span.kind"), Some("AGENT"));
    assert_eq!(root.str_attr("input.value"), Some("What is 2+2?"));
    assert_eq!(root.str_attr("input.mime_type"), Some("text/plain"));
    assert_eq!(root.str_attr("output.value"), Some("The answer is 4"));
    assert_eq!(root.str_attr("output.mime_type"), Some("text/plain"));
    assert_eq!(
        root.attr("gen_ai.provider.name"),
        None,
        "in-process agents name no provider"
    );

    assert_eq!(spans.parent_of(llm).map(|p| &p.name), Some(&root.name));
    assert_eq!(spans.parent_of(tool).map(|p| &p.name), Some(&root.name));
    assert!(spans.parent_of(root).is_none(), "the agent is the root");
    let trace = root.span_context.trace_id();
    assert!(spans.0.iter().all(|s| s.span_context.trace_id() == trace));
    assert_eq!(llm.int_attr("gen_ai.usage.output_tokens"), Some(4));
}

#[agent]
fn failing_agent(task: u32) -> Result<u32, std::io::Error> {
    Err(std::io::Error::new(
        std::io::ErrorKind::TimedOut,
        format!("task {task} timed out"),
    ))
}

#[test]
fn agent_defaults_to_the_function_name_and_records_errors() {
    let (r, spans) = record(|| failing_agent(9));
    assert!(r.is_err());
    let s = spans.one("invoke_agent failing_agent");
    assert_eq!(s.str_attr("gen_ai.agent.name"), Some("failing_agent"));
    assert_eq!(s.attr("gen_ai.agent.description"), None);
    assert_eq!(s.str_attr("error.type"), Some("std::io::error::Error"));
    assert_eq!(s.error_description(), Some("task 9 timed out"));
}

#[derive(serde::Serialize)]
struct Report {
    pages: u32,
}

#[workflow(name = "nightly-report", capture = true)]
fn nightly(day: u32, region: &str) -> Report {
    Report {
        pages: day + region.len() as u32,
    }
}

#[test]
fn workflow_span_records_json_input_and_output() {
    let (r, spans) = record(|| nightly(3, "eu"));
    assert_eq!(r.pages, 5);
    let s = spans.one("invoke_workflow nightly-report");
    assert_eq!(s.kind(), &SpanKind::Internal);
    assert_eq!(s.str_attr("gen_ai.operation.name"), Some("invoke_workflow"));
    assert_eq!(s.str_attr("gen_ai.workflow.name"), Some("nightly-report"));
    assert_eq!(s.str_attr("openinference.span.kind"), Some("CHAIN"));
    assert_eq!(
        s.json_attr("input.value"),
        Some(json!({"day": 3, "region": "eu"}))
    );
    assert_eq!(s.str_attr("input.mime_type"), Some("application/json"));
    assert_eq!(s.json_attr("output.value"), Some(json!({"pages": 5})));
    assert_eq!(s.str_attr("output.mime_type"), Some("application/json"));
}

/// A plan that holds a live connection: not `Serialize`.
struct Plan {
    steps: Vec<String>,
}

#[agent(name = "planner", capture = true, skip_result)]
async fn plan(goal: &str) -> Result<Plan, std::io::Error> {
    let reply = think(&json!({"model": "gpt-4o-mini", "messages": []})).await;
    Ok(Plan {
        steps: vec![goal.to_owned(), reply["id"].to_string()],
    })
}

#[test]
fn skip_result_records_the_input_and_the_usage_but_not_the_output() {
    let (p, spans) = record_async(|| plan("tidy up"));
    assert_eq!(p.unwrap().steps[0], "tidy up");
    let s = spans.one("invoke_agent planner");
    assert_eq!(s.str_attr("input.value"), Some("tidy up"));
    assert_eq!(s.attr("output.value"), None);
    assert_eq!(s.attr("output.mime_type"), None);
    // The model calls beneath it are still summed.
    assert_eq!(
        s.int_attr("gen_ai.usage.input_tokens"),
        spans
            .one("chat gpt-4o-mini")
            .int_attr("gen_ai.usage.input_tokens")
    );
    assert!(s.int_attr("gen_ai.usage.input_tokens").is_some());
    assert!(!s.is_error());
}

#[agent(capture = true)]
fn outer(n: u32) -> u32 {
    if n == 0 {
        0
    } else {
        inner_step(n) + outer(n - 1)
    }
}

#[workflow]
fn inner_step(n: u32) -> u32 {
    n
}

#[test]
fn recursion_nests_spans() {
    let (v, spans) = record(|| outer(2));
    assert_eq!(v, 3);
    let agents: Vec<_> = spans.all("invoke_agent outer");
    assert_eq!(agents.len(), 3);
    let root = agents
        .iter()
        .find(|s| spans.parent_of(s).is_none())
        .unwrap();
    assert_eq!(root.json_attr("input.value"), Some(json!({"n": 2})));
    let depth = |s: &opentelemetry_sdk::trace::SpanData| {
        std::iter::successors(Some(s), |s| spans.parent_of(s)).count() - 1
    };
    let mut depths: Vec<_> = agents.iter().map(|s| depth(s)).collect();
    depths.sort();
    assert_eq!(depths, [0, 1, 2]);
}
