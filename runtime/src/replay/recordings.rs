//! What record mode wrote: one [`Recording`] per recorded call, read from a finished trace in the
//! order the calls started, each linked to the recorded call it ran inside.

use std::collections::HashMap;

use serde_json::Value;

use crate::semconv as sc;
use crate::trace::{Trace, TraceSpan};

/// One recorded call: its key (`{operation} {name}`, as in
/// [`REPLAY_KEY`](crate::semconv::REPLAY_KEY)) and its return value as JSON. Serialised as eval
/// cases keep it (see `genai_tracing::eval::EvalCase`, with the `eval` feature).
///
/// ```
/// use genai_tracing::replay::Recording;
/// let r = Recording::new("execute_tool calculator", serde_json::json!({"Ok": 4.0}));
/// assert_eq!(r.key, "execute_tool calculator");
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Recording {
    /// `{operation} {name}`: `execute_tool calculator`, `chat plan`.
    pub key: String,
    /// The return value, as the record mode wrote it (`null` when skipped).
    pub output: Value,
    /// Set when the run recorded the call but not its output: why (`not serializable`, `too
    /// large`, …). Replayed, that call runs for real, and the calls after it still line up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    /// The index (in the same list) of the recorded call this one ran inside, if any: it is
    /// served only if that one runs for real.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<usize>,
}

impl Recording {
    /// A recording of `output` under `key`.
    pub fn new(key: impl Into<String>, output: Value) -> Self {
        Self {
            key: key.into(),
            output,
            skipped: None,
            within: None,
        }
    }

    /// What record mode (see [`set_recording`](super::set_recording)) wrote in `trace`, in the
    /// order the calls started: every span carrying a [`REPLAY_KEY`](crate::semconv::REPLAY_KEY),
    /// linked to the nearest recorded call it ran inside (through any spans in between).
    ///
    /// ```
    /// let trace = genai_tracing::eval::Trace::default();
    /// assert!(genai_tracing::replay::Recording::all_in(&trace).is_empty());
    /// ```
    pub fn all_in(trace: &Trace) -> Vec<Recording> {
        let evaluation = trace.evaluation_ids(); // a judge's calls are not the run's
        let recorded: Vec<(&TraceSpan, &str)> = trace
            .spans
            .iter()
            .filter(|span| !evaluation.contains(span.span_id.as_str()))
            .filter_map(|span| Some((span, span.text(sc::REPLAY_KEY)?)))
            .collect();
        let order: HashMap<&str, usize> = recorded
            .iter()
            .enumerate()
            .map(|(i, (span, _))| (span.span_id.as_str(), i))
            .collect();
        let by_id: HashMap<&str, &TraceSpan> = trace
            .spans
            .iter()
            .map(|s| (s.span_id.as_str(), s))
            .collect();
        let parent_of = |span: &TraceSpan| by_id.get(span.parent_span_id.as_deref()?).copied();
        let within = |span: &TraceSpan| {
            let mut parent = parent_of(span);
            for _ in 0..trace.spans.len() {
                let p = parent?;
                if let Some(&i) = order.get(p.span_id.as_str()) {
                    return Some(i);
                }
                parent = parent_of(p);
            }
            None // a cycle in a malformed file
        };
        recorded
            .iter()
            .map(|(span, key)| {
                let output = span
                    .text(sc::REPLAY_OUTPUT)
                    .map(serde_json::from_str::<Value>);
                let (output, skipped) = match output {
                    Some(Ok(value)) => (value, None),
                    Some(Err(e)) => (Value::Null, Some(format!("its output is not JSON: {e}"))),
                    None => (
                        Value::Null,
                        Some(
                            span.text(sc::REPLAY_SKIPPED)
                                .unwrap_or("the call did not return")
                                .to_owned(),
                        ),
                    ),
                };
                Recording {
                    key: (*key).to_owned(),
                    output,
                    skipped,
                    within: within(span),
                }
            })
            .collect()
    }
}
