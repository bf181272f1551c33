//! Sampling at scale, through the installed pipeline: 10,000 agent runs, one in ten failing, tail
//! sampled at 10%. Every failing trace is kept, whole; the kept share of the others is within
//! statistical bounds; a trace marked with `keep_trace` is kept; and the metrics count every one
//! of the 10,000 model calls and their tokens and cost, sampled or not, read back over OTLP.

use std::collections::HashMap;
use std::time::Duration;

use genai_tracing::export::{keep_trace, TailSampling};
use genai_tracing::{agent, llm_call, Builder};
use genai_tracing_tests::otlp_receiver::OtlpReceiver;
use opentelemetry::trace::{Status, TraceId};
use opentelemetry_proto::tonic::metrics::v1::metric::Data;
use opentelemetry_sdk::trace::InMemorySpanExporter;
use serde_json::{json, Value};

const RUNS: u64 = 10_000;
const RATIO: f64 = 0.1;

#[llm_call(provider = "openai", model = "gpt-4o-mini")]
fn plan(step: u64) -> Value {
    json!({"id": format!("r{step}"), "model": "gpt-4o-mini",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}})
}

#[derive(Debug, thiserror::Error)]
#[error("the check failed")]
struct CheckFailed;

/// A run: one model call, then a check that fails for one run in ten; run 7 is marked.
#[agent(name = "worker")]
fn run(step: u64) -> Result<u64, CheckFailed> {
    plan(step);
    if step == 7 {
        keep_trace();
    }
    if step % 10 == 3 {
        return Err(CheckFailed);
    }
    Ok(step)
}

#[test]
fn every_error_trace_is_kept_the_rest_at_the_ratio_and_metrics_count_every_call() {
    let receiver = OtlpReceiver::start();
    let spans = InMemorySpanExporter::default();
    let guard = Builder::from_env()
        .unwrap()
        .endpoint(&receiver.endpoint)
        .with_exporter("memory", spans.clone())
        .tail_sampling(TailSampling::keep_errors_and(RATIO))
        .export_queue(50_000, 2_000, Duration::from_millis(100))
        .install()
        .expect("install");
    for step in 0..RUNS {
        let _ = run(step);
    }
    guard.flush().expect("flush");

    let finished = spans.get_finished_spans().unwrap();
    let mut traces: HashMap<TraceId, Vec<_>> = HashMap::new();
    for span in &finished {
        traces
            .entry(span.span_context.trace_id())
            .or_default()
            .push(span);
    }
    let failed: Vec<_> = traces
        .values()
        .filter(|t| t.iter().any(|s| matches!(s.status, Status::Error { .. })))
        .collect();
    assert_eq!(failed.len(), 1_000, "every failing run is kept");
    assert!(traces.values().all(|t| t.len() == 2), "each trace whole");
    let marked = traces.values().any(|t| {
        t.iter().any(|s| {
            s.attributes
                .iter()
                .any(|kv| kv.key.as_str() == "genai_tracing.sampling.keep")
        })
    });
    assert!(marked, "the marked run is kept");
    // The others: 9,000 draws at 10%, standard deviation sqrt(9000 * 0.1 * 0.9) = 28.5; six of
    // them either side (a false alarm once in 500 million runs).
    let others = (traces.len() - failed.len()) as f64;
    assert!(
        (900.0 - 171.0..=900.0 + 171.0).contains(&others),
        "kept {others} of 9,000 at 10%"
    );
    let stats = guard.stats();
    assert_eq!(stats.traces_kept as usize, traces.len());
    assert_eq!(stats.traces_kept + stats.traces_sampled_out, RUNS);
    assert_eq!(stats.spans_sampled_out, 2 * stats.traces_sampled_out);
    assert_eq!(stats.traces_decided_early, 0);

    // Metrics: all 10,000 calls, over OTLP.
    drop(guard);
    let metrics = receiver.metrics();
    let mut found = HashMap::new();
    for metric in metrics
        .iter()
        .flat_map(|m| &m.resource_metrics)
        .flat_map(|rm| &rm.scope_metrics)
        .flat_map(|sm| &sm.metrics)
    {
        match &metric.data {
            Some(Data::Histogram(h)) => {
                for point in &h.data_points {
                    let token_type = point
                        .attributes
                        .iter()
                        .find(|kv| kv.key == "gen_ai.token.type")
                        .map(|kv| format!("{:?}", kv.value));
                    let key = format!("{} {}", metric.name, token_type.unwrap_or_default());
                    let entry = found.entry(key).or_insert((0u64, 0.0f64, Vec::new()));
                    entry.0 = entry.0.max(point.count);
                    entry.1 = entry.1.max(point.sum.unwrap_or(0.0));
                    entry.2.clone_from(&point.explicit_bounds);
                }
                assert_eq!(
                    metric.unit,
                    if metric.name.ends_with("usage") {
                        "{token}"
                    } else {
                        "s"
                    }
                );
            }
            Some(Data::Sum(sum)) => {
                let total: f64 = sum
                    .data_points
                    .iter()
                    .map(|p| match p.value {
                        Some(opentelemetry_proto::tonic::metrics::v1::number_data_point::Value::AsDouble(v)) => v,
                        _ => 0.0,
                    })
                    .sum();
                found.insert(metric.name.clone(), (0, total, Vec::new()));
            }
            _ => {}
        }
    }
    let duration = &found["gen_ai.client.operation.duration "];
    assert_eq!(duration.0, RUNS, "every call timed: {found:?}");
    assert_eq!(
        duration.2,
        genai_tracing::semconv::DURATION_BUCKETS.to_vec()
    );
    let input = found
        .iter()
        .find(|(k, _)| k.starts_with("gen_ai.client.token.usage") && k.contains("input"))
        .expect("input tokens")
        .1;
    assert_eq!((input.0, input.1), (RUNS, 100.0 * RUNS as f64));
    assert_eq!(input.2, genai_tracing::semconv::TOKEN_BUCKETS.to_vec());
    // gpt-4o-mini: $0.15 / M input, $0.60 / M output.
    let cost = found["genai_tracing.client.cost"].1;
    let expected = RUNS as f64 * (100.0 * 0.15 + 20.0 * 0.6) / 1e6;
    assert!((cost - expected).abs() < 1e-9, "{cost} != {expected}");
}
