struct Client;

#[genai_tracing::tool]
fn search(client: &Client, query: &str) -> usize {
    let _ = client;
    query.len()
}

fn main() {}
