//! What each kind of call records of its inputs and outputs: a tool's arguments and result, an
//! agent's or workflow's input and output, a model request's parameters and messages, a
//! retrieval's query and documents, a memory operation's records. Content is recorded only when
//! the call captures it (see `crate::capture`), bounded and scrubbed. Each method runs its work
//! through [`State::guarded`], so that a panic in the user's code it runs (a `Serialize`, the
//! hook, a `ModelRequest` or `ModelResponse` method) is caught and fails the call, not the app.

use serde_json::Value;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use super::fields::{record_captured, record_json, string_array};
use super::lifecycle::State;
use super::model::Priced;
use crate::capture::{
    arguments_object, ask, bounded_json, capture_limits, is_sensitive_key, text_or_json, Capture,
    Captured, REDACTED,
};
use crate::model::{scrub_split_secrets, ModelRequest, ModelResponse};
use crate::semconv as sc;
use crate::semconv::error_type::PANIC_MODEL_REQUEST;
use crate::semconv::version::{semconv_version, ValueType, Versioned};

/// The recording methods the macros' expansion calls, on [`Call`](super::Call) through `Deref`.
impl State {
    /// Records a tool's named arguments as one JSON object in `gen_ai.tool.call.arguments`.
    pub fn tool_arguments(&self, args: &[(&str, &dyn Capture)]) {
        let json = self
            .guarded(|| bounded_json(capture_limits(), |budget| arguments_object(args, budget)));
        self.span
            .record(sc::GEN_AI_TOOL_CALL_ARGUMENTS, json.as_str());
    }

    /// Records named arguments as `input.value`: a lone text argument as text, else a JSON object.
    pub fn input_arguments(&self, args: &[(&str, &dyn Capture)]) {
        self.guarded(|| self.record_input_arguments(args));
    }

    fn record_input_arguments(&self, args: &[(&str, &dyn Capture)]) {
        if let [(name, _)] = args {
            if is_sensitive_key(name) {
                self.span.record(sc::INPUT_VALUE, REDACTED);
                self.span.record(sc::INPUT_MIME_TYPE, "text/plain");
                return;
            }
        }
        let captured = match args {
            // A lone argument: its text as it is, anything else under its name.
            [(name, value)] => text_or_json(capture_limits(), |budget| {
                match value.capture_within(budget) {
                    text @ Value::String(_) => text,
                    other => Value::Object([((*name).to_owned(), other)].into_iter().collect()),
                }
            }),
            _ => Captured::Json(bounded_json(capture_limits(), |budget| {
                arguments_object(args, budget)
            })),
        };
        record_captured(
            &self.span,
            sc::INPUT_VALUE,
            Some(sc::INPUT_MIME_TYPE),
            captured,
        );
    }

    /// Records a model request's parameters and, when capturing and `content` allows, its messages.
    pub fn model_request(&self, request: &dyn ModelRequest, content: bool) {
        self.guarded(|| self.record_model_request(request, content));
    }

    fn record_model_request(&self, request: &dyn ModelRequest, content: bool) {
        let p = ask(PANIC_MODEL_REQUEST, "ModelRequest::parameters", || {
            request.parameters()
        });
        let span = &self.span;
        if let (Some(k), Some((name, kind))) =
            (p.top_k, Versioned::RequestTopK.spelling(semconv_version()))
        {
            match kind {
                ValueType::Int => span.record(name, k.round() as i64),
                _ => span.record(name, k),
            };
        }
        let doubles = [
            (sc::GEN_AI_REQUEST_TEMPERATURE, p.temperature),
            (sc::GEN_AI_REQUEST_TOP_P, p.top_p),
            (sc::GEN_AI_REQUEST_FREQUENCY_PENALTY, p.frequency_penalty),
            (sc::GEN_AI_REQUEST_PRESENCE_PENALTY, p.presence_penalty),
        ];
        for (name, value) in doubles {
            if let Some(v) = value {
                span.record(name, v);
            }
        }
        let ints = [
            (sc::GEN_AI_REQUEST_MAX_TOKENS, p.max_tokens),
            (sc::GEN_AI_REQUEST_SEED, p.seed),
        ];
        for (name, value) in ints {
            if let Some(n) = value {
                span.record(name, n);
            }
        }
        if !p.stop_sequences.is_empty() {
            span.set_attribute(
                sc::GEN_AI_REQUEST_STOP_SEQUENCES,
                string_array(p.stop_sequences),
            );
        }
        if self.capture && content {
            let mut messages = ask(PANIC_MODEL_REQUEST, "ModelRequest::input_messages", || {
                request.input_messages()
            });
            scrub_split_secrets(messages.iter_mut().map(|m| &mut m.parts));
            if !messages.is_empty() {
                self.record_json(sc::GEN_AI_INPUT_MESSAGES, &messages);
            }
            let instructions = ask(
                PANIC_MODEL_REQUEST,
                "ModelRequest::system_instructions",
                || request.system_instructions(),
            );
            if !instructions.is_empty() {
                self.record_json(sc::GEN_AI_SYSTEM_INSTRUCTIONS, &instructions);
            }
        }
    }

