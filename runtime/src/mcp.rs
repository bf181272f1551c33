//! MCP (Model Context Protocol) spans on the official Rust SDK, `rmcp` (cargo feature `mcp`).
//!
//! - Client: [`request`] and [`call_tool`] send a request through an `rmcp` peer inside a CLIENT
//!   span and inject the trace context into the request's `params._meta` (`traceparent`,
//!   `tracestate`, `baggage`, unprefixed, as the MCP conventions say).
//! - Server: [`TracedServer`] wraps any `rmcp` service (a `ServerHandler`, a `#[tool_router]`
//!   server) and handles every request inside a SERVER span whose parent is the context extracted
//!   from `params._meta`.
//!
//! Spans are named `{mcp.method.name} {target}` (the tool or prompt name, when there is one) and
//! carry `mcp.method.name`, `jsonrpc.request.id`, `mcp.protocol.version`, `mcp.session.id` (over
//! streamable HTTP), `mcp.resource.uri`, `network.transport` (when given); `tools/call` spans also
//! `gen_ai.operation.name = execute_tool` and `gen_ai.tool.name`, and with capture on
//! `gen_ai.tool.call.arguments`/`gen_ai.tool.call.result`. A JSON-RPC error sets `error.type` to its
//! code and `rpc.response.status_code`; a tool result with `isError: true` sets
//! `error.type = tool_error`.
//!
//! A `#[tool]` function the server runs directly inside its `tools/call` span does not open a
//! second span: the server span hosts it (its failure and retries are recorded there).
//!
//! `TracedServer` implements rmcp's `Service<RoleServer>`, so it serves over every transport
//! `serve(..)` takes: stdio, child processes, sockets, in-memory pipes. rmcp's streamable HTTP
//! server takes only a `ServerHandler`, which a wrapper could be only by restating each of rmcp's
//! thirty-odd handler methods; there the client side still traces and propagates, and the server
//! has no span of this crate's.
//!
//! The server's `initialize` arrives during rmcp's handshake, before any span of the client's
//! exists, so it is a trace of its own.

use std::borrow::Cow;

use rmcp::model::{
    CallToolRequest, CallToolRequestParams, CallToolResult, ClientNotification, ClientRequest,
    ErrorData, ProtocolVersion, RequestMetaObject, ServerConfig, ServerResult,
};
use rmcp::service::{NotificationContext, PeerRequestOptions, RequestContext};
use rmcp::{Peer, RoleClient, RoleServer, Service, ServiceError};
use tracing::Span;

use crate::call::Call;
use crate::capture::{bounded_json_of, capture_limits, safe_text};
use crate::hosted::hosting;
use crate::propagation::{extract_from, inject_into, JsonExtractor, JsonInjector};
use crate::semconv::{self as sc, operation, span_kind};

/// The MCP method of a `tools/call` request.
pub const TOOLS_CALL: &str = "tools/call";

/// What a request is about: the method, and the tool, prompt or resource it names.
struct Target<'a> {
    method: &'a str,
    tool: Option<&'a str>,
    prompt: Option<&'a str>,
    resource: Option<&'a str>,
}

impl<'a> Target<'a> {
    fn of(request: &'a ClientRequest) -> Self {
        let mut target = Target {
            method: request.method(),
            tool: None,
            prompt: None,
            resource: None,
        };
        match request {
            ClientRequest::CallToolRequest(r) => target.tool = Some(&r.params.name),
            ClientRequest::GetPromptRequest(r) => target.prompt = Some(&r.params.name),
            ClientRequest::ReadResourceRequest(r) => target.resource = Some(&r.params.uri),
            _ => {}
        }
        target
    }

    /// `{mcp.method.name} {target}`: the tool or prompt name; the method alone otherwise (a
    /// resource URI is too high-cardinality for a name).
    fn span_name(&self) -> String {
        match self.tool.or(self.prompt) {
            Some(name) => format!("{} {name}", self.method),
            None => self.method.to_owned(),
        }
    }

    fn is_tool_call(&self) -> bool {
        self.tool.is_some()
    }
}

