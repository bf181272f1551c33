//! End to end over OTLP/gRPC through a real collector: the demo exports gRPC to `rotel` (a small
//! OTLP collector from PyPI) on 127.0.0.1, which forwards OTLP/HTTP to a receiver in this test.
//!
//! `ROTEL_AGENT` names the collector binary (`.ci/run` installs it and sets it). Without it the
//! test says so and passes, except under `CI=true`, where it fails.

mod demo_traces;

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use genai_tracing_examples::demo::{self, DemoOptions};
use genai_tracing_tests::otlp_receiver::OtlpReceiver;

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
}
