//! The release gate: an eval run's [`EvalReport`] against thresholds and, optionally, the
//! report of a baseline run (the last release's), as `genai-trace gate` runs it in CI. See
//! [`Gate`] for the checks.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use serde_json::Value;

use super::report::{EvalReport, ScorerSummary};
use crate::trace::Outcome;

/// Room for rounding when comparing rates and means (a 0.9 that is 0.8999999999).
const EPSILON: f64 = 1e-9;

/// Thresholds an eval run must meet to pass:
///
/// - The pass rate (over checked cases) must reach [`Gate::min_pass_rate`], and each named
///   scorer's mean its [`Gate::min_score`].
/// - At least [`Gate::min_checked`] cases must be checked — **one by default**, so a run in
///   which nothing was checked (every scorer said [not checked](crate::eval::Outcome::NotChecked):
///   content not captured, say) fails rather than passing on a pass rate over nothing — and at
///   least a [`Gate::min_checked_share`] of them, when given.
/// - Against a baseline, the pass rate, the checked share and each baseline scorer's pass rate
///   and mean may fall at most [`Gate::max_drop`] below the baseline's (default 0: no drop). So
///   cases that stop being checked (capture switched off in CI, a scorer that no longer applies)
///   fail the gate against a baseline where they were checked, even if the rest all pass.
/// - A case that passed in the baseline and fails now (same id) is a regression, which fails the
///   gate unless [`Gate::allow_case_regressions`]. Baseline cases the run lacks, and cases
///   checked in the baseline but not now, are listed.
/// - A run without cases fails (an empty run would pass every rate).
///
/// A metric with several floors (a minimum and the baseline's) is one check, against the
/// stricter. A rate over no checked case (a scorer that checked nothing) has no value, and fails
/// its check.
///
/// ```
/// use genai_tracing::eval::{CaseResult, EvalReport, Gate};
/// let case = |passed| CaseResult {
///     id: "c1".into(), input: "What is 17 * 23?".into(), expected: Some("391".into()),
///     output: Some(if passed { "391" } else { "392" }.into()), error: None, scores: vec![],
///     trace_id: "t".into(), passed, not_checked: false, replay_misses: vec![],
/// };
/// let baseline = EvalReport { cases: vec![case(true)] };
/// let current = EvalReport { cases: vec![case(false)] };
/// let report = Gate::new().min_pass_rate(0.5).check(&current, Some(&baseline));
/// assert!(!report.passed());
/// assert_eq!(report.regressions[0].id, "c1");
/// println!("{report}");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Gate {
    min_pass_rate: Option<f64>,
    min_scores: BTreeMap<String, f64>,
    min_checked: usize,
    min_checked_share: Option<f64>,
    max_drop: f64,
    allow_case_regressions: bool,
}

impl Default for Gate {
    fn default() -> Self {
        Self {
            min_pass_rate: None,
            min_scores: BTreeMap::new(),
            min_checked: 1,
            min_checked_share: None,
            max_drop: 0.0,
            allow_case_regressions: false,
        }
    }
}

/// One check of a [`GateReport`]: a metric, its baseline and current values and the floor it
/// must reach.
#[derive(Debug, Clone, PartialEq)]
pub struct GateCheck {
    /// What is checked: `pass rate`, `checked cases`, `checked share`, `{scorer} pass rate` or
    /// `{scorer} mean`.
    pub name: String,
    /// The baseline's value, when there is a baseline that has it.
    pub baseline: Option<f64>,
    /// The current value; `None` when the current run has none: no such scorer, or a rate over
    /// no checked case.
    pub current: Option<f64>,
    /// The floor: the stricter of the minimum given and the baseline less the allowed drop.
    pub threshold: f64,
    /// Whether the current value reaches the floor.
    pub passed: bool,
    /// Whether the values are numbers of cases (shown whole), not rates or means.
    pub is_count: bool,
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
    /// The checks: pass rate, checked cases, checked share (with a baseline or a minimum), then
    /// each scorer's by name.
    pub checks: Vec<GateCheck>,
    /// The cases that passed in the baseline and fail now, in the current run's order.
    pub regressions: Vec<CaseRegression>,
    /// Whether regressions are allowed (they are still listed).
    pub regressions_allowed: bool,
    /// How many cases the current run has: a run without any fails.
    pub cases: usize,
    /// How many of them were checked (passed or failed).
    pub checked: usize,
    /// The ids of the baseline's cases that are not in the current run (listed, not failed).
    pub missing: Vec<String>,
    /// The ids of the cases checked in the baseline and not checked now (listed; the checked
    /// share's check is what fails).
    pub no_longer_checked: Vec<String>,
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

