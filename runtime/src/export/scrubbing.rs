//! The last pass before a batch leaves the process: secrets out of what content capture did not
//! see — the values of `fields(..)`, the app's and its dependencies' span attributes, events and
//! status messages, span names.
//!
//! Runs on each exporter's own thread, never on the agent's. This crate's own attributes are
//! skipped: captured content was scrubbed when it was captured, and the rest are names, counts and
//! ids it wrote itself.

use std::borrow::Cow;

use opentelemetry::trace::Status;
use opentelemetry::{KeyValue, StringValue, Value};
use opentelemetry_sdk::trace::SpanData;

use crate::capture::{is_sensitive_key, scrub, REDACTED};
use crate::semconv::is_span_attribute;

/// Scrubs every span of `batch` in place.
pub(crate) fn scrub_batch(batch: &mut [SpanData]) {
    for span in batch {
        scrub_span(span);
    }
}

fn scrub_span(span: &mut SpanData) {
    // Names are built from user text too (`chat {model}`, `retrieval {data source}`).
    scrub_cow(&mut span.name);
    if let Status::Error { description } = &mut span.status {
        scrub_cow(description);
    }
    for kv in &mut span.attributes {
        if !is_span_attribute(kv.key.as_str()) {
            scrub_attribute(kv);
        }
    }
    for event in &mut span.events.events {
        scrub_cow(&mut event.name);
        for kv in &mut event.attributes {
            scrub_attribute(kv);
        }
    }
}

/// A string value under a sensitive key is redacted whole; any other string is scrubbed.
fn scrub_attribute(kv: &mut KeyValue) {
    let Value::String(value) = &kv.value else {
        return;
    };
    let clean = match is_sensitive_key(kv.key.as_str()) {
        true if value.as_str() != REDACTED => Some(REDACTED.to_owned()),
        true => None,
        false => match scrub(value.as_str()) {
            Cow::Owned(clean) => Some(clean),
            Cow::Borrowed(_) => None,
        },
    };
    if let Some(clean) = clean {
        kv.value = Value::String(StringValue::from(clean));
    }
}

fn scrub_cow(text: &mut Cow<'static, str>) {
    if let Cow::Owned(clean) = scrub(text) {
        *text = Cow::Owned(clean);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_attributes_are_scrubbed_and_crate_attributes_left_alone() {
        let mut kv = KeyValue::new("app.db_password", "hunter2");
        scrub_attribute(&mut kv);
        assert_eq!(kv.value.as_str(), REDACTED);
        let mut kv = KeyValue::new(
            "app.note",
            "use token=ghp_16C7e42F292c6912E7710c838347Ae178B4a",
        );
        scrub_attribute(&mut kv);
        assert_eq!(kv.value.as_str(), "use token=[REDACTED]");
        let mut kv = KeyValue::new("app.count", 3);
        scrub_attribute(&mut kv);
        assert_eq!(kv.value, Value::I64(3));
    }
}
