//! Tools over MCP, one trace: `cargo run --example mcp_agent [-- QUESTION]`.
//!
//! The ReAct agent calls its tools on an MCP server that runs as a child process over stdio
//! (this program, started as `serve`). The trace context rides in each request's
//! `params._meta`, so the server's spans join the agent's trace; the tree of both processes is
//! printed. With `OTEL_EXPORTER_OTLP_ENDPOINT` set, both export there instead.

fn main() -> std::process::ExitCode {
    genai_tracing_examples::mcp_agent::main(std::env::args().skip(1))
}
