// Option values of the wrong type: each error is on the value, and none ends in the runtime.
struct Opaque;

#[genai_tracing::agent(id = Opaque)]
fn a(goal: &str) -> usize {
    goal.len()
}

#[genai_tracing::tool(retry = "3", backoff = 5)]
fn b(goal: &str) -> Result<usize, String> {
    Ok(goal.len())
}

#[genai_tracing::retrieval(data_source = Opaque)]
fn c(goal: &str) -> Vec<String> {
    vec![goal.to_owned()]
}

#[genai_tracing::workflow(session = Opaque)]
fn d(goal: &str) -> usize {
    goal.len()
}

fn main() {}
