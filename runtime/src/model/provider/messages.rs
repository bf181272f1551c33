//! Message and content-block conversion shared by the OpenAI and Anthropic readers.

use serde_json::Value;

use crate::model::message::{ChatMessage, MessagePart};

/// One wire message (either provider's form) as a [`ChatMessage`].
pub(super) fn chat_message(m: &Value) -> ChatMessage {
    let role = m.get("role").and_then(Value::as_str).unwrap_or("user");
    let mut parts = Vec::new();
    if role == "tool" {
        // OpenAI: the tool's answer is the message content.
        parts.push(MessagePart::ToolCallResponse {
            id: str_field(m, "tool_call_id"),
            response: content_as_value(m.get("content")),
        });
    } else {
        parts.extend(content_parts(m.get("content")));
    }
    parts.extend(openai_tool_calls(m));
    ChatMessage {
        role: role.to_owned(),
        parts,
        name: str_field(m, "name"),
    }
}

/// `content` as parts: a string is one text part; an array is read block by block.
pub(super) fn content_parts(content: Option<&Value>) -> Vec<MessagePart> {
    match content {
        Some(Value::String(s)) => vec![MessagePart::text(s.clone())],
        Some(Value::Array(blocks)) => blocks.iter().filter_map(block_part).collect(),
        _ => Vec::new(),
    }
}

/// The `tool_calls` of an OpenAI assistant message as tool-call parts.
pub(super) fn openai_tool_calls(m: &Value) -> Vec<MessagePart> {
    let Some(calls) = m.get("tool_calls").and_then(Value::as_array) else {
        return Vec::new();
    };
    calls
        .iter()
        .map(|c| {
            let function = c.get("function").unwrap_or(&Value::Null);
            MessagePart::ToolCall {
                id: str_field(c, "id"),
                name: str_field(function, "name").unwrap_or_default(),
                arguments: json_or_string(function.get("arguments")),
            }
        })
        .collect()
}

fn block_part(b: &Value) -> Option<MessagePart> {
    let kind = b.get("type").and_then(Value::as_str)?;
    Some(match kind {
        "text" => MessagePart::text(str_field(b, "text")?),
        "thinking" => MessagePart::Reasoning {
            content: str_field(b, "thinking")?,
        },
        "tool_use" => MessagePart::ToolCall {
            id: str_field(b, "id"),
            name: str_field(b, "name")?,
            arguments: b.get("input").cloned().unwrap_or(Value::Null),
        },
        "tool_result" => MessagePart::ToolCallResponse {
            id: str_field(b, "tool_use_id"),
            response: content_as_value(b.get("content")),
        },
        "image_url" => {
            let url = b.get("image_url").and_then(|u| str_field(u, "url"))?;
            media_from_url(url, "image")
        }
        "image" | "document" => {
            let modality = if kind == "image" { "image" } else { "document" };
            let source = b.get("source")?;
            match source.get("type").and_then(Value::as_str) {
                Some("base64") => MessagePart::Blob {
                    mime_type: str_field(source, "media_type"),
                    modality: modality.to_owned(),
                    content: str_field(source, "data")?,
                },
                Some("url") => MessagePart::Uri {
                    mime_type: None,
                    modality: modality.to_owned(),
                    uri: str_field(source, "url")?,
                },
                _ => return None,
            }
        }
        "input_audio" => {
            let audio = b.get("input_audio")?;
            MessagePart::Blob {
                mime_type: str_field(audio, "format").map(|f| format!("audio/{f}")),
                modality: "audio".to_owned(),
                content: str_field(audio, "data")?,
            }
        }
        _ => return None,
    })
}

/// An OpenAI image URL: a `data:` URL is inline data (a blob), anything else a URI.
fn media_from_url(url: String, modality: &str) -> MessagePart {
    if let Some((header, data)) = url
        .strip_prefix("data:")
        .and_then(|rest| rest.split_once(";base64,"))
    {
        return MessagePart::Blob {
            mime_type: Some(header.to_owned()),
            modality: modality.to_owned(),
            content: data.to_owned(),
        };
    }
    MessagePart::Uri {
        mime_type: None,
        modality: modality.to_owned(),
        uri: url,
    }
}

/// A tool result's content: plain text stays a string; text blocks are joined.
fn content_as_value(content: Option<&Value>) -> Value {
    match content {
        Some(Value::Array(blocks)) => {
            let texts: Vec<&str> = blocks
                .iter()
                .filter_map(|b| b.get("text").and_then(Value::as_str))
                .collect();
            if texts.len() == blocks.len() {
                Value::String(texts.concat())
            } else {
                Value::Array(blocks.clone())
            }
        }
        Some(v) => v.clone(),
        None => Value::Null,
    }
}

/// Tool-call arguments arrive as a JSON string from OpenAI: parse it, keep the string if invalid.
pub(super) fn json_or_string(v: Option<&Value>) -> Value {
    match v {
        Some(Value::String(s)) => {
            serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.clone()))
        }
        Some(other) => other.clone(),
        None => Value::Null,
    }
}

pub(super) fn str_field(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}
