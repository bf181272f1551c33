//! What a model call (`#[llm_call]`, `#[embeddings]`) records as it ends: the response's id,
//! model, finish reasons and token usage, its cost under each platform's name (priced by the
//! model that answered, else the one asked for), its contribution to the agents above it, the
//! output messages when capturing, and its metrics once the call is over.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use super::fields::{record_json, string_array};
use super::rollup;
use crate::capture::{ask, catch};
use crate::cost::{self, Cost};
use crate::metrics;
use crate::model::{scrub_split_secrets, ModelResponse, Usage};
use crate::semconv as sc;
use crate::semconv::error_type::PANIC_MODEL_RESPONSE;
use crate::semconv::version::{semconv_version, Versioned};

/// Whether a response's usage is what the call cost (not for a stream dropped halfway).
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Priced {
    Yes,
    No,
}

/// The provider and requested model of a model call, when it started, and what it came to (for
/// its metrics, see `metrics.rs`, recorded when it is dropped with its call).
pub(super) struct ModelCall {
    operation: &'static str,
    provider: String,
    model: Option<String>,
    started: Instant,
    /// Kept only while metrics are recorded (see [`metrics::enabled`]).
    outcome: Option<Mutex<Outcome>>,
}

/// What a model call reported and how it ended, as far as known.
#[derive(Default)]
struct Outcome {
    response_model: Option<String>,
    usage: Usage,
    cost: Option<f64>,
    error_type: Option<String>,
}

impl ModelCall {
    /// A call doing `operation` with `provider`, asking for `model`, starting now.
    pub(super) fn new(operation: &'static str, provider: &str, model: Option<&str>) -> Self {
        Self {
            operation,
            provider: provider.to_owned(),
            model: model.map(str::to_owned),
            started: Instant::now(),
            outcome: metrics::enabled().then(Mutex::default),
        }
    }

    fn labels<'a>(&'a self, outcome: &'a Outcome) -> metrics::CallLabels<'a> {
        metrics::CallLabels {
            operation: self.operation,
            provider: &self.provider,
            request_model: self.model.as_deref(),
            response_model: outcome.response_model.as_deref(),
        }
    }

