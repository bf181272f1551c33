#[genai_tracing::agent(name = "a", name = "b")]
fn run(goal: &str) -> String {
    goal.to_owned()
}

fn main() {}