    /// How many cases must be checked (passed or failed, not [not
    /// checked](crate::eval::Outcome::NotChecked)); default 1, and never less: a gate over no
    /// checked case would open whatever the agent does.
    ///
    /// ```
    /// use genai_tracing::eval::{CaseResult, EvalReport, Gate};
    /// let unchecked = CaseResult {
    ///     id: "c1".into(), input: "What is 17 * 23?".into(), expected: None, output: None,
    ///     error: None, scores: vec![], trace_id: "t".into(), passed: false, not_checked: true,
    ///     replay_misses: vec![],
    /// };
    /// let run = EvalReport { cases: vec![unchecked] };
    /// let report = Gate::new().min_pass_rate(1.0).check(&run, None);
    /// assert!(!report.passed(), "nothing checked never passes");
    /// ```
    pub fn min_checked(mut self, cases: usize) -> Self {
        self.min_checked = cases.max(1);
        self
    }

    /// The share of cases that must be checked, 0 to 1 (default: none required beyond
    /// [`min_checked`](Self::min_checked), or the baseline's share less the allowed drop).
    ///
    /// ```
    /// let gate = genai_tracing::eval::Gate::new().min_pass_rate(0.9).min_checked_share(0.8);
    /// ```
    pub fn min_checked_share(mut self, share: f64) -> Self {
        self.min_checked_share = Some(share);
        self
    }

    /// How far the pass rate, the checked share, and each scorer's pass rate and mean may fall
    /// below the baseline's (default 0).
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
        // A rate over no checked case has no value.
        let pass_rate = |report: &EvalReport| (report.checked() > 0).then(|| report.pass_rate());
        let pass_rate_floors = [
            self.min_pass_rate,
            baseline.and_then(pass_rate).map(drop_from),
        ];
        checks.extend(check(
            "pass rate".to_owned(),
            baseline.and_then(pass_rate),
            pass_rate(current),
            &pass_rate_floors,
        ));
        let checked_cases = check(
            "checked cases".to_owned(),
            baseline.map(|b| b.checked() as f64),
            Some(current.checked() as f64),
            &[Some(self.min_checked.max(1) as f64)],
        );
        checks.extend(checked_cases.map(|c| GateCheck {
            is_count: true,
            ..c
        }));
        let share_floors = [
            self.min_checked_share,
            baseline.map(|b| drop_from(b.checked_share())),
        ];
        checks.extend(check(
            "checked share".to_owned(),
            baseline.map(EvalReport::checked_share),
            Some(current.checked_share()),
            &share_floors,
        ));

        let now = current.scorers();
        let before: BTreeMap<String, ScorerSummary> =
            baseline.map(EvalReport::scorers).unwrap_or_default();
        let scorer_rate = |s: &ScorerSummary| (s.checked() > 0).then(|| s.pass_rate());
        let scorer_mean = |s: &ScorerSummary| (s.checked() > 0).then_some(s.mean);
        let mut names: Vec<&String> = before.keys().chain(self.min_scores.keys()).collect();
        names.sort();
        names.dedup();
        for name in names {
            let then = before.get(name);
            let current = now.get(name);
            if let Some(then) = then {
                checks.extend(check(
                    format!("{name} pass rate"),
                    scorer_rate(then),
                    current.and_then(scorer_rate),
                    &[scorer_rate(then).map(drop_from)],
                ));
            }
            let floors = [
                self.min_scores.get(name).copied(),
                then.and_then(scorer_mean).map(drop_from),
            ];
            checks.extend(check(
                format!("{name} mean"),
                then.and_then(scorer_mean),
                current.and_then(scorer_mean),
                &floors,
            ));
        }