    fn outcome(&self) -> Option<MutexGuard<'_, Outcome>> {
        let outcome = self.outcome.as_ref()?;
        Some(outcome.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Notes the call's `error.type` for its metrics.
    pub(super) fn failed(&self, error_type: &str) {
        if let Some(mut outcome) = self.outcome() {
            outcome.error_type = Some(error_type.to_owned());
        }
    }

    /// Records the time from the call's start to its first chunk on `span`.
    pub(super) fn first_chunk(&self, span: &Span) {
        let after = self.started.elapsed();
        span.record(sc::GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK, after.as_secs_f64());
        if self.outcome.is_some() {
            metrics::record_first_chunk(&self.labels(&Outcome::default()), after);
        }
    }

    /// Records what `response` says on `span` (id, model, finish reasons, usage, cost when
    /// `priced`, and the output messages when `capture`), adds it to the agents above, and
    /// returns its usage.
    ///
    /// A method of the response that panics is caught (reported as the call's fault: see
    /// `capture/fault.rs`) and taken to say nothing: a panicking `usage` leaves the call unpriced
    /// and the agents' totals unknown, not short; a panicking `output_messages` leaves its marker.
    pub(super) fn response<T: ModelResponse + ?Sized>(
        &self,
        span: &Span,
        capture: bool,
        response: &T,
        priced: Priced,
    ) -> Usage {
        if let Some(id) = ask(PANIC_MODEL_RESPONSE, "ModelResponse::response_id", || {
            response.response_id()
        }) {
            span.record(sc::GEN_AI_RESPONSE_ID, id);
        }
        let response_model = ask(
            PANIC_MODEL_RESPONSE,
            "ModelResponse::response_model",
            || response.response_model(),
        );
        if let Some(model) = response_model {
            span.record(sc::GEN_AI_RESPONSE_MODEL, model);
        }
        let reasons = ask(
            PANIC_MODEL_RESPONSE,
            "ModelResponse::finish_reasons",
            || response.finish_reasons(),
        );
        if !reasons.is_empty() {
            span.set_attribute(sc::GEN_AI_RESPONSE_FINISH_REASONS, string_array(reasons));
        }
        let usage = ask(PANIC_MODEL_RESPONSE, "ModelResponse::usage", || {
            response.usage()
        });
        let cache_write = Versioned::CacheWriteInputTokens
            .name(semconv_version())
            .unwrap_or(sc::GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS);
        let counts = [
            (sc::GEN_AI_USAGE_INPUT_TOKENS, usage.input_tokens),
            (sc::GEN_AI_USAGE_OUTPUT_TOKENS, usage.output_tokens),
            (
                sc::GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
                usage.cache_read_input_tokens,
            ),
            (cache_write, usage.cache_creation_input_tokens),
            (
                sc::GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
                usage.reasoning_output_tokens,
            ),
        ];
        for (name, count) in counts {
            if let Some(n) = count {
                span.record(name, n);
            }
        }
        // Every response counts towards the agents above: one without counts or a price leaves
        // their totals unknown rather than short.
        let cost = match priced {
            Priced::Yes if !usage.is_empty() => self.record_cost(span, response_model, &usage),
            _ => None,
        };
        rollup::add(span, &usage, cost.map(|c| c.total));
        if let Some(mut outcome) = self.outcome() {
            outcome.response_model = response_model.map(str::to_owned);
            outcome.usage = usage;
            outcome.cost = cost.map(|c| c.total);
        }
        if capture {
            let what = "ModelResponse::output_messages";
            match catch(PANIC_MODEL_RESPONSE, what, || response.output_messages()) {
                Ok(mut messages) => {
                    scrub_split_secrets(messages.iter_mut().map(|m| &mut m.parts));
                    if !messages.is_empty() {
                        record_json(span, sc::GEN_AI_OUTPUT_MESSAGES, &messages);
                    }
                }
                Err(marker) => record_json(span, sc::GEN_AI_OUTPUT_MESSAGES, &marker),
            }
        }
        usage
    }

    /// The model a response names, else the one the call asked for.
    pub(super) fn model_name<'a>(&'a self, response_model: Option<&'a str>) -> &'a str {
        response_model
            .or(self.model.as_deref())
            .unwrap_or("an unnamed model")
    }

    /// A `tracing` warning about `model`, once per `key` in the process, recorded as an event
    /// of the call's `span` (so it shows in the trace too).
    #[cold]
    pub(super) fn warn_once(
        span: &Span,
        key: String,
        model: &str,
        message: std::fmt::Arguments<'_>,
    ) {
        if cost::first_warning(&key) {
            span.in_scope(|| {
                tracing::warn!(target: "genai_tracing::cost", model, "{message}");
            });
        }
    }

    /// Prices a call's usage (by the model that answered, else the one asked for) and records
    /// the cost under each platform's name; warns once per model that has no price.
    fn record_cost(
        &self,
        span: &Span,
        response_model: Option<&str>,
        usage: &Usage,
    ) -> Option<Cost> {
        let provider = Some(self.provider.as_str());
        let requested = self.model.as_deref();
        let model = response_model.or(requested)?;
        let cost = cost::cost_of(provider, model, usage).or_else(|| {
            let other = requested.filter(|r| *r != model)?;
            cost::cost_of(provider, other, usage)
        });
        let Some(cost) = cost else {
            Self::warn_once(
                span,
                model.to_owned(),
                model,
                format_args!(
                    "no price known for model {model:?}: its calls carry no cost; add one with \
                     genai_tracing::cost::set_price or a price file named by {}",
                    cost::PRICES_ENV
                ),
            );
            return None;
        };
        let (input, output, total) = (
            cost::recorded(cost.input),
            cost::recorded(cost.output),
            cost::recorded(cost.total),
        );
        span.record(sc::COST_USD, total);
        span.record(sc::LLM_COST_PROMPT, input);
        span.record(sc::LLM_COST_COMPLETION, output);
        span.record(sc::LLM_COST_TOTAL, total);
        let details = serde_json::json!({"input": input, "output": output, "total": total});
        span.record(sc::LANGFUSE_COST_DETAILS, details.to_string().as_str());
        Some(cost)
    }
}

/// The call is over (its state is dropped after it ended): its metrics are recorded.
impl Drop for ModelCall {
    fn drop(&mut self) {
        let Some(outcome) = self.outcome() else {
            return;
        };
        metrics::record_call(
            &self.labels(&outcome),
            self.started.elapsed(),
            &outcome.usage,
            outcome.cost,
            outcome.error_type.as_deref(),
        );
    }
}
