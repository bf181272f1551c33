//! The main demo: `cargo run --example react_agent [-- --buggy-calculator]`.
//!
//! Five questions to a ReAct agent, each printed with its answer and trace tree. No keys, no
//! network; with `OTEL_EXPORTER_OTLP_ENDPOINT` set, the traces are also exported over OTLP.
//! `--buggy-calculator` makes the calculator off by one: confident wrong answers, no error.
//! With `OPENAI_BASE_URL` set, a real model plans instead of the scripted one (`--model`,
//! `--stream`, `--question`); see `--help`.

fn main() -> std::process::ExitCode {
    genai_tracing_examples::demo::main()
}
