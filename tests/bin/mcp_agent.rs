//! The `mcp_agent` example as a binary of this package, so the integration tests can start it
//! (`CARGO_BIN_EXE_mcp_agent`); it starts its MCP server as a child process itself.

fn main() -> std::process::ExitCode {
    genai_tracing_examples::mcp_agent::main(std::env::args().skip(1))
}
