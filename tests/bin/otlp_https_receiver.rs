//! An OTLP/HTTPS receiver on 127.0.0.1 for a process outside the workspace (`.ci/run` runs the
//! user crate, `tests/user-crate`, against it): makes a CA and a server certificate
//! (`DIR/pki/ca.pem`), writes its URL to `DIR/url`, and serves until the file `DIR/done`
//! appears (the sender has exited) or the timeout passes.
//!
//! ```text
//! otlp_https_receiver DIR TIMEOUT_SECS "invoke_agent researcher" "execute_tool calculator" …
//! ```
//!
//! Then prints every span received (name, `gen_ai.operation.name`, service) and the number of
//! metrics requests, writes every string attribute of the spans and their events to
//! `DIR/attributes.txt` (`span name<TAB>key<TAB>value`, newlines escaped), and exits 0 if a span
//! of each name given arrived (and nothing that was not OTLP), else 1.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use genai_tracing_tests::otlp_receiver::OtlpReceiver;
use genai_tracing_tests::tls_front::{Pki, TlsFront};
use genai_tracing_tests::SpanDataExt;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(dir), Some(timeout)) = (args.first(), args.get(1).and_then(|t| t.parse().ok()))
    else {
        eprintln!("usage: otlp_https_receiver DIR TIMEOUT_SECS SPAN_NAME...");
        return ExitCode::from(2);
    };
    let expected = &args[2..];
    let dir = std::path::Path::new(dir);
    let pki = Pki::new(&dir.join("pki"));
    let receiver = OtlpReceiver::start();
    let plain: SocketAddr = receiver
        .endpoint
        .trim_start_matches("http://")
        .parse()
        .expect("receiver address");
    let front = TlsFront::start(&pki, plain, &["http/1.1"], false);
    std::fs::write(dir.join("url"), front.url()).expect("write the URL");
    eprintln!("receiving OTLP/HTTPS at {}", front.url());
    let started = Instant::now();
    loop {
        let done = dir.join("done").exists();
        if done || started.elapsed() > Duration::from_secs(timeout) {
            let spans = receiver.spans();
            let arrived = expected
                .iter()
                .all(|name| spans.iter().any(|s| s.name == name.as_str()));
            for span in &spans {
                println!(
                    "{}\toperation={}\tservice={}",
                    span.name,
                    span.str_attr("gen_ai.operation.name").unwrap_or("-"),
                    span.str_attr("service.name").unwrap_or("-")
                );
            }
            println!("metrics requests: {}", receiver.metrics().len());
            std::fs::write(dir.join("attributes.txt"), attributes(&spans))
                .expect("write the attributes");
            if !receiver.rejected().is_empty() {
                eprintln!("not OTLP: {:?}", receiver.rejected());
                return ExitCode::FAILURE;
            }
            if arrived {
                return ExitCode::SUCCESS;
            }
            eprintln!("not every span arrived: {expected:?}");
            return ExitCode::FAILURE;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Every string attribute of `spans` and of their events, a line each.
fn attributes(spans: &[opentelemetry_sdk::trace::SpanData]) -> String {
    let mut out = String::new();
    for span in spans {
        let events = span.events.iter().flat_map(|e| e.attributes.iter());
        for kv in span.attributes.iter().chain(events) {
            if let opentelemetry::Value::String(v) = &kv.value {
                let value = v.as_str().replace('\n', "\\n");
                out.push_str(&format!("{}\t{}\t{value}\n", span.name, kv.key));
            }
        }
    }
    out
}
