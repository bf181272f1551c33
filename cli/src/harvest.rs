//! `genai-trace harvest`: failing traces into eval cases.

use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::builder::NonEmptyStringValueParser;
use genai_tracing::eval::rules::RuleSpec;
use genai_tracing::eval::{score_trace, Dataset, EvalCase, Score, Trace};
use serde_json::Value;

use crate::error::CliError;
use crate::input::TraceFiles;
use crate::score::scorers;

/// Turn failing traces into eval cases.
///
/// Harvests the traces with a failed span or a failed recorded score, or that fail a given
/// --rule; with --trace, that trace whatever it scored. A case's input is the root span's
/// captured input (run the agent with OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true),
/// its reasons why the trace failed. The cases are appended to a JSON Lines dataset; a case
/// whose input is there already is skipped. A trace without captured input is an error (exit
/// code 2), after the others are harvested.
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

/// Appends the cases; exit code 2 when a trace chosen could not become one (no captured input).
pub fn run(args: &Args, out: &mut impl Write) -> Result<ExitCode, CliError> {
    let traces = args.files.read()?;
    let scorers = scorers(&args.rules);
    // Each candidate with the failing rule scores it adds to the reasons.
    let mut chosen: Vec<(&Trace, Vec<String>)> = Vec::new();
    let picked = args
        .trace
        .as_deref()
        .map(|id| args.files.select(&traces, id))
        .transpose()?;
    for trace in traces
        .iter()
        .filter(|t| picked.is_none_or(|p| p.trace_id == t.trace_id))
    {
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
    let mut unusable = 0;
    let dataset = args.dataset.display();
    for (trace, failed_rules) in chosen {
        let mut case = match EvalCase::from_trace(trace) {
            Ok(case) => case,
            Err(error) if picked.is_some() => return Err(error.into()),
            Err(error) => {
                eprintln!("genai-trace: cannot harvest: {error}");
                unusable += 1;
                continue;
            }
        };
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
    Ok(match unusable {
        0 => ExitCode::SUCCESS,
        _ => ExitCode::from(2),
    })
}
