//! Safe capture: secrets never reach an exported span, huge values yield bounded attributes with
//! bounded memory, and odd values (invalid UTF-8, NaN/∞, 10,000-deep JSON) are handled without
//! panicking.

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use genai_tracing::capture::{capture_limits, REDACTED};
use genai_tracing::{agent, llm_call, tool};
use genai_tracing_tests::{record, record_unwind, SpanDataExt, Spans};
use opentelemetry::{Array, Value as OtelValue};
use serde::Serialize;
use serde_json::{json, Value};

/// Counts live heap bytes and their peak, to bound what capturing allocates.
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
        PEAK.fetch_max(live, Ordering::SeqCst);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The peak is process-wide: the tests of this file run one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

const SECRETS: [&str; 12] = [
    "sk-proj-4fJx9QmZr2TbW8yVn1KcLd7H",
    "sk-ant-api03-Zx8Qm2Lr7TbWyVn1KcLd",
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
    "xoxb-2837465-1029384756-abcdefghij",
    "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N",
    "hunter2-correct-horse",
    "Zm9vYmFyYmF6cXV4cXV1eA==",
    "s3cr3t-p4ss",
    "db-pw-771",
];

#[derive(Serialize)]
struct Config {
    endpoint: String,
    password: String,
    api_key: String,
}

#[tool(capture = true)]
fn call_service(
    api_key: &str,
    config: Config,
    headers: HashMap<String, String>,
    note: &str,
) -> Result<Value, String> {
    let _ = (api_key, &config, &headers);
    if note.contains("fail") {
        return Err(format!("upstream rejected key {}", SECRETS[0]));
    }
    Ok(json!({
        "echo": format!("used {} and {}", SECRETS[2], SECRETS[4]),
        "session": {"token": SECRETS[8], "refresh_token": "abc"},
        "url": format!("https://admin:{}@db.internal:5432/app", SECRETS[11]),
    }))
}

#[llm_call(provider = "openai", capture = true)]
fn chat(request: &Value) -> Value {
    let _ = request;
    json!({"id": "c", "model": "gpt-4o", "choices": [{"index": 0, "finish_reason": "stop",
        "message": {"role": "assistant", "content": format!("Your key {} is set. JWT: {}", SECRETS[1], SECRETS[7])}}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 5}})
}

#[agent(capture = true)]
fn support_agent(question: &str) -> String {
    format!("I logged in with Bearer {}", SECRETS[9])
}

fn all_text(spans: &Spans) -> String {
    let mut out = String::new();
    for s in &spans.0 {
        for kv in &s.attributes {
            match &kv.value {
                OtelValue::String(v) => out.push_str(v.as_str()),
                OtelValue::Array(Array::String(items)) => {
                    items.iter().for_each(|i| out.push_str(i.as_str()))
                }
                other => out.push_str(&other.to_string()),
            }
            out.push('\n');
        }
        if let Some(d) = s.error_description() {
            out.push_str(d);
        }
        for e in s.events.iter() {
            out.push_str(&e.name);
            e.attributes
                .iter()
                .for_each(|kv| out.push_str(&kv.value.to_string()));
        }
    }
    out
}

#[test]
fn a_corpus_of_secrets_never_reaches_an_exported_span() {
    let _serial = serial();
    let headers = HashMap::from([
        ("Authorization".to_owned(), format!("Bearer {}", SECRETS[9])),
        ("X-Api-Key".to_owned(), SECRETS[5].to_owned()),
    ]);
    let config = || Config {
        endpoint: "https://api.example.com".into(),
        password: SECRETS[10].into(),
        api_key: SECRETS[6].into(),
    };
    let request = json!({"model": "gpt-4o", "messages": [
        {"role": "system", "content": format!("Use AWS key {} with aws_secret_access_key={}", SECRETS[2], SECRETS[3])},
        {"role": "user", "content": format!("my openai key is {} and github {}", SECRETS[0], SECRETS[4])}
    ]});
    let ((), spans) = record(|| {
        let _ = call_service(SECRETS[0], config(), headers.clone(), "ok");
        let _ = call_service(SECRETS[1], config(), headers.clone(), "fail please");
        chat(&request);
        support_agent(&format!("why does {} fail?", SECRETS[6]));
    });
    let text = all_text(&spans);
    for secret in SECRETS {
        assert!(!text.contains(secret), "{secret} leaked:\n{text}");
    }
    assert!(text.contains(REDACTED));
    // What is not secret is kept.
    let tool = &spans.0[0];
    let args = tool.json_attr("gen_ai.tool.call.arguments").unwrap();
    assert_eq!(args["config"]["endpoint"], "https://api.example.com");
    assert_eq!(args["config"]["password"], REDACTED);
    assert_eq!(args["api_key"], REDACTED);
    let result = tool.json_attr("gen_ai.tool.call.result").unwrap();
    assert_eq!(result["session"]["refresh_token"], REDACTED);
    assert!(result["url"]
        .as_str()
        .unwrap()
        .ends_with("db.internal:5432/app"));
}

