#[genai_tracing::memory(store = "facts")]
fn recall(query: &str) -> Vec<String> {
    vec![query.to_owned()]
}

fn main() {}
