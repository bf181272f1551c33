//! The calculator exercise's eval run: `cargo run --example calculator_eval -- --dataset FILE`.
//!
//! Runs a dataset's cases through the demo agent under the eval harness, scores each run with
//! the `arithmetic` scorer, prints the report and writes it for `genai-trace gate`; see `--help`.

fn main() -> std::process::ExitCode {
    genai_tracing_examples::calculator_eval::main()
}
