//! A user's agent, instrumented and set up as the README says: `genai_tracing::init()` from the
//! environment, nothing else. Exits non-zero when a span was lost (an HTTPS export that failed,
//! for one).

use genai_tracing::{agent, llm_call, tool};
use serde_json::{json, Value};

#[derive(Debug)]
struct Error(String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A model that answers with a fixed completion in OpenAI's shape.
#[llm_call(provider = "openai")]
fn plan(request: &Value) -> Result<Value, Error> {
    let question = request["messages"][0]["content"]
        .as_str()
        .unwrap_or_default();
    Ok(json!({
        "model": "gpt-4o-mini-2024-07-18",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": format!("compute: {question}")}}],
        "usage": {"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17}
    }))
}

/// Multiplies two whole numbers written `a*b`.
#[tool]
fn calculator(expr: &str) -> Result<i64, Error> {
    let (a, b) = expr
        .split_once('*')
        .ok_or_else(|| Error(format!("not a product: {expr}")))?;
    let number = |s: &str| s.trim().parse::<i64>().map_err(|e| Error(e.to_string()));
    Ok(number(a)? * number(b)?)
}

#[agent(name = "researcher")]
fn run(question: &str) -> Result<String, Error> {
    let request =
        json!({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": question}]});
    plan(&request)?;
    Ok(format!("{question} = {}", calculator(question)?))
}

fn main() -> std::process::ExitCode {
    let guard = match genai_tracing::init() {
        Ok(guard) => guard,
        Err(err) => {
            eprintln!("cannot set tracing up: {err}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match run("17*23") {
        Ok(answer) => println!("{answer}"),
        Err(err) => println!("failed: {err}"),
    }
    let stats = guard.shutdown();
    println!("exported {} spans, lost {}", stats.exported, stats.lost());
    if stats.lost() > 0 {
        eprintln!("lost spans: {stats:?}");
        return std::process::ExitCode::FAILURE;
    }
    std::process::ExitCode::SUCCESS
}
