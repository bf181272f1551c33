//! Session, user, conversation, tags and metadata set once for a scope reach every span inside
//! it: across `.await`, into tasks and threads started through the crate's helpers, and not into
//! anyone else's run — 10,000 concurrent runs on a multi-thread runtime, zero leaks.

use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::Duration;

use genai_tracing::{agent, tool, TraceAttributes};
use genai_tracing_tests::{record, SpanDataExt};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use serde_json::json;
use tracing_subscriber::layer::SubscriberExt as _;

#[tool]
async fn step(run: i64) -> i64 {
    tokio::time::sleep(Duration::from_micros((run % 7) as u64 * 100)).await;
    run
}

#[tool]
fn blocking_step(run: i64) -> i64 {
    run * 2
}

#[agent(fields(run = run))]
async fn run_agent(run: i64) -> i64 {
    tokio::task::yield_now().await;
    let a = step(run).await;
    let b = genai_tracing::spawn(step(run)).await.unwrap();
    let c = genai_tracing::spawn_blocking(move || blocking_step(run))
        .await
        .unwrap();
    a + b + c
}

/// One global pipeline for this binary: the runtime's worker threads need a global subscriber.
fn global_spans() -> &'static InMemorySpanExporter {
    static EXPORTER: OnceLock<InMemorySpanExporter> = OnceLock::new();
    EXPORTER.get_or_init(|| {
        let exporter = InMemorySpanExporter::default();
        let provider = SdkTracerProvider::builder()
            .with_simple_exporter(exporter.clone())
            .build();
        let subscriber = tracing_subscriber::registry()
            .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("scope-test")));
        tracing::subscriber::set_global_default(subscriber).expect("global subscriber");
        exporter
    })
}

#[test]
fn ten_thousand_concurrent_runs_never_see_each_others_ids() {
    const RUNS: i64 = 10_000;
    let spans = global_spans();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let handles: Vec<_> = (0..RUNS)
            .map(|run| {
                let attrs = TraceAttributes::new()
                    .session(format!("session-{run}"))
                    .user(format!("user-{run}"))
                    .tag(format!("run-{run}"));
                tokio::spawn(attrs.scope(run_agent(run)))
            })
            .collect();
        for (run, h) in handles.into_iter().enumerate() {
            assert_eq!(h.await.unwrap(), run as i64 * 4);
        }
    });
    drop(rt);

    let finished: Vec<SpanData> = spans.get_finished_spans().unwrap();
    let mut by_trace: HashMap<_, Vec<&SpanData>> = HashMap::new();
    for s in finished.iter().filter(|s| {
        s.str_attr("session.id")
            .is_some_and(|v| v.starts_with("session-"))
    }) {
        by_trace
            .entry(s.span_context.trace_id())
            .or_default()
            .push(s);
    }
    assert_eq!(by_trace.len(), RUNS as usize, "one trace per run");
    let mut mismatches = 0;
    for spans in by_trace.values() {
        assert_eq!(
            spans.len(),
            4,
            "agent, step, spawned step, blocking step in one trace"
        );
        let root = spans
            .iter()
            .find(|s| s.name == "invoke_agent run_agent")
            .expect("root");
        let run = root.int_attr("run").unwrap();
        for s in spans {
            let ok = s.str_attr("session.id") == Some(format!("session-{run}").as_str())
                && s.str_attr("user.id") == Some(format!("user-{run}").as_str())
                && s.strings_attr("tag.tags") == Some(vec![format!("run-{run}")]);
            mismatches += usize::from(!ok);
        }
    }
    assert_eq!(mismatches, 0, "spans carrying another run's ids");
}

#[tool]
fn lookup(q: &str) -> usize {
    q.len()
}

#[agent(session = format!("s-{id}"), user = user, conversation = "thread-9")]
fn handle(id: u32, user: &str) -> usize {
    TraceAttributes::new()
        .tag("inner")
        .metadata("step", 2)
        .in_scope(|| lookup("x"))
        + genai_tracing::spawn_thread(|| lookup("yy")).join().unwrap()
}

#[test]
fn macro_options_and_nested_scopes_merge_and_reach_threads() {
    let outer = TraceAttributes::new()
        .session("outer")
        .tag("outer")
        .metadata("tenant", "acme");
    let (n, spans) = record(|| outer.in_scope(|| handle(7, "ann")));
    assert_eq!(n, 3);
    let root = spans.one("invoke_agent handle");
    assert_eq!(
        root.str_attr("session.id"),
        Some("s-7"),
        "the function's own option wins"
    );
    assert_eq!(root.str_attr("user.id"), Some("ann"));
    assert_eq!(root.str_attr("gen_ai.conversation.id"), Some("thread-9"));
    assert_eq!(
        root.strings_attr("tag.tags"),
        Some(vec!["outer".to_owned()])
    );
    assert_eq!(root.json_attr("metadata"), Some(json!({"tenant": "acme"})));
    let lookups: Vec<_> = spans.all("execute_tool lookup");
    assert_eq!(lookups.len(), 2);
    for l in &lookups {
        assert_eq!(l.str_attr("session.id"), Some("s-7"));
        assert_eq!(l.str_attr("user.id"), Some("ann"));
        assert_eq!(
            spans.parent_of(l).map(|p| p.name.as_ref()),
            Some("invoke_agent handle")
        );
    }
    let scoped = lookups
        .iter()
        .find(|l| l.attr("metadata").is_some())
        .expect("the scoped lookup");
    assert_eq!(
        scoped.strings_attr("tag.tags"),
        Some(vec!["outer".to_owned(), "inner".to_owned()])
    );
    assert_eq!(
        scoped.json_attr("metadata"),
        Some(json!({"tenant": "acme", "step": 2}))
    );
    assert!(
        TraceAttributes::current().is_none(),
        "scopes end with their closure"
    );
}

