//! The demo run: five questions to the ReAct agent. With no export configured, each answer is
//! followed by its trace tree (the console exporter) and the traces are appended to
//! [`TRACE_FILE`] as OTLP-JSON (the file exporter); with `OTEL_EXPORTER_OTLP_ENDPOINT` or a
//! platform preset (`GENAI_TRACING_BACKEND`) set, they go there instead. With `OPENAI_BASE_URL`
//! set, the agent plans with a real model on that OpenAI-compatible server.

use std::io::Write;

use genai_tracing::export::ConsoleExporter;
use genai_tracing::{Builder, TraceAttributes};
use opentelemetry::trace::TraceId;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SimpleSpanProcessor};

use crate::agent::{AgentError, Model, ReactAgent};
use crate::model::questions;
use crate::openai::{OpenAiModel, OpenAiSettings};
use crate::processes::{configured_endpoint, traced_runtime, SetupError};
use crate::tools::Calculator;

/// The `session.id` of the demo's runs.
pub const SESSION: &str = "react-agent-demo";

/// How to run the demo.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DemoOptions {
    /// Make the calculator off by one: confident wrong answers, no errors.
    pub buggy_calculator: bool,
    /// Plan with a real model on an OpenAI-compatible server instead of the scripted one.
    pub openai: Option<OpenAiSettings>,
    /// The questions to ask; empty means the scripted model's five.
    pub questions: Vec<String>,
}

/// Where the demo appends its traces when no export is configured (relative to the working
/// directory).
pub const TRACE_FILE: &str = "genai-traces/react-agent-demo.jsonl";

/// The demo's command line.
pub const USAGE: &str =
    "usage: react_agent [--buggy-calculator] [--question TEXT]... [--model NAME] [--stream]
  With OPENAI_BASE_URL set (and OPENAI_API_KEY when the server wants one), the agent plans with
  that OpenAI-compatible server's model (--model, default gpt-4o-mini), streamed with --stream.";

/// The model asked for in real-model mode when `--model` is not given.
pub const DEFAULT_OPENAI_MODEL: &str = "gpt-4o-mini";

impl DemoOptions {
    /// Reads the command line (without the program name) and the OpenAI variables (`var` looks
    /// one up). `Err` carries what is wrong, for the usage message.
    pub fn parse(
        args: impl IntoIterator<Item = String>,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, String> {
        let mut options = Self::default();
        let (mut model, mut stream) = (None, false);
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let mut value = |flag: &str| {
                args.next()
                    .filter(|v| !v.trim().is_empty())
                    .ok_or_else(|| format!("{flag} needs a value"))
            };
            match arg.as_str() {
                "--buggy-calculator" => options.buggy_calculator = true,
                "--question" => options.questions.push(value("--question")?),
                "--model" => model = Some(value("--model")?),
                "--stream" => stream = true,
                other => return Err(format!("unknown argument {other:?}")),
            }
        }
        let base_url = var("OPENAI_BASE_URL").filter(|v| !v.trim().is_empty());
        match base_url {
            Some(base_url) => {
                options.openai = Some(OpenAiSettings {
                    base_url,
                    api_key: var("OPENAI_API_KEY").filter(|v| !v.trim().is_empty()),
                    model: model.unwrap_or_else(|| DEFAULT_OPENAI_MODEL.to_owned()),
                    stream,
                })
            }
            None if model.is_some() || stream => {
                return Err("--model and --stream need OPENAI_BASE_URL (the scripted model has one model and does not stream)".to_owned())
            }
            None => {}
        }
        Ok(options)
    }
}

/// The demo's `main`: parses the command line and environment, runs, and returns the exit code
/// (2 for bad arguments).
pub fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return std::process::ExitCode::SUCCESS;
    }
    let options = match DemoOptions::parse(args, |name| std::env::var(name).ok()) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("react_agent: {message}\n{USAGE}");
            return std::process::ExitCode::from(2);
        }
    };
    // Not locked: the console exporter prints the trace trees to stdout too.
    match run(options, &mut std::io::stdout()) {
        Ok(_) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("react_agent: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// One question's outcome.
#[derive(Debug)]
pub struct Outcome {
    /// The question.
    pub question: String,
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
    // Only to learn each run's trace id.
    let spans = InMemorySpanExporter::default();
    let mut builder = Builder::from_env().map_err(SetupError::from)?;
    let local = !builder.exports();
    if local {
        builder = builder.console(ConsoleExporter::stdout()).file(TRACE_FILE);
    }
    // Every run is scored as it ends; a failing score is recorded on the calculator span.
    builder = builder.score(crate::scorers::arithmetic());
    builder = builder.with_span_processor(SimpleSpanProcessor::new(spans.clone()));
    if std::env::var_os("OTEL_SERVICE_NAME").is_none() {
        builder = builder.service_name("react-agent-demo");
    }
    let (runtime, guard) = traced_runtime(builder)?;
    let model = match &options.openai {
        Some(settings) => {
            writeln!(
                out,
                "Model: {} at {}{}",
                settings.model,
                settings.base_url,
                if settings.stream { ", streamed" } else { "" }
            )?;
            Model::OpenAi(Box::new(OpenAiModel::new(settings)))
        }
        None => Model::default(),
    };
    let agent = ReactAgent {
        model,
        calculator: Calculator {
            buggy: options.buggy_calculator,
        },
    };
    let asked: Vec<String> = if options.questions.is_empty() {
        questions().map(str::to_owned).collect()
    } else {
        options.questions.clone()
    };
    let mut outcomes = Vec::new();
    for question in asked {
        // One session for the demo's five runs: backends group them (Phoenix, Langfuse sessions).
        let attributes = TraceAttributes::new()
            .session(SESSION)
            .user("demo-user")
            .tag("demo");
        let answer = runtime.block_on(attributes.scope(agent.answer(&question)));
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
        if guard.exporters().contains(&"console") {
            // The console exporter prints `trace {id}` and the tree once the queue is flushed.
            out.flush()?;
            if let Err(err) = guard.flush() {
                writeln!(out, "(the trace tree did not print: {err})")?;
            }
            writeln!(out)?;
        } else {
            writeln!(out, "trace {trace_id}\n")?;
        }
        outcomes.push(Outcome {
            question,
            answer,
            trace_id,
        });
    }
    drop(guard); // exports what is queued
    match configured_endpoint() {
        Some(e) => writeln!(out, "Exported {} traces over OTLP to {e}.", outcomes.len())?,
        None if local => writeln!(
            out,
            "Appended {} traces to {TRACE_FILE} (OTLP-JSON, one trace per line). Set \
             OTEL_EXPORTER_OTLP_ENDPOINT or GENAI_TRACING_BACKEND to send them to a backend.",
            outcomes.len()
        )?,
        None => writeln!(out, "Exported {} traces.", outcomes.len())?,
    }
    Ok(outcomes)
}
