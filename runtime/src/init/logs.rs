//! The app's own logs, as [`Builder::install`](crate::Builder::install) prints them: a `fmt`
//! layer on stderr filtered by `RUST_LOG` (default `info`). Each line names the spans it happened
//! in, but leaves out the attributes of this crate's spans (`gen_ai.*`, `input.value`, the
//! captured messages, arguments and results): those are for the exporters, under the capture
//! policy, and would otherwise be printed again, in full, on every log line inside the span.

use std::io::IsTerminal as _;

use tracing::field::{Field, Visit};
use tracing_subscriber::field::{RecordFields, VisitOutput};
use tracing_subscriber::fmt::format::{DefaultVisitor, Writer};
use tracing_subscriber::fmt::{FormatFields, FormattedFields};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

use super::error::InitError;
use crate::semconv;

/// The `fmt` layer of the app's logs, filtered by `directives` (the value of `RUST_LOG`,
/// validated by `env.rs`), else `info`. The OpenTelemetry SDK's own notes ("global tracer
/// provider is set", …) show from `warn` up, unless the directives name its crates.
pub(super) fn layer<S>(directives: Option<String>) -> Result<impl Layer<S> + Send + Sync, InitError>
where
    S: tracing::Subscriber + for<'span> LookupSpan<'span>,
{
    let directives = directives.unwrap_or_else(|| "info".to_owned());
    let mut filter = super::env::log_filter(&directives)?;
    if !directives.contains("opentelemetry") {
        for quiet in [
            "opentelemetry=warn",
            "opentelemetry_sdk=warn",
            "opentelemetry_otlp=warn",
        ] {
            filter = filter.add_directive(quiet.parse().expect("a valid directive"));
        }
    }
    // Colours only on a terminal, and not under NO_COLOR (https://no-color.org).
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    Ok(tracing_subscriber::fmt::layer()
        .fmt_fields(AppFields)
        .with_writer(std::io::stderr)
        .with_ansi(colour)
        .with_filter(filter))
}

/// `tracing-subscriber`'s own field format, without the attributes of this crate's spans.
struct AppFields;

impl<'writer> FormatFields<'writer> for AppFields {
    fn format_fields<R: RecordFields>(
        &self,
        writer: Writer<'writer>,
        fields: R,
    ) -> std::fmt::Result {
        let mut shown = Shown(DefaultVisitor::new(writer, true));
        fields.record(&mut shown);
        shown.0.finish()
    }

    fn add_fields(
        &self,
        current: &'writer mut FormattedFields<Self>,
        fields: &tracing::span::Record<'_>,
    ) -> std::fmt::Result {
        let empty = current.fields.is_empty();
        let mut shown = Shown(DefaultVisitor::new(current.as_writer(), empty));
        fields.record(&mut shown);
        shown.0.finish()
    }
}

/// Passes on to the default visitor every field but the attributes of this crate's spans.
struct Shown<'a>(DefaultVisitor<'a>);

impl Visit for Shown<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if !semconv::is_span_attribute(field.name()) {
            self.0.record_str(field, value);
        }
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        if !semconv::is_span_attribute(field.name()) {
            self.0.record_error(field, value);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if !semconv::is_span_attribute(field.name()) {
            self.0.record_debug(field, value);
        }
    }
}
