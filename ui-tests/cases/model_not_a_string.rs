struct Client {
    model: Option<String>,
}

impl Client {
    #[genai_tracing::llm_call(provider = "openai", model = self.model)]
    fn ask(&self, question: &str) -> serde_json::Value {
        serde_json::json!({ "q": question })
    }
}

fn main() {}
