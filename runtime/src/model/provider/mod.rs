//! `serde_json::Value` as a model request, response and stream chunk, in the shapes providers send
//! on the wire (and, with the `async-openai` feature, async-openai's typed forms).
//!
//! A response is read by its shape: `choices` means OpenAI chat completions, `"object": "list"`
//! with `usage` OpenAI embeddings, `"type": "message"` Anthropic messages; any other value reports
//! nothing. A stream chunk is an Anthropic event when its `type` is one of the message-stream
//! events, else an OpenAI chat-completion chunk. Requests of both providers share one
//! reader: it understands either's message and content-block forms.
//!
//! ```
//! use genai_tracing::ModelResponse;
//! let openai = serde_json::json!({
//!     "id": "chatcmpl-1", "model": "gpt-4o-2024-08-06",
//!     "choices": [{"index": 0, "message": {"role": "assistant", "content": "4"}, "finish_reason": "stop"}],
//!     "usage": {"prompt_tokens": 19, "completion_tokens": 1, "prompt_tokens_details": {"cached_tokens": 8}}
//! });
//! assert_eq!(openai.usage().input_tokens, Some(19));
//! assert_eq!(openai.usage().cache_read_input_tokens, Some(8));
//! assert_eq!(openai.finish_reasons(), ["stop"]);
//! ```

mod anthropic;
#[cfg(feature = "async-openai")]
mod async_openai;
mod messages;
mod openai;

use serde_json::Value;

use crate::model::chunk::{Delta, ModelChunk};
use crate::model::message::{ChatMessage, MessagePart, OutputMessage};
use crate::model::request::{ModelRequest, RequestParameters};
use crate::model::response::ModelResponse;
use crate::model::usage::Usage;

enum Shape {
    OpenAi,
    Anthropic,
    Unknown,
}

fn shape(v: &Value) -> Shape {
    // Chat completions carry `choices`; embeddings are a `list` with the same `usage`.
    let openai_list =
        v.get("object").and_then(Value::as_str) == Some("list") && v.get("usage").is_some();
    if v.get("choices").is_some_and(Value::is_array) || openai_list {
        Shape::OpenAi
    } else if v.get("type").and_then(Value::as_str) == Some("message") {
        Shape::Anthropic
    } else {
        Shape::Unknown
    }
}

impl ModelResponse for Value {
    fn response_id(&self) -> Option<&str> {
        self.get("id").and_then(Value::as_str)
    }

    fn response_model(&self) -> Option<&str> {
        self.get("model").and_then(Value::as_str)
    }

    fn finish_reasons(&self) -> Vec<String> {
        match shape(self) {
            Shape::OpenAi => openai::finish_reasons(self),
            Shape::Anthropic => anthropic::finish_reasons(self),
            Shape::Unknown => Vec::new(),
        }
    }

    fn usage(&self) -> Usage {
        match shape(self) {
            Shape::OpenAi => openai::usage(self),
            Shape::Anthropic => anthropic::usage(self),
            Shape::Unknown => Usage::default(),
        }
    }

    fn output_messages(&self) -> Vec<OutputMessage> {
        match shape(self) {
            Shape::OpenAi => openai::output_messages(self),
            Shape::Anthropic => anthropic::output_messages(self),
            Shape::Unknown => Vec::new(),
        }
    }
}

/// Anthropic's stream events are told apart by their `type`; anything else is read as an OpenAI
/// chat-completion chunk.
fn anthropic_event(v: &Value) -> bool {
    matches!(
        v.get("type").and_then(Value::as_str),
        Some(
            "message_start"
                | "content_block_start"
                | "content_block_delta"
                | "content_block_stop"
                | "message_delta"
                | "message_stop"
                | "ping"
                | "error"
        )
    )
}

/// A chunk's `key` (`id`, `model`): on the message of Anthropic's `message_start` (no other
/// event has one), on the chunk itself for OpenAI.
fn chunk_field<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    let source = match anthropic::event::message(v) {
        Some(message) => message,
        None if anthropic_event(v) => return None,
        None => v,
    };
    source.get(key).and_then(Value::as_str)
}

impl ModelChunk for Value {
    fn response_id(&self) -> Option<&str> {
        chunk_field(self, "id")
    }

    fn response_model(&self) -> Option<&str> {
        chunk_field(self, "model")
    }

    fn usage(&self) -> Usage {
        if anthropic_event(self) {
            anthropic::event::usage(self)
        } else {
            openai::usage(self)
        }
    }

    fn finish_reasons(&self) -> Vec<(u32, String)> {
        if anthropic_event(self) {
            anthropic::event::finish_reasons(self)
        } else {
            openai::chunk::finish_reasons(self)
        }
    }

    fn deltas(&self) -> Vec<Delta> {
        if anthropic_event(self) {
            anthropic::event::deltas(self)
        } else {
            openai::chunk::deltas(self)
        }
    }

    fn error(&self) -> Option<(String, String)> {
        if anthropic_event(self) {
            anthropic::event::error(self)
        } else {
            openai::chunk::error(self)
        }
    }
}

impl ModelRequest for Value {
    fn model(&self) -> Option<&str> {
        self.get("model").and_then(Value::as_str)
    }

    fn parameters(&self) -> RequestParameters {
        let f = |k: &str| self.get(k).and_then(Value::as_f64);
        let i = |k: &str| self.get(k).and_then(Value::as_i64);
        let stop = self.get("stop").or_else(|| self.get("stop_sequences"));
        RequestParameters {
            temperature: f("temperature"),
            max_tokens: i("max_tokens").or_else(|| i("max_completion_tokens")),
            top_p: f("top_p"),
            top_k: f("top_k"),
            stop_sequences: match stop {
                Some(Value::String(s)) => vec![s.clone()],
                Some(Value::Array(items)) => items
                    .iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect(),
                _ => Vec::new(),
            },
            seed: i("seed"),
            frequency_penalty: f("frequency_penalty"),
            presence_penalty: f("presence_penalty"),
        }
    }

    fn input_messages(&self) -> Vec<ChatMessage> {
        self.get("messages")
            .and_then(Value::as_array)
            .map(|ms| ms.iter().map(messages::chat_message).collect())
            .unwrap_or_default()
    }

    fn system_instructions(&self) -> Vec<MessagePart> {
        match self.get("system") {
            Some(Value::String(s)) => vec![MessagePart::text(s.clone())],
            Some(Value::Array(blocks)) => blocks
                .iter()
                .filter_map(|b| b.get("text").and_then(Value::as_str))
                .map(MessagePart::text)
                .collect(),
            _ => Vec::new(),
        }
    }
}
