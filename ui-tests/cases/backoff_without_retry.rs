#[genai_tracing::tool(backoff = std::time::Duration::from_millis(10))]
fn fetch(url: &str) -> Result<usize, String> {
    Ok(url.len())
}

fn main() {}
