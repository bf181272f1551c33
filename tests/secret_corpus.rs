//! The secret corpus: an independent yardstick for content scrubbing, written from the providers'
//! token formats and from ordinary agent traffic, not from the scrubber's rules.
//!
//! Every entry of `data/secrets/secrets.json` (fake secrets in their real formats, each inside
//! the text an agent really sees: a log line, a config file, a shell command, an HTTP dump) goes
//! through every way content reaches a span — tool arguments (plain, struct, map) and results,
//! model requests (a message, prompt parts, a tool message, a key cut across two text parts),
//! responses (text, tool-call arguments, a stream), agent input and output, an `Err`'s message,
//! a panic's message, a retried attempt's error, retrieval documents, memory records (read and
//! written), a `session = ..` id, a `fields(..)` value and a log event inside a span — with
//! content capture on. The spans are exported by the library's own pipeline
//! (`Builder::build`) to two real exporters at once: the file exporter (OTLP-JSON, one trace a
//! line) and OTLP/HTTP protobuf to a receiver on 127.0.0.1. Each exported span is read back as
//! bytes (the file's JSON of the span, the span re-encoded as protobuf) and as every string in
//! it, JSON inside strings decoded too, so an escaped secret is still found.
//!
//! A secret leaks when its value, or (for values of 16 characters or more, and always for the
//! key cut across two parts) either half of it, appears in its span. `data/secrets/benign.json`
//! is ordinary traffic that must come through a tool's argument and result unchanged.
//!
//! `cargo test -p genai-tracing-tests --test secret_corpus -- --nocapture` prints the report.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use futures_util::stream::{self, Stream, StreamExt};
use genai_tracing::capture::{set_content_capture, CapturePolicy};
use genai_tracing::export::OtlpProtocol;
use genai_tracing::{agent, llm_call, memory, retrieval, tool, Builder};
use genai_tracing_tests::otlp_receiver::OtlpReceiver;
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, KeyValue};
use prost::Message as _;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------------
// The corpora.

#[derive(Deserialize, Debug)]
struct SecretEntry {
    id: String,
    kind: String,
    text: String,
    secrets: Vec<String>,
    marker: bool,
}

#[derive(Deserialize, Debug)]
struct BenignEntry {
    kind: String,
    value: String,
}

const SECRETS: &str = include_str!("data/secrets/secrets.json");
const BENIGN: &str = include_str!("data/secrets/benign.json");

/// The attribute naming each call's case (an int: no scrubber has a reason to touch it).
const CASE: &str = "corpus.case";
const CANARY: usize = 999;
const BENIGN_BASE: i64 = 900_000;

// ---------------------------------------------------------------------------------------------
// The instrumented functions: one per way content reaches a span. `case` is skipped everywhere
// and recorded as `corpus.case`, so every exported span says which entry and path it carries.

#[derive(Debug)]
struct UpstreamError(String);

impl std::fmt::Display for UpstreamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UpstreamError {}

/// Reads a note the user pasted.
#[tool(name = "read_note", capture = true, skip(case), fields(corpus.case = case))]
fn read_note(case: i64, note: &str) -> usize {
    note.len()
}

/// Fetches an intranet page.
#[tool(name = "fetch_page", capture = true, skip(case, body), fields(corpus.case = case))]
fn fetch_page(case: i64, url: &str, body: &str) -> String {
    let _ = url;
    body.to_owned()
}

#[derive(Serialize)]
struct Ticket {
    id: u64,
    title: String,
    body: String,
    labels: Vec<String>,
}

/// Files a support ticket.
#[tool(name = "file_ticket", capture = true, skip(case), fields(corpus.case = case))]
fn file_ticket(case: i64, ticket: &Ticket) -> u64 {
    ticket.id
}

/// Posts a chat message.
#[tool(name = "post_message", capture = true, skip(case), fields(corpus.case = case))]
fn post_message(case: i64, message: &HashMap<String, String>) -> bool {
    !message.is_empty()
}

#[llm_call(provider = "openai", capture = true, skip(case), fields(corpus.case = case))]
fn chat(case: i64, request: &Value) -> Result<Value, UpstreamError> {
    let _ = request;
    Ok(completion(json!("I'll look into it."), None))
}

#[llm_call(provider = "openai", capture = true, skip(case, reply), fields(corpus.case = case))]
fn chat_reply(case: i64, request: &Value, reply: &Value) -> Result<Value, UpstreamError> {
    let _ = request;
    Ok(reply.clone())
}

