//! MCP client and server spans through the official Rust SDK (`rmcp`), client and server in one
//! process over an in-memory pipe: the trace context rides in `params._meta`, each request is a
//! CLIENT span on one side and a SERVER span under it on the other, and a `#[tool]` run by the
//! server's tool handler does not add a second span. `mcp_agent.rs` does it across processes.

use genai_tracing::mcp::{call_tool, request, TracedServer};
use genai_tracing::{agent, tool, CapturePolicy, TraceAttributes};
use genai_tracing_tests::{record_async, SpanDataExt, Spans};
use opentelemetry::trace::SpanKind;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientRequest, ContentBlock, ErrorData,
    ListToolsRequest, ServerResult,
};
use rmcp::{RoleClient, ServiceError, ServiceExt};
use serde_json::json;

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct Expression {
    /// Arithmetic, e.g. `17 * 23`.
    expr: String,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot evaluate {0:?}")]
struct EvalError(String);

impl genai_tracing::ErrorType for EvalError {
    fn error_type(&self) -> &'static str {
        "eval_error"
    }
}

/// The traced tool the MCP handler runs.
#[tool(name = "multiply")]
fn multiply(expr: &str) -> Result<i64, EvalError> {
    let (a, b) = expr
        .split_once('*')
        .ok_or_else(|| EvalError(expr.to_owned()))?;
    let parse = |s: &str| {
        s.trim()
            .parse::<i64>()
            .map_err(|_| EvalError(expr.to_owned()))
    };
    Ok(parse(a)? * parse(b)?)
}

#[derive(Clone)]
struct Calculator;

#[rmcp::tool_router]
impl Calculator {
    #[rmcp::tool(description = "Multiplies two integers")]
    async fn multiply(
        &self,
        Parameters(Expression { expr }): Parameters<Expression>,
    ) -> Result<CallToolResult, ErrorData> {
        Ok(match multiply(&expr) {
            Ok(n) => CallToolResult::success(vec![ContentBlock::text(n.to_string())]),
            Err(e) => CallToolResult::error(vec![ContentBlock::text(e.to_string())]),
        })
    }

    #[rmcp::tool(description = "Always answers with a tool-level error")]
    async fn refuse(&self) -> Result<CallToolResult, ErrorData> {
        Ok(CallToolResult::error(vec![ContentBlock::text("not today")]))
    }

    #[rmcp::tool(description = "Always fails at the JSON-RPC level")]
    async fn crash(&self) -> Result<CallToolResult, ErrorData> {
        Err(ErrorData::internal_error("the backend is down", None))
    }
}

#[rmcp::tool_handler(name = "calculator", version = "1.0.0")]
impl rmcp::ServerHandler for Calculator {}

/// Starts the traced server and a client over an in-memory pipe, runs `f` under an agent span.
async fn with_client<F, Fut, R>(f: F) -> R
where
    F: FnOnce(rmcp::service::RunningService<RoleClient, ()>) -> Fut,
    Fut: std::future::Future<Output = R>,
{
    let (server_io, client_io) = tokio::io::duplex(64 * 1024);
    let server = tokio::spawn(async move {
        let running = TracedServer::new(Calculator)
            .transport("pipe")
            .serve(server_io)
            .await
            .expect("server starts");
        running.waiting().await.expect("server runs")
    });
    let client = ().serve(client_io).await.expect("client connects");
    let result = f(client).await;
    server.abort();
    result
}

fn args(expr: &str) -> CallToolRequestParams {
    CallToolRequestParams::new("multiply")
        .with_arguments(json!({ "expr": expr }).as_object().cloned().unwrap())
}

#[agent(name = "planner", skip(client))]
async fn plan(client: &rmcp::service::RunningService<RoleClient, ()>, expr: &str) -> String {
    match call_tool(client.peer(), args(expr)).await {
        Ok(result) => format!("{:?}", result.content),
        Err(e) => e.to_string(),
    }
}

fn client_and_server<'a>(
    spans: &'a Spans,
    name: &str,
) -> (
    &'a opentelemetry_sdk::trace::SpanData,
    &'a opentelemetry_sdk::trace::SpanData,
) {
    let of_kind = |kind: SpanKind| {
        let found: Vec<_> = spans
            .0
            .iter()
            .filter(|s| s.name == name && *s.kind() == kind)
            .collect();
        assert_eq!(found.len(), 1, "{name} {kind:?} among {:?}", spans.names());
        found[0]
    };
    (of_kind(SpanKind::Client), of_kind(SpanKind::Server))
}

