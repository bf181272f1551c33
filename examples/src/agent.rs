//! The demo's ReAct agent: plan with the model, act with tools, observe, repeat, answer.

use std::future::Future;

use genai_tracing::agent;
use serde_json::{json, Value};

use crate::model::{ModelError, ScriptedModel, MODEL};
use crate::openai::OpenAiModel;
use crate::tools::{web_search, Calculator};

/// Why the agent gave up.
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    /// The model call failed.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// The model kept asking for tools past the step limit.
    #[error("no answer after {0} steps")]
    TooManySteps(usize),
}

const SYSTEM_PROMPT: &str = "You are a careful research assistant. Think step by step. Use the \
calculator for every arithmetic operation and web_search for facts. Answer in one sentence.";

/// The model the agent plans with.
#[derive(Debug, Clone)]
pub enum Model {
    /// The scripted model: no keys, no network.
    Scripted(ScriptedModel),
    /// A real model behind an OpenAI-compatible server.
    OpenAi(Box<OpenAiModel>),
}

impl Default for Model {
    fn default() -> Self {
        Self::Scripted(ScriptedModel::default())
    }
}

impl Model {
    /// Sends a chat-completions request (OpenAI JSON) and returns the response in the same shape.
    pub async fn chat(&self, request: &Value) -> Result<Value, ModelError> {
        match self {
            Self::Scripted(model) => model.chat(request).await,
            Self::OpenAi(model) => Ok(model.chat(request).await?),
        }
    }
}

/// A ReAct agent over a model and the two tools.
#[derive(Debug, Clone, Default)]
pub struct ReactAgent {
    /// The model.
    pub model: Model,
    /// The calculator tool.
    pub calculator: Calculator,
}

impl ReactAgent {
    /// Answers a question by reasoning and acting with tools (ReAct).
    #[agent(name = "react-agent", version = "1.0.0")]
    pub async fn answer(&self, question: &str) -> Result<String, AgentError> {
        self.react(question, |call| std::future::ready(self.act(&call)))
            .await
    }

    /// The ReAct loop, with `act` running each tool call the model asks for (an OpenAI
    /// `tool_calls` entry) and returning the observation. [`ReactAgent::answer`] acts with the
    /// local tools; the MCP demo acts through an MCP server.
    pub async fn react<F: Future<Output = String>>(
        &self,
        question: &str,
        act: impl Fn(Value) -> F,
    ) -> Result<String, AgentError> {
        const MAX_STEPS: usize = 8;
        let mut messages = vec![
            json!({"role": "system", "content": SYSTEM_PROMPT}),
            json!({"role": "user", "content": question}),
        ];
        for _ in 0..MAX_STEPS {
            let request = json!({
                "model": MODEL,
                "temperature": 0.0,
                "max_tokens": 256,
                "messages": messages,
                "tools": tool_definitions(),
            });
            let response = self.model.chat(&request).await?;
            let message = response["choices"][0]["message"].clone();
            let calls = message["tool_calls"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            messages.push(message.clone());
            if calls.is_empty() {
                return Ok(message["content"].as_str().unwrap_or_default().to_owned());
            }
            for call in calls {
                let id = call["id"].clone();
                let observation = act(call).await;
                messages.push(json!({"role": "tool", "tool_call_id": id, "content": observation}));
            }
        }
        Err(AgentError::TooManySteps(MAX_STEPS))
    }

    /// Runs one tool call; a failure becomes an observation the model can react to.
    fn act(&self, call: &Value) -> String {
        let id = call["id"].as_str().unwrap_or_default();
        let name = call["function"]["name"].as_str().unwrap_or_default();
        let args: Value = call["function"]["arguments"]
            .as_str()
            .and_then(|a| serde_json::from_str(a).ok())
            .unwrap_or(Value::Null);
        let arg = |key: &str| args[key].as_str().unwrap_or_default().to_owned();
        match name {
            "calculator" => match self.calculator.calculate(id, &arg("expr")) {
                Ok(v) => v.to_string(),
                Err(e) => format!("Error: {e}"),
            },
            "web_search" => match web_search(&arg("query")) {
                Ok(docs) => serde_json::to_string(&docs).unwrap_or_default(),
                Err(e) => format!("Error: {e}"),
            },
            other => format!("Error: unknown tool {other:?}"),
        }
    }
}

/// The tools offered to the model, in the OpenAI function format.
fn tool_definitions() -> Value {
    json!([
        {"type": "function", "function": {"name": "calculator", "description": "Evaluates arithmetic.",
            "parameters": {"type": "object", "properties": {"expr": {"type": "string"}}, "required": ["expr"]}}},
        {"type": "function", "function": {"name": "web_search", "description": "Searches the web.",
            "parameters": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}}}
    ])
}
