//! Record and replay: a recorded run's `#[llm_call]` and `#[tool]` outputs served back by key and
//! position, without running the bodies, in spans of the same shape; and what cannot be served
//! (a missing, unrecorded or undecodable output) runs for real and is reported.
//!
//! The model and tools take a `World`: live when recording, changed when replaying, so a body
//! that runs during a replay returns something else and is counted.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use genai_tracing::replay::{self, Cassette, Miss, MissReason, Recording};
use genai_tracing::semconv as sc;
use genai_tracing::{agent, llm_call, tool, ModelResponse, Usage};
use genai_tracing_tests::{record, record_async, SpanDataExt, Spans};
use opentelemetry_sdk::trace::SpanData;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// What the bodies see: the world they were recorded in, or a changed one.
struct World {
    live: bool,
    runs: AtomicUsize,
}

impl World {
    fn live() -> Self {
        Self {
            live: true,
            runs: AtomicUsize::new(0),
        }
    }

    fn changed() -> Self {
        Self {
            live: false,
            runs: AtomicUsize::new(0),
        }
    }

    /// Counts a body that ran; whether it runs in the recorded world.
    fn run(&self) -> bool {
        self.runs.fetch_add(1, Ordering::SeqCst);
        self.live
    }

    fn runs(&self) -> usize {
        self.runs.load(Ordering::SeqCst)
    }
}

/// The test model's response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Reply {
    id: String,
    model: String,
    text: String,
    /// An expression for the calculator, when the model wants one computed.
    action: Option<String>,
    input_tokens: i64,
    output_tokens: i64,
}

impl ModelResponse for Reply {
    fn response_id(&self) -> Option<&str> {
        Some(&self.id)
    }
    fn response_model(&self) -> Option<&str> {
        Some(&self.model)
    }
    fn usage(&self) -> Usage {
        Usage {
            input_tokens: Some(self.input_tokens),
            output_tokens: Some(self.output_tokens),
            ..Usage::default()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ModelError(String);

impl std::fmt::Display for ModelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "model error: {}", self.0)
    }
}

/// Plans the next step: first an expression to compute, then the answer.
#[llm_call(provider = "openai", model = "gpt-4o-mini", skip(world))]
async fn plan(
    world: &World,
    question: &str,
    observation: Option<f64>,
) -> Result<Reply, ModelError> {
    tokio::task::yield_now().await;
    if !world.run() {
        return Err(ModelError("the model changed".into()));
    }
    let (n, text, action) = match observation {
        None => (1, "Let me compute.".to_owned(), Some(question.to_owned())),
        Some(x) => (2, format!("The answer is {x}."), None),
    };
    Ok(Reply {
        id: format!("chatcmpl-{n}"),
        model: "gpt-4o-mini-2024-07-18".into(),
        text,
        action,
        input_tokens: 100 * n,
        output_tokens: 7 * n,
    })
}

/// Evaluates `a op b op c …` left to right.
#[tool(skip(world))]
fn calculator(world: &World, expr: &str) -> Result<f64, String> {
    if !world.run() {
        return Ok(-1.0);
    }
    let mut tokens = expr.split_whitespace();
    let number = |t: Option<&str>| -> Result<f64, String> {
        let t = t.ok_or("a number is missing")?;
        t.parse().map_err(|_| format!("not a number: {t}"))
    };
    let mut value = number(tokens.next())?;
    while let Some(op) = tokens.next() {
        let rhs = number(tokens.next())?;
        value = match op {
            "+" => value + rhs,
            "-" => value - rhs,
            "*" => value * rhs,
            "/" => value / rhs,
            other => return Err(format!("unknown operator {other}")),
        };
    }
    Ok(value)
}

/// Answers arithmetic questions.
#[agent(name = "solver", skip(world))]
async fn solve(world: &World, question: &str) -> Result<String, String> {
    let first = plan(world, question, None)
        .await
        .map_err(|e| e.to_string())?;
    let expr = first.action.ok_or("no action")?;
    let value = calculator(world, &expr)?;
    let last = plan(world, question, Some(value))
        .await
        .map_err(|e| e.to_string())?;
    Ok(last.text)
}

/// The spans in the order they started.
fn by_start(spans: &Spans) -> Vec<&SpanData> {
    let mut all: Vec<&SpanData> = spans.0.iter().collect();
    all.sort_by_key(|s| s.start_time);
    all
}