#[test]
fn a_tool_call_is_one_linked_pair_of_spans_and_no_more() {
    genai_tracing::set_content_capture(CapturePolicy::Content);
    let (answer, spans) = record_async(|| {
        TraceAttributes::new()
            .session("mcp-session")
            .scope(with_client(|client| async move {
                plan(&client, "17 * 23").await
            }))
    });
    assert!(answer.contains("391"), "{answer}");
    let agent = spans.one("invoke_agent planner");
    let (client, server) = client_and_server(&spans, "tools/call multiply");
    assert_eq!(client.parent_span_id, agent.span_context.span_id());
    assert_eq!(server.parent_span_id, client.span_context.span_id());
    assert!(
        server.parent_span_is_remote,
        "the parent came in params._meta"
    );
    assert_eq!(
        server.span_context.trace_id(),
        agent.span_context.trace_id()
    );
    assert!(
        !spans.names().contains(&"execute_tool multiply"),
        "the #[tool] is hosted by the server span: {:?}",
        spans.names()
    );
    for span in [client, server] {
        assert_eq!(span.str_attr("mcp.method.name"), Some("tools/call"));
        assert_eq!(span.str_attr("gen_ai.operation.name"), Some("execute_tool"));
        assert_eq!(span.str_attr("gen_ai.tool.name"), Some("multiply"));
        assert_eq!(span.str_attr("openinference.span.kind"), Some("TOOL"));
        assert!(span
            .str_attr("mcp.protocol.version")
            .is_some_and(|v| v.starts_with("20")));
        assert_eq!(
            span.json_attr("gen_ai.tool.call.arguments"),
            Some(json!({"expr": "17 * 23"}))
        );
        let result = span.json_attr("gen_ai.tool.call.result").expect("result");
        assert_eq!(result["content"][0]["text"], "391");
        assert_eq!(
            span.str_attr("session.id"),
            Some("mcp-session"),
            "{:?}",
            span.span_kind
        );
        assert!(!span.is_error());
    }
    assert_eq!(
        client.str_attr("jsonrpc.request.id"),
        server.str_attr("jsonrpc.request.id"),
        "both sides name the same request"
    );
    assert!(client.str_attr("jsonrpc.request.id").is_some());
    assert_eq!(server.str_attr("network.transport"), Some("pipe"));
    let count = |key: &str| {
        server
            .attributes
            .iter()
            .filter(|kv| kv.key.as_str() == key)
            .count()
    };
    assert_eq!(count("gen_ai.tool.call.arguments"), 1);
    assert_eq!(count("gen_ai.tool.call.result"), 1);
}

#[test]
fn a_failing_hosted_tool_marks_the_server_span_once_with_its_own_error() {
    let (_, spans) =
        record_async(|| with_client(|client| async move { plan(&client, "seventeen * 23").await }));
    let (client, server) = client_and_server(&spans, "tools/call multiply");
    assert_eq!(
        server.str_attr("error.type"),
        Some("eval_error"),
        "the tool's own error wins"
    );
    let error_types = server
        .attributes
        .iter()
        .filter(|kv| kv.key.as_str() == "error.type")
        .count();
    assert_eq!(error_types, 1);
    assert_eq!(
        server.error_description(),
        Some("cannot evaluate \"seventeen * 23\"")
    );
    assert_eq!(
        client.str_attr("error.type"),
        Some("tool_error"),
        "the client sees isError"
    );
    assert!(client.is_error());
}

#[test]
fn tool_errors_and_jsonrpc_errors_set_error_type_on_both_sides() {
    let (results, spans) = record_async(|| {
        with_client(|client| async move {
            let refuse = call_tool(client.peer(), CallToolRequestParams::new("refuse")).await;
            let crash = call_tool(client.peer(), CallToolRequestParams::new("crash")).await;
            let missing = call_tool(client.peer(), CallToolRequestParams::new("missing")).await;
            (refuse, crash, missing)
        })
    });
    let (refuse, crash, missing) = results;
    assert_eq!(refuse.unwrap().is_error, Some(true));
    assert!(matches!(crash, Err(ServiceError::McpError(ref e)) if e.code.0 == -32603));
    assert!(matches!(missing, Err(ServiceError::McpError(ref e)) if e.code.0 == -32602));

    let (client, server) = client_and_server(&spans, "tools/call refuse");
    for span in [client, server] {
        assert_eq!(span.str_attr("error.type"), Some("tool_error"));
        assert_eq!(span.error_description(), Some("not today"));
    }
    let (client, server) = client_and_server(&spans, "tools/call crash");
    for span in [client, server] {
        assert_eq!(span.str_attr("error.type"), Some("-32603"));
        assert_eq!(span.int_attr("rpc.response.status_code"), Some(-32603));
        assert_eq!(span.error_description(), Some("the backend is down"));
    }
    let (client, server) = client_and_server(&spans, "tools/call missing");
    for span in [client, server] {
        assert_eq!(span.str_attr("error.type"), Some("-32602"));
    }
}

#[test]
fn other_methods_are_spans_without_the_tool_attributes() {
    let (listed, spans) = record_async(|| {
        with_client(|client| async move {
            request(
                client.peer(),
                ClientRequest::ListToolsRequest(ListToolsRequest::default()),
            )
            .await
        })
    });
    let Ok(ServerResult::ListToolsResult(listed)) = listed else {
        panic!("{listed:?}")
    };
    assert_eq!(listed.tools.len(), 3);
    let (client, server) = client_and_server(&spans, "tools/list");
    for span in [client, server] {
        assert_eq!(span.str_attr("mcp.method.name"), Some("tools/list"));
        assert_eq!(span.str_attr("gen_ai.operation.name"), None);
        assert_eq!(span.str_attr("gen_ai.tool.name"), None);
    }
    assert_eq!(server.parent_span_id, client.span_context.span_id());
}

#[test]
fn a_tool_outside_a_server_span_is_an_ordinary_span() {
    let (_, spans) = genai_tracing_tests::record(|| multiply("2 * 3"));
    assert_eq!(spans.names(), ["execute_tool multiply"]);
}
