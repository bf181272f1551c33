//! What the export pipeline delivers and what it costs the caller, in one run, against the
//! three goals of the export issue (2-core machine):
//!
//! 1. **Throughput to a local OTLP receiver** (goal ≥ 100,000 spans/s). A tiny_http server on
//!    127.0.0.1 decodes every OTLP/HTTP protobuf body with prost and counts the spans in it
//!    before answering 200; the count is checked against the pipeline's own `exported`. One
//!    thread produces [`THROUGHPUT_SPANS`] spans of a `#[tool]` function as fast as it can, under
//!    a pipeline built by `Builder::from_env()?.endpoint(url).build()`; throughput = spans the
//!    receiver counted / wall time from the first span to the end of `guard.flush()`. To show
//!    where the time goes, the same run is repeated with the OTLP exporter replaced by one that
//!    drops each batch (`null`: span creation + queue only) and by one that only converts and
//!    encodes it to OTLP protobuf (`encode`), and the CPU time of each thread is listed.
//! 2. **Call latency with a dead backend vs a healthy one** (goal p99 ≤ 1.5×). The same call
//!    timed one by one (`Instant` around each call, [`LATENCY_CALLS`] calls after
//!    [`LATENCY_WARMUP`]) with a healthy receiver, a dead port (bound, then closed), a server
//!    that accepts and never answers, and without any subscriber; back to back (the caller
//!    outruns any exporter: the queue is full most of the time), and paced at
//!    [`PACED_CALLS_PER_S`] (a load the healthy pipeline keeps up with). One pipeline per case,
//!    default queue settings, guard dropped (short shutdown timeout) between cases.
//! 3. **Memory with a dead backend** (goal < 100 MB): VmRSS/VmHWM before and after
//!    [`RSS_SPANS`] spans into a dead-backend pipeline with the default queue (VmHWM reset first
//!    through `/proc/self/clear_refs`, and this case runs first).
//!
//! Queue settings are the standard `OTEL_BSP_*` variables, set in this process before each
//! `Builder::from_env()` (one pipeline at a time, no other thread reading the environment); the
//! variables that would add exporters or samplers are cleared at start, and OTLP metrics are off
//! (`OTEL_METRICS_EXPORTER=none`). Figures are noisy when something else uses the 2 cores.
//!
//! Run: `cargo bench -p genai-tracing --bench export` (a plain `main`, prints tables).

use std::collections::HashMap;
use std::future::Future;
use std::net::TcpListener;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use genai_tracing::export::{ExportStats, TailSampling};
use genai_tracing::{Builder, TracingGuard};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::transform::common::tonic::ResourceAttributesWithSchema;
use opentelemetry_proto::transform::trace::tonic::group_spans_by_resource_and_scope;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SpanData, SpanExporter};
use opentelemetry_sdk::Resource;
use prost::Message as _;

#[path = "support/null.rs"]
mod null;
use null::Null;

/// Spans per throughput case.
const THROUGHPUT_SPANS: usize = 1_000_000;
/// Timed calls per latency case, after the warm-up calls.
const LATENCY_CALLS: usize = 200_000;
const LATENCY_WARMUP: usize = 20_000;
/// The rate of the paced latency cases: about what the healthy pipeline exports with the default
/// queue, well below what one thread can produce.
const PACED_CALLS_PER_S: u32 = 50_000;
/// Spans into the dead backend for the memory case.
const RSS_SPANS: usize = 1_000_000;

/// The instrumented call: one `execute_tool` span.
///
/// Combines two numbers.
#[genai_tracing::tool]
#[inline(never)]
fn combine(a: i64, b: i64) -> i64 {
    a.wrapping_mul(31).wrapping_add(b)
}

/// Makes `n` instrumented calls, as fast as they go, into `dispatch`'s pipeline.
fn produce(dispatch: &tracing::Dispatch, n: i64) {
    tracing::dispatcher::with_default(dispatch, || {
        for i in 0..n {
            std::hint::black_box(combine(std::hint::black_box(i), 4));
        }
    });
}

