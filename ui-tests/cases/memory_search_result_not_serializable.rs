struct Fact {
    text: String,
}

#[genai_tracing::memory(operation = "search_memory", store = "facts")]
fn recall(query: &str) -> Vec<Fact> {
    vec![Fact { text: query.to_owned() }]
}

fn main() {}
