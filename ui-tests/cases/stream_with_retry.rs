use futures_util::Stream;

#[genai_tracing::llm_call(provider = "openai", model = "gpt-4o", retry = 3)]
fn ask(question: &str) -> impl Stream<Item = Result<serde_json::Value, std::io::Error>> {
    futures_util::stream::iter([Ok(serde_json::json!({ "q": question }))])
}

fn main() {}
