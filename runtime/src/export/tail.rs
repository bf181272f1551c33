//! Tail sampling in process: a trace's spans are held until its root ends, then the whole trace is
//! kept (exported) or let go. Every trace with an error is kept, and every trace marked with
//! [`keep_trace`] or chosen by a hook; the rest with a configured probability.
//!
//! Memory is bounded: past [`TailSampling::max_spans`] held spans, the oldest trace is decided at
//! once, and so is any trace held longer than [`TailSampling::max_age`] (a root that never ends);
//! both are counted in [`ExportStats::traces_decided_early`](super::ExportStats). A trace decided
//! early is decided on what arrived: an error among it still keeps it. Spans of a trace that
//! arrive after its decision (a spawned task outliving its root) follow that decision while it is
//! remembered (the last 16,384 decisions).
//!
//! With online scoring (the pipeline's scoring stage), a trace whose root ended is not decided at
//! once: it goes to the scorers, and the spans that arrive meanwhile (the evaluator's own spans
//! among them) join it; [`TailSampler::settle`] decides it once scored, and a failed score keeps
//! it.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use opentelemetry::trace::{Status, TraceId};
use opentelemetry::Value;
use opentelemetry_sdk::trace::SpanData;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

use super::stats::Counters;
use crate::semconv as sc;

/// Tail sampling: the share (0 to 1) of traces without errors to keep (see [`TailSampling`]).
pub const TAIL_RATIO_ENV: &str = "GENAI_TRACING_TAIL_SAMPLE_RATIO";

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

/// How many decisions are remembered for spans that arrive after their trace was decided.
const REMEMBERED: usize = 16_384;

/// A hook deciding at the end of a trace whether to keep it (e.g. an online score that failed).
pub type KeepHook = Arc<dyn Fn(&[SpanData]) -> bool + Send + Sync>;

/// The tail sampling policy: which traces to keep once they end, and how much to hold meanwhile.
///
/// ```
/// use genai_tracing::export::TailSampling;
/// use std::time::Duration;
/// // Keep every trace with an error, and one in ten of the others.
/// let policy = TailSampling::keep_errors_and(0.1)
///     .max_spans(50_000)
///     .max_age(Duration::from_secs(120))
///     .keep_if(|spans| spans.len() > 100); // and every unusually long run
/// ```
#[derive(Clone)]
pub struct TailSampling {
    ratio: f64,
    max_spans: usize,
    max_age: Duration,
    hook: Option<KeepHook>,
}

impl fmt::Debug for TailSampling {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TailSampling")
            .field("ratio", &self.ratio)
            .field("max_spans", &self.max_spans)
            .field("max_age", &self.max_age)
            .field("hook", &self.hook.is_some())
            .finish()
    }
}

impl TailSampling {
    /// Keeps every trace with an error span (or marked, or chosen by the hook), and each other
    /// trace with probability `ratio` (clamped to 0..=1). The draw is a function of the trace id,
    /// so every process of a distributed trace decides alike.
    pub fn keep_errors_and(ratio: f64) -> Self {
        Self {
            ratio: if ratio.is_nan() {
                1.0
            } else {
                ratio.clamp(0.0, 1.0)
            },
            max_spans: 20_000,
            max_age: Duration::from_secs(300),
            hook: None,
        }
    }

    /// Keeps every trace: used to assemble whole traces for the file and console exporters.
    pub fn keep_all() -> Self {
        Self::keep_errors_and(1.0)
    }

    /// At most this many spans held at once (default 20,000); past it the oldest trace is decided
    /// early.
    pub fn max_spans(mut self, spans: usize) -> Self {
        self.max_spans = spans.max(1);
        self
    }

    /// A trace held longer than this is decided early (default 5 minutes).
    pub fn max_age(mut self, age: Duration) -> Self {
        self.max_age = age;
        self
    }

    /// Also keeps a trace when `hook` says so, given all its spans as it ends. The hook runs on
    /// the thread whose root span ended (with online scoring, on the scoring thread, once the
    /// trace is scored), while the sampler holds its lock (other threads' spans wait to be
    /// offered): keep it quick. Run slow checks (an LLM judge) inside the run and
    /// mark the trace with [`keep_trace`] instead.
    pub fn keep_if(mut self, hook: impl Fn(&[SpanData]) -> bool + Send + Sync + 'static) -> Self {
        self.hook = Some(Arc::new(hook));
        self
    }

    /// The share of traces without errors that is kept.
    pub fn ratio(&self) -> f64 {
        self.ratio
    }

