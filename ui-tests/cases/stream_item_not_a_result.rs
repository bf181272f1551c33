use futures_util::Stream;

#[genai_tracing::llm_call(provider = "openai", model = "gpt-4o")]
fn ask(question: &str) -> impl Stream<Item = serde_json::Value> {
    futures_util::stream::iter([serde_json::json!({ "q": question })])
}

fn main() {}
