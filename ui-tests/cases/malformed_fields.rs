#[genai_tracing::tool(fields(tenant "acme"))]
fn lookup(query: &str) -> usize {
    query.len()
}

fn main() {}
