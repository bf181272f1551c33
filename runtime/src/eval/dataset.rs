//! Eval datasets: JSON Lines files of [`EvalCase`]s, harvested from failing traces or written by
//! hand, appended without duplicates.
//!
//! One case per line:
//!
//! ```json
//! {"id":"case-6f1c0b2a9d4e8f17","input":"What is 17 * 23?","expected":"391",
//!  "source":{"trace_id":"97b6f0…","reasons":["arithmetic (fail): 17 * 23 is 391, not 392"]}}
//! ```
//!
//! - `id`: the case's identity, `case-` and a hash of its input (so the same input is never added
//!   twice); any unique text when written by hand.
//! - `input`: what the agent was given (text, or a JSON object of named arguments).
//! - `expected` (optional): the right answer.
//! - `source` (optional): the trace it was harvested from and why it failed.
//! - `recordings` (optional): the model and tool outputs recorded in that trace, for replay.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::replay::Recording;
use crate::semconv as sc;
use crate::trace::Trace;

/// One eval case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalCase {
    /// Identity: `case-` and a hash of the input for a harvested case, any unique text when
    /// written by hand.
    pub id: String,
    /// What the agent is given.
    pub input: Value,
    /// The right answer, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<Value>,
    /// Where it came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<CaseSource>,
    /// The model and tool outputs of the source trace, in call order, for replay.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recordings: Vec<Recording>,
}

/// The trace a case was harvested from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseSource {
    /// Its trace id.
    pub trace_id: String,
    /// Why it failed: failed scores and errors.
    #[serde(default)]
    pub reasons: Vec<String>,
}

/// A trace that cannot become a case.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HarvestError {
    /// Content was not captured, so the input is unknown.
    #[error(
        "trace {0} has no captured input: run the agent with {env}=true",
        env = crate::capture::CAPTURE_ENV
    )]
    NoInput(String),
}

impl EvalCase {
    /// A case with this input; its id is derived from the input.
    ///
    /// ```
    /// use genai_tracing::eval::EvalCase;
    /// let a = EvalCase::new("What is 17 * 23?".into());
    /// let b = EvalCase::new("What is 17 * 23?".into()).expect("391".into());
    /// assert_eq!(a.id, b.id);
    /// ```
    pub fn new(input: Value) -> Self {
        Self {
            id: case_id(&input),
            input,
            expected: None,
            source: None,
            recordings: Vec::new(),
        }
    }

    /// With the right answer.
    pub fn expect(mut self, expected: Value) -> Self {
        self.expected = Some(expected);
        self
    }

    /// The case a trace's run makes: the root's captured input, the trace's failures as reasons
    /// and its recorded outputs (see [`crate::replay`]).
    pub fn from_trace(trace: &Trace) -> Result<Self, HarvestError> {
        let root = trace
            .root()
            .ok_or_else(|| HarvestError::NoInput(trace.trace_id.clone()))?;
        let raw = root
            .input()
            .ok_or_else(|| HarvestError::NoInput(trace.trace_id.clone()))?;
        let json = root.text(sc::INPUT_MIME_TYPE) == Some("application/json");
        let input = match json {
            true => serde_json::from_str(&raw).unwrap_or(Value::String(raw)),
            false => Value::String(raw),
        };
        let mut case = Self::new(input);
        case.source = Some(CaseSource {
            trace_id: trace.trace_id.clone(),
            reasons: trace.failures(),
        });
        case.recordings = Recording::all_in(trace);
        Ok(case)
    }

    /// The input as the text an agent taking `&str` wants: a text input as it is, any other as
    /// JSON.
    pub fn input_text(&self) -> String {
        match &self.input {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        }
    }
}

