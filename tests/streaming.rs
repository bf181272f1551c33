//! Streaming `#[llm_call]`s: one span per stream, open until the stream ends, with time to first
//! chunk, usage, finish reasons and (when capturing) the assembled output read from the chunks.

use std::pin::Pin;

use futures_util::stream::{self, Stream, StreamExt};
use genai_tracing::llm_call;
use genai_tracing::semconv as sc;
use genai_tracing_tests::{record_async, SpanDataExt};
use serde_json::{json, Value};

#[derive(Debug, thiserror::Error)]
#[error("connection reset mid-stream")]
struct Reset;

/// A boxed stream, named as one (async-openai's `ChatCompletionResponseStream` is such a type).
type ChunkStream = Pin<Box<dyn Stream<Item = Result<Value, Reset>> + Send>>;

fn openai_chunks() -> Vec<Result<Value, Reset>> {
    let chunk = |delta: Value, finish: Value| {
        json!({"id": "chatcmpl-9", "object": "chat.completion.chunk", "model": "gpt-4o-mini-2024-07-18",
               "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], "usage": null})
    };
    vec![
        Ok(chunk(
            json!({"role": "assistant", "content": ""}),
            Value::Null,
        )),
        Ok(chunk(json!({"content": "17 * 23"}), Value::Null)),
        Ok(chunk(json!({"content": " = 391"}), Value::Null)),
        Ok(chunk(json!({}), json!("stop"))),
        Ok(
            json!({"id": "chatcmpl-9", "object": "chat.completion.chunk", "model": "gpt-4o-mini-2024-07-18",
            "choices": [], "usage": {"prompt_tokens": 1000, "completion_tokens": 8,
            "prompt_tokens_details": {"cached_tokens": 200}}}),
        ),
    ]
}

#[llm_call(
    provider = "openai",
    model = "gpt-4o-mini",
    capture = true,
    skip(chunks)
)]
fn chat(chunks: Vec<Result<Value, Reset>>) -> impl Stream<Item = Result<Value, Reset>> {
    stream::iter(chunks)
}

#[llm_call(
    provider = "openai",
    model = "gpt-4o-mini",
    capture = true,
    skip(chunks)
)]
async fn chat_async(chunks: Vec<Result<Value, Reset>>) -> Result<ChunkStream, Reset> {
    Ok(Box::pin(stream::iter(chunks)))
}

#[test]
fn an_openai_stream_is_one_span_with_usage_cost_and_the_assembled_answer() {
    let (texts, spans) = record_async(|| async {
        let mut out = Vec::new();
        let s = chat(openai_chunks());
        out.push(s.count().await);
        let s = chat_async(openai_chunks()).await.unwrap();
        out.push(s.count().await);
        out
    });
    assert_eq!(texts, [5, 5]);
    assert_eq!(spans.0.len(), 2);
    for span in &spans.0 {
        assert_eq!(
            span.attr(sc::GEN_AI_REQUEST_STREAM),
            Some(&opentelemetry::Value::Bool(true)),
            "a boolean"
        );
        assert!(
            span.f64_attr(sc::GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK)
                .unwrap()
                >= 0.0
        );
        assert_eq!(span.int_attr(sc::GEN_AI_USAGE_INPUT_TOKENS), Some(1000));
        assert_eq!(span.str_attr(sc::GEN_AI_RESPONSE_ID), Some("chatcmpl-9"));
        assert_eq!(
            span.strings_attr(sc::GEN_AI_RESPONSE_FINISH_REASONS),
            Some(vec!["stop".into()])
        );
        assert_eq!(
            span.json_attr(sc::GEN_AI_OUTPUT_MESSAGES),
            Some(
                json!([{"role": "assistant", "parts": [{"type": "text", "content": "17 * 23 = 391"}], "finish_reason": "stop"}])
            )
        );
        assert!(span.f64_attr(sc::COST_USD).is_some());
        assert!(!span.is_error());
    }
}

