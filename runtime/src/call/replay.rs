//! The replay hooks of a call (see [`crate::replay`]): a `#[tool]` or non-streaming `#[llm_call]`
//! runs through [`Call::run_replayable`] or [`Call::instrument_replayable`], which file its span
//! under its key and record the value it returns when recording, and return the recorded value
//! instead of running the body when the cassette in force serves the call.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use tracing::span::Id;
use tracing::Span;

use super::lifecycle::{Call, CallFuture};
use crate::capture::catch;
use crate::context::scope::in_force;
use crate::replay::codec::{encode, Codec, Unrecorded};
use crate::replay::{record_limit, recording};
use crate::semconv as sc;
use crate::semconv::error_type::PANIC_SERIALIZE;

/// A replayable call: its key and how its return value is recorded (used by the macros'
/// expansion, through `replay!`).
pub struct Replay<R> {
    key: &'static str,
    codec: Codec<R>,
}

impl<R> Clone for Replay<R> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<R> Copy for Replay<R> {}

/// The [`Replay`] of a call returning `ty` (used by the macros' expansion), filed under its key:
/// `tool "calculator"` under `execute_tool calculator` (its span's name), `model "chat" "plan"`
/// under `chat plan` (the operation and the function's name).
#[macro_export]
#[doc(hidden)]
macro_rules! __genai_replay {
    (tool $name:literal $(, $ty:ty)?) => {
        $crate::__genai_replay!(@key $crate::__genai_span_name!(tool, $name) $(, $ty)?)
    };
    (model $operation:literal $function:literal $(, $ty:ty)?) => {
        $crate::__genai_replay!(@key concat!($operation, " ", $function) $(, $ty)?)
    };
    (@key $key:expr, $ty:ty) => {
        $crate::__private::Replay::new($key, $crate::__genai_codec!($ty))
    };
    // A return type that cannot be named or borrows: never recorded nor replayed.
    (@key $key:expr) => {
        $crate::__private::Replay::new($key, $crate::__private::Codec::NONE)
    };
}

impl<R> Replay<R> {
    /// The call filed under `key`, recorded by `codec`.
    pub fn new(key: &'static str, codec: Codec<R>) -> Self {
        Self { key, codec }
    }

    /// As the call starts: files its span under its key when recording.
    #[inline]
    fn start(&self, call: &Call) {
        if recording() && call.is_recording() {
            call.span().record(sc::REPLAY_KEY, self.key);
        }
    }

    /// The recorded value of this call, when the cassette in force has one that decodes; then
    /// `replayed` marks the span. `None` when no cassette is in force, or it has nothing to serve
    /// (the miss is counted).
    #[inline]
    fn replayed(&self, replayed: impl FnOnce()) -> Option<R> {
        let cassette = in_force()?;
        let pending = cassette.next(self.key, self.codec.decode.is_some())?;
        let value = pending.settle(self.codec.decode?)?;
        replayed();
        Some(value)
    }

    /// As the call ends with `value`: records it when recording. A `Serialize` that panics is
    /// caught: the value is not recorded and the call fails (see `capture/fault.rs`).
    fn record(&self, call: &Call, value: &R) {
        if !recording() {
            return;
        }
        let span = call.span();
        let encoded = call.guarded(|| {
            catch(PANIC_SERIALIZE, "Serialize", || {
                encode(self.codec.encode, value, record_limit())
            })
        });
        match encoded {
            Ok(Ok(json)) => span.record(sc::REPLAY_OUTPUT, json.as_str()),
            Ok(Err(unrecorded)) => span.record(sc::REPLAY_SKIPPED, unrecorded.as_str()),
            Err(_) => span.record(sc::REPLAY_SKIPPED, Unrecorded::NotSerializable.as_str()),
        };
    }

    /// `finish`, then the recording of the value.
    fn finishing(self, finish: impl FnOnce(&Call, &R)) -> impl FnOnce(&Call, &R) {
        move |call, value| {
            finish(call, value);
            self.record(call, value);
        }
    }
}

/// The replay hooks of a call: the macros' expansion calls these instead of [`Call::run`] and
/// [`Call::instrument`] for a `#[tool]` or non-streaming `#[llm_call]`.
impl Call {
    /// [`Call::run`], returning the recorded value instead of running `body` when the cassette
    /// in force serves this call, and recording the value when recording.
    #[inline]
    pub fn run_replayable<R>(
        self,
        replay: Replay<R>,
        body: impl FnOnce() -> R,
        finish: impl FnOnce(&Call, &R),
    ) -> R {
        replay.start(&self);
        let replayed = replay.replayed(|| {
            self.span().record(sc::REPLAY_REPLAYED, true);
        });
        self.run(
            move || match replayed {
                Some(value) => value,
                None => body(),
            },
            replay.finishing(finish),
        )
    }

    /// [`Call::instrument`], likewise: the cassette is the one in force when the future is first
    /// polled (an `#[async_trait]` method's future may be made before it is served).
    pub fn instrument_replayable<F, Fin>(
        self,
        replay: Replay<F::Output>,
        future: F,
        finish: Fin,
    ) -> CallFuture<Replaying<F>, impl FnOnce(&Call, &F::Output)>
    where
        F: Future,
        Fin: FnOnce(&Call, &F::Output),
    {
        replay.start(&self);
        let body = Replaying {
            replay: Some(replay),
            span: self.span().id(),
            body: future,
        };
        self.instrument(body, replay.finishing(finish))
    }
}

pin_project_lite::pin_project! {
    /// The body of a replayable `async fn`: on its first poll, the recorded value if the cassette
    /// in force has one, else the body (used by the macros' expansion).
    pub struct Replaying<F: Future> {
        // Until the first poll.
        replay: Option<Replay<F::Output>>,
        // The call's span, polled inside it: its id, not a handle (no reference counted per call).
        span: Option<Id>,
        #[pin]
        body: F,
    }
}

impl<F: Future> Future for Replaying<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        if let Some(replay) = this.replay.take() {
            let span = this.span.take();
            let replayed = replay.replayed(|| {
                // The call's span is entered while its body is polled.
                let current = Span::current();
                if current.id().is_some() && current.id() == span {
                    current.record(sc::REPLAY_REPLAYED, true);
                }
            });
            if let Some(value) = replayed {
                return Poll::Ready(value);
            }
        }
        this.body.poll(cx)
    }
}
