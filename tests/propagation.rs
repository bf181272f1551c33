//! W3C trace context and baggage across a process boundary, through `http::HeaderMap`: what the
//! caller injects names its current span, and a callee's `#[agent(parent = ..)]` becomes that
//! span's child, carrying the session and user from the baggage. Both sides run under the same
//! pipeline here (the spans are read back from one exporter); `multi_agent.rs` does it across two
//! processes.

use genai_tracing::propagation::{extract, inject, RemoteContext};
use genai_tracing::{agent, tool, TraceAttributes};
use genai_tracing_tests::{record, record_async, SpanDataExt};
use http::HeaderMap;
use opentelemetry::trace::{SpanId, TraceId};

#[tool]
fn lookup(topic: &str) -> usize {
    topic.len()
}

/// The callee: a sub-agent whose span continues the caller's trace.
// `headers` is read by the parent expression: linking data, never captured.
#[agent(name = "sub-agent", parent = extract(&headers))]
fn sub_agent(headers: HeaderMap, topic: &str) -> usize {
    lookup(topic)
}

/// The caller: a tool that "sends a request", i.e. injects into headers it hands over.
#[tool(name = "delegate", capture = false)]
fn delegate() -> HeaderMap {
    let mut headers = HeaderMap::new();
    inject(&mut headers);
    headers
}

#[agent(name = "orchestrator", session = "s-1", user = "ann", capture = false)]
fn orchestrator() -> HeaderMap {
    delegate()
}

const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (k, v) in pairs {
        headers.insert(*k, v.parse().unwrap());
    }
    headers
}

#[test]
fn inject_writes_the_current_span_and_the_trace_attributes() {
    let (headers, spans) = record(orchestrator);
    let delegate = spans.one("execute_tool delegate");
    let expected = format!(
        "00-{}-{}-01",
        delegate.span_context.trace_id(),
        delegate.span_context.span_id()
    );
    assert_eq!(headers["traceparent"], expected.as_str());
    let baggage = headers["baggage"].to_str().unwrap();
    let mut entries: Vec<&str> = baggage.split(',').collect();
    entries.sort();
    assert_eq!(entries, ["session.id=s-1", "user.id=ann"]);
}

#[test]
fn the_callee_continues_the_callers_trace_with_its_session_and_user() {
    let (n, spans) = record(|| {
        let headers = orchestrator();
        sub_agent(headers, "rust")
    });
    assert_eq!(n, 4);
    let delegate = spans.one("execute_tool delegate");
    let sub = spans.one("invoke_agent sub-agent");
    let lookup = spans.one("execute_tool lookup");
    assert_eq!(
        sub.span_context.trace_id(),
        delegate.span_context.trace_id()
    );
    assert_eq!(sub.parent_span_id, delegate.span_context.span_id());
    assert!(sub.parent_span_is_remote, "the parent came over the wire");
    assert_eq!(lookup.parent_span_id, sub.span_context.span_id());
    for span in [sub, lookup] {
        assert_eq!(span.str_attr("session.id"), Some("s-1"), "{}", span.name);
        assert_eq!(span.str_attr("user.id"), Some("ann"), "{}", span.name);
    }
}

#[test]
fn a_remote_parent_from_another_tracer_is_honoured() {
    let (_, spans) = record(|| {
        sub_agent(
            headers(&[("traceparent", TRACEPARENT), ("baggage", "user.id=bob")]),
            "x",
        )
    });
    let sub = spans.one("invoke_agent sub-agent");
    assert_eq!(
        sub.span_context.trace_id(),
        TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap()
    );
    assert_eq!(
        sub.parent_span_id,
        SpanId::from_hex("00f067aa0ba902b7").unwrap()
    );
    assert_eq!(sub.str_attr("user.id"), Some("bob"));
    assert_eq!(sub.str_attr("session.id"), None);
}

#[tool(name = "local-parent", skip(headers))]
fn local_parent(headers: HeaderMap) -> usize {
    sub_agent(headers, "abc")
}

#[test]
fn without_a_valid_traceparent_the_local_parent_stays() {
    for bad in [
        vec![],
        vec![("traceparent", "garbage")],
        vec![(
            "traceparent",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        )],
        vec![(
            "traceparent",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        )],
    ] {
        let (_, spans) = record(|| local_parent(headers(&bad)));
        let parent = spans.one("execute_tool local-parent");
        let sub = spans.one("invoke_agent sub-agent");
        assert_eq!(sub.parent_span_id, parent.span_context.span_id(), "{bad:?}");
        assert_eq!(sub.span_context.trace_id(), parent.span_context.trace_id());
        assert!(!sub.parent_span_is_remote);
    }
}

#[agent(name = "optional", parent = remote)]
fn optional_parent(remote: Option<RemoteContext>) -> bool {
    true
}

#[tool(name = "around", skip(remote))]
fn around(remote: Option<RemoteContext>) -> bool {
    optional_parent(remote)
}

#[test]
fn an_absent_parent_leaves_the_span_where_it_is() {
    let (_, spans) = record(|| optional_parent(None));
    let span = spans.one("invoke_agent optional");
    assert_eq!(span.parent_span_id, SpanId::INVALID, "a root at the top");
    let (_, spans) = record(|| around(None));
    let span = spans.one("invoke_agent optional");
    let local = spans.one("execute_tool around");
    assert_eq!(
        span.parent_span_id,
        local.span_context.span_id(),
        "under its local parent"
    );
    let remote = extract(&headers(&[("traceparent", TRACEPARENT)]));
    let (_, spans) = record(|| around(Some(remote)));
    let span = spans.one("invoke_agent optional");
    assert_eq!(
        span.parent_span_id,
        SpanId::from_hex("00f067aa0ba902b7").unwrap(),
        "a remote parent replaces the local one"
    );
}

