//! OTLP over HTTPS to a receiver on 127.0.0.1 behind TLS with a CA made for the test: the
//! platform's roots plus `OTEL_EXPORTER_OTLP_CERTIFICATE`, mTLS with the client certificate
//! variables, and a wrong CA or bad settings failing with errors that say why.

use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Duration;

use genai_tracing::export::TlsError;
use genai_tracing::{agent, tool, Builder, InitError, TracingGuard};
use genai_tracing_tests::otlp_receiver::OtlpReceiver;
use genai_tracing_tests::tls_front::{Pki, TlsFront};
use genai_tracing_tests::SpanDataExt;

/// The tests set process-wide variables: one at a time.
static ENV: Mutex<()> = Mutex::new(());

const VARS: [&str; 6] = [
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_CERTIFICATE",
    "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE",
    "OTEL_EXPORTER_OTLP_CLIENT_KEY",
    "OTEL_EXPORTER_OTLP_TIMEOUT",
    "OTEL_METRICS_EXPORTER",
];

/// Sets `vars` (clearing the other TLS variables) for the guard's life.
struct Env<'a>(#[allow(dead_code)] std::sync::MutexGuard<'a, ()>);

impl Env<'_> {
    fn set(vars: &[(&str, &str)]) -> Self {
        let lock = ENV.lock().unwrap_or_else(|e| e.into_inner());
        for var in VARS {
            std::env::remove_var(var);
        }
        std::env::set_var("OTEL_METRICS_EXPORTER", "none");
        for (var, value) in vars {
            std::env::set_var(var, value);
        }
        Self(lock)
    }
}

impl Drop for Env<'_> {
    fn drop(&mut self) {
        for var in VARS {
            std::env::remove_var(var);
        }
    }
}

#[tool]
fn lookup(city: &str) -> Result<String, std::io::Error> {
    Ok(format!("sunny in {city}"))
}

#[agent(name = "weather")]
fn forecast(city: &str) -> Result<String, std::io::Error> {
    lookup(city)
}

/// Runs the agent once under the pipeline the environment configures, and flushes it.
fn run_agent() -> TracingGuard {
    let (subscriber, guard) = Builder::from_env()
        .expect("environment")
        .shutdown_timeout(Duration::from_secs(10))
        .build()
        .expect("pipeline");
    tracing::dispatcher::with_default(&subscriber, || forecast("Oslo")).expect("agent runs");
    let _ = guard.flush();
    guard
}

fn backend(receiver: &OtlpReceiver) -> SocketAddr {
    receiver
        .endpoint
        .trim_start_matches("http://")
        .parse()
        .expect("receiver address")
}

fn pki(name: &str) -> Pki {
    Pki::new(&std::env::temp_dir().join(format!("genai-tracing-tls-{}-{name}", std::process::id())))
}

#[test]
fn https_export_trusts_the_ca_of_the_environment_and_delivers_every_span() {
    let pki = pki("ca");
    let receiver = OtlpReceiver::start();
    let front = TlsFront::start(&pki, backend(&receiver), &["http/1.1"], false);
    let _env = Env::set(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", &front.url()),
        (
            "OTEL_EXPORTER_OTLP_CERTIFICATE",
            pki.ca_pem.to_str().unwrap(),
        ),
    ]);
    let guard = run_agent();
    let stats = guard.stats();
    assert_eq!(stats.lost(), 0, "{stats:?}");
    receiver.wait_for_spans(2, Duration::from_secs(10));
    let spans = receiver.spans();
    let names: Vec<&str> = spans.iter().map(|s| s.name.as_ref()).collect();
    assert!(names.contains(&"invoke_agent weather"), "{names:?}");
    assert!(names.contains(&"execute_tool lookup"), "{names:?}");
    let tool = spans
        .iter()
        .find(|s| s.name == "execute_tool lookup")
        .unwrap();
    assert_eq!(tool.str_attr("gen_ai.operation.name"), Some("execute_tool"));
    assert_eq!(tool.str_attr("gen_ai.tool.name"), Some("lookup"));
}