#[test]
fn without_the_helpers_a_thread_starts_with_no_attributes_and_no_parent() {
    let attrs = TraceAttributes::new().session("s");
    let (_, spans) = record(|| {
        attrs.in_scope(|| {
            let dispatch = tracing::dispatcher::get_default(|d| d.clone());
            std::thread::spawn(move || {
                tracing::dispatcher::with_default(&dispatch, || lookup("plain"))
            })
            .join()
            .unwrap()
        })
    });
    let s = spans.one("execute_tool lookup");
    assert_eq!(s.attr("session.id"), None);
    assert!(spans.parent_of(s).is_none());
}

#[test]
fn a_scoped_future_built_ahead_keeps_the_outer_scope_it_runs_in() {
    let (_, spans) = genai_tracing_tests::record_async(|| async {
        let inner = TraceAttributes::new().tag("item-7").scope(step(7));
        TraceAttributes::new()
            .session("S1")
            .user("ann")
            .scope(inner)
            .await
    });
    let s = spans.one("execute_tool step");
    assert_eq!(s.str_attr("session.id"), Some("S1"));
    assert_eq!(s.str_attr("user.id"), Some("ann"));
    assert_eq!(s.strings_attr("tag.tags"), Some(vec!["item-7".to_owned()]));
}

#[test]
fn ids_are_bounded_and_scrubbed_like_any_text_that_leaves_the_process() {
    let attrs = TraceAttributes::new()
        .session("s".repeat(200_000))
        .user("sk-proj-4fJx9QmZr2TbW8yVn1KcLd7H");
    let (_, spans) = record(|| attrs.in_scope(|| lookup("q")));
    let s = spans.one("execute_tool lookup");
    assert!(s.str_attr("session.id").unwrap().len() <= 1024);
    assert_eq!(
        s.str_attr("user.id"),
        Some(genai_tracing::capture::REDACTED)
    );
}

#[tool(name = "child", capture = true)]
fn child_tool(how: &str) -> usize {
    how.len()
}

#[tool(name = "child", capture = true)]
async fn child_task(how: &str) -> usize {
    how.len()
}

#[agent(name = "parent")]
async fn fan_out() -> usize {
    let mut n = genai_tracing::spawn(child_task("spawn")).await.unwrap();
    n += genai_tracing::spawn_blocking(|| child_tool("spawn_blocking"))
        .await
        .unwrap();
    n += genai_tracing::spawn_thread(|| child_tool("spawn_thread"))
        .join()
        .unwrap();
    // Without the helpers: a task is first polled outside the parent span.
    n += tokio::spawn(child_task("tokio::spawn")).await.unwrap();
    // A blocking task or thread does not even see this test's (thread-local) subscriber.
    n += tokio::task::spawn_blocking(|| child_tool("tokio::spawn_blocking"))
        .await
        .unwrap();
    n
}

#[test]
fn the_helpers_keep_the_parent_and_plain_spawns_lose_it() {
    let (_, spans) = genai_tracing_tests::record_async(fan_out);
    let parent = spans.one("invoke_agent parent");
    let children: Vec<_> = spans.all("execute_tool child");
    let how = |s: &opentelemetry_sdk::trace::SpanData| {
        s.json_attr("gen_ai.tool.call.arguments")
            .map(|a| a["how"].as_str().unwrap_or_default().to_owned())
    };
    let mut kept = Vec::new();
    for child in &children {
        if child.parent_span_id == parent.span_context.span_id() {
            kept.push(how(child));
        } else {
            assert_eq!(how(child).as_deref(), Some("tokio::spawn"));
            assert_eq!(
                child.parent_span_id,
                opentelemetry::trace::SpanId::INVALID,
                "a plain tokio::spawn starts a new trace"
            );
            assert_ne!(
                child.span_context.trace_id(),
                parent.span_context.trace_id()
            );
        }
    }
    kept.sort();
    assert_eq!(
        kept,
        [Some("spawn"), Some("spawn_blocking"), Some("spawn_thread")].map(|s| s.map(String::from))
    );
    assert_eq!(
        children.len(),
        4,
        "the plain spawn_blocking's span went nowhere"
    );
}
