//! The GenAI message schema: what `gen_ai.input.messages`, `gen_ai.output.messages` and
//! `gen_ai.system_instructions` hold, as typed values that serialise to the spec's JSON.
//!
//! ```
//! use genai_tracing::{ChatMessage, MessagePart};
//! let m = ChatMessage::new("user", vec![MessagePart::text("Weather in Paris?")]);
//! assert_eq!(
//!     serde_json::to_string(&m).unwrap(),
//!     r#"{"role":"user","parts":[{"type":"text","content":"Weather in Paris?"}]}"#
//! );
//! ```

use serde::Serialize;
use serde_json::Value;

/// One message sent to the model: a role and its parts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChatMessage {
    /// `system`, `user`, `assistant`, `tool`, or a provider's own role.
    pub role: String,
    /// The content, in order.
    pub parts: Vec<MessagePart>,
    /// The participant's name, when the provider has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl ChatMessage {
    /// A message with a role and parts and no name.
    pub fn new(role: impl Into<String>, parts: Vec<MessagePart>) -> Self {
        Self {
            role: role.into(),
            parts,
            name: None,
        }
    }
}

/// One message (choice) returned by the model.
///
/// `finish_reason` is always present: Phoenix rejects output messages without it.
///
/// ```
/// use genai_tracing::{MessagePart, OutputMessage};
/// let m = OutputMessage {
///     role: "assistant".into(),
///     parts: vec![MessagePart::text("4")],
///     finish_reason: "stop".into(),
/// };
/// assert!(serde_json::to_string(&m).unwrap().contains(r#""finish_reason":"stop""#));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutputMessage {
    /// Usually `assistant`.
    pub role: String,
    /// The content, in order.
    pub parts: Vec<MessagePart>,
    /// `stop`, `length`, `content_filter`, `tool_call`, `error`, or the provider's own reason.
    pub finish_reason: String,
}

/// A piece of a message, tagged by `type` as in the spec.
///
/// ```
/// use genai_tracing::MessagePart;
/// let call = MessagePart::ToolCall {
///     id: Some("call_1".into()),
///     name: "calculator".into(),
///     arguments: serde_json::json!({"expr": "2+2"}),
/// };
/// assert_eq!(
///     serde_json::to_value(&call).unwrap(),
///     serde_json::json!({"type": "tool_call", "id": "call_1", "name": "calculator", "arguments": {"expr": "2+2"}})
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MessagePart {
    /// Plain text.
    Text {
        /// The text.
        content: String,
    },
    /// A request from the model to call a tool.
    ToolCall {
        /// The call id, e.g. `call_…`.
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        /// The tool's name.
        name: String,
        /// The arguments, as JSON (an object when the model produced valid JSON).
        #[serde(skip_serializing_if = "Value::is_null")]
        arguments: Value,
    },
    /// A tool's answer, sent back to the model.
    ToolCallResponse {
        /// The id of the call it answers.
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        /// The tool's output.
        response: Value,
    },
    /// The model's reasoning ("thinking") text.
    Reasoning {
        /// The reasoning text.
        content: String,
    },
    /// Inline binary data such as an image, base64 in `content`.
    Blob {
        /// MIME type, e.g. `image/png`.
        #[serde(skip_serializing_if = "Option::is_none")]
        mime_type: Option<String>,
        /// `image`, `video`, `audio`, `document`.
        modality: String,
        /// Base64 data.
        content: String,
    },
    /// Content referenced by URI.
    Uri {
        /// MIME type, when known.
        #[serde(skip_serializing_if = "Option::is_none")]
        mime_type: Option<String>,
        /// `image`, `video`, `audio`, `document`.
        modality: String,
        /// The URI (not a data URL).
        uri: String,
    },
}

impl MessagePart {
    /// A text part.
    pub fn text(content: impl Into<String>) -> Self {
        Self::Text {
            content: content.into(),
        }
    }
}

/// Redacts, in each message, a secret split across its text parts (the pieces of it in each
/// part; what lies inside one part is scrubbed with the rest of the captured value).
pub(crate) fn scrub_split_secrets<'m>(messages: impl Iterator<Item = &'m mut Vec<MessagePart>>) {
    for parts in messages {
        let mut texts: Vec<&mut String> = parts
            .iter_mut()
            .filter_map(|p| match p {
                MessagePart::Text { content } | MessagePart::Reasoning { content } => Some(content),
                _ => None,
            })
            .collect();
        crate::capture::scrub_across(&mut texts);
    }
}

/// A provider's finish reason in the conventions' terms (`stop`, `length`, `tool_call`,
/// `content_filter`), for OpenAI's and Anthropic's spellings alike; any other reason as it is.
pub(crate) fn finish_reason(raw: Option<&str>) -> String {
    match raw {
        Some("end_turn" | "stop_sequence") => "stop",
        Some("max_tokens") => "length",
        Some("tool_calls" | "function_call" | "tool_use") => "tool_call",
        Some("refusal") => "content_filter",
        Some(other) => other,
        None => "unknown",
    }
    .to_owned()
}