fn main() {
    for var in [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "OTEL_EXPORTER_OTLP_PROTOCOL",
        "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
        "OTEL_EXPORTER_OTLP_COMPRESSION",
        "OTEL_TRACES_SAMPLER",
        "GENAI_TRACING_BACKEND",
        "GENAI_TRACING_CONSOLE",
        "GENAI_TRACING_FILE",
        "GENAI_TRACING_TAIL_SAMPLE_RATIO",
    ] {
        std::env::remove_var(var);
    }
    std::env::set_var("OTEL_METRICS_EXPORTER", "none");

    // No subscriber has existed yet: the bare reference is the true "instrumentation off" cost.
    let bare = time_calls(None, None);

    memory();
    latency(bare);
    throughput();
}

// ---------------------------------------------------------------------------------------------
// Goal 3: memory with a dead backend.

fn memory() {
    let dead = dead_endpoint();
    let (dispatch, guard) = pipeline(QueueEnv::DEFAULT, Duration::from_millis(100), |b| {
        b.endpoint(&dead)
    });
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let before = memory_status();
    let start = Instant::now();
    produce(&dispatch, RSS_SPANS as i64);
    let elapsed = start.elapsed();
    let after = memory_status();
    let stats = guard.stats();
    drop(guard);
    let dropped = memory_status();
    println!("\n## Goal 3: memory, {RSS_SPANS} spans into a dead backend (goal < 100 MB)\n");
    println!("queue: {}", QueueEnv::DEFAULT);
    if !reset {
        println!("(VmHWM could not be reset: it is the peak since the process started)");
    }
    println!("| when | VmRSS MB | VmHWM MB |\n|---|---:|---:|");
    for (when, (rss, hwm)) in [
        ("before", before),
        (&*format!("after {RSS_SPANS} spans"), after),
        ("after dropping the guard", dropped),
    ] {
        println!("| {when} | {:.1} | {:.1} |", mb(rss), mb(hwm));
    }
    println!(
        "\nproduced in {:.2} s ({:.0} spans/s); {}",
        elapsed.as_secs_f64(),
        RSS_SPANS as f64 / elapsed.as_secs_f64(),
        stats_line(&stats)
    );
}

/// (VmRSS, VmHWM) in kB.
fn memory_status() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

// ---------------------------------------------------------------------------------------------
// Goal 2: call latency, dead backend vs healthy.

fn latency(bare: Vec<u64>) {
    let receiver = Receiver::start();
    let dead = dead_endpoint();
    let hanging = hanging_endpoint();
    let short = Duration::from_millis(200);
    let paced = Some(Duration::from_secs(1) / PACED_CALLS_PER_S);
    let mut rows = Vec::new();
    for (case, endpoint, pace) in [
        ("healthy receiver", &receiver.endpoint, None),
        ("dead port", &dead, None),
        ("hanging server", &hanging, None),
        ("healthy receiver, paced", &receiver.endpoint, paced),
        ("dead port, paced", &dead, paced),
    ] {
        let (dispatch, guard) = pipeline(QueueEnv::DEFAULT, short, |b| b.endpoint(endpoint));
        let times = time_calls(Some(&dispatch), pace);
        let stats = guard.stats();
        drop(guard);
        rows.push((case, times, Some(stats)));
    }
    rows.push(("no subscriber (reference)", bare, None));

    println!(
        "\n## Goal 2: latency of one instrumented call (goal: p99 dead ≤ 1.5 × p99 healthy)\n"
    );
    println!(
        "{LATENCY_CALLS} calls timed one by one after {LATENCY_WARMUP} warm-up calls, back to back \
         or paced (one call every {} µs, {PACED_CALLS_PER_S} calls/s); queue: {}\n",
        1_000_000 / PACED_CALLS_PER_S,
        QueueEnv::DEFAULT
    );
    println!("| case | mean ns | p50 ns | p99 ns | p99.9 ns | max µs | pipeline stats |");
    println!("|---|---:|---:|---:|---:|---:|---|");
    for (case, times, stats) in &rows {
        let mean = times.iter().sum::<u64>() as f64 / times.len() as f64;
        println!(
            "| {case} | {mean:.0} | {} | {} | {} | {:.1} | {} |",
            percentile(times, 50.0),
            percentile(times, 99.0),
            percentile(times, 99.9),
            *times.last().unwrap_or(&0) as f64 / 1000.0,
            stats.as_ref().map_or_else(String::new, stats_line)
        );
    }
    let p99 = |i: usize| percentile(&rows[i].1, 99.0) as f64;
    println!(
        "\np99 ratio dead/healthy: {:.2} back to back, {:.2} paced; hanging/healthy: {:.2}",
        p99(1) / p99(0),
        p99(4) / p99(3),
        p99(2) / p99(0)
    );
}