    /// Whether the draw keeps the trace: its low 64 bits (random in W3C trace ids) against the
    /// ratio, as the SDK's `TraceIdRatioBased` sampler does.
    fn draws(&self, trace_id: TraceId) -> bool {
        if self.ratio >= 1.0 {
            return true;
        }
        let low = u64::from_be_bytes(trace_id.to_bytes()[8..].try_into().expect("8 bytes"));
        ((low >> 11) as f64 / (1u64 << 53) as f64) < self.ratio
    }
}

/// A held trace.
struct Held {
    spans: Vec<SpanData>,
    /// An error span, or one marked with `keep_trace`.
    keep: bool,
}

#[derive(Default)]
struct State {
    traces: HashMap<TraceId, Held>,
    /// Trace ids in the order their first span arrived, with when (entries of decided traces are
    /// skipped when they come up).
    arrivals: VecDeque<(TraceId, Instant)>,
    held_spans: usize,
    /// Recent decisions (kept or not), for late spans, and the order to forget them in.
    decisions: HashMap<TraceId, bool>,
    decided_order: VecDeque<TraceId>,
    /// Traces out for scoring, with the spans that arrived since.
    scoring: HashMap<TraceId, Vec<SpanData>>,
}

/// What one offered span sets free.
#[derive(Default)]
pub(crate) struct Offered {
    /// Traces decided and kept, each whole, to export now.
    pub(crate) export: Vec<Vec<SpanData>>,
    /// A trace whose root ended, to score before it is decided (online scoring only).
    pub(crate) score: Option<Vec<SpanData>>,
}

/// The sampler's state and counters.
pub(crate) struct TailSampler {
    policy: TailSampling,
    state: Mutex<State>,
    counters: Arc<Counters>,
}

impl fmt::Debug for TailSampler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TailSampler")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

/// Whether a span ends its trace in this process: it has no parent, or a parent elsewhere.
fn is_root(span: &SpanData) -> bool {
    span.parent_span_id == opentelemetry::trace::SpanId::INVALID || span.parent_span_is_remote
}

fn wants_keeping(span: &SpanData) -> bool {
    matches!(span.status, Status::Error { .. })
        || span
            .attributes
            .iter()
            .any(|kv| kv.key.as_str() == sc::SAMPLING_KEEP && kv.value == Value::Bool(true))
}

impl TailSampler {
    pub(crate) fn new(policy: TailSampling, counters: Arc<Counters>) -> Self {
        Self {
            policy,
            state: Mutex::new(State::default()),
            counters,
        }
    }

    /// Takes an ended span; returns the traces to export now (each whole, in end order). With
    /// `score` (online scoring is on), a trace whose root ended is returned to be scored instead,
    /// and decided in [`Self::settle`].
    pub(crate) fn offer(&self, span: SpanData, score: bool) -> Offered {
        let mut offered = Offered::default();
        let out = &mut offered.export;
        let now = Instant::now();
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let trace_id = span.span_context.trace_id();
        // A late span of a decided trace follows the decision (a decided trace is never held).
        if let Some(&kept) = state.decisions.get(&trace_id) {
            if kept {
                out.push(vec![span]);
            } else {
                self.counters.spans_sampled_out.fetch_add(1, Relaxed);
            }
            return offered;
        }
        if let Some(arrived) = state.scoring.get_mut(&trace_id) {
            arrived.push(span);
            state.held_spans += 1;
            return offered;
        }
        let root = is_root(&span);
        let State {
            traces, arrivals, ..
        } = &mut *state;
        let held = traces.entry(trace_id).or_insert_with(|| {
            arrivals.push_back((trace_id, now));
            Held {
                spans: Vec::new(),
                keep: false,
            }
        });
        held.keep |= wants_keeping(&span);
        held.spans.push(span);
        state.held_spans += 1;
        if root && score {
            if let Some(held) = state.traces.remove(&trace_id) {
                state.held_spans -= held.spans.len();
                state.scoring.insert(trace_id, Vec::new());
                offered.score = Some(held.spans);
            }
        } else if root {
            self.decide(&mut state, trace_id, false, out);
        }
        // The bounds: the oldest traces go first.
        while let Some(&(oldest, since)) = state.arrivals.front() {
            if !state.traces.contains_key(&oldest) {
                state.arrivals.pop_front();
                continue;
            }
            let over = state.held_spans > self.policy.max_spans;
            let expired = now.duration_since(since) > self.policy.max_age;
            if !(over || expired) {
                break;
            }
            state.arrivals.pop_front();
            self.decide(&mut state, oldest, true, out);
        }
        offered
    }

