//! The demo's traces as real backends show them: a running Arize Phoenix (`PHOENIX_URL`) and
//! MLflow 3 (`MLFLOW_URL`), as `.ci/backends` starts them.
//!
//! The demo binary answers "What is 17 * 23?" with its scripted model and exports over OTLP/HTTP
//! configured by the standard OpenTelemetry variables only (endpoint, headers, resource
//! attributes; message content captured). Each test then reads the trace back over the
//! backend's own API and checks what a user would see there: the tree (the agent is the parent of
//! both model calls and the tool call), each span's kind as the backend classifies it, the token
//! counts of each model call (the demo's printed figures), the trace's total tokens (not doubled by
//! the agent span's own rollup of its calls), the tool's input and output, the model's output
//! messages and the agent's question and answer.
//!
//! Without `PHOENIX_URL`/`MLFLOW_URL` the tests are skipped, unless `CI` is set: then they fail.

use std::thread::sleep;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use genai_tracing::capture::CAPTURE_ENV;
use genai_tracing_tests::process::{command_without_otel, stdout_of};
use reqwest::blocking::Client;
use serde_json::{json, Value};

const EXE: &str = env!("CARGO_BIN_EXE_react_agent");
const QUESTION: &str = "What is 17 * 23?";
const ANSWER: &str = "17 * 23 = 391.";
/// How long a backend may take to show an exported trace (ingestion is asynchronous).
const INGESTION: Duration = Duration::from_secs(30);

/// The backend's base URL from `var`; `None` (test skipped) when unset outside CI.
fn backend(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url.trim_end_matches('/').to_owned()),
        _ if std::env::var("CI").is_ok_and(|ci| !ci.is_empty()) => {
            panic!("{var} is not set but CI is: source .ci/backends to start the backends")
        }
        _ => {
            eprintln!(
                "skipped: set {var} to a running server's base URL, or run `source .ci/backends` \
                 (starts Arize Phoenix and MLflow and sets PHOENIX_URL and MLFLOW_URL)"
            );
            None
        }
    }
}

/// A name no other run uses.
fn unique(prefix: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_nanos();
    format!("{prefix}-{}-{nanos}", std::process::id())
}

fn client() -> Client {
    Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("HTTP client")
}

/// The JSON answer of a GET, or `None` on a non-success status.
fn get_json(client: &Client, url: &str) -> Option<Value> {
    let response = client.get(url).send().expect("GET");
    response
        .status()
        .is_success()
        .then(|| response.json().expect("a JSON answer"))
}

fn post_json(client: &Client, url: &str, body: &Value) -> Value {
    let response = client.post(url).json(body).send().expect("POST");
    let status = response.status();
    let text = response.text().expect("body");
    assert!(status.is_success(), "POST {url}: {status} {text}");
    serde_json::from_str(&text).expect("a JSON answer")
}

/// Polls `read` until it returns something, for at most [`INGESTION`].
fn poll<T>(what: &str, mut read: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + INGESTION;
    loop {
        if let Some(found) = read() {
            return found;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: not there after {INGESTION:?}"
        );
        sleep(Duration::from_millis(250));
    }
}

/// What the demo printed for the question: its trace id and the token counts (input, output) of
/// the agent and of each model call, in call order.
struct Demo {
    trace_id: String,
    agent_tokens: (i64, i64),
    call_tokens: Vec<(i64, i64)>,
}

/// The `IN→OUT tokens` figures of a tree line.
fn tokens(line: &str) -> Option<(i64, i64)> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let at = words.iter().position(|w| *w == "tokens")?;
    let (input, output) = words[at.checked_sub(1)?].split_once('→')?;
    Some((input.parse().ok()?, output.parse().ok()?))
}

