//! What an `#[llm_call]` reads from the value its function returns.

use super::message::OutputMessage;
use super::usage::Usage;

/// A model's response, as `#[llm_call]` records it.
///
/// `#[llm_call]` requires it of the function's return type (of `T` in `Result<T, E>`). Everything
/// has a default, so an implementation provides what its type knows. `serde_json::Value` implements
/// it for the OpenAI chat-completions and Anthropic messages shapes.
///
/// ```
/// use genai_tracing::{ModelResponse, Usage};
/// struct Reply { text: String, prompt: u32, completion: u32 }
/// impl ModelResponse for Reply {
///     fn usage(&self) -> Usage {
///         Usage {
///             input_tokens: Some(self.prompt.into()),
///             output_tokens: Some(self.completion.into()),
///             ..Usage::default()
///         }
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a model response that #[llm_call] or #[embeddings] can read",
    label = "usage, model and finish reasons are read from this type",
    note = "implement `genai_tracing::ModelResponse` for `{Self}` (every method has a default), or return a `serde_json::Value` in the OpenAI or Anthropic shape; if this is a stream of chunks under another name, write `#[llm_call(stream, ..)]`"
)]
pub trait ModelResponse {
    /// The provider's completion id.
    fn response_id(&self) -> Option<&str> {
        None
    }
    /// The model that actually answered.
    fn response_model(&self) -> Option<&str> {
        None
    }
    /// One finish reason per choice, as the provider reported them.
    fn finish_reasons(&self) -> Vec<String> {
        Vec::new()
    }
    /// Token counts, normalised to the conventions (see [`Usage`]).
    fn usage(&self) -> Usage {
        Usage::default()
    }
    /// The choices as output messages. Called only when content capture is on.
    fn output_messages(&self) -> Vec<OutputMessage> {
        Vec::new()
    }
}

/// Forwards the trait through references and smart pointers.
macro_rules! forward_model_response {
    ($($ptr:ty),*) => {$(
        impl<T: ModelResponse + ?Sized> ModelResponse for $ptr {
            fn response_id(&self) -> Option<&str> {
                (**self).response_id()
            }
            fn response_model(&self) -> Option<&str> {
                (**self).response_model()
            }
            fn finish_reasons(&self) -> Vec<String> {
                (**self).finish_reasons()
            }
            fn usage(&self) -> Usage {
                (**self).usage()
            }
            fn output_messages(&self) -> Vec<OutputMessage> {
                (**self).output_messages()
            }
        }
    )*};
}

forward_model_response!(&T, Box<T>, std::sync::Arc<T>);

/// Embedding vectors: an `#[embeddings]` function may return them as they are (they carry no usage
/// or model; return the provider's response to record those).
macro_rules! embedding_vectors {
    ($($ty:ty),*) => {$( impl ModelResponse for $ty {} )*};
}

embedding_vectors!(Vec<f32>, Vec<f64>, Vec<Vec<f32>>, Vec<Vec<f64>>);
