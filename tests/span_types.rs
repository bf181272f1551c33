//! `#[retrieval]`, `#[embeddings]` and `#[memory]`: names, kinds, attributes and their types, and
//! the same capture, skip, error and async behaviour as the core macros.

use genai_tracing::{embeddings, memory, retrieval};
use genai_tracing_tests::{record, record_async, record_unwind, SpanDataExt};
use opentelemetry::trace::SpanKind;
use serde_json::{json, Value};

#[derive(serde::Serialize, Clone)]
struct Doc {
    id: String,
    score: f64,
    content: String,
}

struct Index {
    name: String,
}

impl Index {
    /// Searches the index.
    #[retrieval(data_source = self.name, query = question, top_k = k, provider = "qdrant", capture = true)]
    async fn search(&self, question: &str, k: usize) -> Result<Vec<Doc>, String> {
        tokio::task::yield_now().await;
        if question.is_empty() {
            return Err("empty query".into());
        }
        Ok((0..k)
            .map(|i| Doc {
                id: format!("d{i}"),
                score: 1.0 / (i + 1) as f64,
                content: question.into(),
            })
            .collect())
    }
}

#[test]
fn retrieval_spans_carry_source_query_documents_and_top_k() {
    let index = Index {
        name: "handbook".into(),
    };
    let ((ok, err), spans) = record_async(|| async {
        (
            index.search("vacation policy", 2).await,
            index.search("", 1).await,
        )
    });
    assert_eq!(ok.unwrap().len(), 2);
    assert!(err.is_err());
    let found: Vec<_> = spans.all("retrieval handbook");
    assert_eq!(found.len(), 2);
    let s = found[0];
    assert_eq!(s.kind(), &SpanKind::Client);
    assert_eq!(s.str_attr("gen_ai.operation.name"), Some("retrieval"));
    assert_eq!(s.str_attr("openinference.span.kind"), Some("RETRIEVER"));
    assert_eq!(s.str_attr("gen_ai.data_source.id"), Some("handbook"));
    assert_eq!(s.str_attr("gen_ai.provider.name"), Some("qdrant"));
    // v1.41 (the default) spells the retrieval top_k as the request's, a double.
    assert_eq!(s.f64_attr("gen_ai.request.top_k"), Some(2.0));
    assert_eq!(
        s.str_attr("gen_ai.retrieval.query.text"),
        Some("vacation policy")
    );
    let docs = s.json_attr("gen_ai.retrieval.documents").unwrap();
    assert_eq!(
        docs[1],
        json!({"id": "d1", "score": 0.5, "content": "vacation policy"})
    );
    assert!(found[1].is_error());
    assert_eq!(found[1].error_description(), Some("empty query"));
}

#[retrieval(skip(api_key))]
fn plain_search(query: &str, api_key: &str) -> Vec<String> {
    let _ = api_key;
    vec![query.to_uppercase()]
}

#[test]
fn retrieval_without_a_source_and_with_capture_off() {
    let (_, spans) = record(|| plain_search("q", "secret"));
    let s = spans.one("retrieval");
    assert_eq!(s.attr("gen_ai.data_source.id"), None);
    assert_eq!(
        s.attr("gen_ai.retrieval.query.text"),
        None,
        "capture is off by default"
    );
    assert_eq!(s.attr("gen_ai.retrieval.documents"), None);
}

/// A document that borrows from the index: not `Serialize`.
struct Hit {
    score: f64,
}

#[retrieval(data_source = "handbook", top_k = 2, capture = true, skip_result)]
fn scored_search(query: &str) -> Vec<Hit> {
    vec![Hit {
        score: query.len() as f64,
    }]
}

#[memory(
    operation = "search_memory",
    store = "user-facts",
    capture = true,
    skip_result
)]
fn recall_hits(query: &str) -> Vec<Hit> {
    vec![
        Hit { score: 1.0 },
        Hit {
            score: query.len() as f64,
        },
    ]
}

#[test]
fn skip_result_records_the_query_and_not_the_documents_or_records() {
    let (hits, spans) = record(|| scored_search("vacation"));
    assert_eq!(hits[0].score, 8.0);
    let s = spans.one("retrieval handbook");
    assert_eq!(s.str_attr("gen_ai.retrieval.query.text"), Some("vacation"));
    assert_eq!(s.attr("gen_ai.retrieval.documents"), None);
    assert_eq!(s.f64_attr("gen_ai.request.top_k"), Some(2.0));

    let (hits, spans) = record(|| recall_hits("tea"));
    assert_eq!(hits.len(), 2);
    let s = spans.one("search_memory");
    assert_eq!(s.str_attr("gen_ai.memory.query.text"), Some("tea"));
    assert_eq!(s.attr("gen_ai.memory.records"), None);
    assert_eq!(
        s.int_attr("gen_ai.memory.record.count"),
        Some(2),
        "counted still"
    );
}

#[embeddings(
    provider = "openai",
    model = "text-embedding-3-small",
    dimensions = 256
)]
async fn embed(texts: &[&str]) -> Result<Value, std::io::Error> {
    Ok(
        json!({"object": "list", "model": "text-embedding-3-small", "data": [],
        "choices": [], "usage": {"prompt_tokens": 8 * texts.len(), "total_tokens": 8 * texts.len()}}),
    )
}

#[embeddings(provider = "local", model = "minilm")]
fn embed_local(text: &str) -> Vec<f32> {
    vec![text.len() as f32; 4]
}

