//! `retry = N`: one span for all attempts, every failed attempt an `exception` event, the attempts
//! made in `genai_tracing.retry.attempts` — so flaky and broken calls are told apart.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use genai_tracing::{llm_call, tool};
use genai_tracing_tests::{record, record_async, record_unwind, SpanDataExt};
use opentelemetry_sdk::trace::SpanData;
use serde_json::{json, Value};

#[derive(Debug)]
struct Flaky(u32);
impl std::fmt::Display for Flaky {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "attempt {} failed with key sk-abcdefghijklmnopqrstuv",
            self.0
        )
    }
}
impl genai_tracing::ErrorType for Flaky {
    fn error_type(&self) -> &str {
        "unavailable"
    }
}

struct Service {
    calls: AtomicU32,
    fail_first: u32,
}

impl Service {
    fn new(fail_first: u32) -> Self {
        Self {
            calls: AtomicU32::new(0),
            fail_first,
        }
    }

    #[tool(retry = 3, capture = true)]
    fn fetch(&self, key: &str) -> Result<String, Flaky> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        if n <= self.fail_first {
            return Err(Flaky(n));
        }
        Ok(format!("{key}@{n}"))
    }

    #[llm_call(provider = "openai", model = "gpt-4o", retry = 2, backoff = Duration::from_millis(15))]
    async fn complete(&self, prompt: &str) -> Result<Value, Flaky> {
        let _ = prompt;
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        tokio::task::yield_now().await;
        if n <= self.fail_first {
            return Err(Flaky(n));
        }
        Ok(json!({"choices": [], "usage": {"prompt_tokens": 4, "completion_tokens": 1}}))
    }

    #[tool(retry = 3, backoff = Duration::from_millis(15))]
    fn patient(&self) -> Result<u32, Flaky> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        if n <= self.fail_first {
            return Err(Flaky(n));
        }
        Ok(n)
    }

    #[tool(retry = 5)]
    fn explode(&self) -> Result<u8, Flaky> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        panic!("not retried")
    }
}

fn failed_attempts(span: &SpanData) -> Vec<(i64, String, String)> {
    span.events
        .iter()
        .filter(|e| e.name == "exception")
        .map(|e| {
            let get = |k: &str| {
                e.attributes
                    .iter()
                    .find(|kv| kv.key.as_str() == k)
                    .map(|kv| kv.value.clone())
            };
            let attempt = match get("genai_tracing.retry.attempt") {
                Some(opentelemetry::Value::I64(n)) => n,
                other => panic!("attempt: {other:?}"),
            };
            let ty = get("exception.type")
                .map(|v| v.as_str().into_owned())
                .unwrap_or_default();
            let msg = get("exception.message")
                .map(|v| v.as_str().into_owned())
                .unwrap_or_default();
            (attempt, ty, msg)
        })
        .collect()
}

#[test]
fn a_flaky_call_succeeds_in_one_span_that_shows_the_failed_attempts() {
    let service = Service::new(2);
    let (r, spans) = record(|| service.fetch("k"));
    assert_eq!(r.unwrap(), "k@3");
    let s = spans.one("execute_tool fetch");
    assert!(!s.is_error());
    assert_eq!(s.int_attr("genai_tracing.retry.attempts"), Some(3));
    let failures = failed_attempts(s);
    assert_eq!(failures.len(), 2);
    assert_eq!((failures[0].0, failures[0].1.as_str()), (1, "unavailable"));
    assert_eq!(failures[1].0, 2);
    assert_eq!(failures[0].2, "attempt 1 failed with key [REDACTED]");
    assert_eq!(s.json_attr("gen_ai.tool.call.result"), Some(json!("k@3")));
}

#[test]
fn a_broken_call_fails_every_attempt_and_ends_in_error() {
    let service = Service::new(u32::MAX);
    let (r, spans) = record(|| service.fetch("k"));
    assert!(r.is_err());
    assert_eq!(service.calls.load(Ordering::SeqCst), 3);
    let s = spans.one("execute_tool fetch");
    assert!(s.is_error());
    assert_eq!(s.str_attr("error.type"), Some("unavailable"));
    assert_eq!(s.int_attr("genai_tracing.retry.attempts"), Some(3));
    assert_eq!(
        failed_attempts(s).len(),
        2,
        "the last failure is the span's status, not an event"
    );
}

