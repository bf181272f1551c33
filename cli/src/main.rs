//! `genai-trace`: the trace-to-fix loop of [`genai_tracing::eval`] on the command line.
//!
//! It reads the OTLP-JSON trace files the file exporter writes (`GENAI_TRACING_FILE`, one trace
//! per line; `-` reads standard input) and:
//!
//! - `view` prints traces as trees, with content on request;
//! - `find` lists the spans that match a search, like grep;
//! - `score` runs rule scorers over every trace;
//! - `harvest` turns failing traces into eval cases, appended to a JSON Lines dataset;
//! - `gate` compares an eval run's results with thresholds and a baseline run, for CI.
//!
//! Exit codes: 0 for success, 1 for a negative answer (nothing found, a trace or the gate
//! failed, nothing checked, when asked to check), 2 for bad input (a missing or malformed file,
//! a bad option, no trace with the content a command needs), with a one-line error naming the
//! file and place (`path:line:col: …`). Traces without the content a command needs are skipped
//! with one line on standard error saying how many (see `content`).
//!
//! This file parses the command line and maps outcomes to exit codes; each command is a module
//! of its own, and the work is the library's.

mod content;
mod error;
mod find;
mod gate;
mod harvest;
mod input;
mod option;
mod output;
mod score;
mod view;

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use error::CliError;

/// View, search and score the trace files of AI agents traced with genai-tracing; harvest the
/// failing runs into an eval dataset; gate a release on eval results.
#[derive(Debug, Parser)]
#[command(name = "genai-trace", version, after_help = AFTER_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

const AFTER_HELP: &str = "\
Trace files are OTLP-JSON, one trace per line, as the file exporter writes them \
(GENAI_TRACING_FILE=traces.jsonl); `-` reads standard input.

A score is pass, fail or not checked (its scorer had nothing to check: content not captured, \
say); pass rates are over checked cases, and neither score --check nor gate passes when nothing \
was checked. Commands that need content (harvest, find --input-contains/--output-contains, view \
--content) skip the traces without it, saying how many on standard error.

Exit codes: 0 success; 1 nothing found (find), a trace failed or none was checked (score \
--check) or the gate failed; 2 bad input: a missing or malformed file, a bad option, or no \
trace with the content a command needs.";

#[derive(Debug, Subcommand)]
enum Command {
    View(view::Args),
    Find(find::Args),
    Score(score::Args),
    Harvest(harvest::Args),
    Gate(gate::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut out = output::Output::new(BufWriter::new(std::io::stdout().lock()));
    let outcome = match cli.command {
        Command::View(args) => view::run(&args, &mut out),
        Command::Find(args) => find::run(&args, &mut out),
        Command::Score(args) => score::run(&args, &mut out),
        Command::Harvest(args) => harvest::run(&args, &mut out),
        Command::Gate(args) => gate::run(&args, &mut out),
    };
    // A reader that left early (`| head`) is not an error (see `output`): the verdict stands.
    let outcome = outcome.and_then(|code| out.flush().map(|()| code).map_err(CliError::Output));
    match outcome {
        Ok(code) => code,
        Err(error) => {
            // The message may quote the input; keep it on one line.
            eprintln!("genai-trace: {}", error.to_string().replace('\n', "\\n"));
            ExitCode::from(2)
        }
    }
}
