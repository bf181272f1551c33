//! One-line setup: export from the standard environment, a `tracing` subscriber, a flush guard.
//!
//! Optional: under any `tracing_subscriber::registry().with(tracing_opentelemetry::layer()
//! .with_tracer(..))` the macros' spans come out the same. [`init`] is the convenience: it reads
//! `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`),
//! `OTEL_EXPORTER_OTLP_PROTOCOL` (`http/protobuf`, the default, `http/json` or `grpc`),
//! `OTEL_SERVICE_NAME` and the exporter's other standard variables (headers, timeout,
//! compression), a platform preset (`GENAI_TRACING_BACKEND`), the console and file exporters and
//! tail sampling, and exports through the pipeline of [`crate::export`], so the instrumented code
//! never waits.
//!
//! `builder.rs` holds what a [`Builder`] is made of and its settings, `env.rs` reads and validates
//! every variable, `install.rs` assembles and installs the pipeline, `logs.rs` prints the app's
//! own logs, `guard.rs` keeps it running, `error.rs` says why it could not start.

mod builder;
mod env;
mod error;
mod guard;
mod install;
mod logs;

pub use builder::Builder;
pub use error::InitError;
pub use guard::TracingGuard;
#[cfg(feature = "eval")]
pub(crate) use install::subscriber;

/// Installs tracing with [`Builder::from_env`]; keep the guard alive for the program's run.
///
/// ```no_run
/// fn main() -> Result<(), Box<dyn std::error::Error>> {
///     let _guard = genai_tracing::init()?; // flushes on drop
///     Ok(())
/// }
/// ```
pub fn init() -> Result<TracingGuard, InitError> {
    Builder::from_env()?.install()
}
