//! Metrics for every model call, sampled or not: the GenAI conventions' client histograms and a
//! cost counter, recorded as each `#[llm_call]` / `#[embeddings]` call ends.
//!
//! | instrument | unit | attributes |
//! |---|---|---|
//! | `gen_ai.client.token.usage` (histogram) | `{token}` | `gen_ai.token.type` (`input`/`output`) and the common set |
//! | `gen_ai.client.operation.duration` (histogram) | `s` | the common set, `error.type` on failure |
//! | `gen_ai.client.operation.time_to_first_chunk` (histogram, streams) | `s` | the common set |
//! | `genai_tracing.client.cost` (counter, this crate's name) | `USD` | the common set |
//!
//! The common set is `gen_ai.operation.name`, `gen_ai.provider.name`, `gen_ai.request.model` and
//! `gen_ai.response.model` (each when known). Histograms use the conventions' explicit bucket
//! boundaries ([`DURATION_BUCKETS`](crate::semconv::DURATION_BUCKETS),
//! [`TOKEN_BUCKETS`](crate::semconv::TOKEN_BUCKETS)).
//!
//! [`Builder::install`](crate::Builder::install) sets this up, exporting over OTLP next to the
//! traces; with a meter provider of your own, call [`use_meter`]. Until either, nothing is
//! recorded.

use std::sync::OnceLock;
use std::time::Duration;

use opentelemetry::metrics::{Counter, Histogram, Meter};
use opentelemetry::KeyValue;

use crate::model::Usage;
use crate::semconv as sc;

struct Instruments {
    token_usage: Histogram<u64>,
    duration: Histogram<f64>,
    time_to_first_chunk: Histogram<f64>,
    cost: Counter<f64>,
}

static INSTRUMENTS: OnceLock<Instruments> = OnceLock::new();

/// Records the metrics with `meter`'s instruments from now on; returns `false` (and changes
/// nothing) if a meter was already chosen, by an earlier call or by
/// [`Builder::install`](crate::Builder::install).
///
/// ```
/// use opentelemetry::metrics::MeterProvider as _;
/// let provider = opentelemetry_sdk::metrics::SdkMeterProvider::builder().build();
/// genai_tracing::metrics::use_meter(&provider.meter("genai-tracing"));
/// ```
pub fn use_meter(meter: &Meter) -> bool {
    let mut chosen = false;
    INSTRUMENTS.get_or_init(|| {
        chosen = true;
        Instruments {
            token_usage: meter
                .u64_histogram(sc::GEN_AI_CLIENT_TOKEN_USAGE)
                .with_unit("{token}")
                .with_description("Number of input and output tokens used")
                .with_boundaries(sc::TOKEN_BUCKETS.to_vec())
                .build(),
            duration: meter
                .f64_histogram(sc::GEN_AI_CLIENT_OPERATION_DURATION)
                .with_unit("s")
                .with_description("GenAI operation duration")
                .with_boundaries(sc::DURATION_BUCKETS.to_vec())
                .build(),
            time_to_first_chunk: meter
                .f64_histogram(sc::GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK)
                .with_unit("s")
                .with_description("Time to the first chunk of a streamed response")
                .with_boundaries(sc::DURATION_BUCKETS.to_vec())
                .build(),
            cost: meter
                .f64_counter(sc::CLIENT_COST)
                .with_unit("USD")
                .with_description("What model calls cost, in US dollars")
                .build(),
        }
    });
    chosen
}

/// Whether metrics are recorded: a call started before then keeps nothing for them.
pub(crate) fn enabled() -> bool {
    INSTRUMENTS.get().is_some()
}

/// What a model call's metrics are recorded under.
pub(crate) struct CallLabels<'a> {
    pub(crate) operation: &'static str,
    pub(crate) provider: &'a str,
    pub(crate) request_model: Option<&'a str>,
    pub(crate) response_model: Option<&'a str>,
}

impl CallLabels<'_> {
    fn attributes(&self) -> Vec<KeyValue> {
        let mut kv = Vec::with_capacity(6);
        kv.push(KeyValue::new(sc::GEN_AI_OPERATION_NAME, self.operation));
        kv.push(KeyValue::new(
            sc::GEN_AI_PROVIDER_NAME,
            self.provider.to_owned(),
        ));
        if let Some(m) = self.request_model {
            kv.push(KeyValue::new(sc::GEN_AI_REQUEST_MODEL, m.to_owned()));
        }
        if let Some(m) = self.response_model {
            kv.push(KeyValue::new(sc::GEN_AI_RESPONSE_MODEL, m.to_owned()));
        }
        kv
    }
}

/// Records a model call that ended after `took`, with the usage and cost it reported and its
/// `error.type` if it failed.
pub(crate) fn record_call(
    labels: &CallLabels<'_>,
    took: Duration,
    usage: &Usage,
    cost: Option<f64>,
    error_type: Option<&str>,
) {
    let Some(i) = INSTRUMENTS.get() else {
        return;
    };
    let mut kv = labels.attributes();
    let common = kv.len();
    if let Some(cost) = cost {
        i.cost.add(cost, &kv);
    }
    for (kind, count) in [
        ("input", usage.input_tokens),
        ("output", usage.output_tokens),
    ] {
        if let Some(n) = count.and_then(|n| u64::try_from(n).ok()) {
            kv.push(KeyValue::new(sc::GEN_AI_TOKEN_TYPE, kind));
            i.token_usage.record(n, &kv);
            kv.truncate(common);
        }
    }
    if let Some(e) = error_type {
        kv.push(KeyValue::new(sc::ERROR_TYPE, e.to_owned()));
    }
    i.duration.record(took.as_secs_f64(), &kv);
}

/// Records a streaming call's time to its first chunk.
pub(crate) fn record_first_chunk(labels: &CallLabels<'_>, after: Duration) {
    if let Some(i) = INSTRUMENTS.get() {
        i.time_to_first_chunk
            .record(after.as_secs_f64(), &labels.attributes());
    }
}
