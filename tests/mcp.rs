//! MCP client and server spans through the official Rust SDK (`rmcp`), client and server in one
//! process over an in-memory pipe: the trace context rides in `params._meta`, each request is a
//! CLIENT span on one side and a SERVER span under it on the other, and a `#[tool]` run by the
//! server's tool handler does not add a second span. `mcp_agent.rs` does it across processes.

use std::time::Duration;

use genai_tracing::capture::CapturePolicy;
use genai_tracing::mcp::{TracedClient, TracedServer};
use genai_tracing::{agent, tool, TraceAttributes};
use genai_tracing_tests::{record_async, SpanDataExt, Spans};
use opentelemetry::trace::SpanKind;
use opentelemetry_sdk::trace::SpanData;
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

    /// `#[tool]` on the MCP handler itself: hosted by the server's span.
    #[rmcp::tool(description = "Echoes after a pause; fails on `fail`")]
    #[tool(name = "echo", call_id = "echo-call", capture = true)]
    async fn echo(
        &self,
        Parameters(Expression { expr }): Parameters<Expression>,
    ) -> Result<CallToolResult, ErrorData> {
        tokio::time::sleep(Duration::from_millis(5)).await;
        if expr == "fail" {
            return Err(ErrorData::internal_error("echo failed", None));
        }
        Ok(CallToolResult::success(vec![ContentBlock::text(expr)]))
    }

    /// Runs a helper `#[tool]` of another name (an ordinary child span) and one that keeps its
    /// content out (`capture = false`), hosted.
    #[rmcp::tool(description = "Keeps its arguments out of traces")]
    async fn secret(
        &self,
        Parameters(Expression { expr }): Parameters<Expression>,
    ) -> Result<CallToolResult, ErrorData> {
        let n = multiply("2 * 3").unwrap_or_default();
        Ok(CallToolResult::success(vec![ContentBlock::text(
            secret_tool(&expr).to_string() + &n.to_string(),
        )]))
    }

    /// Runs a `#[tool]` that keeps its result out (`skip_result`), hosted.
    #[rmcp::tool(description = "Looks a key up; its answer stays out of traces")]
    async fn lookup(
        &self,
        Parameters(Expression { expr }): Parameters<Expression>,
    ) -> Result<CallToolResult, ErrorData> {
        Ok(CallToolResult::success(vec![ContentBlock::text(
            lookup_tool(&expr).to_string(),
        )]))
    }

    #[rmcp::tool(description = "Sleeps longer than the client waits")]
    async fn slow(&self) -> Result<CallToolResult, ErrorData> {
        tokio::time::sleep(Duration::from_secs(5)).await;
        Ok(CallToolResult::success(vec![]))
    }
}

#[tool(name = "secret", capture = false)]
fn secret_tool(token: &str) -> usize {
    token.len()
}

#[tool(name = "lookup", skip_result)]
fn lookup_tool(key: &str) -> usize {
    key.len()
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
    match TracedClient::new(client.peer().clone())
        .call_tool(args(expr))
        .await
    {
        Ok(result) => format!("{:?}", result.content),
        Err(e) => e.to_string(),
    }
}

fn client_and_server<'a>(spans: &'a Spans, name: &str) -> (&'a SpanData, &'a SpanData) {
    (
        spans.one_of_kind(name, SpanKind::Client),
        spans.one_of_kind(name, SpanKind::Server),
    )
}