#[test]
fn local_attributes_win_over_baggage_and_foreign_baggage_is_passed_on() {
    let incoming = headers(&[
        ("traceparent", TRACEPARENT),
        (
            "baggage",
            "session.id=remote,user.id=remote-user,tenant=acme",
        ),
    ]);
    let (outgoing, spans) = record(|| {
        TraceAttributes::new()
            .session("local")
            .in_scope(|| forward(extract(&incoming)))
    });
    let span = spans.one("invoke_agent forwarder");
    assert_eq!(span.str_attr("session.id"), Some("local"));
    for key in ["session.id", "user.id"] {
        let count = span
            .attributes
            .iter()
            .filter(|kv| kv.key.as_str() == key)
            .count();
        assert_eq!(count, 1, "{key} recorded once");
    }
    assert_eq!(span.str_attr("user.id"), Some("remote-user"));
    let mut baggage: Vec<&str> = outgoing["baggage"].to_str().unwrap().split(',').collect();
    baggage.sort();
    assert_eq!(
        baggage,
        ["session.id=local", "tenant=acme", "user.id=remote-user"]
    );
}

#[agent(name = "forwarder", parent = remote, capture = false)]
fn forward(remote: RemoteContext) -> HeaderMap {
    let mut headers = HeaderMap::new();
    inject(&mut headers);
    headers
}

#[test]
fn hostile_baggage_is_bounded_and_scrubbed() {
    let long = "x".repeat(3000);
    let baggage = format!("session.id={long},user.id=sk-abcdefghijklmnopqrstuvwxyz0123");
    let (_, spans) = record(|| {
        sub_agent(
            headers(&[("traceparent", TRACEPARENT), ("baggage", &baggage)]),
            "x",
        )
    });
    let sub = spans.one("invoke_agent sub-agent");
    let session = sub.str_attr("session.id").expect("session kept");
    assert!(
        session.starts_with("xxx") && session.len() <= 1024,
        "{}",
        session.len()
    );
    assert_eq!(
        sub.str_attr("user.id"),
        Some(genai_tracing::capture::REDACTED)
    );
    // Past the W3C limit (8192 bytes), the propagator drops the baggage; the trace still links.
    let huge = format!("session.id={}", "x".repeat(100_000));
    let (_, spans) = record(|| {
        sub_agent(
            headers(&[("traceparent", TRACEPARENT), ("baggage", &huge)]),
            "x",
        )
    });
    let sub = spans.one("invoke_agent sub-agent");
    assert_eq!(sub.str_attr("session.id"), None);
    assert_eq!(
        sub.parent_span_id,
        SpanId::from_hex("00f067aa0ba902b7").unwrap()
    );
}

#[test]
fn outside_any_span_nothing_is_injected() {
    let mut headers = HeaderMap::new();
    inject(&mut headers);
    assert!(headers.is_empty(), "{headers:?}");
    let remote = extract(&headers);
    assert!(!remote.is_valid());
    assert_eq!(remote.trace_id(), None);
}

#[test]
fn async_agents_take_a_parent_too() {
    #[agent(name = "async-sub", parent = &remote)]
    async fn handle(remote: RemoteContext) -> u8 {
        tokio::task::yield_now().await;
        1
    }
    let (_, spans) = record_async(|| handle(extract(&headers(&[("traceparent", TRACEPARENT)]))));
    let span = spans.one("invoke_agent async-sub");
    assert_eq!(
        span.span_context.trace_id(),
        TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap()
    );
    assert_eq!(
        span.parent_span_id,
        SpanId::from_hex("00f067aa0ba902b7").unwrap()
    );
    assert!(span.parent_span_is_remote);
}

#[test]
fn header_values_that_are_not_text_are_ignored() {
    let mut bad = headers(&[("traceparent", TRACEPARENT)]);
    bad.insert(
        "baggage",
        http::HeaderValue::from_bytes(b"session.id=\xff\xfe").unwrap(),
    );
    let (_, spans) = record(|| sub_agent(bad, "x"));
    let sub = spans.one("invoke_agent sub-agent");
    assert_eq!(sub.str_attr("session.id"), None);
    assert_eq!(
        sub.parent_span_id,
        SpanId::from_hex("00f067aa0ba902b7").unwrap(),
        "the valid traceparent still links"
    );
}

#[test]
fn a_json_carrier_reads_strings_only() {
    use genai_tracing::propagation::JsonExtractor;
    let meta = serde_json::json!({
        "traceparent": 42,
        "baggage": ["session.id=x"],
        "tracestate": {"a": 1}
    });
    let remote =
        genai_tracing::propagation::extract_from(&JsonExtractor(meta.as_object().unwrap()));
    assert!(!remote.is_valid());
    assert_eq!(remote.attributes(), TraceAttributes::new());
    let meta = serde_json::json!({ "traceparent": TRACEPARENT, "progressToken": 0 });
    let remote =
        genai_tracing::propagation::extract_from(&JsonExtractor(meta.as_object().unwrap()));
    assert_eq!(remote.span_id().as_deref(), Some("00f067aa0ba902b7"));
}