/// `case-` and 16 hex digits of a 64-bit FNV-1a hash of the input's canonical JSON (keys
/// sorted), stable across runs and machines.
fn case_id(input: &Value) -> String {
    fn canonical(value: &Value, out: &mut String) {
        match value {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                out.push('{');
                for (i, key) in keys.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String(key.clone()).to_string());
                    out.push(':');
                    canonical(&map[key], out);
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    canonical(item, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut text = String::new();
    canonical(input, &mut text);
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("case-{hash:016x}")
}

/// A dataset file that cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A line is not a case.
    #[error("{path}:{line}:{column}: not an eval case: {message}")]
    Malformed {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
}

/// The cases of a dataset, in file order.
///
/// ```
/// use genai_tracing::eval::{Dataset, EvalCase};
/// let path = std::env::temp_dir().join("genai-tracing-doc-dataset.jsonl");
/// # let _ = std::fs::remove_file(&path);
/// let case = EvalCase::new("What is 2 + 2?".into()).expect("4".into());
/// assert_eq!(Dataset::append(&path, [case.clone(), case])?, 1, "the same input once");
/// assert_eq!(Dataset::load(&path)?.cases.len(), 1);
/// # Ok::<(), genai_tracing::eval::DatasetError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dataset {
    /// The cases.
    pub cases: Vec<EvalCase>,
}

impl Dataset {
    /// Reads a dataset; blank lines are skipped, any other line must be a case.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, DatasetError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| DatasetError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&bytes, &path.display().to_string())
    }

    /// Parses JSON Lines from memory; `origin` names it in errors.
    pub fn parse(bytes: &[u8], origin: &str) -> Result<Self, DatasetError> {
        let mut cases = Vec::new();
        for (n, line) in bytes.split(|&b| b == b'\n').enumerate() {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let case = serde_json::from_slice(line).map_err(|e| DatasetError::Malformed {
                path: origin.to_owned(),
                line: n + 1,
                column: e.column().max(1),
                // The line is the file's, serde's column the line's (it reads one line).
                message: crate::trace::serde_message(&e),
            })?;
            cases.push(case);
        }
        Ok(Self { cases })
    }

    /// Appends the cases whose ids are not in the file yet (nor earlier in `cases`), creating
    /// the file if need be; returns how many were added.
    pub fn append(
        path: impl AsRef<Path>,
        cases: impl IntoIterator<Item = EvalCase>,
    ) -> Result<usize, DatasetError> {
        let path = path.as_ref();
        let io = |source| DatasetError::Io {
            path: path.display().to_string(),
            source,
        };
        let existing = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(io(e)),
        };
        let mut known: std::collections::HashSet<String> =
            Self::parse(&existing, &path.display().to_string())?
                .cases
                .into_iter()
                .map(|c| c.id)
                .collect();
        let mut text = String::new();
        // A hand-written file may end without a newline: the first case must not join its line.
        if existing.last().is_some_and(|&b| b != b'\n') {
            text.push('\n');
        }
        let mut added = 0;
        for case in cases {
            if known.insert(case.id.clone()) {
                text.push_str(&serde_json::to_string(&case).expect("a case serializes"));
                text.push('\n');
                added += 1;
            }
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        if added == 0 {
            return Ok(0);
        }
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(io)?;
        file.write_all(text.as_bytes()).map_err(io)?;
        Ok(added)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_ignore_key_order_and_differ_by_input() {
        let a = EvalCase::new(serde_json::json!({"a": 1, "b": [1, 2]}));
        let b = EvalCase::new(serde_json::from_str(r#"{"b":[1,2],"a":1}"#).unwrap());
        assert_eq!(a.id, b.id);
        assert_ne!(a.id, EvalCase::new("x".into()).id);
        assert_eq!(a.id.len(), "case-".len() + 16);
    }

    #[test]
    fn appending_to_a_file_without_a_final_newline_starts_a_new_line() {
        let path = std::env::temp_dir().join(format!("genai-dataset-{}.jsonl", std::process::id()));
        std::fs::write(&path, "{\"id\":\"hand-1\",\"input\":\"2 + 2\"}").unwrap();
        let added = Dataset::append(&path, [EvalCase::new("3 + 3".into())]).unwrap();
        assert_eq!(added, 1);
        let ids: Vec<String> = Dataset::load(&path)
            .unwrap()
            .cases
            .into_iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(ids.len(), 2, "{ids:?}");
        assert_eq!(ids[0], "hand-1");
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn a_bad_line_is_named() {
        let err =
            Dataset::parse(b"{\"id\":\"a\",\"input\":1}\n\n{\"id\": 3}\n", "d.jsonl").unwrap_err();
        assert!(
            err.to_string()
                == "d.jsonl:3:8: not an eval case: invalid type: integer `3`, expected a string",
            "{err}"
        );
        let err = Dataset::parse(b"\xff\xfe", "d").unwrap_err();
        assert!(err.to_string().starts_with("d:1:"), "{err}");
    }
}
