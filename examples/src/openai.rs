//! The demo's real-model mode: the ReAct agent's model calls go to any OpenAI-compatible server
//! (OpenAI, vLLM, Ollama, …) through async-openai, traced by `#[llm_call]` on async-openai's own
//! request and response types, whole or streamed.

use std::collections::BTreeMap;

use async_openai::config::OpenAIConfig;
use async_openai::error::OpenAIError;
use async_openai::types::chat::{
    ChatCompletionResponseStream, ChatCompletionStreamOptions, CreateChatCompletionRequest,
    CreateChatCompletionResponse, FinishReason,
};
use async_openai::Client;
use futures_util::StreamExt;
use genai_tracing::llm_call;
use serde_json::{json, Value};

/// Where the real model is and how to call it.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenAiSettings {
    /// The server's base URL, e.g. `https://api.openai.com/v1` or `http://127.0.0.1:11434/v1`.
    pub base_url: String,
    /// The API key, when the server wants one.
    pub api_key: Option<String>,
    /// The model to ask for.
    pub model: String,
    /// Stream the responses (server-sent events) instead of waiting for whole ones.
    pub stream: bool,
}

/// A model behind an OpenAI-compatible chat-completions endpoint.
#[derive(Debug, Clone)]
pub struct OpenAiModel {
    client: Client<OpenAIConfig>,
    model: String,
    stream: bool,
}

/// Why a real model call failed.
#[derive(Debug, thiserror::Error)]
pub enum OpenAiError {
    /// The agent's request does not fit the chat-completions schema.
    #[error("the request does not fit the chat-completions schema: {0}")]
    Request(#[source] serde_json::Error),
    /// The response could not be put back into JSON for the agent.
    #[error("the response cannot be read back as JSON: {0}")]
    Response(#[source] serde_json::Error),
    /// The server or the connection failed.
    #[error(transparent)]
    Api(#[from] OpenAIError),
}

impl OpenAiModel {
    /// A client for `settings`.
    pub fn new(settings: &OpenAiSettings) -> Self {
        let mut config = OpenAIConfig::new().with_api_base(settings.base_url.trim_end_matches('/'));
        // async-openai sends `Bearer ` with an empty key; local servers ignore it.
        config = config.with_api_key(settings.api_key.clone().unwrap_or_default());
        Self {
            client: Client::with_config(config),
            model: settings.model.clone(),
            stream: settings.stream,
        }
    }

    /// One chat completion, whole.
    #[llm_call(provider = "openai")]
    pub async fn complete(
        &self,
        request: CreateChatCompletionRequest,
    ) -> Result<CreateChatCompletionResponse, OpenAIError> {
        self.client.chat().create(request).await
    }

    /// One chat completion, streamed: the span lasts until the stream ends.
    #[llm_call(provider = "openai")]
    pub async fn complete_stream(
        &self,
        request: CreateChatCompletionRequest,
    ) -> Result<ChatCompletionResponseStream, OpenAIError> {
        self.client.chat().create_stream(request).await
    }

    /// Sends the agent's request (OpenAI JSON) with this model and returns the response as JSON
    /// in the chat-completions shape, streamed or not as configured.
    pub async fn chat(&self, request: &Value) -> Result<Value, OpenAiError> {
        let mut request: CreateChatCompletionRequest =
            serde_json::from_value(request.clone()).map_err(OpenAiError::Request)?;
        request.model.clone_from(&self.model);
        if !self.stream {
            let response = self.complete(request).await?;
            return serde_json::to_value(response).map_err(OpenAiError::Response);
        }
        request.stream_options = Some(ChatCompletionStreamOptions {
            include_usage: Some(true),
            include_obfuscation: None,
        });
        let mut chunks = self.complete_stream(request).await?;
        let mut message = Assembled::default();
        while let Some(chunk) = chunks.next().await {
            message.add(&chunk?);
        }
        Ok(message.into_response())
    }
}

/// The assistant message put together from streamed deltas (choice 0), as the agent reads it.
#[derive(Default)]
struct Assembled {
    content: String,
    /// index → (id, name, arguments)
    tool_calls: BTreeMap<u32, (String, String, String)>,
    finish_reason: Option<FinishReason>,
}

impl Assembled {
    fn add(&mut self, chunk: &async_openai::types::chat::CreateChatCompletionStreamResponse) {
        for choice in chunk.choices.iter().filter(|c| c.index == 0) {
            if let Some(text) = &choice.delta.content {
                self.content.push_str(text);
            }
            for call in choice.delta.tool_calls.iter().flatten() {
                let entry = self.tool_calls.entry(call.index).or_default();
                if let Some(id) = &call.id {
                    entry.0.clone_from(id);
                }
                if let Some(f) = &call.function {
                    entry.1.push_str(f.name.as_deref().unwrap_or_default());
                    entry.2.push_str(f.arguments.as_deref().unwrap_or_default());
                }
            }
            if choice.finish_reason.is_some() {
                self.finish_reason = choice.finish_reason;
            }
        }
    }

    fn into_response(self) -> Value {
        let mut message = json!({"role": "assistant", "content": self.content});
        if !self.tool_calls.is_empty() {
            let calls: Vec<Value> = self
                .tool_calls
                .into_values()
                .map(|(id, name, arguments)| {
                    json!({"id": id, "type": "function", "function": {"name": name, "arguments": arguments}})
                })
                .collect();
            message["tool_calls"] = Value::Array(calls);
        }
        json!({"choices": [{"index": 0, "message": message, "finish_reason": self.finish_reason}]})
    }
}
