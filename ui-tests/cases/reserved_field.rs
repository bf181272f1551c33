#[genai_tracing::tool(fields(gen_ai.tool.name = "other"))]
fn lookup(query: &str) -> usize {
    query.len()
}

fn main() {}