#[test]
fn a_tool_call_is_one_linked_pair_of_spans_and_no_more() {
    genai_tracing::capture::set_content_capture(CapturePolicy::Content);
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
fn a_failing_hosted_tool_is_an_event_and_the_protocol_decides_the_status() {
    let (_, spans) =
        record_async(|| with_client(|client| async move { plan(&client, "seventeen * 23").await }));
    let (client, server) = client_and_server(&spans, "tools/call multiply");
    for span in [client, server] {
        assert_eq!(
            span.str_attr("error.type"),
            Some("tool_error"),
            "isError, per the conventions"
        );
        assert_eq!(
            span.error_description(),
            Some("cannot evaluate \"seventeen * 23\"")
        );
    }
    let error_types = server
        .attributes
        .iter()
        .filter(|kv| kv.key.as_str() == "error.type")
        .count();
    assert_eq!(error_types, 1);
    let events: Vec<_> = server
        .events
        .iter()
        .filter(|e| e.name == "exception")
        .collect();
    assert_eq!(events.len(), 1, "the hosted tool's own failure");
    let attr = |key: &str| {
        events[0]
            .attributes
            .iter()
            .find(|kv| kv.key.as_str() == key)
            .map(|kv| kv.value.as_str().into_owned())
    };
    assert_eq!(attr("exception.type").as_deref(), Some("eval_error"));
    assert_eq!(
        attr("exception.message").as_deref(),
        Some("cannot evaluate \"seventeen * 23\"")
    );
}

#[test]
fn tool_on_the_handler_itself_is_hosted_with_its_identity() {
    genai_tracing::capture::set_content_capture(CapturePolicy::Content);
    let (results, spans) = record_async(|| {
        with_client(|client| async move {
            let client = TracedClient::new(client.peer().clone());
            let ok = client
                .call_tool(
                    CallToolRequestParams::new("echo")
                        .with_arguments(json!({"expr": "hi"}).as_object().cloned().unwrap()),
                )
                .await;
            let failed = client
                .call_tool(
                    CallToolRequestParams::new("echo")
                        .with_arguments(json!({"expr": "fail"}).as_object().cloned().unwrap()),
                )
                .await;
            (ok, failed)
        })
    });
    assert_eq!(results.0.unwrap().is_error, Some(false));
    assert!(matches!(results.1, Err(ServiceError::McpError(ref e)) if e.code.0 == -32603));
    assert!(
        !spans.names().contains(&"execute_tool echo"),
        "{:?}",
        spans.names()
    );
    let servers: Vec<_> = spans
        .all("tools/call echo")
        .into_iter()
        .filter(|s| *s.kind() == SpanKind::Server)
        .collect();
    assert_eq!(servers.len(), 2);
    for server in &servers {
        assert_eq!(server.str_attr("gen_ai.tool.call.id"), Some("echo-call"));
        assert_eq!(
            server.str_attr("gen_ai.tool.description"),
            Some("`#[tool]` on the MCP handler itself: hosted by the server's span.")
        );
        assert_eq!(server.str_attr("gen_ai.tool.type"), Some("function"));
    }
    let failed = servers
        .iter()
        .find(|s| s.is_error())
        .expect("the failed echo");
    assert_eq!(
        failed.str_attr("error.type"),
        Some("-32603"),
        "the JSON-RPC code"
    );
    assert_eq!(
        failed
            .events
            .iter()
            .filter(|e| e.name == "exception")
            .count(),
        1
    );
}

#[test]
fn other_tools_are_children_and_capture_false_keeps_the_hosts_content_out() {
    genai_tracing::capture::set_content_capture(CapturePolicy::Content);
    let (_, spans) = record_async(|| {
        with_client(|client| async move {
            TracedClient::new(client.peer().clone())
                .call_tool(
                    CallToolRequestParams::new("secret")
                        .with_arguments(json!({"expr": "sk-abc"}).as_object().cloned().unwrap()),
                )
                .await
        })
    });
    let (client, server) = client_and_server(&spans, "tools/call secret");
    assert_eq!(
        server.attr("gen_ai.tool.call.arguments"),
        None,
        "the hosted tool said capture = false"
    );
    assert_eq!(server.attr("gen_ai.tool.call.result"), None);
    assert!(
        client.attr("gen_ai.tool.call.arguments").is_some(),
        "the client side follows its own policy"
    );
    let helper = spans.one("execute_tool multiply");
    assert_eq!(
        helper.parent_span_id,
        server.span_context.span_id(),
        "a tool of another name is a child"
    );
    assert!(!spans.names().contains(&"execute_tool secret"));
}

#[test]
fn skip_result_keeps_the_hosts_result_out_and_its_arguments_in() {
    genai_tracing::capture::set_content_capture(CapturePolicy::Content);
    let (_, spans) = record_async(|| {
        with_client(|client| async move {
            TracedClient::new(client.peer().clone())
                .call_tool(
                    CallToolRequestParams::new("lookup")
                        .with_arguments(json!({"expr": "colour"}).as_object().cloned().unwrap()),
                )
                .await
        })
    });
    let (client, server) = client_and_server(&spans, "tools/call lookup");
    assert_eq!(
        server.json_attr("gen_ai.tool.call.arguments"),
        Some(json!({"expr": "colour"}))
    );
    assert_eq!(
        server.attr("gen_ai.tool.call.result"),
        None,
        "the hosted tool said skip_result"
    );
    assert!(
        client.attr("gen_ai.tool.call.result").is_some(),
        "the client side follows its own policy"
    );
    assert!(!spans.names().contains(&"execute_tool lookup"));
}

#[test]
fn a_client_timeout_ends_the_span_as_timeout() {
    let (result, spans) = record_async(|| {
        with_client(|client| async move {
            TracedClient::new(client.peer().clone())
                .timeout(Duration::from_millis(50))
                .call_tool(CallToolRequestParams::new("slow"))
                .await
        })
    });
    assert!(
        matches!(result, Err(ServiceError::Timeout { .. })),
        "{result:?}"
    );
    let client = spans.one_of_kind("tools/call slow", SpanKind::Client);
    assert_eq!(client.str_attr("error.type"), Some("timeout"));
}

#[test]
fn tool_errors_and_jsonrpc_errors_set_error_type_on_both_sides() {
    let (results, spans) = record_async(|| {
        with_client(|client| async move {
            let client = TracedClient::new(client.peer().clone());
            let refuse = client.call_tool(CallToolRequestParams::new("refuse")).await;
            let crash = client.call_tool(CallToolRequestParams::new("crash")).await;
            let missing = client
                .call_tool(CallToolRequestParams::new("missing"))
                .await;
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
        assert_eq!(span.str_attr("rpc.response.status_code"), Some("-32603"));
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
            TracedClient::new(client.peer().clone())
                .request(ClientRequest::ListToolsRequest(ListToolsRequest::default()))
                .await
        })
    });
    let Ok(ServerResult::ListToolsResult(listed)) = listed else {
        panic!("{listed:?}")
    };
    assert_eq!(listed.tools.len(), 7);
    let (client, server) = client_and_server(&spans, "tools/list");
    for span in [client, server] {
        assert_eq!(span.str_attr("mcp.method.name"), Some("tools/list"));
        assert_eq!(span.str_attr("gen_ai.operation.name"), None);
        assert_eq!(span.str_attr("gen_ai.tool.name"), None);
    }
    assert_eq!(server.parent_span_id, client.span_context.span_id());
    // The handshake's span names the version agreed, not the one the client asked for.
    let initialize = spans.one("initialize");
    assert_eq!(*initialize.kind(), SpanKind::Server);
    assert_eq!(
        initialize.str_attr("mcp.protocol.version"),
        server.str_attr("mcp.protocol.version")
    );
    assert!(server.str_attr("mcp.protocol.version").is_some());
}

#[test]
fn a_tool_outside_a_server_span_is_an_ordinary_span() {
    let (_, spans) = genai_tracing_tests::record(|| multiply("2 * 3"));
    assert_eq!(spans.names(), ["execute_tool multiply"]);
}
