//! MCP (Model Context Protocol) spans on the official Rust SDK, `rmcp` (cargo feature `mcp`).
//!
//! - Client: [`TracedClient`] sends requests through an `rmcp` peer, each inside a CLIENT span,
//!   with the trace context injected into the request's `params._meta` (`traceparent`,
//!   `tracestate`, `baggage`, unprefixed, as the MCP conventions say).
//! - Server: [`TracedServer`] wraps any `rmcp` service (a `ServerHandler`, a `#[tool_router]`
//!   server) and handles every request inside a SERVER span whose parent is the context extracted
//!   from `params._meta`.
//!
//! Spans are named `{mcp.method.name} {target}` (the tool or prompt name, when there is one) and
//! carry `mcp.method.name`, `jsonrpc.request.id`, `mcp.protocol.version`, `mcp.resource.uri`,
//! `network.transport` (when given); `tools/call` spans also `gen_ai.operation.name = execute_tool`
//! and `gen_ai.tool.name`, and with capture on `gen_ai.tool.call.arguments`/`gen_ai.tool.call.result`.
//! A JSON-RPC error sets `error.type` and `rpc.response.status_code` to its code; a tool result with
//! `isError: true` sets `error.type = tool_error`. Names, URIs and messages that come off the wire
//! are bounded and scrubbed of secrets like any captured text.
//!
//! A `#[tool]` function of the same name that the server runs directly inside its `tools/call`
//! span does not open a second span: the server span hosts it (see the crate's `hosted` module).
//!
//! What is not traced: `TracedServer` implements rmcp's `Service<RoleServer>`, so it serves over
//! every transport `serve(..)` takes (stdio, child processes, sockets, in-memory pipes), but rmcp's
//! streamable HTTP server takes only a `ServerHandler`, which a wrapper could be only by restating
//! each of rmcp's thirty-odd handler methods: there only the client side is traced. Sessions
//! (`mcp.session.id`) exist only on that transport, so no span records one. Requests sent through
//! rmcp's own peer methods rather than [`TracedClient`], notifications, and the `initialize`
//! handshake carry no context; the server's `initialize` span is a trace of its own.

use std::borrow::Cow;
use std::time::Duration;

use rmcp::model::{
    CallToolRequest, CallToolRequestParams, CallToolResult, ClientNotification, ClientRequest,
    ErrorData, JsonObject, ProtocolVersion, RequestMetaObject, ServerConfig, ServerResult,
};
use rmcp::service::{NotificationContext, PeerRequestOptions, RequestContext};
use rmcp::{Peer, RoleClient, RoleServer, Service, ServiceError};
use tracing::Span;

use crate::call::{hosting, Call, Host};
use crate::capture::{capture_limits, safe_text};
use crate::context::propagation::{extract_from, inject_into, JsonExtractor, JsonInjector};
use crate::semconv as sc;
use crate::spans;

/// Tool and prompt names longer than this are cut (they name spans).
const MAX_NAME_BYTES: usize = 256;

/// What a request is about: the method, and the tool, prompt or resource it names (bounded and
/// scrubbed: they come off the wire).
struct Target {
    method: String,
    tool: Option<String>,
    prompt: Option<String>,
    resource: Option<String>,
}

impl Target {
    fn of(request: &ClientRequest) -> Self {
        let name = |n: &str| Some(safe_text(n, MAX_NAME_BYTES));
        let mut target = Target {
            method: request.method().to_owned(),
            tool: None,
            prompt: None,
            resource: None,
        };
        match request {
            ClientRequest::CallToolRequest(r) => target.tool = name(&r.params.name),
            ClientRequest::GetPromptRequest(r) => target.prompt = name(&r.params.name),
            ClientRequest::ReadResourceRequest(r) => {
                target.resource = Some(safe_text(&r.params.uri, capture_limits().max_bytes))
            }
            _ => {}
        }
        target
    }

    /// `{mcp.method.name} {target}`: the tool or prompt name; the method alone otherwise (a
    /// resource URI is too high-cardinality for a name).
    fn span_name(&self) -> String {
        match self.tool.as_ref().or(self.prompt.as_ref()) {
            Some(name) => format!("{} {name}", self.method),
            None => self.method.clone(),
        }
    }

    /// The span of this request, CLIENT or SERVER side.
    fn span(&self, kind: &'static str) -> Span {
        spans::mcp(
            kind,
            self.span_name(),
            &self.method,
            self.resource.as_deref(),
            self.prompt.as_deref(),
            self.tool.as_deref(),
        )
    }
}

