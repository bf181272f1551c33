//! Online scoring: each trace whose root ended is scored on a thread of its own, off the agent's
//! path, before the tail sampler decides it. Scores are attached to the spans they judge as
//! `gen_ai.evaluation.result` events; spans the scorers create (an LLM judge's evaluator and
//! model call) join the trace; a failed score keeps it.
//!
//! The queue to the scorers is bounded: a trace that finds it full is decided unscored, counted
//! in [`ExportStats::traces_unscored`](super::ExportStats). Scorers run on a current-thread Tokio
//! runtime with the pipeline's dispatcher in force, so an `#[llm_call]` judge is traced and can
//! use Tokio-based clients.

use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use opentelemetry::trace::TraceId;
use opentelemetry_proto::transform::common::tonic::ResourceAttributesWithSchema;
use opentelemetry_sdk::trace::SpanData;
use opentelemetry_sdk::Resource;

use super::queue::Unit;
use super::stages::Stages;
use crate::trace::{attach_scores, score_trace_within, Score, Scorer, Trace};

/// How many traces may wait for the scorers.
const CAPACITY: usize = 1024;

thread_local! {
    /// Set on the scoring thread.
    static ON_SCORING_THREAD: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// What the scoring thread shares with the pipeline.
struct Shared {
    scorers: Vec<Arc<dyn Scorer>>,
    keep_failed: bool,
    /// How long one scorer may take on one trace.
    timeout: Duration,
    stages: Arc<Stages>,
    /// The pipeline's dispatcher, for the spans scorers create (weak: the dispatcher owns the
    /// pipeline).
    dispatch: OnceLock<tracing::dispatcher::WeakDispatch>,
    resource: Mutex<ResourceAttributesWithSchema>,
    /// Traces queued or being scored, and their spans.
    pending: Mutex<(usize, usize)>,
    idle: Condvar,
    /// Shutdown gave up waiting and counted what was left as lost: the thread stops.
    abandoned: AtomicBool,
}

/// The scoring stage of the pipeline.
pub(crate) struct Scoring {
    sender: Mutex<Option<SyncSender<Vec<SpanData>>>>,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Scoring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.shared.scorers.iter().map(|s| s.name()).collect();
        f.debug_struct("Scoring")
            .field("scorers", &names)
            .finish_non_exhaustive()
    }
}

impl Scoring {
    /// Starts the scoring thread.
    pub(crate) fn start(
        scorers: Vec<Arc<dyn Scorer>>,
        keep_failed: bool,
        timeout: Duration,
        stages: Arc<Stages>,
    ) -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let shared = Arc::new(Shared {
            scorers,
            keep_failed,
            timeout,
            stages,
            dispatch: OnceLock::new(),
            resource: Mutex::new(ResourceAttributesWithSchema::default()),
            pending: Mutex::new((0, 0)),
            idle: Condvar::new(),
            abandoned: AtomicBool::new(false),
        });
        let (sender, receiver) = sync_channel(CAPACITY);
        let worker = shared.clone();
        std::thread::Builder::new()
            .name("genai-tracing-scoring".into())
            .spawn(move || {
                ON_SCORING_THREAD.set(true);
                worker.run(&runtime, receiver)
            })?;
        Ok(Self {
            sender: Mutex::new(Some(sender)),
            shared,
        })
    }

    /// The dispatcher the scorers' own spans go to.
    pub(crate) fn set_dispatch(&self, dispatch: &tracing::Dispatch) {
        let _ = self.shared.dispatch.set(dispatch.downgrade());
    }

    pub(crate) fn set_resource(&self, resource: &Resource) {
        *self
            .shared
            .resource
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = resource.into();
    }

    /// Queues a trace whose root ended; when the queue is full (or closed), decides it unscored.
    /// A trace whose root ended on the scoring thread (spans a scorer made: a tool it called, a
    /// task its judge spawned) is never scored itself: scorers would judge their own work, without
    /// end.
    pub(crate) fn submit(&self, spans: Vec<SpanData>) {
        let count = spans.len();
        let refused = if ON_SCORING_THREAD.get() {
            Some(spans)
        } else {
            // Counted as pending under the lock, so that shutdown counts each trace once.
            let mut pending = self
                .shared
                .pending
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let sender = self.sender.lock().unwrap_or_else(PoisonError::into_inner);
            let sent = match sender.as_ref() {
                Some(sender) => sender.try_send(spans).map_err(|e| match e {
                    TrySendError::Full(spans) | TrySendError::Disconnected(spans) => spans,
                }),
                None => Err(spans), // shut down
            };
            match sent {
                Ok(()) => {
                    pending.0 += 1;
                    pending.1 += count;
                    None
                }
                Err(spans) => Some(spans),
            }
        };
        if let Some(spans) = refused {
            self.shared
                .stages
                .counters
                .traces_unscored
                .fetch_add(1, Relaxed);
            self.shared.settle(spans, false);
        }
    }

    /// Waits until every queued trace is scored and decided, at most `timeout`; whether it did.
    pub(crate) fn wait_idle(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut pending = self
            .shared
            .pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        while pending.0 > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            pending = self
                .shared
                .idle
                .wait_timeout(pending, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        true
    }

    /// Stops taking traces and scores what is queued, at most `timeout`; what is left then is
    /// counted as lost at shutdown.
    pub(crate) fn shutdown(&self, timeout: Duration) {
        self.sender
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if !self.wait_idle(timeout) {
            let pending = self
                .shared
                .pending
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            self.shared.abandoned.store(true, Relaxed);
            let counters = &self.shared.stages.counters;
            counters
                .traces_unscored
                .fetch_add(pending.0 as u64, Relaxed);
            counters
                .dropped_at_shutdown
                .fetch_add(pending.1 as u64, Relaxed);
        }
    }
}

impl Shared {
    fn run(&self, runtime: &tokio::runtime::Runtime, traces: Receiver<Vec<SpanData>>) {
        while let Ok(mut spans) = traces.recv() {
            let count = spans.len();
            let scores = self.score(runtime, &spans);
            let failed = self.keep_failed && scores.iter().any(Score::failed);
            attach_scores(&mut spans, &scores);
            // Under the lock, so that shutdown counts this trace once: lost, or scored.
            let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
            if self.abandoned.load(Relaxed) {
                return;
            }
            self.stages.counters.traces_scored.fetch_add(1, Relaxed);
            self.settle(spans, failed);
            pending.0 -= 1;
            pending.1 -= count;
            if pending.0 == 0 {
                self.idle.notify_all();
            }
        }
    }

    fn score(&self, runtime: &tokio::runtime::Runtime, spans: &[SpanData]) -> Vec<Score> {
        let resource = self.resource.lock().unwrap_or_else(PoisonError::into_inner);
        let trace = Trace::from_spans_with(spans.to_vec(), &resource).pop();
        drop(resource);
        let Some(trace) = trace else {
            return Vec::new();
        };
        let run = || runtime.block_on(score_trace_within(&trace, &self.scorers, self.timeout));
        match self.dispatch.get().and_then(|d| d.upgrade()) {
            Some(dispatch) => tracing::dispatcher::with_default(&dispatch, run),
            None => run(),
        }
    }

    /// Lets the tail sampler decide the trace, and sends it on if kept.
    fn settle(&self, spans: Vec<SpanData>, failed: bool) {
        let Some(first) = spans.first() else { return };
        let id: TraceId = first.span_context.trace_id();
        if let Some(tail) = &self.stages.tail {
            if let Some(kept) = tail.settle(id, spans, failed) {
                self.stages.send(Unit::Trace(kept));
            }
        }
    }
}
