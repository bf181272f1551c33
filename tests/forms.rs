//! Function forms the macros must accept, and get right: `impl Trait` in `Result`, `Result`
//! aliases, `#[async_trait]` methods, `#[cfg]`-gated and `_`-prefixed arguments, raw identifiers,
//! one-line bodies under `deny(warnings)`, `-> !`, `&mut` requests and a re-exported crate path.
#![deny(warnings)]

use std::fmt::Display;
use std::time::Duration;

use genai_tracing::{agent, llm_call, tool};
use genai_tracing_tests::{record, record_async, record_unwind, SpanDataExt};
use serde_json::{json, Value};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[agent]
async fn impl_in_result(q: &str) -> Result<impl Display, BoxError> {
    let n: u32 = q.parse()?;
    Ok(n + 1)
}

#[tool]
fn impl_in_result_sync(q: &str) -> Result<impl Display, std::num::ParseIntError> {
    let n: i32 = q.parse()?;
    Ok(n)
}

#[test]
fn impl_trait_inside_result_with_question_mark() {
    let (r, spans) = record_async(|| impl_in_result("x"));
    assert!(r.is_err());
    let s = spans.one("invoke_agent impl_in_result");
    assert!(s.is_error());
    assert!(
        s.str_attr("error.type")
            .unwrap()
            .contains("Box<dyn core::error::Error"),
        "{:?}",
        s.str_attr("error.type")
    );
    let (r, spans) = record(|| impl_in_result_sync("7"));
    assert_eq!(r.unwrap().to_string(), "7");
    assert!(!spans.one("execute_tool impl_in_result_sync").is_error());
}

type Fallible<T> = Result<T, String>;

#[tool(capture = true)]
fn aliased(ok: bool) -> Fallible<u8> {
    if ok {
        Ok(1)
    } else {
        Err("bad".into())
    }
}

#[tool]
fn formatting(ok: bool) -> std::fmt::Result {
    if ok {
        Ok(())
    } else {
        Err(std::fmt::Error)
    }
}

mod shadowing {
    /// Not std's `Result`: a plain value that happens to share the name.
    #[derive(serde::Serialize)]
    pub enum Result<T> {
        Good(T),
    }

    #[genai_tracing::tool(capture = true)]
    pub fn own_result_type() -> Result<u8> {
        Result::Good(3)
    }
}
use shadowing::own_result_type;

#[test]
fn result_aliases_fail_like_results_and_other_types_named_result_do_not() {
    let ((), spans) = record(|| {
        let _ = aliased(true);
        let _ = aliased(false);
        let _ = formatting(false);
        let _ = own_result_type();
    });
    let aliased: Vec<_> = spans.all("execute_tool aliased");
    assert!(!aliased[0].is_error());
    assert_eq!(
        aliased[0].json_attr("gen_ai.tool.call.result"),
        Some(json!(1))
    );
    assert!(
        aliased[1].is_error(),
        "an Err of an alias is an error, not a success"
    );
    assert_eq!(aliased[1].error_description(), Some("bad"));
    assert_eq!(aliased[1].attr("gen_ai.tool.call.result"), None);
    assert_eq!(
        spans.one("execute_tool formatting").str_attr("error.type"),
        Some("core::fmt::Error")
    );
    let own = spans.one("execute_tool own_result_type");
    assert!(!own.is_error());
    assert_eq!(
        own.json_attr("gen_ai.tool.call.result"),
        Some(json!({"Good": 3}))
    );
}

struct Connection;

#[tool(capture = false)]
fn uncapturable_argument(conn: &Connection, sql: &str) -> usize {
    let _ = conn;
    sql.len()
}

#[tool(capture = true)]
fn gated(#[cfg(any())] gone: u8, kept: u8, _unused: u8) -> u8 {
    kept + 1
}

#[tool(capture = true, skip(type))]
fn raw(r#type: &str, r#in: u8) -> u8 {
    r#type.len() as u8 + r#in
}

#[tool]
fn one_liner(a: f64, b: f64) -> f64 {
    a + b
}

#[agent]
async fn async_one_liner(a: u8) -> u8 {
    a
}

