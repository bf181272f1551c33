//! An eval run's results — per case and per scorer — as the harness returns them and as a JSON
//! file the `genai-trace gate` command compares against a baseline.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::trace::Score;

/// One case's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseResult {
    /// The case's id.
    pub id: String,
    /// Its input.
    pub input: Value,
    /// The right answer, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<Value>,
    /// What the agent answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    /// The agent's error, when it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The scores.
    #[serde(default)]
    pub scores: Vec<Score>,
    /// The run's trace id.
    pub trace_id: String,
    /// No error and every score passed.
    pub passed: bool,
    /// Under replay, the calls the case's recordings could not serve (they ran for real).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replay_misses: Vec<String>,
}

/// How one scorer did over a run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScorerSummary {
    /// Cases it passed.
    pub passed: usize,
    /// Cases it scored.
    pub total: usize,
    /// Mean score value (over the cases with a value).
    pub mean: f64,
}

impl ScorerSummary {
    /// `passed / total` (1 when nothing was scored).
    pub fn pass_rate(&self) -> f64 {
        rate(self.passed, self.total)
    }
}

fn rate(passed: usize, total: usize) -> f64 {
    if total == 0 {
        1.0
    } else {
        passed as f64 / total as f64
    }
}

/// An eval run's results.
///
/// ```
/// use genai_tracing::eval::{CaseResult, EvalReport};
/// let report = EvalReport { cases: vec![CaseResult {
///     id: "c1".into(), input: "2 + 2".into(), expected: Some("4".into()),
///     output: Some("4".into()), error: None, scores: vec![], trace_id: "t".into(), passed: true,
///     replay_misses: vec![],
/// }] };
/// assert_eq!(report.pass_rate(), 1.0);
/// assert!(report.check(0.9).is_ok());
/// assert!(EvalReport::default().check(0.0).is_err(), "a run without cases fails");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EvalReport {
    /// Per case, in dataset order.
    pub cases: Vec<CaseResult>,
}

/// A run below its threshold (or a report file that cannot be read).
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The pass rate is below the threshold; the report says which cases failed.
    #[error("pass rate {rate:.3} is below {threshold:.3}\n{report}")]
    BelowThreshold {
        /// The pass rate.
        rate: f64,
        /// The threshold.
        threshold: f64,
        /// The readable report.
        report: String,
    },
    /// The run had no case (an empty dataset would pass any threshold).
    #[error("the eval run has no case")]
    NoCases,
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not an eval report.
    #[error("{path}:{line}:{column}: not an eval report: {message}")]
    Malformed {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
}

impl EvalReport {
    /// The share of cases that passed (1 for an empty run).
    pub fn pass_rate(&self) -> f64 {
        rate(
            self.cases.iter().filter(|c| c.passed).count(),
            self.cases.len(),
        )
    }

    /// Each scorer's results, by name.
    pub fn scorers(&self) -> BTreeMap<String, ScorerSummary> {
        let mut sums: BTreeMap<String, (usize, usize, f64, usize)> = BTreeMap::new();
        for score in self.cases.iter().flat_map(|c| &c.scores) {
            let entry = sums.entry(score.name.clone()).or_default();
            entry.1 += 1;
            if score.passed() {
                entry.0 += 1;
            }
            if let Some(value) = score.value {
                entry.2 += value;
                entry.3 += 1;
            }
        }
        sums.into_iter()
            .map(|(name, (passed, total, sum, valued))| {
                let mean = if valued == 0 {
                    0.0
                } else {
                    sum / valued as f64
                };
                (
                    name,
                    ScorerSummary {
                        passed,
                        total,
                        mean,
                    },
                )
            })
            .collect()
    }

    /// `Ok` when the pass rate is at least `threshold`; else an error carrying the readable
    /// report (for `cargo test`: `report.check(0.9).unwrap()`). A run without cases fails.
    pub fn check(&self, threshold: f64) -> Result<(), ReportError> {
        if self.cases.is_empty() {
            return Err(ReportError::NoCases);
        }
        let rate = self.pass_rate();
        if rate >= threshold {
            return Ok(());
        }
        Err(ReportError::BelowThreshold {
            rate,
            threshold,
            report: self.to_string(),
        })
    }

    /// Writes the report as JSON, creating directories if need be.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), ReportError> {
        let path = path.as_ref();
        let io = |source| ReportError::Io {
            path: path.display().to_string(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let json = serde_json::to_string_pretty(self).expect("a report serializes");
        std::fs::write(path, json + "\n").map_err(io)
    }

    /// Reads a report written by [`save`](Self::save).
    pub fn load(path: impl AsRef<Path>) -> Result<Self, ReportError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| ReportError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&bytes, &path.display().to_string())
    }

    /// Parses a report from memory; `origin` names it in errors, which give a line and column
    /// from 1.
    ///
    /// ```
    /// let err = genai_tracing::eval::EvalReport::parse(b"", "results.json").unwrap_err();
    /// assert!(err.to_string().starts_with("results.json:1:1: not an eval report"), "{err}");
    /// ```
    pub fn parse(bytes: &[u8], origin: &str) -> Result<Self, ReportError> {
        serde_json::from_slice(bytes).map_err(|e| ReportError::Malformed {
            path: origin.to_owned(),
            line: e.line().max(1),
            column: e.column().max(1),
            message: crate::trace::serde_message(&e),
        })
    }
}

impl fmt::Display for EvalReport {
    /// One line per case (`PASS`/`FAIL`, id, input, answer, failed scores or error), then the
    /// pass rate and each scorer's.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for case in &self.cases {
            let verdict = if case.passed { "PASS" } else { "FAIL" };
            let input = match &case.input {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            write!(f, "{verdict} {} {input:?}", case.id)?;
            if let Some(output) = &case.output {
                write!(f, " -> {output:?}")?;
            }
            writeln!(f)?;
            if let Some(error) = &case.error {
                writeln!(f, "     error: {error}")?;
            }
            for miss in &case.replay_misses {
                writeln!(f, "     not replayed: {miss}")?;
            }
            for score in case.scores.iter().filter(|s| !s.passed()) {
                writeln!(f, "     {score}")?;
            }
        }
        let passed = self.cases.iter().filter(|c| c.passed).count();
        writeln!(
            f,
            "pass rate {:.3} ({passed}/{})",
            self.pass_rate(),
            self.cases.len()
        )?;
        for (name, summary) in self.scorers() {
            writeln!(
                f,
                "  {name}: {}/{} passed, mean {:.3}",
                summary.passed, summary.total, summary.mean
            )?;
        }
        Ok(())
    }
}
