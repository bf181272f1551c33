//! Configuration from the environment: every bad value is a clear error, never a panic.
//! The tests share the process environment, so they run one after another under a lock.

use std::sync::Mutex;

use genai_tracing::capture::{CapturePolicy, CAPTURE_ENV};
use genai_tracing::export::OtlpProtocol;
use genai_tracing::{Builder, InitError};

static ENV: Mutex<()> = Mutex::new(());

const VARS: [&str; 20] = [
    "OTEL_METRICS_EXPORTER",
    "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
    genai_tracing::cost::PRICES_ENV,
    "OTEL_BSP_MAX_QUEUE_SIZE",
    "OTEL_BSP_MAX_EXPORT_BATCH_SIZE",
    "OTEL_BSP_SCHEDULE_DELAY",
    "OTEL_BSP_EXPORT_TIMEOUT",
    "OTEL_TRACES_SAMPLER",
    "OTEL_TRACES_SAMPLER_ARG",
    genai_tracing::export::CONSOLE_ENV,
    genai_tracing::export::FILE_ENV,
    genai_tracing::export::TAIL_RATIO_ENV,
    "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_EXPORTER_OTLP_PROTOCOL",
    "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
    CAPTURE_ENV,
    genai_tracing::replay::RECORD_ENV,
    // Set by the bad-backend test: left set, it fails whichever test runs next.
    genai_tracing::export::BACKEND_ENV,
];

fn with_env<R>(vars: &[(&str, &str)], f: impl FnOnce() -> R) -> R {
    let _lock = ENV.lock().unwrap_or_else(|p| p.into_inner());
    for v in VARS {
        std::env::remove_var(v);
    }
    for (k, v) in vars {
        std::env::set_var(k, v);
    }
    f()
}

#[test]
fn an_unknown_protocol_is_an_error_naming_the_variable() {
    let err = with_env(
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/xml"),
        ],
        Builder::from_env,
    )
    .unwrap_err();
    assert!(
        matches!(&err, InitError::InvalidProtocol { var: "OTEL_EXPORTER_OTLP_PROTOCOL", value } if value == "http/xml"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "unsupported OTEL_EXPORTER_OTLP_PROTOCOL value \"http/xml\": expected http/protobuf, http/json or grpc"
    );
}

