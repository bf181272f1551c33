use std::pin::Pin;

use futures_util::Stream;

type Tokens = Pin<Box<dyn Stream<Item = Result<String, std::io::Error>> + Send>>;

#[genai_tracing::llm_call(provider = "openai", model = "gpt-4o", stream)]
fn ask(question: &str) -> Tokens {
    Box::pin(futures_util::stream::iter([Ok(question.to_owned())]))
}

fn main() {}