#[llm_call(
    provider = "openai",
    model = "gpt-4o-mini",
    capture = true,
    skip(chunks),
    skip_result
)]
fn chat_without_output(
    question: &str,
    chunks: Vec<Result<Value, Reset>>,
) -> impl Stream<Item = Result<Value, Reset>> {
    let _ = question;
    stream::iter(chunks)
}

#[test]
fn a_stream_with_skip_result_keeps_its_input_and_usage_and_assembles_no_output() {
    let (count, spans) = record_async(|| chat_without_output("17 * 23?", openai_chunks()).count());
    assert_eq!(count, 5);
    let span = &spans.0[0];
    assert_eq!(span.str_attr("input.value"), Some("17 * 23?"));
    assert_eq!(span.attr(sc::GEN_AI_OUTPUT_MESSAGES), None);
    assert_eq!(span.int_attr(sc::GEN_AI_USAGE_INPUT_TOKENS), Some(1000));
    assert_eq!(
        span.strings_attr(sc::GEN_AI_RESPONSE_FINISH_REASONS),
        Some(vec!["stop".into()])
    );
    assert!(span.f64_attr(sc::COST_USD).is_some());
    assert!(!span.is_error());
}

fn anthropic_events() -> Vec<Result<Value, Reset>> {
    [
        json!({"type": "message_start", "message": {"id": "msg_7", "type": "message", "role": "assistant",
            "model": "claude-3-5-haiku-20241022", "content": [], "stop_reason": null,
            "usage": {"input_tokens": 100, "cache_read_input_tokens": 1000, "cache_creation_input_tokens": 0, "output_tokens": 1}}}),
        json!({"type": "content_block_start", "index": 0, "content_block": {"type": "thinking", "thinking": ""}}),
        json!({"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": "Need the calculator."}}),
        json!({"type": "content_block_stop", "index": 0}),
        json!({"type": "content_block_start", "index": 1, "content_block": {"type": "text", "text": ""}}),
        json!({"type": "content_block_delta", "index": 1, "delta": {"type": "text_delta", "text": "Let me "}}),
        json!({"type": "content_block_delta", "index": 1, "delta": {"type": "text_delta", "text": "compute."}}),
        json!({"type": "ping"}),
        json!({"type": "content_block_start", "index": 2, "content_block": {"type": "tool_use", "id": "toolu_1", "name": "calculator", "input": {}}}),
        json!({"type": "content_block_delta", "index": 2, "delta": {"type": "input_json_delta", "partial_json": "{\"expr\": "}}),
        json!({"type": "content_block_delta", "index": 2, "delta": {"type": "input_json_delta", "partial_json": "\"17 * 23\"}"}}),
        json!({"type": "content_block_stop", "index": 2}),
        json!({"type": "message_delta", "delta": {"stop_reason": "tool_use", "stop_sequence": null}, "usage": {"output_tokens": 42}}),
        json!({"type": "message_stop"}),
    ]
    .into_iter()
    .map(Ok)
    .collect()
}

#[llm_call(
    provider = "anthropic",
    model = "claude-3-5-haiku-latest",
    capture = true,
    skip(chunks)
)]
fn claude(chunks: Vec<Result<Value, Reset>>) -> impl Stream<Item = Result<Value, Reset>> {
    stream::iter(chunks)
}

