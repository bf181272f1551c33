#[genai_tracing::retrieval(query = question)]
fn search(text: &str) -> Vec<String> {
    vec![text.to_owned()]
}

fn main() {}