/// Times each call (sorted nanoseconds), under `dispatch` or with no subscriber at all; back to
/// back, or one call every `pace` (spinning in between, so the thread stays on its core).
fn time_calls(dispatch: Option<&tracing::Dispatch>, pace: Option<Duration>) -> Vec<u64> {
    let run = || {
        for i in 0..LATENCY_WARMUP as i64 {
            std::hint::black_box(combine(std::hint::black_box(i), 4));
        }
        let mut times = Vec::with_capacity(LATENCY_CALLS);
        let first = Instant::now();
        for i in 0..LATENCY_CALLS as i64 {
            if let Some(pace) = pace {
                let due = first + pace * i as u32;
                while Instant::now() < due {
                    std::hint::spin_loop();
                }
            }
            let start = Instant::now();
            std::hint::black_box(combine(std::hint::black_box(i), 4));
            times.push(start.elapsed().as_nanos() as u64);
        }
        times
    };
    let mut times = match dispatch {
        Some(d) => tracing::dispatcher::with_default(d, run),
        None => run(),
    };
    times.sort_unstable();
    times
}

/// The nearest-rank percentile of sorted values.
fn percentile(sorted: &[u64], p: f64) -> u64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

// ---------------------------------------------------------------------------------------------
// Goal 1: throughput.

fn throughput() {
    let receiver = Receiver::start();
    let url = receiver.endpoint.clone();
    let tuned = QueueEnv::TUNED;
    let mut rows = Vec::new();
    let mut cpu = Vec::new();
    // `otlp`: the case exports to the receiver, which counts what it is delivered.
    let mut case =
        |name: &str, otlp: bool, queue: QueueEnv, configure: &dyn Fn(Builder) -> Builder| {
            let counter = otlp.then_some(&receiver);
            let (row, threads) = throughput_case(name, counter, queue, configure);
            rows.push(row);
            cpu.push((name.to_owned(), threads));
        };
    case("null exporter (span + queue only)", false, tuned, &|b| {
        b.with_exporter("null", Null)
    });
    case(
        "encode-only exporter (+ OTLP protobuf)",
        false,
        tuned,
        &|b| b.with_exporter("encode", EncodeOnly::default()),
    );
    case("OTLP/HTTP, default queue", true, QueueEnv::DEFAULT, &|b| {
        b.endpoint(&url)
    });
    case("OTLP/HTTP, tuned queue", true, tuned, &|b| b.endpoint(&url));
    case("OTLP/HTTP + tail sampling 10%", true, tuned, &|b| {
        b.endpoint(&url)
            .tail_sampling(TailSampling::keep_errors_and(0.1))
    });
    let file =
        std::env::temp_dir().join(format!("genai-tracing-bench-{}.jsonl", std::process::id()));
    case("file exporter (OTLP-JSON lines)", false, tuned, &|b| {
        b.file(&file)
    });
    let file_bytes = std::fs::metadata(&file).map_or(0, |m| m.len());
    let _ = std::fs::remove_file(&file);

    println!("\n## Goal 1: export throughput, {THROUGHPUT_SPANS} spans (goal ≥ 100,000 spans/s)\n");
    println!("default queue: {}; tuned queue: {tuned}", QueueEnv::DEFAULT);
    println!(
        "delivered = spans the receiver decoded (OTLP cases) or the exporter accepted (others);\n\
         delivered/s = delivered / (first span → flush done)\n"
    );
    println!("| case | produced | produce s | spans/s produced | delivered | flush done s | delivered/s | sampled out | lost (queue full / failed / shutdown) | exported (stats) |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|");
    for r in &rows {
        println!(
            "| {} | {} | {:.2} | {:.0} | {} | {:.2} | **{:.0}** | {} | {} / {} / {} | {} |",
            r.name,
            r.produced,
            r.produce_s,
            r.produced as f64 / r.produce_s,
            r.delivered,
            r.total_s,
            r.delivered as f64 / r.total_s,
            r.stats.spans_sampled_out,
            r.stats.dropped_queue_full,
            r.stats.failed,
            r.stats.dropped_at_shutdown,
            r.stats.exported,
        );
    }
    println!(
        "\nfile exporter wrote {:.1} MB; tail sampling kept {} traces, sampled out {}",
        file_bytes as f64 / 1e6,
        rows[4].stats.traces_kept,
        rows[4].stats.traces_sampled_out
    );

    println!("\nCPU seconds per thread during each case (from /proc, 10 ms ticks; `main` produces spans):\n");
    for (name, threads) in &cpu {
        let list: Vec<String> = threads.iter().map(|(t, s)| format!("{t} {s:.2}")).collect();
        println!("- {name}: {}", list.join(", "));
    }
}

