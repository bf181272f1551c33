//! A local OpenAI-compatible chat-completions server (127.0.0.1) that serves recorded-style
//! responses from `tests/data/openai`, whole (JSON) or streamed (server-sent events, one event at a
//! time), so the demo's real-model mode runs its real HTTP client and (de)serialisation.
//!
//! `index.json` maps a first user message to a transcript name; the n-th request of a
//! conversation (n = assistant messages so far + 1) gets `{name}-{n}.json`, or `{name}-{n}.sse`
//! when the request sets `"stream": true`. The model `missing-model` gets OpenAI's 404.

use std::io::{Cursor, Read};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use serde_json::{json, Value};

/// A request the server received.
#[derive(Debug, Clone)]
pub struct Received {
    /// `Authorization` header, if sent.
    pub authorization: Option<String>,
    /// The JSON body.
    pub body: Value,
}

/// The running server; stopped on drop.
pub struct OpenAiServer {
    server: Arc<tiny_http::Server>,
    received: Arc<Mutex<Vec<Received>>>,
    worker: Option<thread::JoinHandle<()>>,
    /// The base URL clients take, `http://127.0.0.1:PORT/v1`.
    pub base_url: String,
}

/// Time between two streamed events.
const EVENT_GAP: Duration = Duration::from_millis(15);

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/openai")
}

impl OpenAiServer {
    /// Binds 127.0.0.1:0 and serves until dropped.
    pub fn start() -> Self {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind 127.0.0.1"));
        let addr = server.server_addr().to_ip().expect("ip address");
        let received = Arc::new(Mutex::new(Vec::new()));
        let (srv, store) = (server.clone(), received.clone());
        let worker = thread::spawn(move || {
            for mut request in srv.incoming_requests() {
                let mut body = String::new();
                let _ = request.as_reader().read_to_string(&mut body);
                let authorization = request
                    .headers()
                    .iter()
                    .find(|h| h.field.equiv("Authorization"))
                    .map(|h| h.value.to_string());
                let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                store.lock().unwrap().push(Received {
                    authorization,
                    body: body.clone(),
                });
                let response = if request.url().ends_with("/chat/completions") {
                    respond(&body)
                } else {
                    error(404, "not_found", &format!("no route {}", request.url()))
                };
                let _ = request.respond(response);
            }
        });
        Self {
            server,
            received,
            worker: Some(worker),
            base_url: format!("http://{addr}/v1"),
        }
    }

    /// The requests received so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

impl Drop for OpenAiServer {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

type Response = tiny_http::Response<Box<dyn Read + Send>>;

fn header(name: &str, value: &str) -> tiny_http::Header {
    tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("header")
}

fn error(status: u16, code: &str, message: &str) -> Response {
    let body = json!({"error": {"message": message, "type": "invalid_request_error", "param": null, "code": code}});
    tiny_http::Response::new(
        status.into(),
        vec![header("Content-Type", "application/json")],
        Box::new(Cursor::new(body.to_string().into_bytes())),
        None,
        None,
    )
}

fn respond(body: &Value) -> Response {
    if body["model"] == "missing-model" {
        return error(
            404,
            "model_not_found",
            "The model `missing-model` does not exist or you do not have access to it.",
        );
    }
    let messages = body["messages"].as_array().cloned().unwrap_or_default();
    let question = messages
        .iter()
        .find(|m| m["role"] == "user")
        .and_then(|m| m["content"].as_str())
        .unwrap_or_default();
    let step = 1 + messages.iter().filter(|m| m["role"] == "assistant").count();
    let index: Value =
        serde_json::from_str(&std::fs::read_to_string(data_dir().join("index.json")).unwrap())
            .unwrap();
    let Some(name) = index[question].as_str() else {
        return error(
            400,
            "unknown_question",
            &format!("no transcript for {question:?}"),
        );
    };
    let stream = body["stream"] == true;
    let file = data_dir().join(format!(
        "{name}-{step}.{}",
        if stream { "sse" } else { "json" }
    ));
    let Ok(text) = std::fs::read_to_string(&file) else {
        return error(400, "no_step", &format!("no {}", file.display()));
    };
    if !stream {
        return tiny_http::Response::new(
            200.into(),
            vec![header("Content-Type", "application/json")],
            Box::new(Cursor::new(text.into_bytes())),
            None,
            None,
        );
    }
    let events: Vec<String> = text.split_inclusive("\n\n").map(str::to_owned).collect();
    tiny_http::Response::new(
        200.into(),
        vec![
            header("Content-Type", "text/event-stream"),
            header("Cache-Control", "no-cache"),
        ],
        Box::new(Events {
            events,
            at: 0,
            offset: 0,
        }),
        None,
        None,
    )
}

/// A body that hands out one server-sent event per pause, as a streaming server does.
struct Events {
    events: Vec<String>,
    at: usize,
    offset: usize,
}

impl Read for Events {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let Some(event) = self.events.get(self.at) else {
            return Ok(0);
        };
        if self.offset == 0 {
            thread::sleep(EVENT_GAP);
        }
        let rest = &event.as_bytes()[self.offset..];
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.offset += n;
        if self.offset == event.len() {
            self.at += 1;
            self.offset = 0;
        }
        Ok(n)
    }
}
