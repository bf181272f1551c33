//! The export pipeline against local bad backends and real local exporters: a hanging server, one
//! answering 500 and a dead port never hold the instrumented calls up, every span is accounted
//! for (exported, dropped with the queue full, failed, or left at shutdown), export resumes when
//! the backend comes back, and shutdown gives up within its timeout. The file exporter writes one
//! OTLP-JSON trace per line; the console exporter prints the trees; the platform presets send
//! their paths and headers, and the resource (`service.name`) survives the wrapping exporter.

use std::io::Write;
use std::net::TcpListener;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use genai_tracing::export::{Backend, ConsoleExporter, ExportStats};
use genai_tracing::{tool, Builder, TracingGuard};
use genai_tracing_examples::agent::ReactAgent;
use genai_tracing_tests::otlp_receiver::OtlpReceiver;
use genai_tracing_tests::process::{command_without_otel, stdout_of};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;

/// One step of an agent.
#[tool]
fn step(i: u64) -> u64 {
    i + 1
}

fn steps(dispatch: &tracing::Dispatch, range: std::ops::Range<u64>) {
    tracing::dispatcher::with_default(dispatch, || {
        for i in range {
            std::hint::black_box(step(i));
        }
    });
}

/// How the bad backend answers.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Mode {
    /// Holds each request and never answers (until the mode changes).
    Hang,
    /// HTTP 500.
    Fail,
    /// HTTP 200.
    Ok,
}

/// An OTLP/HTTP endpoint on 127.0.0.1 whose behaviour the test switches.
struct BadBackend {
    url: String,
    state: Arc<(Mutex<ServerState>, Condvar)>,
    server: Arc<tiny_http::Server>,
    worker: Option<std::thread::JoinHandle<()>>,
}

struct ServerState {
    mode: Mode,
    received: usize,
    held: Vec<tiny_http::Request>,
}

impl BadBackend {
    fn start(mode: Mode) -> Self {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind"));
        let url = format!("http://{}", server.server_addr().to_ip().expect("ip"));
        let state = Arc::new((
            Mutex::new(ServerState {
                mode,
                received: 0,
                held: Vec::new(),
            }),
            Condvar::new(),
        ));
        let (srv, st) = (server.clone(), state.clone());
        let worker = std::thread::spawn(move || {
            for request in srv.incoming_requests() {
                let (lock, cv) = &*st;
                let mut s = lock.lock().unwrap();
                s.received += 1;
                match s.mode {
                    Mode::Hang => s.held.push(request),
                    Mode::Fail => {
                        let _ = request.respond(tiny_http::Response::empty(500));
                    }
                    Mode::Ok => {
                        let _ = request.respond(tiny_http::Response::empty(200));
                    }
                }
                cv.notify_all();
            }
        });
        Self {
            url,
            state,
            server,
            worker: Some(worker),
        }
    }

    fn set(&self, mode: Mode) {
        let mut s = self.state.0.lock().unwrap();
        s.mode = mode;
        if mode != Mode::Hang {
            let status = if mode == Mode::Ok { 200 } else { 500 };
            for request in s.held.drain(..) {
                let _ = request.respond(tiny_http::Response::empty(status));
            }
        }
    }

    fn wait_for_requests(&self, n: usize) {
        let (lock, cv) = &*self.state;
        let s = lock.lock().unwrap();
        let (s, _) = cv
            .wait_timeout_while(s, Duration::from_secs(20), |s| s.received < n)
            .unwrap();
        assert!(s.received >= n, "the exporter never called");
    }

    fn unanswered(&self) -> usize {
        self.state.0.lock().unwrap().held.len()
    }
}

