//! The finished-trace model: a [`Trace`] of [`TraceSpan`]s as scorers, the eval harness, the
//! console exporter and the `genai-trace` CLI read it; reading it from OTLP-JSON files
//! ([`read_traces`]); rendering it as a tree ([`Trace::render`]); and judging it ([`Scorer`],
//! giving a [`Score`]).
//!
//! A foundation: online scoring in the export pipeline, replay (recordings read from a trace)
//! and `eval` build on it. Its names are public through [`crate::eval`].

mod read;
mod render;
mod score;
mod scorer;
mod span;
mod tree;

#[cfg(feature = "eval")]
pub(crate) use read::serde_message; // also for the eval datasets
pub use read::{parse_traces, read_traces, TraceFileError};
pub use score::{Outcome, Score, FAIL, NOT_CHECKED, PASS};
pub(crate) use scorer::{attach_scores, score_trace_within};
pub use scorer::{rule, score_trace, Rule, ScoreError, ScoreFuture, Scorer, Verdict};
#[cfg(feature = "eval")]
pub(crate) use span::cut;
pub use span::{Attributes, SpanEvent, SpanStatus, TraceSpan};
pub use tree::Trace;