#[test]
fn embeddings_spans_are_embedding_client_spans_with_usage() {
    let (v, spans) = record(|| embed_local("abc"));
    assert_eq!(v.len(), 4);
    assert_eq!(
        spans
            .one("embeddings minilm")
            .attr("gen_ai.usage.input_tokens"),
        None
    );
    let (_, spans) = record_async(|| embed(&["a", "b"]));
    let s = spans.one("embeddings text-embedding-3-small");
    assert_eq!(s.kind(), &SpanKind::Client);
    assert_eq!(s.str_attr("gen_ai.operation.name"), Some("embeddings"));
    assert_eq!(s.str_attr("openinference.span.kind"), Some("EMBEDDING"));
    assert_eq!(s.int_attr("gen_ai.embeddings.dimension.count"), Some(256));
    assert_eq!(s.int_attr("gen_ai.usage.input_tokens"), Some(16));
}

#[memory(operation = "search_memory", store = "user-facts", capture = true)]
fn recall(query: &str, limit: usize) -> Vec<Value> {
    (0..limit)
        .map(|i| json!({"content": format!("{query} #{i}"), "score": 0.9}))
        .collect()
}

#[memory(operation = "create_memory", store = "user-facts", record = id, capture = true)]
async fn remember(id: &str, fact: &str) -> Result<(), String> {
    if fact.is_empty() {
        return Err(format!("nothing to remember for {id}"));
    }
    Ok(())
}

#[memory(operation = "delete_memory", record = id)]
fn forget(id: u64) -> bool {
    id > 0
}

#[test]
fn memory_operations() {
    let (_, spans) = record(|| recall("likes", 3));
    let s = spans.one("search_memory");
    assert_eq!(s.kind(), &SpanKind::Client);
    assert_eq!(s.str_attr("gen_ai.operation.name"), Some("search_memory"));
    assert_eq!(s.str_attr("openinference.span.kind"), Some("RETRIEVER"));
    assert_eq!(s.str_attr("gen_ai.memory.store.id"), Some("user-facts"));
    assert_eq!(s.int_attr("gen_ai.memory.record.count"), Some(3));
    assert_eq!(s.str_attr("gen_ai.memory.query.text"), Some("likes"));
    assert_eq!(
        s.json_attr("gen_ai.memory.records").unwrap()[2]["content"],
        "likes #2"
    );

    let ((ok, err), spans) =
        record_async(|| async { (remember("f1", "tea").await, remember("f2", "").await) });
    assert!(ok.is_ok() && err.is_err());
    let created: Vec<_> = spans.all("create_memory");
    assert_eq!(created[0].str_attr("gen_ai.memory.record.id"), Some("f1"));
    assert_eq!(
        created[0].str_attr("openinference.span.kind"),
        Some("CHAIN")
    );
    assert_eq!(
        created[0].attr("gen_ai.memory.query.text"),
        None,
        "only searches have a query"
    );
    assert!(created[1].is_error());

    let (_, spans) = record(|| forget(9));
    let s = spans.one("delete_memory");
    assert_eq!(s.str_attr("gen_ai.memory.record.id"), Some("9"));
    assert_eq!(s.attr("gen_ai.memory.record.count"), None);
}

#[memory(operation = "upsert_memory")]
fn broken_store(key: &str) -> usize {
    panic!("store unreachable for {key}")
}

#[memory(operation = "upsert_memory", capture = true)]
fn store_batch(facts: Vec<String>) -> usize {
    facts.len()
}

#[test]
fn a_batch_write_is_counted_and_recorded_as_its_records() {
    let (_, spans) = record(|| store_batch(vec!["a".into(), "b".into()]));
    let s = spans.one("upsert_memory");
    assert_eq!(s.int_attr("gen_ai.memory.record.count"), Some(2));
    assert_eq!(
        s.json_attr("gen_ai.memory.records"),
        Some(json!(["a", "b"]))
    );
}

#[test]
fn a_panicking_memory_operation_ends_its_span_as_an_error() {
    let (r, spans) = record_unwind(|| broken_store("k"));
    assert!(r.is_err());
    let s = spans.one("upsert_memory");
    assert_eq!(s.str_attr("error.type"), Some("panic"));
}

/// One `#[memory]` function per operation the macro accepts: a name the macro rejects does not
/// compile, and the names it emits must be exactly the runtime's `operation::MEMORY`.
macro_rules! memory_operations {
    ($($op:literal => $f:ident),* $(,)?) => {
        $(
            #[memory(operation = $op)]
            fn $f(id: &str) -> usize {
                id.len()
            }
        )*
        fn every_memory_operation() {
            $( $f("x"); )*
        }
    };
}

memory_operations! {
    "create_memory_store" => op_create_store,
    "delete_memory_store" => op_delete_store,
    "search_memory" => op_search,
    "create_memory" => op_create,
    "update_memory" => op_update,
    "upsert_memory" => op_upsert,
    "delete_memory" => op_delete,
}

#[test]
fn the_macro_and_the_runtime_know_the_same_memory_operations() {
    let (_, spans) = record(every_memory_operation);
    let mut emitted: Vec<String> = spans
        .0
        .iter()
        .filter_map(|s| s.str_attr("gen_ai.operation.name").map(str::to_owned))
        .collect();
    emitted.sort();
    let mut known = genai_tracing::semconv::operation::MEMORY
        .map(str::to_owned)
        .to_vec();
    known.sort();
    assert_eq!(emitted, known);
}
