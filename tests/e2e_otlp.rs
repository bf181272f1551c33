//! End to end over OTLP/HTTP: the demo's agent, set up by `genai_tracing`'s environment-driven
//! pipeline, exports protobuf to a receiver on 127.0.0.1, which decodes what arrived.

mod demo_traces;

use genai_tracing_examples::demo::{self, DemoOptions};
use genai_tracing_tests::otlp_receiver::OtlpReceiver;

#[test]
fn the_demo_exports_five_complete_traces_over_otlp_http() {
    let receiver = OtlpReceiver::start();
    std::env::set_var("OTEL_EXPORTER_OTLP_ENDPOINT", &receiver.endpoint);
    std::env::remove_var("OTEL_EXPORTER_OTLP_PROTOCOL");
    std::env::remove_var("OTEL_SERVICE_NAME");

    let mut report = Vec::new();
    let outcomes = demo::run(DemoOptions::default(), &mut report).expect("demo runs");
    let report = String::from_utf8(report).unwrap();
    assert!(
        report.contains(&format!(
            "Exported 5 traces over OTLP to {}",
            receiver.endpoint
        )),
        "{report}"
    );

    // The guard was dropped inside `run`: everything is flushed already.
    let exports = receiver.exports();
    for e in &exports {
        assert_eq!(e.path, "/v1/traces");
        assert_eq!(e.content_type, "application/x-protobuf");
    }
    demo_traces::assert_demo_traces(&exports, &outcomes);
}
