//! The `react_agent` demo as a binary of this package, so the integration tests can run it
//! (`CARGO_BIN_EXE_react_agent`).

fn main() -> std::process::ExitCode {
    genai_tracing_examples::demo::main()
}