#[test]
fn a_server_signed_by_another_ca_fails_and_the_error_says_why() {
    let (served, trusted) = (pki("served"), pki("trusted"));
    let receiver = OtlpReceiver::start();
    let front = TlsFront::start(&served, backend(&receiver), &["http/1.1"], false);
    let _env = Env::set(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", &front.url()),
        (
            "OTEL_EXPORTER_OTLP_CERTIFICATE",
            trusted.ca_pem.to_str().unwrap(),
        ),
        ("OTEL_EXPORTER_OTLP_TIMEOUT", "1500"),
    ]);
    let stats = run_agent().stats();
    assert_eq!(stats.failed, 2, "{stats:?}");
    let error = stats.last_error.unwrap_or_default();
    assert!(
        error.contains("network error")
            && error.contains("invalid peer certificate: UnknownIssuer"),
        "{error}"
    );
    assert!(receiver.spans().is_empty());
}

#[test]
fn mtls_sends_the_client_certificate_of_the_environment() {
    let pki = pki("mtls");
    let receiver = OtlpReceiver::start();
    let front = TlsFront::start(&pki, backend(&receiver), &["http/1.1"], true);
    let url = front.url();
    let ca = pki.ca_pem.to_str().unwrap();
    {
        let _env = Env::set(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", &url),
            ("OTEL_EXPORTER_OTLP_CERTIFICATE", ca),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "1500"),
        ]);
        let stats = run_agent().stats();
        assert_eq!(stats.failed, 2, "without a client certificate: {stats:?}");
    }
    let _env = Env::set(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", &url),
        ("OTEL_EXPORTER_OTLP_CERTIFICATE", ca),
        (
            "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE",
            pki.client_cert_pem.to_str().unwrap(),
        ),
        (
            "OTEL_EXPORTER_OTLP_CLIENT_KEY",
            pki.client_key_pem.to_str().unwrap(),
        ),
    ]);
    let stats = run_agent().stats();
    assert_eq!(stats.lost(), 0, "{stats:?}");
    receiver.wait_for_spans(2, Duration::from_secs(10));
    assert_eq!(receiver.spans().len(), 2);
}

#[test]
fn unusable_tls_settings_are_refused_naming_the_variable() {
    let pki = pki("bad");
    let garbage = std::env::temp_dir().join(format!(
        "genai-tracing-tls-{}-garbage.pem",
        std::process::id()
    ));
    std::fs::write(&garbage, "not a certificate").unwrap();
    let missing = "/nonexistent/genai-tracing/ca.pem";
    let refused = |vars: &[(&str, &str)]| {
        let mut all = vec![("OTEL_EXPORTER_OTLP_ENDPOINT", "https://127.0.0.1:9")];
        all.extend_from_slice(vars);
        let _env = Env::set(&all);
        match Builder::from_env().and_then(Builder::build) {
            Err(err) => err,
            Ok(_) => panic!("accepted {vars:?}"),
        }
    };

    let err = refused(&[("OTEL_EXPORTER_OTLP_CERTIFICATE", missing)]);
    assert!(
        matches!(&err, InitError::Tls(TlsError::Read { var, .. }) if var == "OTEL_EXPORTER_OTLP_CERTIFICATE"),
        "{err:?}"
    );
    assert!(err.to_string().contains(missing), "{err}");

    let err = refused(&[("OTEL_EXPORTER_OTLP_CERTIFICATE", garbage.to_str().unwrap())]);
    assert!(
        matches!(&err, InitError::Tls(TlsError::Invalid { .. })),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("OTEL_EXPORTER_OTLP_CERTIFICATE: "),
        "{err}"
    );

    let err = refused(&[(
        "OTEL_EXPORTER_OTLP_CLIENT_KEY",
        pki.client_key_pem.to_str().unwrap(),
    )]);
    assert!(
        matches!(&err, InitError::Tls(TlsError::HalfIdentity { .. })),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE"),
        "{err}"
    );

    let err = refused(&[
        (
            "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE",
            pki.client_cert_pem.to_str().unwrap(),
        ),
        ("OTEL_EXPORTER_OTLP_CLIENT_KEY", garbage.to_str().unwrap()),
    ]);
    assert!(
        matches!(&err, InitError::Tls(TlsError::Invalid { .. })),
        "{err:?}"
    );

    let err = refused(&[("OTEL_EXPORTER_OTLP_TIMEOUT", "soon")]);
    assert!(
        matches!(
            &err,
            InitError::InvalidSetting {
                var: "OTEL_EXPORTER_OTLP_TIMEOUT",
                ..
            }
        ),
        "{err:?}"
    );
}
