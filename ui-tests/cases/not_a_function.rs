#[genai_tracing::tool]
struct Calculator;

fn main() {}
