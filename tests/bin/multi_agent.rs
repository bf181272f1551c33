//! The `multi_agent` example as a binary of this package, so the integration tests can start its
//! processes (`CARGO_BIN_EXE_multi_agent`).

fn main() -> std::process::ExitCode {
    genai_tracing_examples::multi_agent::main(std::env::args().skip(1))
}
