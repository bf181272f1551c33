//! Scorers: judgments of a finished [`Trace`] (a rule, a plain closure; or an LLM judge, in
//! `eval`), run one after another with panics, errors and timeouts turned into the [`Score`]s
//! they give, and those scores attached to the spans they judge.

use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::score::{Outcome, Score};
use super::span::TraceSpan;
use super::tree::Trace;
use crate::semconv as sc;

/// A scorer's judgment, before it is named: pass, fail or not checked (nothing to check), a
/// value from 0 to 1, why, and which span it is about (the root by default).
///
/// ```
/// use genai_tracing::eval::{Outcome, Verdict};
/// let v: Verdict = true.into();
/// assert!(v.passed());
/// let v = Verdict::fail("the answer is off by one");
/// assert_eq!(v.value, Some(0.0));
/// let v = Verdict::not_checked("content not captured");
/// assert_eq!((v.outcome, v.value), (Outcome::NotChecked, None));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// Pass, fail, or not checked.
    pub outcome: Outcome,
    /// From 0 to 1; `None` when nothing was checked.
    pub value: Option<f64>,
    /// Why.
    pub explanation: Option<String>,
    /// The span judged; `None` for the root.
    pub span_id: Option<String>,
}

impl Verdict {
    /// A pass, value 1.
    pub fn pass() -> Self {
        true.into()
    }

    /// A fail, value 0, with why.
    pub fn fail(explanation: impl Into<String>) -> Self {
        Self::from(false).because(explanation)
    }

    /// Nothing to check, with why (content not captured, no expected answer, no call of the
    /// tool the scorer checks): neither a pass nor a fail, and no value. Pass rates leave it
    /// out, and a release gate over no checked case fails.
    pub fn not_checked(explanation: impl Into<String>) -> Self {
        Self {
            outcome: Outcome::NotChecked,
            value: None,
            explanation: Some(explanation.into()),
            span_id: None,
        }
    }

    /// A value, passing at or above `threshold`.
    pub fn at_least(value: f64, threshold: f64) -> Self {
        Self {
            outcome: match value >= threshold {
                true => Outcome::Pass,
                false => Outcome::Fail,
            },
            value: Some(value),
            explanation: None,
            span_id: None,
        }
    }

    /// Whether it is a pass.
    pub fn passed(&self) -> bool {
        self.outcome == Outcome::Pass
    }

    /// Adds why.
    pub fn because(mut self, explanation: impl Into<String>) -> Self {
        self.explanation = Some(explanation.into());
        self
    }

    /// Says which span it is about.
    pub fn on(mut self, span: &TraceSpan) -> Self {
        self.span_id = Some(span.span_id.clone());
        self
    }
}

impl From<bool> for Verdict {
    fn from(passed: bool) -> Self {
        Self::at_least(if passed { 1.0 } else { 0.0 }, 1.0)
    }
}

/// `Ok(())` passes; `Err(why)` fails with why.
impl<E: fmt::Display> From<Result<(), E>> for Verdict {
    fn from(result: Result<(), E>) -> Self {
        match result {
            Ok(()) => Self::pass(),
            Err(why) => Self::fail(why.to_string()),
        }
    }
}

/// Why a scorer gave no verdict.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScoreError {
    /// The judge model's call failed.
    #[error("judge call failed: {0}")]
    Judge(String),
    /// The judge answered something that is not a verdict.
    #[error("unreadable verdict: {0}")]
    Unreadable(String),
    /// The scorer panicked.
    #[error("scorer panicked: {0}")]
    Panicked(String),
    /// The scorer took longer than online scoring allows (see
    /// [`Builder::score_timeout`](crate::Builder::score_timeout)).
    #[error("no verdict within {0:?}")]
    TimedOut(std::time::Duration),
}

impl ScoreError {
    fn panicked(payload: &(dyn std::any::Any + Send)) -> Self {
        let message = crate::failure::panic_message(payload).unwrap_or("a non-text panic");
        ScoreError::Panicked(message.to_owned())
    }

    /// The `error.type` recorded for it.
    pub fn error_type(&self) -> &'static str {
        match self {
            ScoreError::Judge(_) => "judge_error",
            ScoreError::Unreadable(_) => "unreadable_verdict",
            ScoreError::Panicked(_) => sc::error_type::PANIC,
            ScoreError::TimedOut(_) => "timeout",
        }
    }
}

/// What a scorer returns.
pub type ScoreFuture<'a> = Pin<Box<dyn Future<Output = Result<Verdict, ScoreError>> + Send + 'a>>;

/// Judges a finished trace. Rules are closures ([`rule`]); an `LlmJudge` (the `eval` feature) asks a
/// model. Run online (see [`Builder::score`](crate::Builder::score)), by the eval harness, and
/// over stored files by the CLI.
pub trait Scorer: Send + Sync {
    /// The name scores carry (`gen_ai.evaluation.name`).
    fn name(&self) -> &str;

    /// Judges `trace`.
    fn score<'a>(&'a self, trace: &'a Trace) -> ScoreFuture<'a>;
}

/// A rule-based scorer: a closure over the trace.
pub struct Rule<F> {
    name: String,
    check: F,
}

