// `parent = ..` takes a propagated context, not an id.
#[genai_tracing::agent(name = "sub", parent = request_id)]
fn handle(request_id: u64, task: &str) -> usize {
    task.len()
}

fn main() {}
