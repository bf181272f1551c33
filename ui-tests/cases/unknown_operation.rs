#[genai_tracing::llm_call(provider = "openai", operation = "summarize")]
fn ask(question: &str) -> serde_json::Value {
    serde_json::json!({ "q": question })
}

fn main() {}
