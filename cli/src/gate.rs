//! `genai-trace gate`: an eval run's results against thresholds and a baseline run.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use genai_tracing::eval::{EvalReport, Gate};

use crate::error::CliError;
use crate::option::{checked_cases, name_number, rate};

/// Gate a release on eval results.
///
/// Checks an eval run's results (the JSON an EvalReport saves) against thresholds and,
/// optionally, a baseline run's. Prints one line per check (baseline, current, threshold, OK or
/// FAIL), then the cases that passed in the baseline and fail now. Exits 1 when the gate fails.
///
/// Cases whose scorers had nothing to check (content not captured, say) are not checked: the
/// pass rates are over checked cases, and at least one case must be checked (--min-checked,
/// default 1), so a run that checked nothing never opens the gate. Against a baseline the
/// checked share may not drop (beyond --max-drop) either.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The eval run's results.
    #[arg(value_name = "RESULTS.json")]
    results: PathBuf,
    /// The results to compare with, e.g. the last release's.
    #[arg(long, value_name = "BASE.json")]
    baseline: Option<PathBuf>,
    /// The share of checked cases that must pass, from 0 to 1.
    #[arg(long, value_name = "X", value_parser = rate)]
    min_pass_rate: Option<f64>,
    /// How many cases must be checked (passed or failed, not "not checked"), at least 1
    /// [default: 1].
    #[arg(long, value_name = "N", value_parser = checked_cases)]
    min_checked: Option<usize>,
    /// The share of cases that must be checked, from 0 to 1.
    #[arg(long, value_name = "X", value_parser = rate)]
    min_checked_share: Option<f64>,
    /// The mean score the scorer NAME must reach (repeatable).
    #[arg(long, value_name = "NAME=X", value_parser = name_number)]
    min_score: Vec<(String, f64)>,
    /// How far the pass rate, the checked share and each scorer's pass rate and mean may fall
    /// below the baseline's, from 0 to 1.
    #[arg(long, value_name = "X", value_parser = rate, default_value_t = 0.0)]
    max_drop: f64,
    /// Let cases that passed in the baseline fail now (they are still listed).
    #[arg(long)]
    allow_case_regressions: bool,
}

/// Prints the gate's report; exit code 1 when it fails.
pub fn run(args: &Args, out: &mut impl Write) -> Result<ExitCode, CliError> {
    let current = EvalReport::load(&args.results)?;
    let baseline = args.baseline.as_ref().map(EvalReport::load).transpose()?;
    // A gate without a threshold or a baseline would always open: a forgotten flag in CI.
    if baseline.is_none()
        && args.min_pass_rate.is_none()
        && args.min_score.is_empty()
        && args.min_checked.is_none()
        && args.min_checked_share.is_none()
    {
        return Err(CliError::NothingToGate);
    }
    let mut gate = Gate::new()
        .max_drop(args.max_drop)
        .allow_case_regressions(args.allow_case_regressions);
    if let Some(rate) = args.min_pass_rate {
        gate = gate.min_pass_rate(rate);
    }
    if let Some(cases) = args.min_checked {
        gate = gate.min_checked(cases);
    }
    if let Some(share) = args.min_checked_share {
        gate = gate.min_checked_share(share);
    }
    for (name, mean) in &args.min_score {
        gate = gate.min_score(name.clone(), *mean);
    }
    let report = gate.check(&current, baseline.as_ref());
    write!(out, "{report}")?;
    Ok(match report.passed() {
        true => ExitCode::SUCCESS,
        false => ExitCode::FAILURE,
    })
}
