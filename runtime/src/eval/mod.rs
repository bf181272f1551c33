//! The trace-to-fix loop: score finished traces, harvest the failing ones into an eval dataset,
//! run the dataset as a test, and gate releases on the results.
//!
//! - [`Trace`] is a finished trace as scorers read it, from a trace file ([`read_traces`]: the
//!   OTLP-JSON the [`FileExporter`](crate::export::FileExporter) writes) or straight from the
//!   export pipeline.
//! - A [`Scorer`] judges a trace: a [`rule`] is a plain closure, an [`LlmJudge`] asks a model
//!   through your `#[llm_call]` (the judge's call is traced in the judged trace). Scores are recorded on the span
//!   they judge as `gen_ai.evaluation.result` events ([`Score`]).
//! - A score's [`Outcome`] is pass, fail or **not checked**: a scorer with nothing to check
//!   (content not captured, no expected answer) says so ([`Verdict::not_checked`]) instead of
//!   passing. Pass rates are over checked cases, and a [`Gate`] over no checked case fails.
//! - With the `eval` feature: [`EvalCase`]s live in a [`Dataset`] (JSON Lines);
//!   [`EvalCase::from_trace`] harvests one from a failing run. [`Eval`] runs a dataset through an
//!   agent from `cargo test` and scores every run; an [`EvalReport`] is a run's results;
//!   [`rules`] are ready-made scorers (no errors, cost, latency, …), also named by spec strings
//!   as the `genai-trace` CLI takes them; a [`Gate`] compares an eval run with a baseline. Turn
//!   it on where you evaluate, e.g. in `[dev-dependencies]`.
//! - Online, [`Builder::score`](crate::Builder::score) scores every trace as its root ends, off
//!   the agent's path, and a failed score keeps the trace through tail sampling.
//!
//! ```
//! use genai_tracing::eval::{rule, Trace};
//! // A one-line scorer: the answer names the right product.
//! let answers_391 = rule("answers_391", |t: &Trace| t.output().is_some_and(|o| o.contains("391")));
//! ```
// Without the `eval` feature, the links above to its items have nothing to point at.
#![cfg_attr(not(feature = "eval"), allow(rustdoc::broken_intra_doc_links))]

#[cfg(feature = "eval")]
mod dataset;
#[cfg(feature = "eval")]
mod gate;
#[cfg(feature = "eval")]
mod harness;
#[cfg(feature = "eval")]
mod judge;
#[cfg(feature = "eval")]
mod report;
#[cfg(feature = "eval")]
pub mod rules;

pub use crate::trace::{
    parse_traces, read_traces, rule, score_trace, Attributes, Outcome, Rule, Score, ScoreError,
    ScoreFuture, Scorer, SpanEvent, SpanStatus, Trace, TraceFileError, TraceSpan, Verdict, FAIL,
    NOT_CHECKED, PASS,
};
#[cfg(feature = "eval")]
pub use dataset::{CaseSource, Dataset, DatasetError, EvalCase, HarvestError};
#[cfg(feature = "eval")]
pub use gate::{CaseRegression, Gate, GateCheck, GateReport};
#[cfg(feature = "eval")]
pub use harness::Eval;
#[cfg(feature = "eval")]
pub use judge::{JudgePrompt, LlmJudge};
#[cfg(feature = "eval")]
pub use report::{CaseResult, EvalReport, ReportError, ScorerSummary};
