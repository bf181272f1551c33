//! The trace-to-fix loop in the library: online scoring through the export pipeline (rule
//! scorers and an LLM judge, results read back from exported spans), the eval harness, and trace
//! files read back with the scores on them.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use genai_tracing::capture::CapturePolicy;
use genai_tracing::eval::{
    read_traces, rule, Dataset, Eval, EvalCase, Gate, JudgePrompt, LlmJudge, Outcome, Trace,
    Verdict,
};
use genai_tracing::export::TailSampling;
use genai_tracing::semconv as sc;
use genai_tracing::{agent, llm_call, tool, Builder};
use opentelemetry::trace::{SpanId, Status};
use opentelemetry::Value as OtelValue;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SpanData};
use serde_json::{json, Value};
use tracing::instrument::WithSubscriber as _;

/// The calculator exercise's bug, switched on per test.
static OFF_BY_ONE: AtomicBool = AtomicBool::new(false);

/// Held by each test: they share the bug switch.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Multiplies two numbers (wrongly, with the bug on).
#[tool]
fn multiply(a: i64, b: i64) -> i64 {
    a * b + i64::from(OFF_BY_ONE.load(SeqCst))
}

/// Answers "a * b" questions with the tool's result.
#[agent(name = "calculator-agent")]
async fn ask(question: &str) -> Result<String, String> {
    let (a, b) = question
        .split_once('*')
        .ok_or_else(|| format!("not a product: {question}"))?;
    let parse = |s: &str| s.trim().parse::<i64>().map_err(|e| e.to_string());
    let (a, b) = (parse(a)?, parse(b)?);
    Ok(format!("{a} * {b} = {}", multiply(a, b)))
}

/// Checks the answer's arithmetic: the one-line scorer of the exercise.
fn arithmetic(trace: &Trace) -> Verdict {
    let Some(answer) = trace.output() else {
        return Verdict::fail("no answer captured");
    };
    let nums: Vec<i64> = answer
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|s| s.parse().ok())
        .collect();
    match nums[..] {
        [a, b, c] if a * b == c => Verdict::pass(),
        [a, b, c] => Verdict::fail(format!("{a} * {b} is {}, not {c}", a * b)),
        _ => Verdict::fail(format!("no product in {answer:?}")),
    }
}

/// The judge model: a stand-in that fails any answer the prompt shows as wrong.
#[llm_call(provider = "openai", model = "judge-model")]
async fn judge_model(prompt: &JudgePrompt) -> Result<Value, io::Error> {
    let verdict = if prompt.user.contains("= 392") {
        r#"{"score": 0.1, "explanation": "17 * 23 is 391"}"#
    } else {
        r#"{"score": 0.9, "explanation": "correct"}"#
    };
    Ok(json!({
        "id": "judge-1", "model": "judge-model",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": verdict}}],
        "usage": {"prompt_tokens": 120, "completion_tokens": 12}
    }))
}

fn judge() -> impl genai_tracing::eval::Scorer {
    LlmJudge::new(
        "correctness",
        "The answer is arithmetically right.",
        |prompt: JudgePrompt| async move {
            let reply = judge_model(&prompt).await?;
            let text = reply["choices"][0]["message"]["content"].as_str();
            Ok::<_, io::Error>(text.unwrap_or_default().to_owned())
        },
    )
}

fn attr<'a>(span: &'a SpanData, key: &str) -> Option<&'a OtelValue> {
    span.attributes
        .iter()
        .find(|kv| kv.key.as_str() == key)
        .map(|kv| &kv.value)
}

fn event_attr<'a>(event: &'a opentelemetry::trace::Event, key: &str) -> Option<&'a OtelValue> {
    event
        .attributes
        .iter()
        .find(|kv| kv.key.as_str() == key)
        .map(|kv| &kv.value)
}

