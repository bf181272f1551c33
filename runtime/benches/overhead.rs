//! What `#[tool]` costs, side by side in one run: the instrumented function, the same span written
//! by hand with `tracing` (same name, kind and attributes, entered around the body), and the bare
//! function. Measured twice: with no subscriber installed (instrumentation off), and under
//! `tracing-opentelemetry`'s layer over an SDK tracer provider (spans built and ended, not exported,
//! so the figures are the instrumentation's own cost).
//!
//! Run: `cargo bench -p genai-tracing --bench overhead`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::field::Empty;
use tracing_subscriber::layer::SubscriberExt as _;

#[path = "support/calls.rs"]
mod calls;
use calls::{bare, instrumented};

#[inline(never)]
fn hand_written(a: i64, b: i64) -> i64 {
    let span = tracing::info_span!(
        "execute_tool instrumented",
        otel.kind = "internal",
        otel.status_code = Empty,
        otel.status_description = Empty,
        error.type = Empty,
        gen_ai.operation.name = "execute_tool",
        openinference.span.kind = "TOOL",
        gen_ai.tool.name = "instrumented",
        gen_ai.tool.description = "Combines two numbers.",
        gen_ai.tool.type = "function",
        gen_ai.tool.call.id = Empty,
        gen_ai.tool.call.arguments = Empty,
        gen_ai.tool.call.result = Empty,
        session.id = Empty,
        user.id = Empty,
        gen_ai.conversation.id = Empty,
        metadata = Empty,
        genai_tracing.retry.attempts = Empty,
        genai_tracing.replay.key = Empty,
        genai_tracing.replay.output = Empty,
        genai_tracing.replay.skipped = Empty,
        genai_tracing.replay.replayed = Empty,
    );
    let _entered = span.enter();
    a.wrapping_mul(31).wrapping_add(b)
}

fn compare(c: &mut Criterion, group_name: &str) {
    let mut group = c.benchmark_group(group_name);
    group.bench_function("bare", |b| b.iter(|| bare(black_box(3), black_box(4))));
    group.bench_function("hand_written_span", |b| {
        b.iter(|| hand_written(black_box(3), black_box(4)))
    });
    group.bench_function("tool_macro", |b| {
        b.iter(|| instrumented(black_box(3), black_box(4)))
    });
    group.finish();
}

fn no_subscriber(c: &mut Criterion) {
    compare(c, "no_subscriber");
}

fn otel_layer(c: &mut Criterion) {
    let provider = SdkTracerProvider::builder().build();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("bench")));
    tracing::subscriber::with_default(subscriber, || compare(c, "otel_layer"));
}

// `no_subscriber` first: once a scoped subscriber has existed, callsites stop being cached as
// "never enabled".
criterion_group!(benches, no_subscriber, otel_layer);
criterion_main!(benches);
