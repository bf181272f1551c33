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
mod record;
mod recordings;

pub use cassette::{Cassette, Miss, MissReason};
pub use record::{
    record_limit, recording, set_record_limit, set_recording, DEFAULT_RECORD_LIMIT, RECORD_ENV,
};
pub use recordings::Recording;
