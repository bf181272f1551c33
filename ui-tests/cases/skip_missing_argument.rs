#[genai_tracing::tool(skip(secret))]
fn lookup(query: &str, api_key: &str) -> usize {
    query.len() + api_key.len()
}

fn main() {}
