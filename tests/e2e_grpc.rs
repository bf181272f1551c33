//! End to end over OTLP/gRPC through a real collector: the demo exports gRPC to `rotel` (a small
//! OTLP collector from PyPI) on 127.0.0.1, which forwards OTLP/HTTP to a receiver in this test;
//! then again over TLS (a front with a CA made for the test, `OTEL_EXPORTER_OTLP_CERTIFICATE`).
//!
//! `ROTEL_AGENT` names the collector binary (`.ci/run` installs it and sets it). Without it the
//! test says so and passes, except under `CI=true`, where it fails.

mod demo_traces;

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use genai_tracing_examples::demo::{self, DemoOptions};
use genai_tracing_tests::otlp_receiver::OtlpReceiver;
use genai_tracing_tests::tls_front::{Pki, TlsFront};

struct Collector(Child);

impl Drop for Collector {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn the_demo_exports_over_grpc_through_a_collector() {
    let Some(agent) = std::env::var_os("ROTEL_AGENT") else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "ROTEL_AGENT must be set in CI"
        );
        eprintln!("skipped: set ROTEL_AGENT to the rotel-agent binary (pip install rotel) to run this test");
        return;
    };
    let receiver = OtlpReceiver::start();
    let (grpc, http) = (free_port(), free_port());
    let _collector = Collector(
        Command::new(agent)
            .args([
                "start",
                "--exporter",
                "otlp",
                "--otlp-exporter-protocol",
                "http",
            ])
            .args(["--otlp-grpc-endpoint", &format!("127.0.0.1:{grpc}")])
            .args(["--otlp-http-endpoint", &format!("127.0.0.1:{http}")])
            .args(["--otlp-exporter-endpoint", &receiver.endpoint])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start rotel"),
    );
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", grpc)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "rotel did not listen on {grpc}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    std::env::set_var(
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        format!("http://127.0.0.1:{grpc}"),
    );
    std::env::set_var("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc");
    std::env::remove_var("OTEL_SERVICE_NAME");
    let outcomes = demo::run(DemoOptions::default(), &mut Vec::new()).expect("demo runs");

    let exports = receiver.wait_for_spans(30, Duration::from_secs(30));
    demo_traces::assert_demo_traces(&exports, &outcomes);

    // The same over TLS: a front with a CA made for the test, trusted through
    // OTEL_EXPORTER_OTLP_CERTIFICATE, before the collector's gRPC port.
    let pki = Pki::new(
        &std::env::temp_dir().join(format!("genai-tracing-grpc-tls-{}", std::process::id())),
    );
    let front = TlsFront::start(&pki, ([127, 0, 0, 1], grpc).into(), &["h2"], false);
    std::env::set_var("OTEL_EXPORTER_OTLP_ENDPOINT", front.url());
    std::env::set_var("OTEL_EXPORTER_OTLP_CERTIFICATE", &pki.ca_pem);
    let before = receiver.spans().len();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let _inside = runtime.enter();
    let (subscriber, guard) = genai_tracing::Builder::from_env()
        .and_then(genai_tracing::Builder::build)
        .expect("gRPC over TLS pipeline");
    std::env::remove_var("OTEL_EXPORTER_OTLP_CERTIFICATE");
    tracing::dispatcher::with_default(&subscriber, || checked("over TLS"));
    guard.flush().expect("flush");
    assert_eq!(guard.stats().lost(), 0, "{:?}", guard.stats());
    receiver.wait_for_spans(before + 1, Duration::from_secs(30));
    let spans = receiver.spans();
    assert!(
        spans[before..]
            .iter()
            .any(|s| s.name == "execute_tool checked"),
        "{:?}",
        &spans[before..]
    );
}

#[genai_tracing::tool]
fn checked(how: &str) -> String {
    format!("checked {how}")
}
