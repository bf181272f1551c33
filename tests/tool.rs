//! `#[tool]`: names, kinds, attributes and their OTel types, capture, errors, panics, cancellation,
//! and every function form (sync, async, methods, generics, `impl Trait`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use genai_tracing::tool;
use genai_tracing_tests::{record, record_async, record_unwind, SpanDataExt};
use opentelemetry::trace::SpanKind;
use serde_json::json;

#[derive(Debug)]
struct CalcError(String);
impl std::fmt::Display for CalcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot evaluate {:?}", self.0)
    }
}

/// Adds two numbers.
///
/// Longer text that is not part of the description.
#[tool(capture = true)]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

#[tool(
    name = "divide",
    description = "Divides a by b.",
    capture = true,
    call_id = "call_42"
)]
fn div(a: f64, b: f64) -> Result<f64, CalcError> {
    if b == 0.0 {
        return Err(CalcError(format!("{a}/{b}")));
    }
    Ok(a / b)
}

#[test]
fn sync_tool_span_has_the_semconv_attributes() {
    let (sum, spans) = record(|| add(2, 3));
    assert_eq!(sum, 5);
    let span = spans.one("execute_tool add");
    assert_eq!(span.kind(), &SpanKind::Internal);
    assert_eq!(span.str_attr("gen_ai.operation.name"), Some("execute_tool"));
    assert_eq!(span.str_attr("gen_ai.tool.name"), Some("add"));
    assert_eq!(span.str_attr("gen_ai.tool.type"), Some("function"));
    assert_eq!(
        span.str_attr("gen_ai.tool.description"),
        Some("Adds two numbers.")
    );
    assert_eq!(span.str_attr("openinference.span.kind"), Some("TOOL"));
    assert_eq!(
        span.json_attr("gen_ai.tool.call.arguments"),
        Some(json!({"a": 2, "b": 3}))
    );
    assert_eq!(span.json_attr("gen_ai.tool.call.result"), Some(json!(5)));
    assert_eq!(span.attr("error.type"), None);
    assert!(!span.is_error());
}

#[test]
fn options_override_name_and_description_and_set_the_call_id() {
    let (q, spans) = record(|| div(1.0, 4.0));
    assert_eq!(q.unwrap(), 0.25);
    let span = spans.one("execute_tool divide");
    assert_eq!(span.str_attr("gen_ai.tool.name"), Some("divide"));
    assert_eq!(
        span.str_attr("gen_ai.tool.description"),
        Some("Divides a by b.")
    );
    assert_eq!(span.str_attr("gen_ai.tool.call.id"), Some("call_42"));
    assert_eq!(span.json_attr("gen_ai.tool.call.result"), Some(json!(0.25)));
}

#[test]
fn returned_err_sets_error_status_and_type() {
    let (q, spans) = record(|| div(1.0, 0.0));
    assert!(q.is_err());
    let span = spans.one("execute_tool divide");
    assert!(span.is_error());
    assert_eq!(span.error_description(), Some("cannot evaluate \"1/0\""));
    assert_eq!(span.str_attr("error.type"), Some("tool::CalcError"));
    assert_eq!(
        span.attr("gen_ai.tool.call.result"),
        None,
        "no result on error"
    );
}

#[derive(Debug)]
enum FetchError {
    Timeout,
}
impl genai_tracing::ErrorType for FetchError {
    fn error_type(&self) -> &str {
        match self {
            FetchError::Timeout => "timeout",
        }
    }
}

#[tool]
fn fetch(url: &str) -> Result<String, FetchError> {
    let _ = url;
    Err(FetchError::Timeout)
}

#[test]
fn error_type_comes_from_the_error_type_trait_when_implemented() {
    let (_, spans) = record(|| fetch("http://x"));
    let span = spans.one("execute_tool fetch");
    assert_eq!(span.str_attr("error.type"), Some("timeout"));
    // No Display: the Debug text describes it.
    assert_eq!(span.error_description(), Some("Timeout"));
}

#[tool]
fn question_mark(input: &str) -> Result<i64, std::num::ParseIntError> {
    let n: i64 = input.parse()?;
    if n < 0 {
        return Ok(0);
    }
    Ok(n * 2)
}

