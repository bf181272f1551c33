#[genai_tracing::tool(fields(tenant = "a", tenant = "b"))]
fn lookup(query: &str) -> usize {
    query.len()
}

fn main() {}
