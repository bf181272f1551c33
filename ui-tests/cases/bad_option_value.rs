#[genai_tracing::tool(capture = "yes")]
fn calculator(expr: &str) -> usize {
    expr.len()
}

fn main() {}