#[test]
fn the_price_file_variable_is_read_and_a_bad_file_is_an_error_naming_it() {
    let dir = std::env::temp_dir().join(format!("genai-config-prices-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (good, bad) = (dir.join("prices.json"), dir.join("bad.json"));
    std::fs::write(&good, r#"{"acme-config-model": {"input": 2, "output": 4}}"#).unwrap();
    std::fs::write(
        &bad,
        "{\n  \"acme\": {\"input\": \"cheap\", \"output\": 1}\n}",
    )
    .unwrap();
    let usage = genai_tracing::Usage {
        input_tokens: Some(1_000_000),
        output_tokens: Some(1_000_000),
        ..Default::default()
    };
    assert!(genai_tracing::cost::cost_of(None, "acme-config-model", &usage).is_none());
    with_env(
        &[(genai_tracing::cost::PRICES_ENV, good.to_str().unwrap())],
        Builder::from_env,
    )
    .expect("a good price file");
    let cost = genai_tracing::cost::cost_of(None, "acme-config-model", &usage).expect("priced");
    assert_eq!(cost.total, 6.0);

    let err = with_env(
        &[(genai_tracing::cost::PRICES_ENV, bad.to_str().unwrap())],
        Builder::from_env,
    )
    .unwrap_err();
    assert!(matches!(err, InitError::Prices(_)));
    let message = err.to_string();
    assert!(
        message.starts_with("GENAI_TRACING_PRICES: malformed price file")
            && message.contains("bad.json")
            && message.contains("line 2"),
        "{message}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_traces_specific_protocol_wins() {
    let b = with_env(
        &[
            (
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                "http://127.0.0.1:4317",
            ),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
            ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "grpc"),
        ],
        Builder::from_env,
    )
    .unwrap();
    assert!(format!("{b:?}").contains("Some(Grpc)"), "{b:?}");
}

#[test]
fn no_endpoint_means_no_otlp_export() {
    let b = with_env(&[], Builder::from_env).unwrap();
    assert!(format!("{b:?}").contains("otlp: None"), "{b:?}");
}

#[test]
fn an_invalid_capture_value_is_an_error() {
    let err = with_env(&[(CAPTURE_ENV, "sometimes")], Builder::from_env).unwrap_err();
    assert!(matches!(err, InitError::InvalidCapturePolicy(_)));
    assert!(err.to_string().contains("\"sometimes\""), "{err}");
}

#[test]
fn an_invalid_attribute_limit_is_an_error() {
    for bad in ["0", "-5", "64k"] {
        let err = with_env(
            &[("OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", bad)],
            Builder::from_env,
        )
        .unwrap_err();
        assert!(
            matches!(err, InitError::InvalidAttributeLimit(_)),
            "{bad}: {err}"
        );
        assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
    }
}

#[test]
fn capture_values_follow_the_reference_implementation() {
    for (v, want) in [
        ("true", CapturePolicy::Content),
        ("SPAN_ONLY", CapturePolicy::Content),
        ("span_and_event", CapturePolicy::Content),
        ("FALSE", CapturePolicy::NoContent),
        ("NO_CONTENT", CapturePolicy::NoContent),
        ("EVENT_ONLY", CapturePolicy::NoContent),
    ] {
        assert_eq!(CapturePolicy::parse(v), Ok(want), "{v}");
    }
    assert!(CapturePolicy::parse("1").is_err());
}

#[test]
fn grpc_outside_a_tokio_runtime_is_an_error_not_a_panic() {
    let result = with_env(&[], || {
        Builder::from_env()
            .unwrap()
            .otlp(OtlpProtocol::Grpc)
            .install()
    });
    assert!(
        matches!(result, Err(InitError::GrpcNeedsTokio)),
        "{result:?}"
    );
    // A current-thread runtime cannot serve the channel while the batch worker waits on it.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let result = with_env(&[], || {
        let _entered = rt.enter();
        Builder::from_env()
            .unwrap()
            .otlp(OtlpProtocol::Grpc)
            .install()
    });
    assert!(
        matches!(result, Err(InitError::GrpcNeedsTokio)),
        "{result:?}"
    );
}

#[test]
fn init_twice_reports_the_installed_subscriber_and_keeps_the_capture_set_in_code() {
    genai_tracing::capture::set_content_capture(CapturePolicy::Content);
    let (first, second) = with_env(&[], || (genai_tracing::init(), genai_tracing::init()));
    let _guard = first.expect("first init");
    assert!(
        genai_tracing::capture::captures_content(),
        "init() must not reset what the code set"
    );
    assert!(
        matches!(second, Err(InitError::SubscriberAlreadySet(_))),
        "{second:?}"
    );
}

#[test]
fn bad_pipeline_settings_are_errors_naming_the_variable_and_what_it_may_hold() {
    for (var, value, expected) in [
        ("OTEL_BSP_MAX_QUEUE_SIZE", "lots", "a whole number above 0"),
        ("OTEL_BSP_MAX_QUEUE_SIZE", "0", "a whole number above 0"),
        (
            "OTEL_BSP_MAX_EXPORT_BATCH_SIZE",
            "-5",
            "a whole number above 0",
        ),
        (
            "OTEL_BSP_SCHEDULE_DELAY",
            "5s",
            "a whole number of milliseconds above 0",
        ),
        (
            "OTEL_BSP_EXPORT_TIMEOUT",
            "0",
            "a whole number of milliseconds above 0",
        ),
        (
            "OTEL_TRACES_SAMPLER",
            "sometimes",
            "always_on, always_off, traceidratio",
        ),
        (
            genai_tracing::export::TAIL_RATIO_ENV,
            "1.5",
            "a number from 0 to 1",
        ),
        (
            genai_tracing::export::TAIL_RATIO_ENV,
            "NaN",
            "a number from 0 to 1",
        ),
        (genai_tracing::export::CONSOLE_ENV, "maybe", "true or false"),
        (genai_tracing::replay::RECORD_ENV, "yes", "true or false"),
        (genai_tracing::replay::RECORD_ENV, "1", "true or false"),
    ] {
        let err = with_env(&[(var, value)], Builder::from_env).unwrap_err();
        assert!(
            matches!(&err, InitError::InvalidSetting { var: v, value: got, .. } if *v == var && got == value),
            "{var}={value}: {err:?}"
        );
        let message = err.to_string();
        assert!(
            message.contains(var) && message.contains(expected),
            "{message}"
        );
    }
    // The ratio's argument is checked too, and only when a ratio sampler is named.
    let err = with_env(
        &[
            ("OTEL_TRACES_SAMPLER", "parentbased_traceidratio"),
            ("OTEL_TRACES_SAMPLER_ARG", "2"),
        ],
        Builder::from_env,
    )
    .unwrap_err();
    assert!(err.to_string().contains("OTEL_TRACES_SAMPLER_ARG"), "{err}");
    with_env(
        &[
            ("OTEL_TRACES_SAMPLER", "always_on"),
            ("OTEL_TRACES_SAMPLER_ARG", "junk"),
        ],
        Builder::from_env,
    )
    .expect("the argument is not read for always_on");
}

#[test]
fn good_pipeline_settings_configure_the_exporters() {
    let dir = std::env::temp_dir().join(format!("genai-config-file-{}", std::process::id()));
    let file = dir.join("traces.jsonl");
    let builder = with_env(
        &[
            (genai_tracing::export::CONSOLE_ENV, "true"),
            (genai_tracing::export::FILE_ENV, file.to_str().unwrap()),
            (genai_tracing::export::TAIL_RATIO_ENV, "0.25"),
            ("OTEL_BSP_MAX_QUEUE_SIZE", "100"),
            ("OTEL_TRACES_SAMPLER", "traceidratio"),
            ("OTEL_TRACES_SAMPLER_ARG", "0.5"),
        ],
        Builder::from_env,
    )
    .unwrap();
    assert!(builder.exports());
    let (_subscriber, guard) = builder.build().unwrap();
    assert_eq!(guard.exporters(), ["file", "console"]);
    assert!(file.exists(), "the file is created on build");
    drop(guard);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_trace_file_that_cannot_be_opened_and_a_bad_backend_are_clear_errors() {
    let dir = std::env::temp_dir().join(format!("genai-config-dir-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // A directory is not a file.
    let err = with_env(
        &[(genai_tracing::export::FILE_ENV, dir.to_str().unwrap())],
        || Builder::from_env().unwrap().build().map(|_| ()),
    )
    .unwrap_err();
    assert!(matches!(err, InitError::Io { .. }), "{err:?}");
    assert!(
        err.to_string().contains("cannot open the trace file"),
        "{err}"
    );
    std::fs::remove_dir_all(dir).ok();

    let err = with_env(&[("GENAI_TRACING_BACKEND", "datadog")], Builder::from_env).unwrap_err();
    assert!(matches!(err, InitError::Backend(_)), "{err:?}");
    let err = with_env(&[("GENAI_TRACING_BACKEND", "langfuse")], Builder::from_env).unwrap_err();
    assert_eq!(err.to_string(), "langfuse needs LANGFUSE_PUBLIC_KEY");
    std::env::remove_var("GENAI_TRACING_BACKEND");
}

#[test]
fn metrics_follow_the_generic_endpoint_and_not_a_traces_only_one() {
    let meters = |vars: &[(&str, &str)], in_code: Option<&str>| {
        with_env(vars, || {
            let mut builder = Builder::from_env().unwrap();
            if let Some(url) = in_code {
                builder = builder.endpoint(url);
            }
            let (_subscriber, guard) = builder.build().unwrap();
            guard.meter_provider().is_some()
        })
    };
    let generic = ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9");
    let traces = (
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "http://127.0.0.1:9/v1/traces",
    );
    let none = ("OTEL_METRICS_EXPORTER", "none");
    assert!(meters(&[generic], None));
    assert!(
        !meters(&[generic, none], None),
        "OTEL_METRICS_EXPORTER=none"
    );
    assert!(!meters(&[traces], None), "no metrics to a default port");
    assert!(
        meters(&[traces], Some("http://127.0.0.1:9")),
        "an endpoint in code"
    );
    assert!(!meters(&[], None), "nothing configured");
    std::env::remove_var("OTEL_METRICS_EXPORTER");
}

#[test]
fn the_record_variable_sets_record_mode_for_install_and_only_true_or_false() {
    use genai_tracing::replay::{recording, RECORD_ENV};
    assert!(!recording(), "record mode is off by default");
    let builder = |value: &str| with_env(&[(RECORD_ENV, value)], Builder::from_env);
    let on = builder("true").unwrap();
    assert!(format!("{on:?}").contains("record: Some(true)"), "{on:?}");
    assert!(!recording(), "applied on install, not when read");
    let off = builder(" false ").unwrap();
    assert!(
        format!("{off:?}").contains("record: Some(false)"),
        "{off:?}"
    );
    let unset = with_env(&[], Builder::from_env).unwrap();
    assert!(format!("{unset:?}").contains("record: None"), "{unset:?}");
    // In code, over the environment.
    assert!(format!("{:?}", on.record(false)).contains("record: Some(false)"));
    let err = builder("TRUE").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid GENAI_TRACING_RECORD value \"TRUE\": expected true or false"
    );
}
