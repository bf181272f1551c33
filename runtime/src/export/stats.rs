//! What the export pipeline did with the spans it was given: exported, sampled out, or lost and
//! why. Counters are atomics bumped by the pipeline; [`ExportStats`] is a snapshot of them.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

/// The live counters of one installed pipeline.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) exported: AtomicU64,
    pub(crate) dropped_queue_full: AtomicU64,
    pub(crate) failed: AtomicU64,
    pub(crate) dropped_at_shutdown: AtomicU64,
    pub(crate) traces_kept: AtomicU64,
    pub(crate) traces_sampled_out: AtomicU64,
    pub(crate) spans_sampled_out: AtomicU64,
    pub(crate) traces_decided_early: AtomicU64,
    pub(crate) traces_scored: AtomicU64,
    pub(crate) traces_unscored: AtomicU64,
    last_error: Mutex<Option<String>>,
}

impl Counters {
    pub(crate) fn set_last_error(&self, error: String) {
        *self
            .last_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(error);
    }

    pub(crate) fn snapshot(&self) -> ExportStats {
        ExportStats {
            exported: self.exported.load(Relaxed),
            dropped_queue_full: self.dropped_queue_full.load(Relaxed),
            failed: self.failed.load(Relaxed),
            dropped_at_shutdown: self.dropped_at_shutdown.load(Relaxed),
            traces_kept: self.traces_kept.load(Relaxed),
            traces_sampled_out: self.traces_sampled_out.load(Relaxed),
            spans_sampled_out: self.spans_sampled_out.load(Relaxed),
            traces_decided_early: self.traces_decided_early.load(Relaxed),
            traces_scored: self.traces_scored.load(Relaxed),
            traces_unscored: self.traces_unscored.load(Relaxed),
            last_error: self
                .last_error
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone(),
        }
    }
}

/// A snapshot of what the export pipeline did with its spans (see [`stats`](super::stats)).
///
/// Span counts are per exporter: a span sent to two exporters counts twice. Sampling is not a
/// loss: [`ExportStats::lost`] counts only what the pipeline meant to export and could not.
///
/// ```
/// let stats = genai_tracing::export::stats();
/// if stats.lost() > 0 {
///     eprintln!("{} spans lost, last error: {:?}", stats.lost(), stats.last_error);
/// }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExportStats {
    /// Spans the exporters accepted.
    pub exported: u64,
    /// Spans dropped because an export queue was full (a slow or hanging backend).
    pub dropped_queue_full: u64,
    /// Spans in batches the exporter failed to deliver (dead backend, HTTP 500, timeout).
    pub failed: u64,
    /// Spans still queued when shutdown gave up waiting for the backend, or still waiting for
    /// the online scorers when shutdown gave up on them (those are counted once, not per
    /// exporter).
    pub dropped_at_shutdown: u64,
    /// Traces the tail sampler kept.
    pub traces_kept: u64,
    /// Traces the tail sampler let go (neither errored nor marked nor drawn).
    pub traces_sampled_out: u64,
    /// The spans of those traces.
    pub spans_sampled_out: u64,
    /// Traces decided before their root ended: held longer than the maximum age, pushed out by
    /// the span bound, or still open at shutdown (see [`TailSampling`](super::TailSampling)).
    pub traces_decided_early: u64,
    /// Traces the online scorers scored (see [`Builder::score`](crate::Builder::score)).
    pub traces_scored: u64,
    /// Traces decided without their scores: the scoring queue was full, or shutdown came first.
    pub traces_unscored: u64,
    /// The last export error, prefixed with the exporter's name.
    pub last_error: Option<String>,
}

impl ExportStats {
    /// Spans meant for export and lost: queue full, failed exports, and left at shutdown.
    pub fn lost(&self) -> u64 {
        self.dropped_queue_full + self.failed + self.dropped_at_shutdown
    }
}

/// The counters of the pipeline [`Builder::install`](crate::Builder::install) installed last.
static INSTALLED: RwLock<Option<Arc<Counters>>> = RwLock::new(None);

pub(crate) fn install(counters: Arc<Counters>) {
    *INSTALLED.write().unwrap_or_else(PoisonError::into_inner) = Some(counters);
}

/// What the installed pipeline has done so far (all zero before [`crate::init`]).
///
/// ```
/// let stats = genai_tracing::export::stats();
/// assert_eq!(stats.lost(), stats.dropped_queue_full + stats.failed + stats.dropped_at_shutdown);
/// ```
pub fn stats() -> ExportStats {
    INSTALLED
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .as_ref()
        .map(|c| c.snapshot())
        .unwrap_or_default()
}