        let now_by_id: BTreeMap<&str, Outcome> = current
            .cases
            .iter()
            .map(|c| (c.id.as_str(), c.outcome()))
            .collect();
        let (missing, no_longer_checked) = match baseline {
            None => (Vec::new(), Vec::new()),
            Some(b) => {
                let missing = b
                    .cases
                    .iter()
                    .filter(|c| !now_by_id.contains_key(c.id.as_str()))
                    .map(|c| c.id.clone())
                    .collect();
                let unchecked = b
                    .cases
                    .iter()
                    .filter(|c| c.outcome().is_checked())
                    .filter(|c| now_by_id.get(c.id.as_str()) == Some(&Outcome::NotChecked))
                    .map(|c| c.id.clone())
                    .collect();
                (missing, unchecked)
            }
        };
        GateReport {
            checks,
            regressions: baseline.map_or_else(Vec::new, |b| regressions(current, b)),
            regressions_allowed: self.allow_case_regressions,
            cases: current.cases.len(),
            checked: current.checked(),
            missing,
            no_longer_checked,
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
        is_count: false,
    })
}

/// The cases that passed in `baseline` and fail in `current`.
fn regressions(current: &EvalReport, baseline: &EvalReport) -> Vec<CaseRegression> {
    let passed_before: HashSet<&str> = baseline
        .cases
        .iter()
        .filter(|c| c.passed)
        .map(|c| c.id.as_str())
        .collect();
    current
        .cases
        .iter()
        .filter(|c| c.outcome() == Outcome::Fail && passed_before.contains(c.id.as_str()))
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
                        .filter(|s| s.failed())
                        .map(|s| s.to_string()),
                )
                .collect(),
        })
        .collect()
}

impl GateReport {
    /// Whether the run passes: it has cases, every check passed (at least one case was checked,
    /// among them), and no case regressed unless allowed.
    pub fn passed(&self) -> bool {
        self.cases > 0
            && self.checks.iter().all(|c| c.passed)
            && (self.regressions_allowed || self.regressions.is_empty())
    }
}

