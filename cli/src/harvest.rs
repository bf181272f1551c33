//! `genai-trace harvest`: failing traces into eval cases.

use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::builder::NonEmptyStringValueParser;
use genai_tracing::eval::rules::RuleSpec;
use genai_tracing::eval::{score_trace, Dataset, EvalCase, Score, Trace};
use serde_json::Value;

use crate::content;
use crate::error::CliError;
use crate::input::TraceFiles;
use crate::score::scorers;

/// Turn failing traces into eval cases.
///
/// Harvests the traces with a failed span or a failed recorded score, or that fail a given
/// --rule; with --trace, that trace whatever it scored. A case's input is the root span's
/// captured input (run the agent with OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true),
/// its reasons why the trace failed. The cases are appended to a JSON Lines dataset; a case
/// whose input is there already is skipped. Traces without captured input are skipped, and
/// counted on standard error; when no trace has any (or the --trace given has none), there is
/// nothing to harvest from: exit code 2.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    files: TraceFiles,
    /// The dataset to append to (created if need be).
    #[arg(long, value_name = "OUT.jsonl")]
    dataset: PathBuf,
    /// Harvest this trace (its id or the start of it), whether or not it failed.
    #[arg(long, value_name = "ID", value_parser = NonEmptyStringValueParser::new())]
    trace: Option<String>,
    /// The right answer of the case harvested with --trace: JSON if it parses (`391`,
    /// `{"city":"Paris"}`), else text.
    #[arg(long, value_name = "VALUE", requires = "trace")]
    expected: Option<String>,
    /// A rule a trace must pass not to be harvested, e.g. `output-contains=391` (repeatable); its
    /// failing scores join the case's reasons.
    #[arg(long = "rule", value_name = "SPEC")]
    rules: Vec<RuleSpec>,
}

/// Appends the cases; exit code 2 (an error) when no trace chosen has a captured input.
pub fn run(args: &Args, out: &mut impl Write) -> Result<ExitCode, CliError> {
    let traces = args.files.read()?;
    let scorers = scorers(&args.rules);
    let picked = args
        .trace
        .as_deref()
        .map(|id| args.files.select(&traces, id))
        .transpose()?;
    // A case needs the run's input: only traces whose root captured it can become one.
    let candidates = match picked {
        Some(trace) => vec![trace],
        None => content::captured(&traces, |t| t.input().is_some(), &args.files)?,
    };
    // Each candidate with the failing rule scores it adds to the reasons.
    let mut chosen: Vec<(&Trace, Vec<String>)> = Vec::new();
    for trace in candidates {
        let failed_rules: Vec<String> = futures_executor::block_on(score_trace(trace, &scorers))
            .into_iter()
            .filter(Score::failed)
            .map(|s| s.to_string())
            .collect();
        if picked.is_some() || !failed_rules.is_empty() || !trace.failures().is_empty() {
            chosen.push((trace, failed_rules));
        }
    }
    if chosen.is_empty() {
        writeln!(
            out,
            "no failing trace in {}: nothing to harvest",
            args.files.names()
        )?;
        return Ok(ExitCode::SUCCESS);
    }

    let expected = args
        .expected
        .as_deref()
        .map(|text| serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned())));
    let mut known: HashSet<String> = match args.dataset.exists() {
        true => Dataset::load(&args.dataset)?
            .cases
            .into_iter()
            .map(|c| c.id)
            .collect(),
        false => HashSet::new(),
    };
    let mut cases = Vec::new();
    let mut skipped = 0;
    let dataset = args.dataset.display();
    for (trace, failed_rules) in chosen {
        // Only a --trace without captured input fails here: the others were chosen for theirs.
        let mut case = EvalCase::from_trace(trace)?;
        if let Some(source) = &mut case.source {
            source.reasons.extend(failed_rules);
        }
        if let Some(expected) = &expected {
            case.expected = Some(expected.clone());
        }
        let input = case.input_text();
        match known.insert(case.id.clone()) {
            true => {
                writeln!(
                    out,
                    "added {} from trace {}: {input:?}",
                    case.id, trace.trace_id
                )?;
                cases.push(case);
            }
            false => {
                skipped += 1;
                writeln!(
                    out,
                    "skipped {} from trace {}: its input is in {dataset} already: {input:?}",
                    case.id, trace.trace_id
                )?;
            }
        }
    }
    let added = cases.len();
    if added > 0 {
        Dataset::append(&args.dataset, cases)?;
    }
    writeln!(out, "{added} added to {dataset}, {skipped} already there")?;
    Ok(ExitCode::SUCCESS)
}
