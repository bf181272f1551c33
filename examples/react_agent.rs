//! The main demo: `cargo run --example react_agent [-- --buggy-calculator]`.
//!
//! Five questions to a ReAct agent, each printed with its answer and trace tree. No keys, no
//! network; with `OTEL_EXPORTER_OTLP_ENDPOINT` set, the traces are also exported over OTLP.
//! `--buggy-calculator` makes the calculator off by one: confident wrong answers, no error.

use genai_tracing_examples::demo::{self, DemoOptions};

fn main() -> std::process::ExitCode {
    let mut options = DemoOptions::default();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--buggy-calculator" => options.buggy_calculator = true,
            "-h" | "--help" => {
                println!("usage: react_agent [--buggy-calculator]");
                return std::process::ExitCode::SUCCESS;
            }
            other => {
                eprintln!("unknown argument {other:?}; usage: react_agent [--buggy-calculator]");
                return std::process::ExitCode::from(2);
            }
        }
    }
    match demo::run(options, &mut std::io::stdout().lock()) {
        Ok(_) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("react_agent: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}
