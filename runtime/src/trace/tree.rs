//! A finished trace as scorers, the eval harness and the `genai-trace` CLI read it: its spans in
//! start order, grouped from OTLP requests (a trace file, see [`super::read`]) or from the export
//! pipeline's spans, and what can be asked of it (its root, a span's children and path, the run's
//! errors, input, output, scores, tokens and cost).

use std::collections::{HashMap, HashSet};

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::transform::common::tonic::ResourceAttributesWithSchema;
use opentelemetry_proto::transform::trace::tonic::group_spans_by_resource_and_scope;
use opentelemetry_sdk::trace::SpanData;
use serde_json::Value;

use super::score::Score;
use super::span::{as_text, hex, json_of, TraceSpan};
use crate::semconv as sc;

/// One finished trace: its spans in start order.
///
/// ```
/// use genai_tracing::eval::Trace;
/// let line = r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{
///     "traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331",
///     "name":"execute_tool calculator","startTimeUnixNano":"1","endTimeUnixNano":"2",
///     "attributes":[{"key":"gen_ai.tool.name","value":{"stringValue":"calculator"}}]}]}]}]}"#;
/// let traces = genai_tracing::eval::parse_traces(line.as_bytes(), "inline")?;
/// let trace: &Trace = &traces[0];
/// assert_eq!(trace.root().unwrap().tool_name(), Some("calculator"));
/// # Ok::<(), genai_tracing::eval::TraceFileError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Trace {
    /// The trace id, 32 hex digits.
    pub trace_id: String,
    /// Its spans, in start order.
    pub spans: Vec<TraceSpan>,
    /// The expected answer, when the trace ran an eval case (set by the eval harness).
    pub expected: Option<Value>,
    /// The answer the run returned, when the eval harness ran it (used by [`Trace::output`] when
    /// content was not captured).
    pub answer: Option<String>,
}