struct Row {
    name: String,
    produced: u64,
    produce_s: f64,
    delivered: u64,
    total_s: f64,
    stats: ExportStats,
}

/// One throughput case; `receiver` counts the spans delivered when the case exports to it.
fn throughput_case(
    name: &str,
    receiver: Option<&Receiver>,
    queue: QueueEnv,
    configure: &dyn Fn(Builder) -> Builder,
) -> (Row, Vec<(String, f64)>) {
    let (dispatch, guard) = pipeline(queue, Duration::from_secs(60), configure);
    let received = || receiver.map_or(0, |r| r.spans.load(Relaxed));
    let received_before = received();
    let cpu_before = thread_cpu();
    let start = Instant::now();
    produce(&dispatch, THROUGHPUT_SPANS as i64);
    let produced = start.elapsed();
    let flushed = guard.flush();
    let total = start.elapsed();
    let cpu_after = thread_cpu();
    if let Err(err) = flushed {
        eprintln!("{name}: flush: {err}");
    }
    let stats = guard.stats();
    let received = received() - received_before;
    drop(guard);
    if receiver.is_some() && received != stats.exported {
        eprintln!(
            "{name}: the receiver counted {received} spans, the pipeline {} exported",
            stats.exported
        );
    }
    let mut threads: Vec<(String, f64)> = cpu_after
        .iter()
        .map(|(tid, (comm, ticks))| {
            let before = cpu_before.get(tid).map_or(0, |(_, t)| *t);
            (comm.clone(), (ticks - before) as f64 / 100.0)
        })
        .filter(|(_, s)| *s > 0.0)
        .collect();
    threads.sort_by(|a, b| b.1.total_cmp(&a.1));
    let row = Row {
        name: name.to_owned(),
        produced: THROUGHPUT_SPANS as u64,
        produce_s: produced.as_secs_f64(),
        delivered: if receiver.is_some() {
            received
        } else {
            stats.exported
        },
        total_s: total.as_secs_f64(),
        stats,
    };
    (row, threads)
}

/// CPU ticks (user + system) of each live thread of this process, by thread id, with its name.
fn thread_cpu() -> HashMap<u64, (String, u64)> {
    let mut out = HashMap::new();
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return out;
    };
    for task in tasks.flatten() {
        let Ok(tid) = task.file_name().to_string_lossy().parse::<u64>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else {
            continue;
        };
        // `pid (comm) state ...`: comm may hold spaces, the fields after it do not.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let comm = stat[open + 1..close].to_owned();
        let fields: Vec<&str> = stat[close + 2..].split(' ').collect();
        // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after `comm`.
        let ticks = |i: usize| {
            fields
                .get(i)
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0)
        };
        out.insert(tid, (comm, ticks(11) + ticks(12)));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Pipelines.

/// `OTEL_BSP_*` values for one pipeline.
#[derive(Debug, Clone, Copy)]
struct QueueEnv {
    max_queue_size: usize,
    max_export_batch_size: usize,
    schedule_delay_ms: u64,
}

impl QueueEnv {
    /// The defaults (the variables unset).
    const DEFAULT: Self = Self {
        max_queue_size: 2048,
        max_export_batch_size: 512,
        schedule_delay_ms: 5000,
    };
    /// Room for a burst, bigger batches (fewer requests), a short interval.
    const TUNED: Self = Self {
        max_queue_size: 65_536,
        max_export_batch_size: 8192,
        schedule_delay_ms: 100,
    };

