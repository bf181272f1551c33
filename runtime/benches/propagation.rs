//! What a handoff costs: `inject` of the current span's context (and the trace attributes as
//! baggage) into an `http::HeaderMap`, `extract` from one, and an `#[agent(parent = ..)]` call
//! against a plain `#[agent]` call, under `tracing-opentelemetry`'s layer over an SDK tracer
//! provider (spans built and ended, not exported).
//!
//! Run: `cargo bench -p genai-tracing --bench propagation`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use genai_tracing::propagation::{extract, inject, RemoteContext};
use genai_tracing::{agent, TraceAttributes};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::layer::SubscriberExt as _;

#[agent(name = "local")]
#[inline(never)]
fn local(n: i64) -> i64 {
    n + 1
}

#[agent(name = "remote-child", parent = remote)]
#[inline(never)]
fn remote_child(remote: &RemoteContext, n: i64) -> i64 {
    n + 1
}

fn propagation(c: &mut Criterion) {
    let provider = SdkTracerProvider::builder().build();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("bench")));
    tracing::subscriber::with_default(subscriber, || {
        let mut group = c.benchmark_group("propagation");
        let attributes = TraceAttributes::new().session("chat-42").user("ann");
        let span = tracing::info_span!("caller");
        let _entered = span.enter();
        attributes.clone().in_scope(|| {
            group.bench_function("inject", |b| {
                b.iter(|| {
                    let mut headers = http::HeaderMap::new();
                    inject(&mut headers);
                    black_box(headers)
                })
            });
        });
        let mut headers = http::HeaderMap::new();
        attributes.in_scope(|| inject(&mut headers));
        group.bench_function("extract", |b| {
            b.iter(|| black_box(extract(black_box(&headers))))
        });
        drop(_entered);
        let remote = extract(&headers);
        group.bench_function("agent", |b| b.iter(|| local(black_box(1))));
        group.bench_function("agent_with_remote_parent", |b| {
            b.iter(|| remote_child(&remote, black_box(1)))
        });
        group.finish();
    });
}

criterion_group!(benches, propagation);
criterion_main!(benches);
