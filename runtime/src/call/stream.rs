//! Streaming model calls: one span that lasts until the stream ends.
//!
//! A streaming `#[llm_call]` returns its stream wrapped in a [`TracedStream`], which carries the
//! call. Each chunk is read as it passes ([`ModelChunk`]): the first sets
//! `gen_ai.response.time_to_first_chunk`; ids, model, usage and finish reasons are kept (a few
//! bytes); the content is assembled only when capture is on, and only up to the capture limit.
//! The span ends when the stream does:
//!
//! - at its end: what the chunks said is recorded, as for a whole response (usage, cost, output
//!   messages);
//! - on an `Err` item or an in-band error event: status ERROR with the error's type (the stream
//!   goes on; the span ends with it);
//! - dropped before its end: what arrived is recorded and the call is marked `cancelled`, with the
//!   number of chunks read;
//! - a panic while polling: ERROR `panic`, and the panic goes on;
//! - a chunk's `ModelChunk` method that panics: caught (the app gets its item as ever), taken to
//!   say nothing, and the call ends ERROR `genai_tracing.panic.model_chunk` unless it failed on its
//!   own (see `capture/fault.rs`).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

use super::lifecycle::Call;
use super::model::{ModelCall, Priced};
use crate::capture::floor_char_boundary;
use crate::capture::{capture_limits, catch, collect};
use crate::failure::Described;
use crate::model::{
    finish_reason, Delta, DeltaPart, MessagePart, ModelChunk, ModelResponse, OutputMessage, Usage,
};
use crate::semconv as sc;
use crate::semconv::error_type::{CANCELLED, PANIC_MODEL_CHUNK};

pin_project_lite::pin_project! {
    /// A model response stream traced as one call (used by the macros' expansion): it yields the
    /// inner stream's items unchanged. `V` views an item's chunk as a [`ModelChunk`].
    #[doc(hidden)]
    pub struct TracedStream<S, D, V> {
        #[pin]
        inner: S,
        progress: Progress<D>,
        chunk: V,
    }
}

/// The call in progress; `None` once it ended (or when nothing records it).
struct Progress<D> {
    call: Option<Call>,
    describe: D,
    streamed: Streamed,
    /// Whether an error item or event was recorded: the first one describes the call.
    failed: bool,
}

impl<S, D, V> TracedStream<S, D, V> {
    fn new(inner: S, call: Call, describe: D, chunk: V) -> Self {
        let capture = call.captures_result();
        Self {
            inner,
            progress: Progress {
                call: call.is_recording().then_some(call),
                describe,
                streamed: Streamed::new(capture, capture_limits().max_bytes),
                failed: false,
            },
            chunk,
        }
    }
}

impl Call {
    /// Marks a streaming model call: records `gen_ai.request.stream`.
    pub fn streaming(self) -> Self {
        if self.is_recording() {
            self.span.record(sc::GEN_AI_REQUEST_STREAM, true);
        }
        self
    }

    /// Runs the sync body of a streaming call inside the span, then hands the call to `wrap`,
    /// which moves it into the returned stream (or ends it on an error).
    pub fn run_stream<R, T>(
        mut self,
        body: impl FnOnce() -> R,
        wrap: impl FnOnce(Self, R) -> T,
    ) -> T {
        let value = self.in_span(body);
        wrap(self, value)
    }

    /// The async form of [`Call::run_stream`].
    pub async fn stream_future<F: Future, T>(
        mut self,
        future: F,
        wrap: impl FnOnce(Self, F::Output) -> T,
    ) -> T {
        let value = InSpan {
            call: &mut self,
            future,
        }
        .await;
        wrap(self, value)
    }

    /// Ends the call with the failure `described` (a streaming call whose stream never came).
    pub fn end_failed(mut self, (error_type, description): Described) {
        if let Some(state) = self.0.as_mut() {
            state.ended = true;
            if state.is_recording() {
                state.fail(&error_type, description);
            }
        }
    }

