//! The `genai-trace` binary run as a user runs it, on trace files written by the library's own
//! pipeline (`Builder` with a `FileExporter`, `#[agent]`, `#[llm_call]` and `#[tool]` functions,
//! content captured) and on the hand-written fixture `tests/data/calculator.jsonl`: every
//! command, its exit codes, and malformed input.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use genai_tracing::capture::CapturePolicy;
use genai_tracing::eval::{parse_traces, read_traces, CaseResult, Dataset, EvalReport, Score};
use genai_tracing::export::FileExporter;
use genai_tracing::{agent, llm_call, tool, Builder};
use serde_json::{json, Value};

// --- the traced agent ---------------------------------------------------------------------------

#[derive(Debug, thiserror::Error)]
enum CalcError {
    #[error("cannot parse {0:?}")]
    Parse(String),
    #[error("the model failed")]
    Model,
}

impl genai_tracing::ErrorType for CalcError {
    fn error_type(&self) -> &str {
        match self {
            CalcError::Parse(_) => "parse_error",
            CalcError::Model => "model_error",
        }
    }
}

/// Evaluates `a * b` or `a + b`.
#[tool]
fn calculator(expr: &str) -> Result<f64, CalcError> {
    evaluate(expr)
}

/// `a * b` or `a + b`.
fn evaluate(expr: &str) -> Result<f64, CalcError> {
    let parse = |op: char| {
        let (a, b) = expr.split_once(op)?;
        Some((a.trim().parse::<f64>().ok()?, b.trim().parse::<f64>().ok()?))
    };
    match (parse('*'), parse('+')) {
        (Some((a, b)), _) => Ok(a * b),
        (_, Some((a, b))) => Ok(a + b),
        _ => Err(CalcError::Parse(expr.to_owned())),
    }
}

/// A scripted model call, priced as gpt-4o-mini: 100 tokens in, 20 out.
#[llm_call(provider = "openai")]
async fn chat(request: &Value) -> Result<Value, CalcError> {
    reply(request)
}

/// The scripted model's reply.
fn reply(request: &Value) -> Result<Value, CalcError> {
    if request["messages"].as_array().is_none() {
        return Err(CalcError::Model);
    }
    Ok(json!({
        "id": "chatcmpl-1",
        "model": "gpt-4o-mini-2024-07-18",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "use the calculator"},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}
    }))
}

/// Answers "What is A op B?" with the calculator; words for operators are tried again as
/// symbols (a failed tool call it recovers from), anything else fails the run.
#[agent(name = "calc")]
async fn calc(question: &str) -> Result<String, CalcError> {
    chat(&request(question)).await?;
    solve(question, calculator)
}

/// The model request of `question`.
fn request(question: &str) -> Value {
    json!({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": question}]})
}

/// "What is A op B?" through `calculator`; words for operators are tried again as symbols.
fn solve(
    question: &str,
    calculator: impl Fn(&str) -> Result<f64, CalcError>,
) -> Result<String, CalcError> {
    let expr = question
        .trim_start_matches("What is ")
        .trim_end_matches('?');
    let value = match calculator(expr) {
        Ok(value) => value,
        Err(_) if expr.contains(" plus ") => calculator(&expr.replace(" plus ", " + "))?,
        Err(error) => return Err(error),
    };
    Ok(format!("{expr} = {value}"))
}

/// `calc` as a run without content capture records it: the same spans, no inputs or outputs.
#[agent(name = "calc", capture = false)]
async fn calc_uncaptured(question: &str) -> Result<String, CalcError> {
    /// `calculator`, uncaptured.
    #[tool(name = "calculator", capture = false)]
    fn calculator(expr: &str) -> Result<f64, CalcError> {
        evaluate(expr)
    }
    /// `chat`, uncaptured.
    #[llm_call(provider = "openai", capture = false)]
    async fn chat(request: &Value) -> Result<Value, CalcError> {
        reply(request)
    }
    chat(&request(question)).await?;
    solve(question, calculator)
}

/// An agent that captures nothing, and fails.
#[agent(name = "silent", capture = false)]
async fn silent(question: &str) -> Result<String, CalcError> {
    Err(CalcError::Parse(question.to_owned()))
}

const QUESTIONS: [&str; 3] = [
    "What is 17 * 23?",     // passes
    "What is 12 plus 7?",   // a failed calculator call, recovered from
    "What is 17 times 23?", // fails
];

/// The runs' trace file, written once per test process: the three questions to `calc`, then
/// one to `silent`, through the library's pipeline into a `FileExporter`.
fn traces() -> &'static Path {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        let path = scratch("runs.jsonl");
        let _ = std::fs::remove_file(&path);
        genai_tracing::capture::set_content_capture(CapturePolicy::Content);
        let exporter = FileExporter::append(&path).expect("trace file");
        let (dispatch, guard) = Builder::from_env()
            .expect("environment")
            .service_name("cli-test")
            .with_exporter("file", exporter)
            .build()
            .expect("pipeline");
        tracing::dispatcher::with_default(&dispatch, || {
            for question in QUESTIONS {
                let _ = futures_executor::block_on(calc(question));
            }
            let _ = futures_executor::block_on(silent("What is 2 + 2?"));
        });
        guard.flush().expect("flush");
        drop(guard);
        path
    })
}

