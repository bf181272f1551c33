//! An app set up the ways users set tracing up, one per argument, for `tests/app_setup.rs`:
//! each runs one agent call and logs a line at each level.
//!
//! - `init`: `let _guard = genai_tracing::init()?;`
//! - `init-dropped`: `let _ = genai_tracing::init()?;` (the guard dropped at once)
//! - `layer`: `Builder::layer()` under the app's registry, logs filtered on their own layer at
//!   `warn`
//! - `global-filter DIRECTIVES`: `Builder::layer()` under a registry-wide `EnvFilter`

use tracing_subscriber::prelude::*;
use tracing_subscriber::{fmt, EnvFilter};

#[genai_tracing::tool]
fn lookup(city: &str) -> String {
    tracing::info!("app info: looking {city} up");
    format!("sunny in {city}")
}

#[genai_tracing::agent(name = "weather")]
fn forecast(city: &str) -> String {
    tracing::warn!("app warn: forecasting");
    tracing::debug!("app debug: details");
    lookup(city)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("init") => {
            let _guard = genai_tracing::init()?;
            forecast("Oslo");
        }
        Some("init-dropped") => {
            let _ = genai_tracing::init()?;
            forecast("Oslo");
            forecast("Bergen");
        }
        Some("layer") => {
            let (traces, _guard) = genai_tracing::Builder::from_env()?.layer()?;
            tracing_subscriber::registry()
                .with(
                    fmt::layer()
                        .with_writer(std::io::stderr)
                        .with_filter(EnvFilter::new("warn")),
                )
                .with(traces)
                .init();
            forecast("Oslo");
        }
        Some("global-filter") => {
            let directives = args.get(1).ok_or("global-filter needs the directives")?;
            let (traces, _guard) = genai_tracing::Builder::from_env()?.layer()?;
            tracing_subscriber::registry()
                .with(EnvFilter::new(directives))
                .with(fmt::layer().with_writer(std::io::stderr))
                .with(traces)
                .init();
            forecast("Oslo");
            forecast("Bergen");
        }
        other => return Err(format!("unknown setup {other:?}").into()),
    }
    Ok(())
}
