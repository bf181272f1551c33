//! Record and replay: a recorded run played back deterministically, so that a failing agent run
//! becomes a test.
//!
//! **Record mode** (off by default; [`set_recording`], [`Builder::record`](crate::Builder::record)
//! or [`RECORD_ENV`]) writes on every `#[tool]` span and every non-streaming `#[llm_call]` span
//! what the call returned:
//!
//! - [`REPLAY_KEY`](crate::semconv::REPLAY_KEY): `{operation} {name}`, the tool's name for a tool
//!   (`execute_tool calculator`), the function's name for a model call (`chat plan`);
//! - [`REPLAY_OUTPUT`](crate::semconv::REPLAY_OUTPUT): the return value as JSON, exact and
//!   untruncated up to [`record_limit`] (1 MiB unless [`set_record_limit`] says otherwise);
//! - or [`REPLAY_SKIPPED`](crate::semconv::REPLAY_SKIPPED): `too large` past the limit, `not
//!   serializable` for a type that cannot be recorded.
//!
//! Recording is its own opt-in, apart from content capture: it stores outputs **verbatim**, with
//! no scrubbing of secrets and no bound but its own limit. Use it in development and tests.
//!
//! What is recorded depends on the return type named in the signature (of an `async fn`, its
//! output), decided on the concrete type:
//!
//! - `Serialize + DeserializeOwned`: the whole value (a `Result` as `{"Ok": ..}` or `{"Err": ..}`);
//! - a `Result<T, E>` whose `T` is, and whose `E` is `Display`: `{"Ok": t}` or
//!   `{"Err": "<e's text>"}`;
//! - anything else is skipped as `not serializable`: so is a return type written with
//!   `impl Trait` or one that borrows (a reference or a lifetime argument, e.g. `&str`), which
//!   no recording can be turned back into.
//!
//! Streaming model calls are not recorded at all (their key is not set either): what they return
//! is a stream, and its chunks are consumed by the caller after the call has returned.
//!
//! **Replay mode**: a [`Cassette`] of recordings (from the spans of a recorded run, or built by
//! hand) serves a future ([`Cassette::serve`]) or a closure ([`Cassette::serve_sync`]). Each call
//! takes the next recording of its key and returns it without running its body; its span is
//! created as usual (usage, cost and error status read from the replayed value) and carries
//! [`REPLAY_REPLAYED`](crate::semconv::REPLAY_REPLAYED). A recorded `Err` of an error recorded by
//! its text is served back only if the error type is `From<String>`. Whatever cannot be served
//! runs for real and is listed by [`Cassette::misses`]; [`Cassette::assert_all_served`] checks the
//! run went as recorded. A call served from the cassette does not run its body, so the calls its
//! body would make do not happen either: their recordings are skipped with it.
//!
//! Positions are counted per key in the order calls are made, so a run replays exactly when it
//! makes its calls of each key in the recorded order (calls of different keys may interleave
//! differently).
//!
//! ```
//! use genai_tracing::replay::Cassette;
//! # use opentelemetry::trace::TracerProvider as _;
//! # use tracing_subscriber::layer::SubscriberExt as _;
//!
//! static ROLLS: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);
//!
//! #[genai_tracing::tool]
//! fn dice() -> u8 {
//!     ROLLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 6 + 1
//! }
//!
//! // Record a run into an in-memory exporter.
//! let spans = opentelemetry_sdk::trace::InMemorySpanExporter::default();
//! let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder()
//!     .with_simple_exporter(spans.clone())
//!     .build();
//! let subscriber = tracing_subscriber::registry()
//!     .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")));
//! genai_tracing::replay::set_recording(true);
//! let rolled = tracing::subscriber::with_default(subscriber, || [dice(), dice()]);
//!
//! assert_eq!(rolled, [1, 2]);
//!
//! // Replay it: the same numbers, without rolling.
//! let cassette = Cassette::from_spans(&spans.get_finished_spans()?);
//! assert_eq!(cassette.serve_sync(|| [dice(), dice()]), [1, 2]);
//! cassette.assert_all_served();
//! # Ok::<(), opentelemetry_sdk::error::OTelSdkError>(())
//! ```

mod cassette;
pub(crate) mod codec;

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll};

use tracing::span::Id;
use tracing::Span;

pub use cassette::{Cassette, Miss, MissReason, Recording};
use codec::Codec;

use crate::call::{Call, CallFuture};
use crate::semconv as sc;

/// The environment variable that switches record mode on (`true`) or off (`false`), read by
/// [`Builder::from_env`](crate::Builder::from_env) and applied by
/// [`Builder::install`](crate::Builder::install).
pub const RECORD_ENV: &str = "GENAI_TRACING_RECORD";

/// The default [`record_limit`]: 1 MiB of JSON.
pub const DEFAULT_RECORD_LIMIT: usize = 1 << 20;

static RECORDING: AtomicBool = AtomicBool::new(false);
static LIMIT: AtomicUsize = AtomicUsize::new(DEFAULT_RECORD_LIMIT);

/// Switches record mode on or off for the whole process (see the [module](self) documentation).
///
/// ```
/// genai_tracing::replay::set_recording(true);
/// assert!(genai_tracing::replay::recording());
/// ```
pub fn set_recording(on: bool) {
    RECORDING.store(on, Ordering::Relaxed);
}

/// Whether record mode is on (off unless [`set_recording`] or the [`Builder`](crate::Builder)
/// switched it on).
#[inline]
pub fn recording() -> bool {
    RECORDING.load(Ordering::Relaxed)
}

/// Sets the longest output recorded, in bytes of JSON; a longer one is skipped as `too large`.
///
/// ```
/// genai_tracing::replay::set_record_limit(64 * 1024);
/// assert_eq!(genai_tracing::replay::record_limit(), 64 * 1024);
/// ```
pub fn set_record_limit(bytes: usize) {
    LIMIT.store(bytes, Ordering::Relaxed);
}

/// The longest output recorded, in bytes of JSON ([`DEFAULT_RECORD_LIMIT`] unless
/// [`set_record_limit`] changed it).
pub fn record_limit() -> usize {
    LIMIT.load(Ordering::Relaxed)
}

/// A replayable call: its key and how its return value is recorded (used by the macros'
/// expansion, through `replay!`).
#[doc(hidden)]
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

/// The [`Replay`] of a call filed under `key`, returning `ty` (used by the macros' expansion).
#[macro_export]
#[doc(hidden)]
macro_rules! __genai_replay {
    ($key:expr, $ty:ty) => {
        $crate::__private::Replay::new($key, $crate::__genai_codec!($ty))
    };
    // A return type that cannot be named or borrows: never recorded nor replayed.
    ($key:expr) => {
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
        let cassette = cassette::in_force()?;
        let pending = cassette.next(self.key, self.codec.decode.is_some())?;
        let value = pending.settle(self.codec.decode?)?;
        replayed();
        Some(value)
    }

    /// As the call ends with `value`: records it when recording.
    fn record(&self, call: &Call, value: &R) {
        if !recording() {
            return;
        }
        let span = call.span();
        match codec::encode(self.codec.encode, value, record_limit()) {
            Ok(json) => span.record(sc::REPLAY_OUTPUT, json.as_str()),
            Err(unrecorded) => span.record(sc::REPLAY_SKIPPED, unrecorded.as_str()),
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
    #[doc(hidden)]
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
