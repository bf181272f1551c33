//! An eval run's results — per case and per scorer — as the harness returns them and as a JSON
//! file the `genai-trace gate` command compares against a baseline. A case passes, fails, or is
//! not checked (its scorers had nothing to check); pass rates are over checked cases.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::trace::{Outcome, Score};

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
    /// No error, no score failed, and a score passed (or there are no scores).
    pub passed: bool,
    /// No error, and every score was not checked: the case counts in no pass rate. (`passed` is
    /// then `false`, so that a reader unaware of this field counts no pass.)
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_checked: bool,
    /// Under replay, the calls the case's recordings could not serve (they ran for real).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replay_misses: Vec<String>,
}

impl CaseResult {
    /// Pass, fail, or not checked.
    ///
    /// ```
    /// use genai_tracing::eval::{CaseResult, Outcome};
    /// let case = CaseResult {
    ///     id: "c1".into(), input: "2 + 2".into(), expected: None, output: Some("4".into()),
    ///     error: None, scores: vec![], trace_id: "t".into(), passed: false, not_checked: true,
    ///     replay_misses: vec![],
    /// };
    /// assert_eq!(case.outcome(), Outcome::NotChecked);
    /// ```
    pub fn outcome(&self) -> Outcome {
        match (self.not_checked, self.passed) {
            (true, _) => Outcome::NotChecked,
            (false, true) => Outcome::Pass,
            (false, false) => Outcome::Fail,
        }
    }
}

/// How one scorer did over a run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScorerSummary {
    /// Cases it passed.
    pub passed: usize,
    /// Cases it scored, checked or not.
    pub total: usize,
    /// Cases it had nothing to check in.
    #[serde(default)]
    pub not_checked: usize,
    /// Mean score value (over the cases with a value: not the unchecked ones).
    pub mean: f64,
}

impl ScorerSummary {
    /// Cases it checked: passed or failed.
    pub fn checked(&self) -> usize {
        self.total.saturating_sub(self.not_checked)
    }

    /// `passed / checked` (0 when it checked nothing: nothing checked is no pass).
    ///
    /// ```
    /// use genai_tracing::eval::ScorerSummary;
    /// let summary = ScorerSummary { passed: 3, total: 5, not_checked: 1, mean: 0.75 };
    /// assert_eq!((summary.checked(), summary.pass_rate()), (4, 0.75));
    /// ```
    pub fn pass_rate(&self) -> f64 {
        rate(self.passed, self.checked())
    }
}

/// `passed / checked`; 0 when nothing was checked.
fn rate(passed: usize, checked: usize) -> f64 {
    if checked == 0 {
        0.0
    } else {
        passed as f64 / checked as f64
    }
}

