#[genai_tracing::memory(operation = "chat")]
fn recall(query: &str) -> Vec<String> {
    vec![query.to_owned()]
}

fn main() {}