impl Trace {
    /// Groups OTLP requests' spans into traces, in the order each trace first appears; spans of
    /// one trace spread over several requests (a late span on a line of its own) are merged.
    pub(crate) fn from_requests<'a>(
        requests: impl IntoIterator<Item = &'a ExportTraceServiceRequest>,
    ) -> Vec<Trace> {
        let spans = requests.into_iter().flat_map(|request| {
            request.resource_spans.iter().flat_map(|resource| {
                let service = resource.resource.as_ref().and_then(|r| {
                    r.attributes
                        .iter()
                        .find(|kv| kv.key == "service.name")
                        .and_then(|kv| kv.value.as_ref())
                        .map(|v| as_text(&json_of(v)))
                });
                resource
                    .scope_spans
                    .iter()
                    .flat_map(|scope| &scope.spans)
                    .map(move |span| {
                        let trace_id = hex(&span.trace_id);
                        (trace_id, TraceSpan::from_proto(span, service.clone()))
                    })
            })
        });
        group(spans)
    }

    /// Puts together the parts of traces read apart (from several files, say): one trace per
    /// trace id, in the order each first appears, its spans in start order. `expected` and
    /// `answer` are dropped, and so are traces without spans.
    ///
    /// ```
    /// use genai_tracing::eval::{parse_traces, Trace};
    /// let span = |id: &str, start: u32| format!(r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{{
    ///     "traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"{id}","name":"s",
    ///     "startTimeUnixNano":"{start}","endTimeUnixNano":"9"}}]}}]}}]}}"#);
    /// let late = parse_traces(span("00000000000000b2", 2).as_bytes(), "a.jsonl")?;
    /// let early = parse_traces(span("00000000000000b1", 1).as_bytes(), "b.jsonl")?;
    /// let merged = Trace::merge(late.into_iter().chain(early));
    /// assert_eq!(merged.len(), 1);
    /// assert_eq!(merged[0].spans[0].span_id, "00000000000000b1");
    /// # Ok::<(), genai_tracing::eval::TraceFileError>(())
    /// ```
    pub fn merge(traces: impl IntoIterator<Item = Trace>) -> Vec<Trace> {
        group(traces.into_iter().flat_map(|trace| {
            let id = trace.trace_id;
            trace.spans.into_iter().map(move |span| (id.clone(), span))
        }))
    }

    /// Groups ended SDK spans (from an exporter or span processor) into traces.
    ///
    /// ```
    /// use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
    /// use opentelemetry::trace::{Tracer, TracerProvider};
    /// let spans = InMemorySpanExporter::default();
    /// let provider = SdkTracerProvider::builder().with_simple_exporter(spans.clone()).build();
    /// provider.tracer("t").in_span("invoke_agent demo", |_| {});
    /// let traces = genai_tracing::eval::Trace::from_spans(spans.get_finished_spans().unwrap());
    /// assert_eq!(traces[0].root().unwrap().name, "invoke_agent demo");
    /// ```
    pub fn from_spans(spans: impl IntoIterator<Item = SpanData>) -> Vec<Trace> {
        Self::from_spans_with(
            spans.into_iter().collect(),
            &ResourceAttributesWithSchema::default(),
        )
    }

    /// [`from_spans`](Self::from_spans), with the process's resource (for `service.name`).
    pub(crate) fn from_spans_with(
        spans: Vec<SpanData>,
        resource: &ResourceAttributesWithSchema,
    ) -> Vec<Trace> {
        let request = ExportTraceServiceRequest {
            resource_spans: group_spans_by_resource_and_scope(spans, resource),
        };
        Self::from_requests([&request])
    }

    /// The first span whose parent is not in the trace (the agent run, usually).
    pub fn root(&self) -> Option<&TraceSpan> {
        self.roots().next()
    }

    /// Every span whose parent is not in the trace, in start order.
    pub fn roots(&self) -> impl Iterator<Item = &TraceSpan> {
        self.spans.iter().filter(|s| match &s.parent_span_id {
            None => true,
            Some(parent) => self.span(parent).is_none(),
        })
    }

    /// The span with this id.
    pub fn span(&self, span_id: &str) -> Option<&TraceSpan> {
        self.spans.iter().find(|s| s.span_id == span_id)
    }

    /// A span's children, in start order.
    pub fn children<'a>(&'a self, span: &'a TraceSpan) -> impl Iterator<Item = &'a TraceSpan> {
        self.spans
            .iter()
            .filter(move |s| s.parent_span_id.as_deref() == Some(span.span_id.as_str()))
    }

    /// The names from the root down to `span`, joined by ` > `.
    pub fn path(&self, span: &TraceSpan) -> String {
        let mut names = vec![span.name.as_str()];
        let mut at = span;
        while let Some(parent) = at.parent_span_id.as_deref().and_then(|p| self.span(p)) {
            names.push(parent.name.as_str());
            at = parent;
            if names.len() > self.spans.len() {
                break; // a cycle in a malformed file
            }
        }
        names.reverse();
        names.join(" > ")
    }

    /// The calls of the tool `name`, in start order.
    pub fn tool_calls<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a TraceSpan> {
        self.spans
            .iter()
            .filter(move |s| s.tool_name() == Some(name))
    }

    /// The spans of the run that failed (an evaluator's own failures are not the run's: see
    /// [`is_evaluation`](Self::is_evaluation)).
    pub fn errors(&self) -> impl Iterator<Item = &TraceSpan> {
        let evaluation = self.evaluation_ids();
        self.spans
            .iter()
            .filter(move |s| s.is_error() && !evaluation.contains(s.span_id.as_str()))
    }

    /// Whether `span` is part of an evaluation of the run rather than the run itself: an
    /// `EVALUATOR` span (an LLM judge's) or a span beneath one.
    pub fn is_evaluation(&self, span: &TraceSpan) -> bool {
        self.evaluation_ids().contains(span.span_id.as_str())
    }

    /// The ids of the spans [`is_evaluation`](Self::is_evaluation) holds true of, in one pass
    /// over the trace (a cycle in a malformed file ends it too).
    pub(crate) fn evaluation_ids(&self) -> HashSet<&str> {
        let mut pending: Vec<&str> = self
            .spans
            .iter()
            .filter(|s| s.text(sc::OPENINFERENCE_SPAN_KIND) == Some(sc::span_kind::EVALUATOR))
            .map(|s| s.span_id.as_str())
            .collect();
        let mut found = HashSet::new();
        if pending.is_empty() {
            return found;
        }
        let mut children: HashMap<&str, Vec<&str>> = HashMap::new();
        for span in &self.spans {
            if let Some(parent) = &span.parent_span_id {
                children.entry(parent).or_default().push(&span.span_id);
            }
        }
        while let Some(id) = pending.pop() {
            if found.insert(id) {
                pending.extend(children.get(id).into_iter().flatten());
            }
        }
        found
    }

    /// The run's input: the root's captured input.
    pub fn input(&self) -> Option<String> {
        self.root().and_then(TraceSpan::input)
    }

    /// The run's answer: the root's captured output, else the answer the eval harness saw.
    pub fn output(&self) -> Option<String> {
        self.root()
            .and_then(TraceSpan::output)
            .or_else(|| self.answer.clone())
    }

    /// Whether the run recorded content: a span of it (not an evaluator's) has a captured input
    /// or output. Off unless the agent ran with content capture on
    /// ([`CAPTURE_ENV`](crate::capture::CAPTURE_ENV)`=true`).
    ///
    /// ```
    /// let line = r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{
    ///     "traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331",
    ///     "name":"execute_tool calculator","startTimeUnixNano":"1","endTimeUnixNano":"2"}]}]}]}"#;
    /// let trace = &genai_tracing::eval::parse_traces(line.as_bytes(), "inline")?[0];
    /// assert!(!trace.content_captured());
    /// # Ok::<(), genai_tracing::eval::TraceFileError>(())
    /// ```
    pub fn content_captured(&self) -> bool {
        let evaluation = self.evaluation_ids();
        self.spans.iter().any(|s| {
            !evaluation.contains(s.span_id.as_str())
                && (s.input().is_some() || s.output().is_some())
        })
    }

    /// Every evaluation result recorded in the trace.
    pub fn scores(&self) -> Vec<Score> {
        self.spans.iter().flat_map(TraceSpan::scores).collect()
    }

    /// Why the run failed, one line per reason: each failed or erroring score, then each span
    /// that failed (with its path). Empty for a run that passed (or was not checked).
    pub fn failures(&self) -> Vec<String> {
        let scores = self
            .scores()
            .into_iter()
            .filter(Score::failed)
            .map(|s| s.to_string());
        let errors = self.errors().map(|s| {
            format!(
                "{}: {}",
                self.path(s),
                s.error().unwrap_or_else(|| "error".to_owned())
            )
        });
        scores.chain(errors).collect()
    }

    /// Total tokens (input, output) over the run's model calls, not counting agents' roll-ups
    /// nor an evaluator's calls.
    pub fn tokens(&self) -> (u64, u64) {
        self.model_calls()
            .filter_map(TraceSpan::tokens)
            .fold((0, 0), |(i, o), (di, d_o)| {
                (i.saturating_add(di), o.saturating_add(d_o))
            })
    }

    /// Total cost of the run's model calls (not an evaluator's), in US dollars.
    pub fn cost_usd(&self) -> f64 {
        // A fold from +0 (`sum` starts at -0, which prints as `-0`).
        self.model_calls()
            .filter_map(TraceSpan::cost_usd)
            .fold(0.0, |sum, usd| sum + usd)
    }

    /// The run's model calls (not an evaluator's).
    fn model_calls(&self) -> impl Iterator<Item = &TraceSpan> {
        let evaluation = self.evaluation_ids();
        self.spans.iter().filter(move |s| {
            matches!(
                s.operation(),
                Some("chat" | "text_completion" | "generate_content" | "embeddings")
            ) && !evaluation.contains(s.span_id.as_str())
        })
    }
}

/// Spans by trace id into traces, in the order each trace first appears, spans in start order.
fn group(spans: impl Iterator<Item = (String, TraceSpan)>) -> Vec<Trace> {
    let mut traces: Vec<Trace> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (trace_id, span) in spans {
        let at = match index.get(&trace_id) {
            Some(&at) => at,
            None => {
                index.insert(trace_id.clone(), traces.len());
                traces.push(Trace {
                    trace_id,
                    ..Trace::default()
                });
                traces.len() - 1
            }
        };
        traces[at].spans.push(span);
    }
    for trace in &mut traces {
        trace.spans.sort_by_key(|s| s.start_unix_nano);
    }
    traces
}