#[test]
fn question_mark_and_early_return_end_the_span_like_any_return() {
    let ((a, b, c), spans) =
        record(|| (question_mark("x"), question_mark("-3"), question_mark("4")));
    assert!(a.is_err());
    assert_eq!((b.unwrap(), c.unwrap()), (0, 8));
    assert_eq!(spans.0.len(), 3);
    let errors: Vec<_> = spans.0.iter().filter(|s| s.is_error()).collect();
    assert_eq!(errors.len(), 1);
    assert_eq!(
        errors[0].str_attr("error.type"),
        Some("core::num::error::ParseIntError")
    );
    assert_eq!(
        errors[0].error_description(),
        Some("invalid digit found in string")
    );
}

#[tool]
fn explode(n: u32) -> u32 {
    if n > 1 {
        panic!("boom at {n}");
    }
    n
}

#[test]
fn panic_ends_the_span_with_error_and_keeps_unwinding() {
    let (result, spans) = record_unwind(|| explode(7));
    let payload = result.expect_err("the panic keeps unwinding");
    assert_eq!(
        payload.downcast_ref::<String>().map(String::as_str),
        Some("boom at 7")
    );
    let span = spans.one("execute_tool explode");
    assert!(span.is_error());
    assert_eq!(span.str_attr("error.type"), Some("panic"));
    assert_eq!(span.error_description(), Some("boom at 7"));
}

/// Sleeps, then answers.
#[tool(capture = true)]
async fn slow_lookup(key: String) -> Result<String, std::io::Error> {
    tokio::time::sleep(Duration::from_millis(5)).await;
    Ok(format!("value of {key}"))
}

#[test]
fn async_tool_span_covers_the_awaits() {
    let (v, spans) = record_async(|| slow_lookup("k".into()));
    assert_eq!(v.unwrap(), "value of k");
    let span = spans.one("execute_tool slow_lookup");
    let took = span.end_time.duration_since(span.start_time).unwrap();
    assert!(took >= Duration::from_millis(5), "{took:?}");
    assert_eq!(
        span.json_attr("gen_ai.tool.call.arguments"),
        Some(json!({"key": "k"}))
    );
    assert_eq!(
        span.json_attr("gen_ai.tool.call.result"),
        Some(json!("value of k"))
    );
}

#[tool]
async fn never_finishes() -> u8 {
    std::future::pending::<()>().await;
    1
}

#[test]
fn dropped_future_ends_its_span_as_cancelled() {
    let (timed_out, spans) = record_async(|| async {
        tokio::time::timeout(Duration::from_millis(2), never_finishes())
            .await
            .is_err()
    });
    assert!(timed_out);
    let span = spans.one("execute_tool never_finishes");
    assert!(span.is_error());
    assert_eq!(span.str_attr("error.type"), Some("cancelled"));
}

#[tool]
async fn async_explode() -> u8 {
    tokio::task::yield_now().await;
    panic!("async boom")
}

#[test]
fn panic_in_async_tool_ends_the_span_with_error() {
    let (result, spans) = record_unwind(|| {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(async_explode())
    });
    assert!(result.is_err());
    let span = spans.one("execute_tool async_explode");
    assert_eq!(span.str_attr("error.type"), Some("panic"));
    assert_eq!(span.error_description(), Some("async boom"));
}

struct Counter {
    hits: u32,
}

impl Counter {
    #[tool(capture = true)]
    fn bump(&mut self, by: u32) -> u32 {
        self.hits += by;
        self.hits
    }

    #[tool(capture = true)]
    fn peek(&self) -> &u32 {
        &self.hits
    }

    #[tool(capture = true)]
    async fn bump_later(&mut self) -> u32 {
        tokio::task::yield_now().await;
        self.hits += 1;
        self.hits
    }
}

#[test]
fn methods_with_self_ref_and_mut_ref() {
    let mut c = Counter { hits: 0 };
    let ((a, b, d), spans) = record(|| {
        let a = c.bump(2);
        let b = *c.peek();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let d = rt.block_on(c.bump_later());
        (a, b, d)
    });
    assert_eq!((a, b, d), (2, 2, 3));
    assert_eq!(
        spans
            .one("execute_tool bump")
            .json_attr("gen_ai.tool.call.arguments"),
        Some(json!({"by": 2}))
    );
    assert_eq!(
        spans
            .one("execute_tool peek")
            .json_attr("gen_ai.tool.call.arguments"),
        Some(json!({}))
    );
    assert_eq!(
        spans
            .one("execute_tool bump_later")
            .json_attr("gen_ai.tool.call.result"),
        Some(json!(3))
    );
}

