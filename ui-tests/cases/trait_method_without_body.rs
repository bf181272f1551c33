trait Tool {
    #[genai_tracing::tool]
    fn call(&self, input: &str) -> String;
}

fn main() {}
