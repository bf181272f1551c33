//! What online scoring costs the agent, side by side in one run: a `#[tool]` call that is a whole
//! trace (its own root), under the export pipeline (tail sampling that keeps everything, an
//! exporter that drops each batch) without scorers, with one rule scorer, and with a scorer far
//! slower than the caller (1 ms per trace: the scoring queue fills, traces are decided
//! unscored); next to the bare function. Scorers run on the pipeline's own thread, so the
//! caller's figures should barely move.
//!
//! Run: `cargo bench -p genai-tracing --bench scoring`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use genai_tracing::eval::{rule, Trace};
use genai_tracing::export::TailSampling;
use genai_tracing::Builder;

#[path = "support/calls.rs"]
mod calls;
#[path = "support/null.rs"]
mod null;
use calls::{bare, instrumented};
use null::Null;

fn pipeline(scorers: usize, slow: bool) -> (tracing::Dispatch, genai_tracing::TracingGuard) {
    for var in [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "GENAI_TRACING_BACKEND",
        "GENAI_TRACING_CONSOLE",
        "GENAI_TRACING_FILE",
    ] {
        std::env::remove_var(var);
    }
    let mut builder = Builder::from_env()
        .expect("environment")
        .with_exporter("null", Null)
        .tail_sampling(TailSampling::keep_all())
        .shutdown_timeout(Duration::from_millis(100));
    for i in 0..scorers {
        builder = builder.score(rule(format!("rule{i}"), move |t: &Trace| {
            if slow {
                std::thread::sleep(Duration::from_millis(1));
            }
            t.errors().next().is_none()
        }));
    }
    builder.build().expect("pipeline")
}

fn compare(c: &mut Criterion) {
    let mut group = c.benchmark_group("scoring");
    group.bench_function("bare", |b| b.iter(|| bare(black_box(3), black_box(4))));
    for (name, scorers, slow) in [
        ("tool, no scorer", 0, false),
        ("tool, one rule", 1, false),
        ("tool, a 1 ms scorer", 1, true),
    ] {
        let (dispatch, guard) = pipeline(scorers, slow);
        tracing::dispatcher::with_default(&dispatch, || {
            group.bench_function(name, |b| {
                b.iter(|| instrumented(black_box(3), black_box(4)))
            });
        });
        let stats = guard.shutdown();
        println!(
            "  {name}: {} traces kept, {} scored, {} unscored, {} spans lost",
            stats.traces_kept,
            stats.traces_scored,
            stats.traces_unscored,
            stats.lost()
        );
    }
    group.finish();
}

criterion_group!(benches, compare);
criterion_main!(benches);
