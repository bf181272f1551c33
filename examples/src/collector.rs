//! A small OTLP/HTTP collector on 127.0.0.1: every process of a run exports to it, so one trace
//! spread over several processes can be read back in one place (the multi-agent demo prints it;
//! the tests assert on it). It accepts protobuf and JSON bodies, gzip or not: metrics at paths
//! ending in `/v1/metrics` ([`OtlpReceiver::metrics`]), traces at any other path, turned back into
//! the SDK's `SpanData` ([`OtlpReceiver::spans`]).

use std::io::Read as _;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant, UNIX_EPOCH};

use opentelemetry::trace::{
    Event, SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId, TraceState,
};
use opentelemetry::{Array, InstrumentationScope, KeyValue, StringValue, Value};
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue};
use opentelemetry_proto::tonic::trace::v1::{span, status, Span};
use opentelemetry_sdk::trace::{SpanData, SpanEvents, SpanLinks};

/// One export request as received.
#[derive(Debug, Clone)]
pub struct Export {
    /// The request path.
    pub path: String,
    /// Its `content-type`.
    pub content_type: String,
    /// Its headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The decoded body.
    pub request: ExportTraceServiceRequest,
}

/// The running receiver; stopped on drop.
pub struct OtlpReceiver {
    server: Arc<tiny_http::Server>,
    received: Arc<Mutex<Vec<Export>>>,
    metrics: Arc<Mutex<Vec<ExportMetricsServiceRequest>>>,
    rejected: Arc<Mutex<Vec<String>>>,
    worker: Option<thread::JoinHandle<()>>,
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
}

