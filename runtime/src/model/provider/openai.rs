//! The OpenAI chat-completions response shape.

use serde_json::Value;

use super::messages::{content_parts, openai_tool_calls, str_field};
use crate::model::message::{finish_reason, MessagePart, OutputMessage};
use crate::model::usage::Usage;

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
                finish_reason: finish_reason(choice.get("finish_reason").and_then(Value::as_str)),
            }
        })
        .collect()
}

/// The chunks of a streamed chat completion (`"object": "chat.completion.chunk"`).
pub(super) mod chunk {
    use serde_json::Value;

    use super::choices;
    use crate::model::chunk::{Delta, DeltaPart};
    use crate::model::provider::messages::str_field;

    fn index(v: &Value) -> u32 {
        v.get("index")
            .and_then(Value::as_u64)
            .map_or(0, |i| u32::try_from(i).unwrap_or(u32::MAX))
    }

    pub(in crate::model::provider) fn finish_reasons(v: &Value) -> Vec<(u32, String)> {
        choices(v)
            .iter()
            .filter_map(|c| Some((index(c), str_field(c, "finish_reason")?)))
            .collect()
    }

    pub(in crate::model::provider) fn deltas(v: &Value) -> Vec<Delta> {
        let mut deltas = Vec::new();
        for c in choices(v) {
            let (choice, delta) = (index(c), c.get("delta").unwrap_or(&Value::Null));
            let mut push = |part| deltas.push(Delta { choice, part });
            // OpenAI-compatible servers (vLLM, DeepSeek, OpenRouter) stream reasoning beside it.
            for key in ["reasoning_content", "reasoning"] {
                if let Some(r) = str_field(delta, key) {
                    push(DeltaPart::Reasoning(r));
                }
            }
            if let Some(text) = str_field(delta, "content") {
                push(DeltaPart::Text(text));
            }
            let calls = delta.get("tool_calls").and_then(Value::as_array);
            for call in calls.map(Vec::as_slice).unwrap_or_default() {
                let function = call.get("function").unwrap_or(&Value::Null);
                push(DeltaPart::ToolCall {
                    index: index(call),
                    id: str_field(call, "id"),
                    name: str_field(function, "name"),
                    arguments: str_field(function, "arguments").unwrap_or_default(),
                });
            }
        }
        deltas
    }

    /// An error object sent inside the stream, as OpenAI-compatible servers do.
    pub(in crate::model::provider) fn error(v: &Value) -> Option<(String, String)> {
        let e = v.get("error").filter(|e| e.is_object())?;
        let kind = str_field(e, "type")
            .or_else(|| str_field(e, "code"))
            .unwrap_or_else(|| "error".to_owned());
        Some((kind, str_field(e, "message").unwrap_or_default()))
    }
}