/// The span of one MCP request, CLIENT or SERVER side.
fn span(target: &Target, kind: &'static str) -> Span {
    let (op, oi) = if target.is_tool_call() {
        (Some(operation::EXECUTE_TOOL), Some(span_kind::TOOL))
    } else {
        (None, None)
    };
    crate::__genai_span!(@common "mcp",
        kind: kind,
        operation: op,
        span_kind: oi,
        { sc::OTEL_NAME } = target.span_name(),
        { sc::MCP_METHOD_NAME } = target.method,
        { sc::MCP_SESSION_ID } = tracing::field::Empty,
        { sc::MCP_PROTOCOL_VERSION } = tracing::field::Empty,
        { sc::MCP_RESOURCE_URI } = target.resource,
        { sc::JSONRPC_REQUEST_ID } = tracing::field::Empty,
        { sc::RPC_RESPONSE_STATUS_CODE } = tracing::field::Empty,
        { sc::NETWORK_TRANSPORT } = tracing::field::Empty,
        { sc::GEN_AI_PROMPT_NAME } = target.prompt,
        { sc::GEN_AI_TOOL_NAME } = target.tool,
        { sc::GEN_AI_TOOL_TYPE } = tracing::field::Empty,
        { sc::GEN_AI_TOOL_DESCRIPTION } = tracing::field::Empty,
        { sc::GEN_AI_TOOL_CALL_ID } = tracing::field::Empty,
        { sc::GEN_AI_TOOL_CALL_ARGUMENTS } = tracing::field::Empty,
        { sc::GEN_AI_TOOL_CALL_RESULT } = tracing::field::Empty,
    )
}

/// Records the request's arguments when the call captures content.
fn record_arguments(call: &Call, request: &ClientRequest) {
    if !call.captures() {
        return;
    }
    if let ClientRequest::CallToolRequest(r) = request {
        let arguments = r.params.arguments.clone().unwrap_or_default();
        call.span().record(
            sc::GEN_AI_TOOL_CALL_ARGUMENTS,
            bounded_json_of(&arguments, capture_limits()).as_str(),
        );
    }
}

/// Records how a request ended: a JSON-RPC error, a tool result with `isError`, or a result.
fn record_outcome(call: &Call, outcome: Result<&ServerResult, &ErrorData>) {
    match outcome {
        Err(error) => {
            call.span()
                .record(sc::RPC_RESPONSE_STATUS_CODE, i64::from(error.code.0));
            call.fail(&error.code.0.to_string(), Some(error.message.to_string()));
        }
        Ok(ServerResult::CallToolResult(result)) => record_tool_result(call, result),
        Ok(_) => {}
    }
}

fn record_tool_result(call: &Call, result: &CallToolResult) {
    if call.captures() {
        call.span().record(
            sc::GEN_AI_TOOL_CALL_RESULT,
            bounded_json_of(result, capture_limits()).as_str(),
        );
    }
    if result.is_error == Some(true) {
        let message = result
            .content
            .iter()
            .find_map(|c| c.as_text().map(|t| t.text.clone()));
        call.fail(sc::TOOL_ERROR, message);
    }
}

// ----- client -----

/// Sends `request` through `peer` inside a CLIENT span, with the trace context in `params._meta`.
///
/// ```no_run
/// # async fn demo(peer: rmcp::Peer<rmcp::RoleClient>) -> Result<(), rmcp::ServiceError> {
/// use rmcp::model::{ClientRequest, ListToolsRequest};
/// let tools = genai_tracing::mcp::request(&peer, ClientRequest::ListToolsRequest(ListToolsRequest::default())).await?;
/// # Ok(()) }
/// ```
pub async fn request(
    peer: &Peer<RoleClient>,
    request: ClientRequest,
) -> Result<ServerResult, ServiceError> {
    let call = Call::new(span(&Target::of(&request), "client"), None);
    if call.is_recording() {
        if let Some(info) = peer.peer_info() {
            call.span()
                .record(sc::MCP_PROTOCOL_VERSION, info.protocol_version.as_str());
        }
        record_arguments(&call, &request);
    }
    let send = async move {
        // Inside the span: the context injected is this span's.
        let mut meta = RequestMetaObject::new();
        inject_into(&mut JsonInjector(&mut meta));
        let options = PeerRequestOptions::no_options().with_meta(meta);
        let handle = peer.send_request_with_option(request, options).await?;
        Span::current().record(sc::JSONRPC_REQUEST_ID, handle.id.to_string().as_str());
        handle.await_response().await
    };
    call.instrument(send, |call, result| match result {
        Ok(result) => record_outcome(call, Ok(result)),
        Err(ServiceError::McpError(error)) => record_outcome(call, Err(error)),
        Err(other) => call.fail(service_error_type(other), Some(other.to_string())),
    })
    .await
}