    /// Ends a streaming call whose stream ran to its end, with what it assembled.
    fn end_stream(mut self, response: &impl ModelResponse) {
        if let Some(state) = self.0.as_mut() {
            state.ended = true;
            let state = &*state;
            let Some(call) = state.model.as_deref() else {
                return;
            };
            let usage = state.guarded(|| {
                call.response(&state.span, state.capture_result, response, Priced::Yes)
            });
            if usage.is_empty() {
                let model = call.model_name(response.response_model());
                ModelCall::warn_once(
                    &state.span,
                    format!("stream usage: {model}"),
                    model,
                    format_args!(
                        "a stream of {model:?} ended without reporting its usage: its calls carry \
                         no token counts and no cost (OpenAI sends them only when the request sets \
                         stream_options.include_usage = true)"
                    ),
                );
            }
        }
    }

    /// Ends a streaming call whose stream was dropped before its end: what arrived is recorded,
    /// unpriced (the counts so far are not what the call cost), and the call is marked cancelled
    /// unless it already failed (`failure`: the stream's own error is the better story).
    fn abandon_stream(mut self, response: &impl ModelResponse, chunks: u64, failed: bool) {
        // A stream that panicked while polled has ended as panicked.
        if let Some(state) = self.0.as_mut().filter(|s| !s.ended) {
            state.ended = true;
            let state = &*state;
            if let Some(call) = state.model.as_deref() {
                state.guarded(|| {
                    call.response(&state.span, state.capture_result, response, Priced::No)
                });
            }
            if !failed {
                state.fail(
                    CANCELLED,
                    Some(format!(
                        "stream dropped after {chunks} chunks, before its end"
                    )),
                );
            }
        }
    }

    /// Records the time from the call's start to its first chunk.
    fn first_chunk(&self) {
        if let Some(call) = self.model.as_deref() {
            call.first_chunk(&self.span);
        }
    }

    /// Moves a streaming call into the stream its function returned (used by the macros'
    /// expansion): the span ends when the stream does. `describe` describes an `Err` item,
    /// `chunk` views an `Ok` item as a [`ModelChunk`] (the expansion's `|c| c as &dyn ModelChunk`,
    /// so an item type that is not one is an error on the user's return type).
    pub fn stream<S, C, E, D, V>(self, stream: S, describe: D, chunk: V) -> TracedStream<S, D, V>
    where
        S: Stream<Item = Result<C, E>>,
        D: Fn(&E) -> Described,
        V: Fn(&C) -> &dyn ModelChunk,
    {
        TracedStream::new(stream, self, describe, chunk)
    }
}

pin_project_lite::pin_project! {
    /// A future polled inside a call's span (the body of a streaming call).
    struct InSpan<'a, F> {
        call: &'a mut Call,
        #[pin]
        future: F,
    }
}

impl<F: Future> Future for InSpan<'_, F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let future = this.future;
        this.call.in_span(|| future.poll(cx))
    }
}

impl<S, C, E, D, V> Stream for TracedStream<S, D, V>
where
    S: Stream<Item = Result<C, E>>,
    D: Fn(&E) -> Described,
    V: Fn(&C) -> &dyn ModelChunk,
{
    type Item = S::Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        let this = self.project();
        let Progress {
            call,
            describe,
            streamed,
            failed,
        } = this.progress;
        let (inner, view) = (this.inner, &*this.chunk);
        let Some(live) = call.as_mut() else {
            return inner.poll_next(cx);
        };
        // The chunk is read inside the span too; a `ModelChunk` method that panics is caught
        // there (see `Streamed::apply`) and kept as the call's fault.
        let (polled, first, (failure, fault)) = live.in_span(|| {
            let polled = inner.poll_next(cx);
            let first = streamed.chunks == 0;
            let read = collect(|| match &polled {
                Poll::Ready(Some(Ok(item))) => {
                    let chunk = view(item);
                    streamed.apply(chunk);
                    let error = catch(PANIC_MODEL_CHUNK, "ModelChunk::error", || chunk.error());
                    error.ok().flatten().map(|(t, m)| (Cow::Owned(t), Some(m)))
                }
                Poll::Ready(Some(Err(error))) => {
                    streamed.chunks += 1;
                    Some(describe(error))
                }
                _ => None,
            });
            (polled, first, read)
        });
        if let Some(fault) = fault {
            live.faulted(fault);
        }
        if first && matches!(polled, Poll::Ready(Some(Ok(_)))) {
            live.first_chunk();
        }
        if let (Some((error_type, description)), false) = (failure, *failed) {
            *failed = true;
            live.fail(&error_type, description);
        }
        if let Poll::Ready(None) = polled {
            if let Some(call) = call.take() {
                call.end_stream(streamed);
            }
        }
        polled
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<D> Drop for Progress<D> {
    fn drop(&mut self) {
        if let Some(call) = self.call.take() {
            call.abandon_stream(&self.streamed, self.streamed.chunks, self.failed);
        }
    }
}

/// A return type a streaming `#[llm_call]` can trace besides `impl Stream` (used by the macros'
/// expansion): a boxed stream, traced inside a new box of the same type.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a stream of model chunks that #[llm_call] can trace",
    label = "a streaming #[llm_call] returns `impl Stream<Item = Result<Chunk, E>>` or a boxed `dyn Stream` of them",
    note = "return `impl Stream<Item = Result<Chunk, E>>` or `Pin<Box<dyn Stream<Item = Result<Chunk, E>> + Send>>`; if this function does not stream, drop `stream` or write `stream = false`"
)]
pub trait StreamReturn: Sized {
    /// The error of the stream's items.
    type Error;
    /// This stream, traced by `call`.
    fn traced<D>(self, call: Call, describe: D) -> Self
    where
        D: Fn(&Self::Error) -> Described + Send + Sync + 'static;
}

