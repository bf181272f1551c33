//! A deterministic scripted chat model that speaks the OpenAI chat-completions shape.
//!
//! It plays a ReAct model for the demo's five questions: it reads the conversation, asks for the
//! next tool call of its script, retries a call that failed when the script says how, and writes
//! the final answer from the tools' observations. Usage is counted from the text it reads and
//! writes (about four characters a token), so the numbers move the way a real model's do.

use std::time::Duration;

use genai_tracing::llm_call;
use serde_json::{json, Value};

/// The model name requested by the agent.
pub const MODEL: &str = "gpt-4o-mini";
/// The model name the scripted model answers with.
pub const RESPONSE_MODEL: &str = "gpt-4o-mini-2024-07-18";

/// One step of a script.
enum Step {
    /// Ask for a tool call; `fix` is the arguments to retry with when the call fails.
    Call {
        tool: &'static str,
        args: &'static str,
        fix: Option<&'static str>,
    },
    /// Answer; `{i}` is replaced by the i-th successful observation.
    Answer(&'static str),
}

use Step::{Answer, Call};

struct Script {
    question: &'static str,
    steps: &'static [Step],
}

const SCRIPTS: &[Script] = &[
    Script {
        question: "What is 17 * 23?",
        steps: &[
            Call {
                tool: "calculator",
                args: r#"{"expr":"17 * 23"}"#,
                fix: None,
            },
            Answer("17 * 23 = {0}."),
        ],
    },
    Script {
        question: "Who created Rust, and when was Rust 1.0 released?",
        steps: &[
            Call {
                tool: "web_search",
                args: r#"{"query":"Rust programming language 1.0 release"}"#,
                fix: None,
            },
            Answer("Rust was created by Graydon Hoare; Rust 1.0 was released in May 2015."),
        ],
    },
    Script {
        question: "How many years after the first C++ release did Rust 1.0 come out?",
        steps: &[
            Call {
                tool: "web_search",
                args: r#"{"query":"C++ first commercial release"}"#,
                fix: None,
            },
            Call {
                tool: "web_search",
                args: r#"{"query":"Rust 1.0 released"}"#,
                fix: None,
            },
            Call {
                tool: "calculator",
                args: r#"{"expr":"2015 - 1985"}"#,
                fix: None,
            },
            Answer("Rust 1.0 came out {2} years after the first C++ release."),
        ],
    },
    Script {
        question: "What is 12 divided by 4, plus 7?",
        steps: &[
            Call {
                tool: "calculator",
                args: r#"{"expr":"12 divided by 4 plus 7"}"#,
                fix: Some(r#"{"expr":"12 / 4 + 7"}"#),
            },
            Answer("12 divided by 4, plus 7 is {0}."),
        ],
    },
    Script {
        question: "How much higher is Mount Everest than K2, in metres?",
        steps: &[
            Call {
                tool: "web_search",
                args: r#"{"query":"Mount Everest elevation"}"#,
                fix: None,
            },
            Call {
                tool: "web_search",
                args: r#"{"query":"K2 elevation"}"#,
                fix: None,
            },
            Call {
                tool: "calculator",
                args: r#"{"expr":"8849 - 8611"}"#,
                fix: None,
            },
            Answer("Mount Everest is {2} metres higher than K2."),
        ],
    },
];

/// The questions the scripted model knows.
pub fn questions() -> impl Iterator<Item = &'static str> {
    SCRIPTS.iter().map(|s| s.question)
}

/// Why the model call failed.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The request has no user message to answer.
    #[error("the request has no user message")]
    NoQuestion,
    /// The real model's call failed.
    #[error(transparent)]
    OpenAi(#[from] crate::openai::OpenAiError),
}

/// The scripted model; `latency` is added to every call to look like a network round trip.
#[derive(Debug, Clone)]
pub struct ScriptedModel {
    /// Simulated time per call, plus a little per output token.
    pub latency: Duration,
}

impl Default for ScriptedModel {
    fn default() -> Self {
        Self {
            latency: Duration::from_millis(20),
        }
    }
}

impl ScriptedModel {
    /// Sends a chat-completions request and returns the response (OpenAI shape).
    #[llm_call(provider = "openai")]
    pub async fn chat(&self, request: &Value) -> Result<Value, ModelError> {
        let messages = request["messages"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        let question = messages
            .iter()
            .find(|m| m["role"] == "user")
            .and_then(|m| m["content"].as_str())
            .ok_or(ModelError::NoQuestion)?;
        let message = next_message(question, messages);
        let finish_reason = if message.get("tool_calls").is_some() {
            "tool_calls"
        } else {
            "stop"
        };
        let prompt_tokens = tokens(&request.to_string());
        let completion_tokens = tokens(&message.to_string());
        tokio::time::sleep(self.latency + Duration::from_micros(300 * completion_tokens as u64))
            .await;
        Ok(json!({
            "id": format!("chatcmpl-{:016x}", fnv1a(request.to_string().as_bytes())),
            "object": "chat.completion",
            "created": 1_764_000_000,
            "model": RESPONSE_MODEL,
            "system_fingerprint": "fp_scripted",
            "choices": [{"index": 0, "message": message, "finish_reason": finish_reason}],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
                "prompt_tokens_details": {"cached_tokens": 0},
                "completion_tokens_details": {"reasoning_tokens": 0}
            }
        }))
    }
}

/// The assistant's next message: a tool call of the script, or the answer.
fn next_message(question: &str, messages: &[Value]) -> Value {
    let Some(script) = SCRIPTS.iter().find(|s| s.question == question) else {
        return json!({"role": "assistant", "content": "I don't know how to answer that."});
    };
    let observations: Vec<&str> = messages
        .iter()
        .filter(|m| m["role"] == "tool")
        .filter_map(|m| m["content"].as_str())
        .collect();
    let succeeded: Vec<&str> = observations
        .iter()
        .copied()
        .filter(|o| !o.starts_with("Error:"))
        .collect();
    let last_failed = observations.last().is_some_and(|o| o.starts_with("Error:"));
    let call_number = messages
        .iter()
        .filter(|m| m.get("tool_calls").is_some())
        .count();
    match &script.steps[succeeded.len().min(script.steps.len() - 1)] {
        Call { tool, args, fix } => {
            let args = match (last_failed, fix) {
                (false, _) => *args,
                (true, Some(fixed)) => fixed,
                (true, None) => {
                    return json!({"role": "assistant", "content": "I could not complete that: a tool failed."})
                }
            };
            json!({"role": "assistant", "content": null, "tool_calls": [{
                "id": format!("call_{call_number}"),
                "type": "function",
                "function": {"name": tool, "arguments": args}
            }]})
        }
        Answer(template) => {
            let answer = succeeded
                .iter()
                .enumerate()
                .fold(template.to_string(), |text, (i, o)| {
                    text.replace(&format!("{{{i}}}"), o)
                });
            json!({"role": "assistant", "content": answer})
        }
    }
}

/// About four characters a token, at least one.
fn tokens(text: &str) -> i64 {
    (text.chars().count() as i64 + 3) / 4
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
