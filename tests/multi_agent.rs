//! Two real processes, one trace: the `multi_agent` example's orchestrator hands a question to
//! its researcher, served over HTTP by a second process; both export over OTLP/HTTP to a receiver
//! in this test. With propagation the researcher's spans hang under the orchestrator's handoff in
//! the orchestrator's trace; without it they form a trace of their own and the handoff has no
//! children: the black box the seed warns about.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};

use genai_tracing_examples::multi_agent::{DEFAULT_QUESTION, SESSION};
use genai_tracing_tests::otlp_receiver::OtlpReceiver;
use genai_tracing_tests::process::{command_without_otel, received, stdout_of};
use genai_tracing_tests::{SpanDataExt, Spans};
use opentelemetry::trace::SpanId;
use opentelemetry_sdk::trace::SpanData;

const EXE: &str = env!("CARGO_BIN_EXE_multi_agent");

/// A command of the example's binary, exporting to `endpoint` and nowhere else.
fn command(endpoint: Option<&str>) -> Command {
    let mut command = command_without_otel(EXE);
    if let Some(endpoint) = endpoint {
        command
            .env("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)
            .env("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
    }
    command
}

/// The researcher process, stopped (and flushed) by closing its stdin.
struct Researcher {
    child: Child,
    url: String,
}

impl Researcher {
    fn start(endpoint: &str) -> Self {
        let mut child = command(Some(endpoint))
            .args(["serve", "--port", "0"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the researcher");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        Self { child, url }
    }

    fn stop(mut self) {
        drop(self.child.stdin.take());
        let status = self.child.wait().unwrap();
        assert!(status.success(), "researcher exited with {status}");
    }
}

/// Runs both processes and returns every span the receiver got.
fn run(extra: &[&str]) -> Spans {
    let receiver = OtlpReceiver::start();
    let researcher = Researcher::start(&receiver.endpoint);
    let output = command(Some(&receiver.endpoint))
        .args(["run", "--researcher", &researcher.url])
        .args(extra)
        .output()
        .expect("run the orchestrator");
    let stdout = stdout_of(&output);
    assert!(
        stdout.contains("A: The researcher reports: Rust 1.0 came out 30 years after"),
        "{stdout}"
    );
    researcher.stop();
    received(&receiver)
}

#[test]
fn one_trace_across_two_processes() {
    let spans = run(&[]);
    let orchestrator = spans.one("invoke_agent orchestrator");
    let trace = orchestrator.span_context.trace_id();
    assert!(
        spans.0.iter().all(|s| s.span_context.trace_id() == trace),
        "every span of both processes is in the orchestrator's trace"
    );
    assert_eq!(orchestrator.parent_span_id, SpanId::INVALID);
    let handoff = spans.one("execute_tool handoff_to_researcher");
    let researcher = spans.one("invoke_agent researcher");
    assert_eq!(researcher.parent_span_id, handoff.span_context.span_id());
    assert!(researcher.parent_span_is_remote);
    let from_researcher: Vec<&SpanData> = spans
        .0
        .iter()
        .filter(|s| s.str_attr("service.name") == Some("researcher"))
        .collect();
    // researcher + react-agent + 4 chats + 2 searches + 1 calculator
    assert_eq!(from_researcher.len(), 9, "{:?}", spans.names());
    for span in &from_researcher {
        let chain = spans.chain(span);
        let tail = &chain[chain.len() - 3..];
        assert_eq!(
            tail,
            [
                "invoke_agent researcher",
                "execute_tool handoff_to_researcher",
                "invoke_agent orchestrator"
            ],
            "{chain:?}"
        );
        // The session and user rode in baggage.
        assert_eq!(span.str_attr("session.id"), Some(SESSION), "{}", span.name);
        assert_eq!(span.str_attr("user.id"), Some("demo-user"), "{}", span.name);
    }
    let calculator = spans.one("execute_tool calculator");
    assert_eq!(
        spans.chain(calculator),
        [
            "execute_tool calculator",
            "invoke_agent react-agent",
            "invoke_agent researcher",
            "execute_tool handoff_to_researcher",
            "invoke_agent orchestrator"
        ]
    );
    assert_eq!(
        spans
            .0
            .iter()
            .filter(|s| s.str_attr("service.name") == Some("orchestrator"))
            .count(),
        2
    );
}

#[test]
fn without_propagation_the_sub_agent_is_a_black_box() {
    let spans = run(&["--no-propagation"]);
    let orchestrator = spans.one("invoke_agent orchestrator");
    let handoff = spans.one("execute_tool handoff_to_researcher");
    let researcher = spans.one("invoke_agent researcher");
    assert_eq!(
        researcher.parent_span_id,
        SpanId::INVALID,
        "a root of its own"
    );
    assert_ne!(
        researcher.span_context.trace_id(),
        orchestrator.span_context.trace_id()
    );
    assert!(
        !spans
            .0
            .iter()
            .any(|s| s.parent_span_id == handoff.span_context.span_id()),
        "the handoff shows nothing of the work it caused"
    );
    assert_eq!(researcher.str_attr("session.id"), None);
}

#[test]
fn the_example_alone_starts_its_researcher_and_prints_one_tree() {
    let output = command(None)
        .arg(DEFAULT_QUESTION)
        .output()
        .expect("run the example");
    let stdout = stdout_of(&output);
    assert!(
        stdout.contains("11 spans from 2 processes in 1 trace(s):"),
        "{stdout}"
    );
    assert!(stdout.contains("   └─ invoke_agent researcher"), "{stdout}");
    assert!(stdout.contains("[researcher]"), "{stdout}");
}

#[test]
fn bad_arguments_are_refused() {
    let output = command(None)
        .args(["serve", "--port", "http"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--port expects a port number"));
    let output = command(None).args(["--researcher"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}