#[tool(capture = true)]
fn largest<T: PartialOrd + Copy + serde::Serialize>(items: &[T]) -> Option<T> {
    items.iter().copied().fold(None, |m, x| match m {
        Some(y) if y >= x => Some(y),
        _ => Some(x),
    })
}

#[tool(capture = true, skip(label))]
fn describe(value: impl serde::Serialize, label: impl std::fmt::Display) -> String {
    format!("{label}: {}", serde_json::to_string(&value).unwrap())
}

#[test]
fn generic_and_impl_trait_functions() {
    let ((m, d), spans) = record(|| (largest(&[3, 9, 2]), describe(vec![1, 2], "list")));
    assert_eq!(m, Some(9));
    assert_eq!(d, "list: [1,2]");
    let l = spans.one("execute_tool largest");
    assert_eq!(
        l.json_attr("gen_ai.tool.call.arguments"),
        Some(json!({"items": [3, 9, 2]}))
    );
    assert_eq!(l.json_attr("gen_ai.tool.call.result"), Some(json!(9)));
    let d = spans.one("execute_tool describe");
    assert_eq!(
        d.json_attr("gen_ai.tool.call.arguments"),
        Some(json!({"value": [1, 2]}))
    );
}

#[derive(serde::Serialize)]
struct Secret {
    key: String,
}

#[tool(capture = true, skip(secret), fields(app.tenant = "acme", attempt = 2_i64, user = %"ann"))]
fn with_skip_and_fields(query: &str, secret: &Secret) -> usize {
    query.len() + secret.key.len()
}

#[tool(capture = true, skip_all)]
fn skip_everything(query: &str) -> usize {
    query.len()
}

#[test]
fn skip_keeps_arguments_out_and_fields_are_added() {
    let ((), spans) = record(|| {
        with_skip_and_fields(
            "abc",
            &Secret {
                key: "sk-123".into(),
            },
        );
        skip_everything("abc");
    });
    let s = spans.one("execute_tool with_skip_and_fields");
    assert_eq!(
        s.json_attr("gen_ai.tool.call.arguments"),
        Some(json!({"query": "abc"}))
    );
    assert_eq!(s.str_attr("app.tenant"), Some("acme"));
    assert_eq!(s.int_attr("attempt"), Some(2));
    assert_eq!(s.str_attr("user"), Some("ann"));
    let all = spans.one("execute_tool skip_everything");
    assert_eq!(all.json_attr("gen_ai.tool.call.arguments"), Some(json!({})));
}

/// A handle on an open resource: not `Serialize`, so only `skip_result` lets it be returned.
struct Handle(u32);

#[tool(capture = true, skip_result)]
fn open(path: &str) -> Result<Handle, CalcError> {
    match path {
        "" => Err(CalcError(path.to_owned())),
        _ => Ok(Handle(path.len() as u32)),
    }
}

#[test]
fn skip_result_records_the_arguments_and_not_the_result() {
    let (handle, spans) = record(|| open("/tmp/notes"));
    assert_eq!(handle.unwrap().0, 10);
    let s = spans.one("execute_tool open");
    assert_eq!(
        s.json_attr("gen_ai.tool.call.arguments"),
        Some(json!({"path": "/tmp/notes"}))
    );
    assert_eq!(s.attr("gen_ai.tool.call.result"), None);
    assert!(!s.is_error());

    let (failed, spans) = record(|| open(""));
    assert!(failed.is_err());
    let s = spans.one("execute_tool open");
    assert!(s.is_error());
    assert_eq!(s.str_attr("error.type"), Some("tool::CalcError"));
    assert_eq!(
        s.json_attr("gen_ai.tool.call.arguments"),
        Some(json!({"path": ""}))
    );
}

static SERIALISED: AtomicUsize = AtomicUsize::new(0);

