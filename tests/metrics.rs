//! The metrics of failed and streamed model calls, read back from an in-memory metric exporter
//! given to `Builder::with_metric_exporter`: a failure is timed with its `error.type`, a stream's
//! time to first chunk is recorded, and the labels name the operation, provider and models.
//! (`sampling.rs` checks the counts, tokens and cost of 10,000 calls over OTLP.)

use futures_util::stream::{self, Stream, StreamExt};
use genai_tracing::{llm_call, Builder};
use opentelemetry::{KeyValue, Value as OtelValue};
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData};
use opentelemetry_sdk::metrics::InMemoryMetricExporter;
use serde_json::{json, Value};

#[derive(Debug, thiserror::Error)]
#[error("rate limited")]
struct RateLimited;

#[llm_call(provider = "openai", model = "gpt-4o-mini")]
fn refused() -> Result<Value, RateLimited> {
    Err(RateLimited)
}

#[llm_call(provider = "openai", model = "gpt-4o-mini", skip(chunks))]
fn streamed(
    chunks: Vec<Result<Value, RateLimited>>,
) -> impl Stream<Item = Result<Value, RateLimited>> {
    stream::iter(chunks)
}

/// The data points of histogram `name`: (attributes, count).
fn histogram(exporter: &InMemoryMetricExporter, name: &str) -> Vec<(Vec<KeyValue>, u64)> {
    let mut points = Vec::new();
    for resource in exporter.get_finished_metrics().unwrap() {
        for scope in resource.scope_metrics() {
            for metric in scope.metrics().filter(|m| m.name() == name) {
                if let AggregatedMetrics::F64(MetricData::Histogram(h)) = metric.data() {
                    points.extend(
                        h.data_points()
                            .map(|p| (p.attributes().cloned().collect(), p.count())),
                    );
                }
            }
        }
    }
    points
}

fn attr<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a OtelValue> {
    attributes
        .iter()
        .find(|kv| kv.key.as_str() == key)
        .map(|kv| &kv.value)
}

#[test]
fn a_failed_call_is_timed_with_its_error_type_and_a_stream_records_its_first_chunk() {
    let exporter = InMemoryMetricExporter::default();
    let guard = Builder::from_env()
        .unwrap()
        .with_metric_exporter(exporter.clone())
        .install()
        .expect("install");

    assert!(refused().is_err());
    let chunks = vec![
        Ok(json!({"id": "c1", "model": "gpt-4o-mini-2024-07-18",
            "choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": "stop"}]})),
        Ok(
            json!({"id": "c1", "model": "gpt-4o-mini-2024-07-18", "choices": [],
            "usage": {"prompt_tokens": 5, "completion_tokens": 1}}),
        ),
    ];
    let received: Vec<_> = block_on(streamed(chunks).collect::<Vec<_>>());
    assert_eq!(received.len(), 2);
    guard.flush().expect("flush");

    let durations = histogram(&exporter, "gen_ai.client.operation.duration");
    let failed: Vec<_> = durations
        .iter()
        .filter(|(a, _)| attr(a, "error.type").is_some())
        .collect();
    assert_eq!(failed.len(), 1, "{durations:?}");
    let (labels, count) = failed[0];
    assert_eq!(*count, 1);
    assert_eq!(
        attr(labels, "error.type").map(|v| v.as_str().into_owned()),
        Some("metrics::RateLimited".to_owned()),
        "the same error.type as on the span"
    );
    assert_eq!(
        attr(labels, "gen_ai.operation.name").map(|v| v.as_str().into_owned()),
        Some("chat".to_owned())
    );
    assert_eq!(attr(labels, "gen_ai.response.model"), None, "no response");

    let first = histogram(&exporter, "gen_ai.client.operation.time_to_first_chunk");
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(first[0].1, 1);
    assert_eq!(
        attr(&first[0].0, "gen_ai.provider.name").map(|v| v.as_str().into_owned()),
        Some("openai".to_owned())
    );
    let streamed_duration = durations
        .iter()
        .find(|(a, _)| attr(a, "gen_ai.response.model").is_some())
        .expect("the stream's duration, labelled with the model that answered");
    assert_eq!(
        attr(&streamed_duration.0, "gen_ai.response.model").map(|v| v.as_str().into_owned()),
        Some("gpt-4o-mini-2024-07-18".to_owned())
    );
    drop(guard);
}

/// Drives a future to its end on this thread.
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(future)
}
