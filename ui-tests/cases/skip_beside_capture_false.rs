// `capture = false` records no content: a skip beside it is redundant.
#[genai_tracing::tool(capture = false, skip(key))]
fn lookup(key: &str, query: &str) -> usize {
    key.len() + query.len()
}

#[genai_tracing::agent(skip_all, capture = false)]
fn plan(goal: &str) -> usize {
    goal.len()
}

#[genai_tracing::retrieval(capture = false, skip_result)]
fn search(query: &str) -> Vec<String> {
    vec![query.to_owned()]
}

fn main() {}
