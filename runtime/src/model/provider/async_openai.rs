//! async-openai's chat-completion types as a model request, response and stream chunk (cargo
//! feature `async-openai`): an `#[llm_call]` taking a `CreateChatCompletionRequest` and returning a
//! `CreateChatCompletionResponse` or a `ChatCompletionResponseStream` needs nothing else.
//!
//! Counts and parameters are read from the fields; messages, which only capture reads, go through
//! their wire JSON and the same reader as `serde_json::Value` requests and responses.

use async_openai::types::chat::{
    CompletionUsage, CreateChatCompletionRequest, CreateChatCompletionResponse,
    CreateChatCompletionStreamResponse, FinishReason, StopConfiguration,
};
use serde_json::{json, Value};

use crate::model::chunk::{Delta, DeltaPart, ModelChunk};
use crate::model::message::{ChatMessage, OutputMessage};
use crate::model::request::{ModelRequest, RequestParameters};
use crate::model::response::ModelResponse;
use crate::model::usage::Usage;

fn usage(u: Option<&CompletionUsage>) -> Usage {
    let Some(u) = u else {
        return Usage::default();
    };
    Usage {
        input_tokens: Some(u.prompt_tokens.into()),
        output_tokens: Some(u.completion_tokens.into()),
        cache_read_input_tokens: u
            .prompt_tokens_details
            .as_ref()
            .and_then(|d| d.cached_tokens)
            .map(i64::from),
        cache_creation_input_tokens: None,
        reasoning_output_tokens: u
            .completion_tokens_details
            .as_ref()
            .and_then(|d| d.reasoning_tokens)
            .map(i64::from),
    }
}

/// The reason as OpenAI spells it on the wire (`tool_calls`, `stop`, …).
fn reason(r: FinishReason) -> String {
    match r {
        FinishReason::Stop => "stop",
        FinishReason::Length => "length",
        FinishReason::ToolCalls => "tool_calls",
        FinishReason::ContentFilter => "content_filter",
        FinishReason::FunctionCall => "function_call",
    }
    .to_owned()
}

impl ModelRequest for CreateChatCompletionRequest {
    fn model(&self) -> Option<&str> {
        Some(&self.model)
    }

    #[allow(deprecated)] // `max_tokens` is still what many servers read
    fn parameters(&self) -> RequestParameters {
        RequestParameters {
            temperature: self.temperature.map(f64::from),
            max_tokens: self
                .max_completion_tokens
                .or(self.max_tokens)
                .map(i64::from),
            top_p: self.top_p.map(f64::from),
            top_k: None,
            stop_sequences: match &self.stop {
                Some(StopConfiguration::String(s)) => vec![s.clone()],
                Some(StopConfiguration::StringArray(v)) => v.clone(),
                None => Vec::new(),
            },
            seed: self.seed,
            frequency_penalty: self.frequency_penalty.map(f64::from),
            presence_penalty: self.presence_penalty.map(f64::from),
        }
    }

    fn input_messages(&self) -> Vec<ChatMessage> {
        let messages = serde_json::to_value(&self.messages).unwrap_or(Value::Null);
        json!({ "messages": messages }).input_messages()
    }
}

impl ModelResponse for CreateChatCompletionResponse {
    fn response_id(&self) -> Option<&str> {
        Some(&self.id)
    }

    fn response_model(&self) -> Option<&str> {
        Some(&self.model)
    }

    fn finish_reasons(&self) -> Vec<String> {
        self.choices
            .iter()
            .filter_map(|c| c.finish_reason.map(reason))
            .collect()
    }

    fn usage(&self) -> Usage {
        usage(self.usage.as_ref())
    }

    fn output_messages(&self) -> Vec<OutputMessage> {
        let choices = serde_json::to_value(&self.choices).unwrap_or(Value::Null);
        json!({ "choices": choices }).output_messages()
    }
}

impl ModelChunk for CreateChatCompletionStreamResponse {
    // Azure OpenAI's first chunk has an empty id and model.
    fn response_id(&self) -> Option<&str> {
        Some(self.id.as_str()).filter(|s| !s.is_empty())
    }

    fn response_model(&self) -> Option<&str> {
        Some(self.model.as_str()).filter(|s| !s.is_empty())
    }

    fn usage(&self) -> Usage {
        usage(self.usage.as_ref())
    }

    fn finish_reasons(&self) -> Vec<(u32, String)> {
        self.choices
            .iter()
            .filter_map(|c| Some((c.index, reason(c.finish_reason?))))
            .collect()
    }

    fn deltas(&self) -> Vec<Delta> {
        let mut deltas = Vec::new();
        for c in &self.choices {
            let mut push = |part| {
                deltas.push(Delta {
                    choice: c.index,
                    part,
                })
            };
            if let Some(text) = &c.delta.content {
                push(DeltaPart::Text(text.clone()));
            }
            for call in c.delta.tool_calls.iter().flatten() {
                let function = call.function.as_ref();
                push(DeltaPart::ToolCall {
                    index: call.index,
                    id: call.id.clone(),
                    name: function.and_then(|f| f.name.clone()),
                    arguments: function
                        .and_then(|f| f.arguments.clone())
                        .unwrap_or_default(),
                });
            }
        }
        deltas
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wire_response_reads_as_the_value_form_does() {
        let wire = json!({"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-4o-mini",
            "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {"role": "assistant", "content": null,
                "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "calculator", "arguments": "{\"expr\":\"1+1\"}"}}]}}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 4, "total_tokens": 14,
                "prompt_tokens_details": {"cached_tokens": 6}, "completion_tokens_details": {"reasoning_tokens": 2}}});
        let typed: CreateChatCompletionResponse = serde_json::from_value(wire.clone()).unwrap();
        assert_eq!(typed.usage(), ModelResponse::usage(&wire));
        assert_eq!(typed.finish_reasons(), ModelResponse::finish_reasons(&wire));
        assert_eq!(typed.output_messages(), wire.output_messages());
        assert_eq!(typed.usage().cache_read_input_tokens, Some(6));
    }

    #[test]
    fn a_wire_chunk_reads_as_the_value_form_does() {
        let wire = json!({"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o-mini",
            "choices": [{"index": 0, "finish_reason": "stop", "delta": {"content": "hi",
                "tool_calls": [{"index": 0, "id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}}],
            "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}});
        let typed: CreateChatCompletionStreamResponse =
            serde_json::from_value(wire.clone()).unwrap();
        assert_eq!(ModelChunk::usage(&typed), ModelChunk::usage(&wire));
        assert_eq!(
            ModelChunk::finish_reasons(&typed),
            ModelChunk::finish_reasons(&wire)
        );
        assert_eq!(typed.deltas(), wire.deltas());
        // Azure OpenAI opens with an empty id and model: not an id nor a model.
        let azure: CreateChatCompletionStreamResponse = serde_json::from_value(
            json!({"id": "", "object": "", "created": 0, "model": "", "choices": []}),
        )
        .unwrap();
        assert_eq!((azure.response_id(), azure.response_model()), (None, None));
    }

    #[test]
    fn a_request_gives_its_parameters_and_messages() {
        let wire = json!({"model": "gpt-4o-mini", "temperature": 0.5, "max_completion_tokens": 64, "seed": 7,
            "stop": ["END"], "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "2+2?"}]});
        let typed: CreateChatCompletionRequest = serde_json::from_value(wire.clone()).unwrap();
        assert_eq!(typed.parameters(), wire.parameters());
        assert_eq!(typed.input_messages(), wire.input_messages());
        assert_eq!(ModelRequest::model(&typed), Some("gpt-4o-mini"));
    }
}
