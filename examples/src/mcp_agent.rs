//! The MCP demo: the ReAct agent acts through tools an MCP server offers. The server is a child
//! process speaking MCP over stdio (`rmcp`); its tool handlers run the demo's own `#[tool]`
//! functions. The client injects the trace context into each request's `params._meta`, the server
//! continues it, and the `#[tool]` functions record into the server's `tools/call` span instead
//! of opening a second one: one trace, one span per side per tool call.

use std::io::Write;
use std::time::Duration;

use genai_tracing::mcp::{TracedClient, TracedServer};
use genai_tracing::{agent, TraceAttributes};
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolRequestParams, CallToolResult, ContentBlock, ErrorData};
use rmcp::service::RequestContext;
use rmcp::transport::TokioChildProcess;
use rmcp::{RoleServer, ServiceExt as _};
use serde::Deserialize;
use serde_json::Value;

use crate::agent::{AgentError, ReactAgent};
use crate::processes::{traced_runtime, Answer, SetupError, SpanSink};
use crate::tools::{self, Calculator};

/// The `service.name` of the agent's process.
pub const AGENT_SERVICE: &str = "mcp-agent";
/// The `service.name` of the MCP server's process.
pub const SERVER_SERVICE: &str = "mcp-tools";
/// The `session.id` of the demo's run.
pub const SESSION: &str = "mcp-demo";
/// The question asked when none is given.
pub const DEFAULT_QUESTION: &str = "What is 12 divided by 4, plus 7?";

/// Why the demo failed.
#[derive(Debug, thiserror::Error)]
pub enum McpAgentError {
    /// Tracing or the runtime could not be set up.
    #[error(transparent)]
    Setup(#[from] SetupError),
    /// A process or pipe failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The MCP connection failed.
    #[error("MCP: {0}")]
    Mcp(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The agent gave up.
    #[error(transparent)]
    Agent(#[from] AgentError),
}

// ----- the MCP server (child process) -----

/// Arguments of the `calculator` tool.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct CalculatorArgs {
    /// Arithmetic with + - * / and parentheses.
    pub expr: String,
}

/// Arguments of the `web_search` tool.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct SearchArgs {
    /// What to search for.
    pub query: String,
}

/// The demo's tools, offered over MCP.
#[derive(Debug, Clone, Default)]
pub struct DemoTools {
    calculator: Calculator,
}

#[rmcp::tool_router]
impl DemoTools {
    #[rmcp::tool(description = "Evaluates arithmetic.")]
    async fn calculator(
        &self,
        Parameters(CalculatorArgs { expr }): Parameters<CalculatorArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        Ok(
            match self.calculator.calculate(&context.id.to_string(), &expr) {
                Ok(value) => CallToolResult::success(vec![ContentBlock::text(value.to_string())]),
                Err(e) => CallToolResult::error(vec![ContentBlock::text(e.to_string())]),
            },
        )
    }