#[llm_call(
    provider = "openai",
    model = "gpt-4o-mini",
    capture = true,
    skip(case, chunks),
    fields(corpus.case = case)
)]
fn chat_stream(
    case: i64,
    request: &Value,
    chunks: Vec<Result<Value, UpstreamError>>,
) -> impl Stream<Item = Result<Value, UpstreamError>> {
    let _ = request;
    stream::iter(chunks)
}

/// Answers customer questions.
#[agent(name = "support-agent", capture = true, skip(case), fields(corpus.case = case))]
fn support_agent(case: i64, question: &str) -> String {
    let _ = question;
    "I've opened ticket OPS-1432 for you.".to_owned()
}

/// Runs operational tasks.
#[agent(name = "ops-agent", capture = true, skip(case, answer), fields(corpus.case = case))]
fn ops_agent(case: i64, question: &str, answer: &str) -> String {
    let _ = question;
    answer.to_owned()
}

/// Deploys a service.
#[tool(name = "deploy_service", capture = true, skip(case, log), fields(corpus.case = case))]
fn deploy_service(case: i64, service: &str, log: &str) -> Result<(), UpstreamError> {
    Err(UpstreamError(format!("deploy of {service} failed: {log}")))
}

/// Parses a config file.
#[tool(name = "parse_config", capture = true, skip(case, content), fields(corpus.case = case))]
fn parse_config(case: i64, path: &str, content: &str) -> usize {
    panic!("cannot parse {path}: {content}")
}

struct Flaky {
    calls: AtomicU32,
}

impl Flaky {
    /// Calls an upstream service that fails once.
    #[tool(
        name = "call_upstream",
        retry = 2,
        backoff = Duration::from_millis(1),
        capture = true,
        skip(case, detail),
        fields(corpus.case = case)
    )]
    fn call(&self, case: i64, detail: &str) -> Result<String, UpstreamError> {
        if self.calls.fetch_add(1, Ordering::SeqCst) == 0 {
            return Err(UpstreamError(format!(
                "upstream rejected the call: {detail}"
            )));
        }
        Ok("accepted".to_owned())
    }
}

#[derive(Serialize)]
struct Doc {
    id: String,
    score: f64,
    content: String,
}

#[retrieval(
    data_source = "wiki",
    query = query,
    top_k = 3,
    capture = true,
    skip(case, found),
    fields(corpus.case = case)
)]
fn search_wiki(case: i64, query: &str, found: &str) -> Vec<Doc> {
    vec![
        Doc {
            id: "wiki/onboarding".into(),
            score: 0.91,
            content: "New joiners get their laptop on day one.".into(),
        },
        Doc {
            id: "wiki/ops/incident-2025-05-14".into(),
            score: 0.87,
            content: found.to_owned(),
        },
        Doc {
            id: "wiki/ops/oncall".into(),
            score: 0.55,
            content: format!("The on-call rota answers questions like: {query}"),
        },
    ]
}

#[memory(
    operation = "search_memory",
    store = "user-facts",
    query = query,
    capture = true,
    skip(case, fact),
    fields(corpus.case = case)
)]
fn recall(case: i64, query: &str, fact: &str) -> Vec<Value> {
    let _ = query;
    vec![
        json!({"content": "Prefers answers in English.", "score": 0.92}),
        json!({"content": fact, "score": 0.83}),
    ]
}

#[memory(
    operation = "create_memory",
    store = "user-facts",
    record = id,
    capture = true,
    skip(case),
    fields(corpus.case = case)
)]
fn remember(case: i64, id: &str, fact: &str) -> Result<(), UpstreamError> {
    let _ = (id, fact);
    Ok(())
}

/// Looks an order up.
#[tool(
    name = "lookup_order",
    capture = true,
    session = session_id,
    skip(case, session_id),
    fields(corpus.case = case)
)]
fn lookup_order(case: i64, session_id: &str, order: u64) -> u64 {
    let _ = session_id;
    order
}

/// Annotates a run.
#[tool(name = "annotate", capture = true, skip(case, note), fields(corpus.case = case, note = %note))]
fn annotate(case: i64, note: &str, step: u32) -> u32 {
    let _ = note;
    step
}

/// Syncs a repository, logging what went wrong.
#[tool(name = "sync_repo", capture = true, skip(case, detail), fields(corpus.case = case))]
fn sync_repo(case: i64, repo: &str, detail: &str) -> bool {
    tracing::warn!("sync of {repo} failed: {detail}");
    false
}

