//! Where spans go once they end: a pipeline that never blocks the agent and never loses a span
//! without counting it.
//!
//! [`Builder::install`](crate::Builder::install) puts one [`SpanProcessor`] in front of every
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
mod queue;
mod scoring;
mod stats;
mod tail;

use std::sync::Arc;
use std::time::{Duration, Instant};

use opentelemetry::Context;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{Span, SpanData, SpanProcessor};
use opentelemetry_sdk::Resource;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

pub use backend::{Backend, BackendError, BACKEND_ENV};
pub use console::{render_tree, ConsoleExporter};
pub use file::FileExporter;
pub(crate) use stats::install as install_counters;
pub use stats::{stats, ExportStats};
pub use tail::{KeepHook, TailSampling};

pub(crate) use queue::ExportQueue;
use queue::Unit;
pub(crate) use scoring::Scoring;
pub(crate) use stats::Counters;
pub(crate) use tail::TailSampler;

use crate::semconv as sc;

/// Marks the current span's trace to be kept by the tail sampler, whatever the draw (e.g. when
/// a check inside the agent fails without an error). Without a current span it does nothing.
///
/// ```
/// # #[genai_tracing::agent] fn run() {
/// genai_tracing::export::keep_trace();
/// # }
/// ```
pub fn keep_trace() {
    let span = tracing::Span::current();
    if !span.is_disabled() {
        span.set_attribute(sc::SAMPLING_KEEP, true);
    }
}

/// The export queue's bounds, from the standard `OTEL_BSP_*` variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct QueueSettings {
    pub(crate) max_queue_size: usize,
    pub(crate) max_export_batch_size: usize,
    pub(crate) scheduled_delay: Duration,
    pub(crate) export_timeout: Duration,
}

impl Default for QueueSettings {
    fn default() -> Self {
        Self {
            max_queue_size: 2048,
            max_export_batch_size: 512,
            scheduled_delay: Duration::from_millis(5000),
            export_timeout: Duration::from_millis(30_000),
        }
    }
}

/// The stages after the span processor's entry: tail sampling and the export queues (shared
/// with the scoring thread, which hands traces back to them).
#[derive(Debug)]
pub(crate) struct Stages {
    pub(crate) tail: Option<TailSampler>,
    queues: Vec<ExportQueue>,
    pub(crate) counters: Arc<Counters>,
}

impl Stages {
    pub(crate) fn new(
        tail: Option<TailSampler>,
        queues: Vec<ExportQueue>,
        counters: Arc<Counters>,
    ) -> Self {
        Self {
            tail,
            queues,
            counters,
        }
    }

    pub(crate) fn send(&self, unit: Unit) {
        if let Some((last, rest)) = self.queues.split_last() {
            for queue in rest {
                queue.push(unit.clone());
            }
            last.push(unit);
        }
    }
}

/// The span processor [`Builder::install`](crate::Builder::install) installs: tail sampling,
/// online scoring, then a queue per exporter.
#[derive(Debug)]
pub(crate) struct Pipeline {
    stages: Arc<Stages>,
    scoring: Option<Arc<Scoring>>,
    shutdown_timeout: Duration,
}

impl Pipeline {
    pub(crate) fn new(
        stages: Arc<Stages>,
        scoring: Option<Arc<Scoring>>,
        shutdown_timeout: Duration,
    ) -> Self {
        Self {
            stages,
            scoring,
            shutdown_timeout,
        }
    }

    /// Runs `step` (a flush or a shutdown) on every queue, each given what is left until
    /// `deadline`, so that all of them together end by then; every queue gets its turn, and the
    /// first error is reported.
    fn each_within(
        &self,
        deadline: Instant,
        step: fn(&ExportQueue, Duration) -> OTelSdkResult,
    ) -> OTelSdkResult {
        let mut result = Ok(());
        for queue in &self.stages.queues {
            let outcome = step(queue, deadline.saturating_duration_since(Instant::now()));
            if result.is_ok() {
                result = outcome;
            }
        }
        result
    }
}

impl SpanProcessor for Pipeline {
    fn on_start(&self, _span: &mut Span, _cx: &Context) {}

    fn on_end(&self, span: SpanData) {
        if !span.span_context.is_sampled() {
            return;
        }
        match &self.stages.tail {
            Some(tail) => {
                let offered = tail.offer(span, self.scoring.is_some());
                for trace in offered.export {
                    self.stages.send(Unit::Trace(trace));
                }
                if let (Some(trace), Some(scoring)) = (offered.score, &self.scoring) {
                    scoring.submit(trace);
                }
            }
            None => self.stages.send(Unit::Span(span)),
        }
    }

    /// Scores what waits for the scorers (at most half the shutdown timeout), then exports what
    /// is queued; traces the tail sampler holds stay held until their roots end. An error when
    /// the scorers or a queue did not finish in time.
    fn force_flush(&self) -> OTelSdkResult {
        let deadline = Instant::now() + self.shutdown_timeout;
        let scorers = self.shutdown_timeout / 2;
        let idle = self.scoring.as_ref().is_none_or(|s| s.wait_idle(scorers));
        let flushed = self.each_within(deadline, ExportQueue::flush);
        if !idle {
            return Err(OTelSdkError::Timeout(scorers));
        }
        flushed
    }

    /// Gives the scorers at most half of `timeout`, so the queues always keep the rest for
    /// what is already queued.
    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        let timeout = timeout.min(self.shutdown_timeout);
        let deadline = Instant::now() + timeout;
        if let Some(scoring) = &self.scoring {
            scoring.shutdown(timeout / 2);
        }
        if let Some(tail) = &self.stages.tail {
            for trace in tail.drain() {
                self.stages.send(Unit::Trace(trace));
            }
        }
        self.each_within(deadline, ExportQueue::shutdown)
    }

    fn set_resource(&mut self, resource: &Resource) {
        for queue in &self.stages.queues {
            queue.set_resource(resource);
        }
        if let Some(scoring) = &self.scoring {
            scoring.set_resource(resource);
        }
    }
}
