//! The release gate: an eval run's [`EvalReport`] against thresholds and, optionally, the
//! report of a baseline run (the last release's), as `genai-trace gate` runs it in CI. See
//! [`Gate`] for the checks.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

use super::report::{EvalReport, ScorerSummary};

/// Room for rounding when comparing rates and means (a 0.9 that is 0.8999999999).
const EPSILON: f64 = 1e-9;

/// Thresholds an eval run must meet to pass:
///
/// - The pass rate must reach [`Gate::min_pass_rate`], and each named scorer's mean its
///   [`Gate::min_score`].
/// - Against a baseline, the pass rate and each baseline scorer's pass rate and mean may fall
///   at most [`Gate::max_drop`] below the baseline's (default 0: no drop).
/// - A case that passed in the baseline and fails now (same id) is a regression, which fails the
///   gate unless [`Gate::allow_case_regressions`]. Baseline cases the run lacks are listed.
/// - A run without cases fails (an empty run would pass every rate).
///
/// A metric with several floors (a minimum and the baseline's) is one check, against the
/// stricter.
///
/// ```
/// use genai_tracing::eval::{CaseResult, EvalReport, Gate};
/// let case = |passed| CaseResult {
///     id: "c1".into(), input: "What is 17 * 23?".into(), expected: Some("391".into()),
///     output: Some(if passed { "391" } else { "392" }.into()), error: None, scores: vec![],
///     trace_id: "t".into(), passed, replay_misses: vec![],
/// };
/// let baseline = EvalReport { cases: vec![case(true)] };
/// let current = EvalReport { cases: vec![case(false)] };
/// let report = Gate::new().min_pass_rate(0.5).check(&current, Some(&baseline));
/// assert!(!report.passed());
/// assert_eq!(report.regressions[0].id, "c1");
/// println!("{report}");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Gate {
    min_pass_rate: Option<f64>,
    min_scores: BTreeMap<String, f64>,
    max_drop: f64,
    allow_case_regressions: bool,
}

/// One check of a [`GateReport`]: a metric, its baseline and current values and the floor it
/// must reach.
#[derive(Debug, Clone, PartialEq)]
pub struct GateCheck {
    /// What is checked: `pass rate`, `{scorer} pass rate` or `{scorer} mean`.
    pub name: String,
    /// The baseline's value, when there is a baseline that has it.
    pub baseline: Option<f64>,
    /// The current value; `None` when the current run has no such scorer.
    pub current: Option<f64>,
    /// The floor: the stricter of the minimum given and the baseline less the allowed drop.
    pub threshold: f64,
    /// Whether the current value reaches the floor.
    pub passed: bool,
}

/// A case that passed in the baseline and fails now.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseRegression {
    /// The case's id.
    pub id: String,
    /// Its input.
    pub input: Value,
    /// Why it fails now: the agent's error, then each failing score.
    pub reasons: Vec<String>,
}

/// What a [`Gate`] found: its checks, the regressed cases and the verdict ([`passed`](Self::passed)).
/// Displayed as a table, one line per check, then the regressions.
#[derive(Debug, Clone, PartialEq)]
pub struct GateReport {
    /// The checks, pass rate first, then each scorer's by name.
    pub checks: Vec<GateCheck>,
    /// The cases that passed in the baseline and fail now, in the current run's order.
    pub regressions: Vec<CaseRegression>,
    /// Whether regressions are allowed (they are still listed).
    pub regressions_allowed: bool,
    /// How many cases the current run has: a run without any fails.
    pub cases: usize,
    /// The ids of the baseline's cases that are not in the current run (listed, not failed).
    pub missing: Vec<String>,
}

impl Gate {
    /// A gate with no thresholds: with a baseline, it checks for drops and regressions only.
    pub fn new() -> Self {
        Self::default()
    }

    /// The share of cases that must pass, 0 to 1.
    pub fn min_pass_rate(mut self, rate: f64) -> Self {
        self.min_pass_rate = Some(rate);
        self
    }

    /// The mean score the scorer `name` must reach; a run without that scorer fails.
    ///
    /// ```
    /// let gate = genai_tracing::eval::Gate::new().min_score("arithmetic", 0.9).max_drop(0.05);
    /// ```
    pub fn min_score(mut self, name: impl Into<String>, mean: f64) -> Self {
        self.min_scores.insert(name.into(), mean);
        self
    }

    /// How far the pass rate, and each scorer's pass rate and mean, may fall below the
    /// baseline's (default 0).
    pub fn max_drop(mut self, drop: f64) -> Self {
        self.max_drop = drop;
        self
    }

