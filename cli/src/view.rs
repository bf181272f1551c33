//! `genai-trace view`: traces as trees.

use std::io::Write;
use std::process::ExitCode;

use clap::builder::NonEmptyStringValueParser;
use genai_tracing::eval::Trace;

use crate::content;
use crate::error::CliError;
use crate::input::TraceFiles;

/// Print traces as trees.
///
/// Each trace is headed by its id, span count, tokens and cost, then one line per span: its
/// name, duration, model, tokens (input→output), cost, time to first chunk for a stream, and
/// `ok` or `ERROR` with the error; beneath it the scores recorded on it (gen_ai.evaluation.result
/// events) and, with --content, its input and output. With --content, traces without captured
/// content are skipped (counted on standard error); when none has any, or the --trace given has
/// none, that is an error (exit code 2).
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    files: TraceFiles,
    /// Only the trace with this id (or the start of it).
    #[arg(long, value_name = "ID", value_parser = NonEmptyStringValueParser::new())]
    trace: Option<String>,
    /// Show each span's input and output (arguments, messages, results), when the run captured
    /// content.
    #[arg(long)]
    content: bool,
}

/// Prints the trees.
pub fn run(args: &Args, out: &mut impl Write) -> Result<ExitCode, CliError> {
    let traces = args.files.read()?;
    let chosen: Vec<&Trace> = match &args.trace {
        Some(id) => {
            let trace = args.files.select(&traces, id)?;
            if args.content && !trace.content_captured() {
                return Err(CliError::TraceWithoutContent {
                    id: trace.trace_id.clone(),
                });
            }
            vec![trace]
        }
        None if args.content => content::captured(&traces, Trace::content_captured, &args.files)?,
        None => traces.iter().collect(),
    };
    for (n, trace) in chosen.into_iter().enumerate() {
        if n > 0 {
            writeln!(out)?;
        }
        writeln!(out, "{}", heading(trace))?;
        write!(out, "{}", trace.render(args.content))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `trace ID  N spans  IN→OUT tokens  $COST`.
fn heading(trace: &Trace) -> String {
    let (input, output) = trace.tokens();
    let spans = trace.spans.len();
    let mut text = format!(
        "trace {}  {spans} span{}",
        trace.trace_id,
        if spans == 1 { "" } else { "s" }
    );
    if input + output > 0 {
        text.push_str(&format!("  {input}→{output} tokens"));
    }
    let cost = trace.cost_usd();
    if cost > 0.0 {
        text.push_str(&format!("  ${cost:.6}"));
    }
    text
}
