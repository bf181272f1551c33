//! How a failure is described: its `error.type` and its status description, a panic's message,
//! and the `exception` event of a failure that does not end its span.
//!
//! A returned `Err(e)` is described by [`ErrorType`] when `e`'s type implements it, else by the
//! type's name; the status description is `e`'s `Display` (else `Debug`) text. The choice is made
//! at the call site of the macro, on the concrete error type (the autoref probe in
//! `__private/error.rs`), so the user only implements [`ErrorType`] when they want a
//! low-cardinality kind of their own.

use std::borrow::Cow;

/// A failure described for a span: `(error.type, status description)`.
pub type Described = (Cow<'static, str>, Option<String>);

/// A low-cardinality class for `error.type`, chosen by the error itself.
///
/// Without it, `error.type` is the error's type name (for example `std::io::error::Error`).
///
/// ```
/// #[derive(Debug)]
/// enum FetchError { Timeout, RateLimited }
/// impl genai_tracing::ErrorType for FetchError {
///     fn error_type(&self) -> &str {
///         match self { FetchError::Timeout => "timeout", FetchError::RateLimited => "rate_limited" }
///     }
/// }
/// ```
pub trait ErrorType {
    /// The value of `error.type` for this error, e.g. `timeout`.
    fn error_type(&self) -> &str;
}

/// The message of a panic payload (`&str` or `String`), if it has one.
pub(crate) use crate::capture::panic_message;

/// Adds an OpenTelemetry `exception` event to `span`: `exception.type`, the message (scrubbed and
/// bounded) and any `extra` attributes. For failures that do not end the span: a retried attempt,
/// a hosted tool whose host decides the status.
pub(crate) fn exception_event(
    span: &tracing::Span,
    error_type: &str,
    message: Option<&str>,
    extra: Option<opentelemetry::KeyValue>,
) {
    use opentelemetry::KeyValue;
    use tracing_opentelemetry::OpenTelemetrySpanExt as _;

    use crate::capture::{capture_limits, safe_text};
    use crate::semconv as sc;

    let mut attributes = vec![KeyValue::new(sc::EXCEPTION_TYPE, error_type.to_owned())];
    attributes.extend(extra);
    if let Some(message) = message {
        attributes.push(KeyValue::new(
            sc::EXCEPTION_MESSAGE,
            safe_text(message, capture_limits().max_bytes),
        ));
    }
    span.add_event(sc::EXCEPTION_EVENT, attributes);
}
