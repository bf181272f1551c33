// Slips of the keyboard get the closest option of that macro.
#[genai_tracing::retrieval(data_sorce = "handbook")]
fn search(query: &str) -> Vec<String> {
    vec![query.to_owned()]
}

#[genai_tracing::agent(skip_results)]
fn plan(goal: &str) -> usize {
    goal.len()
}

#[genai_tracing::memory(operation = "search_memroy")]
fn recall(query: &str) -> Vec<String> {
    vec![query.to_owned()]
}

fn main() {}