struct Counted(u32);
impl serde::Serialize for Counted {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        SERIALISED.fetch_add(1, Ordering::SeqCst);
        s.serialize_u32(self.0)
    }
}

/// Default capture: the process policy, off unless switched on.
#[tool]
fn counted(arg: Counted) -> Counted {
    arg
}

#[tool(capture = false)]
fn counted_off(arg: Counted) -> Counted {
    arg
}

#[test]
fn nothing_is_serialised_when_capture_is_off() {
    assert!(
        !genai_tracing::capture::captures_content(),
        "capture is off by default"
    );
    let before = SERIALISED.load(Ordering::SeqCst);
    let ((), spans) = record(|| {
        counted(Counted(1));
        counted_off(Counted(2));
    });
    assert_eq!(
        SERIALISED.load(Ordering::SeqCst),
        before,
        "a value was serialised"
    );
    for name in ["execute_tool counted", "execute_tool counted_off"] {
        let s = spans.one(name);
        assert_eq!(s.attr("gen_ai.tool.call.arguments"), None);
        assert_eq!(s.attr("gen_ai.tool.call.result"), None);
    }
}

#[tool]
fn untraced(n: u32) -> u32 {
    n + 1
}

#[test]
fn without_a_subscriber_the_function_just_runs() {
    assert_eq!(untraced(1), 2);
    assert_eq!(explode(1), 1);
}

#[derive(serde::Serialize)]
struct Weird {
    ratio: f64,
    #[serde(serialize_with = "fail")]
    broken: (),
}
fn fail<S: serde::Serializer>(_: &(), _: S) -> Result<S::Ok, S::Error> {
    Err(serde::ser::Error::custom("this field refuses"))
}

#[tool(capture = true)]
fn odd_inputs(w: Weird, bytes: Vec<u8>, lossy: String) -> f64 {
    let _ = (bytes, lossy);
    w.ratio
}

#[test]
fn unserialisable_and_odd_values_are_recorded_without_failing() {
    let bytes = vec![0xff, 0xfe, 0x00];
    let lossy = String::from_utf8_lossy(&bytes).into_owned();
    let (r, spans) = record(|| {
        odd_inputs(
            Weird {
                ratio: f64::NAN,
                broken: (),
            },
            bytes.clone(),
            lossy.clone(),
        )
    });
    assert!(r.is_nan());
    let s = spans.one("execute_tool odd_inputs");
    let args = s.json_attr("gen_ai.tool.call.arguments").unwrap();
    assert_eq!(args["w"], json!("<not serializable: this field refuses>"));
    assert_eq!(args["bytes"], json!([255, 254, 0]));
    assert_eq!(args["lossy"], json!(lossy));
    assert_eq!(s.json_attr("gen_ai.tool.call.result"), Some(json!("NaN")));
}

#[test]
fn instrumented_futures_stay_send_so_they_can_be_spawned() {
    fn assert_send<T: Send>(_: &T) {}
    let future = slow_lookup("k".into());
    assert_send(&future);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    assert_eq!(
        rt.block_on(async { tokio::spawn(future).await.unwrap().unwrap() }),
        "value of k"
    );
}

static EVALUATED: AtomicUsize = AtomicUsize::new(0);

fn evaluated(value: &str) -> String {
    EVALUATED.fetch_add(1, Ordering::SeqCst);
    value.to_owned()
}

#[tool(session = evaluated("s-1"), user = evaluated("ann"), call_id = evaluated("call-7"))]
fn counted_options(x: i64) -> i64 {
    x
}

#[test]
fn option_expressions_are_evaluated_once_per_call() {
    EVALUATED.store(0, Ordering::SeqCst);
    let (_, spans) = record(|| counted_options(1));
    assert_eq!(EVALUATED.load(Ordering::SeqCst), 3);
    let s = spans.one("execute_tool counted_options");
    assert_eq!(s.str_attr("session.id"), Some("s-1"));
    assert_eq!(s.str_attr("gen_ai.tool.call.id"), Some("call-7"));
}

#[test]
fn the_span_target_is_the_users_module_so_filters_by_module_work() {
    let (_, spans) = record(|| counted_options(2));
    let s = spans.one("execute_tool counted_options");
    assert_eq!(s.str_attr("target"), Some(module_path!()));
}
