//! The semconv version switch: `OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental` selects the
//! latest names, code can switch back to v1.41, and each name in the table comes out as its version
//! spells and types it. One test: the version is process-wide.

use genai_tracing::semconv::version::{set_semconv_version, SemconvVersion};
use genai_tracing::{agent, llm_call, retrieval};
use genai_tracing_tests::{record, SpanDataExt};
use serde_json::{json, Value};

#[agent(provider = "openai", id = "asst_1", version = "7")]
fn hosted() -> u8 {
    1
}

#[llm_call(provider = "anthropic", model = "claude")]
fn cached(request: &Value) -> Value {
    let _ = request;
    json!({"type": "message", "model": "claude", "content": [], "stop_reason": "end_turn",
           "usage": {"input_tokens": 10, "cache_creation_input_tokens": 90, "output_tokens": 3}})
}

#[retrieval(data_source = "kb", top_k = 5)]
fn lookup(q: &str) -> Vec<String> {
    vec![q.to_owned()]
}

fn run() -> genai_tracing_tests::Spans {
    let request = json!({"model": "claude", "top_k": 40, "messages": []});
    record(|| {
        hosted();
        cached(&request);
        lookup("q");
    })
    .1
}

#[test]
fn each_version_emits_its_own_names() {
    std::env::set_var(
        "OTEL_SEMCONV_STABILITY_OPT_IN",
        "http,gen_ai_latest_experimental",
    );
    let latest = run();
    let agent = latest.one("invoke_agent hosted");
    for gone in [
        "gen_ai.provider.name",
        "gen_ai.agent.id",
        "gen_ai.agent.version",
    ] {
        assert_eq!(agent.attr(gone), None, "{gone} on an in-process agent span");
    }
    let llm = latest.one("chat claude");
    assert_eq!(
        llm.int_attr("gen_ai.usage.cache_write.input_tokens"),
        Some(90)
    );
    assert_eq!(llm.attr("gen_ai.usage.cache_creation.input_tokens"), None);
    assert_eq!(llm.int_attr("gen_ai.request.top_k"), Some(40));
    assert_eq!(llm.int_attr("gen_ai.usage.input_tokens"), Some(100));
    let r = latest.one("retrieval kb");
    assert_eq!(r.int_attr("gen_ai.retrieval.top_k"), Some(5));
    assert_eq!(r.attr("gen_ai.request.top_k"), None);

    set_semconv_version(SemconvVersion::V1_41);
    let v141 = run();
    let agent = v141.one("invoke_agent hosted");
    assert_eq!(agent.str_attr("gen_ai.provider.name"), Some("openai"));
    assert_eq!(agent.str_attr("gen_ai.agent.id"), Some("asst_1"));
    assert_eq!(agent.str_attr("gen_ai.agent.version"), Some("7"));
    let llm = v141.one("chat claude");
    assert_eq!(
        llm.int_attr("gen_ai.usage.cache_creation.input_tokens"),
        Some(90)
    );
    assert_eq!(llm.attr("gen_ai.usage.cache_write.input_tokens"), None);
    assert_eq!(llm.f64_attr("gen_ai.request.top_k"), Some(40.0));
    let r = v141.one("retrieval kb");
    assert_eq!(r.f64_attr("gen_ai.request.top_k"), Some(5.0));
    assert_eq!(r.attr("gen_ai.retrieval.top_k"), None);
}
