//! Content capture switched on by the environment, with the user's own subscriber installed.
//! One test per process: the policy is process-wide and read once.

use genai_tracing::capture::{CapturePolicy, CAPTURE_ENV};
use genai_tracing::tool;
use genai_tracing_tests::{record, SpanDataExt};
use serde_json::json;

#[tool]
fn lookup(city: &str) -> String {
    format!("sunny in {city}")
}

#[test]
fn the_environment_switches_capture_on_once_and_code_overrides_it() {
    std::env::set_var(CAPTURE_ENV, "True");
    std::env::set_var(genai_tracing::capture::ATTRIBUTE_LIMIT_ENV, "200");
    let (_, spans) = record(|| lookup("Paris"));
    let s = spans.one("execute_tool lookup");
    assert_eq!(
        s.json_attr("gen_ai.tool.call.arguments"),
        Some(json!({"city": "Paris"}))
    );
    assert_eq!(
        s.json_attr("gen_ai.tool.call.result"),
        Some(json!("sunny in Paris"))
    );

    // OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT bounds every captured attribute.
    let long = "Llanfairpwllgwyngyll".repeat(50);
    let (_, spans) = record(|| lookup(&long));
    let args = spans
        .one("execute_tool lookup")
        .str_attr("gen_ai.tool.call.arguments")
        .unwrap()
        .to_owned();
    assert!(args.len() <= 200, "{} bytes", args.len());
    let city: serde_json::Value = serde_json::from_str(&args).unwrap();
    assert!(
        city["city"].as_str().unwrap().ends_with("of 1000 bytes]"),
        "{args}"
    );

    // Read once: a later change of the variable does not flip it.
    std::env::set_var(CAPTURE_ENV, "false");
    let (_, spans) = record(|| lookup("Oslo"));
    assert!(spans
        .one("execute_tool lookup")
        .attr("gen_ai.tool.call.arguments")
        .is_some());

    // Code wins.
    genai_tracing::capture::set_content_capture(CapturePolicy::NoContent);
    let (_, spans) = record(|| lookup("Rome"));
    assert_eq!(
        spans
            .one("execute_tool lookup")
            .attr("gen_ai.tool.call.arguments"),
        None
    );
}
