//! A user's agent, instrumented and set up as the README says: `genai_tracing::init()` from the
//! environment, or with the argument `layer`, `Builder::layer()` under the app's own subscriber
//! with its logs filtered at `warn`. Exits non-zero when a span was lost (an HTTPS export that
//! failed, for one). One tool call carries a credential, which must arrive scrubbed.

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

/// Reads a setting from configuration text, which carries a credential as such text often does:
/// neither the captured argument nor the `fields(..)` value may export it.
#[tool(capture = true, fields(app.config = %config))]
fn setting(config: &str) -> usize {
    config.len()
}

#[agent(name = "researcher")]
fn run(question: &str) -> Result<String, Error> {
    let request =
        json!({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": question}]});
    plan(&request)?;
    setting("DATABASE_URL=postgres://app:Tr0ub4dor-3x@db.internal/prod");
    Ok(format!("{question} = {}", calculator(question)?))
}

/// The pipeline as `init()` installs it, or under the app's own subscriber.
fn set_up(own_subscriber: bool) -> Result<genai_tracing::TracingGuard, genai_tracing::InitError> {
    if !own_subscriber {
        return genai_tracing::init();
    }
    use tracing_subscriber::{fmt, prelude::*, EnvFilter};
    let (traces, guard) = genai_tracing::Builder::from_env()?.layer()?;
    tracing_subscriber::registry()
        .with(fmt::layer().with_filter(EnvFilter::new("warn")))
        .with(traces)
        .init();
    Ok(guard)
}

fn main() -> std::process::ExitCode {
    let own_subscriber = std::env::args().nth(1).as_deref() == Some("layer");
    let guard = match set_up(own_subscriber) {
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