/// A tool call's arguments, kept to be recorded when the call captures content.
fn arguments_of(call: &Call, request: &ClientRequest) -> Option<JsonObject> {
    match request {
        ClientRequest::CallToolRequest(r) if call.captures() => {
            Some(r.params.arguments.clone().unwrap_or_default())
        }
        _ => None,
    }
}

fn record_arguments(call: &Call, arguments: &JsonObject) {
    call.record_json(sc::GEN_AI_TOOL_CALL_ARGUMENTS, arguments);
}

/// Records how a request ended: a JSON-RPC error, a tool result with `isError`, or a result
/// (`content`: whether the result may be recorded).
fn record_outcome(call: &Call, outcome: Result<&ServerResult, &ErrorData>, content: bool) {
    match outcome {
        Err(error) => {
            let code = error.code.0.to_string();
            call.span()
                .record(sc::RPC_RESPONSE_STATUS_CODE, code.as_str());
            call.fail(&code, Some(error.message.to_string()));
        }
        Ok(ServerResult::CallToolResult(result)) => {
            if content && call.captures() {
                call.record_json(sc::GEN_AI_TOOL_CALL_RESULT, result);
            }
            if result.is_error == Some(true) {
                let message = result
                    .content
                    .iter()
                    .find_map(|c| c.as_text().map(|t| t.text.clone()));
                call.fail(sc::error_type::TOOL_ERROR, message);
            }
        }
        Ok(_) => {}
    }
}

// ----- client -----

/// An `rmcp` client peer whose requests are traced: each in a CLIENT span, with the trace context
/// in `params._meta`.
///
/// ```no_run
/// # async fn demo(peer: rmcp::Peer<rmcp::RoleClient>) -> Result<(), rmcp::ServiceError> {
/// use std::time::Duration;
/// use rmcp::model::CallToolRequestParams;
/// let client = genai_tracing::mcp::TracedClient::new(peer)
///     .timeout(Duration::from_secs(30))
///     .transport("pipe");
/// let args = serde_json::json!({"expr": "17 * 23"});
/// let params = CallToolRequestParams::new("calculator")
///     .with_arguments(args.as_object().cloned().unwrap_or_default());
/// let result = client.call_tool(params).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct TracedClient {
    peer: Peer<RoleClient>,
    timeout: Option<Duration>,
    transport: Option<&'static str>,
}

impl TracedClient {
    /// Traces the requests sent through `peer` (e.g. `running.peer().clone()`). No timeout: an
    /// unresponsive server keeps the caller waiting until one is set.
    pub fn new(peer: Peer<RoleClient>) -> Self {
        Self {
            peer,
            timeout: None,
            transport: None,
        }
    }

    /// Gives up on a request after `timeout` (`error.type = timeout`).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Records `network.transport` on every span: `pipe` for stdio, `tcp`, `quic`.
    pub fn transport(mut self, transport: &'static str) -> Self {
        self.transport = Some(transport);
        self
    }

    /// The peer requests go through.
    pub fn peer(&self) -> &Peer<RoleClient> {
        &self.peer
    }

    /// Sends `request` inside a CLIENT span named after it.
    ///
    /// ```no_run
    /// # async fn demo(client: genai_tracing::mcp::TracedClient) -> Result<(), rmcp::ServiceError> {
    /// use rmcp::model::{ClientRequest, ListToolsRequest};
    /// let tools = client.request(ClientRequest::ListToolsRequest(ListToolsRequest::default())).await?;
    /// # Ok(()) }
    /// ```
    pub async fn request(&self, request: ClientRequest) -> Result<ServerResult, ServiceError> {
        self.send(request, |_| true).await
    }

    /// Calls a tool inside a CLIENT span `tools/call {name}` (see the type's example).
    pub async fn call_tool(
        &self,
        params: CallToolRequestParams,
    ) -> Result<CallToolResult, ServiceError> {
        let request = ClientRequest::CallToolRequest(CallToolRequest::new(params));
        let expected = |r: &ServerResult| matches!(r, ServerResult::CallToolResult(_));
        match self.send(request, expected).await? {
            ServerResult::CallToolResult(result) => Ok(result),
            _ => Err(ServiceError::UnexpectedResponse),
        }
    }

