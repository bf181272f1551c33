//! `genai-trace score`: rule scorers over every trace.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use genai_tracing::eval::rules::RuleSpec;
use genai_tracing::eval::{score_trace, Outcome, Score, Scorer, Trace};

use crate::error::CliError;
use crate::input::TraceFiles;

/// Score every trace with rules.
///
/// Prints PASS, FAIL or NOT CHECKED per trace with each rule's score (value, label,
/// explanation), then how many traces failed and how many were not checked; --json prints one
/// JSON object per trace instead. A trace fails when a rule fails it; it is not checked when
/// every rule had nothing to check (a rule that needs the answer, on a trace without captured
/// content). The rules:
///
///   no-errors              no span failed
///   finished               the root span did not fail, and has an answer when content was captured
///   expected               the answer contains the expected value (set by the eval harness)
///   output-contains=TEXT   the answer contains TEXT
///   output-matches=REGEX   the answer matches REGEX
///   max-cost=USD           the model calls cost at most USD dollars
///   max-tokens=N           the model calls used at most N tokens, input and output
///   max-latency=SECONDS    the root span took at most SECONDS
///   max-tool-errors=N      at most N tool calls failed
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment, about = "Score every trace with rules")]
pub struct Args {
    #[command(flatten)]
    files: TraceFiles,
    /// A rule to score with, e.g. `no-errors` or `max-cost=0.01` (repeatable).
    #[arg(long = "rule", value_name = "SPEC", required = true)]
    rules: Vec<RuleSpec>,
    /// Print one JSON object per trace (`trace_id`, `outcome`: pass, fail or not_checked,
    /// `passed`, `scores`) instead of text.
    #[arg(long)]
    json: bool,
    /// Exit 1 when any trace fails a rule, or when no trace was checked at all (else the exit
    /// code is 0: the scores are the output).
    #[arg(long)]
    check: bool,
}

/// Prints the scores; with `--check`, exit code 1 when a trace failed or none was checked.
pub fn run(args: &Args, out: &mut impl Write) -> Result<ExitCode, CliError> {
    let traces = args.files.read()?;
    let scorers = scorers(&args.rules);
    let (mut failing, mut not_checked) = (0, 0);
    for trace in &traces {
        let scores = futures_executor::block_on(score_trace(trace, &scorers));
        let outcome = Outcome::of(scores.iter().map(Score::outcome)).unwrap_or(Outcome::Pass);
        match outcome {
            Outcome::Fail => failing += 1,
            Outcome::NotChecked => not_checked += 1,
            Outcome::Pass => {}
        }
        match args.json {
            true => json_line(trace, outcome, &scores, out)?,
            false => text(trace, outcome, &scores, out)?,
        }
    }
    let nothing_checked = not_checked == traces.len();
    if !args.json {
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        write!(
            out,
            "{} trace{}, {failing} failing",
            traces.len(),
            plural(traces.len())
        )?;
        match (not_checked, nothing_checked) {
            (0, _) => writeln!(out)?,
            (n, false) => writeln!(out, ", {n} not checked")?,
            (n, true) => writeln!(out, ", {n} not checked: nothing was checked")?,
        }
    }
    if args.check && nothing_checked {
        eprintln!(
            "genai-trace: score --check: no trace was checked (every score was not checked), \
             so none can pass"
        );
    }
    Ok(match args.check && (failing > 0 || nothing_checked) {
        true => ExitCode::FAILURE,
        false => ExitCode::SUCCESS,
    })
}

/// The scorers the specs name.
pub fn scorers(rules: &[RuleSpec]) -> Vec<Arc<dyn Scorer>> {
    rules.iter().map(|rule| Arc::from(rule.scorer())).collect()
}

fn text(
    trace: &Trace,
    outcome: Outcome,
    scores: &[Score],
    out: &mut impl Write,
) -> std::io::Result<()> {
    let verdict = match outcome {
        Outcome::Pass => "PASS",
        Outcome::Fail => "FAIL",
        Outcome::NotChecked => "NOT CHECKED",
    };
    let root = trace.root().map_or("(no root span)", |r| r.name.as_str());
    writeln!(out, "{verdict} trace {}  {root}", trace.trace_id)?;
    for score in scores {
        writeln!(out, "  {score}")?;
    }
    Ok(())
}

fn json_line(
    trace: &Trace,
    outcome: Outcome,
    scores: &[Score],
    out: &mut impl Write,
) -> std::io::Result<()> {
    /// One line of `--json`.
    #[derive(serde::Serialize)]
    struct Line<'a> {
        trace_id: &'a str,
        outcome: Outcome,
        passed: bool,
        scores: &'a [Score],
    }
    let line = Line {
        trace_id: &trace.trace_id,
        outcome,
        passed: outcome == Outcome::Pass,
        scores,
    };
    serde_json::to_writer(&mut *out, &line)?;
    writeln!(out)
}
