#[genai_tracing::tool(skip(a), skip_all)]
fn f(a: u8, b: u8) -> u8 {
    a + b
}

fn main() {}