    /// Whether a case that passed in the baseline may fail now (default `false`).
    pub fn allow_case_regressions(mut self, allow: bool) -> Self {
        self.allow_case_regressions = allow;
        self
    }

    /// Checks `current` against the thresholds and, when given, the `baseline`.
    pub fn check(&self, current: &EvalReport, baseline: Option<&EvalReport>) -> GateReport {
        let mut checks = Vec::new();
        let drop_from = |value: f64| value - self.max_drop;
        let pass_rate_floors = [
            self.min_pass_rate,
            baseline.map(|b| drop_from(b.pass_rate())),
        ];
        checks.extend(check(
            "pass rate".to_owned(),
            baseline.map(EvalReport::pass_rate),
            Some(current.pass_rate()),
            &pass_rate_floors,
        ));

        let now = current.scorers();
        let before: BTreeMap<String, ScorerSummary> =
            baseline.map(EvalReport::scorers).unwrap_or_default();
        let mut names: Vec<&String> = before.keys().chain(self.min_scores.keys()).collect();
        names.sort();
        names.dedup();
        for name in names {
            let then = before.get(name);
            let current = now.get(name);
            if let Some(then) = then {
                checks.extend(check(
                    format!("{name} pass rate"),
                    Some(then.pass_rate()),
                    current.map(ScorerSummary::pass_rate),
                    &[Some(drop_from(then.pass_rate()))],
                ));
            }
            let floors = [
                self.min_scores.get(name).copied(),
                then.map(|t| drop_from(t.mean)),
            ];
            checks.extend(check(
                format!("{name} mean"),
                then.map(|t| t.mean),
                current.map(|c| c.mean),
                &floors,
            ));
        }

        let ids: std::collections::HashSet<&str> =
            current.cases.iter().map(|c| c.id.as_str()).collect();
        GateReport {
            checks,
            regressions: baseline.map_or_else(Vec::new, |b| regressions(current, b)),
            regressions_allowed: self.allow_case_regressions,
            cases: current.cases.len(),
            missing: baseline
                .iter()
                .flat_map(|b| &b.cases)
                .filter(|c| !ids.contains(c.id.as_str()))
                .map(|c| c.id.clone())
                .collect(),
        }
    }
}

/// A check against the stricter of `floors`, or none when no floor applies.
fn check(
    name: String,
    baseline: Option<f64>,
    current: Option<f64>,
    floors: &[Option<f64>],
) -> Option<GateCheck> {
    let threshold = floors.iter().flatten().copied().reduce(f64::max)?;
    Some(GateCheck {
        name,
        baseline,
        current,
        threshold,
        passed: current.is_some_and(|c| c + EPSILON >= threshold),
    })
}

/// The cases that passed in `baseline` and fail in `current`.
fn regressions(current: &EvalReport, baseline: &EvalReport) -> Vec<CaseRegression> {
    let passed_before: std::collections::HashSet<&str> = baseline
        .cases
        .iter()
        .filter(|c| c.passed)
        .map(|c| c.id.as_str())
        .collect();
    current
        .cases
        .iter()
        .filter(|c| !c.passed && passed_before.contains(c.id.as_str()))
        .map(|case| CaseRegression {
            id: case.id.clone(),
            input: case.input.clone(),
            reasons: case
                .error
                .iter()
                .map(|e| format!("error: {e}"))
                .chain(
                    case.scores
                        .iter()
                        .filter(|s| !s.passed())
                        .map(|s| s.to_string()),
                )
                .collect(),
        })
        .collect()
}

impl GateReport {
    /// Whether the run passes: it has cases, every check passed, and no case regressed unless
    /// allowed.
    pub fn passed(&self) -> bool {
        self.cases > 0
            && self.checks.iter().all(|c| c.passed)
            && (self.regressions_allowed || self.regressions.is_empty())
    }
}

