//! The multi-agent demo: an orchestrator agent hands a question to a researcher sub-agent that a
//! second process serves over HTTP (axum on 127.0.0.1). The orchestrator injects W3C trace context
//! (and the session and user as baggage) into the request headers; the researcher extracts it and
//! makes its `#[agent]` span a child of the orchestrator's handoff, so the whole run is one trace.
//! With `propagate: false` it shows what the seed warns about: the sub-agent's work lands in a
//! trace of its own, and the orchestrator's handoff looks like a black box.
//!
//! Both processes export over OTLP, where [`SpanSink`] says: without an endpoint configured, to a
//! collector of the run's own, whose combined trace tree is printed at the end.

use std::io::{BufRead as _, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::Duration;

use axum::extract::Json;
use axum::http::{HeaderMap, StatusCode};
use genai_tracing::propagation::RemoteContext;
use genai_tracing::{agent, tool, Builder, TraceAttributes};
use serde::{Deserialize, Serialize};

use crate::agent::{AgentError, ReactAgent};
use crate::processes::{traced_runtime, Answer, SetupError, SpanSink};

/// The `service.name` of the orchestrator's process.
pub const ORCHESTRATOR_SERVICE: &str = "orchestrator";
/// The `service.name` of the researcher's process.
pub const RESEARCHER_SERVICE: &str = "researcher";
/// The `session.id` of the demo's run (it reaches the researcher in baggage).
pub const SESSION: &str = "multi-agent-demo";
/// The question asked when none is given.
pub const DEFAULT_QUESTION: &str =
    "How many years after the first C++ release did Rust 1.0 come out?";

/// A research task, as posted to the researcher.
#[derive(Debug, Serialize, Deserialize)]
pub struct Task {
    /// The question to answer.
    pub question: String,
}

/// The researcher's reply.
#[derive(Debug, Serialize, Deserialize)]
pub struct Report {
    /// The answer.
    pub answer: String,
}

/// Why the demo failed.
#[derive(Debug, thiserror::Error)]
pub enum MultiAgentError {
    /// Tracing or the runtime could not be set up.
    #[error(transparent)]
    Setup(#[from] SetupError),
    /// A process or socket operation failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The researcher did not start as expected.
    #[error("the researcher process did not start: {0}")]
    Researcher(String),
    /// The handoff request failed.
    #[error(transparent)]
    Handoff(#[from] HandoffError),
}

/// Why a handoff to the researcher failed.
#[derive(Debug, thiserror::Error)]
pub enum HandoffError {
    /// The HTTP request failed.
    #[error("request to the researcher failed: {0}")]
    Http(#[from] reqwest::Error),
    /// The researcher answered with an error.
    #[error("the researcher answered {status}: {body}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// The body.
        body: String,
    },
}

// ----- the researcher (second process) -----

/// The researcher: a ReAct agent behind HTTP, continuing the caller's trace.
#[agent(name = "researcher", description = "Answers research questions with search and a calculator.", parent = remote)]
async fn researcher(remote: RemoteContext, question: String) -> Result<String, AgentError> {
    ReactAgent::default().answer(&question).await
}

async fn research(
    headers: HeaderMap,
    Json(task): Json<Task>,
) -> Result<Json<Report>, (StatusCode, String)> {
    let remote = genai_tracing::propagation::extract(&headers);
    match researcher(remote, task.question).await {
        Ok(answer) => Ok(Json(Report { answer })),
        Err(err) => Err((StatusCode::INTERNAL_SERVER_ERROR, err.to_string())),
    }
}

/// Serves the researcher on 127.0.0.1:`port` (0: any free port) until standard input closes or
/// Ctrl-C, after writing `listening on http://ADDR` to `out`. Exports to the OTLP endpoint of the
/// environment, as service `researcher`; flushes before returning.
pub fn serve(port: u16, out: &mut dyn Write) -> Result<(), MultiAgentError> {
    let builder = Builder::from_env().map_err(SetupError::from)?;
    let (runtime, guard) = traced_runtime(builder.service_name(RESEARCHER_SERVICE))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        writeln!(out, "listening on http://{}", listener.local_addr()?)?;
        out.flush()?;
        let app = axum::Router::new().route("/research", axum::routing::post(research));
        axum::serve(listener, app)
            .with_graceful_shutdown(stopped())
            .await
    })?;
    drop(guard); // flushes
                 // A stdin read may still be blocked on its thread (after Ctrl-C): don't wait for it.
    runtime.shutdown_background();
    Ok(())
}

/// Resolves when standard input reaches its end (the parent closed it or died) or on Ctrl-C.
async fn stopped() {
    let stdin_closed = async {
        let mut stdin = tokio::io::stdin();
        let mut buf = [0u8; 64];
        while tokio::io::AsyncReadExt::read(&mut stdin, &mut buf)
            .await
            .is_ok_and(|n| n > 0)
        {}
    };
    tokio::select! {
        _ = stdin_closed => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}

// ----- the orchestrator -----

/// Hands the question to the researcher over HTTP: the handoff is a tool call of the orchestrator.
#[tool(name = "handoff_to_researcher", skip(client, url))]
async fn handoff(
    client: &reqwest::Client,
    url: &str,
    question: &str,
    propagate: bool,
) -> Result<String, HandoffError> {
    let mut headers = HeaderMap::new();
    if propagate {
        genai_tracing::propagation::inject(&mut headers);
    }
    let response = client
        .post(format!("{url}/research"))
        .headers(headers)
        .json(&Task {
            question: question.to_owned(),
        })
        .send()
        .await?;
    let status = response.status();
    if !status.is_success() {
        let body = response.text().await.unwrap_or_default();
        return Err(HandoffError::Status {
            status: status.as_u16(),
            body,
        });
    }
    Ok(response.json::<Report>().await?.answer)
}

/// The orchestrator: delegates research, then reports.
#[agent(
    name = "orchestrator",
    description = "Plans the work and delegates research.",
    skip(client, url)
)]
async fn orchestrator(
    client: &reqwest::Client,
    url: &str,
    question: &str,
    propagate: bool,
) -> Result<Answer, HandoffError> {
    let finding = handoff(client, url, question, propagate).await?;
    Ok(Answer::here(format!("The researcher reports: {finding}")))
}

