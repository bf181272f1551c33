#[genai_tracing::tool(skip_result)]
fn notify(message: &str) {
    let _ = message;
}

#[genai_tracing::workflow(skip_result = true)]
fn nightly(day: u32) -> u32 {
    day
}

fn main() {}
