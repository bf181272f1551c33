//! The OpenAI chat-completions response shape.

use serde_json::Value;

use super::messages::{content_parts, openai_tool_calls, str_field};
use crate::message::{MessagePart, OutputMessage};
use crate::usage::Usage;

fn choices(v: &Value) -> &[Value] {
    v.get("choices")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

pub(super) fn finish_reasons(v: &Value) -> Vec<String> {
    choices(v)
        .iter()
        .filter_map(|c| str_field(c, "finish_reason"))
        .collect()
}

/// OpenAI's `prompt_tokens` already include cached tokens and `completion_tokens` include
/// reasoning tokens, as the conventions want.
pub(super) fn usage(v: &Value) -> Usage {
    let Some(u) = v.get("usage") else {
        return Usage::default();
    };
    let n = |path: &[&str]| {
        path.iter()
            .try_fold(u, |node, key| node.get(key))
            .and_then(Value::as_i64)
    };
    Usage {
        input_tokens: n(&["prompt_tokens"]),
        output_tokens: n(&["completion_tokens"]),
        cache_read_input_tokens: n(&["prompt_tokens_details", "cached_tokens"]),
        cache_creation_input_tokens: None,
        reasoning_output_tokens: n(&["completion_tokens_details", "reasoning_tokens"]),
    }
}

pub(super) fn output_messages(v: &Value) -> Vec<OutputMessage> {
    choices(v)
        .iter()
        .map(|choice| {
            let m = choice.get("message").unwrap_or(&Value::Null);
            let mut parts = Vec::new();
            // OpenAI-compatible servers (vLLM, DeepSeek) put reasoning beside the content.
            if let Some(r) = str_field(m, "reasoning_content") {
                parts.push(MessagePart::Reasoning { content: r });
            }
            parts.extend(content_parts(m.get("content")));
            parts.extend(openai_tool_calls(m));
            OutputMessage {
                role: str_field(m, "role").unwrap_or_else(|| "assistant".to_owned()),
                parts,
                finish_reason: normalise(choice.get("finish_reason").and_then(Value::as_str)),
            }
        })
        .collect()
}

fn normalise(reason: Option<&str>) -> String {
    match reason {
        Some("tool_calls" | "function_call") => "tool_call",
        Some(other) => other,
        None => "unknown",
    }
    .to_owned()
}