/// Trace files of the three questions as a user gets them who ran the agent first without
/// content capture, then with it: `(uncaptured, mixed)`, the first holding the runs without
/// capture, the second those followed by the runs with it (one file, appended to twice).
fn mixed() -> &'static (PathBuf, PathBuf) {
    static FILES: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    FILES.get_or_init(|| {
        let (uncaptured, mixed) = (scratch("uncaptured.jsonl"), scratch("mixed.jsonl"));
        for path in [&uncaptured, &mixed] {
            let _ = std::fs::remove_file(path);
        }
        for capture in [false, true] {
            let file = |path: &PathBuf| FileExporter::append(path).expect("trace file");
            let mut builder = Builder::from_env()
                .expect("environment")
                .service_name("cli-test")
                .with_exporter("mixed", file(&mixed));
            if !capture {
                builder = builder.with_exporter("uncaptured", file(&uncaptured));
            }
            let (dispatch, guard) = builder.build().expect("pipeline");
            tracing::dispatcher::with_default(&dispatch, || {
                for question in QUESTIONS {
                    let _ = match capture {
                        true => futures_executor::block_on(calc(question)),
                        false => futures_executor::block_on(calc_uncaptured(question)),
                    };
                }
            });
            guard.flush().expect("flush");
        }
        (uncaptured, mixed)
    })
}

/// The note a command prints when it skips `skipped` of `of` traces.
fn skipped_note(skipped: usize, of: usize) -> String {
    format!(
        "genai-trace: skipped {skipped} of {of} traces: content not captured (run the agent with \
         OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true to record inputs and outputs)\n"
    )
}

/// The runs' traces read back, in question order (then `silent`).
fn runs() -> Vec<genai_tracing::eval::Trace> {
    let traces = read_traces(traces()).unwrap();
    assert_eq!(traces.len(), 4, "one trace per run");
    traces
}

// --- running the binary -------------------------------------------------------------------------

/// A path in this test process's scratch directory.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("genai-trace-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn fixture() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/calculator.jsonl").to_owned()
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

fn genai_trace(args: &[&str]) -> Run {
    genai_trace_with_stdin(args, b"")
}

fn genai_trace_with_stdin(args: &[&str], stdin: &[u8]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_genai-trace"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run genai-trace");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let output = child.wait_with_output().unwrap();
    let run = Run {
        code: output.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    };
    assert!(!run.stderr.contains("panicked"), "{run:?}");
    run
}

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

// --- view ---------------------------------------------------------------------------------------

#[test]
fn view_prints_each_trace_as_a_tree_with_content_on_request() {
    let file = path_str(traces());
    let run = genai_trace(&["view", file]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout.matches("\ntrace ").count() + 1, 4, "{run:?}");
    assert!(run.stdout.starts_with("trace "), "{run:?}");
    let first: Vec<&str> = run.stdout.lines().take(4).collect();
    assert!(
        first[0].ends_with("  3 spans  100→20 tokens  $0.000027"),
        "heading: {run:?}"
    );
    assert!(first[1].starts_with("invoke_agent calc  "), "{run:?}");
    assert!(
        first[2].starts_with("├─ chat gpt-4o-mini  ")
            && first[2].contains("  gpt-4o-mini-2024-07-18  100→20 tokens  $0.000027  ok"),
        "{run:?}"
    );
    assert!(
        first[3].starts_with("└─ execute_tool calculator  ") && first[3].ends_with("  ok"),
        "{run:?}"
    );
    assert!(
        run.stdout.contains("├─ execute_tool calculator  ")
            && run
                .stdout
                .contains(" ms  ERROR parse_error: cannot parse \"12 plus 7\"\n"),
        "{run:?}"
    );
    assert!(!run.stdout.contains("in: "), "no content unasked: {run:?}");

    let id = &runs()[0].trace_id;
    let run = genai_trace(&["view", file, "--trace", &id[..8], "--content"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout.matches("trace ").count(),
        1,
        "one trace: {run:?}"
    );
    assert!(run.stdout.contains(&format!("trace {id}")), "{run:?}");
    assert!(run.stdout.contains("│  in:  What is 17 * 23?\n"), "{run:?}");
    assert!(run.stdout.contains("│  out: 17 * 23 = 391\n"), "{run:?}");
    assert!(
        run.stdout.contains("      in:  {\"expr\":\"17 * 23\"}\n"),
        "{run:?}"
    );
}

#[test]
fn view_shows_recorded_scores_and_reads_standard_input() {
    let text = std::fs::read(fixture()).unwrap();
    let run = genai_trace_with_stdin(&["view", "-"], &text);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains(
            "│  score no-errors = 0 (fail): invoke_agent calc > execute_tool calculator: \
             parse_error: cannot parse \"17 times 23\"\n"
        ),
        "{run:?}"
    );
}

#[test]
fn view_puts_together_a_trace_spread_over_two_files() {
    let mut request: Value = serde_json::from_slice(&std::fs::read(fixture()).unwrap()).unwrap();
    let spans = request["resourceSpans"][0]["scopeSpans"][0]["spans"]
        .as_array_mut()
        .unwrap();
    let late = spans.split_off(3);
    let mut rest = request.clone();
    rest["resourceSpans"][0]["scopeSpans"][0]["spans"] = Value::Array(late);
    let (a, b) = (scratch("split-a.jsonl"), scratch("split-b.jsonl"));
    std::fs::write(&a, request.to_string()).unwrap();
    std::fs::write(&b, rest.to_string()).unwrap();
    let run = genai_trace(&["view", path_str(&a), path_str(&b)]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout.matches("trace ").count(), 1, "{run:?}");
    assert!(run.stdout.contains("  6 spans  "), "{run:?}");
    assert!(run.stdout.contains("└─ chat gpt-4o-mini"), "{run:?}");
}