#[test]
fn anthropic_events_give_usage_reasoning_text_and_tool_calls() {
    let (_, spans) = record_async(|| claude(anthropic_events()).count());
    let span = &spans.0[0];
    // Anthropic counts input apart from the cache: 100 + 1,000 read.
    assert_eq!(span.int_attr(sc::GEN_AI_USAGE_INPUT_TOKENS), Some(1_100));
    assert_eq!(
        span.int_attr(sc::GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS),
        Some(1_000)
    );
    assert_eq!(span.int_attr(sc::GEN_AI_USAGE_OUTPUT_TOKENS), Some(42));
    assert_eq!(span.str_attr(sc::GEN_AI_RESPONSE_ID), Some("msg_7"));
    assert_eq!(
        span.str_attr(sc::GEN_AI_RESPONSE_MODEL),
        Some("claude-3-5-haiku-20241022")
    );
    assert_eq!(
        span.strings_attr(sc::GEN_AI_RESPONSE_FINISH_REASONS),
        Some(vec!["tool_use".into()])
    );
    assert_eq!(
        span.json_attr(sc::GEN_AI_OUTPUT_MESSAGES),
        Some(json!([{"role": "assistant", "parts": [
            {"type": "reasoning", "content": "Need the calculator."},
            {"type": "text", "content": "Let me compute."},
            {"type": "tool_call", "id": "toolu_1", "name": "calculator", "arguments": {"expr": "17 * 23"}}
        ], "finish_reason": "tool_call"}]))
    );
    // claude-3-5-haiku: $0.80 / M input, $0.08 / M cache read, $4 / M output.
    let expected = (100.0 * 0.8 + 1_000.0 * 0.08 + 42.0 * 4.0) / 1e6;
    assert!((span.f64_attr(sc::COST_USD).unwrap() - expected).abs() < 1e-12);
}

