//! One span of a finished trace: its name, status, timing, attributes and events, as read from
//! OTLP (a trace file's JSON, or the export pipeline's spans turned into OTLP).

use std::fmt::Write as _;

use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, KeyValue};
use opentelemetry_proto::tonic::trace::v1::{status::StatusCode, Span};
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

/// One span of a [`Trace`](super::Trace).
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
#[cfg(feature = "eval")]
pub(crate) fn cut(text: &str, max: usize, mark: &str) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}{mark}", &text[..at]),
        None => text.to_owned(),
    }
}

/// A JSON value as text: a string as it is, anything else as JSON.
pub(super) fn as_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

impl TraceSpan {
    pub(super) fn from_proto(span: &Span, service: Option<String>) -> Self {
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
pub(super) fn json_of(value: &AnyValue) -> Value {
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

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}
