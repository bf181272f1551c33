//! The console exporter: each trace printed as a GenAI-aware tree, one line per span with its
//! duration, model, tokens, cost, time to first chunk, status and error.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write;
use std::sync::{Mutex, PoisonError};

use opentelemetry::trace::TraceId;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{SpanData, SpanExporter};

/// Prints each trace as a tree on standard output when `true` (see [`ConsoleExporter`]).
pub const CONSOLE_ENV: &str = "GENAI_TRACING_CONSOLE";

/// Prints every trace it exports as a tree (see [`render_tree`]), headed by its trace id.
/// [`Builder::console`](crate::Builder::console) puts it behind the tail sampler's assembly, so
/// each trace arrives whole and prints once.
///
/// ```
/// use genai_tracing::export::ConsoleExporter;
/// let to_stderr = ConsoleExporter::new(std::io::stderr());
/// let to_stdout = ConsoleExporter::stdout();
/// ```
pub struct ConsoleExporter {
    out: Mutex<Box<dyn Write + Send>>,
}

impl std::fmt::Debug for ConsoleExporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConsoleExporter").finish_non_exhaustive()
    }
}

impl ConsoleExporter {
    /// Prints to `out`.
    pub fn new(out: impl Write + Send + 'static) -> Self {
        Self {
            out: Mutex::new(Box::new(out)),
        }
    }

    /// Prints to standard output.
    pub fn stdout() -> Self {
        Self::new(std::io::stdout())
    }
}

impl SpanExporter for ConsoleExporter {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let mut text = String::new();
        for (trace_id, spans) in by_trace(batch) {
            let _ = writeln!(text, "trace {trace_id}");
            text.push_str(&render_tree(&spans));
        }
        let mut out = self.out.lock().unwrap_or_else(PoisonError::into_inner);
        out.write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|e| OTelSdkError::InternalFailure(format!("console: {e}")))
    }
}

/// Splits a batch into its traces, in the order they first appear.
pub(crate) fn by_trace(batch: Vec<SpanData>) -> Vec<(TraceId, Vec<SpanData>)> {
    let mut traces: Vec<(TraceId, Vec<SpanData>)> = Vec::new();
    let mut index: HashMap<TraceId, usize> = HashMap::new();
    for span in batch {
        let id = span.span_context.trace_id();
        let at = *index.entry(id).or_insert_with(|| {
            traces.push((id, Vec::new()));
            traces.len() - 1
        });
        traces[at].1.push(span);
    }
    traces
}

/// Renders every trace in `spans` as an indented tree, children in start order, with the scores
/// recorded on each span (see [`Trace::render`](crate::eval::Trace::render)). Where spans come
/// from several processes (a `service.name` attribute, as the collector adds), a span whose
/// process differs from its parent's is marked `[service]`.
///
/// ```text
/// invoke_agent react-agent  52.1 ms  146→31 tokens  $0.000040  ok
/// ├─ chat gpt-4o-mini  22.0 ms  gpt-4o-mini-2024-07-18  115→31 tokens  $0.000036  ok
/// └─ execute_tool calculator  0.0 ms  ok
/// ```
///
/// ```
/// assert_eq!(genai_tracing::export::render_tree(&[]), "");
/// ```
pub fn render_tree(spans: &[SpanData]) -> String {
    crate::trace::Trace::from_spans(spans.iter().cloned())
        .iter()
        .map(|trace| trace.render(false))
        .collect()
}
