//! The Anthropic messages response shape.

use serde_json::Value;

use super::messages::{content_parts, str_field};
use crate::model::message::{finish_reason, OutputMessage};
use crate::model::usage::Usage;

pub(super) fn finish_reasons(v: &Value) -> Vec<String> {
    str_field(v, "stop_reason").into_iter().collect()
}

/// Anthropic's `input_tokens` exclude cache reads and writes; the conventions count all input
/// tokens, so the three are added (semconv §2.2). A part the response leaves out counts 0.
pub(super) fn usage(v: &Value) -> Usage {
    counts(v, Missing::Zero)
}

/// How a part of the input (fresh, cache read, cache write) that is not reported counts.
#[derive(Clone, Copy, PartialEq)]
enum Missing {
    /// As 0: a whole response reports what it has.
    Zero,
    /// As unknown, and the input total with it: a running total leaves out what has not changed.
    Unknown,
}

fn counts(v: &Value, missing: Missing) -> Usage {
    let Some(u) = v.get("usage") else {
        return Usage::default();
    };
    let n = |k: &str| u.get(k).and_then(Value::as_i64);
    let (fresh, read, write) = (
        n("input_tokens"),
        n("cache_read_input_tokens"),
        n("cache_creation_input_tokens"),
    );
    let part = |count: Option<i64>| match missing {
        Missing::Zero => Some(count.unwrap_or(0)),
        Missing::Unknown => count,
    };
    let total = || {
        part(fresh)?
            .checked_add(part(read)?)?
            .checked_add(part(write)?)
    };
    let input = fresh.or(read).or(write).and_then(|_| total());
    Usage {
        input_tokens: input,
        output_tokens: n("output_tokens"),
        cache_read_input_tokens: read,
        cache_creation_input_tokens: write,
        reasoning_output_tokens: None,
    }
}

pub(super) fn output_messages(v: &Value) -> Vec<OutputMessage> {
    vec![OutputMessage {
        role: str_field(v, "role").unwrap_or_else(|| "assistant".to_owned()),
        parts: content_parts(v.get("content")),
        finish_reason: finish_reason(v.get("stop_reason").and_then(Value::as_str)),
    }]
}

/// The events of a streamed message (`message_start`, `content_block_delta`, `message_delta`, …).
pub(super) mod event {
    use serde_json::Value;

    use crate::model::chunk::{Delta, DeltaPart};
    use crate::model::provider::messages::str_field;
    use crate::model::usage::Usage;

    fn kind(v: &Value) -> Option<&str> {
        v.get("type").and_then(Value::as_str)
    }

    /// The message `message_start` opens.
    pub(in crate::model::provider) fn message(v: &Value) -> Option<&Value> {
        (kind(v) == Some("message_start")).then(|| v.get("message"))?
    }

    /// `message_start` carries the input counts, `message_delta` running totals, in which a
    /// count may be missing or null (not reported: the earlier one stands). The input total is
    /// reported only when all three of its parts are (fresh, cache read, cache write), since
    /// Anthropic counts them apart and the conventions count them together.
    pub(in crate::model::provider) fn usage(v: &Value) -> Usage {
        match kind(v) {
            Some("message_start") => message(v).map(super::usage).unwrap_or_default(),
            Some("message_delta") => super::counts(v, super::Missing::Unknown),
            _ => Usage::default(),
        }
    }

    pub(in crate::model::provider) fn finish_reasons(v: &Value) -> Vec<(u32, String)> {
        match kind(v) {
            Some("message_delta") => v
                .get("delta")
                .and_then(|d| str_field(d, "stop_reason"))
                .map(|r| (0, r))
                .into_iter()
                .collect(),
            _ => Vec::new(),
        }
    }

    pub(in crate::model::provider) fn deltas(v: &Value) -> Vec<Delta> {
        let index = v
            .get("index")
            .and_then(Value::as_u64)
            .map_or(0, |i| u32::try_from(i).unwrap_or(u32::MAX));
        let part = match kind(v) {
            Some("content_block_start") => {
                let block = v.get("content_block").unwrap_or(&Value::Null);
                match kind(block) {
                    Some("tool_use") => Some(DeltaPart::ToolCall {
                        index,
                        id: str_field(block, "id"),
                        name: str_field(block, "name"),
                        arguments: String::new(),
                    }),
                    Some("text") => str_field(block, "text").map(DeltaPart::Text),
                    Some("thinking") => str_field(block, "thinking").map(DeltaPart::Reasoning),
                    _ => None,
                }
            }
            Some("content_block_delta") => {
                let delta = v.get("delta").unwrap_or(&Value::Null);
                match kind(delta) {
                    Some("text_delta") => str_field(delta, "text").map(DeltaPart::Text),
                    Some("thinking_delta") => {
                        str_field(delta, "thinking").map(DeltaPart::Reasoning)
                    }
                    Some("input_json_delta") => Some(DeltaPart::ToolCall {
                        index,
                        id: None,
                        name: None,
                        arguments: str_field(delta, "partial_json").unwrap_or_default(),
                    }),
                    _ => None,
                }
            }
            _ => None,
        };
        part.map(|part| Delta { choice: 0, part })
            .into_iter()
            .collect()
    }

    /// The `error` event: `{"type": "error", "error": {"type": "overloaded_error", …}}`.
    pub(in crate::model::provider) fn error(v: &Value) -> Option<(String, String)> {
        if kind(v) != Some("error") {
            return None;
        }
        let e = v.get("error").unwrap_or(&Value::Null);
        Some((
            str_field(e, "type").unwrap_or_else(|| "error".to_owned()),
            str_field(e, "message").unwrap_or_default(),
        ))
    }
}
