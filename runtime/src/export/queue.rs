//! The export worker: a bounded queue that a thread of its own drains into one exporter, so an
//! instrumented call only ever pushes (or, when the queue is full, counts a drop).
//!
//! The SDK's `BatchSpanProcessor` does the same job but keeps its drop count to itself; this one
//! counts every span it loses, and why, in [`ExportStats`](super::ExportStats), warns on the first
//! loss of each kind, and says when a failing backend works again.

use std::collections::VecDeque;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{SpanData, SpanExporter};
use opentelemetry_sdk::Resource;

use super::stats::Counters;

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

/// Spans that export together: one span, or one whole trace (held by the tail sampler). A lone
/// span is not boxed in a `Vec` of its own: that would be an allocation per span.
// Lone spans are the common case: boxing the large variant would bring the allocation back.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub(crate) enum Unit {
    Span(SpanData),
    Trace(Vec<SpanData>),
}

impl Unit {
    fn len(&self) -> usize {
        match self {
            Self::Span(_) => 1,
            Self::Trace(spans) => spans.len(),
        }
    }
}

/// A queue and its worker thread; the exporter lives on the worker.
#[derive(Debug)]
pub(crate) struct ExportQueue {
    shared: Arc<Shared>,
    worker: Mutex<Option<JoinHandle<()>>>,
}

#[derive(Debug)]
struct Shared {
    /// What the exporter is called in warnings ("OTLP", "file", …).
    name: &'static str,
    settings: QueueSettings,
    state: Mutex<State>,
    /// Wakes the worker: a full batch, a flush, a resource, shutdown.
    wake: Condvar,
    /// Wakes flushers when the worker has exported what they wait for.
    progress: Condvar,
    counters: Arc<Counters>,
}

#[derive(Debug, Default)]
struct State {
    /// Units of spans that export together (never split).
    units: VecDeque<Unit>,
    spans: usize,
    /// Units accepted so far, and units the worker has finished with (exported or failed).
    accepted: u64,
    finished: u64,
    /// Flushers waiting: the worker exports at once rather than at the next interval.
    flushers: usize,
    /// Spans of the batch being exported now.
    in_flight: usize,
    /// Shutdown gave up on the batch in flight (counted as dropped at shutdown): its outcome,
    /// should the export ever return, is not counted again.
    abandoned: bool,
    resource: Option<Resource>,
    shutdown: bool,
}

