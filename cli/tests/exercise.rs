//! The calculator exercise, end to end, as the README walks through it: the demo runs with the
//! off-by-one calculator and its `arithmetic` scorer flags the wrong answers; `genai-trace find`
//! points at the calculator span where the wrong value entered; `harvest` turns the failing runs
//! into eval cases (their recorded outputs with them); the eval harness runs them, `gate` fails;
//! replayed against the fixed calculator the recorded runs still fail the same way; with the
//! fixed calculator `gate` passes.
//!
//! One test in this binary: it changes the working directory and the environment.

use std::path::Path;
use std::process::{Command, Output};

use genai_tracing_examples::calculator_eval::{self, EvalOptions};
use genai_tracing_examples::demo::{self, DemoOptions, TRACE_FILE};

fn genai_trace(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_genai-trace"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run genai-trace")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn eval(dir: &Path, report: &str, buggy: bool, replay: bool) -> genai_tracing::eval::EvalReport {
    calculator_eval::run(&EvalOptions {
        dataset: dir.join("evals/calculator.jsonl"),
        report: dir.join(report),
        traces: None,
        buggy_calculator: buggy,
        replay,
    })
    .expect("the eval runs")
}

#[test]
fn from_a_confident_wrong_answer_to_a_failing_gate_and_back() {
    let dir = std::env::temp_dir().join(format!("genai-trace-exercise-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::env::set_current_dir(&dir).unwrap();
    for var in [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "GENAI_TRACING_BACKEND",
    ] {
        std::env::remove_var(var);
    }
    std::env::set_var("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true");
    std::env::set_var("GENAI_TRACING_RECORD", "true");

    // 1. The demo with the bug: confident wrong answers, no error; the scorer flags them.
    let mut printed = Vec::new();
    let options = DemoOptions {
        buggy_calculator: true,
        ..DemoOptions::default()
    };
    let outcomes = demo::run(options, &mut printed).expect("the demo runs");
    assert_eq!(outcomes[0].answer.as_deref().unwrap(), "17 * 23 = 392.");
    let trace_id = outcomes[0].trace_id.to_string();

    // 2. `find` points at the span where the wrong value entered.
    let found = genai_trace(&dir, &["find", TRACE_FILE, "--failed-score", "arithmetic"]);
    assert!(found.status.success(), "{found:?}");
    let lines: Vec<String> = stdout(&found).lines().map(str::to_owned).collect();
    assert_eq!(
        lines.len(),
        4,
        "four runs used the buggy calculator: {lines:#?}"
    );
    assert!(lines
        .iter()
        .all(|l| l.contains("invoke_agent react-agent > execute_tool calculator")));
    let first = &lines[0];
    assert!(first.starts_with(&trace_id), "{first}");
    assert!(
        first.contains("calculator returned 392 for 17 * 23, which is 391"),
        "{first}"
    );
    let by_value = genai_trace(
        &dir,
        &[
            "find",
            TRACE_FILE,
            "--tool",
            "calculator",
            "--output-contains",
            "392",
        ],
    );
    let by_value = stdout(&by_value);
    assert_eq!(by_value.lines().count(), 1, "{by_value}");
    let span_id = first.split_whitespace().nth(1).unwrap();
    assert!(by_value.contains(span_id), "the same span: {by_value}");

    // 3. `harvest` writes the failing runs as eval cases, once.
    let harvested = genai_trace(
        &dir,
        &["harvest", TRACE_FILE, "--dataset", "evals/calculator.jsonl"],
    );
    assert!(stdout(&harvested).contains("4 added"), "{harvested:?}");
    let again = genai_trace(
        &dir,
        &["harvest", TRACE_FILE, "--dataset", "evals/calculator.jsonl"],
    );
    assert!(stdout(&again).contains("0 added"), "{again:?}");
    std::env::remove_var("GENAI_TRACING_RECORD");

    // 4. The eval with the bug: the gate fails.
    let buggy = eval(&dir, "buggy.json", true, false);
    assert_eq!(buggy.pass_rate(), 0.0, "{buggy}");
    let gate = genai_trace(&dir, &["gate", "buggy.json", "--min-pass-rate", "1.0"]);
    assert_eq!(gate.status.code(), Some(1), "{gate:?}");
    assert!(stdout(&gate).contains("gate FAILED"), "{gate:?}");

    // 5. Replayed against the fixed calculator, the recorded runs fail the same way.
    let replayed = eval(&dir, "replayed.json", false, true);
    assert_eq!(replayed.pass_rate(), 0.0, "{replayed}");
    for (then, now) in buggy.cases.iter().zip(&replayed.cases) {
        assert_eq!(then.output, now.output);
        assert!(now.replay_misses.is_empty(), "{:?}", now.replay_misses);
    }

    // 6. The fixed calculator: the gate passes, against the buggy run as baseline.
    let fixed = eval(&dir, "fixed.json", false, false);
    assert_eq!(fixed.pass_rate(), 1.0, "{fixed}");
    let gate = genai_trace(
        &dir,
        &[
            "gate",
            "fixed.json",
            "--baseline",
            "buggy.json",
            "--min-pass-rate",
            "1.0",
        ],
    );
    assert_eq!(gate.status.code(), Some(0), "{gate:?}");
    assert!(stdout(&gate).contains("gate passed"), "{gate:?}");
    // And the other way round: the bug back is a regression in every case.
    let regressed = genai_trace(&dir, &["gate", "buggy.json", "--baseline", "fixed.json"]);
    assert_eq!(regressed.status.code(), Some(1), "{regressed:?}");
    assert!(
        stdout(&regressed).contains("4 cases regressed"),
        "{regressed:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
