use futures_util::Stream;

#[genai_tracing::llm_call(provider = "openai", model = "gpt-4o")]
fn ask(question: &str) -> impl Stream<Item = Result<String, std::io::Error>> {
    futures_util::stream::iter([Ok(question.to_owned())])
}

fn main() {}