/// Calls a tool through `peer` inside a CLIENT span `tools/call {name}` (see [`request`]).
///
/// ```no_run
/// # async fn demo(peer: rmcp::Peer<rmcp::RoleClient>) -> Result<(), rmcp::ServiceError> {
/// use rmcp::model::CallToolRequestParams;
/// let args = serde_json::json!({"expr": "17 * 23"});
/// let params = CallToolRequestParams::new("calculator")
///     .with_arguments(args.as_object().cloned().unwrap_or_default());
/// let result = genai_tracing::mcp::call_tool(&peer, params).await?;
/// # Ok(()) }
/// ```
pub async fn call_tool(
    peer: &Peer<RoleClient>,
    params: CallToolRequestParams,
) -> Result<CallToolResult, ServiceError> {
    let call = ClientRequest::CallToolRequest(CallToolRequest::new(params));
    match request(peer, call).await? {
        ServerResult::CallToolResult(result) => Ok(result),
        _ => Err(ServiceError::UnexpectedResponse),
    }
}

/// `error.type` of a request that failed before any JSON-RPC answer.
fn service_error_type(error: &ServiceError) -> &'static str {
    match error {
        ServiceError::McpError(_) => "jsonrpc_error",
        ServiceError::TransportSend(_) => "transport_send",
        ServiceError::TransportClosed => "transport_closed",
        ServiceError::UnexpectedResponse => "unexpected_response",
        ServiceError::Cancelled { .. } => crate::CANCELLED,
        ServiceError::Timeout { .. } => "timeout",
        _ => "_OTHER",
    }
}

// ----- server -----

/// An `rmcp` server whose every request is handled inside a SERVER span, continuing the caller's
/// trace from `params._meta`.
///
/// ```no_run
/// # async fn demo<S: rmcp::ServerHandler>(server: S) -> Result<(), Box<dyn std::error::Error>> {
/// use rmcp::ServiceExt as _;
/// let running = genai_tracing::mcp::TracedServer::new(server)
///     .transport("pipe")
///     .serve(rmcp::transport::stdio())
///     .await?;
/// running.waiting().await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct TracedServer<S> {
    inner: S,
    transport: Option<&'static str>,
}

impl<S> TracedServer<S> {
    /// Wraps a server.
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            transport: None,
        }
    }

    /// Records `network.transport` on every span: `pipe` for stdio, `tcp`, `quic`.
    pub fn transport(mut self, transport: &'static str) -> Self {
        self.transport = Some(transport);
        self
    }

    /// The wrapped server.
    pub fn inner(&self) -> &S {
        &self.inner
    }
}

impl<S: Service<RoleServer>> Service<RoleServer> for TracedServer<S> {
    async fn handle_request(
        &self,
        request: ClientRequest,
        context: RequestContext<RoleServer>,
    ) -> Result<ServerResult, ErrorData> {
        let target = Target::of(&request);
        let remote = extract_from(&JsonExtractor(&context.meta));
        let mut call = Call::new(span(&target, "server"), None).with_parent(&remote);
        let host = if call.is_recording() {
            let span = call.span();
            span.record(sc::JSONRPC_REQUEST_ID, context.id.to_string().as_str());
            if let Some(version) = context.protocol_version() {
                span.record(sc::MCP_PROTOCOL_VERSION, version.as_str());
            }
            if let Some(session) = session_id(&context) {
                span.record(sc::MCP_SESSION_ID, safe_text(&session, 256).as_str());
            }
            if let Some(transport) = self.transport {
                span.record(sc::NETWORK_TRANSPORT, transport);
            }
            record_arguments(&call, &request);
            if target.is_tool_call() {
                call.host()
            } else {
                None
            }
        } else {
            None
        };
        let handled = hosting(host, self.inner.handle_request(request, context));
        call.instrument(handled, |call, result| {
            record_outcome(call, result.as_ref())
        })
        .await
    }

    async fn handle_notification(
        &self,
        notification: ClientNotification,
        context: NotificationContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.inner.handle_notification(notification, context).await
    }

    fn get_info(&self) -> ServerConfig {
        self.inner.get_info()
    }

    fn supported_protocol_versions(&self) -> Cow<'static, [ProtocolVersion]> {
        self.inner.supported_protocol_versions()
    }
}

/// The `Mcp-Session-Id` of a request over streamable HTTP.
fn session_id(context: &RequestContext<RoleServer>) -> Option<String> {
    let parts = context.extensions.get::<http::request::Parts>()?;
    let value = parts.headers.get("mcp-session-id")?.to_str().ok()?;
    Some(value.to_owned())
}
