//! The trace-to-fix loop: score finished traces, harvest the failing ones into an eval dataset,
//! run the dataset as a test, and gate releases on the results.
//!
//! - [`Trace`] is a finished trace as scorers read it, from a trace file ([`read_traces`]: the
//!   OTLP-JSON the [`FileExporter`](crate::export::FileExporter) writes) or straight from the
//!   export pipeline.
//! - A [`Scorer`] judges a trace: a [`rule`] is a plain closure. Scores are recorded on the span
//!   they judge as `gen_ai.evaluation.result` events ([`Score`]).
//! - [`EvalCase`]s live in a [`Dataset`] (JSON Lines); [`EvalCase::from_trace`] harvests one from
//!   a failing run.
//! - An [`EvalReport`] is a run's results.
//!
//! ```
//! use genai_tracing::eval::{rule, Trace, Verdict};
//! // The one-line scorer of the calculator exercise: did the answer keep the tool's result?
//! let answers_391 = rule("answers_391", |t: &Trace| t.output().is_some_and(|o| o.contains("391")));
//! ```

mod dataset;
mod gate;
mod read;
mod render;
mod report;
pub mod rules;
mod score;
mod trace;

pub use dataset::{CaseSource, Dataset, DatasetError, EvalCase, HarvestError};
pub use gate::{CaseRegression, Gate, GateCheck, GateReport};
pub use read::{parse_traces, read_traces, TraceFileError};
pub use report::{CaseResult, EvalReport, ReportError, ScorerSummary};
pub use rules::{parse_rule, RuleSpec, RuleSpecError};
pub use score::{
    rule, score_trace, Rule, Score, ScoreError, ScoreFuture, Scorer, Verdict, FAIL, PASS,
};
pub use trace::{Attributes, SpanEvent, SpanStatus, Trace, TraceSpan};