/// The score `name` recorded on `span`, as its `gen_ai.evaluation.result` event.
fn score_event<'a>(
    span: &'a opentelemetry_sdk::trace::SpanData,
    name: &str,
) -> Option<&'a opentelemetry::trace::Event> {
    span.events.iter().find(|e| {
        event_attr(e, sc::GEN_AI_EVALUATION_NAME) == Some(&OtelValue::from(name.to_owned()))
    })
}

/// Three cases: two with an expected answer, the third (`two * 3`) without one.
fn two_expected_one_not() -> Dataset {
    Dataset::parse(
        br#"{"id":"a","input":"17 * 23","expected":"391"}
{"id":"b","input":"2 * 3","expected":"6"}
{"id":"c","input":"two * 3"}
"#,
        "inline",
    )
    .unwrap()
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn online_scores_land_on_the_judged_span_the_judge_is_traced_and_a_failed_score_keeps_the_trace() {
    let _serial = serial();
    genai_tracing::capture::set_content_capture(CapturePolicy::Content);
    let spans = InMemorySpanExporter::default();
    let (dispatch, guard) = Builder::from_env()
        .unwrap()
        .with_exporter("memory", spans.clone())
        .tail_sampling(TailSampling::keep_errors_and(0.0))
        .score(rule("arithmetic", arithmetic))
        .score(judge())
        .build()
        .unwrap();
    for bug in [false, true] {
        OFF_BY_ONE.store(bug, SeqCst);
        let answer = block_on(ask("17 * 23").with_subscriber(dispatch.clone())).unwrap();
        assert_eq!(
            answer,
            if bug {
                "17 * 23 = 392"
            } else {
                "17 * 23 = 391"
            }
        );
    }
    guard.flush().unwrap();
    let stats = guard.stats();
    assert_eq!(stats.traces_scored, 2, "{stats:?}");
    assert_eq!(stats.traces_unscored, 0);
    assert_eq!(
        (stats.traces_kept, stats.traces_sampled_out),
        (1, 1),
        "only the failing run is kept at ratio 0"
    );

    let spans = spans.get_finished_spans().unwrap();
    let root = spans
        .iter()
        .find(|s| s.name == "invoke_agent calculator-agent")
        .expect("the kept run");
    let trace_id = root.span_context.trace_id();
    assert!(spans.iter().all(|s| s.span_context.trace_id() == trace_id));
    // Both scores, as gen_ai.evaluation.result events on the root.
    let results: Vec<_> = root
        .events
        .iter()
        .filter(|e| e.name == sc::GEN_AI_EVALUATION_RESULT)
        .collect();
    assert_eq!(results.len(), 2, "{:?}", root.events);
    let arithmetic = results[0];
    assert_eq!(
        event_attr(arithmetic, sc::GEN_AI_EVALUATION_NAME),
        Some(&OtelValue::from("arithmetic"))
    );
    assert_eq!(
        event_attr(arithmetic, sc::GEN_AI_EVALUATION_SCORE_VALUE),
        Some(&OtelValue::F64(0.0))
    );
    assert_eq!(
        event_attr(arithmetic, sc::GEN_AI_EVALUATION_SCORE_LABEL),
        Some(&OtelValue::from("fail"))
    );
    assert_eq!(
        event_attr(arithmetic, sc::GEN_AI_EVALUATION_EXPLANATION),
        Some(&OtelValue::from("17 * 23 is 391, not 392"))
    );
    let judged = results[1];
    assert_eq!(
        event_attr(judged, sc::GEN_AI_EVALUATION_SCORE_VALUE),
        Some(&OtelValue::F64(0.1))
    );
    // The judge: an evaluator span under the judged root, its model call beneath it.
    let evaluator = spans
        .iter()
        .find(|s| s.name == "evaluate correctness")
        .expect("the evaluator span");
    assert_eq!(evaluator.parent_span_id, root.span_context.span_id());
    assert!(!evaluator.parent_span_is_remote);
    assert_eq!(
        attr(evaluator, sc::OPENINFERENCE_SPAN_KIND),
        Some(&OtelValue::from("EVALUATOR"))
    );
    assert_eq!(
        attr(evaluator, sc::GEN_AI_EVALUATION_SCORE_LABEL),
        Some(&OtelValue::from("fail"))
    );
    let call = spans
        .iter()
        .find(|s| s.name == "chat judge-model")
        .expect("the judge's model call");
    assert_eq!(call.parent_span_id, evaluator.span_context.span_id());
    assert_eq!(
        attr(call, sc::GEN_AI_USAGE_INPUT_TOKENS),
        Some(&OtelValue::I64(120))
    );
    // What the judge was shown: the tool call and the wrong answer.
    let shown = attr(call, sc::GEN_AI_INPUT_MESSAGES).unwrap().as_str();
    assert!(shown.contains("execute_tool multiply"), "{shown}");
    assert!(shown.contains("17 * 23 = 392"), "{shown}");
}

/// The `arithmetic` rule, needing the captured answer: not checked without it.
fn arithmetic_if_captured(trace: &Trace) -> Verdict {
    match trace.output() {
        None => Verdict::not_checked("content not captured"),
        Some(_) => arithmetic(trace),
    }
}

#[test]
fn a_score_with_nothing_to_check_is_exported_as_not_checked_and_keeps_nothing() {
    let _serial = serial();
    genai_tracing::capture::set_content_capture(CapturePolicy::NoContent);
    // At ratio 0, a run with the bug but nothing captured is not kept: not checked is no fail;
    // at ratio 1, it is exported with its scores.
    let mut exported = Vec::new();
    for ratio in [0.0, 1.0] {
        let spans = InMemorySpanExporter::default();
        let (dispatch, guard) = Builder::from_env()
            .unwrap()
            .with_exporter("memory", spans.clone())
            .tail_sampling(TailSampling::keep_errors_and(ratio))
            .score(rule("arithmetic", arithmetic_if_captured))
            .score(rule("explains", |_: &Trace| true))
            .build()
            .unwrap();
        OFF_BY_ONE.store(true, SeqCst);
        let answer = block_on(ask("17 * 23").with_subscriber(dispatch.clone()));
        OFF_BY_ONE.store(false, SeqCst);
        assert_eq!(answer.unwrap(), "17 * 23 = 392");
        guard.flush().unwrap();
        let stats = guard.stats();
        assert_eq!(stats.traces_scored, 1, "{stats:?}");
        assert_eq!(stats.traces_kept, u64::from(ratio > 0.0), "{stats:?}");
        exported = spans.get_finished_spans().unwrap();
    }
    genai_tracing::capture::set_content_capture(CapturePolicy::Content);
    let spans = exported;
    let root = spans
        .iter()
        .find(|s| s.name == "invoke_agent calculator-agent")
        .expect("the run kept at ratio 1");
    let unchecked = score_event(root, "arithmetic").expect("the arithmetic score");
    assert_eq!(
        event_attr(unchecked, sc::GEN_AI_EVALUATION_SCORE_LABEL),
        Some(&OtelValue::from("not_checked"))
    );
    assert_eq!(
        event_attr(unchecked, sc::EVALUATION_OUTCOME),
        Some(&OtelValue::from("not_checked"))
    );
    assert_eq!(
        event_attr(unchecked, sc::GEN_AI_EVALUATION_SCORE_VALUE),
        None,
        "nothing checked: no value"
    );
    assert_eq!(
        event_attr(unchecked, sc::GEN_AI_EVALUATION_EXPLANATION),
        Some(&OtelValue::from("content not captured"))
    );
    let passed = score_event(root, "explains").expect("the other score");
    assert_eq!(
        event_attr(passed, sc::EVALUATION_OUTCOME),
        Some(&OtelValue::from("pass"))
    );
}

#[test]
fn the_harness_counts_cases_with_nothing_checked_apart_and_the_gate_wants_checked_cases() {
    let _serial = serial();
    let dataset = two_expected_one_not();
    // A scorer that checks the expected answer only: case c has none.
    let expected = rule("expected", |t: &Trace| {
        let Some(expected) = t.expected.as_ref().and_then(Value::as_str) else {
            return Verdict::not_checked("no expected answer");
        };
        Verdict::from(t.output().is_some_and(|o| o.ends_with(expected)))
    });
    let eval = Eval::new(dataset).scorer(expected);
    OFF_BY_ONE.store(false, SeqCst);
    let report = block_on(eval.run(|case: EvalCase| async move {
        // c's question is answered, but nothing says what the right answer is.
        ask(&case.input_text().replace("two", "2")).await
    }));
    let outcomes: Vec<Outcome> = report.cases.iter().map(|c| c.outcome()).collect();
    assert_eq!(
        outcomes,
        [Outcome::Pass, Outcome::Pass, Outcome::NotChecked],
        "{report}"
    );
    assert_eq!((report.checked(), report.pass_rate()), (2, 1.0));
    assert!(report.to_string().contains(
        "NOT CHECKED c \"two * 3\" -> \"2 * 3 = 6\"\n     expected (not checked): no expected answer\n"
    ));
    assert!(
        report
            .to_string()
            .contains("pass rate 1.000 (2/2), 1 case not checked\n"),
        "{report}"
    );
    report.check(1.0).expect("both checked cases pass");
    // The report keeps the outcome through its JSON.
    let path = std::env::temp_dir().join(format!(
        "genai-tracing-unchecked-{}.json",
        std::process::id()
    ));
    report.save(&path).unwrap();
    let json = std::fs::read_to_string(&path).unwrap();
    assert_eq!(json.matches("\"not_checked\": true").count(), 1, "{json}");
    assert!(json.contains("\"label\": \"not_checked\""), "{json}");
    assert_eq!(
        genai_tracing::eval::EvalReport::load(&path).unwrap(),
        report
    );
    let _ = std::fs::remove_file(&path);

    let gate = Gate::new().min_pass_rate(1.0);
    assert!(gate.check(&report, None).passed());
    assert!(!gate
        .clone()
        .min_checked_share(0.9)
        .check(&report, None)
        .passed());
}

#[test]
fn a_panicking_scorer_or_a_failing_judge_gives_an_error_score_and_the_run_is_untouched() {
    let _serial = serial();
    let spans = InMemorySpanExporter::default();
    let failing_judge = LlmJudge::new("tone", "polite", |_: JudgePrompt| async {
        Err::<String, _>("judge unreachable")
    });
    let rambling_judge = LlmJudge::new("length", "short", |_: JudgePrompt| async {
        Ok::<_, String>("I think it is fine.".to_owned())
    });
    let (dispatch, guard) = Builder::from_env()
        .unwrap()
        .with_exporter("memory", spans.clone())
        .tail_sampling(TailSampling::keep_errors_and(0.0))
        .score(rule("explodes", |_: &Trace| -> bool {
            panic!("scorer bug")
        }))
        .score(failing_judge)
        .score(rambling_judge)
        .build()
        .unwrap();
    OFF_BY_ONE.store(false, SeqCst);
    let answer = block_on(ask("2 * 3").with_subscriber(dispatch.clone()));
    assert_eq!(answer.unwrap(), "2 * 3 = 6");
    guard.flush().unwrap();
    let stats = guard.stats();
    assert_eq!(stats.traces_kept, 1, "an erroring scorer keeps the trace");
    let spans = spans.get_finished_spans().unwrap();
    let root = spans
        .iter()
        .find(|s| s.parent_span_id == SpanId::INVALID)
        .unwrap();
    let errors: Vec<(String, String)> = root
        .events
        .iter()
        .map(|e| {
            (
                event_attr(e, sc::GEN_AI_EVALUATION_NAME)
                    .unwrap()
                    .to_string(),
                event_attr(e, sc::ERROR_TYPE).unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            ("explodes".into(), "panic".into()),
            ("tone".into(), "judge_error".into()),
            ("length".into(), "unreadable_verdict".into())
        ]
    );
    let tone = spans.iter().find(|s| s.name == "evaluate tone").unwrap();
    assert!(
        matches!(&tone.status, Status::Error { description } if description.contains("judge unreachable"))
    );
}

#[test]
fn a_full_scoring_queue_decides_traces_unscored_and_shutdown_is_bounded_and_counts_the_rest() {
    let _serial = serial();
    let (dispatch, guard) = Builder::from_env()
        .unwrap()
        .with_exporter("memory", InMemorySpanExporter::default())
        .tail_sampling(TailSampling::keep_errors_and(0.0))
        .score(rule("slow", |_: &Trace| {
            std::thread::sleep(Duration::from_millis(5));
            true
        }))
        .shutdown_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = Instant::now();
    tracing::dispatcher::with_default(&dispatch, || {
        for _ in 0..2_000 {
            let _ = multiply(2, 3);
        }
    });
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "scoring is off the caller's path: {:?}",
        started.elapsed()
    );
    let shutting = Instant::now();
    let stats = guard.shutdown();
    assert!(
        shutting.elapsed() < Duration::from_secs(2),
        "{:?}",
        shutting.elapsed()
    );
    assert!(stats.traces_unscored > 0, "{stats:?}");
    assert_eq!(
        stats.traces_scored + stats.traces_unscored,
        2_000,
        "every trace scored or counted: {stats:?}"
    );
}

#[test]
fn the_harness_reports_per_case_writes_scored_traces_and_fails_below_its_threshold() {
    let _serial = serial();
    genai_tracing::capture::set_content_capture(CapturePolicy::Content);
    let dir = std::env::temp_dir().join(format!("genai-tracing-eval-{}", std::process::id()));
    let traces = dir.join("eval-traces.jsonl");
    let _ = std::fs::remove_dir_all(&dir);
    let dataset = two_expected_one_not();
    let eval = Eval::new(dataset)
        .scorer(rule("arithmetic", arithmetic))
        .scorer(judge())
        .traces_to(&traces);
    OFF_BY_ONE.store(true, SeqCst);
    let report = block_on(eval.run(|case: EvalCase| async move { ask(&case.input_text()).await }));
    OFF_BY_ONE.store(false, SeqCst);
    let verdicts: Vec<(&str, bool)> = report
        .cases
        .iter()
        .map(|c| (c.id.as_str(), c.passed))
        .collect();
    assert_eq!(verdicts, [("a", false), ("b", false), ("c", false)]);
    assert_eq!(report.cases[0].output.as_deref(), Some("17 * 23 = 392"));
    assert_eq!(
        report.cases[2].error.as_deref(),
        Some("invalid digit found in string")
    );
    let failure = report.check(0.5).unwrap_err().to_string();
    assert!(
        failure.contains("pass rate 0.000 is below 0.500"),
        "{failure}"
    );
    assert!(
        failure.contains("arithmetic = 0 (fail): 17 * 23 is 391, not 392"),
        "{failure}"
    );

    // The fixed tool passes the cases that have a product.
    let fixed = block_on(eval.run(|case: EvalCase| async move { ask(&case.input_text()).await }));
    assert_eq!(fixed.pass_rate(), 2.0 / 3.0, "{fixed}");
    assert_eq!(
        fixed.scorers()["correctness"].passed,
        3,
        "the judge scores the failed run too"
    );

    // Every run's trace is in the file, its scores on its root and the judge beneath it.
    let written = read_traces(&traces).unwrap();
    assert_eq!(written.len(), 6);
    let first = &written[0];
    let scores = first.scores();
    assert_eq!(scores.len(), 2);
    assert!(!scores[0].passed());
    assert_eq!(
        scores[0].span_id.as_deref(),
        Some(first.root().unwrap().span_id.as_str())
    );
    let evaluator = first
        .spans
        .iter()
        .find(|s| s.name == "evaluate correctness")
        .expect("the judge's span in the trace");
    assert_eq!(
        first.path(evaluator),
        "invoke_agent calculator-agent > evaluate correctness"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_harvested_failing_run_replays_deterministically_under_the_harness() {
    let _serial = serial();
    genai_tracing::capture::set_content_capture(CapturePolicy::Content);
    let dir = std::env::temp_dir().join(format!("genai-tracing-replay-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let recorded = dir.join("recorded.jsonl");
    let asked = |case: EvalCase| async move { ask(&case.input_text()).await };

    // A failing run, recorded into a trace file.
    genai_tracing::replay::set_recording(true);
    OFF_BY_ONE.store(true, SeqCst);
    let first = Dataset {
        cases: vec![EvalCase::new("17 * 23".into())],
    };
    let report = block_on(
        Eval::new(first)
            .scorer(rule("arithmetic", arithmetic))
            .traces_to(&recorded)
            .run(asked),
    );
    genai_tracing::replay::set_recording(false);
    OFF_BY_ONE.store(false, SeqCst);
    assert!(!report.cases[0].passed);

    // Harvested from the file: input, why it failed, what the tool returned.
    let traces = read_traces(&recorded).unwrap();
    let case = EvalCase::from_trace(&traces[0]).unwrap();
    assert_eq!(case.input, json!("17 * 23"));
    let reasons = &case.source.as_ref().unwrap().reasons;
    assert_eq!(reasons, &["arithmetic = 0 (fail): 17 * 23 is 391, not 392"]);
    assert_eq!(case.recordings.len(), 1);
    assert_eq!(case.recordings[0].key, "execute_tool multiply");
    assert_eq!(case.recordings[0].output, json!(392));

    // The tool is fixed now; replayed, the recorded run still fails the same way.
    let dataset = Dataset { cases: vec![case] };
    let replayed = block_on(
        Eval::new(dataset.clone())
            .scorer(rule("arithmetic", arithmetic))
            .replay(true)
            .run(asked),
    );
    let result = &replayed.cases[0];
    assert!(!result.passed, "{replayed}");
    assert_eq!(result.output.as_deref(), Some("17 * 23 = 392"));
    assert!(
        result.replay_misses.is_empty(),
        "{:?}",
        result.replay_misses
    );
    // Live, it passes.
    let live = block_on(
        Eval::new(dataset)
            .scorer(rule("arithmetic", arithmetic))
            .run(asked),
    );
    assert!(live.cases[0].passed, "{live}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn traces_the_scorers_start_are_not_scored_and_a_judge_past_its_time_is_a_timeout() {
    let _serial = serial();
    static RULE_RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let spans = InMemorySpanExporter::default();
    let slow_judge = LlmJudge::new("patience", "answers at once", |_: JudgePrompt| async {
        tokio::time::sleep(Duration::from_secs(30)).await;
        Ok::<_, String>(r#"{"score": 1}"#.to_owned())
    });
    let (dispatch, guard) = Builder::from_env()
        .unwrap()
        .with_exporter("memory", spans.clone())
        .score(rule("checks_with_a_tool", |_: &Trace| {
            RULE_RUNS.fetch_add(1, SeqCst);
            multiply(2, 2) == 4 // a traced tool: a trace of the scorer's own
        }))
        .score(slow_judge)
        .score_timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    OFF_BY_ONE.store(false, SeqCst);
    block_on(ask("2 * 3").with_subscriber(dispatch.clone())).unwrap();
    guard.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300)); // time to score its own trace, were it to
    guard.flush().unwrap();
    assert_eq!(
        RULE_RUNS.load(SeqCst),
        1,
        "the scorer's own trace is not scored"
    );
    let stats = guard.stats();
    assert_eq!(
        (stats.traces_scored, stats.traces_unscored),
        (1, 1),
        "{stats:?}"
    );
    let spans = spans.get_finished_spans().unwrap();
    let root = spans
        .iter()
        .find(|s| s.name == "invoke_agent calculator-agent")
        .unwrap();
    let timed_out = score_event(root, "patience").expect("the judge's score");
    assert_eq!(
        event_attr(timed_out, sc::ERROR_TYPE),
        Some(&OtelValue::from("timeout"))
    );
    assert_eq!(
        spans
            .iter()
            .filter(|s| s.name == "execute_tool multiply")
            .count(),
        2,
        "the agent's call and the scorer's, exported apart"
    );
}

/// Keeps what it exports, through shutdown.
#[derive(Debug, Clone, Default)]
struct Kept(std::sync::Arc<Mutex<Vec<SpanData>>>);

impl opentelemetry_sdk::trace::SpanExporter for Kept {
    async fn export(&self, batch: Vec<SpanData>) -> opentelemetry_sdk::error::OTelSdkResult {
        self.0.lock().unwrap().extend(batch);
        Ok(())
    }
}

#[test]
fn a_slow_scorer_at_shutdown_leaves_the_queues_their_time_for_what_is_scored() {
    let _serial = serial();
    let spans = Kept::default();
    let (dispatch, guard) = Builder::from_env()
        .unwrap()
        .with_exporter("memory", spans.clone())
        .score(rule("slow_on_six", |t: &Trace| {
            if t.root().and_then(|r| r.tool_name()).is_none() {
                std::thread::sleep(Duration::from_secs(2));
            }
            true
        }))
        .shutdown_timeout(Duration::from_millis(600))
        .build()
        .unwrap();
    tracing::dispatcher::with_default(&dispatch, || multiply(1, 1)); // scored at once
    std::thread::sleep(Duration::from_millis(100));
    block_on(ask("2 * 3").with_subscriber(dispatch.clone())).unwrap(); // 2 s to score
    let started = Instant::now();
    let stats = guard.shutdown();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    let exported = spans.0.lock().unwrap().len();
    assert_eq!(exported, 1, "the scored trace is exported: {stats:?}");
    assert_eq!(stats.traces_scored, 1, "{stats:?}");
    assert_eq!(stats.traces_unscored, 1, "{stats:?}");
    assert_eq!(
        stats.dropped_at_shutdown, 2,
        "the agent and its tool call: {stats:?}"
    );
}

/// Answers at once; asked "first", it leaves a task running that makes a span later.
#[agent(name = "hasty")]
async fn hasty(question: &str) -> Result<String, String> {
    if question == "first" {
        genai_tracing::spawn(async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            multiply(5, 5)
        });
    } else {
        tokio::time::sleep(Duration::from_millis(150)).await; // the first task ends meanwhile
    }
    Ok(question.to_owned())
}

#[test]
fn a_task_a_case_leaves_running_does_not_join_the_next_case() {
    let _serial = serial();
    let dataset = Dataset {
        cases: vec![
            EvalCase::new("first".into()),
            EvalCase::new("second".into()),
        ],
    };
    let report = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(
            Eval::new(dataset)
                .scorer(rule("only_my_spans", |t: &Trace| {
                    let names: Vec<&str> = t.spans.iter().map(|s| s.name.as_str()).collect();
                    Verdict::from(t.tool_calls("multiply").next().is_none())
                        .because(names.join(", "))
                }))
                .run(|case: EvalCase| async move { hasty(&case.input_text()).await }),
        );
    let second = &report.cases[1];
    assert!(second.passed, "{report}");
    assert_eq!(
        second.scores[0].explanation.as_deref(),
        Some("invoke_agent hasty"),
        "{report}"
    );
    assert_ne!(report.cases[0].trace_id, second.trace_id);
}

#[test]
fn scorers_without_an_exporter_are_refused() {
    let refused = Builder::from_env()
        .unwrap()
        .score(rule("any", |_: &Trace| true))
        .build();
    assert!(
        matches!(refused, Err(genai_tracing::InitError::ScoringWithoutExport)),
        "{:?}",
        refused.map(|_| ())
    );
}
