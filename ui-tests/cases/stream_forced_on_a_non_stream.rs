#[genai_tracing::llm_call(provider = "openai", model = "gpt-4o", stream)]
fn ask(question: &str) -> Vec<serde_json::Value> {
    vec![serde_json::json!({ "q": question })]
}

fn main() {}