    fn apply(self) {
        std::env::set_var("OTEL_BSP_MAX_QUEUE_SIZE", self.max_queue_size.to_string());
        std::env::set_var(
            "OTEL_BSP_MAX_EXPORT_BATCH_SIZE",
            self.max_export_batch_size.to_string(),
        );
        std::env::set_var(
            "OTEL_BSP_SCHEDULE_DELAY",
            self.schedule_delay_ms.to_string(),
        );
    }
}

impl std::fmt::Display for QueueEnv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "OTEL_BSP_MAX_QUEUE_SIZE={} OTEL_BSP_MAX_EXPORT_BATCH_SIZE={} OTEL_BSP_SCHEDULE_DELAY={}",
            self.max_queue_size, self.max_export_batch_size, self.schedule_delay_ms
        )
    }
}

/// Builds a pipeline from the environment with `queue` and `shutdown`, its exporters chosen by
/// `configure` (`.endpoint(url)` for OTLP/HTTP protobuf).
fn pipeline(
    queue: QueueEnv,
    shutdown: Duration,
    configure: impl FnOnce(Builder) -> Builder,
) -> (tracing::Dispatch, TracingGuard) {
    queue.apply();
    let builder = Builder::from_env()
        .expect("the environment is valid")
        .shutdown_timeout(shutdown);
    configure(builder).build().expect("the pipeline builds")
}

/// Converts and encodes every batch as the OTLP/HTTP exporter does, then drops the bytes.
#[derive(Debug, Default)]
struct EncodeOnly {
    resource: ResourceAttributesWithSchema,
}

impl SpanExporter for EncodeOnly {
    fn export(&self, batch: Vec<SpanData>) -> impl Future<Output = OTelSdkResult> + Send {
        let request = ExportTraceServiceRequest {
            resource_spans: group_spans_by_resource_and_scope(batch, &self.resource),
        };
        std::hint::black_box(request.encode_to_vec());
        std::future::ready(Ok(()))
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.resource = resource.into();
    }
}

// ---------------------------------------------------------------------------------------------
// Endpoints.

/// A local OTLP/HTTP receiver: decodes each protobuf body, counts its spans, answers 200.
struct Receiver {
    server: Arc<tiny_http::Server>,
    spans: Arc<AtomicU64>,
    worker: Option<thread::JoinHandle<()>>,
    endpoint: String,
}

impl Receiver {
    fn start() -> Self {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind 127.0.0.1"));
        let endpoint = format!("http://{}", server.server_addr().to_ip().expect("ip"));
        let spans = Arc::new(AtomicU64::new(0));
        let worker = {
            let (server, spans) = (server.clone(), spans.clone());
            thread::Builder::new()
                .name("otlp-receiver".into())
                .spawn(move || {
                    let mut body = Vec::new();
                    for mut request in server.incoming_requests() {
                        body.clear();
                        let _ = request.as_reader().read_to_end(&mut body);
                        let status = match ExportTraceServiceRequest::decode(body.as_slice()) {
                            Ok(req) => {
                                let n: usize = req
                                    .resource_spans
                                    .iter()
                                    .flat_map(|r| &r.scope_spans)
                                    .map(|s| s.spans.len())
                                    .sum();
                                spans.fetch_add(n as u64, Relaxed);
                                200
                            }
                            Err(_) => 400,
                        };
                        let _ = request.respond(tiny_http::Response::empty(status));
                    }
                })
                .expect("spawn the receiver")
        };
        Self {
            server,
            spans,
            worker: Some(worker),
            endpoint,
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

/// A port nothing listens on: bound, then closed (connections are refused).
fn dead_endpoint() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("address");
    drop(listener);
    format!("http://{addr}")
}

/// A server that accepts connections and never answers (the thread and its sockets live until
/// the process ends).
fn hanging_endpoint() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("address");
    thread::Builder::new()
        .name("hanging-server".into())
        .spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming() {
                held.extend(stream.ok());
            }
        })
        .expect("spawn the hanging server");
    format!("http://{addr}")
}

fn stats_line(s: &ExportStats) -> String {
    format!(
        "exported {}, dropped_queue_full {}, failed {}, dropped_at_shutdown {}",
        s.exported, s.dropped_queue_full, s.failed, s.dropped_at_shutdown
    )
}
