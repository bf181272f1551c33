#[genai_tracing::tool(colour = "red")]
fn calculator(expr: &str) -> f64 {
    expr.len() as f64
}

fn main() {}