/// Runs the demo on [`QUESTION`] with the scripted model, exporting with these `OTEL_*` variables.
fn run_demo(otel: &[(&str, &str)]) -> Demo {
    let mut command = command_without_otel(EXE);
    command
        .env_remove("OPENAI_BASE_URL")
        .env_remove("OPENAI_API_KEY")
        .env(CAPTURE_ENV, "true")
        // The trees too, which the demo prints only to the console exporter.
        .env(genai_tracing::export::CONSOLE_ENV, "true")
        .args(["--question", QUESTION]);
    for (var, value) in otel {
        command.env(var, value);
    }
    let stdout = stdout_of(&command.output().expect("run the demo"));
    assert!(stdout.contains(&format!("A: {ANSWER}")), "{stdout}");
    let trace_id = stdout
        .lines()
        .find_map(|l| l.strip_prefix("trace "))
        .expect("a trace id")
        .to_owned();
    assert_eq!(trace_id.len(), 32, "{stdout}");
    let tree: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("trace "))
        .collect();
    let agent_tokens = tree
        .iter()
        .find(|l| l.starts_with("invoke_agent react-agent"))
        .and_then(|l| tokens(l))
        .expect("the agent's tokens");
    let call_tokens: Vec<(i64, i64)> = tree
        .iter()
        .filter(|l| l.contains("chat gpt-4o-mini"))
        .map(|l| tokens(l).expect("a call's tokens"))
        .collect();
    assert_eq!(call_tokens.len(), 2, "{stdout}");
    let sum = call_tokens
        .iter()
        .fold((0, 0), |(i, o), (ci, co)| (i + ci, o + co));
    assert_eq!(agent_tokens, sum, "the agent carries its calls' total");
    Demo {
        trace_id,
        agent_tokens,
        call_tokens,
    }
}

// --- Arize Phoenix -------------------------------------------------------------------------------

/// The spans of `trace_id` in Phoenix's project, once all `count` are there
/// (`GET /v1/projects/{project}/spans`, 404 until the project has a span).
fn phoenix_spans(client: &Client, url: &str, project: &str, trace_id: &str) -> Vec<Value> {
    poll(
        &format!("trace {trace_id} in Phoenix project {project}"),
        || {
            let page = get_json(
                client,
                &format!("{url}/v1/projects/{project}/spans?limit=100"),
            )?;
            let spans: Vec<Value> = page["data"]
                .as_array()?
                .iter()
                .filter(|s| s["context"]["trace_id"] == trace_id)
                .cloned()
                .collect();
            (spans.len() == 4).then_some(spans)
        },
    )
}

fn phoenix_attr<'a>(span: &'a Value, key: &str) -> &'a Value {
    &span["attributes"][key]
}

/// The spans of this kind and name, in start order.
fn phoenix_kind<'a>(spans: &'a [Value], kind: &str, name: &str) -> Vec<&'a Value> {
    let mut found: Vec<&Value> = spans
        .iter()
        .filter(|s| s["span_kind"] == kind && s["name"] == name)
        .collect();
    found.sort_by_key(|s| s["start_time"].as_str().unwrap_or_default().to_owned());
    found
}

