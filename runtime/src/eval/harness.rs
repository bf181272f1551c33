//! The eval harness: runs an agent function on every case of a [`Dataset`] under tracing,
//! scores each run's trace, and reports the pass rate and per-case results — from `cargo test`,
//! where a run below its threshold fails the test.

use std::fmt::Display;
use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt as _};
use opentelemetry::Context;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SdkTracerProvider, Span, SpanData, SpanExporter, SpanProcessor};
use tracing::instrument::WithSubscriber as _;
use tracing::Instrument as _;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

use super::dataset::{Dataset, EvalCase};
use super::report::{CaseResult, EvalReport};
use crate::export::FileExporter;
use crate::replay::Cassette;
use crate::trace::Trace;
use crate::trace::{attach_scores, score_trace, Outcome, Score, Scorer};

/// Runs a dataset through an agent and scores every run.
///
/// A case fails when the agent returns `Err` or a scorer fails it; else it passes when a scorer
/// passed it (or there are no scorers), and is not checked when every scorer had nothing to
/// check (see [`Verdict::not_checked`](crate::eval::Verdict::not_checked)). Each case runs alone,
/// under a tracing pipeline of the harness's own (whatever is installed globally), so its
/// trace is exactly that run's spans; scorers see it with [`Trace::expected`] set from the case
/// and [`Trace::answer`] set to what the agent returned.
///
/// ```
/// use genai_tracing::eval::{rule, Dataset, Eval, EvalCase, Trace};
///
/// #[genai_tracing::tool]
/// fn add(a: i64, b: i64) -> i64 { a + b }
///
/// #[genai_tracing::agent(name = "adder")]
/// async fn adder(question: &str) -> Result<String, String> {
///     let (a, b) = question.split_once('+').ok_or("not a sum")?;
///     let (a, b) = (a.trim().parse().map_err(|_| "a")?, b.trim().parse().map_err(|_| "b")?);
///     Ok(add(a, b).to_string())
/// }
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let dataset = Dataset { cases: vec![
///     EvalCase::new("2 + 2".into()).expect("4".into()),
///     EvalCase::new("two + 2".into()),
/// ]};
/// let report = Eval::new(dataset)
///     .scorer(rule("right", |t: &Trace| t.expected.is_none()
///         || t.output() == t.expected.as_ref().and_then(|e| e.as_str()).map(String::from)))
///     .run(|case| async move { adder(&case.input_text()).await })
///     .await;
/// assert_eq!(report.pass_rate(), 0.5, "{report}");
/// assert!(report.check(1.0).is_err());
/// # });
/// ```
pub struct Eval {
    dataset: Dataset,
    scorers: Vec<Arc<dyn Scorer>>,
    traces: Option<PathBuf>,
    replay: bool,
}

impl std::fmt::Debug for Eval {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Eval")
            .field("cases", &self.dataset.cases.len())
            .field(
                "scorers",
                &self.scorers.iter().map(|s| s.name()).collect::<Vec<_>>(),
            )
            .field("traces", &self.traces)
            .field("replay", &self.replay)
            .finish()
    }
}

impl Eval {
    /// An eval of `dataset`, with no scorers yet.
    pub fn new(dataset: Dataset) -> Self {
        Self {
            dataset,
            scorers: Vec::new(),
            traces: None,
            replay: false,
        }
    }

    /// Adds a scorer.
    pub fn scorer(mut self, scorer: impl Scorer + 'static) -> Self {
        self.scorers.push(Arc::new(scorer));
        self
    }

    /// Also appends each case's trace, scores attached, to this OTLP-JSON file (for
    /// `genai-trace view` and `find`).
    pub fn traces_to(mut self, path: impl Into<PathBuf>) -> Self {
        self.traces = Some(path.into());
        self
    }

    /// Serves each case's [`recordings`](EvalCase::recordings) (the model and tool outputs of
    /// the run it was harvested from) back to its run instead of calling the model or tool (see
    /// [`crate::replay`]): a recorded failing run reproduces deterministically. A call the
    /// recording cannot serve runs for real and is listed in the case's `replay_misses`.
    pub fn replay(mut self, replay: bool) -> Self {
        self.replay = replay;
        self
    }

    /// Runs `agent` on every case, one after another, and scores each run.
    pub async fn run<F, Fut, T, E>(&self, mut agent: F) -> EvalReport
    where
        F: FnMut(EvalCase) -> Fut,
        Fut: Future<Output = Result<T, E>>,
        T: Display,
        E: Display,
    {
        let collected = Collector::default();
        let provider = SdkTracerProvider::builder()
            .with_span_processor(collected.clone())
            .build();
        let dispatch = tracing::Dispatch::new(crate::init::subscriber(&provider));
        let file = self.traces.as_ref().and_then(|path| {
            FileExporter::append(path)
                .map_err(|e| eprintln!("genai-tracing eval: {}: {e}", path.display()))
                .ok()
        });
        let mut report = EvalReport::default();
        for case in &self.dataset.cases {
            // The case's spans are those of its own trace: a span of the harness's, left out of
            // what is scored and written, is the parent of the run's root.
            let case_span = tracing::dispatcher::with_default(
                &dispatch,
                || tracing::info_span!(target: "genai_tracing::eval", "eval case"),
            );
            let context = case_span.context();
            let case_trace = context.span().span_context().clone();
            let run = agent(case.clone())
                .instrument(case_span)
                .with_subscriber(dispatch.clone());
            let (outcome, replay_misses) = if self.replay {
                let cassette = Cassette::new(case.recordings.clone());
                let outcome = cassette.serve(run).await;
                let misses = cassette.misses().iter().map(ToString::to_string).collect();
                (outcome, misses)
            } else {
                (run.await, Vec::new())
            };
            let (answer, error) = match outcome {
                Ok(answer) => (Some(answer.to_string()), None),
                Err(error) => (None, Some(error.to_string())),
            };
            let mut spans = collected.take_trace(&case_trace);
            let mut trace = Trace::from_spans(spans.clone()).pop().unwrap_or_default();
            trace.expected = case.expected.clone();
            trace.answer = answer.clone();
            let scores = score_trace(&trace, &self.scorers)
                .with_subscriber(dispatch.clone())
                .await;
            if let Some(file) = &file {
                // The run's spans, then the judges', scores attached.
                spans.extend(collected.take_trace(&case_trace));
                attach_scores(&mut spans, &scores);
                if let Err(e) = file.export(spans).await {
                    eprintln!("genai-tracing eval: {e}");
                }
            }
            // An error fails the case; else its scores say (an `Ok` with no scorer passes).
            let outcome = match error {
                Some(_) => Outcome::Fail,
                None => Outcome::of(scores.iter().map(Score::outcome)).unwrap_or(Outcome::Pass),
            };
            report.cases.push(CaseResult {
                id: case.id.clone(),
                input: case.input.clone(),
                expected: case.expected.clone(),
                output: answer,
                error,
                scores,
                trace_id: trace.trace_id,
                passed: outcome == Outcome::Pass,
                not_checked: outcome == Outcome::NotChecked,
                replay_misses,
            });
        }
        report
    }
}

/// Keeps every ended span, for the harness to take after each case.
#[derive(Debug, Clone, Default)]
struct Collector(Arc<Mutex<Vec<SpanData>>>);

impl Collector {
    /// The spans of the case whose span is `case` ended so far, without the case's span (its
    /// children become roots); spans of other traces (a task a previous case left running) are
    /// dropped.
    fn take_trace(&self, case: &SpanContext) -> Vec<SpanData> {
        let ended = std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner));
        ended
            .into_iter()
            .filter(|s| s.span_context.trace_id() == case.trace_id())
            .filter(|s| s.span_context.span_id() != case.span_id())
            .map(|mut s| {
                if s.parent_span_id == case.span_id() {
                    s.parent_span_id = SpanId::INVALID;
                }
                s
            })
            .collect()
    }
}

impl SpanProcessor for Collector {
    fn on_start(&self, _span: &mut Span, _cx: &Context) {}

    fn on_end(&self, span: SpanData) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(span);
    }

    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }

    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        Ok(())
    }
}