#[tool(capture = true)]
fn ingest(document: &str) -> usize {
    document.len()
}

#[test]
fn a_100_mb_argument_yields_a_bounded_attribute_with_bounded_memory() {
    let _serial = serial();
    let huge = "x".repeat(100 * 1024 * 1024);
    let ((len, peak), spans) = record(|| {
        let before = LIVE.load(Ordering::SeqCst);
        PEAK.store(before, Ordering::SeqCst);
        let len = ingest(&huge);
        (len, PEAK.load(Ordering::SeqCst) - before)
    });
    assert_eq!(len, huge.len());
    let limit = capture_limits().max_bytes;
    let attr = spans
        .one("execute_tool ingest")
        .str_attr("gen_ai.tool.call.arguments")
        .unwrap()
        .to_owned();
    assert!(attr.len() <= limit, "{} > {limit}", attr.len());
    let args: Value = serde_json::from_str(&attr).expect("still valid JSON");
    let kept = args["document"].as_str().unwrap();
    assert!(
        kept.ends_with(&format!("of {} bytes]", huge.len())),
        "says it was truncated"
    );
    assert!(
        peak < 4 * 1024 * 1024,
        "capturing allocated {peak} bytes at peak"
    );
}

/// Bytes that are not UTF-8, serialised as bytes (as `serde_bytes` does).
struct RawBytes(Vec<u8>);
impl Serialize for RawBytes {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.0)
    }
}

#[tool(capture = true)]
fn odd(raw: RawBytes, path: std::path::PathBuf, numbers: Vec<f64>, items: Vec<u32>) -> usize {
    raw.0.len() + path.as_os_str().len() + numbers.len() + items.len()
}

#[test]
fn invalid_utf8_non_finite_floats_and_long_lists_are_handled() {
    let _serial = serial();
    use std::os::unix::ffi::OsStrExt as _;
    let path = std::path::PathBuf::from(std::ffi::OsStr::from_bytes(b"/tmp/\xff\xfe.txt"));
    let (_, spans) = record(|| {
        odd(
            RawBytes(vec![b'o', b'k', 0xff, 0xfe]),
            path,
            vec![f64::NAN, f64::INFINITY, -f64::INFINITY, 1.5],
            (0..5000).collect(),
        )
    });
    let args = spans
        .one("execute_tool odd")
        .json_attr("gen_ai.tool.call.arguments")
        .unwrap();
    assert_eq!(args["raw"], "ok\u{fffd}\u{fffd}");
    assert!(
        args["path"]
            .as_str()
            .unwrap()
            .starts_with("<not serializable"),
        "{}",
        args["path"]
    );
    assert_eq!(args["numbers"], json!(["NaN", "inf", "-inf", 1.5]));
    let items = args["items"].as_array().unwrap();
    assert_eq!(items.len(), 1001);
    assert_eq!(items[1000], "…[4000 more items]");
}

#[tool(capture = true)]
fn deep(tree: &Value) -> usize {
    let _ = tree;
    1
}

#[test]
fn a_10000_deep_value_is_cut_at_the_depth_limit_without_deep_recursion() {
    let _serial = serial();
    // Built and dropped on a thread with a large stack (serde_json drops recursively); captured on
    // a thread with a small one, which a recursive walk of 10,000 levels would overflow.
    let big = std::thread::Builder::new().stack_size(256 << 20);
    big.spawn(|| {
        let mut tree = json!("leaf");
        for _ in 0..10_000 {
            tree = Value::Array(vec![tree]);
        }
        let tree = Arc::new(tree);
        let shared = tree.clone();
        let spans = std::thread::Builder::new()
            .stack_size(512 * 1024)
            .spawn(move || record(|| deep(&shared)).1)
            .unwrap()
            .join()
            .expect("no stack overflow");
        let args = spans
            .one("execute_tool deep")
            .json_attr("gen_ai.tool.call.arguments")
            .unwrap();
        let mut node = &args["tree"];
        let mut depth = 0;
        while let Some(inner) = node.get(0) {
            node = inner;
            depth += 1;
        }
        assert_eq!(node, "[depth limit]");
        assert!(depth < 40, "{depth}");
    })
    .unwrap()
    .join()
    .unwrap();
}

fn drop_customer_email(v: &mut Value) {
    if let Some(o) = v.get_mut("profile").and_then(Value::as_object_mut) {
        o.insert("customer_email".into(), json!("[user-redacted]"));
    }
}

#[tool(capture = true)]
fn update_profile(profile: Value) -> bool {
    profile.is_object()
}

#[test]
fn a_user_hook_redacts_more() {
    let _serial = serial();
    genai_tracing::capture::set_redaction_hook(Some(drop_customer_email));
    let (_, spans) =
        record(|| update_profile(json!({"customer_email": "ann@example.com", "plan": "pro"})));
    genai_tracing::capture::set_redaction_hook(None);
    let args = spans
        .one("execute_tool update_profile")
        .json_attr("gen_ai.tool.call.arguments")
        .unwrap();
    assert_eq!(
        args["profile"],
        json!({"customer_email": "[user-redacted]", "plan": "pro"})
    );
}

