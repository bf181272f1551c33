//! End to end over OTLP/HTTP with JSON bodies (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`).

mod demo_traces;

use genai_tracing_examples::demo::{self, DemoOptions};
use genai_tracing_tests::otlp_receiver::OtlpReceiver;

#[test]
fn the_demo_exports_over_otlp_http_json() {
    let receiver = OtlpReceiver::start();
    std::env::set_var("OTEL_EXPORTER_OTLP_ENDPOINT", &receiver.endpoint);
    std::env::set_var("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json");
    std::env::remove_var("OTEL_SERVICE_NAME");
    let outcomes = demo::run(DemoOptions::default(), &mut Vec::new()).expect("demo runs");
    let exports = receiver.exports();
    assert!(exports
        .iter()
        .all(|e| e.content_type.starts_with("application/json")));
    demo_traces::assert_demo_traces(&exports, &outcomes);
}
