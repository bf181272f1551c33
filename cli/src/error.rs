//! What stops a command: bad input (exit code 2), each with the file and place it is about.

use genai_tracing::capture::CAPTURE_ENV;
use genai_tracing::eval::{DatasetError, HarvestError, ReportError, TraceFileError};

/// A command that cannot do its work.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A trace file is missing or malformed.
    #[error(transparent)]
    Traces(#[from] TraceFileError),
    /// The dataset cannot be read or written.
    #[error(transparent)]
    Dataset(#[from] DatasetError),
    /// An eval report is missing or malformed.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// A trace cannot become an eval case.
    #[error("cannot harvest: {0}")]
    Harvest(#[from] HarvestError),
    /// A trace file holds no trace.
    #[error("{file}: empty: no trace in it")]
    NoTraces {
        /// The file.
        file: String,
    },
    /// `--trace` names no trace of the files.
    #[error("no trace {id} in {files}")]
    NoSuchTrace {
        /// The id (or prefix) given.
        id: String,
        /// The files read.
        files: String,
    },
    /// `--trace` gives a prefix of several traces' ids.
    #[error("{id} is the start of {count} trace ids ({examples}, …): give more of it")]
    AmbiguousTrace {
        /// The prefix given.
        id: String,
        /// How many traces it matches.
        count: usize,
        /// The first two.
        examples: String,
    },
    /// A command that needs captured content found none in any trace.
    #[error(
        "none of the {traces} traces in {files} has captured content: run the agent with \
         {CAPTURE_ENV}=true"
    )]
    NoContent {
        /// The files read.
        files: String,
        /// How many traces they hold.
        traces: usize,
    },
    /// `view --content --trace` picked a trace without captured content.
    #[error("trace {id} has no captured content: run the agent with {CAPTURE_ENV}=true")]
    TraceWithoutContent {
        /// Its id.
        id: String,
    },
    /// `gate` was given nothing to check against.
    #[error(
        "gate: nothing to check: give --baseline, --min-pass-rate, --min-score, --min-checked or \
         --min-checked-share"
    )]
    NothingToGate,
    /// Standard output could not be written.
    #[error("writing the output: {0}")]
    Output(#[source] std::io::Error),
}

impl From<std::io::Error> for CliError {
    fn from(error: std::io::Error) -> Self {
        CliError::Output(error)
    }
}
