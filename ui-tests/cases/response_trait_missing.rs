struct Reply {
    text: String,
}

#[genai_tracing::llm_call(provider = "openai", model = "gpt-4o")]
fn ask(question: &str) -> Result<Reply, std::io::Error> {
    Ok(Reply { text: question.to_owned() })
}

fn main() {}