/// An eval run's results.
///
/// ```
/// use genai_tracing::eval::{CaseResult, EvalReport};
/// let report = EvalReport { cases: vec![CaseResult {
///     id: "c1".into(), input: "2 + 2".into(), expected: Some("4".into()),
///     output: Some("4".into()), error: None, scores: vec![], trace_id: "t".into(), passed: true,
///     not_checked: false, replay_misses: vec![],
/// }] };
/// assert_eq!(report.pass_rate(), 1.0);
/// assert!(report.check(0.9).is_ok());
/// assert!(EvalReport::default().check(0.0).is_err(), "a run without cases fails");
/// let mut unchecked = report.clone();
/// (unchecked.cases[0].passed, unchecked.cases[0].not_checked) = (false, true);
/// assert_eq!(unchecked.checked(), 0);
/// assert!(unchecked.check(0.0).is_err(), "a run with nothing checked fails");
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
    /// No case was checked: every case's scorers had nothing to check (content not captured,
    /// say), so a pass rate would say nothing.
    #[error(
        "no case of {cases} was checked: every score was not checked (content not captured? \
         see each case's scores)\n{report}"
    )]
    NothingChecked {
        /// How many cases the run had.
        cases: usize,
        /// The readable report.
        report: String,
    },
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
    /// The share of checked cases that passed; 0 when no case was checked (an empty run
    /// included): nothing checked is no pass.
    pub fn pass_rate(&self) -> f64 {
        rate(self.passed(), self.checked())
    }

    /// How many cases passed.
    pub fn passed(&self) -> usize {
        self.count(Outcome::Pass)
    }

    /// How many cases were checked: passed or failed.
    pub fn checked(&self) -> usize {
        self.cases.len() - self.not_checked()
    }

    /// How many cases were not checked (every score had nothing to check).
    pub fn not_checked(&self) -> usize {
        self.count(Outcome::NotChecked)
    }

    /// The share of cases that were checked; 0 for an empty run.
    ///
    /// ```
    /// use genai_tracing::eval::{CaseResult, EvalReport};
    /// let case = |not_checked: bool| CaseResult {
    ///     id: "c".into(), input: "2 + 2".into(), expected: None, output: None, error: None,
    ///     scores: vec![], trace_id: "t".into(), passed: !not_checked, not_checked,
    ///     replay_misses: vec![],
    /// };
    /// let report = EvalReport { cases: vec![case(false), case(true), case(true), case(true)] };
    /// assert_eq!((report.checked(), report.checked_share(), report.pass_rate()), (1, 0.25, 1.0));
    /// ```
    pub fn checked_share(&self) -> f64 {
        match self.cases.len() {
            0 => 0.0,
            all => self.checked() as f64 / all as f64,
        }
    }

    fn count(&self, outcome: Outcome) -> usize {
        self.cases.iter().filter(|c| c.outcome() == outcome).count()
    }

    /// Each scorer's results, by name.
    pub fn scorers(&self) -> BTreeMap<String, ScorerSummary> {
        let mut sums: BTreeMap<String, (ScorerSummary, f64, usize)> = BTreeMap::new();
        for score in self.cases.iter().flat_map(|c| &c.scores) {
            let (summary, sum, valued) = sums.entry(score.name.clone()).or_insert((
                ScorerSummary {
                    passed: 0,
                    total: 0,
                    not_checked: 0,
                    mean: 0.0,
                },
                0.0,
                0,
            ));
            summary.total += 1;
            match score.outcome() {
                Outcome::Pass => summary.passed += 1,
                Outcome::NotChecked => summary.not_checked += 1,
                Outcome::Fail => {}
            }
            if let Some(value) = score.value {
                *sum += value;
                *valued += 1;
            }
        }
        sums.into_iter()
            .map(|(name, (mut summary, sum, valued))| {
                if valued > 0 {
                    summary.mean = sum / valued as f64;
                }
                (name, summary)
            })
            .collect()
    }

    /// `Ok` when the pass rate (over checked cases) is at least `threshold`; else an error
    /// carrying the readable report (for `cargo test`: `report.check(0.9).unwrap()`). A run
    /// without cases fails, and so does a run in which no case was checked.
    pub fn check(&self, threshold: f64) -> Result<(), ReportError> {
        if self.cases.is_empty() {
            return Err(ReportError::NoCases);
        }
        if self.checked() == 0 {
            return Err(ReportError::NothingChecked {
                cases: self.cases.len(),
                report: self.to_string(),
            });
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
    /// One line per case (`PASS`/`FAIL`/`NOT CHECKED`, id, input, answer, the scores that did
    /// not pass or the error), then the pass rate over checked cases and each scorer's.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for case in &self.cases {
            let verdict = match case.outcome() {
                Outcome::Pass => "PASS",
                Outcome::Fail => "FAIL",
                Outcome::NotChecked => "NOT CHECKED",
            };
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
        write!(
            f,
            "pass rate {:.3} ({}/{})",
            self.pass_rate(),
            self.passed(),
            self.checked()
        )?;
        match (self.not_checked(), self.checked()) {
            (0, _) => writeln!(f)?,
            (n, 0) => writeln!(f, ", {} not checked: nothing was checked", cases(n))?,
            (n, _) => writeln!(f, ", {} not checked", cases(n))?,
        }
        for (name, summary) in self.scorers() {
            write!(
                f,
                "  {name}: {}/{} passed, mean {:.3}",
                summary.passed,
                summary.checked(),
                summary.mean
            )?;
            match summary.not_checked {
                0 => writeln!(f)?,
                n => writeln!(f, ", {n} not checked")?,
            }
        }
        Ok(())
    }
}

/// `1 case`, `2 cases`.
fn cases(n: usize) -> String {
    format!("{n} case{}", if n == 1 { "" } else { "s" })
}