#[tool]
fn leaky_panic(key: &str) -> u8 {
    panic!("bad key {key}")
}

#[test]
fn panic_and_error_messages_are_scrubbed_too() {
    let _serial = serial();
    let (_, spans) = record_unwind(|| leaky_panic(SECRETS[0]));
    let d = spans
        .one("execute_tool leaky_panic")
        .error_description()
        .unwrap()
        .to_owned();
    assert_eq!(d, format!("bad key {REDACTED}"));
}

/// An error whose `Debug` text (its description: it has no `Display`) quotes the key.
#[derive(Debug)]
struct UpstreamError {
    #[allow(dead_code)]
    api_key: String,
}

#[tool(capture = true)]
fn call_with_json(args_json: &str, keyed: HashMap<String, u32>) -> Result<u8, UpstreamError> {
    let _ = (args_json, keyed);
    Err(UpstreamError {
        api_key: "k-live-77f3e9a0c1".into(),
    })
}

#[agent(capture = true)]
fn login(password: &str) -> bool {
    !password.is_empty()
}

#[genai_tracing::retrieval(capture = true)]
fn vector_search(api_key: &str, query: &str) -> Vec<String> {
    let _ = api_key;
    vec![query.to_owned()]
}

#[test]
fn secrets_in_json_strings_map_keys_debug_text_and_lone_arguments_are_redacted() {
    let _serial = serial();
    let args_json = r#"{"username":"ann","password":"hunter2","api_key":"zz-99887766","stripe":"sk_live_51Habcdefghijklmn"}"#;
    let keyed = HashMap::from([(SECRETS[0].to_owned(), 5)]);
    let ((), spans) = record(|| {
        let _ = call_with_json(args_json, keyed.clone());
        login("hunter2-correct-horse");
        vector_search("a1b2c3d4e5f6-pinecone", "refund policy");
    });
    let text = all_text(&spans);
    for secret in [
        "hunter2",
        "zz-99887766",
        "sk_live_51H",
        SECRETS[0],
        "k-live-77f3e9a0c1",
        "a1b2c3d4e5f6",
    ] {
        assert!(!text.contains(secret), "{secret} leaked:\n{text}");
    }
    let tool = spans.one("execute_tool call_with_json");
    let args = tool.json_attr("gen_ai.tool.call.arguments").unwrap();
    let inner: Value =
        serde_json::from_str(args["args_json"].as_str().unwrap()).expect("still JSON");
    assert_eq!(inner["username"], "ann", "what is not secret is kept");
    assert_eq!(inner["password"], REDACTED);
    assert_eq!(
        spans.one("invoke_agent login").str_attr("input.value"),
        Some(REDACTED)
    );
    assert_eq!(
        spans
            .one("retrieval")
            .str_attr("gen_ai.retrieval.query.text"),
        Some("refund policy")
    );
}

fn mark_mailboxes(v: &mut Value) {
    if let Value::String(s) = v {
        *s = s.replace("ann@example.com", "[EMAIL]");
    }
}

#[tool]
fn huge_error(n: usize) -> Result<u8, String> {
    Err(format!(
        "mailbox ann@example.com is full: {}",
        "x".repeat(n)
    ))
}

#[test]
fn error_messages_are_bounded_and_pass_through_the_hook() {
    let _serial = serial();
    genai_tracing::capture::set_redaction_hook(Some(mark_mailboxes));
    let (_, spans) = record(|| huge_error(3_000_000));
    genai_tracing::capture::set_redaction_hook(None);
    let d = spans
        .one("execute_tool huge_error")
        .error_description()
        .unwrap()
        .to_owned();
    assert!(d.len() <= capture_limits().max_bytes, "{} bytes", d.len());
    assert!(d.starts_with("mailbox [EMAIL] is full"), "{}", &d[..60]);
}

#[test]
fn tiny_limits_still_keep_some_text_and_cut_long_keys() {
    let _serial = serial();
    let before = capture_limits();
    genai_tracing::capture::set_capture_limits(genai_tracing::capture::CaptureLimits {
        max_bytes: 40,
        ..before
    });
    let long_key = HashMap::from([("k".repeat(300), 1)]);
    let (_, spans) = record(|| call_service_small("x".repeat(500), long_key.clone()));
    genai_tracing::capture::set_capture_limits(before);
    let attr = spans
        .one("execute_tool call_service_small")
        .str_attr("gen_ai.tool.call.arguments")
        .unwrap()
        .to_owned();
    assert!(attr.len() <= 40, "{attr}");
    assert!(serde_json::from_str::<Value>(&attr).is_ok(), "{attr}");
}

#[tool(capture = true)]
fn call_service_small(text: String, map: HashMap<String, u32>) -> usize {
    text.len() + map.len()
}
