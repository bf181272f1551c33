//! The genai-tracing demo as a library, so tests can run the same agent the example runs.
//!
//! A ReAct agent (`#[agent]`) plans with a deterministic scripted model (`#[llm_call]`, OpenAI
//! response shape) and acts with a calculator and a web search over a bundled corpus (`#[tool]`).

pub mod agent;
pub mod calculator_eval;
pub mod collector;
pub mod demo;
pub mod mcp_agent;
pub mod model;
pub mod multi_agent;
pub mod openai;
pub mod processes;
pub mod scorers;
pub mod tools;
