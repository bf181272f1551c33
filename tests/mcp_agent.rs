//! An agent and an MCP server in two processes (stdio), one trace: the `mcp_agent` example runs
//! its server as a child process, both export over OTLP/HTTP to a receiver in this test, and every
//! server span hangs under the client span of the same request, under the agent.

use genai_tracing_examples::mcp_agent::{AGENT_SERVICE, SERVER_SERVICE, SESSION};
use genai_tracing_tests::otlp_receiver::OtlpReceiver;
use genai_tracing_tests::process::{command_without_otel, received, stdout_of};
use genai_tracing_tests::{SpanDataExt, Spans};
use opentelemetry::trace::SpanKind;
use opentelemetry_sdk::trace::SpanData;

/// Runs the example with content capture on, exporting to `endpoint`, or to a receiver of this
/// test whose spans are returned.
fn run_example(endpoint: Option<&str>) -> (String, Spans) {
    let receiver = endpoint.is_none().then(OtlpReceiver::start);
    let endpoint = endpoint.map_or_else(
        || receiver.as_ref().unwrap().endpoint.clone(),
        str::to_owned,
    );
    let output = command_without_otel(env!("CARGO_BIN_EXE_mcp_agent"))
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint)
        .env("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true")
        .output()
        .expect("run the example");
    let spans = receiver.as_ref().map_or(Spans(Vec::new()), received);
    (stdout_of(&output), spans)
}

fn service(span: &SpanData) -> Option<&str> {
    span.str_attr("service.name")
}

#[test]
fn tool_calls_over_mcp_join_the_agents_trace() {
    let (stdout, spans) = run_example(None);
    assert!(
        stdout.contains("A: 12 divided by 4, plus 7 is 10."),
        "{stdout}"
    );
    let agent = spans.one("invoke_agent mcp-agent");
    assert_eq!(service(agent), Some(AGENT_SERVICE));
    let trace = agent.span_context.trace_id();
    let servers: Vec<&SpanData> = spans
        .0
        .iter()
        .filter(|s| s.span_kind == SpanKind::Server && s.name.starts_with("tools/call"))
        .collect();
    assert_eq!(
        servers.len(),
        2,
        "two calculator calls: {:?}",
        spans.names()
    );
    for server in &servers {
        assert_eq!(service(server), Some(SERVER_SERVICE));
        assert_eq!(server.span_context.trace_id(), trace);
        let client = spans
            .parent_of(server)
            .expect("the server span's parent was exported");
        assert_eq!(client.span_kind, SpanKind::Client);
        assert_eq!(client.name, server.name);
        assert_eq!(service(client), Some(AGENT_SERVICE));
        assert_eq!(client.parent_span_id, agent.span_context.span_id());
        assert!(server.parent_span_is_remote);
        assert_eq!(
            server.str_attr("jsonrpc.request.id"),
            client.str_attr("jsonrpc.request.id")
        );
        assert_eq!(server.str_attr("network.transport"), Some("pipe"));
        assert_eq!(server.str_attr("session.id"), Some(SESSION));
        assert_eq!(server.str_attr("gen_ai.tool.name"), Some("calculator"));
        assert!(server.json_attr("gen_ai.tool.call.arguments").is_some());
        // The hosted calculator's own call id: the request's id, as the handler passes it.
        assert_eq!(
            server.str_attr("gen_ai.tool.call.id"),
            server.str_attr("jsonrpc.request.id")
        );
    }
    assert!(
        !spans.0.iter().any(|s| s.name.starts_with("execute_tool")),
        "the servers' #[tool] functions are hosted by their tools/call spans"
    );
    // The first calculation fails to parse: isError on both sides, and on the server the tool's
    // own error as an exception event.
    let failed: Vec<&&SpanData> = servers.iter().filter(|s| s.is_error()).collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].str_attr("error.type"), Some("tool_error"));
    let exception = failed[0]
        .events
        .iter()
        .find(|e| e.name == "exception")
        .expect("the calculator's failure");
    assert!(exception
        .attributes
        .iter()
        .any(|kv| kv.key.as_str() == "exception.type" && kv.value.as_str() == "parse_error"));
    let client = spans.parent_of(failed[0]).unwrap();
    assert_eq!(client.str_attr("error.type"), Some("tool_error"));
    // Only the handshake, sent before any agent span exists, is a trace of its own.
    let others: Vec<&str> = spans
        .0
        .iter()
        .filter(|s| s.span_context.trace_id() != trace)
        .map(|s| s.name.as_ref())
        .collect();
    assert_eq!(others, ["initialize"]);
}

#[test]
fn a_dead_backend_costs_the_run_nothing_but_its_spans() {
    // Nothing listens on port 9 (discard) of 127.0.0.1: both processes still finish.
    let (stdout, _) = run_example(Some("http://127.0.0.1:9"));
    assert!(
        stdout.contains("A: 12 divided by 4, plus 7 is 10."),
        "{stdout}"
    );
    assert!(stdout.contains("Exported trace"), "{stdout}");
}