/// Each span's names up to its root, in the order they started: the tree's shape.
fn tree(spans: &Spans) -> Vec<Vec<&str>> {
    by_start(spans)
        .into_iter()
        .map(|s| spans.chain(s))
        .collect()
}

#[test]
fn a_recorded_run_replays_its_outputs_without_running_the_bodies() {
    replay::set_recording(true);
    let live = World::live();
    let (answer, recorded) = record_async(|| solve(&live, "12 / 4 + 7"));
    assert_eq!(answer.as_deref(), Ok("The answer is 10."));
    assert_eq!(live.runs(), 3);
    let calc = recorded.one("execute_tool calculator");
    assert_eq!(
        calc.str_attr(sc::REPLAY_KEY),
        Some("execute_tool calculator")
    );
    assert_eq!(calc.json_attr(sc::REPLAY_OUTPUT), Some(json!({"Ok": 10.0})));
    let chats = recorded.all("chat gpt-4o-mini");
    assert_eq!(chats.len(), 2);
    assert_eq!(chats[0].str_attr(sc::REPLAY_KEY), Some("chat plan"));
    assert_eq!(
        chats[0].json_attr(sc::REPLAY_OUTPUT).unwrap()["Ok"]["action"],
        "12 / 4 + 7"
    );
    let agent = recorded.one("invoke_agent solver");
    assert_eq!(agent.attr(sc::REPLAY_KEY), None, "agents are not recorded");

    let cassette = Cassette::from_spans(&recorded.0);
    let changed = World::changed();
    let (replayed, spans) = record_async(|| cassette.serve(solve(&changed, "12 / 4 + 7")));
    assert_eq!(replayed, answer);
    assert_eq!(changed.runs(), 0, "no body ran");
    cassette.assert_all_served();

    assert_eq!(tree(&spans), tree(&recorded));
    for span in by_start(&spans) {
        let replayed = span.attr(sc::REPLAY_REPLAYED).is_some();
        assert_eq!(
            replayed,
            !span.name.starts_with("invoke_agent"),
            "{}",
            span.name
        );
    }
    let replayed_chats = by_start(&spans)
        .into_iter()
        .filter(|s| s.name == "chat gpt-4o-mini");
    let recorded_chats = by_start(&recorded)
        .into_iter()
        .filter(|s| s.name == "chat gpt-4o-mini");
    for (replayed, recorded) in replayed_chats.zip(recorded_chats) {
        assert_eq!(replayed.str_attr(sc::REPLAY_KEY), Some("chat plan"));
        for key in [
            sc::GEN_AI_USAGE_INPUT_TOKENS,
            sc::GEN_AI_USAGE_OUTPUT_TOKENS,
        ] {
            assert_eq!(replayed.int_attr(key), recorded.int_attr(key), "{key}");
        }
        assert_eq!(
            replayed.str_attr(sc::GEN_AI_RESPONSE_ID),
            recorded.str_attr(sc::GEN_AI_RESPONSE_ID)
        );
        assert!(replayed.f64_attr(sc::COST_USD).is_some());
        assert_eq!(
            replayed.f64_attr(sc::COST_USD),
            recorded.f64_attr(sc::COST_USD)
        );
        // Recording while replaying writes the same outputs again.
        assert_eq!(
            replayed.str_attr(sc::REPLAY_OUTPUT),
            recorded.str_attr(sc::REPLAY_OUTPUT)
        );
    }
    // The agent sums the replayed calls as it summed the recorded ones.
    let totals = |spans: &Spans| {
        spans
            .one("invoke_agent solver")
            .int_attr(sc::GEN_AI_USAGE_INPUT_TOKENS)
    };
    assert_eq!(totals(&spans), Some(300));
    assert_eq!(totals(&spans), totals(&recorded));
}