    /// Records a tool's result in `gen_ai.tool.call.result` (when capturing it).
    pub fn tool_result<T: Capture + ?Sized>(&self, value: &T) {
        if self.capture_result {
            self.record_json(sc::GEN_AI_TOOL_CALL_RESULT, value);
        }
    }

    /// Records an agent's or workflow's result as `output.value` (when capturing it): text as
    /// text, anything else as JSON, nothing for `()`.
    pub fn output<T: Capture + ?Sized>(&self, value: &T) {
        if !self.capture_result {
            return;
        }
        let captured =
            self.guarded(|| text_or_json(capture_limits(), |budget| value.capture_within(budget)));
        match captured {
            Captured::Json(json) if json == "null" => {}
            captured => record_captured(
                &self.span,
                sc::OUTPUT_VALUE,
                Some(sc::OUTPUT_MIME_TYPE),
                captured,
            ),
        }
    }

    /// Records a retrieval's or memory search's query in `field` (when capturing): the first of
    /// the candidate arguments whose name is not a secret's, text as text, anything else as JSON.
    pub fn query(&self, field: &'static str, candidates: &[(&str, &dyn Capture)]) {
        if !self.capture {
            return;
        }
        let Some((_, value)) = candidates.iter().find(|(name, _)| !is_sensitive_key(name)) else {
            return;
        };
        let captured =
            self.guarded(|| text_or_json(capture_limits(), |budget| value.capture_within(budget)));
        record_captured(&self.span, field, None, captured);
    }

    /// Records how many documents a retrieval asks for, named and typed as the semconv version
    /// in force says.
    pub fn retrieval_top_k(&self, k: i64) {
        match Versioned::RetrievalTopK.spelling(semconv_version()) {
            Some((name, ValueType::Int)) => self.span.record(name, k),
            Some((name, _)) => self.span.record(name, k as f64),
            None => &self.span,
        };
    }

    /// Records retrieved documents in `gen_ai.retrieval.documents` (when capturing the result).
    pub fn documents<T: Capture + ?Sized>(&self, value: &T) {
        if self.capture_result {
            self.record_json(sc::GEN_AI_RETRIEVAL_DOCUMENTS, value);
        }
    }

    /// Records a memory operation's result: how many records (when it is a list) and, when
    /// capturing the result, the records in `gen_ai.memory.records`.
    pub fn memory_records<T: Capture + ?Sized>(&self, value: &T, count: Option<usize>) {
        self.record_count(count);
        if self.capture_result {
            self.record_json(sc::GEN_AI_MEMORY_RECORDS, value);
        }
    }

    /// Records the arguments of a memory write as `gen_ai.memory.records` (when capturing): a lone
    /// list argument as it is, else one record of the arguments.
    pub fn memory_input(&self, args: &[(&str, &dyn Capture)]) {
        if !self.capture || args.is_empty() {
            return;
        }
        let json = self.guarded(|| {
            bounded_json(capture_limits(), |budget| match args {
                [(name, value)] if !is_sensitive_key(name) => match value.capture_within(budget) {
                    list @ serde_json::Value::Array(_) => list,
                    one => serde_json::Value::Array(vec![serde_json::json!({ "content": one })]),
                },
                _ => serde_json::Value::Array(vec![
                    serde_json::json!({ "content": arguments_object(args, budget) }),
                ]),
            })
        });
        self.span.record(sc::GEN_AI_MEMORY_RECORDS, json.as_str());
    }

    /// Records `gen_ai.memory.record.count`, when known.
    pub fn record_count(&self, count: Option<usize>) {
        if let Some(n) = count {
            self.span.record(
                sc::GEN_AI_MEMORY_RECORD_COUNT,
                i64::try_from(n).unwrap_or(i64::MAX),
            );
        }
    }

    /// Records what a model response says: id, model, finish reasons, usage and, when capturing
    /// the result, the output messages.
    pub fn model_response<T: ModelResponse + ?Sized>(&self, response: &T) {
        if let Some(call) = self.model.as_deref() {
            self.guarded(|| call.response(&self.span, self.capture_result, response, Priced::Yes));
        }
    }

    /// Records captured content as bounded, scrubbed JSON.
    pub(crate) fn record_json<T: Capture + ?Sized>(&self, field: &str, value: &T) {
        self.guarded(|| record_json(&self.span, field, value));
    }
}