    /// Decides a trace sent to be scored, given back with its scores attached: the spans that
    /// arrived meanwhile join it, and `failed` (a failed score) keeps it. Returns it if kept.
    pub(crate) fn settle(
        &self,
        id: TraceId,
        mut spans: Vec<SpanData>,
        failed: bool,
    ) -> Option<Vec<SpanData>> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        // Held again (the spans that arrived meanwhile were counted as they came).
        state.held_spans += spans.len();
        spans.extend(state.scoring.remove(&id).unwrap_or_default());
        let keep = failed || spans.iter().any(wants_keeping);
        let held = Held { spans, keep };
        state.traces.insert(id, held);
        let mut out = Vec::new();
        self.decide(&mut state, id, false, &mut out);
        out.pop()
    }

    /// Decides every held trace (at shutdown), on what arrived. The spans that joined a trace the
    /// scorers never gave back (shutdown gave up on them) are counted as lost at shutdown.
    pub(crate) fn drain(&self) -> Vec<Vec<SpanData>> {
        let mut out = Vec::new();
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let abandoned: usize = state.scoring.drain().map(|(_, spans)| spans.len()).sum();
        state.held_spans -= abandoned;
        self.counters
            .dropped_at_shutdown
            .fetch_add(abandoned as u64, Relaxed);
        let ids: Vec<TraceId> = state.arrivals.drain(..).map(|(id, _)| id).collect();
        for id in ids {
            if state.traces.contains_key(&id) {
                self.decide(&mut state, id, true, &mut out);
            }
        }
        out
    }

    fn decide(&self, state: &mut State, id: TraceId, early: bool, out: &mut Vec<Vec<SpanData>>) {
        let Some(held) = state.traces.remove(&id) else {
            return;
        };
        state.held_spans -= held.spans.len();
        if early {
            self.counters.traces_decided_early.fetch_add(1, Relaxed);
        }
        let keep = held.keep
            || self.policy.hook.as_ref().is_some_and(|h| h(&held.spans))
            || self.policy.draws(id);
        if state.decided_order.len() >= REMEMBERED {
            if let Some(old) = state.decided_order.pop_front() {
                state.decisions.remove(&old);
            }
        }
        state.decisions.insert(id, keep);
        state.decided_order.push_back(id);
        if keep {
            self.counters.traces_kept.fetch_add(1, Relaxed);
            out.push(held.spans);
        } else {
            self.counters.traces_sampled_out.fetch_add(1, Relaxed);
            self.counters
                .spans_sampled_out
                .fetch_add(held.spans.len() as u64, Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;
    use std::time::SystemTime;

    use opentelemetry::trace::{SpanContext, SpanId, SpanKind, TraceFlags, TraceState};
    use opentelemetry::{InstrumentationScope, KeyValue};
    use opentelemetry_sdk::trace::{SpanEvents, SpanLinks};

    use super::*;

    /// A span of trace `trace` with id `id`, under `parent` (0: a root).
    fn span(trace: u128, id: u64, parent: u64, error: bool) -> SpanData {
        SpanData {
            span_context: SpanContext::new(
                TraceId::from(trace),
                SpanId::from(id),
                TraceFlags::SAMPLED,
                false,
                TraceState::default(),
            ),
            parent_span_id: SpanId::from(parent),
            parent_span_is_remote: false,
            span_kind: SpanKind::Internal,
            name: Cow::Borrowed("s"),
            start_time: SystemTime::now(),
            end_time: SystemTime::now(),
            attributes: Vec::new(),
            dropped_attributes_count: 0,
            events: SpanEvents::default(),
            links: SpanLinks::default(),
            status: if error {
                Status::error("boom")
            } else {
                Status::Unset
            },
            instrumentation_scope: InstrumentationScope::builder("t").build(),
        }
    }

    fn sampler(policy: TailSampling) -> (TailSampler, Arc<Counters>) {
        let counters = Arc::new(Counters::default());
        (TailSampler::new(policy, counters.clone()), counters)
    }

    #[test]
    fn a_trace_is_held_until_its_root_ends_and_an_error_anywhere_keeps_it() {
        let (tail, counters) = sampler(TailSampling::keep_errors_and(0.0));
        assert!(
            tail.offer(span(1, 2, 1, true), false).export.is_empty(),
            "held"
        );
        assert!(
            tail.offer(span(1, 3, 1, false), false).export.is_empty(),
            "held"
        );
        let out = tail.offer(span(1, 1, 0, false), false).export;
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].len(), 3, "whole");
        // Without an error, at ratio 0: let go.
        tail.offer(span(2, 2, 1, false), false);
        assert!(tail.offer(span(2, 1, 0, false), false).export.is_empty());
        let stats = counters.snapshot();
        assert_eq!((stats.traces_kept, stats.traces_sampled_out), (1, 1));
        assert_eq!(stats.spans_sampled_out, 2);
    }

    #[test]
    fn the_keep_attribute_and_the_hook_keep_a_trace() {
        let (tail, _) = sampler(TailSampling::keep_errors_and(0.0).keep_if(|s| s.len() == 3));
        let mut marked = span(1, 1, 0, false);
        marked
            .attributes
            .push(KeyValue::new(sc::SAMPLING_KEEP, true));
        assert_eq!(tail.offer(marked, false).export.len(), 1);
        tail.offer(span(2, 2, 1, false), false);
        tail.offer(span(2, 3, 1, false), false);
        assert_eq!(
            tail.offer(span(2, 1, 0, false), false).export.len(),
            1,
            "the hook"
        );
        tail.offer(span(3, 2, 1, false), false);
        assert!(tail.offer(span(3, 1, 0, false), false).export.is_empty());
    }

    #[test]
    fn past_the_span_bound_the_oldest_trace_is_decided_early_and_late_spans_follow() {
        let (tail, counters) = sampler(TailSampling::keep_errors_and(0.0).max_spans(3));
        tail.offer(span(1, 2, 1, true), false);
        tail.offer(span(1, 3, 1, false), false);
        tail.offer(span(2, 2, 1, false), false);
        // The fourth span pushes trace 1 (the oldest, with an error) out: kept as it is.
        let out = tail.offer(span(2, 3, 1, false), false).export;
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].len(), 2);
        assert_eq!(counters.snapshot().traces_decided_early, 1);
        // Its root, late, follows the decision.
        assert_eq!(tail.offer(span(1, 1, 0, false), false).export.len(), 1);
        // Trace 2 is still held, within bounds, until its root ends.
        assert!(
            tail.offer(span(2, 1, 0, false), false).export.is_empty(),
            "no error, ratio 0"
        );
        assert_eq!(counters.snapshot().spans_sampled_out, 3);
    }

    #[test]
    fn a_trace_older_than_the_maximum_age_is_decided_and_shutdown_decides_the_rest() {
        let (tail, counters) =
            sampler(TailSampling::keep_errors_and(1.0).max_age(Duration::from_millis(0)));
        tail.offer(span(1, 2, 1, false), false);
        std::thread::sleep(Duration::from_millis(2));
        // The next offer finds trace 1 too old (trace 2 has just arrived).
        let out = tail.offer(span(2, 2, 1, false), false).export;
        assert_eq!(out.len(), 1);
        assert_eq!(out[0][0].span_context.trace_id(), TraceId::from(1));
        // Shutdown decides what is still held.
        assert_eq!(tail.drain().len(), 1);
        assert_eq!(counters.snapshot().traces_decided_early, 2);
    }

    #[test]
    fn a_scored_trace_waits_for_its_scores_and_a_failed_score_keeps_it() {
        let (tail, counters) = sampler(TailSampling::keep_errors_and(0.0));
        tail.offer(span(1, 2, 1, false), true);
        let offered = tail.offer(span(1, 1, 0, false), true);
        assert!(offered.export.is_empty());
        let scored = offered.score.expect("sent to the scorers");
        assert_eq!(scored.len(), 2);
        // The evaluator's span, ending while the trace is scored, joins it.
        let evaluator = tail.offer(span(1, 3, 1, false), true);
        assert!(evaluator.export.is_empty() && evaluator.score.is_none());
        let kept = tail
            .settle(TraceId::from(1), scored, true)
            .expect("failed: kept");
        assert_eq!(kept.len(), 3);
        // Passing, at ratio 0: let go, with the span that arrived meanwhile.
        tail.offer(span(2, 2, 1, false), true);
        let scored = tail.offer(span(2, 1, 0, false), true).score.unwrap();
        tail.offer(span(2, 3, 1, false), true);
        assert!(tail.settle(TraceId::from(2), scored, false).is_none());
        let stats = counters.snapshot();
        assert_eq!((stats.traces_kept, stats.traces_sampled_out), (1, 1));
        assert_eq!(stats.spans_sampled_out, 3);
        assert_eq!(tail.state.lock().unwrap().held_spans, 0);
    }

    #[test]
    fn the_draw_follows_the_ratio_and_the_trace_id() {
        let policy = TailSampling::keep_errors_and(0.25);
        let kept = (0..40_000u128)
            .filter(|i| {
                policy.draws(TraceId::from(
                    i.wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835),
                ))
            })
            .count();
        assert!((9_000..11_000).contains(&kept), "{kept}");
        assert!(!TailSampling::keep_errors_and(0.0).draws(TraceId::from(u128::MAX)));
        assert!(TailSampling::keep_errors_and(f64::NAN).draws(TraceId::from(1)));
    }
}
