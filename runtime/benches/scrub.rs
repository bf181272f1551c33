//! What scrubbing secrets costs, side by side in one run.
//!
//! - `per_kib/*`: capturing ordinary agent text (prose, JSON, code, URLs, a stack trace; no
//!   secret, the common case) of 1, 16 and 64 KiB with `capture::to_json`, with the built-in
//!   scrubbing on and off (`set_secret_scrubbing`); the throughput is per byte of text.
//! - `with_secrets/*`: the same 16 KiB with a credential every ~800 bytes.
//! - `span_name/*`: a span's name, as the export thread scrubs every span's.
//! - `tool_call/*`: a recorded `#[tool]` call capturing a 300-byte argument and its result, under
//!   `tracing-opentelemetry`'s layer over an SDK tracer provider (spans built and ended, not
//!   exported), scrubbing on and off.
//!
//! Run: `cargo bench -p genai-tracing --bench scrub`.

use std::hint::black_box;

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use genai_tracing::capture::{set_content_capture, set_secret_scrubbing, CapturePolicy};
use genai_tracing::tool;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::layer::SubscriberExt as _;

/// About 1 KiB of what agents capture: no credential in it.
const PARAGRAPH: &str = r#"The user asked for the weather in Paris and the tokenizer split the prompt into 187 tokens; the model answered with a tool call. {"id": "call_8f2b", "name": "get_weather", "arguments": {"city": "Paris", "units": "metric", "max_tokens": 512}} Result: 18°C, light rain, see https://api.example.com/v1/weather?city=Paris&units=metric for the source. Commit 3f2a9c1e7b4d6f8a0c2e4b6d8f0a1c3e5b7d9f1a passed CI; cache_key = "user:42:profile" and the request id 0b9e4a6c-1d2f-4e8a-9c3b-5d7f1e2a4c6b were logged. fn plan(max_tokens: u32) -> Result<Plan> { let prompt = format!("Plan {} steps", max_tokens / 64); Ok(Plan::new(prompt)) } Reset your password from the settings page if the sign-in fails. Traceback (most recent call last): File "agent.py", line 42, in run: raise ToolError("calculator failed on 17 * 23"). Documents retrieved: 3 of 10 (scores 0.91, 0.87, 0.55). "#;

/// `s` cut to at most `bytes`, at a character boundary.
fn cut(s: &str, bytes: usize) -> &str {
    let mut at = bytes.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    &s[..at]
}

fn text(bytes: usize) -> String {
    cut(&PARAGRAPH.repeat(bytes / PARAGRAPH.len() + 1), bytes).to_owned()
}

fn with_secrets(bytes: usize) -> String {
    let secrets = [
        " export OPENAI_API_KEY=sk-proj-4fJx9QmZr2TbW8yVn1KcLd7H ",
        " Authorization: Bearer 8f14e45fceea167a5a36dedd4bea2543 ",
        " postgres://app:p4ss/w0rd@db.internal:5432/prod ",
        " ghp_16C7e42F292c6912E7710c838347Ae178B4a ",
    ];
    let mut out = String::new();
    let mut i = 0;
    while out.len() < bytes {
        out.push_str(cut(PARAGRAPH, 800));
        out.push_str(secrets[i % secrets.len()]);
        i += 1;
    }
    out
}

/// `text` captured with scrubbing on and off, side by side, in `group` (`suffix` names the text).
fn side_by_side(group: &mut BenchmarkGroup<'_, WallTime>, suffix: &str, text: &str) {
    for (label, on) in [("scrubbed", true), ("not_scrubbed", false)] {
        group.bench_function(format!("{label}{suffix}"), |b| {
            set_secret_scrubbing(on);
            b.iter(|| genai_tracing::capture::to_json(black_box(text)))
        });
    }
}

fn per_kib(c: &mut Criterion) {
    let mut group = c.benchmark_group("per_kib");
    for kib in [1, 16, 64] {
        let text = text(kib * 1024);
        group.throughput(Throughput::Bytes(text.len() as u64));
        side_by_side(&mut group, &format!("/{kib}KiB"), &text);
    }
    group.finish();
    let mut group = c.benchmark_group("with_secrets");
    let text = with_secrets(16 * 1024);
    group.throughput(Throughput::Bytes(text.len() as u64));
    side_by_side(&mut group, "/16KiB", &text);
    group.finish();
    // What the export thread spends on a span's name.
    let mut group = c.benchmark_group("span_name");
    side_by_side(&mut group, "", "chat gpt-4o-mini-2024-07-18");
    group.finish();
    set_secret_scrubbing(true);
}

/// Looks up a city's forecast.
#[tool(capture = true)]
#[inline(never)]
fn forecast(query: &str) -> String {
    format!("{} → 18°C, light rain", cut(query, 40))
}

fn tool_call(c: &mut Criterion) {
    set_content_capture(CapturePolicy::Content);
    let query = cut(PARAGRAPH, 300);
    let provider = SdkTracerProvider::builder().build();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("bench")));
    tracing::subscriber::with_default(subscriber, || {
        let mut group = c.benchmark_group("tool_call");
        for (label, on) in [("scrubbed", true), ("not_scrubbed", false)] {
            group.bench_function(label, |b| {
                set_secret_scrubbing(on);
                b.iter(|| forecast(black_box(query)))
            });
        }
        group.finish();
    });
    set_secret_scrubbing(true);
}

criterion_group!(benches, per_kib, tool_call);
criterion_main!(benches);
