// `capture = true` forces capture on, but every argument and the result are skipped.
#[genai_tracing::tool(capture = true, skip_all, skip_result)]
fn lookup(key: &str) -> usize {
    key.len()
}

fn main() {}