/// `StreamReturn` for boxed `dyn Stream`s with these auto traits.
macro_rules! boxed_stream_return {
    ($($bounds:tt)*) => {
        impl<'a, C: ModelChunk + 'a, E: 'a> StreamReturn
            for Pin<Box<dyn Stream<Item = Result<C, E>> $($bounds)* + 'a>>
        {
            type Error = E;
            fn traced<D>(self, call: Call, describe: D) -> Self
            where
                D: Fn(&E) -> Described + Send + Sync + 'static,
            {
                // Not boxed again when nothing records the call.
                if !call.is_recording() {
                    return self;
                }
                Box::pin(call.stream(self, describe, |c| c as &dyn ModelChunk))
            }
        }
    };
}

boxed_stream_return!();
boxed_stream_return!(+ Send);
boxed_stream_return!(+ Send + Sync);

/// What the chunks said so far: a response assembled from a stream.
struct Streamed {
    chunks: u64,
    id: Option<String>,
    model: Option<String>,
    usage: Usage,
    /// The provider's finish reason of each choice.
    finished: BTreeMap<u32, String>,
    /// The content of each choice; only when capturing.
    choices: Option<BTreeMap<u32, Choice>>,
    /// Content bytes still kept, and bytes not kept past that.
    room: usize,
    dropped: usize,
}

#[derive(Default)]
struct Choice {
    reasoning: String,
    text: String,
    tool_calls: BTreeMap<u32, ToolCall>,
}

#[derive(Default)]
struct ToolCall {
    id: Option<String>,
    name: String,
    arguments: String,
}

impl Streamed {
    /// `room`: how many bytes of content to keep when capturing.
    fn new(capture: bool, room: usize) -> Self {
        Self {
            chunks: 0,
            id: None,
            model: None,
            usage: Usage::default(),
            finished: BTreeMap::new(),
            choices: capture.then(BTreeMap::new),
            room,
            dropped: 0,
        }
    }

    /// Reads `chunk`. A method of it that panics is caught (reported as the call's fault: see
    /// `capture/fault.rs`) and taken to say nothing.
    fn apply(&mut self, chunk: &dyn ModelChunk) {
        fn read<R: Default>(what: &str, f: impl FnOnce() -> R) -> R {
            catch(PANIC_MODEL_CHUNK, what, f).unwrap_or_default()
        }
        self.chunks += 1;
        // Some servers (Azure OpenAI) open with a chunk whose id and model are empty.
        let given = |s: Option<&str>| s.filter(|s| !s.is_empty()).map(str::to_owned);
        if self.id.is_none() {
            self.id = given(read("ModelChunk::response_id", || chunk.response_id()));
        }
        if self.model.is_none() {
            self.model = given(read("ModelChunk::response_model", || {
                chunk.response_model()
            }));
        }
        self.usage
            .overlay(read("ModelChunk::usage", || chunk.usage()));
        self.finished.extend(read("ModelChunk::finish_reasons", || {
            chunk.finish_reasons()
        }));
        if self.choices.is_some() {
            for delta in read("ModelChunk::deltas", || chunk.deltas()) {
                self.add(delta);
            }
        }
    }