/// Checks one demo trace as Phoenix shows it in `project`.
fn check_phoenix(client: &Client, url: &str, project: &str, demo: &Demo) {
    let spans = phoenix_spans(client, url, project, &demo.trace_id);

    // The tree and the kinds.
    let agent = phoenix_kind(&spans, "AGENT", "invoke_agent react-agent");
    assert_eq!(agent.len(), 1, "{spans:#?}");
    let agent = agent[0];
    assert_eq!(agent["parent_id"], Value::Null, "the agent is the root");
    let agent_id = &agent["context"]["span_id"];
    let calls = phoenix_kind(&spans, "LLM", "chat gpt-4o-mini");
    let tool = phoenix_kind(&spans, "TOOL", "execute_tool calculator");
    assert_eq!((calls.len(), tool.len()), (2, 1), "{spans:#?}");
    let tool = tool[0];
    for child in calls.iter().chain([&tool]) {
        assert_eq!(&child["parent_id"], agent_id, "{child:#}");
        assert_ne!(child["status_code"], "ERROR", "{child:#}");
    }

    // The agent's question and answer.
    assert_eq!(phoenix_attr(agent, "input.value"), QUESTION);
    assert_eq!(phoenix_attr(agent, "output.value"), ANSWER);

    // Each model call's tokens and output message.
    for (call, (input, output)) in calls.iter().zip(&demo.call_tokens) {
        assert_eq!(phoenix_attr(call, "llm.token_count.prompt"), input);
        assert_eq!(phoenix_attr(call, "llm.token_count.completion"), output);
        assert_eq!(phoenix_attr(call, "llm.token_count.total"), input + output);
        assert_eq!(phoenix_attr(call, "llm.model_name"), "gpt-4o-mini");
        assert_eq!(phoenix_attr(call, "llm.provider"), "openai");
        assert_eq!(
            phoenix_attr(call, "llm.output_messages.0.message.role"),
            "assistant"
        );
    }
    assert_eq!(
        phoenix_attr(
            calls[0],
            "llm.output_messages.0.message.tool_calls.0.tool_call.function.name"
        ),
        "calculator"
    );
    let arguments = phoenix_attr(
        calls[0],
        "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments",
    );
    let arguments: Value = serde_json::from_str(arguments.as_str().expect("JSON text")).unwrap();
    assert_eq!(arguments, json!({"expr": "17 * 23"}));
    assert_eq!(
        phoenix_attr(calls[1], "llm.output_messages.0.message.content"),
        ANSWER
    );
    assert_eq!(phoenix_attr(calls[1], "llm.finish_reason"), "stop");

    // The tool's input (Phoenix flattens `tool.parameters`) and output.
    assert_eq!(phoenix_attr(tool, "tool.name"), "calculator");
    assert_eq!(phoenix_attr(tool, "tool.parameters.expr"), "17 * 23");
    let result = phoenix_attr(tool, "output.value")
        .as_str()
        .expect("a result");
    assert_eq!(result.parse::<f64>().ok(), Some(391.0), "{tool:#}");

    // Totals: Phoenix counts the model calls only, not the agent's rollup of them again.
    let project_id = get_json(client, &format!("{url}/v1/projects/{project}"))
        .expect("the project")["data"]["id"]
        .clone();
    let query = format!(
        "{{ node(id: {project_id}) {{ ... on Project {{ trace(traceId: \"{}\") {{ \
         spans(first: 10) {{ edges {{ node {{ spanId spanKind tokenCountTotal \
         cumulativeTokenCountPrompt cumulativeTokenCountCompletion cumulativeTokenCountTotal \
         }} }} }} }} }} }} }}",
        demo.trace_id
    );
    let answer = post_json(client, &format!("{url}/graphql"), &json!({"query": query}));
    let root = answer["data"]["node"]["trace"]["spans"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{answer:#}"))
        .iter()
        .map(|e| &e["node"])
        .find(|s| &s["spanId"] == agent_id)
        .unwrap_or_else(|| panic!("the agent in {answer:#}"));
    let (input, output) = demo.agent_tokens;
    assert_eq!(root["spanKind"], "agent");
    assert_eq!(root["tokenCountTotal"], 0, "{root:#}");
    assert_eq!(root["cumulativeTokenCountPrompt"], json!(input as f64));
    assert_eq!(root["cumulativeTokenCountCompletion"], json!(output as f64));
    assert_eq!(
        root["cumulativeTokenCountTotal"],
        json!((input + output) as f64)
    );
}

/// Phoenix, each run into a project of its own: named by the `x-project-name` header, by the
/// `openinference.project.name` resource attribute, and by the preset
/// (`GENAI_TRACING_BACKEND=phoenix`, which sends the header).
#[test]
fn phoenix() {
    let Some(url) = backend("PHOENIX_URL") else {
        return;
    };
    let client = client();
    for way in ["header", "resource", "preset"] {
        let project = unique(&format!("genai-tracing-{way}"));
        let demo = match way {
            "header" => run_demo(&[
                ("OTEL_EXPORTER_OTLP_ENDPOINT", &url),
                (
                    "OTEL_EXPORTER_OTLP_HEADERS",
                    &format!("x-project-name={project}"),
                ),
            ]),
            "resource" => run_demo(&[
                ("OTEL_EXPORTER_OTLP_ENDPOINT", &url),
                (
                    "OTEL_RESOURCE_ATTRIBUTES",
                    &format!("openinference.project.name={project}"),
                ),
            ]),
            _ => run_demo(&[
                ("GENAI_TRACING_BACKEND", "phoenix"),
                ("PHOENIX_COLLECTOR_ENDPOINT", &url),
                ("PHOENIX_PROJECT_NAME", &project),
            ]),
        };
        check_phoenix(&client, &url, &project, &demo);
    }
}

// --- MLflow 3 ------------------------------------------------------------------------------------

/// An OTLP `AnyValue` in proto-JSON form (as MLflow returns span attributes) as plain JSON.
fn any_value(value: &Value) -> Value {
    if let Some(s) = value.get("string_value") {
        return s.clone();
    }
    if let Some(i) = value.get("int_value") {
        // proto-JSON may write 64-bit integers as strings
        return match i.as_str() {
            Some(s) => json!(s.parse::<i64>().expect("an integer")),
            None => i.clone(),
        };
    }
    if let Some(x) = value.get("double_value").or(value.get("bool_value")) {
        return x.clone();
    }
    if let Some(array) = value.get("array_value") {
        let items = array["values"].as_array().map_or(&[][..], Vec::as_slice);
        return items.iter().map(any_value).collect();
    }
    if let Some(kvlist) = value.get("kvlist_value") {
        let items = kvlist["values"].as_array().map_or(&[][..], Vec::as_slice);
        return items
            .iter()
            .map(|kv| {
                let key = kv["key"].as_str().expect("a key").to_owned();
                (key, any_value(&kv["value"]))
            })
            .collect::<serde_json::Map<_, _>>()
            .into();
    }
    Value::Null
}

/// A span attribute as plain JSON (`null` when absent).
fn mlflow_attr(span: &Value, key: &str) -> Value {
    span["attributes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["key"] == key)
        .map_or(Value::Null, |a| any_value(&a["value"]))
}

/// A JSON number, or a number written as a string.
fn number(value: &Value) -> u128 {
    value
        .as_u64()
        .map(u128::from)
        .or_else(|| value.as_str()?.parse().ok())
        .unwrap_or_else(|| panic!("not a number: {value}"))
}

/// The spans of this MLflow span type and name; in start order.
fn mlflow_kind<'a>(spans: &'a [Value], kind: &str, name: &str) -> Vec<&'a Value> {
    let mut found: Vec<&Value> = spans
        .iter()
        .filter(|s| mlflow_attr(s, "mlflow.spanType") == kind && s["name"] == name)
        .collect();
    found.sort_by_key(|s| number(&s["start_time_unix_nano"]));
    found
}

/// MLflow, each run into a fresh experiment: chosen by the `x-mlflow-experiment-id` header in
/// the standard variables, and by the preset (`GENAI_TRACING_BACKEND=mlflow`).
#[test]
fn mlflow() {
    let Some(url) = backend("MLFLOW_URL") else {
        return;
    };
    let client = client();
    for preset in [false, true] {
        let created = post_json(
            &client,
            &format!("{url}/api/2.0/mlflow/experiments/create"),
            &json!({"name": unique("genai-tracing")}),
        );
        let experiment = created["experiment_id"].as_str().expect("an experiment id");
        let demo = if preset {
            run_demo(&[
                ("GENAI_TRACING_BACKEND", "mlflow"),
                ("MLFLOW_TRACKING_URI", &url),
                ("MLFLOW_EXPERIMENT_ID", experiment),
            ])
        } else {
            run_demo(&[
                ("OTEL_EXPORTER_OTLP_ENDPOINT", &url),
                (
                    "OTEL_EXPORTER_OTLP_HEADERS",
                    &format!("x-mlflow-experiment-id={experiment}"),
                ),
            ])
        };
        check_mlflow(&client, &url, experiment, &demo);
    }
}

/// The demo's trace as MLflow shows it, in `experiment`.
fn check_mlflow(client: &Client, url: &str, experiment: &str, demo: &Demo) {
    let trace = poll(&format!("trace {} in MLflow", demo.trace_id), || {
        let found = get_json(
            client,
            &format!(
                "{url}/api/3.0/mlflow/traces/get?trace_id=tr-{}",
                demo.trace_id
            ),
        )?;
        (found["trace"]["spans"].as_array()?.len() == 4).then(|| found["trace"].clone())
    });
    let info = &trace["trace_info"];
    let spans = trace["spans"].as_array().expect("spans").as_slice();

    // Where it landed, and the trace's summary.
    assert_eq!(
        info["trace_location"]["mlflow_experiment"]["experiment_id"],
        experiment
    );
    assert_eq!(info["state"], "OK", "{info:#}");
    assert!(
        info["request_preview"]
            .as_str()
            .is_some_and(|p| p.contains(QUESTION)),
        "{info:#}"
    );
    assert!(
        info["response_preview"]
            .as_str()
            .is_some_and(|p| p.contains(ANSWER)),
        "{info:#}"
    );
    // The trace's usage is the calls' total once, although both the agent and its calls carry
    // usage (MLflow skips spans whose ancestor already has usage).
    let (input, output) = demo.agent_tokens;
    let usage: Value = serde_json::from_str(
        info["trace_metadata"]["mlflow.trace.tokenUsage"]
            .as_str()
            .unwrap_or_else(|| panic!("token usage in {info:#}")),
    )
    .expect("JSON usage");
    assert_eq!(
        usage,
        json!({"input_tokens": input, "output_tokens": output, "total_tokens": input + output})
    );

    // The tree and the kinds (chat calls carry `mlflow.spanType` CHAT_MODEL, which MLflow takes
    // over the `openinference.span.kind` LLM).
    let agent = mlflow_kind(spans, "AGENT", "invoke_agent react-agent");
    assert_eq!(agent.len(), 1, "{spans:#?}");
    let agent = agent[0];
    assert!(
        agent["parent_span_id"].as_str().is_none_or(str::is_empty),
        "the agent is the root: {agent:#}"
    );
    let calls = mlflow_kind(spans, "CHAT_MODEL", "chat gpt-4o-mini");
    let tool = mlflow_kind(spans, "TOOL", "execute_tool calculator");
    assert_eq!((calls.len(), tool.len()), (2, 1), "{spans:#?}");
    let tool = tool[0];
    for child in calls.iter().chain([&tool]) {
        assert_eq!(child["parent_span_id"], agent["span_id"], "{child:#}");
        assert_ne!(child["status"]["code"], "STATUS_CODE_ERROR", "{child:#}");
    }

    // The agent's question and answer, and its rollup of its calls' usage.
    assert_eq!(mlflow_attr(agent, "mlflow.spanInputs"), QUESTION);
    assert_eq!(mlflow_attr(agent, "mlflow.spanOutputs"), ANSWER);
    assert_eq!(
        mlflow_attr(agent, "mlflow.chat.tokenUsage"),
        json!({"input_tokens": input, "output_tokens": output, "total_tokens": input + output})
    );

    // Each model call's tokens, model and output messages.
    for (call, (input, output)) in calls.iter().zip(&demo.call_tokens) {
        let usage = mlflow_attr(call, "mlflow.chat.tokenUsage");
        assert_eq!(usage["input_tokens"], *input, "{usage}");
        assert_eq!(usage["output_tokens"], *output, "{usage}");
        assert_eq!(usage["total_tokens"], input + output, "{usage}");
        assert_eq!(
            mlflow_attr(call, "mlflow.llm.model"),
            "gpt-4o-mini-2024-07-18"
        );
        assert_eq!(mlflow_attr(call, "mlflow.llm.provider"), "openai");
    }
    assert_eq!(
        mlflow_attr(calls[0], "mlflow.spanOutputs"),
        json!([{"role": "assistant", "finish_reason": "tool_call", "parts": [{"type": "tool_call",
            "id": "call_0", "name": "calculator", "arguments": {"expr": "17 * 23"}}]}])
    );
    assert_eq!(
        mlflow_attr(calls[1], "mlflow.spanOutputs"),
        json!([{"role": "assistant", "finish_reason": "stop",
            "parts": [{"type": "text", "content": ANSWER}]}])
    );

    // The tool's input and output.
    assert_eq!(
        mlflow_attr(tool, "mlflow.spanInputs"),
        json!({"expr": "17 * 23"})
    );
    let result = mlflow_attr(tool, "mlflow.spanOutputs");
    assert_eq!(
        result.as_str().and_then(|r| r.parse::<f64>().ok()),
        Some(391.0),
        "{tool:#}"
    );
}