impl fmt::Display for GateReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let number = |value: Option<f64>, count: bool, none: &str| match (value, count) {
            (None, _) => none.to_owned(),
            (Some(v), true) => format!("{v:.0}"),
            (Some(v), false) => format!("{v:.3}"),
        };
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
            let threshold = match check.is_count {
                true => format!("≥ {:<5.0}", check.threshold),
                false => format!("≥ {:.3}", check.threshold),
            };
            writeln!(
                f,
                "{:width$}  {:>8}  {:>8}  {:>9}  {}",
                check.name,
                number(check.baseline, check.is_count, "-"),
                number(check.current, check.is_count, "none"),
                threshold,
                if check.passed { "OK" } else { "FAIL" },
            )?;
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
        let listed = |ids: &[String]| {
            let shown: Vec<&str> = ids.iter().take(5).map(String::as_str).collect();
            let more = if ids.len() > 5 { ", …" } else { "" };
            format!("{}{more}", shown.join(", "))
        };
        if !self.missing.is_empty() {
            writeln!(
                f,
                "{} of the baseline not in this run: {}",
                plural(self.missing.len(), "case", "cases"),
                listed(&self.missing)
            )?;
        }
        if !self.no_longer_checked.is_empty() {
            writeln!(
                f,
                "{} checked in the baseline, not checked now: {}",
                plural(self.no_longer_checked.len(), "case", "cases"),
                listed(&self.no_longer_checked)
            )?;
        }
        if self.cases == 0 {
            writeln!(f, "the run has no cases")?;
        } else if self.checked == 0 {
            writeln!(
                f,
                "no case was checked: every score of the {} was not checked (content not \
                 captured?), and a gate over nothing checked would always open",
                plural(self.cases, "case", "cases")
            )?;
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
    use crate::trace::{Score, NOT_CHECKED};

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

    /// A score of `name` that had nothing to check.
    fn unchecked(name: &str) -> Score {
        Score {
            name: name.into(),
            value: None,
            label: Some(NOT_CHECKED.into()),
            explanation: Some("content not captured".into()),
            error_type: None,
            span_id: None,
        }
    }

    /// A case `id` with these scores; it passes when they all do.
    fn case(id: &str, scores: &[(&str, f64)]) -> CaseResult {
        case_of(id, scores.iter().map(|(n, v)| score(n, *v)).collect())
    }

    /// A case `id` whose every score had nothing to check.
    fn unchecked_case(id: &str, names: &[&str]) -> CaseResult {
        case_of(id, names.iter().map(|n| unchecked(n)).collect())
    }

    /// A case `id` with these scores, its outcome theirs (as the harness gives it).
    fn case_of(id: &str, scores: Vec<Score>) -> CaseResult {
        let outcome = Outcome::of(scores.iter().map(Score::outcome)).unwrap_or(Outcome::Pass);
        CaseResult {
            id: id.into(),
            input: format!("question {id}").into(),
            expected: None,
            output: Some("answer".into()),
            error: None,
            passed: outcome == Outcome::Pass,
            not_checked: outcome == Outcome::NotChecked,
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
        assert_eq!(result.checks.len(), 3, "with the checked cases: {result}");
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
checked cases           2         2    ≥ 1      OK
checked share       1.000     1.000    ≥ 1.000  OK
arith pass rate     1.000     0.500    ≥ 1.000  FAIL
arith mean          1.000     0.500    ≥ 1.000  FAIL
1 case regressed (passed in the baseline, fail now):
  b \"question b\"
      error: calculator: parse_error
      arith = 0 (fail): arith is 0
gate FAILED: 3 of 5 checks failed, 1 case regressed
";
        assert_eq!(text, expected, "\n{text}");
        let thresholdless = Gate::new().check(&current, None);
        assert!(thresholdless.passed());
        assert_eq!(
            thresholdless.to_string(),
            "check          baseline   current  threshold\n\
             checked cases         -         2    ≥ 1      OK\n\
             gate passed: 0 of 1 check failed, 0 cases regressed\n"
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

    #[test]
    fn pass_rates_are_over_checked_cases_only() {
        let run = report(&[
            case("a", &[("arith", 1.0)]),
            case("b", &[("arith", 1.0)]),
            case("c", &[("arith", 0.0)]),
            unchecked_case("d", &["arith"]),
            case_of("e", vec![score("arith", 1.0), unchecked("judge")]),
        ]);
        assert_eq!((run.passed(), run.checked(), run.not_checked()), (3, 4, 1));
        assert_eq!(run.pass_rate(), 0.75, "3 of the 4 checked");
        assert_eq!(run.checked_share(), 0.8);
        let arith = run.scorers()["arith"];
        assert_eq!((arith.checked(), arith.not_checked), (4, 1));
        assert_eq!(
            (arith.pass_rate(), arith.mean),
            (0.75, 0.75),
            "d has no value"
        );
        let judge = run.scorers()["judge"];
        assert_eq!((judge.checked(), judge.pass_rate()), (0, 0.0));
        let result = Gate::new().min_pass_rate(0.75).check(&run, None);
        assert!(result.passed(), "{result}");
        assert_eq!(find(&result, "pass rate").current, Some(0.75));
        let text = run.to_string();
        assert!(
            text.contains("NOT CHECKED d \"question d\" -> \"answer\"\n     arith (not checked): content not captured\n"),
            "{text}"
        );
        assert!(
            text.ends_with(
                "pass rate 0.750 (3/4), 1 case not checked\n  \
                 arith: 3/4 passed, mean 0.750, 1 not checked\n  \
                 judge: 0/0 passed, mean 0.000, 1 not checked\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn a_run_with_nothing_checked_fails_the_gate_saying_why() {
        let run = report(&[
            unchecked_case("a", &["arith"]),
            unchecked_case("b", &["arith"]),
        ]);
        assert_eq!(run.pass_rate(), 0.0, "nothing checked is no pass");
        // Whatever the thresholds: none at all, or ones a pass rate over nothing would meet.
        for gate in [
            Gate::new(),
            Gate::new().min_pass_rate(0.0),
            Gate::new().min_checked(0),
        ] {
            let result = gate.check(&run, None);
            assert!(!result.passed(), "{result}");
            let checked = find(&result, "checked cases");
            assert_eq!(
                (checked.current, checked.threshold, checked.passed),
                (Some(0.0), 1.0, false)
            );
        }
        let result = Gate::new()
            .min_pass_rate(0.9)
            .min_score("arith", 0.5)
            .check(&run, None);
        let text = result.to_string();
        let expected = "\
check          baseline   current  threshold
pass rate             -      none    ≥ 0.900  FAIL
checked cases         -         0    ≥ 1      FAIL
arith mean            -      none    ≥ 0.500  FAIL
no case was checked: every score of the 2 cases was not checked (content not captured?), \
and a gate over nothing checked would always open
gate FAILED: 3 of 3 checks failed, 0 cases regressed
";
        assert_eq!(text, expected, "\n{text}");
        assert_eq!(
            run.check(0.0).unwrap_err().to_string().lines().next(),
            Some(
                "no case of 2 was checked: every score was not checked (content not captured? \
                 see each case's scores)"
            )
        );
    }

    #[test]
    fn min_checked_and_min_checked_share() {
        let run = report(&[
            case("a", &[("arith", 1.0)]),
            case("b", &[("arith", 1.0)]),
            case("c", &[("arith", 1.0)]),
            unchecked_case("d", &["arith"]),
        ]);
        let result = Gate::new().min_checked_share(0.75).check(&run, None);
        assert!(result.passed(), "{result}");
        let share = find(&result, "checked share");
        assert_eq!((share.current, share.threshold), (Some(0.75), 0.75));
        let result = Gate::new()
            .min_pass_rate(1.0)
            .min_checked_share(0.8)
            .check(&run, None);
        assert!(!result.passed(), "{result}");
        assert!(!find(&result, "checked share").passed);
        assert!(find(&result, "pass rate").passed, "3 of 3 checked passed");
        assert!(
            result
                .to_string()
                .contains("checked share         -     0.750    ≥ 0.800  FAIL\n"),
            "{result}"
        );
        assert!(Gate::new().min_checked(3).check(&run, None).passed());
        let result = Gate::new().min_checked(4).check(&run, None);
        assert!(!result.passed(), "{result}");
        assert!(
            result
                .to_string()
                .contains("checked cases         -         3    ≥ 4      FAIL\n"),
            "{result}"
        );
        assert_eq!(
            Gate::new().min_checked(0),
            Gate::new().min_checked(1),
            "never less than one"
        );
    }

    #[test]
    fn cases_no_longer_checked_fail_against_the_baseline() {
        let baseline = report(&[
            case("a", &[("arith", 1.0)]),
            case("b", &[("arith", 1.0)]),
            case("c", &[("arith", 1.0)]),
            case("d", &[("arith", 1.0)]),
        ]);
        // Capture switched off for three of them: the one checked still passes.
        let current = report(&[
            case("a", &[("arith", 1.0)]),
            unchecked_case("b", &["arith"]),
            unchecked_case("c", &["arith"]),
            unchecked_case("d", &["arith"]),
        ]);
        let result = Gate::new()
            .min_pass_rate(1.0)
            .check(&current, Some(&baseline));
        assert!(!result.passed(), "{result}");
        assert!(find(&result, "pass rate").passed, "{result}");
        let share = find(&result, "checked share");
        assert_eq!(
            (share.baseline, share.current, share.passed),
            (Some(1.0), Some(0.25), false)
        );
        assert!(result.regressions.is_empty(), "not checked is no fail");
        assert_eq!(result.no_longer_checked, ["b", "c", "d"]);
        assert!(
            result
                .to_string()
                .contains("3 cases checked in the baseline, not checked now: b, c, d\n"),
            "{result}"
        );
        let lenient = Gate::new().max_drop(0.75).check(&current, Some(&baseline));
        assert!(lenient.passed(), "{lenient}");
        // A scorer that checked nothing now has no rate or mean to compare.
        let silent = report(&[
            unchecked_case("a", &["arith"]),
            case("b", &[("judge", 1.0)]),
        ]);
        let before = report(&[
            case_of("a", vec![score("arith", 1.0)]),
            case("b", &[("judge", 1.0)]),
        ]);
        let result = Gate::new().check(&silent, Some(&before));
        assert_eq!(find(&result, "arith pass rate").current, None);
        assert!(!find(&result, "arith mean").passed, "{result}");
    }
}
