#[genai_tracing::tool(nmae = "calc")]
fn calculator(expr: &str) -> f64 {
    expr.len() as f64
}

fn main() {}