    fn add(&mut self, Delta { choice, part }: Delta) {
        let Some(choices) = self.choices.as_mut() else {
            return;
        };
        let choice = choices.entry(choice).or_default();
        let (target, piece) = match part {
            DeltaPart::Text(text) => (&mut choice.text, text),
            DeltaPart::Reasoning(text) => (&mut choice.reasoning, text),
            DeltaPart::ToolCall {
                index,
                id,
                name,
                arguments,
            } => {
                let call = choice.tool_calls.entry(index).or_default();
                if id.is_some() {
                    call.id = id;
                }
                // Sent once by OpenAI and Anthropic; some servers repeat it.
                if let (Some(name), true) = (name, call.name.is_empty()) {
                    keep(&mut call.name, &name, &mut self.room, &mut self.dropped);
                }
                (&mut call.arguments, arguments)
            }
        };
        keep(target, &piece, &mut self.room, &mut self.dropped);
    }
}

/// Appends `piece` to `target` up to `room` bytes (on a character boundary); the rest is counted
/// in `dropped`, not buffered.
fn keep(target: &mut String, piece: &str, room: &mut usize, dropped: &mut usize) {
    let cut = floor_char_boundary(piece, *room);
    target.push_str(&piece[..cut]);
    *room -= cut;
    *dropped += piece.len() - cut;
}

impl ModelResponse for Streamed {
    fn response_id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    fn response_model(&self) -> Option<&str> {
        self.model.as_deref()
    }

    fn finish_reasons(&self) -> Vec<String> {
        self.finished.values().cloned().collect()
    }

    fn usage(&self) -> Usage {
        self.usage
    }

    fn output_messages(&self) -> Vec<OutputMessage> {
        let Some(choices) = &self.choices else {
            return Vec::new();
        };
        let mut indexes: Vec<u32> = choices
            .keys()
            .chain(self.finished.keys())
            .copied()
            .collect();
        indexes.sort_unstable();
        indexes.dedup();
        let empty = Choice::default();
        let mut messages: Vec<OutputMessage> = indexes
            .into_iter()
            .map(|index| {
                let choice = choices.get(&index).unwrap_or(&empty);
                let mut parts = Vec::new();
                if !choice.reasoning.is_empty() {
                    parts.push(MessagePart::Reasoning {
                        content: choice.reasoning.clone(),
                    });
                }
                if !choice.text.is_empty() {
                    parts.push(MessagePart::text(choice.text.clone()));
                }
                parts.extend(choice.tool_calls.values().map(|call| {
                    MessagePart::ToolCall {
                        id: call.id.clone(),
                        name: call.name.clone(),
                        arguments: serde_json::from_str(&call.arguments)
                            .unwrap_or_else(|_| serde_json::Value::String(call.arguments.clone())),
                    }
                }));
                OutputMessage {
                    role: "assistant".to_owned(),
                    parts,
                    finish_reason: finish_reason(self.finished.get(&index).map(String::as_str)),
                }
            })
            .collect();
        if self.dropped > 0 {
            if let Some(last) = messages.last_mut() {
                last.parts.push(MessagePart::text(format!(
                    "…[truncated: {} more bytes streamed]",
                    self.dropped
                )));
            }
        }
        messages
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn text(piece: &str) -> serde_json::Value {
        json!({"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": null}]})
    }

    #[test]
    fn content_is_kept_up_to_the_room_and_the_rest_only_counted() {
        let mut streamed = Streamed::new(true, 1_000);
        for _ in 0..10_000 {
            streamed.apply(&text("héllo wörld "));
        }
        let kept = &streamed.choices.as_ref().unwrap()[&0].text;
        assert!(kept.len() <= 1_000 && kept.len() > 990, "{}", kept.len());
        assert_eq!(kept.len() + streamed.dropped, 10_000 * "héllo wörld ".len());
        let messages = streamed.output_messages();
        let MessagePart::Text { content } = messages[0].parts.last().unwrap() else {
            panic!("a text part");
        };
        assert!(content.starts_with("…[truncated: "), "{content}");
    }

    #[test]
    fn without_capture_no_content_is_kept() {
        let mut streamed = Streamed::new(false, 1_000);
        for _ in 0..100 {
            streamed.apply(&text("secret"));
        }
        assert!(streamed.choices.is_none());
        assert_eq!(streamed.dropped, 0);
        assert!(streamed.output_messages().is_empty());
        assert_eq!(streamed.chunks, 100);
    }
}