#[test]
fn each_key_is_served_its_own_recordings_in_order() {
    replay::set_recording(true);
    let run = |world: &World| {
        (
            calculator(world, "1 + 1"),
            calculator(world, "10 / 3"),
            calculator(world, "2 * 3"),
        )
    };
    let live = World::live();
    let (values, recorded) = record(|| run(&live));
    assert_eq!(values, (Ok(2.0), Ok(10.0 / 3.0), Ok(6.0)));
    let cassette = Cassette::from_spans(&recorded.0);
    let changed = World::changed();
    let (replayed, _) = record(|| cassette.serve_sync(|| run(&changed)));
    // The same values, the third to the last bit.
    assert_eq!(replayed, values);
    assert_eq!(changed.runs(), 0);
    cassette.assert_all_served();

    // Positions are per key: another key's recordings in between change nothing.
    let cassette = Cassette::new([
        Recording::new("execute_tool calculator", json!({"Ok": 1.5})),
        Recording::new("execute_tool other", json!(null)),
        Recording::new(
            "execute_tool calculator",
            json!({"Err": "division by zero"}),
        ),
    ]);
    let (first, second) =
        cassette.serve_sync(|| (calculator(&changed, "3 / 2"), calculator(&changed, "1 / 0")));
    assert_eq!(first, Ok(1.5));
    assert_eq!(second, Err("division by zero".to_owned()));
    assert_eq!(cassette.unused(), [("execute_tool other".to_owned(), 0)]);
    assert!(cassette.misses().is_empty());
}

#[test]
fn a_call_past_the_recordings_runs_for_real_and_is_a_miss() {
    replay::set_recording(true);
    let live = World::live();
    let (_, recorded) = record(|| calculator(&live, "2 + 2"));
    let cassette = Cassette::from_spans(&recorded.0);
    let changed = World::changed();
    let ((first, second), spans) = record(|| {
        cassette.serve_sync(|| (calculator(&changed, "2 + 2"), calculator(&changed, "3 + 3")))
    });
    assert_eq!(first, Ok(4.0));
    assert_eq!(second, Ok(-1.0), "ran in the changed world");
    assert_eq!(changed.runs(), 1);
    assert_eq!(
        cassette.misses(),
        [Miss {
            key: "execute_tool calculator".into(),
            position: 1,
            reason: MissReason::NoRecordingLeft,
        }]
    );
    let calls = by_start(&spans);
    assert_eq!(calls[0].attr(sc::REPLAY_REPLAYED), Some(&true.into()));
    assert_eq!(calls[1].attr(sc::REPLAY_REPLAYED), None);
    let report = std::panic::catch_unwind(|| cassette.assert_all_served())
        .expect_err("a miss fails the assertion")
        .downcast::<String>()
        .expect("a message");
    assert!(
        report.contains("execute_tool calculator #1: no recording left"),
        "{report}"
    );
}

/// A page of the test's encyclopedia.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Page {
    title: String,
    words: u32,
}

/// An error that is `Display` only: recorded by its text, not served back.
#[derive(Debug)]
struct NotFound(String);

impl std::fmt::Display for NotFound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no page titled {:?}", self.0)
    }
}

/// An error that is `Display` and `From<String>`: recorded by its text and built again from it.
#[derive(Debug, PartialEq)]
struct FetchFailed(String);

impl std::fmt::Display for FetchFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for FetchFailed {
    fn from(text: String) -> Self {
        Self(text)
    }
}

#[tool(name = "wiki_lookup", skip(world))]
fn lookup(world: &World, title: &str) -> Result<Page, NotFound> {
    if !world.run() {
        return Ok(Page {
            title: "changed".into(),
            words: 0,
        });
    }
    match title {
        "Rust" => Ok(Page {
            title: title.into(),
            words: 1200,
        }),
        _ => Err(NotFound(title.into())),
    }
}

#[tool(skip(world))]
async fn fetch(world: &World, url: &str) -> Result<Page, FetchFailed> {
    let _ = url;
    if !world.run() {
        return Ok(Page {
            title: "changed".into(),
            words: 0,
        });
    }
    Err(FetchFailed("timed out after 30 s".into()))
}

async fn look_up_and_fetch(
    world: &World,
) -> (
    Result<Page, NotFound>,
    Result<Page, NotFound>,
    Result<Page, FetchFailed>,
) {
    (
        lookup(world, "Rust"),
        lookup(world, "Atlantis"),
        fetch(world, "https://example.org").await,
    )
}

