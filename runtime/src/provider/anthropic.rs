//! The Anthropic messages response shape.

use serde_json::Value;

use super::messages::{content_parts, str_field};
use crate::message::OutputMessage;
use crate::usage::Usage;

pub(super) fn finish_reasons(v: &Value) -> Vec<String> {
    str_field(v, "stop_reason").into_iter().collect()
}

/// Anthropic's `input_tokens` exclude cache reads and writes; the conventions count all input
/// tokens, so the three are added (semconv §2.2).
pub(super) fn usage(v: &Value) -> Usage {
    let Some(u) = v.get("usage") else {
        return Usage::default();
    };
    let n = |k: &str| u.get(k).and_then(Value::as_i64);
    let (fresh, read, write) = (
        n("input_tokens"),
        n("cache_read_input_tokens"),
        n("cache_creation_input_tokens"),
    );
    let input = match (fresh, read, write) {
        (None, None, None) => None,
        _ => Some(fresh.unwrap_or(0) + read.unwrap_or(0) + write.unwrap_or(0)),
    };
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
        finish_reason: normalise(v.get("stop_reason").and_then(Value::as_str)),
    }]
}

fn normalise(reason: Option<&str>) -> String {
    match reason {
        Some("end_turn" | "stop_sequence") => "stop",
        Some("max_tokens") => "length",
        Some("tool_use") => "tool_call",
        Some("refusal") => "content_filter",
        Some(other) => other,
        None => "unknown",
    }
    .to_owned()
}
