//! The trace files named on the command line, read into traces: a trace whose spans are spread
//! over several files is put together, and `--trace` picks one by its id or the start of it.

use std::io::Read;
use std::path::PathBuf;

use genai_tracing::eval::{parse_traces, read_traces, Trace, TraceFileError};

use crate::error::CliError;

/// The trace files a command reads.
#[derive(Debug, clap::Args)]
pub struct TraceFiles {
    /// OTLP-JSON trace files, one trace per line as the file exporter writes them (or a single
    /// OTLP/HTTP JSON body); `-` reads standard input.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
}

impl TraceFiles {
    /// Every trace in the files, in the order each first appears; a file without any is an
    /// error (a wrong file, or a run that exported nothing).
    pub fn read(&self) -> Result<Vec<Trace>, CliError> {
        let mut traces: Vec<Trace> = Vec::new();
        for path in &self.files {
            let read = match path.to_str() {
                Some("-") => read_stdin()?,
                _ => read_traces(path)?,
            };
            if read.is_empty() {
                return Err(CliError::NoTraces {
                    file: match path.to_str() {
                        Some("-") => STDIN.to_owned(),
                        _ => path.display().to_string(),
                    },
                });
            }
            traces.extend(read);
        }
        Ok(Trace::merge(traces))
    }

    /// The files, for messages: `a.jsonl, b.jsonl`.
    pub fn names(&self) -> String {
        let names: Vec<String> = self.files.iter().map(|p| p.display().to_string()).collect();
        names.join(", ")
    }

    /// The trace whose id is `id` or starts with it (ids are compared in lower case).
    pub fn select<'a>(&self, traces: &'a [Trace], id: &str) -> Result<&'a Trace, CliError> {
        let id = id.trim().to_ascii_lowercase();
        if let Some(exact) = traces.iter().find(|t| t.trace_id == id) {
            return Ok(exact);
        }
        let found: Vec<&Trace> = match id.is_empty() {
            true => Vec::new(),
            false => traces
                .iter()
                .filter(|t| t.trace_id.starts_with(&id))
                .collect(),
        };
        match found.as_slice() {
            [one] => Ok(one),
            [] => Err(CliError::NoSuchTrace {
                id,
                files: self.names(),
            }),
            [a, b, ..] => Err(CliError::AmbiguousTrace {
                examples: format!("{}, {}", a.trace_id, b.trace_id),
                count: found.len(),
                id,
            }),
        }
    }
}

const STDIN: &str = "<stdin>";

fn read_stdin() -> Result<Vec<Trace>, CliError> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .map_err(|source| TraceFileError::Io {
            path: STDIN.to_owned(),
            source,
        })?;
    Ok(parse_traces(&bytes, STDIN)?)
}