#[test]
fn a_result_with_a_display_error_is_recorded_by_the_errors_text() {
    replay::set_recording(true);
    let run = look_up_and_fetch;
    let live = World::live();
    let (_, recorded) = record_async(|| run(&live));
    let outputs: Vec<_> = by_start(&recorded)
        .into_iter()
        .map(|s| {
            (
                s.str_attr(sc::REPLAY_KEY).unwrap(),
                s.json_attr(sc::REPLAY_OUTPUT).unwrap(),
            )
        })
        .collect();
    assert_eq!(
        outputs,
        [
            (
                "execute_tool wiki_lookup",
                json!({"Ok": {"title": "Rust", "words": 1200}})
            ),
            (
                "execute_tool wiki_lookup",
                json!({"Err": "no page titled \"Atlantis\""})
            ),
            ("execute_tool fetch", json!({"Err": "timed out after 30 s"})),
        ]
    );

    let cassette = Cassette::from_spans(&recorded.0);
    let changed = World::changed();
    let ((found, missing, failed), spans) = record_async(|| cassette.serve(run(&changed)));
    assert_eq!(found.unwrap().words, 1200);
    // `NotFound` cannot be built from its text: that call ran for real.
    assert_eq!(missing.unwrap().title, "changed");
    assert_eq!(
        cassette.misses(),
        [Miss {
            key: "execute_tool wiki_lookup".into(),
            position: 1,
            reason: MissReason::ErrorNotReplayable,
        }]
    );
    assert_eq!(
        cassette.unused(),
        [("execute_tool wiki_lookup".to_owned(), 1)]
    );
    // `FetchFailed` is: the error is served back, and its span fails as the recorded one did.
    assert_eq!(failed, Err(FetchFailed("timed out after 30 s".into())));
    assert_eq!(changed.runs(), 1);
    let span = spans.one("execute_tool fetch");
    assert_eq!(span.attr(sc::REPLAY_REPLAYED), Some(&true.into()));
    assert_eq!(span.error_description(), Some("timed out after 30 s"));
    assert_eq!(
        span.str_attr(sc::ERROR_TYPE),
        recorded.one("execute_tool fetch").str_attr(sc::ERROR_TYPE)
    );
}

/// A handle on something: not serializable.
struct Handle(u32);

#[tool(capture = false)]
fn open(world: &World) -> Handle {
    world.run();
    Handle(7)
}

#[tool]
fn motto() -> &'static str {
    "borrowed"
}

#[tool(capture = false)]
fn digits() -> impl Iterator<Item = u32> {
    1..4
}

#[test]
fn a_return_type_that_cannot_be_recorded_is_skipped_and_runs_for_real() {
    replay::set_recording(true);
    let live = World::live();
    let (_, recorded) = record(|| (open(&live).0, motto(), digits().sum::<u32>()));
    for name in [
        "execute_tool open",
        "execute_tool motto",
        "execute_tool digits",
    ] {
        let span = recorded.one(name);
        assert_eq!(span.str_attr(sc::REPLAY_KEY), Some(name));
        assert_eq!(span.str_attr(sc::REPLAY_SKIPPED), Some("not serializable"));
        assert_eq!(span.attr(sc::REPLAY_OUTPUT), None);
    }
    let cassette = Cassette::from_spans(&recorded.0);
    let changed = World::changed();
    let handle = cassette.serve_sync(|| open(&changed));
    assert_eq!((handle.0, changed.runs()), (7, 1));
    assert_eq!(
        cassette.misses(),
        [Miss {
            key: "execute_tool open".into(),
            position: 0,
            reason: MissReason::NotReplayable,
        }]
    );
    // Nor is a recording made by hand.
    let cassette = Cassette::new([Recording::new("execute_tool motto", json!("other"))]);
    assert_eq!(cassette.serve_sync(motto), "borrowed");
    assert_eq!(cassette.misses()[0].reason, MissReason::NotReplayable);
    // A replayable call whose recorded run skipped it runs for real too, and says why.
    let (_, recorded) = record(|| page(replay::record_limit()));
    let cassette = Cassette::from_spans(&recorded.0);
    assert_eq!(cassette.serve_sync(|| page(3)), "xxx");
    assert_eq!(
        cassette.misses()[0].reason,
        MissReason::NotRecorded("too large".into())
    );
}

#[tool]
fn page(bytes: usize) -> String {
    "x".repeat(bytes)
}

