//! The demo run: five questions to the ReAct agent, each answer printed with its trace tree, and
//! the traces exported over OTLP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set.

use std::io::Write;

use genai_tracing::{Builder, TraceAttributes};
use opentelemetry::trace::TraceId;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SimpleSpanProcessor};

use crate::agent::{AgentError, ReactAgent};
use crate::model::questions;
use crate::processes::{configured_endpoint, traced_runtime, SetupError};
use crate::tools::Calculator;
use crate::tree;

/// The `session.id` of the demo's runs.
pub const SESSION: &str = "react-agent-demo";

/// How to run the demo.
#[derive(Debug, Clone, Copy, Default)]
pub struct DemoOptions {
    /// Make the calculator off by one: confident wrong answers, no errors.
    pub buggy_calculator: bool,
}

/// One question's outcome.
#[derive(Debug)]
pub struct Outcome {
    /// The question.
    pub question: &'static str,
    /// The agent's answer.
    pub answer: Result<String, AgentError>,
    /// The run's trace.
    pub trace_id: TraceId,
}

/// Why the demo could not run.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// Tracing or the runtime could not be set up (see the message).
    #[error(transparent)]
    Setup(#[from] SetupError),
    /// Writing the report failed.
    #[error("cannot write the report: {0}")]
    Io(#[from] std::io::Error),
}

/// Runs the demo, writing answers and trace trees to `out`. Installs the global subscriber, so it
/// runs once per process.
pub fn run(options: DemoOptions, out: &mut dyn Write) -> Result<Vec<Outcome>, DemoError> {
    let spans = InMemorySpanExporter::default();
    let mut builder = Builder::from_env()
        .map_err(SetupError::from)?
        .with_span_processor(SimpleSpanProcessor::new(spans.clone()));
    if std::env::var_os("OTEL_SERVICE_NAME").is_none() {
        builder = builder.service_name("react-agent-demo");
    }
    let (runtime, guard) = traced_runtime(builder)?;
    let agent = ReactAgent {
        calculator: Calculator {
            buggy: options.buggy_calculator,
        },
        ..ReactAgent::default()
    };
    let mut outcomes = Vec::new();
    for question in questions() {
        // One session for the demo's five runs: backends group them (Phoenix, Langfuse sessions).
        let attributes = TraceAttributes::new()
            .session(SESSION)
            .user("demo-user")
            .tag("demo");
        let answer = runtime.block_on(attributes.scope(agent.answer(question)));
        let finished = spans.get_finished_spans().unwrap_or_default();
        spans.reset();
        let trace_id = finished
            .first()
            .map_or(TraceId::INVALID, |s| s.span_context.trace_id());
        writeln!(out, "Q: {question}")?;
        match &answer {
            Ok(text) => writeln!(out, "A: {text}")?,
            Err(err) => writeln!(out, "A: (failed) {err}")?,
        }
        writeln!(out, "trace {trace_id}")?;
        writeln!(out, "{}", tree::render(&finished))?;
        outcomes.push(Outcome {
            question,
            answer,
            trace_id,
        });
    }
    drop(guard); // flushes the OTLP batch
    match configured_endpoint() {
        Some(e) => writeln!(out, "Exported {} traces over OTLP to {e}.", outcomes.len())?,
        None => writeln!(
            out,
            "Set OTEL_EXPORTER_OTLP_ENDPOINT to export these traces over OTLP."
        )?,
    }
    Ok(outcomes)
}