#[test]
fn view_of_an_unknown_or_ambiguous_trace_is_an_error() {
    let file = path_str(traces());
    let run = genai_trace(&["view", file, "--trace", "ffffffffffffffffffffffffffffffff"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(
        run.stderr,
        format!("genai-trace: no trace ffffffffffffffffffffffffffffffff in {file}\n")
    );
    let line = valid_line();
    let twins = scratch("twins.jsonl");
    let other = line.replace(
        "5b8efff798038103d269b633813fc60c",
        "5b8efff798038103d269b633813fc60d",
    );
    std::fs::write(&twins, format!("{line}\n{other}\n")).unwrap();
    let run = genai_trace(&["view", path_str(&twins), "--trace", "5B8E"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(
        run.stderr,
        "genai-trace: 5b8e is the start of 2 trace ids (5b8efff798038103d269b633813fc60c, \
         5b8efff798038103d269b633813fc60d, …): give more of it\n"
    );
    let run = genai_trace(&[
        "view",
        path_str(&twins),
        "--trace",
        "5b8efff798038103d269b633813fc60d",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let run = genai_trace(&["view", path_str(&twins), "--trace", ""]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("a value is required for '--trace <ID>'"),
        "{run:?}"
    );
}

// --- find ---------------------------------------------------------------------------------------

#[test]
fn find_lists_matching_spans_and_exits_1_when_none_match() {
    let file = path_str(traces());
    let runs = runs();
    let run = genai_trace(&["find", file, "--errored", "--tool", "calculator"]);
    assert_eq!(run.code, 0, "{run:?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{run:?}");
    assert!(
        lines[0].starts_with(&format!("{}  ", runs[1].trace_id)),
        "{run:?}"
    );
    assert!(
        lines[0].ends_with(
            "  invoke_agent calc > execute_tool calculator  error: parse_error: cannot parse \"12 plus 7\""
        ),
        "{run:?}"
    );
    assert!(lines[1].starts_with(&runs[2].trace_id), "{run:?}");

    let run = genai_trace(&[
        "find",
        file,
        "--tool",
        "calculator",
        "--output-contains",
        "391",
    ]);
    assert_eq!(run.stdout.lines().count(), 1, "{run:?}");
    assert!(
        run.stdout.trim_end().ends_with("  output: 391.0"),
        "{run:?}"
    );

    let run = genai_trace(&[
        "find",
        file,
        "--input-contains",
        "times",
        "--name",
        "invoke_agent",
    ]);
    assert_eq!(run.stdout.lines().count(), 1, "{run:?}");
    assert!(
        run.stdout.contains("  input: What is 17 times 23?"),
        "{run:?}"
    );

    let run = genai_trace(&["find", file, "--errored", "--name", "chat"]);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""), "{run:?}");

    let fixture = fixture();
    let run = genai_trace(&["find", &fixture, "--failed-score", "no-errors"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        "5b8efff798038103d269b633813fc60c  a1a1a1a1a1a1a1a1  invoke_agent calc  score: \
         no-errors = 0 (fail): invoke_agent calc > execute_tool calculator: parse_error: \
         cannot parse \"17 times 23\"\n"
    );
    let run = genai_trace(&["find", &fixture, "--score-below", "no-errors=0"]);
    assert_eq!(run.code, 1, "{run:?}");
}

// --- score --------------------------------------------------------------------------------------

#[test]
fn score_prints_each_traces_scores_and_a_summary() {
    let file = path_str(traces());
    let runs = runs();
    let run = genai_trace(&["score", file, "--rule", "no-errors", "--rule", "finished"]);
    assert_eq!(run.code, 0, "scores are the output: {run:?}");
    let expected = format!(
        "PASS trace {}  invoke_agent calc\n  no-errors = 1 (pass)\n  finished = 1 (pass)\n",
        runs[0].trace_id
    );
    assert!(run.stdout.starts_with(&expected), "{run:?}");
    assert!(
        run.stdout.contains(&format!(
            "FAIL trace {}  invoke_agent calc\n  no-errors = 0 (fail): invoke_agent calc > \
             execute_tool calculator: parse_error: cannot parse \"12 plus 7\"\n  finished = 1 (pass)\n",
            runs[1].trace_id
        )),
        "recovered: {run:?}"
    );
    assert!(
        run.stdout.contains("  finished = 0 (fail): invoke_agent calc failed: parse_error: cannot parse \"17 times 23\"\n"),
        "{run:?}"
    );
    assert!(run.stdout.ends_with("4 traces, 3 failing\n"), "{run:?}");

    let run = genai_trace(&["score", file, "--rule", "max-tool-errors=1", "--check"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.ends_with("4 traces, 0 failing\n"), "{run:?}");

    let run = genai_trace(&[
        "score",
        file,
        "--rule",
        "max-cost=0.00001",
        "--rule",
        r"output-matches=^\d+ \* \d+ = \d+$",
        "--check",
    ]);
    assert_eq!(run.code, 1, "a trace fails: {run:?}");
    assert!(
        run.stdout
            .contains("  max-cost = 0 (fail): cost $0.000027, at most $0.000010\n"),
        "{run:?}"
    );
}

#[test]
fn a_verdict_stands_when_the_reader_leaves_early() {
    // Many failing traces: more output than a pipe holds, so writing hits the closed pipe.
    let line = std::fs::read_to_string(fixture()).unwrap();
    let id = "5b8efff798038103d269b633813fc60c";
    assert!(line.contains(id));
    let many: String = (0..3000u32)
        .map(|n| line.replace(id, &format!("{n:032x}")))
        .collect();
    let file = scratch("many.jsonl");
    std::fs::write(&file, many).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_genai-trace"))
        .args(["score", path_str(&file), "--rule", "no-errors", "--check"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run genai-trace");
    drop(child.stdout.take()); // `| head -0`
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1), "the traces fail: {output:?}");
}

#[test]
fn score_json_is_one_object_per_trace() {
    let file = path_str(traces());
    let run = genai_trace(&["score", file, "--rule", "max-tokens=100", "--json"]);
    assert_eq!(run.code, 0, "{run:?}");
    let lines: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 4, "no summary line: {run:?}");
    let runs = runs();
    assert_eq!(lines[0]["trace_id"], json!(runs[0].trace_id));
    assert_eq!(lines[0]["passed"], json!(false));
    let score: Score = serde_json::from_value(lines[0]["scores"][0].clone()).unwrap();
    assert_eq!(score.name, "max-tokens");
    assert_eq!(
        score.explanation.as_deref(),
        Some("120 tokens (100 in, 20 out), at most 100")
    );
    assert_eq!(
        score.span_id.as_deref(),
        Some(runs[0].spans[0].span_id.as_str())
    );
    assert_eq!(lines[3]["passed"], json!(true), "silent made no model call");
}

// --- harvest ------------------------------------------------------------------------------------

#[test]
fn harvest_appends_failing_traces_once_with_their_reasons() {
    let file = path_str(traces());
    let dataset = scratch("harvest.jsonl");
    let _ = std::fs::remove_file(&dataset);
    let out = path_str(&dataset);
    let runs = runs();

    let run = genai_trace(&[
        "harvest",
        file,
        "--dataset",
        out,
        "--rule",
        "output-contains=391",
    ]);
    assert_eq!(run.code, 0, "silent has no input: skipped: {run:?}");
    assert_eq!(run.stderr, skipped_note(1, 4), "{run:?}");
    assert!(
        run.stdout
            .ends_with(&format!("2 added to {out}, 0 already there\n")),
        "{run:?}"
    );
    let cases = Dataset::load(&dataset).unwrap().cases;
    assert_eq!(cases.len(), 2, "the recovered and the failed run");
    assert_eq!(cases[0].input, json!("What is 12 plus 7?"));
    let source = cases[0].source.as_ref().unwrap();
    assert_eq!(source.trace_id, runs[1].trace_id);
    assert_eq!(
        source.reasons,
        [
            "invoke_agent calc > execute_tool calculator: parse_error: cannot parse \"12 plus 7\"",
            "output-contains = 0 (fail): \"391\" is not in \"12 plus 7 = 19\""
        ]
    );
    assert_eq!(cases[1].input, json!("What is 17 times 23?"));

    let again = genai_trace(&[
        "harvest",
        file,
        "--dataset",
        out,
        "--trace",
        &runs[2].trace_id,
    ]);
    assert_eq!(again.code, 0, "{again:?}");
    assert_eq!(
        again.stdout,
        format!(
            "skipped {} from trace {}: its input is in {out} already: \"What is 17 times 23?\"\n\
             0 added to {out}, 1 already there\n",
            cases[1].id, runs[2].trace_id
        )
    );

    let passing = &runs[0].trace_id;
    let run = genai_trace(&[
        "harvest",
        file,
        "--dataset",
        out,
        "--trace",
        passing,
        "--expected",
        "391",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.starts_with("added case-"), "{run:?}");
    let cases = Dataset::load(&dataset).unwrap().cases;
    assert_eq!(cases.len(), 3);
    assert_eq!(cases[2].expected, Some(json!(391)), "JSON when it parses");
    assert_eq!(
        cases[2].source.as_ref().unwrap().reasons,
        Vec::<String>::new()
    );

    let run = genai_trace(&[
        "harvest",
        file,
        "--dataset",
        out,
        "--trace",
        &runs[3].trace_id,
    ]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("has no captured input"), "{run:?}");
}

#[test]
fn harvest_text_expected_and_nothing_to_harvest() {
    let dataset = scratch("harvest-text.jsonl");
    let _ = std::fs::remove_file(&dataset);
    let out = path_str(&dataset);
    let fixture = fixture();
    let run = genai_trace(&[
        "harvest",
        &fixture,
        "--dataset",
        out,
        "--trace",
        "5b8e",
        "--expected",
        "391, not 392",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let case = &Dataset::load(&dataset).unwrap().cases[0];
    assert_eq!(case.expected, Some(json!("391, not 392")));
    assert_eq!(
        case.source.as_ref().unwrap().reasons.len(),
        2,
        "the score and the error"
    );

    let passing = scratch("passing.jsonl");
    std::fs::write(
        &passing,
        std::fs::read_to_string(traces())
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    let run = genai_trace(&["harvest", path_str(&passing), "--dataset", out]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains(": nothing to harvest"), "{run:?}");

    let bad = scratch("bad-dataset.jsonl");
    std::fs::write(&bad, "{\"id\":\"a\",\"input\":1}\n{\"id\":\n").unwrap();
    let run = genai_trace(&["harvest", &fixture, "--dataset", path_str(&bad)]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.starts_with(&format!(
            "genai-trace: {}:2:6: not an eval case: EOF while parsing a value",
            path_str(&bad)
        )),
        "{run:?}"
    );
}

// --- gate ---------------------------------------------------------------------------------------

fn case(id: &str, passed: bool) -> CaseResult {
    CaseResult {
        id: id.into(),
        input: format!("question {id}").into(),
        expected: None,
        output: Some("answer".into()),
        error: None,
        scores: vec![Score {
            name: "arith".into(),
            value: Some(if passed { 1.0 } else { 0.0 }),
            label: Some(if passed { "pass" } else { "fail" }.into()),
            explanation: (!passed).then(|| "off by one".into()),
            error_type: None,
            span_id: None,
        }],
        trace_id: format!("trace-{id}"),
        passed,
        not_checked: false,
        replay_misses: Vec::new(),
    }
}

/// A case whose scorer had nothing to check.
fn unchecked_case(id: &str) -> CaseResult {
    let mut case = case(id, false);
    case.not_checked = true;
    case.scores[0] = Score {
        value: None,
        label: Some("not_checked".into()),
        explanation: Some("content not captured".into()),
        ..case.scores[0].clone()
    };
    case
}

fn report(name: &str, passed: &[bool]) -> String {
    let cases = passed
        .iter()
        .enumerate()
        .map(|(i, &p)| case(&format!("c{i}"), p))
        .collect();
    save_report(name, cases)
}

fn save_report(name: &str, cases: Vec<CaseResult>) -> String {
    let path = scratch(name);
    EvalReport { cases }.save(&path).unwrap();
    path_str(&path).to_owned()
}

#[test]
fn gate_checks_thresholds_and_the_baseline() {
    let baseline = report("baseline.json", &[true, true, true, false]);
    let same = report("same.json", &[true, true, true, false]);
    let regressed = report("regressed.json", &[true, true, false, true]);
    let worse = report("worse.json", &[true, false, false, false]);

    let run = genai_trace(&[
        "gate",
        &same,
        "--baseline",
        &baseline,
        "--min-pass-rate",
        "0.7",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.starts_with("check"), "{run:?}");
    assert!(
        run.stdout
            .contains("pass rate           0.750     0.750    ≥ 0.750  OK\n"),
        "{run:?}"
    );
    assert!(
        run.stdout
            .ends_with("gate passed: 0 of 5 checks failed, 0 cases regressed\n"),
        "{run:?}"
    );

    let run = genai_trace(&["gate", &regressed, "--baseline", &baseline]);
    assert_eq!(run.code, 1, "a case regressed: {run:?}");
    assert!(
        run.stdout.contains(
            "1 case regressed (passed in the baseline, fail now):\n  c2 \"question c2\"\n      \
             arith = 0 (fail): off by one\n"
        ),
        "{run:?}"
    );
    let run = genai_trace(&[
        "gate",
        &regressed,
        "--baseline",
        &baseline,
        "--allow-case-regressions",
    ]);
    assert_eq!(run.code, 0, "{run:?}");

    let run = genai_trace(&[
        "gate",
        &worse,
        "--baseline",
        &baseline,
        "--allow-case-regressions",
    ]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout
            .contains("pass rate           0.750     0.250    ≥ 0.750  FAIL\n"),
        "{run:?}"
    );
    let run = genai_trace(&[
        "gate",
        &worse,
        "--baseline",
        &baseline,
        "--allow-case-regressions",
        "--max-drop",
        "0.5",
    ]);
    assert_eq!(run.code, 0, "{run:?}");

    let empty = report("empty.json", &[]);
    let run = genai_trace(&[
        "gate",
        &empty,
        "--baseline",
        &baseline,
        "--allow-case-regressions",
    ]);
    assert_eq!(run.code, 1, "a run without cases: {run:?}");
    assert!(
        run.stdout
            .contains("4 cases of the baseline not in this run: c0, c1, c2, c3\n"),
        "{run:?}"
    );

    let run = genai_trace(&["gate", &worse, "--min-score", "arith=0.25"]);
    assert_eq!(run.code, 0, "{run:?}");
    let run = genai_trace(&[
        "gate",
        &worse,
        "--min-score",
        "arith=0.3",
        "--min-score",
        "judge=0.1",
    ]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout
            .contains("judge mean            -      none    ≥ 0.100  FAIL\n"),
        "{run:?}"
    );
}

#[test]
fn a_gate_over_no_checked_case_fails_and_can_want_more_checked() {
    let none = save_report(
        "none-checked.json",
        (0..3).map(|i| unchecked_case(&format!("c{i}"))).collect(),
    );
    let run = genai_trace(&["gate", &none, "--min-pass-rate", "0.9"]);
    assert_eq!(run.code, 1, "nothing checked never passes: {run:?}");
    assert_eq!(
        run.stdout,
        "\
check          baseline   current  threshold
pass rate             -      none    ≥ 0.900  FAIL
checked cases         -         0    ≥ 1      FAIL
no case was checked: every score of the 3 cases was not checked (content not captured?), \
and a gate over nothing checked would always open
gate FAILED: 2 of 2 checks failed, 0 cases regressed
"
    );

    let mut cases: Vec<CaseResult> = (0..3).map(|i| case(&format!("c{i}"), true)).collect();
    cases.push(unchecked_case("c3"));
    let part = save_report("part-checked.json", cases);
    let run = genai_trace(&["gate", &part, "--min-pass-rate", "1.0"]);
    assert_eq!(run.code, 0, "3 of 3 checked pass: {run:?}");
    assert!(
        run.stdout
            .contains("checked cases         -         3    ≥ 1      OK\n"),
        "{run:?}"
    );
    let run = genai_trace(&[
        "gate",
        &part,
        "--min-pass-rate",
        "1.0",
        "--min-checked-share",
        "0.8",
    ]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout
            .contains("checked share         -     0.750    ≥ 0.800  FAIL\n"),
        "{run:?}"
    );
    let run = genai_trace(&["gate", &part, "--min-checked-share", "0.75"]);
    assert_eq!(run.code, 0, "a checked share alone is a gate: {run:?}");
    let run = genai_trace(&["gate", &part, "--min-checked", "4"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout
            .contains("checked cases         -         3    ≥ 4      FAIL\n"),
        "{run:?}"
    );

    // Against a baseline that checked every case, one no longer checked fails the gate.
    let baseline = report("all-checked.json", &[true, true, true, true]);
    let run = genai_trace(&["gate", &part, "--baseline", &baseline]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout
            .contains("checked share       1.000     0.750    ≥ 1.000  FAIL\n"),
        "{run:?}"
    );
    assert!(
        run.stdout
            .contains("1 case checked in the baseline, not checked now: c3\n"),
        "{run:?}"
    );
    assert!(
        run.stdout.ends_with("0 cases regressed\n"),
        "not checked is no regression: {run:?}"
    );
}

// --- traces with and without captured content -------------------------------------------------

/// The mixed file's traces: the three runs without capture, then the three with it.
fn mixed_runs() -> Vec<genai_tracing::eval::Trace> {
    let traces = read_traces(&mixed().1).unwrap();
    assert_eq!(traces.len(), 6, "one trace per run");
    assert!(!traces[..3].iter().any(|t| t.content_captured()));
    assert!(traces[3..].iter().all(|t| t.content_captured()));
    traces
}

#[test]
fn on_a_mixed_file_harvest_takes_the_captured_traces_and_says_how_many_it_skipped() {
    let (uncaptured, mixed) = mixed();
    let runs = mixed_runs();
    let dataset = scratch("mixed-harvest.jsonl");
    let _ = std::fs::remove_file(&dataset);
    let out = path_str(&dataset);
    let run = genai_trace(&["harvest", path_str(mixed), "--dataset", out]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stderr, skipped_note(3, 6), "{run:?}");
    let cases = Dataset::load(&dataset).unwrap().cases;
    assert_eq!(
        run.stdout,
        format!(
            "added {} from trace {}: \"What is 12 plus 7?\"\n\
             added {} from trace {}: \"What is 17 times 23?\"\n\
             2 added to {out}, 0 already there\n",
            cases[0].id, runs[4].trace_id, cases[1].id, runs[5].trace_id
        )
    );
    // The same again: nothing new, the same note.
    let run = genai_trace(&["harvest", path_str(mixed), "--dataset", out]);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (0, skipped_note(3, 6).as_str())
    );
    assert!(
        run.stdout.ends_with(
            "0 added to {out}, 2 already there\n"
                .replace("{out}", out)
                .as_str()
        ),
        "{run:?}"
    );

    // Nothing captured at all: nothing to harvest from.
    let file = path_str(uncaptured);
    let run = genai_trace(&["harvest", file, "--dataset", out]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(
        run.stderr,
        format!(
            "genai-trace: none of the 3 traces in {file} has captured content: run the agent \
             with OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true\n"
        )
    );
    assert_eq!(run.stdout, "", "{run:?}");
    // A trace picked without captured input is an error of its own.
    let run = genai_trace(&[
        "harvest",
        path_str(mixed),
        "--dataset",
        out,
        "--trace",
        &runs[0].trace_id,
    ]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("has no captured input"), "{run:?}");
    assert_eq!(Dataset::load(&dataset).unwrap().cases.len(), 2);
}

#[test]
fn on_a_mixed_file_find_searches_content_in_the_captured_traces() {
    let (uncaptured, mixed) = mixed();
    let runs = mixed_runs();
    let file = path_str(mixed);
    let run = genai_trace(&[
        "find",
        file,
        "--tool",
        "calculator",
        "--output-contains",
        "391",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stderr, skipped_note(3, 6), "{run:?}");
    assert_eq!(run.stdout.lines().count(), 1, "{run:?}");
    assert!(run.stdout.starts_with(&runs[3].trace_id), "{run:?}");
    let run = genai_trace(&["find", file, "--output-contains", "nowhere"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (1, "", skipped_note(3, 6).as_str()),
        "nothing matched, like grep"
    );
    // Conditions that need no content search every trace, and skip none.
    let run = genai_trace(&["find", file, "--errored", "--tool", "calculator"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{run:?}");
    let ids: Vec<&str> = run.stdout.lines().map(|l| &l[..32]).collect();
    let expected = [1, 2, 4, 5].map(|i| runs[i].trace_id.as_str());
    assert_eq!(ids, expected, "{run:?}");
    let file = path_str(uncaptured);
    let run = genai_trace(&["find", file, "--input-contains", "17"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .starts_with("genai-trace: none of the 3 traces in "),
        "{run:?}"
    );
}

#[test]
fn on_a_mixed_file_view_content_shows_the_captured_traces() {
    let (uncaptured, mixed) = mixed();
    let runs = mixed_runs();
    let file = path_str(mixed);
    let headings = |run: &Run| -> Vec<String> {
        run.stdout
            .lines()
            .filter_map(|l| l.strip_prefix("trace "))
            .map(|l| l[..32].to_owned())
            .collect()
    };
    let run = genai_trace(&["view", file, "--content"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stderr, skipped_note(3, 6), "{run:?}");
    let captured: Vec<String> = runs[3..].iter().map(|t| t.trace_id.clone()).collect();
    assert_eq!(headings(&run), captured, "{run:?}");
    assert!(run.stdout.contains("│  in:  What is 17 * 23?\n"), "{run:?}");
    let run = genai_trace(&["view", file]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{run:?}");
    assert_eq!(headings(&run).len(), 6, "no content asked: every trace");
    let run = genai_trace(&["view", file, "--trace", &runs[0].trace_id, "--content"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(
        run.stderr,
        format!(
            "genai-trace: trace {} has no captured content: run the agent with \
             OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true\n",
            runs[0].trace_id
        )
    );
    let run = genai_trace(&["view", path_str(uncaptured), "--content"]);
    assert_eq!((run.code, run.stdout.as_str()), (2, ""), "{run:?}");
    assert!(run.stderr.contains("has captured content"), "{run:?}");
}

#[test]
fn score_counts_traces_with_nothing_to_check_apart() {
    let (uncaptured, mixed) = mixed();
    let runs = mixed_runs();
    let file = path_str(mixed);
    let run = genai_trace(&["score", file, "--rule", "output-contains=391"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.starts_with(&format!(
            "NOT CHECKED trace {}  invoke_agent calc\n  output-contains (not checked): content \
             not captured: no answer to look for \"391\" in\n",
            runs[0].trace_id
        )),
        "{run:?}"
    );
    assert!(
        run.stdout.contains(&format!(
            "PASS trace {}  invoke_agent calc\n  output-contains = 1 (pass)\n",
            runs[3].trace_id
        )),
        "{run:?}"
    );
    assert!(
        run.stdout.ends_with("6 traces, 2 failing, 3 not checked\n"),
        "{run:?}"
    );
    let run = genai_trace(&["score", file, "--rule", "output-contains=391", "--check"]);
    assert_eq!(run.code, 1, "two failed: {run:?}");

    let run = genai_trace(&["score", file, "--rule", "output-contains=391", "--json"]);
    let lines: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines[0]["outcome"], json!("not_checked"));
    assert_eq!(lines[0]["passed"], json!(false));
    assert_eq!(lines[0]["scores"][0]["label"], json!("not_checked"));
    assert_eq!(lines[0]["scores"][0].get("value"), None, "no value");
    assert_eq!(
        (&lines[3]["outcome"], &lines[4]["outcome"]),
        (&json!("pass"), &json!("fail"))
    );

    // Nothing checked at all: the scores are the output, but --check cannot pass.
    let file = path_str(uncaptured);
    let run = genai_trace(&["score", file, "--rule", "output-contains=391"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout
            .ends_with("3 traces, 0 failing, 3 not checked: nothing was checked\n"),
        "{run:?}"
    );
    let run = genai_trace(&["score", file, "--rule", "output-contains=391", "--check"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        run.stderr,
        "genai-trace: score --check: no trace was checked (every score was not checked), so \
         none can pass\n"
    );
}

// --- bad input ----------------------------------------------------------------------------------

/// A valid line of the fixture, to break.
fn valid_line() -> String {
    std::fs::read_to_string(fixture())
        .unwrap()
        .trim_end()
        .to_owned()
}

#[test]
fn malformed_trace_files_are_one_line_errors_naming_the_place_with_exit_2() {
    let valid = valid_line();
    let mut bad_utf8 = format!("{valid}\n").into_bytes();
    let at = valid.find("invoke_agent calc").unwrap() + 3;
    let mut second = valid.clone().into_bytes();
    second[at] = 0xff;
    bad_utf8.extend(second);
    let cases: Vec<(&str, Vec<u8>, String)> = vec![
        (
            "truncated.jsonl",
            format!("{valid}\n{}", &valid[..1000]).into_bytes(),
            ":2:1000: EOF while parsing a string".into(),
        ),
        (
            "utf8.jsonl",
            bad_utf8,
            format!(":2:{}: invalid unicode code point", at + 1),
        ),
        (
            "text.jsonl",
            b"\n\nhello, world\n".to_vec(),
            ":3:1: expected value".into(),
        ),
        (
            "trace-id.jsonl",
            valid
                .replacen("5b8efff798038103d269b633813fc60c", "5b8efff7", 1)
                .into_bytes(),
            ":1:1: span \"invoke_agent calc\": a trace id has 32 hex digits, found 8".into(),
        ),
        (
            "span-id.jsonl",
            format!("{valid}\n{}", valid.replacen("b2b2b2b2b2b2b2b2", "b2b2", 1)).into_bytes(),
            ":2:1: span \"chat gpt-4o-mini\": a span id has 16 hex digits, found 4".into(),
        ),
        (
            "parent-id.jsonl",
            valid
                .replacen(
                    "\"parentSpanId\":\"a1a1a1a1a1a1a1a1\"",
                    "\"parentSpanId\":\"a1a1a1a1a1a1a1a1a1\"",
                    1,
                )
                .into_bytes(),
            ":1:1: span \"chat gpt-4o-mini\": a parent span id has 16 hex digits, found 18".into(),
        ),
        (
            "not-hex.jsonl",
            valid
                .replacen("a1a1a1a1a1a1a1a1", "zzzzzzzzzzzzzzzz", 1)
                .into_bytes(),
            ":1:".into(),
        ),
        ("empty.jsonl", Vec::new(), ": empty: no trace in it".into()),
        (
            "blank.jsonl",
            b"\n  \n".to_vec(),
            ": empty: no trace in it".into(),
        ),
    ];
    for (name, bytes, expected) in cases {
        let path = scratch(name);
        std::fs::write(&path, &bytes).unwrap();
        let file = path_str(&path);
        for command in [
            vec!["view", file],
            vec!["find", file, "--errored"],
            vec!["score", file, "--rule", "no-errors"],
            vec![
                "harvest",
                file,
                "--dataset",
                path_str(&scratch("never.jsonl")),
            ],
        ] {
            let run = genai_trace(&command);
            assert_eq!(run.code, 2, "{command:?}: {run:?}");
            assert!(
                run.stderr
                    .starts_with(&format!("genai-trace: {file}{expected}")),
                "{command:?}: {run:?}"
            );
            assert_eq!(run.stderr.lines().count(), 1, "one line: {run:?}");
            assert_eq!(run.stdout, "", "{run:?}");
        }
        // The library says the same, without the program's name.
        if !bytes.iter().all(u8::is_ascii_whitespace) {
            let err = parse_traces(&bytes, file).unwrap_err().to_string();
            assert!(err.starts_with(&format!("{file}{expected}")), "{err}");
        }
    }
    assert!(!scratch("never.jsonl").exists(), "no dataset written");

    let missing = scratch("missing.jsonl");
    let run = genai_trace(&["view", path_str(traces()), path_str(&missing)]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(
        run.stderr,
        format!(
            "genai-trace: {}: No such file or directory (os error 2)\n",
            path_str(&missing)
        )
    );
    assert_eq!(run.stdout, "", "nothing printed before the error: {run:?}");
}

#[test]
fn malformed_reports_and_bad_options_exit_2() {
    let bad = scratch("bad-report.json");
    std::fs::write(&bad, "{\"cases\": [\n  {\"id\": 3}\n]}").unwrap();
    let run = genai_trace(&["gate", path_str(&bad)]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(
        run.stderr,
        format!(
            "genai-trace: {}:2:10: not an eval report: invalid type: integer `3`, expected a string\n",
            path_str(&bad)
        )
    );
    let good = report("good.json", &[true]);
    let run = genai_trace(&["gate", &good]);
    assert_eq!(
        run.code, 2,
        "a gate with nothing to check would always open: {run:?}"
    );
    assert!(run.stderr.contains("nothing to check"), "{run:?}");
    let run = genai_trace(&["gate", &good, "--baseline", path_str(&scratch("none.json"))]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("none.json: No such file or directory"),
        "{run:?}"
    );

    let file = path_str(traces());
    for (args, says) in [
        (vec!["score", file], "--rule <SPEC>"),
        (
            vec!["score", file, "--rule", "nope"],
            "unknown rule \"nope\": known rules are no-errors",
        ),
        (
            vec!["score", file, "--rule", "max-cost=free"],
            "is not a number of US dollars",
        ),
        (
            vec!["score", file, "--rule", "max-tokens"],
            "needs an argument: max-tokens=N",
        ),
        (
            vec!["score", file, "--rule", "output-matches=("],
            "is not a regular expression",
        ),
        (
            vec!["find", file, "--score-below", "judge"],
            "expected NAME=NUMBER",
        ),
        (
            vec!["gate", &good, "--min-pass-rate", "1.5"],
            "1.5 is not from 0 to 1",
        ),
        (vec!["gate", &good, "--max-drop", "lots"], "is not a number"),
        (
            vec!["gate", &good, "--min-checked", "0"],
            "invalid value '0' for '--min-checked <N>': 0 is not at least 1: a gate over no \
             checked case would always open",
        ),
        (
            vec!["gate", &good, "--min-checked", "many"],
            "\"many\" is not a whole number of cases",
        ),
        (
            vec!["gate", &good, "--min-checked-share", "2"],
            "invalid value '2' for '--min-checked-share <X>': 2 is not from 0 to 1",
        ),
        (
            vec!["gate", &good, "--min-score", "=0.5"],
            "no name before '='",
        ),
        (vec!["harvest", file], "--dataset <OUT.jsonl>"),
        (
            vec!["harvest", file, "--dataset", "d.jsonl", "--expected", "4"],
            "--trace <ID>",
        ),
        (vec!["view"], "<FILE>"),
        (vec!["frobnicate"], "unrecognized subcommand"),
    ] {
        let run = genai_trace(&args);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(run.stderr.contains(says), "{args:?}: {run:?}");
    }
}

#[test]
fn help_explains_each_command() {
    let run = genai_trace(&["--help"]);
    assert_eq!(run.code, 0, "{run:?}");
    for line in [
        "  view     Print traces as trees",
        "  find     List the spans that match a search",
        "  score    Score every trace with rules",
        "  harvest  Turn failing traces into eval cases",
        "  gate     Gate a release on eval results",
        "Exit codes: 0 success; 1 nothing found",
    ] {
        assert!(run.stdout.contains(line), "{line:?} in {run:?}");
    }
    for (command, says) in [
        ("view", "--content"),
        ("find", "Exits 1 when nothing matches, like grep"),
        (
            "score",
            "  max-tool-errors=N      at most N tool calls failed",
        ),
        (
            "harvest",
            "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true",
        ),
        ("gate", "--allow-case-regressions"),
    ] {
        let run = genai_trace(&[command, "--help"]);
        assert_eq!(run.code, 0, "{run:?}");
        assert!(run.stdout.contains(says), "{command}: {run:?}");
    }
}
