//! Where the spans of a run that spans several processes go: to the OTLP endpoint the
//! environment names, or, when it names none, to a [`collector`](crate::collector) on 127.0.0.1
//! that this process starts and every process of the run exports to, so the whole trace can be
//! printed at the end.

use std::io::Write;
use std::process::Command;

use genai_tracing::export::OtlpProtocol;
use genai_tracing::{Builder, InitError, TracingGuard};
use opentelemetry::trace::{TraceContextExt as _, TraceId};
use serde::Serialize;
use tokio::runtime::Runtime;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

use crate::collector::OtlpReceiver;

/// The OTLP trace endpoint the environment configures, if any (as `genai_tracing::init` reads
/// it: the traces-specific variable first, empty values ignored).
pub fn configured_endpoint() -> Option<String> {
    [
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
    ]
    .iter()
    .find_map(|v| std::env::var(v).ok().filter(|e| !e.trim().is_empty()))
}

/// Why a process of the run could not set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// Tracing could not be set up.
    #[error(transparent)]
    Init(#[from] InitError),
    /// The async runtime could not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(#[from] std::io::Error),
}

/// A multi-thread Tokio runtime with `builder`'s tracing installed while inside it (OTLP over
/// gRPC runs its channel on the runtime it was built in). Dropping the guard flushes.
pub fn traced_runtime(builder: Builder) -> Result<(Runtime, TracingGuard), SetupError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let guard = {
        let _entered = runtime.enter();
        builder.install()?
    };
    Ok((runtime, guard))
}

/// The destination of a run's spans.
pub struct SpanSink {
    collector: Option<OtlpReceiver>,
}

impl SpanSink {
    /// The environment's OTLP endpoint if one is set, else a collector of our own.
    pub fn from_env() -> Self {
        Self {
            collector: configured_endpoint().is_none().then(OtlpReceiver::start),
        }
    }

    /// The tracing setup of this process, as service `service`.
    pub fn builder(&self, service: &str) -> Result<Builder, InitError> {
        let builder = Builder::from_env()?.service_name(service);
        Ok(match &self.collector {
            // The collector speaks OTLP/HTTP protobuf, whatever protocol the environment names.
            Some(collector) => builder
                .otlp(OtlpProtocol::HttpProtobuf)
                .endpoint(&collector.endpoint),
            None => builder,
        })
    }

    /// Points a child process of the run at the same destination.
    pub fn configure(&self, command: &mut Command) {
        if let Some(collector) = &self.collector {
            command
                .env("OTEL_EXPORTER_OTLP_ENDPOINT", &collector.endpoint)
                .env("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
                .env_remove("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
                .env_remove("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL");
        }
    }

    /// Prints the collected trace tree of all `processes`, or where the spans went. Call it once
    /// every process has flushed.
    pub fn report(
        &self,
        processes: usize,
        trace_id: TraceId,
        out: &mut dyn Write,
    ) -> std::io::Result<()> {
        let Some(collector) = &self.collector else {
            return writeln!(
                out,
                "Exported trace {trace_id} over OTLP from {processes} processes."
            );
        };
        let spans = collector.spans();
        let traces: std::collections::HashSet<TraceId> =
            spans.iter().map(|s| s.span_context.trace_id()).collect();
        writeln!(
            out,
            "{} spans from {processes} processes in {} trace(s):",
            spans.len(),
            traces.len()
        )?;
        writeln!(out, "{}", genai_tracing::export::render_tree(&spans))
    }
}

/// An agent's answer and the trace it is recorded in.
#[derive(Debug, Serialize)]
pub struct Answer {
    /// The answer.
    pub text: String,
    /// The trace of the agent that gave it (not part of the recorded output).
    #[serde(skip)]
    pub trace_id: TraceId,
}

impl Answer {
    /// An answer given inside the current span's trace.
    pub fn here(text: String) -> Self {
        let trace_id = tracing::Span::current()
            .context()
            .span()
            .span_context()
            .trace_id();
        Self { text, trace_id }
    }
}