impl ExportQueue {
    /// Starts the worker thread that owns `exporter`.
    pub(crate) fn spawn<E: SpanExporter + 'static>(
        name: &'static str,
        exporter: E,
        settings: QueueSettings,
        counters: Arc<Counters>,
    ) -> std::io::Result<Self> {
        // The scrubber's rules, made ready off every path that will need them.
        crate::capture::warm_up();
        let shared = Arc::new(Shared {
            name,
            settings,
            state: Mutex::new(State::default()),
            wake: Condvar::new(),
            progress: Condvar::new(),
            counters,
        });
        let worker = {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name(format!("genai-tracing {name} export"))
                .spawn(move || run(&shared, exporter))?
        };
        Ok(Self {
            shared,
            worker: Mutex::new(Some(worker)),
        })
    }

    /// Queues `unit` (spans that export together) without waiting: when the queue is full, or
    /// shut down, the spans are counted as dropped.
    pub(crate) fn push(&self, unit: Unit) {
        let n = unit.len();
        let shared = &*self.shared;
        let mut state = shared.lock();
        if state.shutdown || state.spans + n > shared.settings.max_queue_size {
            drop(state);
            if shared
                .counters
                .dropped_queue_full
                .fetch_add(n as u64, Relaxed)
                == 0
            {
                eprintln!(
                    "genai-tracing: the {} export queue is full ({} spans): spans are being \
                     dropped and counted (genai_tracing::export::stats())",
                    shared.name, shared.settings.max_queue_size
                );
            }
            return;
        }
        state.units.push_back(unit);
        state.spans += n;
        state.accepted += 1;
        let full_batch = state.spans >= shared.settings.max_export_batch_size;
        drop(state);
        if full_batch {
            shared.wake.notify_one();
        }
    }

    /// Hands the exporter the resource (`service.name`, …) before its next export.
    pub(crate) fn set_resource(&self, resource: &Resource) {
        self.shared.lock().resource = Some(resource.clone());
        self.shared.wake.notify_one();
    }

    /// Waits until what was queued before this call is exported (or failed), at most `timeout`.
    pub(crate) fn flush(&self, timeout: Duration) -> OTelSdkResult {
        let shared = &*self.shared;
        let mut state = shared.lock();
        let target = state.accepted;
        state.flushers += 1;
        shared.wake.notify_one();
        let (mut state, _) = shared
            .progress
            .wait_timeout_while(state, timeout, |s| s.finished < target && !s.shutdown)
            .unwrap_or_else(PoisonError::into_inner);
        state.flushers -= 1;
        if state.finished < target {
            return Err(OTelSdkError::Timeout(timeout));
        }
        Ok(())
    }

    /// Exports what is queued, then shuts the exporter down; gives up after `timeout` (a backend
    /// that hangs), counting what is still queued as dropped.
    pub(crate) fn shutdown(&self, timeout: Duration) -> OTelSdkResult {
        let flushed = self.flush(timeout);
        let shared = &*self.shared;
        {
            let mut state = shared.lock();
            if state.shutdown {
                return Err(OTelSdkError::AlreadyShutdown);
            }
            state.shutdown = true;
            // What is still queued, and a batch a hanging backend still holds.
            let lost = (state.spans + state.in_flight) as u64;
            state.abandoned = state.in_flight > 0;
            state.units.clear();
            state.spans = 0;
            if lost > 0 {
                shared.counters.dropped_at_shutdown.fetch_add(lost, Relaxed);
            }
        }
        shared.wake.notify_one();
        shared.progress.notify_all();
        let worker = self
            .worker
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        // A worker stuck in an export to a hanging backend is left to the exporter's timeout.
        if flushed.is_ok() {
            if let Some(worker) = worker {
                let _ = worker.join();
            }
        }
        flushed
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves the queue consistent (plain pushes and pops).
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl State {
    /// Whether the worker has something to do before its interval is up.
    fn wants_worker(&self, batch: usize) -> bool {
        self.spans >= batch
            || (self.flushers > 0 && !self.units.is_empty())
            || self.resource.is_some()
            || self.shutdown
    }
}

/// The worker: waits for a full batch, the interval, a flush or shutdown, then exports.
fn run<E: SpanExporter>(shared: &Shared, mut exporter: E) {
    let settings = &shared.settings;
    // While the backend fails: the failure count when it started failing.
    let mut failing_since: Option<u64> = None;
    loop {
        let (mut state, _) = shared
            .wake
            .wait_timeout_while(shared.lock(), settings.scheduled_delay, |s| {
                !s.wants_worker(settings.max_export_batch_size)
            })
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(resource) = state.resource.take() {
            exporter.set_resource(&resource);
        }
        if state.shutdown && state.units.is_empty() {
            drop(state);
            let _ = exporter.shutdown_with_timeout(settings.export_timeout);
            shared.progress.notify_all();
            return;
        }
        // Whole units, up to a batch (a unit bigger than a batch goes alone). Only the units'
        // headers move under the lock; the spans are gathered after it, so pushes never wait
        // for that.
        let (mut units, mut spans) = (0, 0);
        for unit in &state.units {
            if units > 0 && spans + unit.len() > settings.max_export_batch_size {
                break;
            }
            spans += unit.len();
            units += 1;
        }
        let taken: Vec<Unit> = state.units.drain(..units).collect();
        state.spans -= spans;
        state.in_flight = spans;
        drop(state);
        let mut batch = Vec::with_capacity(spans);
        for unit in taken {
            match unit {
                Unit::Span(span) => batch.push(span),
                Unit::Trace(trace) => batch.extend(trace),
            }
        }
        let units = units as u64;
        if !batch.is_empty() {
            super::scrubbing::scrub_batch(&mut batch);
            let n = batch.len() as u64;
            let result = futures_executor::block_on(exporter.export(batch));
            let mut state = shared.lock();
            state.in_flight = 0;
            if state.abandoned {
                return;
            }
            drop(state);
            match result {
                Ok(()) => {
                    shared.counters.exported.fetch_add(n, Relaxed);
                    if let Some(since) = failing_since.take() {
                        eprintln!(
                            "genai-tracing: {} export works again ({} spans lost while it failed)",
                            shared.name,
                            shared.counters.failed.load(Relaxed) - since
                        );
                    }
                }
                Err(err) => {
                    let before = shared.counters.failed.fetch_add(n, Relaxed);
                    shared
                        .counters
                        .set_last_error(format!("{}: {err}", shared.name));
                    if failing_since.is_none() {
                        failing_since = Some(before);
                        eprintln!(
                            "genai-tracing: {} export failed, {n} spans lost (counted in \
                             genai_tracing::export::stats()): {err}",
                            shared.name
                        );
                    }
                }
            }
        }
        let mut state = shared.lock();
        state.finished += units;
        drop(state);
        shared.progress.notify_all();
    }
}
