//! Attribute names, in one place.
//!
//! Names come from the OpenTelemetry GenAI semantic conventions (v1.41, the set Phoenix, Langfuse and
//! MLflow read today), from OpenInference (what Phoenix classifies spans by) and from
//! `tracing-opentelemetry` (its special `otel.*` fields). Every span this crate creates declares the
//! names it may fill as fields up front, because `tracing` ignores a `record` of an undeclared field.
//!
//! Names that differ between semconv v1.41 (the default) and the latest experimental GenAI names
//! are chosen through [`version`]'s table.
//!
//! ```
//! assert_eq!(genai_tracing::semconv::GEN_AI_USAGE_INPUT_TOKENS, "gen_ai.usage.input_tokens");
//! ```

mod names;
mod span_name;
pub mod version;

pub use names::*;
pub use span_name::SpanName;