#[test]
fn openai_tool_calls_are_assembled_from_their_fragments() {
    let chunk = |delta: Value, finish: Value| {
        Ok(
            json!({"id": "c", "object": "chat.completion.chunk", "model": "gpt-4o-mini",
                  "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}),
        )
    };
    let call = |index: u32, id: Option<&str>, name: Option<&str>, args: &str| {
        json!({"tool_calls": [{"index": index, "id": id, "type": "function",
                               "function": {"name": name, "arguments": args}}]})
    };
    let chunks = vec![
        chunk(call(0, Some("call_a"), Some("calculator"), ""), Value::Null),
        chunk(call(0, None, None, "{\"expr\":"), Value::Null),
        chunk(
            call(1, Some("call_b"), Some("web_search"), "{\"query\":\"K2\"}"),
            Value::Null,
        ),
        chunk(call(0, None, None, "\"2+2\"}"), Value::Null),
        chunk(json!({}), json!("tool_calls")),
    ];
    let (_, spans) = record_async(|| chat(chunks).count());
    let messages = spans.0[0].json_attr(sc::GEN_AI_OUTPUT_MESSAGES).unwrap();
    assert_eq!(
        messages,
        json!([{"role": "assistant", "parts": [
            {"type": "tool_call", "id": "call_a", "name": "calculator", "arguments": {"expr": "2+2"}},
            {"type": "tool_call", "id": "call_b", "name": "web_search", "arguments": {"query": "K2"}}
        ], "finish_reason": "tool_call"}])
    );
}

#[test]
fn a_stream_dropped_early_ends_its_span_marked_cancelled_with_what_arrived() {
    let (_, spans) = record_async(|| async {
        let mut s = Box::pin(chat(openai_chunks()));
        s.next().await;
        s.next().await;
        // The caller stops reading: no finish reason, no usage chunk.
    });
    let span = &spans.0[0];
    assert!(span.is_error());
    assert_eq!(span.str_attr(sc::ERROR_TYPE), Some("cancelled"));
    assert_eq!(
        span.error_description(),
        Some("stream dropped after 2 chunks, before its end")
    );
    assert_eq!(
        span.json_attr(sc::GEN_AI_OUTPUT_MESSAGES),
        Some(
            json!([{"role": "assistant", "parts": [{"type": "text", "content": "17 * 23"}], "finish_reason": "unknown"}])
        )
    );
    assert!(span.attr(sc::GEN_AI_USAGE_INPUT_TOKENS).is_none());
    assert!(span.attr(sc::COST_USD).is_none());
}

#[test]
fn an_error_item_sets_error_and_the_span_still_ends_with_the_stream() {
    let mut chunks = openai_chunks();
    chunks.insert(2, Err(Reset));
    let (items, spans) = record_async(|| chat(chunks).collect::<Vec<_>>());
    assert_eq!(items.len(), 6, "the stream's items pass through unchanged");
    let span = &spans.0[0];
    assert!(span.is_error());
    assert_eq!(span.str_attr(sc::ERROR_TYPE), Some("streaming::Reset"));
    assert_eq!(
        span.error_description(),
        Some("connection reset mid-stream")
    );
    // The usage that came after the error is still recorded.
    assert_eq!(span.int_attr(sc::GEN_AI_USAGE_INPUT_TOKENS), Some(1000));
}

#[test]
fn an_error_event_inside_the_stream_sets_error_with_its_type() {
    let mut events = anthropic_events();
    events.truncate(6);
    events.push(Ok(
        json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
    ));
    let (_, spans) = record_async(|| claude(events).count());
    let span = &spans.0[0];
    assert!(span.is_error());
    assert_eq!(span.str_attr(sc::ERROR_TYPE), Some("overloaded_error"));
    assert_eq!(span.error_description(), Some("Overloaded"));
}

/// A boxed stream under a name that does not say so: `stream` tells the macro.
type Chunks = Pin<Box<dyn Stream<Item = Result<Value, Reset>> + Send>>;

#[llm_call(provider = "openai", model = "gpt-4o-mini", stream)]
async fn refused(status: u16) -> Result<Chunks, String> {
    Err(format!("HTTP {status}: rate limited"))
}

#[test]
fn a_stream_that_never_starts_ends_its_span_with_the_error() {
    let (result, spans) = record_async(|| refused(429));
    assert!(result.is_err());
    let span = &spans.0[0];
    assert!(span.is_error());
    assert_eq!(span.error_description(), Some("HTTP 429: rate limited"));
    assert!(span.attr(sc::GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK).is_none());
}

#[llm_call(provider = "openai", model = "gpt-4o-mini", skip(chunks))]
fn slow(chunks: Vec<Result<Value, Reset>>) -> impl Stream<Item = Result<Value, Reset>> {
    stream::iter(chunks).then(|c| async {
        tokio::time::sleep(std::time::Duration::from_millis(40)).await;
        c
    })
}

#[test]
fn the_span_lasts_until_the_stream_ends_and_times_the_first_chunk() {
    let (_, spans) = record_async(|| slow(openai_chunks()).count());
    let span = &spans.0[0];
    let duration = span.end_time.duration_since(span.start_time).unwrap();
    assert!(
        duration.as_millis() >= 200,
        "five chunks 40 ms apart: {duration:?}"
    );
    let first = span
        .f64_attr(sc::GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK)
        .unwrap();
    assert!((0.04..duration.as_secs_f64()).contains(&first), "{first}");
    // Capture is off by default: usage is read, the content is not kept.
    assert!(span.attr(sc::GEN_AI_OUTPUT_MESSAGES).is_none());
    assert_eq!(span.int_attr(sc::GEN_AI_USAGE_OUTPUT_TOKENS), Some(8));
}

#[llm_call(provider = "openai", model = "gpt-4o-mini", skip(chunks))]
fn exploding(chunks: Vec<Result<Value, Reset>>) -> impl Stream<Item = Result<Value, Reset>> {
    stream::iter(chunks).map(|c| {
        if c.as_ref()
            .is_ok_and(|v| v["choices"][0]["finish_reason"] == "stop")
        {
            panic!("decoder bug");
        }
        c
    })
}

#[test]
fn a_panic_while_polling_ends_the_span_as_panicked() {
    let (result, spans) = genai_tracing_tests::record_unwind(|| {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(exploding(openai_chunks()).count())
    });
    assert!(result.is_err());
    let span = &spans.0[0];
    assert_eq!(span.str_attr(sc::ERROR_TYPE), Some("panic"));
    assert_eq!(span.error_description(), Some("decoder bug"));
}

#[genai_tracing::agent(name = "streamer")]
async fn streamer() -> usize {
    chat(openai_chunks()).count().await + claude(anthropic_events()).count().await
}

#[test]
fn an_agent_sums_the_usage_of_the_streams_beneath_it() {
    let (_, spans) = record_async(streamer);
    let agent = spans.one("invoke_agent streamer");
    assert_eq!(
        agent.int_attr(sc::GEN_AI_USAGE_INPUT_TOKENS),
        Some(1_000 + 1_100)
    );
    assert_eq!(agent.int_attr(sc::GEN_AI_USAGE_OUTPUT_TOKENS), Some(8 + 42));
    for llm in spans.0.iter().filter(|s| s.name.starts_with("chat")) {
        assert_eq!(
            spans.parent_of(llm).map(|p| p.name.as_ref()),
            Some("invoke_agent streamer")
        );
    }
}

fn assert_send<T: Send>(_: &T) {}

/// A boxed stream that is `Sync` too: traced in its own type.
type SyncChunkStream = Pin<Box<dyn Stream<Item = Result<Value, Reset>> + Send + Sync>>;

#[llm_call(provider = "openai", model = "gpt-4o-mini", skip(chunks))]
fn shared(chunks: Vec<Result<Value, Reset>>) -> SyncChunkStream {
    Box::pin(stream::iter(chunks))
}

#[test]
fn a_send_and_sync_boxed_stream_is_traced_in_its_own_type() {
    let (count, spans) = record_async(|| shared(openai_chunks()).count());
    assert_eq!(count, 5);
    assert_eq!(
        spans.0[0].int_attr(sc::GEN_AI_USAGE_INPUT_TOKENS),
        Some(1000)
    );
}

#[test]
fn streaming_calls_and_their_streams_can_cross_threads() {
    let future = chat_async(openai_chunks());
    assert_send(&future);
    assert_send(&chat(openai_chunks()));
    let (count, spans) = record_async(|| async {
        let stream = chat_async(openai_chunks()).await.unwrap();
        tokio::spawn(stream.count()).await.unwrap()
    });
    assert_eq!(count, 5);
    assert_eq!(spans.0.len(), 1);
}

/// Reads a stream the way most callers do: `?` on every item, so the first error drops it.
async fn read_all(s: impl Stream<Item = Result<Value, Reset>>) -> Result<usize, Reset> {
    let mut s = std::pin::pin!(s);
    let mut n = 0;
    while let Some(chunk) = s.next().await {
        chunk?;
        n += 1;
    }
    Ok(n)
}

#[test]
fn an_error_that_makes_the_caller_drop_the_stream_stays_the_calls_error() {
    let mut chunks = openai_chunks();
    chunks.insert(2, Err(Reset));
    chunks.insert(3, Err(Reset));
    let (result, spans) = record_async(|| read_all(chat(chunks)));
    assert!(result.is_err());
    let span = &spans.0[0];
    assert_eq!(
        span.error_description(),
        Some("connection reset mid-stream")
    );
    let error_types: Vec<_> = span
        .attributes
        .iter()
        .filter(|kv| kv.key.as_str() == sc::ERROR_TYPE)
        .collect();
    assert_eq!(error_types.len(), 1, "recorded once: {error_types:?}");
    assert_eq!(span.str_attr(sc::ERROR_TYPE), Some("streaming::Reset"));
}

#[test]
fn anthropic_running_totals_replace_earlier_counts_only_where_given() {
    let delta = |usage: Value| json!({"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": usage});
    let mut partial = anthropic_events();
    partial[12] = Ok(delta(
        json!({"input_tokens": 100, "cache_read_input_tokens": null,
        "cache_creation_input_tokens": null, "output_tokens": 42}),
    ));
    let mut whole = anthropic_events();
    whole[12] = Ok(delta(
        json!({"input_tokens": 120, "cache_read_input_tokens": 1000,
        "cache_creation_input_tokens": 30, "output_tokens": 44}),
    ));
    let (_, spans) = record_async(|| async {
        claude(partial).count().await;
        claude(whole).count().await;
    });
    let (first, second) = (&spans.0[0], &spans.0[1]);
    // Null parts: the input total of `message_start` stands (100 fresh + 1,000 read).
    assert_eq!(first.int_attr(sc::GEN_AI_USAGE_INPUT_TOKENS), Some(1_100));
    assert_eq!(
        first.int_attr(sc::GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS),
        Some(1_000)
    );
    assert_eq!(first.int_attr(sc::GEN_AI_USAGE_OUTPUT_TOKENS), Some(42));
    // All three parts: the new total.
    assert_eq!(second.int_attr(sc::GEN_AI_USAGE_INPUT_TOKENS), Some(1_150));
    assert_eq!(second.int_attr(sc::GEN_AI_USAGE_OUTPUT_TOKENS), Some(44));
}

#[genai_tracing::agent(name = "impatient")]
async fn impatient() {
    let mut s = Box::pin(claude(anthropic_events()));
    s.next().await; // message_start: input counts and a placeholder output count of 1
}

#[test]
fn a_dropped_stream_is_not_priced_and_leaves_its_agents_cost_unknown() {
    let (_, spans) = record_async(impatient);
    let call = spans.0.iter().find(|s| s.name.starts_with("chat")).unwrap();
    assert_eq!(call.str_attr(sc::ERROR_TYPE), Some("cancelled"));
    assert_eq!(call.int_attr(sc::GEN_AI_USAGE_INPUT_TOKENS), Some(1_100));
    assert!(
        call.attr(sc::COST_USD).is_none(),
        "counts so far are not what it cost"
    );
    let agent = spans.one("invoke_agent impatient");
    assert!(agent.attr(sc::COST_USD).is_none());
}

#[test]
fn an_empty_id_and_model_on_the_first_chunk_are_not_kept() {
    let mut chunks = openai_chunks();
    chunks.insert(
        0,
        Ok(json!({"id": "", "object": "", "model": "", "choices": [],
        "prompt_filter_results": [{"prompt_index": 0}]})),
    );
    let (_, spans) = record_async(|| chat(chunks).count());
    let span = &spans.0[0];
    assert_eq!(span.str_attr(sc::GEN_AI_RESPONSE_ID), Some("chatcmpl-9"));
    assert_eq!(
        span.str_attr(sc::GEN_AI_RESPONSE_MODEL),
        Some("gpt-4o-mini-2024-07-18")
    );
}

/// A chunk type whose reading panics (a bug in a user's `ModelChunk`).
struct Broken;

impl genai_tracing::ModelChunk for Broken {
    fn usage(&self) -> genai_tracing::Usage {
        panic!("usage reader bug")
    }
}

#[llm_call(provider = "openai", model = "gpt-4o-mini")]
fn broken() -> impl Stream<Item = Result<Broken, Reset>> {
    stream::iter([Ok(Broken)])
}

#[test]
fn a_panic_while_reading_a_chunk_is_caught_and_fails_the_span() {
    // Reading the chunk is tracing's, not the app's: its panic does not reach the app (see
    // tests/panic_safety.rs).
    let (count, spans) = record_async(|| broken().count());
    assert_eq!(count, 1);
    assert_eq!(
        spans.0[0].str_attr(sc::ERROR_TYPE),
        Some(sc::error_type::PANIC_MODEL_CHUNK)
    );
    assert_eq!(
        spans.0[0].error_description(),
        Some("[not captured: ModelChunk::usage panicked: usage reader bug]")
    );
}

#[llm_call(provider = "openai", model = "gpt-4o-mini-no-usage", skip(chunks))]
fn no_usage(chunks: Vec<Result<Value, Reset>>) -> impl Stream<Item = Result<Value, Reset>> {
    stream::iter(chunks)
}

#[test]
fn a_stream_without_usage_says_so_once() {
    let without_usage = || {
        let mut chunks = openai_chunks();
        chunks.pop(); // no include_usage: no final usage chunk
        chunks
    };
    let (_, spans) = record_async(|| async {
        no_usage(without_usage()).count().await;
        no_usage(without_usage()).count().await;
    });
    let warnings: Vec<_> = spans
        .0
        .iter()
        .flat_map(|s| s.events.iter())
        .filter(|e| e.name.contains("ended without reporting its usage"))
        .collect();
    assert_eq!(warnings.len(), 1, "once per model");
    assert!(warnings[0].name.contains("stream_options.include_usage"));
    assert!(spans.0.iter().all(|s| s.attr(sc::COST_USD).is_none()));
}
