//! `genai-trace find`: the spans that match a search, one line each, like grep.

use std::io::Write;
use std::process::ExitCode;

use genai_tracing::eval::{Trace, TraceSpan};

use crate::content;
use crate::error::CliError;
use crate::input::TraceFiles;
use crate::option::name_number;

/// List the spans that match a search.
///
/// The conditions are AND-ed; with none, every span matches. One line per span: the trace id,
/// the span id, the path from the root (span names joined by ` > `) and what matched (the
/// error, input, output or score). Exits 1 when nothing matches, like grep. With
/// --input-contains or --output-contains, traces without captured content are skipped (counted
/// on standard error); when no trace has any, that is an error (exit code 2).
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    files: TraceFiles,
    /// Spans that failed.
    #[arg(long)]
    errored: bool,
    /// Calls of the tool NAME.
    #[arg(long, value_name = "NAME")]
    tool: Option<String>,
    /// Spans whose name contains TEXT.
    #[arg(long, value_name = "TEXT")]
    name: Option<String>,
    /// Spans whose captured input (arguments, input messages, input.value) contains TEXT.
    #[arg(long, value_name = "TEXT")]
    input_contains: Option<String>,
    /// Spans whose captured output (result, output messages, output.value) contains TEXT.
    #[arg(long, value_name = "TEXT")]
    output_contains: Option<String>,
    /// Spans with a recorded score NAME whose value is below X.
    #[arg(long, value_name = "NAME=X", value_parser = name_number)]
    score_below: Option<(String, f64)>,
    /// Spans with a recorded score NAME that failed (not one that was not checked).
    #[arg(long, value_name = "NAME")]
    failed_score: Option<String>,
}

/// Prints the matching spans; exit code 1 when there are none.
pub fn run(args: &Args, out: &mut impl Write) -> Result<ExitCode, CliError> {
    let traces = args.files.read()?;
    let searched = match args.searches_content() {
        true => content::captured(&traces, Trace::content_captured, &args.files)?,
        false => traces.iter().collect(),
    };
    let mut found = 0;
    for trace in searched {
        for span in &trace.spans {
            if let Some(matched) = args.matches(span) {
                found += 1;
                write!(
                    out,
                    "{}  {}  {}",
                    trace.trace_id,
                    span.span_id,
                    trace.path(span)
                )?;
                for what in matched {
                    write!(out, "  {what}")?;
                }
                writeln!(out)?;
            }
        }
    }
    Ok(match found {
        0 => ExitCode::FAILURE,
        _ => ExitCode::SUCCESS,
    })
}

impl Args {
    /// Whether a condition looks into captured content.
    fn searches_content(&self) -> bool {
        self.input_contains.is_some() || self.output_contains.is_some()
    }

    /// `None` when `span` fails a condition; else what the conditions matched, to show.
    fn matches(&self, span: &TraceSpan) -> Option<Vec<String>> {
        let mut shown = Vec::new();
        if self.errored {
            shown.push(format!("error: {}", one_line(&span.error()?)));
        }
        if let Some(tool) = &self.tool {
            span.tool_name().filter(|name| name == tool)?;
        }
        if let Some(text) = &self.name {
            span.name.contains(text.as_str()).then_some(())?;
        }
        if let Some(text) = &self.input_contains {
            let input = span.input().filter(|i| i.contains(text.as_str()))?;
            shown.push(format!("input: {}", one_line(&input)));
        }
        if let Some(text) = &self.output_contains {
            let output = span.output().filter(|o| o.contains(text.as_str()))?;
            shown.push(format!("output: {}", one_line(&output)));
        }
        if let Some((name, below)) = &self.score_below {
            let score = span
                .scores()
                .find(|s| &s.name == name && s.value.is_some_and(|v| v < *below))?;
            shown.push(format!("score: {}", one_line(&score.to_string())));
        }
        if let Some(name) = &self.failed_score {
            let score = span.scores().find(|s| &s.name == name && s.failed())?;
            shown.push(format!("score: {}", one_line(&score.to_string())));
        }
        Some(shown)
    }
}

/// Text on one line, cut to 200 characters.
fn one_line(text: &str) -> String {
    const MAX: usize = 200;
    let flat = text.replace('\n', "\\n");
    match flat.char_indices().nth(MAX) {
        None => flat,
        Some((cut, _)) => format!("{}…", &flat[..cut]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    /// Which spans of `trace` match.
    fn matching<'a>(args: &Args, trace: &'a Trace) -> Vec<&'a str> {
        trace
            .spans
            .iter()
            .filter(|s| args.matches(s).is_some())
            .map(|s| s.name.as_str())
            .collect()
    }

    #[derive(Parser)]
    struct Find {
        #[command(flatten)]
        args: Args,
    }

    fn args(flags: &[&str]) -> Args {
        let argv = ["find", "f.jsonl"].iter().chain(flags);
        Find::try_parse_from(argv).unwrap().args
    }

    fn trace() -> Trace {
        let line = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/calculator.jsonl"
        ))
        .unwrap();
        genai_tracing::eval::parse_traces(line.as_bytes(), "calculator.jsonl")
            .unwrap()
            .remove(0)
    }

    #[test]
    fn conditions_are_anded() {
        let trace = trace();
        assert_eq!(matching(&args(&[]), &trace).len(), trace.spans.len());
        assert_eq!(
            matching(&args(&["--errored"]), &trace),
            ["execute_tool calculator"]
        );
        assert_eq!(matching(&args(&["--tool", "calculator"]), &trace).len(), 2);
        assert_eq!(
            matching(
                &args(&["--tool", "calculator", "--output-contains", "391"]),
                &trace
            ),
            ["execute_tool calculator"]
        );
        assert!(matching(&args(&["--errored", "--name", "chat"]), &trace).is_empty());
        assert_eq!(
            matching(&args(&["--failed-score", "no-errors"]), &trace),
            ["invoke_agent calc"]
        );
        assert_eq!(
            matching(&args(&["--score-below", "no-errors=0.5"]), &trace),
            ["invoke_agent calc"]
        );
        assert!(matching(&args(&["--score-below", "no-errors=0"]), &trace).is_empty());
    }
}
