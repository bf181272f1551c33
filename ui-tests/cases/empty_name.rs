#[genai_tracing::agent(name = " ")]
fn run(goal: &str) -> String {
    goal.to_owned()
}

fn main() {}
