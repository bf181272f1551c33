struct Plan {
    steps: Vec<String>,
}

#[genai_tracing::agent(name = "planner")]
async fn plan(goal: &str) -> Result<Plan, std::io::Error> {
    Ok(Plan { steps: vec![goal.to_owned()] })
}

fn main() {}
