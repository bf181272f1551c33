// Only a search records a result; a write's records are its arguments.
#[genai_tracing::memory(operation = "create_memory", skip_result)]
fn remember(fact: &str) -> bool {
    !fact.is_empty()
}

fn main() {}