#[test]
fn argument_forms() {
    let ((), spans) = record(|| {
        assert_eq!(uncapturable_argument(&Connection, "select 1"), 8);
        assert_eq!(gated(1, 2), 2);
        assert_eq!(raw("ab", 1), 3);
        assert_eq!(one_liner(1.0, 2.0), 3.0);
    });
    assert_eq!(
        spans
            .one("execute_tool uncapturable_argument")
            .attr("gen_ai.tool.call.arguments"),
        None
    );
    assert_eq!(
        spans
            .one("execute_tool gated")
            .json_attr("gen_ai.tool.call.arguments"),
        Some(json!({"kept": 1}))
    );
    assert_eq!(
        spans
            .one("execute_tool raw")
            .json_attr("gen_ai.tool.call.arguments"),
        Some(json!({"in": 1}))
    );
    let (v, _) = record_async(|| async_one_liner(4));
    assert_eq!(v, 4);
}

#[tool]
fn never_returns(code: i32) -> ! {
    panic!("exit {code}")
}

#[test]
fn never_returning_functions_end_their_span_on_panic() {
    let (r, spans) = record_unwind(|| never_returns(3));
    assert!(r.is_err());
    assert_eq!(
        spans.one("execute_tool never_returns").error_description(),
        Some("exit 3")
    );
}

#[llm_call(provider = "openai", capture = true)]
async fn mutable_request(request: &mut Value) -> Value {
    request["seen"] = json!(true);
    json!({"choices": [], "model": "gpt-4o"})
}

#[test]
fn a_mutable_reference_to_a_request_is_a_request() {
    let mut req = json!({"model": "gpt-4o", "temperature": 0.5, "messages": [{"role": "user", "content": "hi"}]});
    let (_, spans) = record_async(|| mutable_request(&mut req));
    let s = spans.one("chat gpt-4o");
    assert_eq!(s.f64_attr("gen_ai.request.temperature"), Some(0.5));
    assert!(s.attr("gen_ai.input.messages").is_some());
    assert_eq!(s.attr("input.value"), None);
}

#[async_trait::async_trait]
trait Tool: Send + Sync {
    async fn call(&self, input: &str) -> Fallible<String>;
}

struct Slow;

#[async_trait::async_trait]
impl Tool for Slow {
    /// Sleeps, then asks a helper.
    #[tool(name = "slow", capture = true)]
    async fn call(&self, input: &str) -> Fallible<String> {
        tokio::time::sleep(Duration::from_millis(20)).await;
        if input.is_empty() {
            return Err("empty input".into());
        }
        Ok(helper(input))
    }
}

#[tool]
fn helper(input: &str) -> String {
    input.to_uppercase()
}

#[test]
fn async_trait_methods_are_traced_over_their_future() {
    let tools: Vec<Box<dyn Tool>> = vec![Box::new(Slow)];
    let ((ok, err), spans) =
        record_async(|| async { (tools[0].call("hi").await, tools[0].call("").await) });
    assert_eq!(ok.unwrap(), "HI");
    assert!(err.is_err());
    let slow: Vec<_> = spans.all("execute_tool slow");
    assert_eq!(slow.len(), 2);
    for s in &slow {
        let took = s.end_time.duration_since(s.start_time).unwrap();
        assert!(
            took >= Duration::from_millis(20),
            "the span covers the future: {took:?}"
        );
        assert_eq!(
            s.str_attr("gen_ai.tool.description"),
            Some("Sleeps, then asks a helper.")
        );
    }
    assert_eq!(
        slow[0].json_attr("gen_ai.tool.call.arguments"),
        Some(json!({"input": "hi"}))
    );
    assert_eq!(
        slow[0].json_attr("gen_ai.tool.call.result"),
        Some(json!("HI"))
    );
    assert!(slow[1].is_error());
    let helper = spans.one("execute_tool helper");
    assert_eq!(
        spans.parent_of(helper).map(|p| p.span_context.span_id()),
        Some(slow[0].span_context.span_id())
    );
}

mod reexport {
    pub use genai_tracing as inner;
}

#[tool(crate = "crate::reexport::inner")]
fn through_a_reexport(n: u8) -> u8 {
    n
}

#[test]
fn the_crate_path_can_be_given() {
    let (v, spans) = record(|| through_a_reexport(5));
    assert_eq!(v, 5);
    spans.one("execute_tool through_a_reexport");
}