impl OtlpReceiver {
    /// Binds 127.0.0.1:0 and serves until dropped: a decodable OTLP request is answered 200 and
    /// kept, anything else 400 and listed in [`OtlpReceiver::rejected`].
    pub fn start() -> Self {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind 127.0.0.1"));
        let addr = server.server_addr().to_ip().expect("ip address");
        let received = Arc::new(Mutex::new(Vec::new()));
        let rejected = Arc::new(Mutex::new(Vec::new()));
        let metrics = Arc::new(Mutex::new(Vec::new()));
        let (srv, store, bad) = (server.clone(), received.clone(), rejected.clone());
        let metric_store = metrics.clone();
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
                    let _ = flate2::read::GzDecoder::new(body.as_slice()).read_to_end(&mut plain);
                    body = plain;
                }
                let json = content_type.starts_with("application/json");
                let headers = request
                    .headers()
                    .iter()
                    .map(|h| {
                        (
                            h.field.as_str().as_str().to_ascii_lowercase(),
                            h.value.to_string(),
                        )
                    })
                    .collect();
                let decoded = if request.url().ends_with("/v1/metrics") {
                    decode::<ExportMetricsServiceRequest>(&body, json).map(|m| {
                        metric_store.lock().unwrap().push(m);
                    })
                } else {
                    decode::<ExportTraceServiceRequest>(&body, json).map(|decoded| {
                        store.lock().unwrap().push(Export {
                            path: request.url().to_owned(),
                            content_type: content_type.clone(),
                            headers,
                            request: decoded,
                        });
                    })
                };
                let status = match decoded {
                    Ok(()) => 200,
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
            metrics,
            rejected,
            worker: Some(worker),
            endpoint: format!("http://{addr}"),
        }
    }

    /// What has arrived so far; panics if any request was not valid OTLP (protobuf or JSON).
    pub fn exports(&self) -> Vec<Export> {
        let rejected = self.rejected.lock().unwrap();
        assert!(
            rejected.is_empty(),
            "requests that are not OTLP: {rejected:?}"
        );
        self.received.lock().unwrap().clone()
    }

    /// The metrics export requests received so far.
    pub fn metrics(&self) -> Vec<ExportMetricsServiceRequest> {
        self.metrics.lock().unwrap().clone()
    }

    /// The requests refused so far (path, content type, why).
    pub fn rejected(&self) -> Vec<String> {
        self.rejected.lock().unwrap().clone()
    }

    /// Every span received so far, decoded back into `SpanData`, each with its process's
    /// `service.name` added as an attribute (a `SpanData` has no resource). Refused requests
    /// are left out (see [`OtlpReceiver::rejected`]).
    pub fn spans(&self) -> Vec<SpanData> {
        let received = self.received.lock().unwrap().clone();
        received
            .iter()
            .flat_map(|e| &e.request.resource_spans)
            .flat_map(|rs| {
                let service = rs
                    .resource
                    .iter()
                    .flat_map(|r| &r.attributes)
                    .find(|kv| kv.key == "service.name")
                    .and_then(|kv| kv.value.as_ref())
                    .map(value_of);
                rs.scope_spans.iter().flat_map(move |ss| {
                    let service = service.clone();
                    ss.spans.iter().map(move |span| {
                        let mut data = span_data(span);
                        if let Some(service) = &service {
                            data.attributes
                                .push(KeyValue::new("service.name", service.clone()));
                        }
                        data
                    })
                })
            })
            .collect()
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

/// An OTLP body in protobuf or (`json`) JSON.
fn decode<M: prost::Message + Default + serde::de::DeserializeOwned>(
    body: &[u8],
    json: bool,
) -> Result<M, String> {
    if json {
        serde_json::from_slice(body).map_err(|e| e.to_string())
    } else {
        M::decode(body).map_err(|e| e.to_string())
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

/// Bit 8 of an OTLP span's `flags`: whether the parent's remote flag is known; bit 9: its value.
const PARENT_IS_REMOTE_KNOWN: u32 = 0x100;
const PARENT_IS_REMOTE: u32 = 0x200;

/// One OTLP span as the SDK's `SpanData`. Ids of the wrong length become invalid ids.
fn span_data(span: &Span) -> SpanData {
    let trace_id = <[u8; 16]>::try_from(span.trace_id.as_slice())
        .map_or(TraceId::INVALID, TraceId::from_bytes);
    let id = |bytes: &[u8]| <[u8; 8]>::try_from(bytes).map_or(SpanId::INVALID, SpanId::from_bytes);
    let time = |nanos: u64| UNIX_EPOCH + Duration::from_nanos(nanos);
    let status = match span.status.as_ref() {
        Some(s) if s.code == status::StatusCode::Error as i32 => Status::error(s.message.clone()),
        Some(s) if s.code == status::StatusCode::Ok as i32 => Status::Ok,
        _ => Status::Unset,
    };
    let span_kind = match span::SpanKind::try_from(span.kind) {
        Ok(span::SpanKind::Server) => SpanKind::Server,
        Ok(span::SpanKind::Client) => SpanKind::Client,
        Ok(span::SpanKind::Producer) => SpanKind::Producer,
        Ok(span::SpanKind::Consumer) => SpanKind::Consumer,
        _ => SpanKind::Internal,
    };
    let events: Vec<Event> = span
        .events
        .iter()
        .map(|e| {
            Event::new(
                e.name.clone(),
                time(e.time_unix_nano),
                e.attributes.iter().map(key_value).collect(),
                e.dropped_attributes_count,
            )
        })
        .collect();
    let mut span_events = SpanEvents::default();
    span_events.events = events;
    span_events.dropped_count = span.dropped_events_count;
    SpanData {
        span_context: SpanContext::new(
            trace_id,
            id(&span.span_id),
            TraceFlags::SAMPLED,
            false,
            TraceState::NONE,
        ),
        parent_span_id: id(&span.parent_span_id),
        parent_span_is_remote: span.flags & (PARENT_IS_REMOTE_KNOWN | PARENT_IS_REMOTE)
            == PARENT_IS_REMOTE_KNOWN | PARENT_IS_REMOTE,
        span_kind,
        name: span.name.clone().into(),
        start_time: time(span.start_time_unix_nano),
        end_time: time(span.end_time_unix_nano),
        attributes: span.attributes.iter().map(key_value).collect(),
        dropped_attributes_count: span.dropped_attributes_count,
        events: span_events,
        links: SpanLinks::default(),
        status,
        instrumentation_scope: InstrumentationScope::builder("otlp").build(),
    }
}

fn key_value(kv: &opentelemetry_proto::tonic::common::v1::KeyValue) -> KeyValue {
    let value = kv.value.as_ref().map_or(Value::from(""), value_of);
    KeyValue::new(kv.key.clone(), value)
}

/// An OTLP value as an OpenTelemetry one: arrays of one type stay arrays, anything else
/// (maps, bytes, mixed arrays) becomes its debug text.
fn value_of(value: &AnyValue) -> Value {
    match &value.value {
        Some(any_value::Value::StringValue(s)) => Value::from(s.clone()),
        Some(any_value::Value::BoolValue(b)) => Value::Bool(*b),
        Some(any_value::Value::IntValue(i)) => Value::I64(*i),
        Some(any_value::Value::DoubleValue(f)) => Value::F64(*f),
        Some(any_value::Value::ArrayValue(array)) => {
            let strings: Option<Vec<StringValue>> = array
                .values
                .iter()
                .map(|v| match &v.value {
                    Some(any_value::Value::StringValue(s)) => Some(StringValue::from(s.clone())),
                    _ => None,
                })
                .collect();
            match strings {
                Some(strings) => Value::Array(Array::String(strings)),
                None => Value::from(format!("{array:?}")),
            }
        }
        Some(other) => Value::from(format!("{other:?}")),
        None => Value::from(""),
    }
}