    /// Sends `request`; a result `expected` refuses ends the span as `unexpected_response`.
    async fn send(
        &self,
        request: ClientRequest,
        expected: fn(&ServerResult) -> bool,
    ) -> Result<ServerResult, ServiceError> {
        let call = Call::new(Target::of(&request).span("client"), None);
        let span = call.span().clone();
        if call.is_recording() {
            if let Some(info) = self.peer.peer_info() {
                span.record(sc::MCP_PROTOCOL_VERSION, info.protocol_version.as_str());
            }
            if let Some(transport) = self.transport {
                span.record(sc::NETWORK_TRANSPORT, transport);
            }
        }
        if let Some(arguments) = arguments_of(&call, &request) {
            record_arguments(&call, &arguments);
        }
        let options = match self.timeout {
            Some(timeout) => PeerRequestOptions::with_timeout(timeout),
            None => PeerRequestOptions::no_options(),
        };
        let peer = &self.peer;
        let exchange = async move {
            // Inside the span: the context injected is this span's.
            let mut meta = RequestMetaObject::new();
            inject_into(&mut JsonInjector(&mut meta));
            let handle = peer
                .send_request_with_option(request, options.with_meta(meta))
                .await?;
            span.record(sc::JSONRPC_REQUEST_ID, handle.id.to_string().as_str());
            handle.await_response().await
        };
        call.instrument(exchange, |call, result| match result {
            Ok(result) if !expected(result) => call.fail(
                "unexpected_response",
                Some("the server answered with another result type".to_owned()),
            ),
            Ok(result) => record_outcome(call, Ok(result), true),
            Err(ServiceError::McpError(error)) => record_outcome(call, Err(error), true),
            Err(other) => call.fail(service_error_type(other), Some(other.to_string())),
        })
        .await
    }
}

/// `error.type` of a request that failed before any JSON-RPC answer.
fn service_error_type(error: &ServiceError) -> &'static str {
    match error {
        ServiceError::McpError(_) => "jsonrpc_error",
        ServiceError::TransportSend(_) => "transport_send",
        ServiceError::TransportClosed => "transport_closed",
        ServiceError::UnexpectedResponse => "unexpected_response",
        ServiceError::Cancelled { .. } => sc::error_type::CANCELLED,
        ServiceError::Timeout { .. } => "timeout",
        _ => "_OTHER",
    }
}

// ----- server -----

/// An `rmcp` server whose every request is handled inside a SERVER span, continuing the caller's
/// trace from `params._meta`.
///
/// ```no_run
/// # async fn demo<S, IO>(server: S, stdio: IO) -> Result<(), Box<dyn std::error::Error>>
/// # where
/// #     S: rmcp::ServerHandler,
/// #     IO: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static,
/// # {
/// use rmcp::ServiceExt as _;
/// // `stdio`: e.g. `rmcp::transport::stdio()` (rmcp feature `transport-io`)
/// let running = genai_tracing::mcp::TracedServer::new(server)
///     .transport("pipe")
///     .serve(stdio)
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
    /// Wraps a server (see the type's example).
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
        let call = Call::new(target.span("server"), None).with_parent(&remote);
        let mut host = None;
        if call.is_recording() {
            let span = call.span();
            span.record(sc::JSONRPC_REQUEST_ID, context.id.to_string().as_str());
            // During `initialize` the context holds the version asked for; the agreed one is in
            // the result (recorded at the end).
            let initializing = matches!(request, ClientRequest::InitializeRequest(_));
            if let (false, Some(version)) = (initializing, context.protocol_version()) {
                span.record(sc::MCP_PROTOCOL_VERSION, version.as_str());
            }
            if let Some(transport) = self.transport {
                span.record(sc::NETWORK_TRANSPORT, transport);
            }
            if let Some(tool) = &target.tool {
                host = Some(Host::new(span.clone(), tool));
            }
        }
        // Recorded at the end: a hosted `#[tool]` with `capture = false` keeps them out (with
        // `skip_result`, the result).
        let arguments = arguments_of(&call, &request);
        let handled = hosting(host.clone(), self.inner.handle_request(request, context));
        call.instrument(handled, move |call, result| {
            let content = !host.as_deref().is_some_and(Host::content_refused);
            if let (true, Some(arguments)) = (content, &arguments) {
                record_arguments(call, arguments);
            }
            if let Ok(ServerResult::InitializeResult(agreed)) = result {
                call.span()
                    .record(sc::MCP_PROTOCOL_VERSION, agreed.protocol_version.as_str());
            }
            let result_content = !host.as_deref().is_some_and(Host::result_refused);
            record_outcome(call, result.as_ref(), result_content);
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
