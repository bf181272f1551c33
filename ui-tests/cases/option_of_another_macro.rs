#[genai_tracing::tool(provider = "openai")]
fn calculator(expr: &str) -> usize {
    expr.len()
}

fn main() {}