#[test]
fn an_output_past_the_record_limit_is_skipped_as_too_large() {
    replay::set_recording(true);
    let limit = replay::record_limit();
    assert_eq!(limit, replay::DEFAULT_RECORD_LIMIT);
    // A string's JSON is its text and two quotes.
    let (_, recorded) = record(|| (page(limit - 2), page(limit - 1)));
    let spans = by_start(&recorded);
    let output = spans[0].str_attr(sc::REPLAY_OUTPUT).expect("at the limit");
    assert_eq!(output.len(), limit, "exact and untruncated");
    assert_eq!(spans[0].attr(sc::REPLAY_SKIPPED), None);
    assert_eq!(spans[1].str_attr(sc::REPLAY_SKIPPED), Some("too large"));
    assert_eq!(spans[1].attr(sc::REPLAY_OUTPUT), None);

    let cassette = Cassette::from_spans(&recorded.0);
    let (small, large) = cassette.serve_sync(|| (page(1), page(2)));
    assert_eq!(small.len(), limit - 2, "served");
    assert_eq!(large, "xx", "ran for real");
    assert_eq!(
        cassette.misses()[0].reason,
        MissReason::NotRecorded("too large".into())
    );
}

#[tool(skip(world))]
async fn calculate(world: Arc<World>, expr: String) -> Result<f64, String> {
    tokio::task::yield_now().await;
    calculator(&world, &expr)
}

#[tool(skip(world))]
async fn add(world: Arc<World>, a: f64, b: f64) -> f64 {
    tokio::task::yield_now().await;
    if !world.run() {
        return -1.0;
    }
    a + b
}

#[test]
fn tasks_spawned_through_the_crate_are_served_and_others_are_not() {
    replay::set_recording(true);
    let run = |world: Arc<World>| async move {
        let spawned = genai_tracing::spawn(add(world.clone(), 1.0, 1.0));
        let blocking = genai_tracing::spawn_blocking({
            let world = world.clone();
            move || calculator(&world, "3 * 3")
        });
        let plain = tokio::spawn(add(world, 2.0, 2.0));
        (
            spawned.await.unwrap(),
            blocking.await.unwrap(),
            plain.await.unwrap(),
        )
    };
    let live = Arc::new(World::live());
    let (values, recorded) = record_async(|| run(live.clone()));
    assert_eq!(values, (2.0, Ok(9.0), 4.0));
    let cassette = Cassette::from_spans(&recorded.0);
    assert_eq!(recorded.all("execute_tool add").len(), 2);

    let changed = Arc::new(World::changed());
    let (replayed, _) = record_async(|| cassette.serve(run(changed.clone())));
    // `genai_tracing::spawn` and `spawn_blocking` carry the cassette; a plain `tokio::spawn`
    // does not, so that call ran for real outside the cassette (which does not see it) and its
    // recording is left.
    assert_eq!(replayed, (2.0, Ok(9.0), -1.0));
    assert_eq!(changed.runs(), 1, "the plain task's");
    assert!(cassette.misses().is_empty());
    let add_positions: Vec<usize> = cassette
        .unused()
        .into_iter()
        .map(|(key, position)| {
            assert_eq!(key, "execute_tool add");
            position
        })
        .collect();
    assert_eq!(add_positions.len(), 1, "the plain task's recording");
}

#[test]
fn a_call_inside_a_served_call_is_skipped_with_it() {
    replay::set_recording(true);
    let live = Arc::new(World::live());
    let (_, recorded) = record_async(|| calculate(live.clone(), "5 - 1".into()));
    // `calculate` calls `calculator`: both recorded, the second inside the first.
    assert_eq!(recorded.0.len(), 2);
    let cassette = Cassette::from_spans(&recorded.0);
    let changed = Arc::new(World::changed());
    let run = || async {
        (
            calculate(changed.clone(), "5 - 1".into()).await,
            calculate(changed.clone(), "9 - 1".into()).await,
        )
    };
    let (values, _) = record_async(|| cassette.serve(run()));
    // The first is served, so its calculator never runs, and its recording is not left over:
    // the second runs for real, and its calculator does not take that recording either.
    assert_eq!(values, (Ok(4.0), Ok(-1.0)));
    assert_eq!(changed.runs(), 1);
    assert!(cassette.unused().is_empty());
    let misses: Vec<(String, usize)> = cassette
        .misses()
        .into_iter()
        .map(|m| (m.key, m.position))
        .collect();
    assert_eq!(
        misses,
        [
            ("execute_tool calculate".to_owned(), 1),
            ("execute_tool calculator".to_owned(), 1)
        ]
    );
}

