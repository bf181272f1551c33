//! What an `#[llm_call]` reads from a request among its arguments.

use super::message::{ChatMessage, MessagePart};

/// Request parameters recorded as `gen_ai.request.*`.
///
/// ```
/// let p = genai_tracing::RequestParameters { temperature: Some(0.2), ..Default::default() };
/// assert_eq!(p.max_tokens, None);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestParameters {
    /// Sampling temperature.
    pub temperature: Option<f64>,
    /// Maximum tokens to generate.
    pub max_tokens: Option<i64>,
    /// Nucleus sampling.
    pub top_p: Option<f64>,
    /// Top-K decoding.
    pub top_k: Option<f64>,
    /// Stop sequences.
    pub stop_sequences: Vec<String>,
    /// Seed.
    pub seed: Option<i64>,
    /// Frequency penalty.
    pub frequency_penalty: Option<f64>,
    /// Presence penalty.
    pub presence_penalty: Option<f64>,
}

/// A model request, as `#[llm_call]` records it.
///
/// When an argument of an `#[llm_call]` function implements it (including through `&`), its model
/// names the span if the macro has no `model = ..`, its parameters become `gen_ai.request.*` and,
/// when content capture is on, its messages become `gen_ai.input.messages` and
/// `gen_ai.system_instructions`. `serde_json::Value` implements it for the OpenAI chat-completions
/// and Anthropic messages request shapes.
///
/// ```
/// use genai_tracing::{ModelRequest, RequestParameters};
/// struct Ask { model: String, temperature: f64 }
/// impl ModelRequest for Ask {
///     fn model(&self) -> Option<&str> { Some(&self.model) }
///     fn parameters(&self) -> RequestParameters {
///         RequestParameters { temperature: Some(self.temperature), ..Default::default() }
///     }
/// }
/// ```
pub trait ModelRequest {
    /// The requested model.
    fn model(&self) -> Option<&str> {
        None
    }
    /// Sampling and length parameters.
    fn parameters(&self) -> RequestParameters {
        RequestParameters::default()
    }
    /// The chat history sent, in order. Called only when content capture is on.
    fn input_messages(&self) -> Vec<ChatMessage> {
        Vec::new()
    }
    /// System instructions given apart from the history (Anthropic's `system`). Called only when
    /// content capture is on.
    fn system_instructions(&self) -> Vec<MessagePart> {
        Vec::new()
    }
}

/// Forwards the trait through references and smart pointers, so `&mut Value`, `Box<Request>` or
/// `Arc<Request>` arguments are requests too.
macro_rules! forward_model_request {
    ($($ptr:ty),*) => {$(
        impl<T: ModelRequest + ?Sized> ModelRequest for $ptr {
            fn model(&self) -> Option<&str> {
                (**self).model()
            }
            fn parameters(&self) -> RequestParameters {
                (**self).parameters()
            }
            fn input_messages(&self) -> Vec<ChatMessage> {
                (**self).input_messages()
            }
            fn system_instructions(&self) -> Vec<MessagePart> {
                (**self).system_instructions()
            }
        }
    )*};
}

forward_model_request!(&T, &mut T, Box<T>, std::sync::Arc<T>, std::rc::Rc<T>);
