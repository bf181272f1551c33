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
        let found: Vec<&SpanData> = self.0.iter().filter(|s| s.name == name).collect();
        assert_eq!(
            found.len(),
            1,
            "spans named {name:?} among {:?}",
            self.names()
        );
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

/// An OTLP/HTTP receiver (protobuf or JSON bodies, gzip or not) on an ephemeral 127.0.0.1 port
/// that keeps what it receives.
pub mod otlp_receiver {
    use std::io::Read as _;
    use std::sync::{Arc, Mutex};
    use std::thread;
    use std::time::{Duration, Instant};

    use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
    use prost::Message as _;

    /// One export request as received.
    #[derive(Debug, Clone)]
    pub struct Export {
        /// The request path.
        pub path: String,
        /// Its `content-type`.
        pub content_type: String,
        /// The decoded body.
        pub request: ExportTraceServiceRequest,
    }

    /// The running receiver; stopped on drop.
    pub struct OtlpReceiver {
        server: Arc<tiny_http::Server>,
        received: Arc<Mutex<Vec<Export>>>,
        rejected: Arc<Mutex<Vec<String>>>,
        worker: Option<thread::JoinHandle<()>>,
        /// `http://127.0.0.1:PORT`.
        pub endpoint: String,
    }

    impl OtlpReceiver {
        /// Binds 127.0.0.1:0 and serves until dropped; every request is answered 200.
        pub fn start() -> Self {
            let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind 127.0.0.1"));
            let addr = server.server_addr().to_ip().expect("ip address");
            let received = Arc::new(Mutex::new(Vec::new()));
            let rejected = Arc::new(Mutex::new(Vec::new()));
            let (srv, store, bad) = (server.clone(), received.clone(), rejected.clone());
            let worker = thread::spawn(move || {
                for mut request in srv.incoming_requests() {
                    let mut body = Vec::new();
                    let _ = request.as_reader().read_to_end(&mut body);
                    let header = |name: &'static str| {
                        request
                            .headers()
                            .iter()
                            .find(|h| h.field.equiv(name))
                            .map(|h| h.value.to_string())
                            .unwrap_or_default()
                    };
                    let content_type = header("content-type");
                    // OTLP receivers must accept gzip; collectors send it by default.
                    if header("content-encoding") == "gzip" {
                        let mut plain = Vec::new();
                        let _ =
                            flate2::read::GzDecoder::new(body.as_slice()).read_to_end(&mut plain);
                        body = plain;
                    }
                    let decoded = if content_type.starts_with("application/json") {
                        serde_json::from_slice::<ExportTraceServiceRequest>(&body)
                            .map_err(|e| e.to_string())
                    } else {
                        ExportTraceServiceRequest::decode(body.as_slice())
                            .map_err(|e| e.to_string())
                    };
                    let status = match decoded {
                        Ok(decoded) => {
                            store.lock().unwrap().push(Export {
                                path: request.url().to_owned(),
                                content_type,
                                request: decoded,
                            });
                            200
                        }
                        Err(err) => {
                            bad.lock()
                                .unwrap()
                                .push(format!("{} {content_type}: {err}", request.url()));
                            400
                        }
                    };
                    let _ = request.respond(tiny_http::Response::empty(status));
                }
            });
            Self {
                server,
                received,
                rejected,
                worker: Some(worker),
                endpoint: format!("http://{addr}"),
            }
        }

        /// What has arrived so far; panics if any request was not valid OTLP protobuf.
        pub fn exports(&self) -> Vec<Export> {
            let rejected = self.rejected.lock().unwrap();
            assert!(
                rejected.is_empty(),
                "requests that are not OTLP protobuf: {rejected:?}"
            );
            self.received.lock().unwrap().clone()
        }

        /// Waits until at least `spans` spans arrived, or `timeout` passed.
        pub fn wait_for_spans(&self, spans: usize, timeout: Duration) -> Vec<Export> {
            let start = Instant::now();
            loop {
                let exports = self.exports();
                let count: usize = exports
                    .iter()
                    .flat_map(|e| &e.request.resource_spans)
                    .flat_map(|rs| &rs.scope_spans)
                    .map(|ss| ss.spans.len())
                    .sum();
                if count >= spans || start.elapsed() > timeout {
                    return exports;
                }
                thread::sleep(Duration::from_millis(50));
            }
        }
    }

    impl Drop for OtlpReceiver {
        fn drop(&mut self) {
            self.server.unblock();
            if let Some(w) = self.worker.take() {
                let _ = w.join();
            }
        }
    }
}
