//! What the demo's five runs must look like once exported, however they travelled.

use std::collections::{HashMap, HashSet};

use genai_tracing_examples::demo::Outcome;
use genai_tracing_tests::otlp_receiver::Export;
use opentelemetry_proto::tonic::common::v1::{any_value, KeyValue};
use opentelemetry_proto::tonic::trace::v1::{span::SpanKind, status::StatusCode, Span};

fn attr<'a>(attrs: &'a [KeyValue], key: &str) -> Option<&'a any_value::Value> {
    attrs
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref())
        .and_then(|v| v.value.as_ref())
}

fn string(attrs: &[KeyValue], key: &str) -> Option<String> {
    match attr(attrs, key) {
        Some(any_value::Value::StringValue(s)) => Some(s.clone()),
        _ => None,
    }
}

/// Asserts the five traces: trees, kinds, attribute types, the recovered tool error, no content.
pub fn assert_demo_traces(exports: &[Export], outcomes: &[Outcome]) {
    let mut spans: Vec<Span> = Vec::new();
    for export in exports {
        for rs in &export.request.resource_spans {
            let resource = rs.resource.as_ref().expect("resource");
            assert_eq!(
                string(&resource.attributes, "service.name").as_deref(),
                Some("react-agent-demo")
            );
            spans.extend(rs.scope_spans.iter().flat_map(|s| s.spans.iter().cloned()));
        }
    }
    assert_eq!(
        spans.len(),
        30,
        "5 agent runs, 15 model calls, 10 tool calls"
    );

    let traces: HashSet<&[u8]> = spans.iter().map(|s| s.trace_id.as_slice()).collect();
    assert_eq!(traces.len(), 5, "one trace per question");
    for outcome in outcomes {
        assert!(outcome.answer.is_ok(), "{:?}", outcome.answer);
        assert!(traces.contains(outcome.trace_id.to_bytes().as_slice()));
    }
    assert_eq!(outcomes[0].answer.as_deref().unwrap(), "17 * 23 = 391.");

    let by_id: HashMap<&[u8], &Span> = spans.iter().map(|s| (s.span_id.as_slice(), s)).collect();
    let roots: Vec<&Span> = spans
        .iter()
        .filter(|s| s.parent_span_id.is_empty())
        .collect();
    assert_eq!(roots.len(), 5);
    for root in &roots {
        assert_eq!(root.name, "invoke_agent react-agent");
        assert_eq!(root.kind, SpanKind::Internal as i32);
        assert_eq!(
            string(&root.attributes, "gen_ai.agent.name").as_deref(),
            Some("react-agent")
        );
        assert_eq!(
            string(&root.attributes, "gen_ai.agent.version").as_deref(),
            Some("1.0.0")
        );
        assert_eq!(
            string(&root.attributes, "openinference.span.kind").as_deref(),
            Some("AGENT")
        );
    }
    for span in spans.iter().filter(|s| !s.parent_span_id.is_empty()) {
        let parent = by_id[span.parent_span_id.as_slice()];
        assert_eq!(
            parent.name, "invoke_agent react-agent",
            "{} hangs under the agent",
            span.name
        );
        assert_eq!(parent.trace_id, span.trace_id);
        assert!(span.start_time_unix_nano >= parent.start_time_unix_nano);
        assert!(span.end_time_unix_nano <= parent.end_time_unix_nano);
    }

    let chats: Vec<&Span> = spans
        .iter()
        .filter(|s| s.name == "chat gpt-4o-mini")
        .collect();
    assert_eq!(chats.len(), 15);
    for chat in &chats {
        let a = &chat.attributes;
        assert_eq!(chat.kind, SpanKind::Client as i32);
        assert_eq!(string(a, "gen_ai.operation.name").as_deref(), Some("chat"));
        assert_eq!(string(a, "gen_ai.provider.name").as_deref(), Some("openai"));
        assert_eq!(
            string(a, "gen_ai.response.model").as_deref(),
            Some("gpt-4o-mini-2024-07-18")
        );
        assert!(
            matches!(attr(a, "gen_ai.usage.input_tokens"), Some(any_value::Value::IntValue(n)) if *n > 100)
        );
        assert!(
            matches!(attr(a, "gen_ai.usage.output_tokens"), Some(any_value::Value::IntValue(n)) if *n > 0)
        );
        assert!(
            matches!(attr(a, "gen_ai.request.temperature"), Some(any_value::Value::DoubleValue(t)) if *t == 0.0)
        );
        assert!(matches!(
            attr(a, "gen_ai.request.max_tokens"),
            Some(any_value::Value::IntValue(256))
        ));
        assert!(
            matches!(attr(a, "gen_ai.response.finish_reasons"), Some(any_value::Value::ArrayValue(v)) if v.values.len() == 1)
        );
    }

    let tools: Vec<&Span> = spans
        .iter()
        .filter(|s| s.name.starts_with("execute_tool "))
        .collect();
    assert_eq!(tools.len(), 10);
    for tool in &tools {
        assert_eq!(
            string(&tool.attributes, "gen_ai.tool.type").as_deref(),
            Some("function")
        );
        assert!(string(&tool.attributes, "gen_ai.tool.description").is_some());
    }
    let failed: Vec<&&Span> = tools
        .iter()
        .filter(|s| {
            s.status
                .as_ref()
                .is_some_and(|st| st.code == StatusCode::Error as i32)
        })
        .collect();
    assert_eq!(
        failed.len(),
        1,
        "the one tool error the agent recovers from"
    );
    assert_eq!(
        string(&failed[0].attributes, "error.type").as_deref(),
        Some("parse_error")
    );
    assert!(failed[0]
        .status
        .as_ref()
        .unwrap()
        .message
        .contains("cannot parse"));
    assert!(string(&failed[0].attributes, "gen_ai.tool.call.id")
        .is_some_and(|id| id.starts_with("call_")));
    // The demo's session and user reach every span.
    for span in &spans {
        assert_eq!(
            string(&span.attributes, "session.id").as_deref(),
            Some("react-agent-demo"),
            "{}",
            span.name
        );
        assert_eq!(
            string(&span.attributes, "user.id").as_deref(),
            Some("demo-user"),
            "{}",
            span.name
        );
    }
    // Capture is off by default: no content left the process.
    for span in &spans {
        for key in [
            "gen_ai.tool.call.arguments",
            "gen_ai.input.messages",
            "gen_ai.output.messages",
            "input.value",
        ] {
            assert!(
                attr(&span.attributes, key).is_none(),
                "{key} on {}",
                span.name
            );
        }
    }
}
