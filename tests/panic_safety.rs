//! Capture never crashes the app and never turns a failure into success: a panic in code that
//! runs only because of tracing (the redaction hook, a captured value's `Serialize`, a
//! `ModelRequest`'s, `ModelResponse`'s or `ModelChunk`'s methods, an error's `ErrorType`) is caught, the value it
//! was making becomes a marker, and the span ends ERROR with an `error.type` naming what
//! panicked; the app sees what it would see untraced. A panic that would happen untraced (an
//! argument's `Drop`) still reaches the app, and the span says `panic`.

use std::fmt;
use std::pin::Pin;
use std::process::Command;
use std::sync::{Mutex, MutexGuard};

use futures_util::stream::{self, Stream, StreamExt};
use futures_util::FutureExt as _;
use genai_tracing::semconv as sc;
use genai_tracing::{
    agent, llm_call, tool, ErrorType, ModelChunk, ModelRequest, ModelResponse, RequestParameters,
    Usage,
};
use genai_tracing_tests::{record_async, record_unwind, SpanDataExt};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{json, Value};

/// The hook and record mode are process-wide: the tests of this file run one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

/// The message of a caught panic.
fn message(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("<not a string>")
}

// ---- the redaction hook ----

fn panicking_hook(_: &mut Value) {
    panic!("hook boom");
}