/// How to run the orchestrator.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The question.
    pub question: String,
    /// The researcher's base URL; `None` starts one as a child process (this executable, `serve`).
    pub researcher: Option<String>,
    /// Inject trace context into the handoff request (`false` shows the broken tree).
    pub propagate: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            question: DEFAULT_QUESTION.to_owned(),
            researcher: None,
            propagate: true,
        }
    }
}

/// Runs the orchestrator (in this process) against the researcher, writing the answer and, when
/// it collected the spans itself, the trace tree of both processes to `out`.
pub fn run(options: RunOptions, out: &mut dyn Write) -> Result<Answer, MultiAgentError> {
    let sink = SpanSink::from_env();
    let mut researcher = match &options.researcher {
        Some(url) => Researcher::Remote(url.clone()),
        None => Researcher::spawn(&sink)?,
    };
    let builder = sink
        .builder(ORCHESTRATOR_SERVICE)
        .map_err(SetupError::from)?;
    let (runtime, guard) = traced_runtime(builder)?;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(HandoffError::from)?;
    let url = researcher.url().to_owned();
    let attributes = TraceAttributes::new().session(SESSION).user("demo-user");
    let briefing = runtime.block_on(attributes.scope(orchestrator(
        &client,
        &url,
        &options.question,
        options.propagate,
    )));
    drop(guard); // flushes this process's spans
    researcher.stop()?; // and the researcher's, as it exits
    let answer = briefing?;
    writeln!(out, "Q: {}", options.question)?;
    writeln!(out, "A: {}", answer.text)?;
    sink.report(2, answer.trace_id, out)?;
    Ok(answer)
}

/// The researcher the orchestrator talks to.
enum Researcher {
    /// Given by URL; not ours to stop.
    Remote(String),
    /// Our child process; stopped by closing its standard input.
    Child {
        child: Child,
        stdin: Option<ChildStdin>,
        url: String,
    },
}

