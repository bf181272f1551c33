//! What a streaming `#[llm_call]` reads from each chunk of the response.

use super::usage::Usage;

/// One chunk (or event) of a streamed model response, as `#[llm_call]` reads it.
///
/// A streaming `#[llm_call]` requires it of the chunks its stream yields (`T` in
/// `Stream<Item = Result<T, E>>`). Every method has a default, so an implementation provides what
/// its type knows. `serde_json::Value` implements it for OpenAI chat-completion chunks and
/// Anthropic message events.
///
/// ```
/// use genai_tracing::{Delta, DeltaPart, ModelChunk, Usage};
/// struct Token { text: String, last: bool }
/// impl ModelChunk for Token {
///     fn finish_reasons(&self) -> Vec<(u32, String)> {
///         if self.last { vec![(0, "stop".into())] } else { Vec::new() }
///     }
///     fn deltas(&self) -> Vec<Delta> {
///         vec![Delta { choice: 0, part: DeltaPart::Text(self.text.clone()) }]
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a model response chunk that a streaming #[llm_call] can read",
    label = "usage, model, finish reasons and content are read from each chunk",
    note = "implement `genai_tracing::ModelChunk` for `{Self}` (every method has a default), or stream `serde_json::Value` chunks in the OpenAI or Anthropic shape"
)]
pub trait ModelChunk {
    /// The provider's completion id, on the chunk that carries it.
    fn response_id(&self) -> Option<&str> {
        None
    }
    /// The model that answered, on the chunk that carries it.
    fn response_model(&self) -> Option<&str> {
        None
    }
    /// The counts this chunk reports, normalised as [`Usage`] says. A count a later chunk reports
    /// replaces the earlier one (providers send running totals).
    fn usage(&self) -> Usage {
        Usage::default()
    }
    /// The choices this chunk ends: `(choice index, the provider's finish reason)`.
    fn finish_reasons(&self) -> Vec<(u32, String)> {
        Vec::new()
    }
    /// The content this chunk adds. Called only when content capture is on.
    fn deltas(&self) -> Vec<Delta> {
        Vec::new()
    }
    /// An error reported inside the stream (Anthropic's `error` event): `(error.type, message)`.
    fn error(&self) -> Option<(String, String)> {
        None
    }
}

/// A piece of content a chunk adds to one choice.
///
/// ```
/// use genai_tracing::{Delta, DeltaPart, ModelChunk};
/// let chunk = serde_json::json!({"choices": [{"index": 0, "delta": {"content": "Hel"}}]});
/// assert_eq!(chunk.deltas(), [Delta { choice: 0, part: DeltaPart::Text("Hel".into()) }]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Delta {
    /// The choice (OpenAI's `index`; always 0 for Anthropic).
    pub choice: u32,
    /// What it adds.
    pub part: DeltaPart,
}

/// What a [`Delta`] adds.
#[derive(Debug, Clone, PartialEq)]
pub enum DeltaPart {
    /// Text of the answer.
    Text(String),
    /// Reasoning ("thinking") text.
    Reasoning(String),
    /// A piece of a tool call: the call's position in the message, then whatever this chunk
    /// carries of its id, name and arguments (the arguments arrive as JSON text in fragments).
    ToolCall {
        /// The tool call's position among the message's tool calls.
        index: u32,
        /// Its id, on the chunk that opens it.
        id: Option<String>,
        /// The tool's name, on the chunk that opens it.
        name: Option<String>,
        /// A fragment of the arguments' JSON text.
        arguments: String,
    },
}

/// Forwards the trait through references and boxes.
macro_rules! forward_model_chunk {
    ($($ptr:ty),*) => {$(
        // Not recommended: a chunk type that is not one is told of its own type, without
        // rustc listing these forwards out of this macro's source.
        #[diagnostic::do_not_recommend]
        impl<T: ModelChunk + ?Sized> ModelChunk for $ptr {
            fn response_id(&self) -> Option<&str> {
                (**self).response_id()
            }
            fn response_model(&self) -> Option<&str> {
                (**self).response_model()
            }
            fn usage(&self) -> Usage {
                (**self).usage()
            }
            fn finish_reasons(&self) -> Vec<(u32, String)> {
                (**self).finish_reasons()
            }
            fn deltas(&self) -> Vec<Delta> {
                (**self).deltas()
            }
            fn error(&self) -> Option<(String, String)> {
                (**self).error()
            }
        }
    )*};
}

forward_model_chunk!(&T, Box<T>, std::sync::Arc<T>);