/// Installs a hook for the guard's life.
struct Hook(#[allow(dead_code)] MutexGuard<'static, ()>);

impl Hook {
    fn install(hook: fn(&mut Value)) -> Self {
        let serial = serial();
        genai_tracing::capture::set_redaction_hook(Some(hook));
        Self(serial)
    }
}

impl Drop for Hook {
    fn drop(&mut self) {
        genai_tracing::capture::set_redaction_hook(None);
    }
}

const HOOK_MARKER: &str = "[not captured: redaction hook panicked: hook boom]";

#[tool(capture = true)]
fn lookup(city: &str, days: u32) -> Result<String, String> {
    Ok(format!("{city}: sunny for {days} days"))
}

#[test]
fn a_panicking_hook_replaces_the_value_with_a_marker_and_fails_the_span() {
    let _hook = Hook::install(panicking_hook);
    let (result, spans) = record_unwind(|| lookup("Oslo", 3));
    let returned = result.expect("the hook's panic does not reach the app");
    assert_eq!(returned.as_deref(), Ok("Oslo: sunny for 3 days"));
    let span = spans.one("execute_tool lookup");
    assert!(span.is_error());
    assert_eq!(
        span.str_attr(sc::ERROR_TYPE),
        Some(sc::error_type::PANIC_REDACTION_HOOK)
    );
    assert_eq!(
        sc::error_type::PANIC_REDACTION_HOOK,
        "genai_tracing.panic.redaction_hook"
    );
    assert_eq!(span.error_description(), Some(HOOK_MARKER));
    // The whole value is replaced: the hook may have left it half-redacted.
    assert_eq!(
        span.json_attr(sc::GEN_AI_TOOL_CALL_ARGUMENTS),
        Some(json!(HOOK_MARKER))
    );
    assert_eq!(
        span.json_attr(sc::GEN_AI_TOOL_CALL_RESULT),
        Some(json!(HOOK_MARKER))
    );
}

#[tool(capture = true)]
fn explode_with(city: &str) -> u32 {
    panic!("own boom in {city}");
}

#[tool(capture = true)]
async fn never_done(city: &str) -> u32 {
    let _ = city;
    std::future::pending::<()>().await;
    1
}

#[derive(Serialize)]
struct Bomb;

impl Drop for Bomb {
    fn drop(&mut self) {
        panic!("drop boom");
    }
}

#[tool(capture = true)]
fn ignores(bomb: Bomb, n: u32) -> u32 {
    n
}

/// Run in a child process by the test below (an abort would take the whole test binary down): a
/// hook panicking on the description of the function's own panic, of a future dropped, of a
/// future dropped while a panic unwinds past it, and of a panicking `Drop`, must not abort.
#[test]
#[ignore = "run in a child process by a_hook_panicking_while_a_panic_unwinds_does_not_abort"]
fn child_hook_panics_while_unwinding() {
    let _hook = Hook::install(panicking_hook);

    let (result, spans) = record_unwind(|| explode_with("Oslo"));
    let payload = result.expect_err("the function's own panic reaches the app");
    assert_eq!(message(&*payload), "own boom in Oslo");
    let span = spans.one("execute_tool explode_with");
    // The function's own failure wins; its message went through the hook, which panicked.
    assert_eq!(span.str_attr(sc::ERROR_TYPE), Some("panic"));
    assert_eq!(span.error_description(), Some(HOOK_MARKER));

    let (timed_out, spans) = record_async(|| async {
        tokio::time::timeout(std::time::Duration::from_millis(2), never_done("Oslo"))
            .await
            .is_err()
    });
    assert!(timed_out);
    let span = spans.one("execute_tool never_done");
    assert_eq!(span.str_attr(sc::ERROR_TYPE), Some("cancelled"));
    assert_eq!(span.error_description(), Some(HOOK_MARKER));

    // A call dropped by a panic unwinding past it: it ends as cancelled during the unwinding,
    // its description hooked there.
    let (result, spans) = record_unwind(|| {
        let mut started = Box::pin(never_done("Bergen"));
        assert!((&mut started).now_or_never().is_none());
        panic!("sibling boom");
    });
    let payload = result.expect_err("the sibling's panic reaches the app");
    assert_eq!(message(&*payload), "sibling boom");
    let span = spans.one("execute_tool never_done");
    assert_eq!(span.str_attr(sc::ERROR_TYPE), Some("cancelled"));
    assert_eq!(span.error_description(), Some(HOOK_MARKER));

    let (result, spans) = record_unwind(|| ignores(Bomb, 2));
    let payload = result.expect_err("the argument's Drop panics into the app");
    assert_eq!(message(&*payload), "drop boom");
    let span = spans.one("execute_tool ignores");
    assert_eq!(span.str_attr(sc::ERROR_TYPE), Some("panic"));
    assert_eq!(span.error_description(), Some(HOOK_MARKER));
    println!("child: no abort");
}

#[test]
fn a_hook_panicking_while_a_panic_unwinds_does_not_abort() {
    let output = Command::new(std::env::current_exe().expect("the test binary"))
        .args([
            "--exact",
            "child_hook_panics_while_unwinding",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .output()
        .expect("run the child");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{}\n{stdout}\n{stderr}",
        output.status
    );
    assert!(stdout.contains("child: no abort"), "{stdout}\n{stderr}");
    assert!(stdout.contains("1 passed"), "{stdout}\n{stderr}");
}

// ---- a captured value's Serialize ----

/// A value whose `Serialize` panics (it can be deserialized, so record mode may record it).
#[derive(Debug, PartialEq, Deserialize)]
struct Exploding(u32);

impl Serialize for Exploding {
    fn serialize<S: Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        panic!("serialize boom {}", self.0)
    }
}

const SERIALIZE_MARKER: &str = "[not captured: Serialize panicked: serialize boom 7]";

#[tool(capture = true)]
fn takes(value: Exploding, n: u32) -> u32 {
    value.0 + n
}

#[test]
fn a_panicking_serialize_of_an_argument_is_a_marker_and_fails_the_span() {
    let _serial = serial();
    let (result, spans) = record_unwind(|| takes(Exploding(7), 1));
    assert_eq!(result.expect("no panic reaches the app"), 8);
    let span = spans.one("execute_tool takes");
    assert!(span.is_error());
    assert_eq!(
        span.str_attr(sc::ERROR_TYPE),
        Some(sc::error_type::PANIC_SERIALIZE)
    );
    assert_eq!(
        sc::error_type::PANIC_SERIALIZE,
        "genai_tracing.panic.serialize"
    );
    assert_eq!(span.error_description(), Some(SERIALIZE_MARKER));
    // Only the argument that panicked is replaced.
    assert_eq!(
        span.json_attr(sc::GEN_AI_TOOL_CALL_ARGUMENTS),
        Some(json!({"value": SERIALIZE_MARKER, "n": 1}))
    );
    assert_eq!(span.json_attr(sc::GEN_AI_TOOL_CALL_RESULT), Some(json!(8)));
}

#[tool(capture = true)]
fn gives(n: u32) -> Exploding {
    Exploding(n)
}

#[agent(name = "giver", capture = true)]
async fn giver(n: u32) -> Exploding {
    Exploding(n)
}

#[test]
fn a_panicking_serialize_of_a_result_is_a_marker_and_fails_the_span() {
    let _serial = serial();
    let (result, spans) = record_unwind(|| gives(7));
    assert_eq!(result.expect("no panic reaches the app"), Exploding(7));
    let span = spans.one("execute_tool gives");
    assert_eq!(
        span.str_attr(sc::ERROR_TYPE),
        Some(sc::error_type::PANIC_SERIALIZE)
    );
    assert_eq!(span.error_description(), Some(SERIALIZE_MARKER));
    assert_eq!(
        span.json_attr(sc::GEN_AI_TOOL_CALL_RESULT),
        Some(json!(SERIALIZE_MARKER))
    );

    // An agent's output (text as text): the marker as text.
    let (result, spans) = record_async(|| giver(7));
    assert_eq!(result, Exploding(7));
    let span = spans.one("invoke_agent giver");
    assert_eq!(
        span.str_attr(sc::ERROR_TYPE),
        Some(sc::error_type::PANIC_SERIALIZE)
    );
    assert_eq!(span.str_attr(sc::OUTPUT_VALUE), Some(SERIALIZE_MARKER));
}

#[tool(capture = true)]
fn refuses(value: Exploding) -> Result<u32, String> {
    Err(format!("refused {}", value.0))
}

#[test]
fn a_functions_own_error_wins_over_a_panicking_serialize() {
    let _serial = serial();
    let (result, spans) = record_unwind(|| refuses(Exploding(7)));
    assert_eq!(
        result.expect("no panic reaches the app"),
        Err("refused 7".into())
    );
    let span = spans.one("execute_tool refuses");
    assert_eq!(span.str_attr(sc::ERROR_TYPE), Some("alloc::string::String"));
    assert_eq!(span.error_description(), Some("refused 7"));
    assert_eq!(
        span.json_attr(sc::GEN_AI_TOOL_CALL_ARGUMENTS),
        Some(json!({"value": SERIALIZE_MARKER}))
    );
}

#[tool]
fn recorded(n: u32) -> Exploding {
    Exploding(n)
}

#[test]
fn a_panicking_serialize_in_record_mode_skips_the_recording_and_fails_the_span() {
    let _serial = serial();
    genai_tracing::replay::set_recording(true);
    let (result, spans) = record_unwind(|| recorded(7));
    genai_tracing::replay::set_recording(false);
    assert_eq!(result.expect("no panic reaches the app"), Exploding(7));
    let span = spans.one("execute_tool recorded");
    assert_eq!(span.str_attr(sc::REPLAY_SKIPPED), Some("not serializable"));
    assert!(span.attr(sc::REPLAY_OUTPUT).is_none());
    assert_eq!(
        span.str_attr(sc::ERROR_TYPE),
        Some(sc::error_type::PANIC_SERIALIZE)
    );
    assert_eq!(span.error_description(), Some(SERIALIZE_MARKER));
}

// ---- an argument's Drop ----

#[test]
fn a_panicking_drop_of_an_unused_argument_reaches_the_app_and_the_span_says_panic() {
    let _serial = serial();
    let (result, spans) = record_unwind(|| ignores(Bomb, 2));
    let payload = result.expect_err("the Drop panics into the app, as untraced");
    assert_eq!(message(&*payload), "drop boom");
    let span = spans.one("execute_tool ignores");
    assert!(span.is_error());
    assert_eq!(span.str_attr(sc::ERROR_TYPE), Some("panic"));
    assert_eq!(span.error_description(), Some("drop boom"));
}

#[tool]
async fn ignores_async(bomb: Bomb, n: u32) -> u32 {
    tokio::task::yield_now().await;
    n
}

#[test]
fn a_panicking_drop_of_an_unused_argument_of_an_async_fn_fails_the_span() {
    let _serial = serial();
    let (result, spans) = record_unwind(|| {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(ignores_async(Bomb, 2))
    });
    let payload = result.expect_err("the Drop panics into the app, as untraced");
    assert_eq!(message(&*payload), "drop boom");
    let span = spans.one("execute_tool ignores_async");
    assert_eq!(span.str_attr(sc::ERROR_TYPE), Some("panic"));
    assert_eq!(span.error_description(), Some("drop boom"));
}

// ---- a model response ----

/// A response whose `usage` panics.
#[derive(Debug, PartialEq)]
struct Reply;

impl ModelResponse for Reply {
    fn response_id(&self) -> Option<&str> {
        Some("resp-1")
    }
    fn usage(&self) -> Usage {
        panic!("usage boom")
    }
}

/// A response that says its usage.
struct Counted;

impl ModelResponse for Counted {
    fn usage(&self) -> Usage {
        Usage {
            input_tokens: Some(10),
            output_tokens: Some(2),
            ..Usage::default()
        }
    }
}

#[llm_call(provider = "openai", model = "gpt-4o-mini")]
fn ask() -> Reply {
    Reply
}

#[llm_call(provider = "openai", model = "gpt-4o")]
fn ask_counted() -> Counted {
    Counted
}

#[agent(name = "asker")]
fn asker() -> bool {
    ask_counted();
    ask() == Reply
}

#[test]
fn a_panicking_model_response_method_fails_the_span_and_leaves_the_totals_unknown() {
    let _serial = serial();
    let (result, spans) = record_unwind(asker);
    assert!(result.expect("no panic reaches the app"));
    assert!(!spans.one("chat gpt-4o").is_error());
    let span = spans.one("chat gpt-4o-mini");
    assert!(span.is_error());
    assert_eq!(
        span.str_attr(sc::ERROR_TYPE),
        Some(sc::error_type::PANIC_MODEL_RESPONSE)
    );
    assert_eq!(
        sc::error_type::PANIC_MODEL_RESPONSE,
        "genai_tracing.panic.model_response"
    );
    assert_eq!(
        span.error_description(),
        Some("[not captured: ModelResponse::usage panicked: usage boom]")
    );
    // What did not panic is still recorded; no counts, no cost.
    assert_eq!(span.str_attr(sc::GEN_AI_RESPONSE_ID), Some("resp-1"));
    assert!(span.attr(sc::GEN_AI_USAGE_INPUT_TOKENS).is_none());
    // The agent's total is left off rather than short.
    let agent = spans.one("invoke_agent asker");
    assert!(!agent.is_error());
    assert!(
        agent.attr(sc::GEN_AI_USAGE_INPUT_TOKENS).is_none(),
        "{:?}",
        agent.attributes
    );
}

/// A request whose `parameters` panic (`model` is read by the expansion before the call exists,
/// outside any catch, so it does not).
struct Request;

impl ModelRequest for Request {
    fn model(&self) -> Option<&str> {
        Some("gpt-4o-mini")
    }
    fn parameters(&self) -> RequestParameters {
        panic!("parameters boom")
    }
}

#[llm_call(provider = "openai", skip(request))]
fn ask_with(request: &Request) -> Counted {
    let _ = request;
    Counted
}

#[test]
fn a_panicking_model_request_method_fails_the_span() {
    let _serial = serial();
    let (result, spans) = record_unwind(|| ask_with(&Request).usage());
    assert_eq!(
        result.expect("no panic reaches the app").input_tokens,
        Some(10)
    );
    let span = spans.one("chat gpt-4o-mini");
    assert!(span.is_error());
    assert_eq!(
        span.str_attr(sc::ERROR_TYPE),
        Some(sc::error_type::PANIC_MODEL_REQUEST)
    );
    assert_eq!(
        sc::error_type::PANIC_MODEL_REQUEST,
        "genai_tracing.panic.model_request"
    );
    assert_eq!(
        span.error_description(),
        Some("[not captured: ModelRequest::parameters panicked: parameters boom]")
    );
    // The response is still recorded.
    assert_eq!(span.int_attr(sc::GEN_AI_USAGE_INPUT_TOKENS), Some(10));
}

// ---- a streamed chunk ----

/// A chunk whose `usage` panics on the second chunk.
struct Chunk(u32);

impl ModelChunk for Chunk {
    fn usage(&self) -> Usage {
        if self.0 == 1 {
            panic!("chunk boom");
        }
        Usage {
            output_tokens: Some(i64::from(self.0)),
            ..Usage::default()
        }
    }
    fn finish_reasons(&self) -> Vec<(u32, String)> {
        match self.0 {
            2 => vec![(0, "stop".into())],
            _ => Vec::new(),
        }
    }
}

type ChunkStream = Pin<Box<dyn Stream<Item = Result<Chunk, String>> + Send>>;

#[llm_call(provider = "openai", model = "gpt-4o-mini")]
async fn streamed() -> Result<ChunkStream, String> {
    Ok(Box::pin(stream::iter((0..3).map(|n| Ok(Chunk(n))))))
}

#[test]
fn a_panicking_model_chunk_method_fails_the_span_and_the_stream_goes_on() {
    let _serial = serial();
    let (chunks, spans) = record_async(|| async {
        let stream = streamed().await.expect("a stream");
        stream.map(|c| c.map(|c| c.0)).collect::<Vec<_>>().await
    });
    assert_eq!(chunks, [Ok(0), Ok(1), Ok(2)], "every chunk reaches the app");
    let span = spans.one("chat gpt-4o-mini");
    assert!(span.is_error());
    assert_eq!(
        span.str_attr(sc::ERROR_TYPE),
        Some(sc::error_type::PANIC_MODEL_CHUNK)
    );
    assert_eq!(
        sc::error_type::PANIC_MODEL_CHUNK,
        "genai_tracing.panic.model_chunk"
    );
    assert_eq!(
        span.error_description(),
        Some("[not captured: ModelChunk::usage panicked: chunk boom]")
    );
    // The other chunks were read.
    assert_eq!(
        span.strings_attr(sc::GEN_AI_RESPONSE_FINISH_REASONS),
        Some(vec!["stop".to_owned()])
    );
}

// ---- an error's ErrorType and Display ----

#[derive(Debug, PartialEq)]
struct Flaky;

impl ErrorType for Flaky {
    fn error_type(&self) -> &str {
        panic!("kind boom")
    }
}

impl fmt::Display for Flaky {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("flaky upstream")
    }
}

