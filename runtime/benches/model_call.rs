//! What a model call's instrumentation costs, side by side in one run.
//!
//! - `whole/*`: an `#[llm_call]` returning an OpenAI response (usage recorded, cost computed from
//!   the bundled prices), the same span written by hand with `tracing` (no cost), and the bare
//!   function; plus `cost_of` alone.
//! - `stream/*`: a 20-chunk OpenAI stream consumed to its end: bare, inside a hand-written span
//!   (usage recorded from the last chunk by hand), and as a streaming `#[llm_call]` (every chunk
//!   read, time to first chunk, usage, cost).
//!
//! Under `tracing-opentelemetry`'s layer over an SDK tracer provider (spans built and ended, not
//! exported), and with no subscriber. Content capture is off, as by default.
//!
//! Run: `cargo bench -p genai-tracing --bench model_call`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use futures_util::stream::{self, Stream, StreamExt};
use genai_tracing::{cost, llm_call, Usage};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use serde_json::{json, Value};
use tracing::field::Empty;
use tracing_subscriber::layer::SubscriberExt as _;

fn response() -> Value {
    json!({"id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-4o-mini-2024-07-18",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "17 * 23 = 391."}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 187, "completion_tokens": 9, "prompt_tokens_details": {"cached_tokens": 128}}})
}

fn chunks() -> Vec<Result<Value, String>> {
    let chunk = |delta: Value, finish: Value| {
        Ok(
            json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": "gpt-4o-mini-2024-07-18",
                  "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}),
        )
    };
    let mut all: Vec<_> = (0..18)
        .map(|i| chunk(json!({"content": format!("token{i} ")}), Value::Null))
        .collect();
    all.push(chunk(json!({}), json!("stop")));
    all.push(Ok(json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": "gpt-4o-mini-2024-07-18",
        "choices": [], "usage": {"prompt_tokens": 187, "completion_tokens": 19}})));
    all
}

#[inline(never)]
fn bare(response: &Value) -> Value {
    response.clone()
}

#[llm_call(provider = "openai", model = "gpt-4o-mini", skip_all)]
#[inline(never)]
fn instrumented(response: &Value) -> Value {
    response.clone()
}

#[inline(never)]
fn hand_written(response: &Value) -> Value {
    let span = tracing::info_span!(
        "chat gpt-4o-mini",
        otel.kind = "client",
        otel.status_code = Empty,
        gen_ai.operation.name = "chat",
        openinference.span.kind = "LLM",
        gen_ai.provider.name = "openai",
        gen_ai.request.model = "gpt-4o-mini",
        gen_ai.response.model = Empty,
        gen_ai.usage.input_tokens = Empty,
        gen_ai.usage.output_tokens = Empty,
    );
    let value = span.in_scope(|| response.clone());
    span.record("gen_ai.response.model", value["model"].as_str());
    span.record(
        "gen_ai.usage.input_tokens",
        value["usage"]["prompt_tokens"].as_i64(),
    );
    span.record(
        "gen_ai.usage.output_tokens",
        value["usage"]["completion_tokens"].as_i64(),
    );
    value
}

fn bare_stream(chunks: Vec<Result<Value, String>>) -> impl Stream<Item = Result<Value, String>> {
    stream::iter(chunks)
}

#[llm_call(provider = "openai", model = "gpt-4o-mini", skip_all)]
fn instrumented_stream(
    chunks: Vec<Result<Value, String>>,
) -> impl Stream<Item = Result<Value, String>> {
    stream::iter(chunks)
}

async fn hand_written_stream(chunks: Vec<Result<Value, String>>) -> usize {
    let span = tracing::info_span!(
        "chat gpt-4o-mini",
        otel.kind = "client",
        gen_ai.operation.name = "chat",
        gen_ai.provider.name = "openai",
        gen_ai.request.model = "gpt-4o-mini",
        gen_ai.request.stream = true,
        gen_ai.usage.input_tokens = Empty,
        gen_ai.usage.output_tokens = Empty,
    );
    let mut s = std::pin::pin!(stream::iter(chunks));
    let mut n = 0;
    loop {
        let next = {
            let _entered = span.enter();
            futures_util::FutureExt::now_or_never(s.next()).flatten()
        };
        let Some(item) = next else { break };
        if let Ok(chunk) = &item {
            if let Some(usage) = chunk.get("usage") {
                span.record("gen_ai.usage.input_tokens", usage["prompt_tokens"].as_i64());
                span.record(
                    "gen_ai.usage.output_tokens",
                    usage["completion_tokens"].as_i64(),
                );
            }
        }
        n += 1;
    }
    n
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    futures_util::FutureExt::now_or_never(f).expect("ready")
}

fn compare(c: &mut Criterion, name: &str) {
    let mut whole = c.benchmark_group(format!("{name}/whole"));
    let r = response();
    whole.bench_function("bare", |b| b.iter(|| bare(black_box(&r))));
    whole.bench_function("hand_written_span", |b| {
        b.iter(|| hand_written(black_box(&r)))
    });
    whole.bench_function("llm_call_macro", |b| b.iter(|| instrumented(black_box(&r))));
    let usage = Usage {
        input_tokens: Some(187),
        cache_read_input_tokens: Some(128),
        output_tokens: Some(9),
        ..Usage::default()
    };
    whole.bench_function("cost_of", |b| {
        b.iter(|| cost::cost_of(Some("openai"), black_box("gpt-4o-mini-2024-07-18"), &usage))
    });
    whole.finish();

    let mut streamed = c.benchmark_group(format!("{name}/stream"));
    streamed.bench_function("bare", |b| {
        b.iter_batched(
            chunks,
            |c| block_on(bare_stream(c).count()),
            criterion::BatchSize::SmallInput,
        )
    });
    streamed.bench_function("hand_written_span", |b| {
        b.iter_batched(
            chunks,
            |c| block_on(hand_written_stream(c)),
            criterion::BatchSize::SmallInput,
        )
    });
    streamed.bench_function("llm_call_macro", |b| {
        b.iter_batched(
            chunks,
            |c| block_on(instrumented_stream(c).count()),
            criterion::BatchSize::SmallInput,
        )
    });
    streamed.finish();
}

fn no_subscriber(c: &mut Criterion) {
    compare(c, "no_subscriber");
}

fn otel_layer(c: &mut Criterion) {
    cost::preload();
    let provider = SdkTracerProvider::builder().build();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("bench")));
    tracing::subscriber::with_default(subscriber, || compare(c, "otel_layer"));
}

criterion_group!(benches, no_subscriber, otel_layer);
criterion_main!(benches);