/// Echoes its text (the benign corpus).
#[tool(name = "echo_text", capture = true, skip(case), fields(corpus.case = case))]
fn echo_text(case: i64, text: &str) -> String {
    text.to_owned()
}

fn completion(content: Value, tool_calls: Option<Value>) -> Value {
    let mut message = json!({"role": "assistant", "content": content});
    let finish = match tool_calls {
        Some(calls) => {
            message["tool_calls"] = calls;
            "tool_calls"
        }
        None => "stop",
    };
    json!({
        "id": "chatcmpl-AZ3kq9Xc2LmN8pQrT5vW7yB1dE4f",
        "object": "chat.completion",
        "model": "gpt-4o-mini-2024-07-18",
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": 182, "completion_tokens": 44, "total_tokens": 226}
    })
}

fn request(messages: Value) -> Value {
    json!({"model": "gpt-4o-mini", "temperature": 0.2, "max_tokens": 512, "messages": messages})
}

const SYSTEM: &str = "You are a careful DevOps assistant. Answer briefly.";

/// The stream's chunks: the text as deltas of 7 bytes, the way a model streams it.
fn chunks_of(text: &str) -> Vec<Result<Value, UpstreamError>> {
    let chunk = |delta: Value, finish: Value| {
        json!({"id": "chatcmpl-AZ3kq9Xc2LmN8pQrT5vW7yB1dE4f", "object": "chat.completion.chunk",
               "model": "gpt-4o-mini-2024-07-18",
               "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], "usage": null})
    };
    let mut out = vec![Ok(chunk(
        json!({"role": "assistant", "content": ""}),
        Value::Null,
    ))];
    let mut rest = text;
    while !rest.is_empty() {
        let mut at = rest.len().min(7);
        while !rest.is_char_boundary(at) {
            at += 1;
        }
        out.push(Ok(chunk(json!({"content": &rest[..at]}), Value::Null)));
        rest = &rest[at..];
    }
    out.push(Ok(chunk(json!({}), json!("stop"))));
    out.push(Ok(
        json!({"id": "chatcmpl-AZ3kq9Xc2LmN8pQrT5vW7yB1dE4f", "object": "chat.completion.chunk",
        "model": "gpt-4o-mini-2024-07-18", "choices": [],
        "usage": {"prompt_tokens": 120, "completion_tokens": 60}}),
    ));
    out
}

// ---------------------------------------------------------------------------------------------
// The paths.

const PATHS: [&str; 22] = [
    "tool_arg",
    "tool_result",
    "tool_struct_arg",
    "tool_map_arg",
    "llm_request",
    "llm_prompt_parts",
    "llm_tool_message",
    "llm_split_parts",
    "llm_response",
    "llm_tool_call",
    "llm_stream",
    "agent_input",
    "agent_output",
    "error",
    "panic",
    "retry",
    "retrieval_documents",
    "memory_records",
    "memory_write",
    "session_id",
    "fields_value",
    "log_event",
];
const SPLIT_PATH: &str = "llm_split_parts";

fn case_of(path: usize, entry: usize) -> i64 {
    (path * 1000 + entry) as i64
}

/// `text` cut in two inside `secret` (at its middle), for the split path.
fn split_at_secret<'a>(text: &'a str, secret: &str) -> (&'a str, &'a str) {
    let start = text.find(secret).expect("the secret is in its text");
    let mut mid = start + secret.len() / 2;
    while !text.is_char_boundary(mid) {
        mid += 1;
    }
    text.split_at(mid)
}

/// Sends `text` through `path`.
fn run_path(path: usize, case: i64, text: &str, split: (&str, &str), rt: &tokio::runtime::Runtime) {
    match PATHS[path] {
        "tool_arg" => {
            read_note(case, text);
        }
        "tool_result" => {
            fetch_page(case, "https://intranet.acme.io/wiki/ops/runbook", text);
        }
        "tool_struct_arg" => {
            file_ticket(
                case,
                &Ticket {
                    id: 1432,
                    title: "Deploy broken since this morning".into(),
                    body: text.to_owned(),
                    labels: vec!["ops".into(), "p2".into()],
                },
            );
        }
        "tool_map_arg" => {
            let message = HashMap::from([
                ("channel".to_owned(), "#ops".to_owned()),
                ("text".to_owned(), text.to_owned()),
            ]);
            post_message(case, &message);
        }
        "llm_request" => {
            let _ = chat(
                case,
                &request(json!([
                    {"role": "system", "content": SYSTEM},
                    {"role": "user", "content": text}
                ])),
            );
        }
        "llm_prompt_parts" => {
            let _ = chat(
                case,
                &request(json!([
                    {"role": "system", "content": SYSTEM},
                    {"role": "user", "content": [
                        {"type": "text", "text": "Here is what I found:"},
                        {"type": "text", "text": text},
                        {"type": "text", "text": "What should I do next?"}
                    ]}
                ])),
            );
        }
        "llm_tool_message" => {
            let _ = chat(
                case,
                &request(json!([
                    {"role": "system", "content": SYSTEM},
                    {"role": "user", "content": "Why did last night's deploy fail?"},
                    {"role": "assistant", "content": null, "tool_calls": [{"id": "call_Jx8Qm2RkL0pZ4tVb6nYw9sEf",
                        "type": "function", "function": {"name": "read_logs", "arguments": "{\"service\":\"api\",\"lines\":50}"}}]},
                    {"role": "tool", "tool_call_id": "call_Jx8Qm2RkL0pZ4tVb6nYw9sEf", "content": text}
                ])),
            );
        }
        "llm_split_parts" => {
            let _ = chat(
                case,
                &request(json!([
                    {"role": "system", "content": SYSTEM},
                    {"role": "user", "content": [
                        {"type": "text", "text": split.0},
                        {"type": "text", "text": split.1}
                    ]}
                ])),
            );
        }
        "llm_response" => {
            let _ = chat_reply(
                case,
                &request(json!([{"role": "user", "content": "What did the logs say?"}])),
                &completion(json!(text), None),
            );
        }
        "llm_tool_call" => {
            let calls = json!([{"id": "call_Jx8Qm2RkL0pZ4tVb6nYw9sEf", "type": "function",
                "function": {"name": "run_shell", "arguments": json!({"command": text}).to_string()}}]);
            let _ = chat_reply(
                case,
                &request(json!([{"role": "user", "content": "Fix the deploy."}])),
                &completion(Value::Null, Some(calls)),
            );
        }
        "llm_stream" => {
            let s = chat_stream(
                case,
                &request(json!([{"role": "user", "content": "Summarise the incident."}])),
                chunks_of(text),
            );
            rt.block_on(s.count());
        }
        "agent_input" => {
            support_agent(case, text);
        }
        "agent_output" => {
            ops_agent(case, "What is in the deploy log?", text);
        }
        "error" => {
            let _ = deploy_service(case, "api", text);
        }
        "panic" => {
            let _ = catch_unwind(AssertUnwindSafe(|| {
                parse_config(case, "config/prod.toml", text)
            }));
        }
        "retry" => {
            let flaky = Flaky {
                calls: AtomicU32::new(0),
            };
            let _ = flaky.call(case, text);
        }
        "retrieval_documents" => {
            search_wiki(case, "what broke the deploy on May 14?", text);
        }
        "memory_records" => {
            recall(case, "what do we know about the deploy setup?", text);
        }
        "memory_write" => {
            let _ = remember(case, "fact-7f3k", text);
        }
        "session_id" => {
            lookup_order(case, text, 100_023_945);
        }
        "fields_value" => {
            annotate(case, text, 3);
        }
        "log_event" => {
            sync_repo(case, "acme/infra", text);
        }
        other => unreachable!("{other}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Reading the exports back.

/// One exported span: every string in it (JSON inside strings decoded too), its bytes as
/// exported, and its top-level string attributes.
#[derive(Default)]
struct Hay {
    strings: Vec<String>,
    /// The exported bytes (invalid UTF-8 of protobuf framing replaced: the ASCII of a secret
    /// stays as it was).
    bytes: String,
    attrs: HashMap<String, String>,
}

impl Hay {
    fn contains(&self, needle: &str) -> bool {
        self.bytes.contains(needle) || self.strings.iter().any(|s| s.contains(needle))
    }
}

/// The spans of the file exporter's lines, by case (spans without one under -1).
fn read_file(path: &std::path::Path) -> HashMap<i64, Vec<Hay>> {
    let text = std::fs::read_to_string(path).expect("the trace file");
    let mut out: HashMap<i64, Vec<Hay>> = HashMap::new();
    for line in text.lines() {
        let request: Value = serde_json::from_str(line).expect("an OTLP-JSON line");
        for rs in request["resourceSpans"].as_array().into_iter().flatten() {
            for ss in rs["scopeSpans"].as_array().into_iter().flatten() {
                for span in ss["spans"].as_array().into_iter().flatten() {
                    let mut hay = Hay {
                        bytes: serde_json::to_string(span).unwrap(),
                        ..Hay::default()
                    };
                    genai_tracing_tests::json_strings(span, &mut hay.strings);
                    let mut case = -1;
                    for kv in span["attributes"].as_array().into_iter().flatten() {
                        let key = kv["key"].as_str().unwrap_or_default();
                        if key == CASE {
                            case = match &kv["value"]["intValue"] {
                                Value::String(s) => s.parse().unwrap_or(-1),
                                Value::Number(n) => n.as_i64().unwrap_or(-1),
                                _ => -1,
                            };
                        } else if let Some(s) = kv["value"]["stringValue"].as_str() {
                            hay.attrs.insert(key.to_owned(), s.to_owned());
                        }
                    }
                    out.entry(case).or_default().push(hay);
                }
            }
        }
    }
    out
}

fn push_any(v: &AnyValue, out: &mut Vec<String>) {
    match &v.value {
        Some(any_value::Value::StringValue(s)) => genai_tracing_tests::text_strings(s, out),
        Some(any_value::Value::ArrayValue(a)) => a.values.iter().for_each(|v| push_any(v, out)),
        Some(any_value::Value::KvlistValue(kvs)) => push_kvs(&kvs.values, out),
        Some(any_value::Value::BytesValue(b)) => out.push(String::from_utf8_lossy(b).into_owned()),
        _ => {}
    }
}

fn push_kvs(kvs: &[KeyValue], out: &mut Vec<String>) {
    for kv in kvs {
        out.push(kv.key.clone());
        if let Some(v) = &kv.value {
            push_any(v, out);
        }
    }
}

/// The spans the OTLP receiver decoded, by case.
fn read_otlp(receiver: &OtlpReceiver) -> HashMap<i64, Vec<Hay>> {
    let mut out: HashMap<i64, Vec<Hay>> = HashMap::new();
    for export in receiver.exports() {
        for rs in &export.request.resource_spans {
            for ss in &rs.scope_spans {
                for span in &ss.spans {
                    let mut hay = Hay {
                        bytes: String::from_utf8_lossy(&span.encode_to_vec()).into_owned(),
                        ..Hay::default()
                    };
                    hay.strings.push(span.name.clone());
                    push_kvs(&span.attributes, &mut hay.strings);
                    for e in &span.events {
                        hay.strings.push(e.name.clone());
                        push_kvs(&e.attributes, &mut hay.strings);
                    }
                    for l in &span.links {
                        push_kvs(&l.attributes, &mut hay.strings);
                    }
                    if let Some(status) = &span.status {
                        genai_tracing_tests::text_strings(&status.message, &mut hay.strings);
                    }
                    let mut case = -1;
                    for kv in &span.attributes {
                        match kv.value.as_ref().and_then(|v| v.value.as_ref()) {
                            Some(any_value::Value::IntValue(n)) if kv.key == CASE => case = *n,
                            Some(any_value::Value::StringValue(s)) => {
                                hay.attrs.insert(kv.key.clone(), s.clone());
                            }
                            _ => {}
                        }
                    }
                    out.entry(case).or_default().push(hay);
                }
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Judging.

/// What to look for: each secret whole (`false`), and its halves (`true`) where they are long
/// enough to mean something and occur nowhere else in the entry's text; by secret index.
fn needles(entry: &SecretEntry, split_path: bool) -> Vec<(usize, bool, String)> {
    let mut rest = entry.text.clone();
    for s in &entry.secrets {
        rest = rest.replace(s.as_str(), "\u{0}");
    }
    let mut out = Vec::new();
    for (k, s) in entry.secrets.iter().enumerate() {
        out.push((k, false, s.clone()));
        if s.len() >= 16 || (split_path && k == 0) {
            let mut mid = s.len() / 2;
            while !s.is_char_boundary(mid) {
                mid += 1;
            }
            for half in [&s[..mid], &s[mid..]] {
                if half.len() >= 4 && !rest.contains(half) {
                    out.push((k, true, half.to_owned()));
                }
            }
        }
    }
    out
}

struct Leak {
    path: &'static str,
    /// The secrets found (by index): whole, or only a half of it.
    what: BTreeMap<usize, bool>,
    exporters: Vec<&'static str>,
}

fn preview(s: &str, n: usize) -> String {
    let one_line: String = s.chars().map(|c| if c == '\n' { '⏎' } else { c }).collect();
    if one_line.chars().count() <= n {
        one_line
    } else {
        one_line.chars().take(n).collect::<String>() + "…"
    }
}

#[test]
fn secrets_never_reach_exported_spans_and_ordinary_traffic_comes_through_unchanged() {
    let entries: Vec<SecretEntry> = serde_json::from_str(SECRETS).expect("secrets.json");
    let benign: Vec<BenignEntry> = serde_json::from_str(BENIGN).expect("benign.json");
    assert!(entries.len() < CANARY, "case numbers hold 999 entries");
    let marked = entries.iter().filter(|e| e.marker).count();
    assert!(marked >= 60, "{marked} marker-bearing secrets");
    assert!(benign.len() >= 200, "{} benign values", benign.len());

    // Nothing of the environment decides where these spans go, or prints them.
    for var in [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "OTEL_EXPORTER_OTLP_PROTOCOL",
        "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
        "OTEL_TRACES_SAMPLER",
        "OTEL_TRACES_SAMPLER_ARG",
        "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT",
        "GENAI_TRACING_BACKEND",
        "GENAI_TRACING_CONSOLE",
        "GENAI_TRACING_FILE",
        "GENAI_TRACING_RECORD",
        "GENAI_TRACING_TAIL_SAMPLE_RATIO",
    ] {
        std::env::remove_var(var);
    }
    std::env::set_var("OTEL_METRICS_EXPORTER", "none");
    set_content_capture(CapturePolicy::Content);

    let receiver = OtlpReceiver::start();
    let dir = std::env::temp_dir().join(format!("genai-secret-corpus-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let file = dir.join("traces.jsonl");
    let (dispatch, guard) = Builder::from_env()
        .expect("builder")
        .service_name("secret-corpus")
        .file(&file)
        .otlp(OtlpProtocol::HttpProtobuf)
        .endpoint(&receiver.endpoint)
        .export_queue(1_000_000, 512, Duration::from_millis(20))
        .shutdown_timeout(Duration::from_secs(120))
        .build()
        .expect("pipeline");

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let canary =
        |path: &str| format!("canary for {path}: the quick brown fox jumps over 7 lazy dogs");
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    tracing::dispatcher::with_default(&dispatch, || {
        for (p, path) in PATHS.iter().enumerate() {
            let text = canary(path);
            run_path(
                p,
                case_of(p, CANARY),
                &text,
                text.split_at(text.len() / 2),
                &rt,
            );
            for (e, entry) in entries.iter().enumerate() {
                let split = split_at_secret(&entry.text, &entry.secrets[0]);
                run_path(p, case_of(p, e), &entry.text, split, &rt);
            }
        }
        for (i, b) in benign.iter().enumerate() {
            echo_text(BENIGN_BASE + i as i64, &b.value);
        }
    });
    std::panic::set_hook(quiet);
    let stats = guard.shutdown();
    assert_eq!(stats.lost(), 0, "every span exported: {stats:?}");

    let exporters: [(&str, HashMap<i64, Vec<Hay>>); 2] =
        [("file", read_file(&file)), ("otlp", read_otlp(&receiver))];
    let _ = std::fs::remove_dir_all(&dir);

    // The yardstick itself: every call exported once by each exporter, and each path really
    // carries content (its canary arrives whole).
    let mut broken = Vec::new();
    for (name, spans) in &exporters {
        let expected = PATHS.len() * (entries.len() + 1) + benign.len();
        let got: usize = spans
            .iter()
            .filter(|(c, _)| **c >= 0)
            .map(|(_, v)| v.len())
            .sum();
        if got != expected {
            broken.push(format!(
                "{name}: {got} spans with a case, expected {expected}"
            ));
        }
        for (p, path) in PATHS.iter().enumerate() {
            let text = canary(path);
            let (a, b) = text.split_at(text.len() / 2);
            let found = spans.get(&case_of(p, CANARY)).is_some_and(|hays| {
                hays.iter().any(|h| {
                    if *path == SPLIT_PATH {
                        h.contains(a) && h.contains(b)
                    } else {
                        h.contains(&text)
                    }
                })
            });
            if !found {
                broken.push(format!("{name}: path {path} does not export its content"));
            }
        }
    }

    // Secrets.
    let mut caught = vec![[0usize; 2]; PATHS.len()]; // [marker, no-marker]
    let mut tried = vec![[0usize; 2]; PATHS.len()];
    let mut leaks_by_exporter = vec![[0usize; 2]; PATHS.len()];
    let mut leaks: BTreeMap<usize, Vec<Leak>> = BTreeMap::new();
    for (p, path) in PATHS.iter().enumerate() {
        for (e, entry) in entries.iter().enumerate() {
            let class = usize::from(!entry.marker);
            tried[p][class] += 1;
            let mut what: BTreeMap<usize, bool> = BTreeMap::new();
            let mut found_in = Vec::new();
            for (x, (name, spans)) in exporters.iter().enumerate() {
                let hays = spans.get(&case_of(p, e)).map(Vec::as_slice).unwrap_or(&[]);
                let mut here = false;
                for (k, half, needle) in needles(entry, *path == SPLIT_PATH) {
                    if hays.iter().any(|h| h.contains(&needle)) {
                        here = true;
                        let only_half = what.entry(k).or_insert(half);
                        *only_half &= half;
                    }
                }
                if here {
                    found_in.push(*name);
                    leaks_by_exporter[p][x] += usize::from(entry.marker);
                }
            }
            if found_in.is_empty() {
                caught[p][class] += 1;
            } else {
                leaks.entry(e).or_default().push(Leak {
                    path,
                    what,
                    exporters: found_in,
                });
            }
        }
    }
    // A secret anywhere else (another case's span, a span without a case) is a leak too.
    let mut stray = Vec::new();
    for (name, spans) in &exporters {
        for (case, hays) in spans {
            for (e, entry) in entries.iter().enumerate() {
                let own = (0..PATHS.len()).any(|p| case_of(p, e) == *case);
                if own {
                    continue;
                }
                for s in &entry.secrets {
                    if hays.iter().any(|h| h.contains(s)) {
                        stray.push(format!(
                            "{name}: {} found in the span of case {case}",
                            entry.id
                        ));
                    }
                }
            }
        }
    }

    // Benign values: each compared exactly, as exported in the argument and the result.
    let mut altered = Vec::new();
    let mut reformatted_only = 0;
    for (i, b) in benign.iter().enumerate() {
        // The text each copy came out as, under its labels.
        let mut changes: Vec<(String, Vec<String>)> = Vec::new();
        let mut note =
            |label: String, after: String| match changes.iter_mut().find(|(a, _)| *a == after) {
                Some((_, labels)) => labels.push(label),
                None => changes.push((after, vec![label])),
            };
        for (name, spans) in &exporters {
            let Some(hay) = spans.get(&(BENIGN_BASE + i as i64)).and_then(|v| v.first()) else {
                note(name.to_string(), "<span missing>".to_owned());
                continue;
            };
            let json_of = |key: &str| {
                hay.attrs
                    .get(key)
                    .and_then(|s| serde_json::from_str::<Value>(s).ok())
            };
            let argument = json_of("gen_ai.tool.call.arguments")
                .and_then(|v| v.get("text").and_then(Value::as_str).map(str::to_owned));
            let result =
                json_of("gen_ai.tool.call.result").and_then(|v| v.as_str().map(str::to_owned));
            for (label, got) in [("argument", argument), ("result", result)] {
                match got {
                    Some(g) if g == b.value => {}
                    Some(g) => note(format!("{name} {label}"), g),
                    None => note(format!("{name} {label}"), "<missing>".to_owned()),
                }
            }
        }
        if !changes.is_empty() {
            let same_json = changes.iter().all(|(after, _)| {
                matches!(
                    (serde_json::from_str::<Value>(after), serde_json::from_str::<Value>(&b.value)),
                    (Ok(x), Ok(y)) if x == y
                )
            });
            reformatted_only += usize::from(same_json);
            altered.push((i, changes, same_json));
        }
    }

    // The report.
    let mut r = String::new();
    let no_marker = entries.len() - marked;
    let _ = writeln!(
        r,
        "\n===== secret corpus: {marked} marker-bearing secret entries (+{no_marker} without a marker) × {} paths; \
         exported through Builder::build to the file exporter (OTLP-JSON) and OTLP/HTTP protobuf =====",
        PATHS.len()
    );
    let _ = writeln!(
        r,
        "spans exported: {} (lost {})",
        stats.exported,
        stats.lost()
    );
    let _ = writeln!(
        r,
        "\n{:<22} {:>10} {:>8}   {:>10} {:>10}   {:>10}",
        "path", "caught", "", "file leaks", "otlp leaks", "no-marker"
    );
    let (mut all_caught, mut all_tried) = (0, 0);
    for (p, path) in PATHS.iter().enumerate() {
        let [c, cn] = caught[p];
        let [t, tn] = tried[p];
        all_caught += c;
        all_tried += t;
        let _ = writeln!(
            r,
            "{:<22} {:>10} {:>7.1}%   {:>10} {:>10}   {:>10}",
            path,
            format!("{c}/{t}"),
            100.0 * c as f64 / t.max(1) as f64,
            leaks_by_exporter[p][0],
            leaks_by_exporter[p][1],
            format!("{cn}/{tn}")
        );
    }
    let _ = writeln!(
        r,
        "{:<22} {:>10} {:>7.1}%",
        "OVERALL",
        format!("{all_caught}/{all_tried}"),
        100.0 * all_caught as f64 / all_tried.max(1) as f64
    );
    let leaked_marked: Vec<_> = leaks.iter().filter(|(e, _)| entries[**e].marker).collect();
    let _ = writeln!(
        r,
        "\nleaked marker-bearing entries: {} of {marked} leak on at least one path",
        leaked_marked.len()
    );
    for (e, list) in &leaked_marked {
        let entry = &entries[**e];
        let _ = writeln!(
            r,
            "  {} [{}] {:?}: {}/{} paths",
            entry.id,
            entry.kind,
            preview(&entry.secrets[0], 14),
            list.len(),
            PATHS.len()
        );
        let detail: Vec<String> = list
            .iter()
            .map(|l| {
                let only = if l.exporters.len() == 1 {
                    format!(" [{} only]", l.exporters[0])
                } else {
                    String::new()
                };
                let what: Vec<String> = l
                    .what
                    .iter()
                    .map(|(k, half)| {
                        let which = match entry.secrets.len() {
                            1 => String::new(),
                            _ => format!("secret {}", k + 1),
                        };
                        match (half, which.is_empty()) {
                            (true, true) => "a half".to_owned(),
                            (true, false) => format!("{which}: a half"),
                            (false, _) => which,
                        }
                    })
                    .filter(|w| !w.is_empty())
                    .collect();
                let what = match what.is_empty() {
                    true => String::new(),
                    false => format!(" ({})", what.join(", ")),
                };
                format!("{}{what}{only}", l.path)
            })
            .collect();
        if list.len() == PATHS.len() {
            let notes: Vec<&String> = detail.iter().filter(|d| d.contains(['(', '['])).collect();
            let notes = match notes.is_empty() {
                true => String::new(),
                false => format!(
                    "; {}",
                    notes
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            let _ = writeln!(r, "      all paths{notes}");
        } else {
            let _ = writeln!(r, "      {}", detail.join(", "));
        }
    }
    let _ = writeln!(
        r,
        "\nentries without a marker (allowed to pass, not asserted):"
    );
    for (e, entry) in entries.iter().enumerate().filter(|(_, e)| !e.marker) {
        let n = leaks.get(&e).map_or(0, Vec::len);
        let _ = writeln!(
            r,
            "  {} {:?}: caught on {}/{} paths",
            entry.id,
            entry.secrets[0],
            PATHS.len() - n,
            PATHS.len()
        );
    }
    let share = 100.0 * altered.len() as f64 / benign.len() as f64;
    let _ = writeln!(
        r,
        "\nbenign: {}/{} values altered ({share:.1}%) through a #[tool] argument and result, file and OTLP, \
         compared exactly; {reformatted_only} of them only re-serialised (the same JSON value, other text)",
        altered.len(),
        benign.len()
    );
    for (i, changes, same_json) in &altered {
        let b = &benign[*i];
        let tag = if *same_json {
            " (same JSON value, re-serialised)"
        } else {
            ""
        };
        let _ = writeln!(r, "  [{}]{tag} {:?}", b.kind, preview(&b.value, 160));
        for (after, labels) in changes {
            let labels = match labels.len() {
                4 => "everywhere".to_owned(),
                _ => labels.join(", "),
            };
            let _ = writeln!(r, "      → {:?}  [{labels}]", preview(after, 160));
        }
    }
    if !stray.is_empty() {
        let _ = writeln!(r, "\nsecrets in spans not their own: {}", stray.len());
        for s in &stray {
            let _ = writeln!(r, "  {s}");
        }
    }
    if !broken.is_empty() {
        let _ = writeln!(r, "\nTHE YARDSTICK IS BROKEN:");
        for b in &broken {
            let _ = writeln!(r, "  {b}");
        }
    }
    println!("{r}");

    assert!(
        broken.is_empty(),
        "the corpus did not run as meant: {broken:?}"
    );
    let marker_leaks = all_tried - all_caught;
    assert!(
        marker_leaks == 0 && stray.is_empty() && share <= 1.0,
        "{marker_leaks} marker-bearing secret captures leaked ({} entries), {} stray, {}/{} benign values altered ({share:.1}%, at most 1% allowed): see the report above",
        leaked_marked.len(),
        stray.len(),
        altered.len(),
        benign.len()
    );
}