    #[rmcp::tool(description = "Searches the web.")]
    async fn web_search(
        &self,
        Parameters(SearchArgs { query }): Parameters<SearchArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        Ok(match tools::web_search(&query) {
            Ok(docs) => CallToolResult::success(vec![ContentBlock::text(
                serde_json::to_string(&docs).unwrap_or_default(),
            )]),
            Err(e) => CallToolResult::error(vec![ContentBlock::text(e.to_string())]),
        })
    }
}

#[rmcp::tool_handler(name = "demo-tools", version = "1.0.0")]
impl rmcp::ServerHandler for DemoTools {}

/// Serves the tools over MCP on stdin/stdout until the client closes the pipe; exports to the
/// OTLP endpoint of the environment as service `mcp-tools`, flushing before it returns.
pub fn serve() -> Result<(), McpAgentError> {
    let builder = genai_tracing::Builder::from_env().map_err(SetupError::from)?;
    let (runtime, guard) = traced_runtime(builder.service_name(SERVER_SERVICE))?;
    runtime.block_on(async {
        let running = TracedServer::new(DemoTools::default())
            .transport("pipe")
            .serve(rmcp::transport::stdio())
            .await
            .map_err(|e| McpAgentError::Mcp(e.into()))?;
        running
            .waiting()
            .await
            .map_err(|e| McpAgentError::Mcp(e.into()))?;
        Ok::<_, McpAgentError>(())
    })?;
    drop(guard);
    Ok(())
}

// ----- the agent -----

/// The ReAct agent, acting through the MCP server's tools.
#[agent(name = "mcp-agent", skip(tools))]
async fn mcp_agent(tools: &TracedClient, question: &str) -> Result<Answer, AgentError> {
    let text = ReactAgent::default()
        .react(question, |call| act(tools, call))
        .await?;
    Ok(Answer::here(text))
}

/// Runs one tool call of the model's through MCP; failures become observations.
async fn act(tools: &TracedClient, call: Value) -> String {
    let name = call["function"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let arguments = call["function"]["arguments"]
        .as_str()
        .and_then(|a| serde_json::from_str::<Value>(a).ok())
        .and_then(|a| a.as_object().cloned())
        .unwrap_or_default();
    let params = CallToolRequestParams::new(name).with_arguments(arguments);
    match tools.call_tool(params).await {
        Ok(result) => {
            let text: Vec<String> = result
                .content
                .iter()
                .filter_map(|c| c.as_text().map(|t| t.text.clone()))
                .collect();
            match result.is_error {
                Some(true) => format!("Error: {}", text.join(" ")),
                _ => text.join("\n"),
            }
        }
        Err(e) => format!("Error: {e}"),
    }
}

/// Starts the MCP server as a child process (this executable, `serve`), runs the agent against
/// it, stops it, and writes the answer and (when the run collected its spans) the trace tree.
pub fn run(question: &str, out: &mut dyn Write) -> Result<Answer, McpAgentError> {
    let sink = SpanSink::from_env();
    let builder = sink.builder(AGENT_SERVICE).map_err(SetupError::from)?;
    let (runtime, guard) = traced_runtime(builder)?;
    let answer = runtime.block_on(async {
        let mut command = std::process::Command::new(std::env::current_exe()?);
        command.arg("serve");
        sink.configure(&mut command);
        let transport = TokioChildProcess::new(tokio::process::Command::from(command))?;
        let client = ().serve(transport).await.map_err(|e| McpAgentError::Mcp(e.into()))?;
        let tools = TracedClient::new(client.peer().clone())
            .timeout(Duration::from_secs(30))
            .transport("pipe");
        let attributes = TraceAttributes::new().session(SESSION).user("demo-user");
        let answer = attributes.scope(mcp_agent(&tools, question)).await;
        // Closes the server's stdin and waits for it to flush and exit.
        client
            .cancel()
            .await
            .map_err(|e| McpAgentError::Mcp(e.into()))?;
        Ok::<_, McpAgentError>(answer)
    })?;
    drop(guard);
    let answer = answer?;
    writeln!(out, "Q: {question}")?;
    writeln!(out, "A: {}", answer.text)?;
    sink.report(2, answer.trace_id, out)?;
    Ok(answer)
}

const USAGE: &str = "usage: mcp_agent [QUESTION]\n       mcp_agent serve";

/// The command line of the `mcp_agent` example: run the agent (default) or `serve` the tools.
pub fn main(args: impl Iterator<Item = String>) -> std::process::ExitCode {
    use std::process::ExitCode;
    let args: Vec<String> = args.collect();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["serve"] => serve(),
        ["-h" | "--help"] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        [] => run(DEFAULT_QUESTION, &mut std::io::stdout().lock()).map(drop),
        [question] if !question.starts_with('-') => {
            run(question, &mut std::io::stdout().lock()).map(drop)
        }
        other => {
            eprintln!("mcp_agent: unexpected arguments {other:?}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("mcp_agent: {err}");
            ExitCode::FAILURE
        }
    }
}
