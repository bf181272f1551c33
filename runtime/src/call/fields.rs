//! How values are written on a call's span: captured content as bounded, scrubbed JSON (or text
//! with its MIME type), and lists as OpenTelemetry string arrays (which `tracing` fields cannot
//! carry).

use opentelemetry::{Array, StringValue, Value as OtelValue};
use tracing::Span;

use crate::capture::{bounded_json, capture_limits, Capture, Captured};

/// Records captured content in `field` as bounded, scrubbed JSON.
pub(super) fn record_json<T: Capture + ?Sized>(span: &Span, field: &str, value: &T) {
    let json = bounded_json(capture_limits(), |budget| value.capture_within(budget));
    span.record(field, json.as_str());
}

/// Records a captured value in `field`, and its MIME type in `mime_field` when there is one.
pub(super) fn record_captured(
    span: &Span,
    field: &str,
    mime_field: Option<&str>,
    captured: Captured,
) {
    let (value, mime) = match &captured {
        Captured::Text(text) => (text, "text/plain"),
        Captured::Json(json) => (json, "application/json"),
    };
    span.record(field, value.as_str());
    if let Some(mime_field) = mime_field {
        span.record(mime_field, mime);
    }
}

/// A list of strings as an attribute value (set with `set_attribute`).
pub(super) fn string_array(items: Vec<String>) -> OtelValue {
    OtelValue::Array(Array::String(
        items.into_iter().map(StringValue::from).collect(),
    ))
}
