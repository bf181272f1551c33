//! Where spans go once they end: a pipeline that never blocks the agent and never loses a span
//! without counting it.
//!
//! [`Builder::install`](crate::Builder::install) puts one
//! [`SpanProcessor`](opentelemetry_sdk::trace::SpanProcessor) in front of every
//! exporter it is given (OTLP, [`FileExporter`], [`ConsoleExporter`], or your own):
//!
//! 1. **Tail sampling** (optional, [`TailSampling`]): a trace's spans are held until its root
//!    ends, then the whole trace is kept or let go. Every trace with an error is kept. The file
//!    and console exporters also get whole traces this way (they keep all).
//! 2. **Online scoring** (optional, [`Builder::score`](crate::Builder::score)): a trace whose
//!    root ended is scored off the agent's path; the scores are recorded on it as
//!    `gen_ai.evaluation.result` events, and a failed score keeps it.
//! 3. **A bounded queue per exporter**, drained by a thread of its own. An instrumented call only
//!    pushes: with the backend dead, hanging or failing, calls take no longer, and what cannot be
//!    queued or delivered is counted in [`stats`] and warned about once on stderr. Export resumes
//!    by itself when the backend comes back. Shutdown (dropping the guard) exports what is queued,
//!    waiting at most [`Builder::shutdown_timeout`](crate::Builder::shutdown_timeout).
//!
//! The queue reads the standard `OTEL_BSP_MAX_QUEUE_SIZE` (default 2048 spans),
//! `OTEL_BSP_MAX_EXPORT_BATCH_SIZE` (512), `OTEL_BSP_SCHEDULE_DELAY` (5000 ms) and
//! `OTEL_BSP_EXPORT_TIMEOUT` (30000 ms); the sampler `GENAI_TRACING_TAIL_SAMPLE_RATIO`. Metrics
//! (see [`crate::metrics`]) are recorded for every call, whatever sampling decides.
//!
//! ```no_run
//! use genai_tracing::export::TailSampling;
//! let guard = genai_tracing::Builder::from_env()?
//!     .tail_sampling(TailSampling::keep_errors_and(0.1))
//!     .install()?;
//! // … run agents …
//! println!("{:?}", genai_tracing::export::stats());
//! drop(guard); // exports what is left, within the shutdown timeout
//! # Ok::<(), genai_tracing::InitError>(())
//! ```

mod backend;
mod console;
mod file;
pub(crate) mod otlp;
mod pipeline;
mod queue;
mod scoring;
mod scrubbing;
mod stages;
mod stats;
mod tail;
mod transport;

pub use backend::{Backend, BackendError, BACKEND_ENV};
pub use console::{render_tree, ConsoleExporter, CONSOLE_ENV};
pub use file::{FileExporter, FILE_ENV};
pub use otlp::OtlpProtocol;
pub(crate) use pipeline::Pipeline;
pub(crate) use queue::{ExportQueue, QueueSettings};
pub(crate) use scoring::Scoring;
pub(crate) use stages::Stages;
pub(crate) use stats::{install as install_counters, Counters};
pub use stats::{stats, ExportStats};
pub(crate) use tail::TailSampler;
pub use tail::{keep_trace, KeepHook, TailSampling, TAIL_RATIO_ENV};
pub use transport::TlsError;