#[test]
fn sync_code_is_served_and_threads_started_through_the_crate_are_too() {
    replay::set_recording(true);
    let run = |world: Arc<World>| {
        let here = calculator(&world, "6 * 7");
        let w = world.clone();
        let carried = genai_tracing::spawn_thread(move || calculator(&w, "1 + 2"));
        let plain = std::thread::spawn(move || calculator(&world, "3 + 4"));
        (here, carried.join().unwrap(), plain.join().unwrap())
    };
    let live = Arc::new(World::live());
    let (values, recorded) = record(|| run(live.clone()));
    assert_eq!(values, (Ok(42.0), Ok(3.0), Ok(7.0)));
    // The plain thread has no subscriber: its call left no span, so two recordings.
    let cassette = Cassette::from_spans(&recorded.0);

    let changed = Arc::new(World::changed());
    let replayed = cassette.serve_sync(|| run(changed.clone()));
    assert_eq!(replayed, (Ok(42.0), Ok(3.0), Ok(-1.0)));
    assert_eq!(changed.runs(), 1);
    cassette.assert_all_served();
}

struct Flaky {
    calls: AtomicUsize,
}

impl Flaky {
    #[tool(retry = 3)]
    fn poll(&self) -> Result<u32, String> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        if n < 3 {
            return Err(format!("attempt {n} failed"));
        }
        Ok(u32::try_from(n).unwrap())
    }

    #[llm_call(provider = "openai", model = "gpt-4o-mini", retry = 2)]
    async fn complete(&self) -> Result<Reply, ModelError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Err(ModelError("overloaded".into()))
    }
}

#[test]
fn a_call_with_retries_is_served_before_any_attempt() {
    let flaky = Flaky {
        calls: AtomicUsize::new(0),
    };
    let cassette = Cassette::new([
        Recording::new("execute_tool poll", json!({"Ok": 3})),
        Recording::new("chat complete", json!({"Err": "overloaded"})),
    ]);
    let ((polled, completed), spans) =
        record_async(|| cassette.serve(async { (flaky.poll(), flaky.complete().await) }));
    assert_eq!(polled, Ok(3));
    assert_eq!(completed, Err(ModelError("overloaded".into())));
    assert_eq!(flaky.calls.load(Ordering::SeqCst), 0, "no attempt was made");
    cassette.assert_all_served();
    let chat = spans.one("chat gpt-4o-mini");
    assert_eq!(chat.attr(sc::REPLAY_REPLAYED), Some(&true.into()));
    assert!(chat.is_error());
    assert!(chat.events.is_empty(), "no failed attempts");
}

#[async_trait::async_trait]
trait Search: Send + Sync {
    async fn search(&self, query: &str) -> Result<Vec<String>, FetchFailed>;
}

struct Index(Arc<World>);

#[async_trait::async_trait]
impl Search for Index {
    #[tool(name = "index_search")]
    async fn search(&self, query: &str) -> Result<Vec<String>, FetchFailed> {
        if !self.0.run() {
            return Err(FetchFailed("the index changed".into()));
        }
        Ok(vec![format!("{query}, part 1"), format!("{query}, part 2")])
    }
}

#[test]
fn an_async_trait_method_is_recorded_and_replayed_over_its_future() {
    replay::set_recording(true);
    let live: Box<dyn Search> = Box::new(Index(Arc::new(World::live())));
    let (found, recorded) = record_async(|| live.search("rust"));
    assert_eq!(found.as_ref().unwrap().len(), 2);
    assert_eq!(
        recorded
            .one("execute_tool index_search")
            .json_attr(sc::REPLAY_OUTPUT),
        Some(json!({"Ok": ["rust, part 1", "rust, part 2"]}))
    );
    let cassette = Cassette::from_spans(&recorded.0);
    let world = Arc::new(World::changed());
    let changed: Box<dyn Search> = Box::new(Index(world.clone()));
    let (replayed, _) = record_async(|| cassette.serve(changed.search("rust")));
    assert_eq!(replayed, found);
    assert_eq!(world.runs(), 0);
    cassette.assert_all_served();
}
