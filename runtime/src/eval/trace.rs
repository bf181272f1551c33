//! A finished trace as scorers, the eval harness and the `genai-trace` CLI read it: its spans
//! with their names, status, timing, attributes and events, whether they came from a trace file
//! (OTLP-JSON, see [`super::read`]) or straight from the export pipeline.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, KeyValue};
use opentelemetry_proto::tonic::trace::v1::{status::StatusCode, Span};
use opentelemetry_proto::transform::common::tonic::ResourceAttributesWithSchema;
use opentelemetry_proto::transform::trace::tonic::group_spans_by_resource_and_scope;
use opentelemetry_sdk::trace::SpanData;
use serde_json::{Map, Value};

use super::score::Score;
use crate::semconv as sc;

/// Attributes or event attributes, by name, as JSON values (OTLP ints and doubles as numbers,
/// arrays as arrays, key-value lists as objects, bytes as base64 text).
pub type Attributes = Map<String, Value>;

/// A span's status.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SpanStatus {
    /// Not set (the usual status of a span that succeeded).
    #[default]
    Unset,
    /// Explicitly OK.
    Ok,
    /// Failed, with the status description.
    Error(String),
}

/// An event on a span, e.g. `gen_ai.evaluation.result` or `exception`.
#[derive(Debug, Clone, PartialEq)]
pub struct SpanEvent {
    /// The event name.
    pub name: String,
    /// When it happened, in nanoseconds since the Unix epoch.
    pub time_unix_nano: u64,
    /// Its attributes.
    pub attributes: Attributes,
}

/// One span of a [`Trace`].
#[derive(Debug, Clone, PartialEq)]
pub struct TraceSpan {
    /// The span id, 16 hex digits.
    pub span_id: String,
    /// The parent's span id; `None` for a root.
    pub parent_span_id: Option<String>,
    /// The span name, e.g. `execute_tool calculator`.
    pub name: String,
    /// Start, in nanoseconds since the Unix epoch.
    pub start_unix_nano: u64,
    /// End, in nanoseconds since the Unix epoch.
    pub end_unix_nano: u64,
    /// Its status.
    pub status: SpanStatus,
    /// Its attributes.
    pub attributes: Attributes,
    /// Its events, in order.
    pub events: Vec<SpanEvent>,
    /// The `service.name` of the process that recorded it (its resource's, else a `service.name`
    /// attribute on the span, as a collector merging processes adds).
    pub service: Option<String>,
}

impl TraceSpan {
    /// An attribute's value.
    pub fn attribute(&self, name: &str) -> Option<&Value> {
        self.attributes.get(name)
    }

    /// A text attribute.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).and_then(Value::as_str)
    }

    /// A numeric attribute.
    pub fn number(&self, name: &str) -> Option<f64> {
        self.attributes.get(name).and_then(Value::as_f64)
    }

    /// `gen_ai.operation.name`: `chat`, `execute_tool`, `invoke_agent`, …
    pub fn operation(&self) -> Option<&str> {
        self.text(sc::GEN_AI_OPERATION_NAME)
    }

    /// The tool's name, for a tool call.
    pub fn tool_name(&self) -> Option<&str> {
        self.text(sc::GEN_AI_TOOL_NAME)
    }

    /// The agent's name, for an agent invocation.
    pub fn agent_name(&self) -> Option<&str> {
        self.text(sc::GEN_AI_AGENT_NAME)
    }

    /// The model that answered (`gen_ai.response.model`), else the one asked for.
    pub fn model(&self) -> Option<&str> {
        self.text(sc::GEN_AI_RESPONSE_MODEL)
            .or_else(|| self.text(sc::GEN_AI_REQUEST_MODEL))
    }

    /// Input and output tokens, when recorded.
    pub fn tokens(&self) -> Option<(u64, u64)> {
        let input = self.number(sc::GEN_AI_USAGE_INPUT_TOKENS);
        let output = self.number(sc::GEN_AI_USAGE_OUTPUT_TOKENS);
        (input.is_some() || output.is_some())
            .then(|| (input.unwrap_or(0.0) as u64, output.unwrap_or(0.0) as u64))
    }

    /// The cost in US dollars (`genai_tracing.cost.usd`), when priced.
    pub fn cost_usd(&self) -> Option<f64> {
        self.number(sc::COST_USD)
    }

    /// How long it took, in seconds.
    pub fn duration_secs(&self) -> f64 {
        self.end_unix_nano.saturating_sub(self.start_unix_nano) as f64 / 1e9
    }

    /// Whether it failed.
    pub fn is_error(&self) -> bool {
        matches!(self.status, SpanStatus::Error(_))
    }

    /// The error: `error.type` and the status description.
    pub fn error(&self) -> Option<String> {
        let SpanStatus::Error(description) = &self.status else {
            return None;
        };
        Some(match (self.text(sc::ERROR_TYPE), description.is_empty()) {
            (Some(kind), false) => format!("{kind}: {description}"),
            (Some(kind), true) => kind.to_owned(),
            (None, _) => description.clone(),
        })
    }

    /// What it was given, as text, when content was captured: a tool call's arguments, an agent's
    /// or other step's `input.value`, or a model call's input messages.
    pub fn input(&self) -> Option<String> {
        [
            sc::GEN_AI_TOOL_CALL_ARGUMENTS,
            sc::INPUT_VALUE,
            sc::GEN_AI_INPUT_MESSAGES,
        ]
        .iter()
        .find_map(|name| self.attribute(name).map(as_text))
    }

    /// What it gave back, as text, when content was captured: a tool call's result, an agent's
    /// `output.value`, or a model call's output messages.
    pub fn output(&self) -> Option<String> {
        [
            sc::GEN_AI_TOOL_CALL_RESULT,
            sc::OUTPUT_VALUE,
            sc::GEN_AI_OUTPUT_MESSAGES,
        ]
        .iter()
        .find_map(|name| self.attribute(name).map(as_text))
    }

    /// The evaluation results recorded on this span (`gen_ai.evaluation.result` events).
    pub fn scores(&self) -> impl Iterator<Item = Score> + '_ {
        self.events
            .iter()
            .filter(|e| e.name == sc::GEN_AI_EVALUATION_RESULT)
            .map(|e| Score::from_event(&e.attributes, &self.span_id))
    }
}

