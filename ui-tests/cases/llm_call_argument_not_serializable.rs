struct Client;

#[genai_tracing::llm_call(provider = "openai", model = "gpt-4o")]
fn ask(client: &Client, question: &str) -> serde_json::Value {
    let _ = client;
    serde_json::json!({ "q": question })
}

fn main() {}