#[test]
fn a_first_time_success_has_one_attempt_and_no_events() {
    let service = Service::new(0);
    let (_, spans) = record(|| service.fetch("k"));
    let s = spans.one("execute_tool fetch");
    assert_eq!(s.int_attr("genai_tracing.retry.attempts"), Some(1));
    assert!(failed_attempts(s).is_empty());
}

#[test]
fn async_retries_wait_the_backoff_inside_the_span() {
    let service = Service::new(1);
    let (r, spans) = record_async(|| service.complete("hi"));
    assert!(r.is_ok());
    let s = spans.one("chat gpt-4o");
    assert_eq!(s.int_attr("genai_tracing.retry.attempts"), Some(2));
    assert_eq!(failed_attempts(s).len(), 1);
    assert_eq!(s.int_attr("gen_ai.usage.input_tokens"), Some(4));
    let took = s.end_time.duration_since(s.start_time).unwrap();
    assert!(took >= Duration::from_millis(15), "{took:?}");
}

#[test]
fn a_panic_is_not_retried() {
    let service = Service::new(0);
    let (r, spans) = record_unwind(|| service.explode());
    assert!(r.is_err());
    assert_eq!(service.calls.load(Ordering::SeqCst), 1);
    assert_eq!(
        spans.one("execute_tool explode").str_attr("error.type"),
        Some("panic")
    );
}

#[llm_call(provider = "openai", model = "gpt-4o", retry = 3)]
async fn chat_with_reference(request: &Value, label: &str) -> Result<Value, Flaky> {
    let _ = label;
    Ok(request.clone())
}

#[test]
fn a_retried_async_fn_with_reference_arguments_stays_send() {
    fn require_send<T: Send>(t: T) -> T {
        t
    }
    let request = json!({"model": "gpt-4o"});
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    let out = rt.block_on(async move {
        tokio::spawn(require_send(async move {
            chat_with_reference(&request, "x").await
        }))
        .await
    });
    assert!(out.unwrap().is_ok());
}

#[test]
fn the_backoff_doubles_after_each_failed_attempt() {
    // Two failures: waits of 15 ms then 30 ms; a constant backoff would total 30 ms.
    let service = Service::new(2);
    let (r, spans) = record(|| service.patient());
    assert_eq!(r.unwrap(), 3);
    let s = spans.one("execute_tool patient");
    assert_eq!(s.int_attr("genai_tracing.retry.attempts"), Some(3));
    let took = s.end_time.duration_since(s.start_time).unwrap();
    assert!(took >= Duration::from_millis(45), "{took:?}");
}

static PLAIN_CALLS: AtomicU32 = AtomicU32::new(0);

/// Fails its first attempt with an error that has no `ErrorType`.
#[tool(retry = 2)]
fn plain() -> Result<u32, String> {
    let n = PLAIN_CALLS.fetch_add(1, Ordering::SeqCst) + 1;
    if n < 2 {
        return Err(format!("attempt {n} failed"));
    }
    Ok(n)
}

#[llm_call(provider = "openai", model = "gpt-4o", retry = 2)]
async fn plain_model(prompt: &str) -> Result<Value, std::io::Error> {
    let _ = prompt;
    Err(std::io::Error::other("unreachable model"))
}

#[test]
fn errors_without_an_error_type_are_retried_and_described_by_their_type_name() {
    let (r, spans) = record(plain);
    assert_eq!(r, Ok(2));
    assert_eq!(
        failed_attempts(spans.one("execute_tool plain")),
        [(
            1,
            "alloc::string::String".to_owned(),
            "attempt 1 failed".to_owned()
        )]
    );
    let (r, spans) = record_async(|| plain_model("hi"));
    assert!(r.is_err());
    let s = spans.one("chat gpt-4o");
    assert_eq!(s.str_attr("error.type"), Some("std::io::error::Error"));
    assert_eq!(
        failed_attempts(s),
        [(
            1,
            "std::io::error::Error".to_owned(),
            "unreachable model".to_owned()
        )]
    );
}