impl Researcher {
    /// Starts this executable as `serve` on a free port, exporting where `sink` says.
    fn spawn(sink: &SpanSink) -> Result<Self, MultiAgentError> {
        let mut command = Command::new(std::env::current_exe()?);
        command
            .args(["serve", "--port", "0"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        sink.configure(&mut command);
        let mut child = command.spawn()?;
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        let read = BufReader::new(stdout).read_line(&mut line);
        let url = line.trim().strip_prefix("listening on ").map(str::to_owned);
        let (Ok(_), Some(url)) = (read, url) else {
            let _ = child.kill();
            let status = child.wait()?;
            return Err(MultiAgentError::Researcher(format!(
                "expected `listening on URL`, got {line:?} ({status})"
            )));
        };
        let stdin = child.stdin.take();
        Ok(Self::Child { child, stdin, url })
    }

    fn url(&self) -> &str {
        match self {
            Self::Remote(url) | Self::Child { url, .. } => url,
        }
    }

    /// Stops a child researcher and waits (up to 10 s, then kills it) for it to flush and exit.
    fn stop(&mut self) -> Result<(), MultiAgentError> {
        const PATIENCE: Duration = Duration::from_secs(10);
        if let Self::Child { child, stdin, .. } = self {
            drop(stdin.take());
            let start = std::time::Instant::now();
            let status = loop {
                if let Some(status) = child.try_wait()? {
                    break status;
                }
                if start.elapsed() > PATIENCE {
                    let _ = child.kill();
                    child.wait()?;
                    return Err(MultiAgentError::Researcher(format!(
                        "it did not exit within {PATIENCE:?} of its input closing; killed"
                    )));
                }
                std::thread::sleep(Duration::from_millis(10));
            };
            if !status.success() {
                return Err(MultiAgentError::Researcher(format!(
                    "it exited with {status}"
                )));
            }
        }
        Ok(())
    }
}

impl Drop for Researcher {
    fn drop(&mut self) {
        if let Self::Child { child, .. } = self {
            if child.try_wait().ok().flatten().is_none() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}

const USAGE: &str = "usage: multi_agent [run] [--researcher URL] [--no-propagation] [QUESTION]
       multi_agent serve [--port PORT]";

/// The command line of the `multi_agent` example: `run` (the default) or `serve`.
pub fn main(args: impl Iterator<Item = String>) -> std::process::ExitCode {
    use std::process::ExitCode;
    let args: Vec<String> = args.collect();
    let parsed = match args.first().map(String::as_str) {
        Some("serve") => parse_serve(&args[1..]).map(Mode::Serve),
        Some("run") => parse_run(&args[1..]).map(Mode::Run),
        Some("-h" | "--help") => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => parse_run(&args).map(Mode::Run),
    };
    let mode = match parsed {
        Ok(mode) => mode,
        Err(message) => {
            eprintln!("multi_agent: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let stdout = &mut std::io::stdout().lock();
    let result = match mode {
        Mode::Serve(port) => serve(port, stdout),
        Mode::Run(options) => run(options, stdout).map(drop),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("multi_agent: {err}");
            ExitCode::FAILURE
        }
    }
}

enum Mode {
    Serve(u16),
    Run(RunOptions),
}

fn parse_serve(args: &[String]) -> Result<u16, String> {
    match args {
        [] => Ok(0),
        [flag, port] if flag == "--port" => port
            .parse()
            .map_err(|_| format!("--port expects a port number, got {port:?}")),
        other => Err(format!("unexpected arguments {other:?}")),
    }
}

fn parse_run(args: &[String]) -> Result<RunOptions, String> {
    let mut options = RunOptions::default();
    let mut args = args.iter();
    let mut question = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--no-propagation" => options.propagate = false,
            "--researcher" => {
                let url = args.next().ok_or("--researcher expects a URL")?;
                options.researcher = Some(url.trim_end_matches('/').to_owned());
            }
            flag if flag.starts_with('-') => return Err(format!("unknown option {flag:?}")),
            text if question.is_none() => question = Some(text.to_owned()),
            extra => return Err(format!("unexpected argument {extra:?}")),
        }
    }
    if let Some(question) = question {
        options.question = question;
    }
    Ok(options)
}
