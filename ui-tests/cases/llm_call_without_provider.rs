#[genai_tracing::llm_call(model = "gpt-4o")]
fn ask(question: &str) -> serde_json::Value {
    serde_json::json!({ "q": question })
}

fn main() {}
