//! The model vocabulary: what an `#[llm_call]` reads from a request ([`ModelRequest`]), a response
//! ([`ModelResponse`]) and a stream chunk ([`ModelChunk`]), the token [`Usage`] and the GenAI
//! message schema ([`ChatMessage`], [`OutputMessage`], [`MessagePart`]) they speak in, and the
//! implementations for the providers' wire JSON (`serde_json::Value`) and, with the
//! `async-openai` feature, async-openai's types (`provider/`).
//!
//! Everything here is re-exported at the crate root.

mod chunk;
mod message;
mod provider;
mod request;
mod response;
mod usage;

pub use chunk::{Delta, DeltaPart, ModelChunk};
pub(crate) use message::{finish_reason, scrub_split_secrets};
pub use message::{ChatMessage, MessagePart, OutputMessage};
pub use request::{ModelRequest, RequestParameters};
pub use response::ModelResponse;
pub use usage::Usage;
