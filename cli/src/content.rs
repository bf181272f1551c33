//! Traces with and without captured content, for the commands that need it (`harvest`'s inputs,
//! `find --input-contains`/`--output-contains`, `view --content`): they take the traces that
//! have it and say on standard error, in one line, how many they skipped and why; a file where
//! no trace has it is an error (exit code 2), for there is nothing to work on.
//!
//! A file gets such a mix when the agent ran once without content capture and once with it, as
//! the demo does when run first plain and then with the capture variable set.

use genai_tracing::capture::CAPTURE_ENV;
use genai_tracing::eval::Trace;

use crate::error::CliError;
use crate::input::TraceFiles;

/// The traces of `traces` that have content (as `has` says), in order; tells on standard error
/// how many were skipped. None with content is [`CliError::NoContent`].
pub fn captured<'a>(
    traces: &'a [Trace],
    has: impl Fn(&Trace) -> bool,
    files: &TraceFiles,
) -> Result<Vec<&'a Trace>, CliError> {
    let kept: Vec<&Trace> = traces.iter().filter(|t| has(t)).collect();
    if kept.is_empty() {
        return Err(CliError::NoContent {
            files: files.names(),
            traces: traces.len(),
        });
    }
    if let Some(note) = skipped(traces.len() - kept.len(), traces.len()) {
        eprintln!("genai-trace: {note}");
    }
    Ok(kept)
}

/// The line saying that `skipped` of `total` traces were skipped, when any were.
fn skipped(skipped: usize, total: usize) -> Option<String> {
    (skipped > 0).then(|| {
        format!(
            "skipped {skipped} of {total} trace{}: content not captured (run the agent with \
             {CAPTURE_ENV}=true to record inputs and outputs)",
            if total == 1 { "" } else { "s" }
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_note_counts_the_skipped_traces_and_names_the_variable() {
        assert_eq!(skipped(0, 10), None);
        assert_eq!(
            skipped(5, 10).unwrap(),
            "skipped 5 of 10 traces: content not captured (run the agent with \
             OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true to record inputs and outputs)"
        );
    }

    #[test]
    fn no_trace_with_content_is_an_error_naming_the_files() {
        let files = TraceFiles {
            files: vec!["runs.jsonl".into()],
        };
        let traces = [Trace::default(), Trace::default()];
        let err = captured(&traces, |_| false, &files)
            .map(|_| ())
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "none of the 2 traces in runs.jsonl has captured content: run the agent with \
             OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true"
        );
        let all = captured(&traces, |_| true, &files).unwrap();
        assert_eq!(all.len(), 2);
    }
}