impl Drop for BadBackend {
    fn drop(&mut self) {
        self.set(Mode::Ok);
        self.server.unblock();
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}

/// A pipeline exporting over OTLP/HTTP to `url`, with a small queue and a short shutdown (and
/// flush) timeout.
fn pipeline(url: &str, queue: usize, batch: usize) -> (tracing::Dispatch, TracingGuard) {
    pipeline_waiting(url, queue, batch, Duration::from_millis(300))
}

fn pipeline_waiting(
    url: &str,
    queue: usize,
    batch: usize,
    timeout: Duration,
) -> (tracing::Dispatch, TracingGuard) {
    Builder::from_env()
        .unwrap()
        .endpoint(url)
        .export_queue(queue, batch, Duration::from_millis(20))
        .shutdown_timeout(timeout)
        .build()
        .expect("pipeline")
}

fn accounted(stats: &ExportStats) -> u64 {
    stats.exported + stats.lost()
}

#[test]
fn a_hanging_backend_does_not_hold_calls_up_drops_are_counted_and_export_resumes() {
    let backend = BadBackend::start(Mode::Hang);
    // The flush after the backend comes back sends 11 batches or more: on a busy machine that
    // can take longer than the other tests' 300 ms bound.
    let (dispatch, guard) = pipeline_waiting(&backend.url, 1000, 100, Duration::from_secs(10));

    steps(&dispatch, 0..100);
    // The worker is now stuck in an export the backend will not answer.
    backend.wait_for_requests(1);
    steps(&dispatch, 100..5100);
    assert!(
        backend.unanswered() >= 1,
        "5000 calls returned while the backend still held the export"
    );
    let stats = guard.stats();
    assert!(
        stats.dropped_queue_full >= 4000,
        "a queue of 1000 cannot take 5000 more: {stats:?}"
    );
    assert_eq!(stats.exported, 0);

    // The backend comes back: what was queued goes out, and so does what follows (sent once the
    // backlog is out: sent at once, it could still find the queue full on a busy machine).
    backend.set(Mode::Ok);
    guard.flush().expect("flush");
    steps(&dispatch, 5100..5150);
    guard.flush().expect("flush");
    let stats = guard.stats();
    assert!(stats.exported >= 1050, "{stats:?}");
    assert_eq!(
        accounted(&stats),
        5150,
        "every span exported or counted lost: {stats:?}"
    );
    assert_eq!(stats.failed, 0);
}

#[test]
fn a_backend_answering_500_fails_counted_batches_and_export_resumes_when_it_recovers() {
    let backend = BadBackend::start(Mode::Fail);
    let (dispatch, guard) = pipeline(&backend.url, 2048, 100);
    steps(&dispatch, 0..300);
    guard.flush().expect("flush");
    let stats = guard.stats();
    assert_eq!(stats.failed, 300, "{stats:?}");
    assert_eq!(stats.exported, 0);
    let error = stats.last_error.expect("the error is kept");
    assert!(error.starts_with("OTLP: "), "{error}");
    assert!(error.contains("500"), "{error}");

    backend.set(Mode::Ok);
    steps(&dispatch, 300..350);
    guard.flush().expect("flush");
    let stats = guard.stats();
    assert_eq!((stats.exported, stats.failed), (50, 300), "{stats:?}");
}

#[test]
fn a_dead_port_loses_counted_spans_and_nothing_else() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    // The exporter retries a refused connection with backoff: let the flush wait for that.
    let (dispatch, guard) = pipeline_waiting(
        &format!("http://127.0.0.1:{port}"),
        2048,
        100,
        Duration::from_secs(20),
    );
    steps(&dispatch, 0..250);
    guard.flush().expect("flush");
    let stats = guard.stats();
    assert_eq!((stats.failed, stats.exported), (250, 0), "{stats:?}");
    assert!(stats.last_error.is_some());
}

#[test]
fn shutdown_gives_up_on_a_hanging_backend_within_its_timeout_and_counts_what_is_left() {
    let backend = BadBackend::start(Mode::Hang);
    let (dispatch, guard) = pipeline(&backend.url, 1000, 100);
    steps(&dispatch, 0..100);
    backend.wait_for_requests(1);
    steps(&dispatch, 100..400);
    let counters = guard.stats();
    assert_eq!(counters.exported, 0);
    let started = Instant::now();
    let stats = guard.shutdown();
    // The timeout is 300 ms; far more than that means shutdown waited for the backend.
    assert!(started.elapsed() < Duration::from_secs(5), "shutdown hung");
    assert_eq!(stats.dropped_at_shutdown, 400, "{stats:?}");
}

#[test]
fn one_timeout_bounds_the_whole_shutdown_however_many_exporters_hang() {
    let backend = BadBackend::start(Mode::Hang);
    let timeout = Duration::from_secs(1);
    // Two exporters to the same hanging backend: the generic endpoint and a preset.
    let (dispatch, guard) = Builder::from_env()
        .unwrap()
        .endpoint(&backend.url)
        .backend(Backend::Mlflow {
            tracking_uri: backend.url.clone(),
            experiment_id: "0".into(),
        })
        .export_queue(1000, 100, Duration::from_millis(20))
        .shutdown_timeout(timeout)
        .build()
        .unwrap();
    steps(&dispatch, 0..100);
    backend.wait_for_requests(2);
    steps(&dispatch, 100..150);
    let started = Instant::now();
    let stats = guard.shutdown();
    // Each exporter given the full timeout in turn would take twice as long.
    assert!(
        started.elapsed() < 2 * timeout,
        "{:?} for a {timeout:?} shutdown",
        started.elapsed()
    );
    assert_eq!(
        stats.dropped_at_shutdown, 300,
        "150 spans for each: {stats:?}"
    );
}

