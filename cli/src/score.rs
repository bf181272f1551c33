//! `genai-trace score`: rule scorers over every trace.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use genai_tracing::eval::rules::RuleSpec;
use genai_tracing::eval::{score_trace, Score, Scorer, Trace};

use crate::error::CliError;
use crate::input::TraceFiles;

/// Score every trace with rules.
///
/// Prints PASS or FAIL per trace with each rule's score (value, label, explanation), then how
/// many traces failed; --json prints one JSON object per trace instead. The rules:
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
    /// Print one JSON object per trace (`trace_id`, `passed`, `scores`) instead of text.
    #[arg(long)]
    json: bool,
    /// Exit 1 when any trace fails a rule (else the exit code is 0: the scores are the output).
    #[arg(long)]
    check: bool,
}

/// Prints the scores; with `--check`, exit code 1 when a trace failed.
pub fn run(args: &Args, out: &mut impl Write) -> Result<ExitCode, CliError> {
    let traces = args.files.read()?;
    let scorers = scorers(&args.rules);
    let mut failing = 0;
    for trace in &traces {
        let scores = futures_executor::block_on(score_trace(trace, &scorers));
        let passed = scores.iter().all(Score::passed);
        if !passed {
            failing += 1;
        }
        match args.json {
            true => json_line(trace, passed, &scores, out)?,
            false => text(trace, passed, &scores, out)?,
        }
    }
    if !args.json {
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        writeln!(
            out,
            "{} trace{}, {failing} failing",
            traces.len(),
            plural(traces.len())
        )?;
    }
    Ok(match args.check && failing > 0 {
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
    passed: bool,
    scores: &[Score],
    out: &mut impl Write,
) -> std::io::Result<()> {
    let verdict = if passed { "PASS" } else { "FAIL" };
    let root = trace.root().map_or("(no root span)", |r| r.name.as_str());
    writeln!(out, "{verdict} trace {}  {root}", trace.trace_id)?;
    for score in scores {
        writeln!(out, "  {score}")?;
    }
    Ok(())
}

fn json_line(
    trace: &Trace,
    passed: bool,
    scores: &[Score],
    out: &mut impl Write,
) -> std::io::Result<()> {
    /// One line of `--json`.
    #[derive(serde::Serialize)]
    struct Line<'a> {
        trace_id: &'a str,
        passed: bool,
        scores: &'a [Score],
    }
    let line = Line {
        trace_id: &trace.trace_id,
        passed,
        scores,
    };
    serde_json::to_writer(&mut *out, &line)?;
    writeln!(out)
}