/// `text` cut to its first `max` characters, followed by `mark` when cut.
pub(crate) fn cut(text: &str, max: usize, mark: &str) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}{mark}", &text[..at]),
        None => text.to_owned(),
    }
}

/// A JSON value as text: a string as it is, anything else as JSON.
fn as_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

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

    /// Every evaluation result recorded in the trace.
    pub fn scores(&self) -> Vec<Score> {
        self.spans.iter().flat_map(TraceSpan::scores).collect()
    }

    /// Why the run failed, one line per reason: each failed or erroring score, then each span
    /// that failed (with its path). Empty for a run that passed.
    pub fn failures(&self) -> Vec<String> {
        let scores = self
            .scores()
            .into_iter()
            .filter(|s| !s.passed())
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

impl TraceSpan {
    fn from_proto(span: &Span, service: Option<String>) -> Self {
        let status = match &span.status {
            Some(s) if s.code == StatusCode::Error as i32 => SpanStatus::Error(s.message.clone()),
            Some(s) if s.code == StatusCode::Ok as i32 => SpanStatus::Ok,
            _ => SpanStatus::Unset,
        };
        let attrs = attributes(&span.attributes);
        Self {
            span_id: hex(&span.span_id),
            parent_span_id: (!span.parent_span_id.is_empty()).then(|| hex(&span.parent_span_id)),
            name: span.name.clone(),
            start_unix_nano: span.start_time_unix_nano,
            end_unix_nano: span.end_time_unix_nano,
            status,
            service: service.or_else(|| attrs.get("service.name")?.as_str().map(Into::into)),
            attributes: attrs,
            events: span
                .events
                .iter()
                .map(|e| SpanEvent {
                    name: e.name.clone(),
                    time_unix_nano: e.time_unix_nano,
                    attributes: attributes(&e.attributes),
                })
                .collect(),
        }
    }
}

fn attributes(kvs: &[KeyValue]) -> Attributes {
    kvs.iter()
        .map(|kv| {
            let value = kv.value.as_ref().map_or(Value::Null, json_of);
            (kv.key.clone(), value)
        })
        .collect()
}

/// An OTLP value as JSON.
fn json_of(value: &AnyValue) -> Value {
    use any_value::Value as V;
    use base64::Engine as _;
    match &value.value {
        None => Value::Null,
        Some(V::StringValue(s)) => Value::String(s.clone()),
        Some(V::BoolValue(b)) => Value::Bool(*b),
        Some(V::IntValue(i)) => Value::from(*i),
        Some(V::DoubleValue(d)) => {
            serde_json::Number::from_f64(*d).map_or(Value::Null, Value::Number)
        }
        Some(V::ArrayValue(a)) => Value::Array(a.values.iter().map(json_of).collect()),
        Some(V::KvlistValue(l)) => Value::Object(attributes(&l.values)),
        Some(V::BytesValue(b)) => {
            Value::String(base64::engine::general_purpose::STANDARD.encode(b))
        }
        Some(V::StringValueStrindex(i)) => Value::from(*i),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}
