//! Test support: run code under a real OpenTelemetry pipeline and read the exported spans back.
//!
//! Spans go through `tracing-opentelemetry`'s plain layer into the SDK's `InMemorySpanExporter`,
//! so tests assert what an OTLP backend would receive, not internal state.

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};

use opentelemetry::trace::{SpanKind, Status, TracerProvider as _};
use opentelemetry::Value;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use tracing_subscriber::layer::SubscriberExt as _;

/// The spans exported while a closure ran, in end order.
pub struct Spans(pub Vec<SpanData>);

/// Runs `f` under a fresh pipeline (on this thread) and returns its result and the spans.
pub fn record<R>(f: impl FnOnce() -> R) -> (R, Spans) {
    let (result, spans) = record_unwind(f);
    match result {
        Ok(r) => (r, spans),
        Err(p) => std::panic::resume_unwind(p),
    }
}

/// Like [`record`], but returns the panic instead of propagating it.
pub fn record_unwind<R>(f: impl FnOnce() -> R) -> (std::thread::Result<R>, Spans) {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")));
    let result =
        tracing::subscriber::with_default(subscriber, || catch_unwind(AssertUnwindSafe(f)));
    provider.force_flush().expect("flush");
    let spans = exporter.get_finished_spans().expect("finished spans");
    (result, Spans(spans))
}

/// Runs an async block on a current-thread Tokio runtime under [`record`].
pub fn record_async<F: Future>(f: impl FnOnce() -> F) -> (F::Output, Spans) {
    record(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(f())
    })
}

impl Spans {
    /// The only span with this name; panics listing the names otherwise.
    pub fn one(&self, name: &str) -> &SpanData {
        let found = self.all(name);
        assert_eq!(
            found.len(),
            1,
            "spans named {name:?} among {:?}",
            self.names()
        );
        found[0]
    }

    /// Every span with this name, in end order.
    pub fn all(&self, name: &str) -> Vec<&SpanData> {
        self.0.iter().filter(|s| s.name == name).collect()
    }

    /// The only span with this name and kind; panics listing the names otherwise.
    pub fn one_of_kind(&self, name: &str, kind: SpanKind) -> &SpanData {
        let found: Vec<&SpanData> = self
            .all(name)
            .into_iter()
            .filter(|s| s.span_kind == kind)
            .collect();
        assert_eq!(found.len(), 1, "{name} {kind:?} among {:?}", self.names());
        found[0]
    }

    /// All span names.
    pub fn names(&self) -> Vec<&str> {
        self.0.iter().map(|s| s.name.as_ref()).collect()
    }

    /// The parent of `span`, if it was exported.
    pub fn parent_of(&self, span: &SpanData) -> Option<&SpanData> {
        self.0
            .iter()
            .find(|p| p.span_context.span_id() == span.parent_span_id)
    }

    /// The names from `span` up to its root, as far as the parents were exported.
    pub fn chain<'a>(&'a self, span: &'a SpanData) -> Vec<&'a str> {
        std::iter::successors(Some(span), |s| self.parent_of(s))
            .map(|s| s.name.as_ref())
            .collect()
    }
}

/// Runs of the examples' binaries as child processes.
pub mod process {
    use std::process::{Command, Output};

    use opentelemetry_sdk::trace::SpanData;

    use super::otlp_receiver::OtlpReceiver;
    use super::Spans;

    /// A command for `exe` with no `OTEL_*` variable of this process inherited.
    pub fn command_without_otel(exe: &str) -> Command {
        let mut command = Command::new(exe);
        for (var, _) in std::env::vars() {
            if var.starts_with("OTEL_") {
                command.env_remove(var);
            }
        }
        command
    }

    /// The standard output of a run that must have succeeded (else panics with both outputs).
    pub fn stdout_of(output: &Output) -> String {
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "{}: {stdout}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        stdout
    }

    /// What `receiver` got, which must all have been valid OTLP.
    pub fn received(receiver: &OtlpReceiver) -> Spans {
        let rejected = receiver.rejected();
        assert!(
            rejected.is_empty(),
            "requests that are not OTLP: {rejected:?}"
        );
        let spans: Vec<SpanData> = receiver.spans();
        Spans(spans)
    }
}