impl fmt::Display for GateReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let number =
            |value: Option<f64>, none: &str| value.map_or(none.to_owned(), |v| format!("{v:.3}"));
        if self.checks.is_empty() {
            writeln!(
                f,
                "no checks: give a minimum pass rate or score, or a baseline"
            )?;
        } else {
            let width = self
                .checks
                .iter()
                .map(|c| c.name.chars().count())
                .max()
                .unwrap_or(0)
                .max("check".len());
            writeln!(
                f,
                "{:width$}  {:>8}  {:>8}  {:>9}",
                "check", "baseline", "current", "threshold"
            )?;
            for check in &self.checks {
                writeln!(
                    f,
                    "{:width$}  {:>8}  {:>8}  {:>9}  {}",
                    check.name,
                    number(check.baseline, "-"),
                    number(check.current, "missing"),
                    format!("≥ {:.3}", check.threshold),
                    if check.passed { "OK" } else { "FAIL" },
                )?;
            }
        }
        if !self.regressions.is_empty() {
            let allowed = if self.regressions_allowed {
                ", allowed"
            } else {
                ""
            };
            writeln!(
                f,
                "{} regressed (passed in the baseline, fail now{allowed}):",
                plural(self.regressions.len(), "case", "cases")
            )?;
            for case in &self.regressions {
                let input = match &case.input {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                };
                writeln!(f, "  {} {input:?}", case.id)?;
                for reason in &case.reasons {
                    writeln!(f, "      {reason}")?;
                }
            }
        }
        if !self.missing.is_empty() {
            let shown: Vec<&str> = self.missing.iter().take(5).map(String::as_str).collect();
            let more = if self.missing.len() > 5 { ", …" } else { "" };
            writeln!(
                f,
                "{} of the baseline not in this run: {}{more}",
                plural(self.missing.len(), "case", "cases"),
                shown.join(", ")
            )?;
        }
        if self.cases == 0 {
            writeln!(f, "the run has no cases")?;
        }
        let failed = self.checks.iter().filter(|c| !c.passed).count();
        write!(
            f,
            "gate {}: ",
            if self.passed() { "passed" } else { "FAILED" }
        )?;
        write!(
            f,
            "{} of {} failed",
            failed,
            plural(self.checks.len(), "check", "checks")
        )?;
        writeln!(
            f,
            ", {} regressed",
            plural(self.regressions.len(), "case", "cases")
        )
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::CaseResult;
    use crate::trace::Score;

    fn score(name: &str, value: f64) -> Score {
        Score {
            name: name.into(),
            value: Some(value),
            label: Some(if value >= 0.5 { "pass" } else { "fail" }.into()),
            explanation: (value < 0.5).then(|| format!("{name} is {value}")),
            error_type: None,
            span_id: None,
        }
    }

    /// A case `id` with these scores; it passes when they all do.
    fn case(id: &str, scores: &[(&str, f64)]) -> CaseResult {
        let scores: Vec<Score> = scores.iter().map(|(n, v)| score(n, *v)).collect();
        CaseResult {
            id: id.into(),
            input: format!("question {id}").into(),
            expected: None,
            output: Some("answer".into()),
            error: None,
            passed: scores.iter().all(Score::passed),
            scores,
            trace_id: format!("trace-{id}"),
            replay_misses: Vec::new(),
        }
    }

    fn report(cases: &[CaseResult]) -> EvalReport {
        EvalReport {
            cases: cases.to_vec(),
        }
    }

    fn find<'a>(report: &'a GateReport, name: &str) -> &'a GateCheck {
        report
            .checks
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no check {name} in\n{report}"))
    }

    #[test]
    fn min_pass_rate_and_min_score_without_a_baseline() {
        let run = report(&[
            case("a", &[("arith", 1.0)]),
            case("b", &[("arith", 1.0)]),
            case("c", &[("arith", 0.0)]),
        ]);
        let gate = Gate::new().min_pass_rate(0.6).min_score("arith", 0.6);
        let result = gate.check(&run, None);
        assert!(result.passed(), "{result}");
        assert_eq!(result.checks.len(), 2, "{result}");
        let strict = Gate::new().min_pass_rate(0.7).min_score("arith", 0.7);
        let result = strict.check(&run, None);
        assert!(!result.passed());
        assert!(!find(&result, "pass rate").passed);
        assert!(!find(&result, "arith mean").passed);
        let missing = Gate::new().min_score("judge", 0.1).check(&run, None);
        assert_eq!(find(&missing, "judge mean").current, None);
        assert!(!missing.passed(), "a scorer the run lacks fails");
    }

    #[test]
    fn an_exact_threshold_passes_despite_rounding() {
        let run = report(&[
            case("a", &[("s", 0.7)]),
            case("b", &[("s", 0.2)]),
            case("c", &[("s", 0.1)]),
        ]);
        // (0.7 + 0.2 + 0.1) / 3 in floating point is not exactly 1/3.
        let result = Gate::new().min_score("s", 1.0 / 3.0).check(&run, None);
        assert!(result.passed(), "{result}");
    }

    #[test]
    fn drops_below_the_baseline_fail_unless_within_max_drop() {
        let baseline = report(&[
            case("a", &[("arith", 1.0)]),
            case("b", &[("arith", 1.0)]),
            case("c", &[("arith", 1.0)]),
            case("d", &[("arith", 0.0)]),
        ]);
        // A different case fails: the pass rate is the same, no case passed before and fails now.
        let same = report(&[
            case("a", &[("arith", 1.0)]),
            case("b", &[("arith", 1.0)]),
            case("c", &[("arith", 0.0)]),
            case("d", &[("arith", 1.0)]),
        ]);
        let result = Gate::new().check(&same, Some(&baseline));
        assert_eq!(result.regressions.len(), 1, "c regressed");
        assert!(!result.passed());
        assert!(result.checks.iter().all(|c| c.passed), "{result}");
        let allowed = Gate::new()
            .allow_case_regressions(true)
            .check(&same, Some(&baseline));
        assert!(allowed.passed(), "{allowed}");

        let worse = report(&[
            case("a", &[("arith", 1.0)]),
            case("b", &[("arith", 1.0)]),
            case("c", &[("arith", 0.0)]),
            case("d", &[("arith", 0.0)]),
        ]);
        let result = Gate::new()
            .allow_case_regressions(true)
            .check(&worse, Some(&baseline));
        let rate = find(&result, "pass rate");
        assert_eq!(
            (rate.baseline, rate.current, rate.threshold, rate.passed),
            (Some(0.75), Some(0.5), 0.75, false)
        );
        assert!(!find(&result, "arith pass rate").passed);
        assert!(!find(&result, "arith mean").passed);
        let lenient = Gate::new()
            .max_drop(0.25)
            .allow_case_regressions(true)
            .check(&worse, Some(&baseline));
        assert!(lenient.passed(), "{lenient}");
        let floor = Gate::new()
            .max_drop(0.25)
            .min_pass_rate(0.6)
            .allow_case_regressions(true)
            .check(&worse, Some(&baseline));
        assert_eq!(find(&floor, "pass rate").threshold, 0.6, "the stricter");
        assert!(!floor.passed());
    }

    #[test]
    fn a_scorer_of_the_baseline_missing_now_fails() {
        let baseline = report(&[case("a", &[("arith", 1.0), ("judge", 1.0)])]);
        let current = report(&[case("a", &[("arith", 1.0)])]);
        let result = Gate::new().check(&current, Some(&baseline));
        assert!(!find(&result, "judge pass rate").passed);
        assert!(!find(&result, "judge mean").passed);
        assert!(find(&result, "arith mean").passed);
        assert!(!result.passed());
    }

    #[test]
    fn the_report_reads_as_a_table_then_the_regressions() {
        let baseline = report(&[case("a", &[("arith", 1.0)]), case("b", &[("arith", 1.0)])]);
        let mut broken = case("b", &[("arith", 0.0)]);
        broken.error = Some("calculator: parse_error".into());
        broken.passed = false;
        let current = report(&[case("a", &[("arith", 1.0)]), broken]);
        let result = Gate::new()
            .min_pass_rate(0.5)
            .min_score("arith", 0.9)
            .check(&current, Some(&baseline));
        let text = result.to_string();
        let expected = "\
check            baseline   current  threshold
pass rate           1.000     0.500    ≥ 1.000  FAIL
arith pass rate     1.000     0.500    ≥ 1.000  FAIL
arith mean          1.000     0.500    ≥ 1.000  FAIL
1 case regressed (passed in the baseline, fail now):
  b \"question b\"
      error: calculator: parse_error
      arith = 0 (fail): arith is 0
gate FAILED: 3 of 3 checks failed, 1 case regressed
";
        assert_eq!(text, expected, "\n{text}");
        let empty = Gate::new().check(&current, None);
        assert!(empty.passed());
        assert_eq!(
            empty.to_string(),
            "no checks: give a minimum pass rate or score, or a baseline\n\
             gate passed: 0 of 0 checks failed, 0 cases regressed\n"
        );
    }

    #[test]
    fn a_run_without_cases_fails_and_cases_it_lacks_are_listed() {
        let baseline = report(&[case("a", &[("arith", 1.0)]), case("b", &[("arith", 1.0)])]);
        let nothing = Gate::new()
            .min_pass_rate(0.9)
            .check(&report(&[]), Some(&baseline));
        assert!(!nothing.passed(), "{nothing}");
        let text = nothing.to_string();
        assert!(
            text.contains("2 cases of the baseline not in this run: a, b\n"),
            "{text}"
        );
        assert!(text.contains("the run has no cases\ngate FAILED"), "{text}");
        let fewer = Gate::new().check(&report(&[case("a", &[("arith", 1.0)])]), Some(&baseline));
        assert!(fewer.passed(), "{fewer}");
        assert_eq!(fewer.missing, ["b"]);
    }
}