#[tool]
fn flaky() -> Result<u32, Flaky> {
    Err(Flaky)
}

#[test]
fn a_panicking_error_type_is_named_and_the_error_still_described() {
    let _serial = serial();
    let (result, spans) = record_unwind(flaky);
    assert_eq!(result.expect("no panic reaches the app"), Err(Flaky));
    let span = spans.one("execute_tool flaky");
    assert!(span.is_error());
    assert_eq!(
        span.str_attr(sc::ERROR_TYPE),
        Some(sc::error_type::PANIC_ERROR_TYPE)
    );
    assert_eq!(
        sc::error_type::PANIC_ERROR_TYPE,
        "genai_tracing.panic.error_type"
    );
    assert_eq!(
        span.error_description(),
        Some("flaky upstream [not captured: ErrorType panicked: kind boom]")
    );
}

#[derive(Debug, PartialEq)]
struct Mute;

impl fmt::Display for Mute {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        panic!("display boom")
    }
}

#[tool(retry = 2)]
fn mute() -> Result<u32, Mute> {
    Err(Mute)
}

#[test]
fn a_panicking_display_of_an_error_is_a_marker_and_the_error_type_stays() {
    let _serial = serial();
    let (result, spans) = record_unwind(mute);
    assert_eq!(result.expect("no panic reaches the app"), Err(Mute));
    let span = spans.one("execute_tool mute");
    assert!(span.str_attr(sc::ERROR_TYPE).unwrap().ends_with("::Mute"));
    assert_eq!(
        span.error_description(),
        Some("[not captured: Display panicked: display boom]")
    );
    // The retried attempt's event too.
    assert_eq!(span.int_attr(sc::RETRY_ATTEMPTS), Some(2));
}