/// Reading attributes off an exported span.
pub trait SpanDataExt {
    /// The attribute's value.
    fn attr(&self, key: &str) -> Option<&Value>;
    /// A string attribute (panics if present with another type).
    fn str_attr(&self, key: &str) -> Option<&str>;
    /// An int attribute (panics if present with another type).
    fn int_attr(&self, key: &str) -> Option<i64>;
    /// A double attribute (panics if present with another type).
    fn f64_attr(&self, key: &str) -> Option<f64>;
    /// A string array attribute (panics if present with another type).
    fn strings_attr(&self, key: &str) -> Option<Vec<String>>;
    /// A string attribute parsed as JSON.
    fn json_attr(&self, key: &str) -> Option<serde_json::Value>;
    /// The status description when the status is an error.
    fn error_description(&self) -> Option<&str>;
    /// Whether the status is an error.
    fn is_error(&self) -> bool;
    /// The OpenTelemetry kind.
    fn kind(&self) -> &SpanKind;
}

impl SpanDataExt for SpanData {
    fn attr(&self, key: &str) -> Option<&Value> {
        self.attributes
            .iter()
            .find(|kv| kv.key.as_str() == key)
            .map(|kv| &kv.value)
    }
    fn str_attr(&self, key: &str) -> Option<&str> {
        self.attr(key).map(|v| match v {
            Value::String(s) => s.as_str(),
            other => panic!("{key} is not a string: {other:?}"),
        })
    }
    fn int_attr(&self, key: &str) -> Option<i64> {
        self.attr(key).map(|v| match v {
            Value::I64(n) => *n,
            other => panic!("{key} is not an int: {other:?}"),
        })
    }
    fn f64_attr(&self, key: &str) -> Option<f64> {
        self.attr(key).map(|v| match v {
            Value::F64(n) => *n,
            other => panic!("{key} is not a double: {other:?}"),
        })
    }
    fn strings_attr(&self, key: &str) -> Option<Vec<String>> {
        self.attr(key).map(|v| match v {
            Value::Array(opentelemetry::Array::String(items)) => {
                items.iter().map(|s| s.as_str().to_owned()).collect()
            }
            other => panic!("{key} is not a string array: {other:?}"),
        })
    }
    fn json_attr(&self, key: &str) -> Option<serde_json::Value> {
        self.str_attr(key).map(|s| {
            serde_json::from_str(s).unwrap_or_else(|e| panic!("{key} is not JSON ({e}): {s}"))
        })
    }
    fn error_description(&self) -> Option<&str> {
        match &self.status {
            Status::Error { description } => Some(description.as_ref()),
            _ => None,
        }
    }
    fn is_error(&self) -> bool {
        matches!(self.status, Status::Error { .. })
    }
    fn kind(&self) -> &SpanKind {
        &self.span_kind
    }
}

#[path = "openai_server.rs"]
pub mod openai_server;

#[path = "tls_front.rs"]
pub mod tls_front;

/// The OTLP/HTTP receiver the tests export to (the examples' collector).
pub use genai_tracing_examples::collector as otlp_receiver;

/// Every string in `v` (keys and values), and those of any JSON inside them, a few levels deep:
/// the places a secret could hide in exported content.
pub fn json_strings(v: &serde_json::Value, out: &mut Vec<String>) {
    json_strings_within(v, out, 0)
}

/// `s`, and the strings of the JSON it holds, if any (see [`json_strings`]).
pub fn text_strings(s: &str, out: &mut Vec<String>) {
    text_strings_within(s, out, 0)
}

const JSON_DEPTH: usize = 8;

fn text_strings_within(s: &str, out: &mut Vec<String>, depth: usize) {
    out.push(s.to_owned());
    if depth < JSON_DEPTH {
        if let Ok(inner) = serde_json::from_str::<serde_json::Value>(s) {
            if !inner.is_string() || inner.as_str() != Some(s) {
                json_strings_within(&inner, out, depth + 1);
            }
        }
    }
}

fn json_strings_within(v: &serde_json::Value, out: &mut Vec<String>, depth: usize) {
    match v {
        serde_json::Value::String(s) => text_strings_within(s, out, depth),
        serde_json::Value::Array(items) => items
            .iter()
            .for_each(|i| json_strings_within(i, out, depth)),
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                out.push(k.clone());
                json_strings_within(v, out, depth);
            }
        }
        _ => {}
    }
}
