//! End to end: the demo's agent, set up by `genai_tracing`'s environment-driven pipeline, exports
//! over real OTLP/HTTP (protobuf) to a receiver on 127.0.0.1; the receiver decodes what arrived and
//! the test checks the traces: one per question, the tree, kinds, types and the recovered error.

use std::collections::{HashMap, HashSet};
use std::sync::mpsc;
use std::thread;

use genai_tracing_examples::demo::{self, DemoOptions};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, KeyValue};
use opentelemetry_proto::tonic::trace::v1::{span::SpanKind, status::StatusCode, Span};
use prost::Message as _;

struct Received {
    path: String,
    content_type: String,
    body: Vec<u8>,
}

/// An OTLP/HTTP receiver on an ephemeral loopback port; every request is answered 200.
fn start_receiver() -> (
    String,
    mpsc::Receiver<Received>,
    thread::JoinHandle<()>,
    std::sync::Arc<tiny_http::Server>,
) {
    let server =
        std::sync::Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind 127.0.0.1"));
    let addr = server.server_addr().to_ip().expect("ip address");
    let (tx, rx) = mpsc::channel();
    let srv = server.clone();
    let handle = thread::spawn(move || {
        for mut request in srv.incoming_requests() {
            let mut body = Vec::new();
            let _ = request.as_reader().read_to_end(&mut body);
            let content_type = request
                .headers()
                .iter()
                .find(|h| h.field.equiv("content-type"))
                .map(|h| h.value.to_string())
                .unwrap_or_default();
            let _ = tx.send(Received {
                path: request.url().to_owned(),
                content_type,
                body,
            });
            let _ = request.respond(tiny_http::Response::empty(200));
        }
    });
    (format!("http://{addr}"), rx, handle, server)
}

fn attr<'a>(attrs: &'a [KeyValue], key: &str) -> Option<&'a any_value::Value> {
    attrs
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref())
        .and_then(|v: &AnyValue| v.value.as_ref())
}

fn string(attrs: &[KeyValue], key: &str) -> Option<String> {
    match attr(attrs, key) {
        Some(any_value::Value::StringValue(s)) => Some(s.clone()),
        _ => None,
    }
}

#[test]
fn the_demo_exports_five_complete_traces_over_otlp_http() {
    let (endpoint, received, handle, server) = start_receiver();
    std::env::set_var("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint);
    std::env::remove_var("OTEL_EXPORTER_OTLP_PROTOCOL");
    std::env::remove_var("OTEL_SERVICE_NAME");

    let mut report = Vec::new();
    let outcomes = demo::run(DemoOptions::default(), &mut report).expect("demo runs");
    let report = String::from_utf8(report).unwrap();
    assert!(
        report.contains(&format!("Exported 5 traces over OTLP to {endpoint}")),
        "{report}"
    );
    server.unblock();
    handle.join().unwrap();

    let mut spans: Vec<Span> = Vec::new();
    for r in received.try_iter() {
        assert_eq!(r.path, "/v1/traces");
        assert_eq!(r.content_type, "application/x-protobuf");
        let request =
            ExportTraceServiceRequest::decode(r.body.as_slice()).expect("valid OTLP protobuf");
        for rs in request.resource_spans {
            let resource = rs.resource.expect("resource");
            assert_eq!(
                string(&resource.attributes, "service.name").as_deref(),
                Some("react-agent-demo")
            );
            spans.extend(rs.scope_spans.into_iter().flat_map(|s| s.spans));
        }
    }

    let traces: HashSet<&[u8]> = spans.iter().map(|s| s.trace_id.as_slice()).collect();
    assert_eq!(traces.len(), 5, "one trace per question");
    for outcome in &outcomes {
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
    }

    let chats: Vec<&Span> = spans
        .iter()
        .filter(|s| s.name == "chat gpt-4o-mini")
        .collect();
    assert_eq!(chats.len(), 2 + 2 + 4 + 3 + 4);
    for chat in &chats {
        assert_eq!(chat.kind, SpanKind::Client as i32);
        assert_eq!(
            string(&chat.attributes, "gen_ai.provider.name").as_deref(),
            Some("openai")
        );
        assert!(
            matches!(attr(&chat.attributes, "gen_ai.usage.input_tokens"), Some(any_value::Value::IntValue(n)) if *n > 100)
        );
        assert!(
            matches!(attr(&chat.attributes, "gen_ai.usage.output_tokens"), Some(any_value::Value::IntValue(n)) if *n > 0)
        );
        assert!(
            matches!(attr(&chat.attributes, "gen_ai.request.temperature"), Some(any_value::Value::DoubleValue(t)) if *t == 0.0)
        );
        assert!(
            matches!(attr(&chat.attributes, "gen_ai.response.finish_reasons"), Some(any_value::Value::ArrayValue(a)) if a.values.len() == 1)
        );
    }

    let tools: Vec<&Span> = spans
        .iter()
        .filter(|s| s.name.starts_with("execute_tool "))
        .collect();
    assert_eq!(tools.len(), 1 + 1 + 3 + 2 + 3);
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
    assert!(string(&failed[0].attributes, "gen_ai.tool.call.id").is_some());
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