#[test]
fn a_dead_backend_costs_the_demo_nothing_and_its_losses_are_reported_on_stderr() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let output = command_without_otel(env!("CARGO_BIN_EXE_react_agent"))
        .env(
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            format!("http://127.0.0.1:{port}"),
        )
        .env("OTEL_METRICS_EXPORTER", "none")
        .args(["--question", "What is 17 * 23?"])
        .output()
        .expect("run the demo");
    let stdout = stdout_of(&output);
    assert!(stdout.contains("A: 17 * 23 = 391."), "{stdout}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("genai-tracing: OTLP export failed, 4 spans lost"),
        "{stderr}"
    );
    assert!(
        stderr.contains("genai-tracing: 4 spans lost (0 queue full, 4 failed exports"),
        "{stderr}"
    );
}

/// A writer the test can read back.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn the_file_exporter_writes_one_otlp_json_trace_per_line_and_the_console_prints_the_trees() {
    let dir = std::env::temp_dir().join(format!("genai-tracing-file-{}", std::process::id()));
    let path = dir.join("nested").join("traces.jsonl");
    let _ = std::fs::remove_file(&path);
    let console = Shared::default();
    let (dispatch, guard) = Builder::from_env()
        .unwrap()
        .service_name("file-test")
        .file(&path)
        .console(ConsoleExporter::new(console.clone()))
        .build()
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let agent = ReactAgent::default();
    for question in ["What is 17 * 23?", "What is 12 divided by 4, plus 7?"] {
        let _guard = tracing::dispatcher::set_default(&dispatch);
        runtime.block_on(agent.answer(question)).unwrap();
    }
    guard.flush().unwrap();

    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "one line per trace:\n{text}");
    let mut span_counts = Vec::new();
    for line in &lines {
        let request: ExportTraceServiceRequest = serde_json::from_str(line).expect("OTLP-JSON");
        let resource = request.resource_spans[0].resource.as_ref().unwrap();
        assert!(resource
            .attributes
            .iter()
            .any(|kv| kv.key == "service.name" && format!("{:?}", kv.value).contains("file-test")));
        let spans: Vec<_> = request
            .resource_spans
            .iter()
            .flat_map(|rs| &rs.scope_spans)
            .flat_map(|ss| &ss.spans)
            .collect();
        let traces: std::collections::HashSet<_> = spans.iter().map(|s| &s.trace_id).collect();
        assert_eq!(traces.len(), 1, "one trace per line");
        // The JSON encoding: ids as hex strings.
        let raw: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = raw["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["traceId"]
            .as_str()
            .unwrap();
        assert_eq!(id.len(), 32, "{id}");
        span_counts.push(spans.len());
    }
    assert_eq!(span_counts, vec![4, 6], "whole traces");

    let printed = String::from_utf8(console.0.lock().unwrap().clone()).unwrap();
    assert_eq!(printed.matches("trace ").count(), 2, "{printed}");
    assert!(printed.contains("invoke_agent react-agent"), "{printed}");
    assert!(
        printed.contains("└─ chat gpt-4o-mini") && printed.contains("tokens  $"),
        "{printed}"
    );
    assert!(
        printed.contains("ERROR parse_error"),
        "the failed tool call: {printed}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn presets_send_their_path_and_headers_and_the_resource_survives() {
    let receiver = OtlpReceiver::start();
    for (backend, path, header) in [
        (
            Backend::Mlflow {
                tracking_uri: receiver.endpoint.clone(),
                experiment_id: "42".into(),
            },
            "/v1/traces",
            ("x-mlflow-experiment-id", "42"),
        ),
        (
            Backend::Langfuse {
                host: receiver.endpoint.clone(),
                public_key: "pk-lf-1".into(),
                secret_key: "sk-lf-2".into(),
            },
            "/api/public/otel/v1/traces",
            ("authorization", "Basic cGstbGYtMTpzay1sZi0y"),
        ),
        (
            Backend::Phoenix {
                endpoint: receiver.endpoint.clone(),
                project: Some("agents".into()),
                api_key: None,
            },
            "/v1/traces",
            ("x-project-name", "agents"),
        ),
    ] {
        let name = backend.name();
        let (dispatch, guard) = Builder::from_env()
            .unwrap()
            .service_name("preset-test")
            .backend(backend)
            .build()
            .unwrap();
        assert_eq!(guard.exporters(), [name]);
        steps(&dispatch, 0..3);
        drop(guard);
        let exports = receiver.exports();
        let export = exports.last().expect("an export");
        assert_eq!(export.path, path, "{name}");
        assert!(
            export
                .headers
                .iter()
                .any(|(k, v)| k == header.0 && v == header.1),
            "{name}: {:?}",
            export.headers
        );
        let resource = export.request.resource_spans[0].resource.as_ref().unwrap();
        assert!(
            resource
                .attributes
                .iter()
                .any(|kv| kv.key == "service.name"
                    && format!("{:?}", kv.value).contains("preset-test")),
            "{name}: service.name lost"
        );
    }
}
