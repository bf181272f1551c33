//! Multi-agent tracing across processes: `cargo run --example multi_agent [-- --no-propagation]`.
//!
//! An orchestrator agent hands a question to a researcher sub-agent served over HTTP by a second
//! process (this program, started as `serve`). Trace context travels in the request headers, so
//! the run is one trace; the tree of both processes is printed. `--no-propagation` drops the
//! headers and shows the broken tree. With `OTEL_EXPORTER_OTLP_ENDPOINT` set, both processes
//! export there instead.

use std::process::ExitCode;

use genai_tracing_examples::multi_agent;

fn main() -> ExitCode {
    multi_agent::main(std::env::args().skip(1))
}
