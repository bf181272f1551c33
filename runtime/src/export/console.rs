//! The console exporter: each trace printed as a GenAI-aware tree, one line per span with its
//! duration, model, tokens, cost, time to first chunk, status and error.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write;
use std::sync::{Mutex, PoisonError};

use opentelemetry::trace::{SpanId, Status, TraceId};
use opentelemetry::Value;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{SpanData, SpanExporter};

use crate::semconv as sc;

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

/// Renders every trace in `spans` as an indented tree, children in start order. Where spans come
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
    let ids: Vec<SpanId> = spans.iter().map(|s| s.span_context.span_id()).collect();
    let mut children: HashMap<SpanId, Vec<&SpanData>> = HashMap::new();
    let mut roots = Vec::new();
    for span in spans {
        if ids.contains(&span.parent_span_id) {
            children.entry(span.parent_span_id).or_default().push(span);
        } else {
            roots.push(span);
        }
    }
    for list in children.values_mut() {
        list.sort_by_key(|s| s.start_time);
    }
    roots.sort_by_key(|s| s.start_time);
    let mut out = String::new();
    for root in roots {
        write_span(&mut out, root, &children, None, "", "");
    }
    out
}

fn write_span(
    out: &mut String,
    span: &SpanData,
    children: &HashMap<SpanId, Vec<&SpanData>>,
    parent_service: Option<&str>,
    first: &str,
    rest: &str,
) {
    let service = span
        .attributes
        .iter()
        .find(|kv| kv.key.as_str() == "service.name")
        .map(|kv| kv.value.as_str());
    let moved = match (&service, parent_service) {
        (Some(s), Some(p)) if s.as_ref() != p => format!("  [{s}]"),
        (Some(s), None) => format!("  [{s}]"),
        _ => String::new(),
    };
    let _ = writeln!(out, "{first}{}{moved}", line(span));
    let kids = children
        .get(&span.span_context.span_id())
        .map(Vec::as_slice)
        .unwrap_or_default();
    for (i, kid) in kids.iter().enumerate() {
        let last = i + 1 == kids.len();
        let (branch, indent) = if last {
            ("└─ ", "   ")
        } else {
            ("├─ ", "│  ")
        };
        write_span(
            out,
            kid,
            children,
            service.as_deref(),
            &format!("{rest}{branch}"),
            &format!("{rest}{indent}"),
        );
    }
}

fn line(span: &SpanData) -> String {
    let attr = |key: &str| {
        span.attributes
            .iter()
            .find(|kv| kv.key.as_str() == key)
            .map(|kv| &kv.value)
    };
    let int = |key: &str| match attr(key) {
        Some(Value::I64(n)) => Some(*n),
        _ => None,
    };
    let took = span
        .end_time
        .duration_since(span.start_time)
        .unwrap_or_default();
    let mut text = format!("{}  {:.1} ms", span.name, took.as_secs_f64() * 1000.0);
    if let Some(model) = attr(sc::GEN_AI_RESPONSE_MODEL).or_else(|| attr(sc::GEN_AI_REQUEST_MODEL))
    {
        let _ = write!(text, "  {}", model.as_str());
    }
    if let (Some(input), Some(output)) = (
        int(sc::GEN_AI_USAGE_INPUT_TOKENS),
        int(sc::GEN_AI_USAGE_OUTPUT_TOKENS),
    ) {
        let _ = write!(text, "  {input}→{output} tokens");
    }
    if let Some(Value::F64(usd)) = attr(sc::COST_USD) {
        let _ = write!(text, "  ${usd:.6}");
    }
    if let Some(Value::F64(first)) = attr(sc::GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK) {
        let _ = write!(text, "  streamed, first chunk {:.1} ms", first * 1000.0);
    }
    let exceptions: Vec<String> = span
        .events
        .iter()
        .filter(|e| e.name == "exception")
        .filter_map(|e| {
            e.attributes
                .iter()
                .find(|kv| kv.key.as_str() == "exception.type")
                .map(|kv| kv.value.as_str().into_owned())
        })
        .collect();
    if !exceptions.is_empty() {
        let _ = write!(text, "  (exception: {})", exceptions.join(", "));
    }
    match &span.status {
        Status::Error { description } => {
            let kind = attr(sc::ERROR_TYPE)
                .map(|v| v.as_str().into_owned())
                .unwrap_or_default();
            let _ = write!(text, "  ERROR {kind}: {description}");
        }
        _ => text.push_str("  ok"),
    }
    text
}