/// A rule-based scorer from a closure returning a `bool`, a `Result<(), impl Display>` or a
/// [`Verdict`].
///
/// ```
/// use genai_tracing::eval::{rule, Scorer, Trace};
/// let no_errors = rule("no_errors", |trace: &Trace| trace.errors().next().is_none());
/// assert_eq!(no_errors.name(), "no_errors");
/// ```
pub fn rule<F, V>(name: impl Into<String>, check: F) -> Rule<F>
where
    F: Fn(&Trace) -> V + Send + Sync,
    V: Into<Verdict>,
{
    Rule {
        name: name.into(),
        check,
    }
}

impl<F, V> Scorer for Rule<F>
where
    F: Fn(&Trace) -> V + Send + Sync,
    V: Into<Verdict>,
{
    fn name(&self) -> &str {
        &self.name
    }

    fn score<'a>(&'a self, trace: &'a Trace) -> ScoreFuture<'a> {
        let verdict = (self.check)(trace).into();
        Box::pin(std::future::ready(Ok(verdict)))
    }
}

impl<F> fmt::Debug for Rule<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rule").field("name", &self.name).finish()
    }
}

/// Runs every scorer over `trace`, one after another; a scorer that fails or panics gives a
/// [`Score`] with `error_type` (never a panic here).
///
/// ```
/// use genai_tracing::eval::{rule, score_trace, Scorer, Trace};
/// use std::sync::Arc;
/// let scorers: Vec<Arc<dyn Scorer>> = vec![Arc::new(rule("has_spans", |t: &Trace| !t.spans.is_empty()))];
/// let scores = futures_executor::block_on(score_trace(&Trace::default(), &scorers));
/// assert!(!scores[0].passed());
/// ```
pub async fn score_trace(trace: &Trace, scorers: &[Arc<dyn Scorer>]) -> Vec<Score> {
    score_with(trace, scorers, None).await
}

/// [`score_trace`], each scorer given at most `limit` (a Tokio timer: needs a Tokio runtime).
pub(crate) async fn score_trace_within(
    trace: &Trace,
    scorers: &[Arc<dyn Scorer>],
    limit: std::time::Duration,
) -> Vec<Score> {
    score_with(trace, scorers, Some(limit)).await
}

async fn score_with(
    trace: &Trace,
    scorers: &[Arc<dyn Scorer>],
    limit: Option<std::time::Duration>,
) -> Vec<Score> {
    let root = trace.root().map(|r| r.span_id.clone());
    let mut scores = Vec::with_capacity(scorers.len());
    for scorer in scorers {
        // A scorer may panic making its future (a rule does its work there) or polling it.
        let outcome = match std::panic::catch_unwind(AssertUnwindSafe(|| scorer.score(trace))) {
            Err(panic) => Err(ScoreError::panicked(&*panic)),
            Ok(future) => match limit {
                Some(limit) => tokio::time::timeout(limit, CatchUnwind(future))
                    .await
                    .unwrap_or(Err(ScoreError::TimedOut(limit))),
                None => CatchUnwind(future).await,
            },
        };
        let name = scorer.name().to_owned();
        scores.push(match outcome {
            Ok(verdict) => Score {
                name,
                value: verdict.value,
                label: Some(verdict.outcome.label().to_owned()),
                explanation: verdict.explanation,
                error_type: None,
                span_id: verdict.span_id.or_else(|| root.clone()),
            },
            Err(error) => Score {
                name,
                value: None,
                label: None,
                explanation: Some(error.to_string()),
                error_type: Some(error.error_type().to_owned()),
                span_id: root.clone(),
            },
        });
    }
    scores
}

/// Polls a scorer's future, turning a panic into an error.
struct CatchUnwind<'a>(ScoreFuture<'a>);

impl Future for CatchUnwind<'_> {
    type Output = Result<Verdict, ScoreError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match std::panic::catch_unwind(AssertUnwindSafe(|| self.0.as_mut().poll(cx))) {
            Ok(poll) => poll,
            Err(panic) => Poll::Ready(Err(ScoreError::panicked(&*panic))),
        }
    }
}

/// Adds each score, as a `gen_ai.evaluation.result` event, to the span it judges.
pub(crate) fn attach_scores(spans: &mut [opentelemetry_sdk::trace::SpanData], scores: &[Score]) {
    for score in scores {
        let Some(id) = &score.span_id else { continue };
        if let Some(span) = spans
            .iter_mut()
            .find(|s| s.span_context.span_id().to_string() == *id)
        {
            span.events.events.push(opentelemetry::trace::Event::new(
                sc::GEN_AI_EVALUATION_RESULT,
                std::time::SystemTime::now(),
                score.to_attributes(),
                0,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_not_checked_verdict_is_a_score_without_a_value() {
        let scorers: Vec<Arc<dyn Scorer>> = vec![
            Arc::new(rule("unchecked", |_: &Trace| {
                Verdict::not_checked("content not captured")
            })),
            Arc::new(rule("passes", |_: &Trace| true)),
            Arc::new(rule("fails", |_: &Trace| Verdict::at_least(0.25, 0.5))),
        ];
        let scores = futures_executor::block_on(score_trace(&Trace::default(), &scorers));
        let outcomes: Vec<Outcome> = scores.iter().map(Score::outcome).collect();
        assert_eq!(
            outcomes,
            [Outcome::NotChecked, Outcome::Pass, Outcome::Fail]
        );
        assert_eq!(
            (scores[0].value, scores[0].label.as_deref()),
            (None, Some("not_checked"))
        );
        assert_eq!(
            scores[0].explanation.as_deref(),
            Some("content not captured")
        );
        assert_eq!(scores[2].value, Some(0.25));
        assert_eq!(Outcome::of(outcomes), Some(Outcome::Fail));
    }
}
