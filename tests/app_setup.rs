//! `init()` and `Builder::layer()` as an app uses them, each in a process of its own: the app's
//! logs through `RUST_LOG` while every GenAI span is exported, the line saying where spans go
//! when nothing is configured, and the warnings for a guard dropped at once and for spans a
//! global filter turns off.

use std::path::PathBuf;
use std::process::Output;

use genai_tracing::eval::read_traces;
use genai_tracing_tests::process::command_without_otel;

const EXE: &str = env!("CARGO_BIN_EXE_app_setup");

/// Runs the app with `args` and `vars` (no other `OTEL_*`, `GENAI_TRACING_*` or `RUST_LOG`
/// inherited), its spans going to a trace file of its own unless `file` is false.
fn run(name: &str, args: &[&str], vars: &[(&str, &str)], file: bool) -> (Output, String, PathBuf) {
    let path = std::env::temp_dir().join(format!(
        "genai-tracing-app-{}-{name}.jsonl",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&path);
    let mut command = command_without_otel(EXE);
    for (var, _) in std::env::vars() {
        if var.starts_with("GENAI_TRACING_") || var == "RUST_LOG" {
            command.env_remove(var);
        }
    }
    if file {
        command.env("GENAI_TRACING_FILE", &path);
    }
    let output = command
        .args(args)
        .envs(vars.iter().copied())
        .output()
        .expect("run the app");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{}: {stderr}", output.status);
    (output, stderr, path)
}

/// The one line of `stderr` that holds `text` (panics unless there is exactly one).
fn one_line<'a>(stderr: &'a str, text: &str) -> &'a str {
    let lines: Vec<&str> = stderr.lines().filter(|l| l.contains(text)).collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    lines[0]
}

/// The names of the spans in the trace file, sorted.
fn exported(path: &PathBuf) -> Vec<String> {
    let mut names: Vec<String> = read_traces(path)
        .expect("trace file")
        .iter()
        .flat_map(|t| &t.spans)
        .map(|s| s.name.clone())
        .collect();
    names.sort();
    names
}

#[test]
fn init_prints_the_apps_logs_by_rust_log_and_exports_every_span_whatever_it_says() {
    let (_, stderr, path) = run("info", &["init"], &[], true);
    assert!(stderr.contains("app info: looking Oslo up"), "{stderr}");
    assert!(stderr.contains("app warn: forecasting"), "{stderr}");
    assert!(!stderr.contains("app debug"), "default is info: {stderr}");
    assert!(
        !stderr.contains("GlobalSet"),
        "the SDK's notes from warn up: {stderr}"
    );
    assert!(
        !stderr.contains('\x1b'),
        "no colour when stderr is not a terminal: {stderr:?}"
    );
    assert_eq!(
        exported(&path),
        ["execute_tool lookup", "invoke_agent weather"]
    );

    let (_, stderr, path) = run("error", &["init"], &[("RUST_LOG", "error")], true);
    assert!(!stderr.contains("app "), "RUST_LOG=error: {stderr}");
    assert_eq!(
        exported(&path),
        ["execute_tool lookup", "invoke_agent weather"]
    );

    let (_, stderr, _) = run("debug", &["init"], &[("RUST_LOG", "app_setup=debug")], true);
    assert!(stderr.contains("app debug: details"), "{stderr}");
}

#[test]
fn the_apps_logs_name_the_spans_but_not_their_captured_content() {
    let capture = [("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true")];
    let (_, stderr, path) = run("captured", &["init"], &capture, true);
    let line = one_line(&stderr, "app info: looking Oslo up");
    assert!(
        line.ends_with(
            " INFO invoke_agent weather:execute_tool lookup: app_setup: app info: looking Oslo up"
        ),
        "{line}"
    );
    assert!(
        !stderr.contains("gen_ai.") && !stderr.contains("Oslo\""),
        "{stderr}"
    );
    let traces = read_traces(&path).expect("trace file");
    let tool = traces[0]
        .spans
        .iter()
        .find(|s| s.name == "execute_tool lookup")
        .unwrap();
    assert!(
        tool.input().is_some_and(|i| i.contains("Oslo")),
        "captured for the exporter"
    );
}

#[test]
fn a_bad_rust_log_is_refused_naming_it() {
    let output = command_without_otel(EXE)
        .arg("init")
        .env("RUST_LOG", "app_setup=loud")
        .output()
        .expect("run the app");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("RUST_LOG") && stderr.contains("app_setup=loud"),
        "{stderr}"
    );
}

#[test]
fn init_with_nothing_configured_says_where_spans_go_once() {
    let (_, stderr, path) = run("nowhere", &["init"], &[], false);
    let hints = one_line(&stderr, "genai-tracing: no exporter");
    for how in [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "GENAI_TRACING_FILE",
        "GENAI_TRACING_CONSOLE",
        "GENAI_TRACING_BACKEND",
    ] {
        assert!(hints.contains(how), "{}", hints);
    }
    assert!(!path.exists());
    let (_, stderr, _) = run("somewhere", &["init"], &[], true);
    assert!(!stderr.contains("no exporter"), "{stderr}");
}

#[test]
fn a_guard_dropped_at_once_is_named_in_one_warning() {
    let (_, stderr, path) = run("dropped", &["init-dropped"], &[], true);
    let warnings = one_line(&stderr, "after the TracingGuard was dropped");
    assert!(
        warnings.contains("let _guard = genai_tracing::init()?;"),
        "{}",
        warnings
    );
    assert!(exported(&path).is_empty());
}

#[test]
fn the_layer_exports_every_span_under_the_apps_own_quiet_logs() {
    let (_, stderr, path) = run("layer", &["layer"], &[], true);
    assert!(stderr.contains("app warn: forecasting"), "{stderr}");
    assert!(
        !stderr.contains("app info"),
        "the app's filter says warn: {stderr}"
    );
    assert!(
        !stderr.contains("turn GenAI spans off"),
        "a per-layer filter: {stderr}"
    );
    assert_eq!(
        exported(&path),
        ["execute_tool lookup", "invoke_agent weather"]
    );
}

#[test]
fn a_global_filter_that_turns_genai_spans_off_is_said_once_and_the_readme_directive_keeps_them() {
    let (_, stderr, path) = run("global-warn", &["global-filter", "warn"], &[], true);
    let warnings = one_line(&stderr, "filters turn GenAI spans off");
    assert!(
        warnings.contains("[{gen_ai.operation.name}]=info"),
        "{}",
        warnings
    );
    assert!(exported(&path).is_empty());

    let directive = "warn,[{gen_ai.operation.name}]=info";
    let (_, stderr, path) = run("global-directive", &["global-filter", directive], &[], true);
    assert!(!stderr.contains("turn GenAI spans off"), "{stderr}");
    assert_eq!(
        exported(&path),
        [
            "execute_tool lookup",
            "execute_tool lookup",
            "invoke_agent weather",
            "invoke_agent weather"
        ]
    );
}
