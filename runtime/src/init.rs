//! One-line setup: export from the standard environment, a `tracing` subscriber, a flush guard.
//!
//! Optional: under any `tracing_subscriber::registry().with(tracing_opentelemetry::layer()
//! .with_tracer(..))` the macros' spans come out the same. [`init`] is the convenience: it reads
//! `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`),
//! `OTEL_EXPORTER_OTLP_PROTOCOL` (`http/protobuf`, the default, `http/json` or `grpc`),
//! `OTEL_SERVICE_NAME` and the exporter's other standard variables (headers, timeout,
//! compression), a platform preset (`GENAI_TRACING_BACKEND`), the console and file exporters and
//! tail sampling, and exports through the pipeline of [`crate::export`], so the instrumented code
//! never waits.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use opentelemetry::metrics::MeterProvider as _;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::metrics::{MeterProviderBuilder, PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::trace::{
    Sampler, SdkTracerProvider, SpanExporter, SpanProcessor, TracerProviderBuilder,
};
use opentelemetry_sdk::Resource;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::Layer as _;

use crate::capture::{
    set_content_capture, CaptureLimits, CapturePolicy, InvalidAttributeLimit, InvalidCapturePolicy,
};
use crate::export::{
    Backend, ConsoleExporter, Counters, ExportQueue, ExportStats, FileExporter, Pipeline,
    QueueSettings, Scoring, Stages, TailSampler, TailSampling,
};
use crate::replay::{set_recording, RECORD_ENV};
use crate::trace::Scorer;

/// Why [`init`] or [`Builder::install`] failed.
///
/// ```
/// std::env::set_var("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318");
/// std::env::set_var("OTEL_EXPORTER_OTLP_PROTOCOL", "http/xml");
/// let err = genai_tracing::Builder::from_env().unwrap_err();
/// assert!(matches!(err, genai_tracing::InitError::InvalidProtocol { .. }));
/// ```
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// Scorers were given ([`Builder::score`]) but no exporter: the scores would go nowhere.
    #[error(
        "online scoring needs an exporter (OTLP, a preset, the file or the console, or your own)"
    )]
    ScoringWithoutExport,
    /// `OTEL_EXPORTER_OTLP_PROTOCOL` (or `_TRACES_PROTOCOL`) holds an unknown value.
    #[error("unsupported {var} value {value:?}: expected http/protobuf, http/json or grpc")]
    InvalidProtocol {
        /// The variable read.
        var: &'static str,
        /// What it held.
        value: String,
    },
    /// A setting of the pipeline (`OTEL_BSP_*`, `OTEL_TRACES_SAMPLER`, …) holds a bad value.
    #[error("invalid {var} value {value:?}: expected {expected}")]
    InvalidSetting {
        /// The variable read.
        var: &'static str,
        /// What it held.
        value: String,
        /// What it may hold.
        expected: &'static str,
    },
    /// `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT` holds an unknown value.
    #[error(transparent)]
    InvalidCapturePolicy(#[from] InvalidCapturePolicy),
    /// `OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT` is not a positive number.
    #[error(transparent)]
    InvalidAttributeLimit(#[from] InvalidAttributeLimit),
    /// The backend named by `GENAI_TRACING_BACKEND` cannot be configured.
    #[error(transparent)]
    Backend(#[from] crate::export::BackendError),
    /// The OTLP exporter could not be built (bad endpoint, bad headers, …).
    #[error("cannot build the OTLP exporter: {0}")]
    Exporter(#[from] opentelemetry_otlp::ExporterBuildError),
    /// The trace file (`GENAI_TRACING_FILE`) cannot be opened, or an export thread cannot start.
    #[error("{what}: {source}")]
    Io {
        /// What failed.
        what: String,
        /// Why.
        source: std::io::Error,
    },
    /// gRPC export needs a multi-thread Tokio runtime, alive until the guard is dropped.
    #[error("OTLP over grpc needs a running multi-thread Tokio runtime: call init() inside one, or use http/protobuf")]
    GrpcNeedsTokio,
    /// The price file named by `GENAI_TRACING_PRICES` cannot be used.
    #[error("{var}: {0}", var = crate::cost::PRICES_ENV)]
    Prices(#[from] crate::cost::PriceFileError),
    /// A global `tracing` subscriber is already installed.
    #[error("a global tracing subscriber is already installed: add tracing_opentelemetry's layer to it instead")]
    SubscriberAlreadySet(#[from] tracing::dispatcher::SetGlobalDefaultError),
}

/// How spans leave the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtlpProtocol {
    /// OTLP/HTTP with protobuf bodies (the default).
    HttpProtobuf,
    /// OTLP/HTTP with JSON bodies.
    HttpJson,
    /// OTLP/gRPC.
    Grpc,
}

impl OtlpProtocol {
    /// Parses the value of `OTEL_EXPORTER_OTLP_PROTOCOL`.
    ///
    /// ```
    /// use genai_tracing::OtlpProtocol;
    /// assert_eq!(OtlpProtocol::parse("grpc"), Some(OtlpProtocol::Grpc));
    /// assert_eq!(OtlpProtocol::parse("carrier-pigeon"), None);
    /// ```
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim() {
            "http/protobuf" => Some(Self::HttpProtobuf),
            "http/json" => Some(Self::HttpJson),
            "grpc" => Some(Self::Grpc),
            _ => None,
        }
    }
}

/// Configures and installs the tracing pipeline; [`init`] is `Builder::from_env()?.install()`.
///
/// Spans go to every exporter configured: OTLP (from the environment, [`Builder::endpoint`] or a
/// [`Backend`] preset), a [`ConsoleExporter`], a [`FileExporter`], or your own
/// ([`Builder::with_exporter`]), each behind a bounded queue that never blocks the agent (see
/// [`crate::export`]). Metrics go over OTLP to the generic endpoint (see [`crate::metrics`]).
///
/// ```no_run
/// use genai_tracing::export::TailSampling;
/// let _guard = genai_tracing::Builder::from_env()?
///     .service_name("researcher")
///     .tail_sampling(TailSampling::keep_errors_and(0.2))
///     .install()?;
/// # Ok::<(), genai_tracing::InitError>(())
/// ```
pub struct Builder {
    service_name: Option<String>,
    otlp: Option<OtlpProtocol>,
    endpoint: Option<String>,
    backend: Option<Backend>,
    capture: Option<CapturePolicy>,
    /// Record mode, applied on install (see [`crate::replay`]).
    record: Option<bool>,
    console: Option<ConsoleExporter>,
    file: Option<PathBuf>,
    tail: Option<TailSampling>,
    queue: QueueSettings,
    shutdown_timeout: Duration,
    sampler: Option<Sampler>,
    exporters: Vec<Pending>,
    processors: TracerProviderBuilder,
    metric_readers: Vec<Box<dyn FnOnce(MeterProviderBuilder) -> MeterProviderBuilder>>,
    /// `OTEL_METRICS_EXPORTER=none`.
    metrics_off: bool,
    /// The environment names an endpoint for traces only: metrics have nowhere to go.
    traces_only_endpoint: bool,
    scorers: Vec<Arc<dyn Scorer>>,
    keep_failed_scores: bool,
    score_timeout: Duration,
}

/// An exporter waiting for [`Builder::install`] to give it a queue.
struct Pending {
    name: &'static str,
    spawn: Box<dyn FnOnce(QueueSettings, Arc<Counters>) -> std::io::Result<ExportQueue>>,
}

impl Pending {
    fn new<E: SpanExporter + 'static>(name: &'static str, exporter: E) -> Self {
        Self {
            name,
            spawn: Box::new(move |settings, counters| {
                ExportQueue::spawn(name, exporter, settings, counters)
            }),
        }
    }
}

impl std::fmt::Debug for Builder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Builder")
            .field("service_name", &self.service_name)
            .field("otlp", &self.otlp)
            .field("endpoint", &self.endpoint)
            .field("backend", &self.backend)
            .field("capture", &self.capture)
            .field("record", &self.record)
            .field("console", &self.console.is_some())
            .field("file", &self.file)
            .field("tail", &self.tail)
            .field(
                "scorers",
                &self.scorers.iter().map(|s| s.name()).collect::<Vec<_>>(),
            )
            .field(
                "exporters",
                &self.exporters.iter().map(|e| e.name).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

const ENDPOINT_VARS: [&str; 2] = [
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
];
const PROTOCOL_VARS: [&str; 2] = [
    "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
    "OTEL_EXPORTER_OTLP_PROTOCOL",
];
/// Prints each trace as a tree on standard output when `true` (see [`ConsoleExporter`]).
pub const CONSOLE_ENV: &str = "GENAI_TRACING_CONSOLE";
/// Appends each trace as a line of OTLP-JSON to this file (see [`FileExporter`]).
pub const FILE_ENV: &str = "GENAI_TRACING_FILE";
/// Tail sampling: the share (0 to 1) of traces without errors to keep (see [`TailSampling`]).
pub const TAIL_RATIO_ENV: &str = "GENAI_TRACING_TAIL_SAMPLE_RATIO";

/// Reads a variable, ignoring empty values.
fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parse_var<T: std::str::FromStr>(
    name: &'static str,
    expected: &'static str,
    ok: impl Fn(&T) -> bool,
) -> Result<Option<T>, InitError> {
    let Some(value) = var(name) else {
        return Ok(None);
    };
    match value.trim().parse::<T>() {
        Ok(v) if ok(&v) => Ok(Some(v)),
        _ => Err(InitError::InvalidSetting {
            var: name,
            value,
            expected,
        }),
    }
}

impl QueueSettings {
    /// The standard `OTEL_BSP_*` variables, validated.
    fn from_env() -> Result<Self, InitError> {
        let d = Self::default();
        let count = "a whole number above 0";
        let millis = "a whole number of milliseconds above 0";
        let max_queue_size = parse_var("OTEL_BSP_MAX_QUEUE_SIZE", count, |n: &usize| *n > 0)?
            .unwrap_or(d.max_queue_size);
        let batch = parse_var("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", count, |n: &usize| *n > 0)?
            .unwrap_or(d.max_export_batch_size);
        let ms = |name, default: Duration| {
            parse_var(name, millis, |n: &u64| *n > 0)
                .map(|v| v.map_or(default, Duration::from_millis))
        };
        Ok(Self {
            max_queue_size,
            // As the specification says: a batch never exceeds the queue.
            max_export_batch_size: batch.min(max_queue_size),
            scheduled_delay: ms("OTEL_BSP_SCHEDULE_DELAY", d.scheduled_delay)?,
            export_timeout: ms("OTEL_BSP_EXPORT_TIMEOUT", d.export_timeout)?,
        })
    }
}

/// The head sampler named by `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG`, validated (the
/// SDK would fall back to sampling everything on a typo).
fn sampler_from_env() -> Result<Option<Sampler>, InitError> {
    let Some(name) = var("OTEL_TRACES_SAMPLER") else {
        return Ok(None);
    };
    let ratio = || {
        parse_var(
            "OTEL_TRACES_SAMPLER_ARG",
            "a number from 0 to 1",
            |r: &f64| (0.0..=1.0).contains(r),
        )
        .map(|r| r.unwrap_or(1.0))
    };
    let sampler = match name.trim() {
        "always_on" => Sampler::AlwaysOn,
        "always_off" => Sampler::AlwaysOff,
        "traceidratio" => Sampler::TraceIdRatioBased(ratio()?),
        "parentbased_always_on" => Sampler::ParentBased(Box::new(Sampler::AlwaysOn)),
        "parentbased_always_off" => Sampler::ParentBased(Box::new(Sampler::AlwaysOff)),
        "parentbased_traceidratio" => {
            Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(ratio()?)))
        }
        _ => {
            return Err(InitError::InvalidSetting {
                var: "OTEL_TRACES_SAMPLER",
                value: name,
                expected: "always_on, always_off, traceidratio, parentbased_always_on, \
                           parentbased_always_off or parentbased_traceidratio",
            })
        }
    };
    Ok(Some(sampler))
}

impl Builder {
    /// Reads the standard environment, validating every value it uses:
    ///
    /// - OTLP export is on when an endpoint variable is set and not empty, or a preset is named
    ///   by `GENAI_TRACING_BACKEND` (see [`Backend::from_vars`]);
    /// - [`CONSOLE_ENV`], [`FILE_ENV`] and [`TAIL_RATIO_ENV`] add the console and file exporters
    ///   and tail sampling; `OTEL_BSP_*` bound the queues; `OTEL_TRACES_SAMPLER`/`_ARG` choose the
    ///   head sampler;
    /// - [`RECORD_ENV`] (`true` or `false`) sets the record mode applied on install (see
    ///   [`crate::replay`]);
    /// - the capture variable is validated here (and applied on first use, see
    ///   [`captures_content`](crate::captures_content)); the price file named by
    ///   `GENAI_TRACING_PRICES`, if any, is read here (see [`crate::cost`]).
    ///
    /// ```
    /// std::env::set_var("OTEL_BSP_MAX_QUEUE_SIZE", "lots");
    /// let err = genai_tracing::Builder::from_env().unwrap_err();
    /// assert!(err.to_string().contains("OTEL_BSP_MAX_QUEUE_SIZE"));
    /// std::env::remove_var("OTEL_BSP_MAX_QUEUE_SIZE");
    /// ```
    pub fn from_env() -> Result<Self, InitError> {
        CapturePolicy::from_env()?;
        CaptureLimits::from_env()?;
        crate::cost::load_from_env()?;
        let backend = Backend::from_vars(var)?;
        let otlp = if ENDPOINT_VARS.iter().any(|v| var(v).is_some()) {
            let protocol = PROTOCOL_VARS
                .iter()
                .find_map(|name| var(name).map(|value| (*name, value)));
            Some(match protocol {
                None => OtlpProtocol::HttpProtobuf,
                Some((var, value)) => {
                    OtlpProtocol::parse(&value).ok_or(InitError::InvalidProtocol { var, value })?
                }
            })
        } else {
            None
        };
        let console = parse_var(CONSOLE_ENV, "true or false", |_: &bool| true)?.unwrap_or(false);
        let tail = parse_var(TAIL_RATIO_ENV, "a number from 0 to 1", |r: &f64| {
            (0.0..=1.0).contains(r)
        })?;
        let traces_only_endpoint = var(ENDPOINT_VARS[0]).is_some()
            && var(ENDPOINT_VARS[1]).is_none()
            && var("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT").is_none();
        Ok(Self {
            service_name: None,
            otlp,
            endpoint: None,
            backend,
            capture: None,
            record: parse_var(RECORD_ENV, "true or false", |_: &bool| true)?,
            console: console.then(ConsoleExporter::stdout),
            file: var(FILE_ENV).map(PathBuf::from),
            tail: tail.map(TailSampling::keep_errors_and),
            queue: QueueSettings::from_env()?,
            shutdown_timeout: Duration::from_secs(5),
            sampler: sampler_from_env()?,
            exporters: Vec::new(),
            processors: SdkTracerProvider::builder(),
            metric_readers: Vec::new(),
            metrics_off: var("OTEL_METRICS_EXPORTER").is_some_and(|v| v.trim() == "none"),
            traces_only_endpoint,
            scorers: Vec::new(),
            keep_failed_scores: true,
            score_timeout: Duration::from_secs(30),
        })
    }

    /// Sets `service.name` (else `OTEL_SERVICE_NAME`, else the SDK's default).
    pub fn service_name(mut self, name: impl Into<String>) -> Self {
        self.service_name = Some(name.into());
        self
    }

    /// Exports over OTLP with this protocol, to the endpoint the environment gives (or the
    /// protocol's default local endpoint).
    pub fn otlp(mut self, protocol: OtlpProtocol) -> Self {
        self.otlp = Some(protocol);
        self
    }

    /// Exports over OTLP to this base URL, as `OTEL_EXPORTER_OTLP_ENDPOINT` would (the HTTP
    /// protocols append `/v1/traces`): with the protocol the environment or [`Builder::otlp`]
    /// gives, else http/protobuf.
    ///
    /// ```
    /// let builder = genai_tracing::Builder::from_env()?.endpoint("http://127.0.0.1:4318");
    /// # Ok::<(), genai_tracing::InitError>(())
    /// ```
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self.otlp.get_or_insert(OtlpProtocol::HttpProtobuf);
        self
    }

    /// Exports traces to a platform preset (its URL, protocol and headers), besides any generic
    /// OTLP endpoint.
    ///
    /// ```
    /// use genai_tracing::export::Backend;
    /// let builder = genai_tracing::Builder::from_env()?.backend(Backend::Mlflow {
    ///     tracking_uri: "http://127.0.0.1:5000".into(),
    ///     experiment_id: "0".into(),
    /// });
    /// # Ok::<(), genai_tracing::InitError>(())
    /// ```
    pub fn backend(mut self, backend: Backend) -> Self {
        self.backend = Some(backend);
        self
    }

    /// Whether any export destination is configured: OTLP, a preset, console, file or another
    /// exporter.
    pub fn exports(&self) -> bool {
        self.otlp.is_some()
            || self.backend.is_some()
            || self.console.is_some()
            || self.file.is_some()
            || !self.exporters.is_empty()
    }

    /// Prints each trace as a tree when its root ends.
    pub fn console(mut self, console: ConsoleExporter) -> Self {
        self.console = Some(console);
        self
    }

    /// Appends each trace to `path` as a line of OTLP-JSON (see [`FileExporter`]).
    pub fn file(mut self, path: impl Into<PathBuf>) -> Self {
        self.file = Some(path.into());
        self
    }

    /// Keeps whole traces by the tail sampling `policy` (see [`TailSampling`]); applies to every
    /// exporter.
    pub fn tail_sampling(mut self, policy: TailSampling) -> Self {
        self.tail = Some(policy);
        self
    }

    /// Scores every trace online as its root ends, off the agent's path, before the tail
    /// sampler decides it: each score is recorded on the span it judges as a
    /// `gen_ai.evaluation.result` event, and a failed score keeps the trace (see
    /// [`keep_failed_scores`](Self::keep_failed_scores)). Spans an LLM judge creates join the
    /// trace. Scoring needs an exporter (OTLP, a preset, the file or console, or your own: else
    /// [`InitError::ScoringWithoutExport`]) and assembles whole traces as the file exporter does.
    /// Traces the tail sampler decides early (past its bounds, or still open at shutdown) and
    /// traces started by the scorers themselves are not scored. See [`crate::eval`].
    ///
    /// ```
    /// use genai_tracing::eval::{rule, Trace};
    /// let builder = genai_tracing::Builder::from_env()?
    ///     .file("genai-traces/scored.jsonl")
    ///     .score(rule("no_errors", |t: &Trace| t.errors().next().is_none()));
    /// # Ok::<(), genai_tracing::InitError>(())
    /// ```
    pub fn score(mut self, scorer: impl Scorer + 'static) -> Self {
        self.scorers.push(Arc::new(scorer));
        self
    }

    /// Whether a failed score keeps its trace whatever the tail sampler's draw (default `true`).
    pub fn keep_failed_scores(mut self, keep: bool) -> Self {
        self.keep_failed_scores = keep;
        self
    }

    /// How long one scorer may take on one trace online (default 30 s); past it, the score is an
    /// error (`error.type = timeout`) and the trace is decided. Only scorers that `.await` (an LLM
    /// judge) can be cut short: a rule runs to its end, so keep rules quick.
    pub fn score_timeout(mut self, timeout: Duration) -> Self {
        self.score_timeout = timeout;
        self
    }

    /// Bounds each exporter's queue to `max_spans` (past it, spans are dropped and counted),
    /// exports in batches of at most `batch` spans, and at least every `interval` (else the
    /// `OTEL_BSP_*` variables', else 2048, 512 and 5 s).
    ///
    /// ```
    /// use std::time::Duration;
    /// let builder = genai_tracing::Builder::from_env()?
    ///     .export_queue(10_000, 1_000, Duration::from_millis(500));
    /// # Ok::<(), genai_tracing::InitError>(())
    /// ```
    pub fn export_queue(mut self, max_spans: usize, batch: usize, interval: Duration) -> Self {
        self.queue.max_queue_size = max_spans.max(1);
        self.queue.max_export_batch_size = batch.clamp(1, self.queue.max_queue_size);
        self.queue.scheduled_delay = interval.max(Duration::from_millis(1));
        self
    }

    /// How long dropping the guard waits, in all, for the exporters to deliver what is queued
    /// (default 5 s), traces first, then metrics; spans left after it are counted in
    /// [`ExportStats::dropped_at_shutdown`]. A flush waits at most as long.
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = timeout;
        self
    }

    /// Sets the content capture policy on install (else the environment's, or what
    /// [`set_content_capture`] set).
    pub fn capture(mut self, policy: CapturePolicy) -> Self {
        self.capture = Some(policy);
        self
    }

    /// Switches record mode on or off on install (else [`RECORD_ENV`]'s value, or what
    /// [`set_recording`] set): every `#[tool]` and non-streaming `#[llm_call]` span stores the
    /// call's output, verbatim, for replay (see [`crate::replay`]). For development and tests.
    ///
    /// ```
    /// let builder = genai_tracing::Builder::from_env()?.record(true);
    /// # Ok::<(), genai_tracing::InitError>(())
    /// ```
    pub fn record(mut self, on: bool) -> Self {
        self.record = Some(on);
        self
    }

    /// Adds an exporter behind its own bounded queue and the tail sampler, like the built-in
    /// ones; `name` names it in warnings.
    ///
    /// ```
    /// use opentelemetry_sdk::trace::InMemorySpanExporter;
    /// let spans = InMemorySpanExporter::default();
    /// let guard = genai_tracing::Builder::from_env()?
    ///     .with_exporter("memory", spans.clone())
    ///     .install()?;
    /// # #[genai_tracing::tool] fn noop() {}
    /// noop();
    /// guard.flush()?;
    /// assert_eq!(spans.get_finished_spans().unwrap().len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_exporter(
        mut self,
        name: &'static str,
        exporter: impl SpanExporter + 'static,
    ) -> Self {
        self.exporters.push(Pending::new(name, exporter));
        self
    }

    /// Adds a span processor of your own, outside the pipeline (no queue, no tail sampling),
    /// e.g. a `SimpleSpanProcessor` over an in-memory exporter for tests (read it while the guard
    /// lives: dropping the guard shuts the exporters down, and the in-memory one forgets its
    /// spans).
    ///
    /// ```
    /// use opentelemetry_sdk::trace::{InMemorySpanExporter, SimpleSpanProcessor};
    /// let spans = InMemorySpanExporter::default();
    /// let guard = genai_tracing::Builder::from_env()?
    ///     .with_span_processor(SimpleSpanProcessor::new(spans.clone()))
    ///     .install()?;
    /// # #[genai_tracing::tool] fn noop() {}
    /// noop();
    /// assert_eq!(spans.get_finished_spans().unwrap().len(), 1);
    /// drop(guard);
    /// # Ok::<(), genai_tracing::InitError>(())
    /// ```
    pub fn with_span_processor(mut self, processor: impl SpanProcessor + 'static) -> Self {
        self.processors = self.processors.with_span_processor(processor);
        self
    }

    /// Adds a metrics exporter, read periodically (e.g. an in-memory one in tests, read after
    /// [`TracingGuard::flush`]); the metrics of [`crate::metrics`] are recorded once any exporter
    /// or OTLP metrics export is set.
    ///
    /// ```
    /// use opentelemetry_sdk::metrics::InMemoryMetricExporter;
    /// let metrics = InMemoryMetricExporter::default();
    /// let builder = genai_tracing::Builder::from_env()?.with_metric_exporter(metrics.clone());
    /// # Ok::<(), genai_tracing::InitError>(())
    /// ```
    pub fn with_metric_exporter(
        mut self,
        exporter: impl opentelemetry_sdk::metrics::exporter::PushMetricExporter,
    ) -> Self {
        self.metric_readers
            .push(Box::new(move |b: MeterProviderBuilder| {
                b.with_reader(PeriodicReader::builder(exporter).build())
            }));
        self
    }

    /// Builds the pipeline and installs it as the global `tracing` subscriber and the global
    /// OpenTelemetry tracer (and meter) provider, with the capture policy set by
    /// [`Builder::capture`] and the record mode of [`Builder::record`]. Loads the bundled price data (see [`crate::cost::preload`]), so that
    /// no model call waits for it.
    pub fn install(mut self) -> Result<TracingGuard, InitError> {
        let capture = self.capture.take();
        let record = self.record.take();
        let (dispatch, guard) = self.build()?;
        tracing::dispatcher::set_global_default(dispatch)?;
        if let Some(policy) = capture {
            set_content_capture(policy);
        }
        if let Some(on) = record {
            set_recording(on);
        }
        opentelemetry::global::set_tracer_provider(guard.provider.clone());
        opentelemetry::global::set_text_map_propagator(crate::context::propagation::w3c());
        if let Some(meters) = &guard.meters {
            opentelemetry::global::set_meter_provider(meters.clone());
            crate::metrics::use_meter(&meters.meter("genai-tracing"));
        }
        crate::export::install_counters(guard.counters.clone());
        // Here rather than in the first priced model call (tens of milliseconds).
        crate::cost::preload();
        Ok(guard)
    }

    /// Builds the pipeline without installing anything global: a subscriber to use where you
    /// choose (`tracing::subscriber::with_default`, a test, a second pipeline) and its guard.
    /// The capture policy of [`Builder::capture`], the record mode of [`Builder::record`] and the
    /// metrics (see [`crate::metrics`]) are applied only by [`Builder::install`].
    ///
    /// ```
    /// use opentelemetry_sdk::trace::InMemorySpanExporter;
    /// let spans = InMemorySpanExporter::default();
    /// let (subscriber, guard) = genai_tracing::Builder::from_env()?
    ///     .with_exporter("memory", spans.clone())
    ///     .build()?;
    /// # #[genai_tracing::tool] fn noop() {}
    /// tracing::dispatcher::with_default(&subscriber, noop);
    /// guard.flush()?;
    /// assert_eq!(spans.get_finished_spans()?.len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn build(self) -> Result<(tracing::Dispatch, TracingGuard), InitError> {
        let counters = Arc::new(Counters::default());
        let mut pending = self.exporters;
        let mut whole_traces = false;
        if let Some(protocol) = self.otlp {
            let exporter = otlp_exporter(protocol, self.endpoint.as_deref(), None)?;
            pending.push(Pending::new("OTLP", exporter));
        }
        if let Some(backend) = &self.backend {
            let exporter = otlp_exporter(backend.protocol(), None, Some(backend))?;
            pending.push(Pending::new(backend.name(), exporter));
        }
        if let Some(path) = &self.file {
            let file = FileExporter::append(path).map_err(|source| InitError::Io {
                what: format!("cannot open the trace file {}", path.display()),
                source,
            })?;
            pending.push(Pending::new("file", file));
            whole_traces = true;
        }
        if let Some(console) = self.console {
            pending.push(Pending::new("console", console));
            whole_traces = true;
        }
        if !self.scorers.is_empty() && pending.is_empty() {
            return Err(InitError::ScoringWithoutExport);
        }
        whole_traces |= !self.scorers.is_empty();
        let exporters: Vec<&'static str> = pending.iter().map(|p| p.name).collect();
        let mut builder = self.processors;
        let mut scoring = None;
        if !pending.is_empty() {
            let queues = pending
                .into_iter()
                .map(|p| {
                    (p.spawn)(self.queue, counters.clone()).map_err(|source| InitError::Io {
                        what: format!("cannot start the {} export thread", p.name),
                        source,
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let tail = self
                .tail
                .or_else(|| whole_traces.then(TailSampling::keep_all))
                .map(|policy| TailSampler::new(policy, counters.clone()));
            let stages = Arc::new(Stages::new(tail, queues, counters.clone()));
            if !self.scorers.is_empty() {
                let started = Scoring::start(
                    self.scorers,
                    self.keep_failed_scores,
                    self.score_timeout,
                    stages.clone(),
                )
                .map_err(|source| InitError::Io {
                    what: "cannot start the scoring thread".into(),
                    source,
                })?;
                scoring = Some(Arc::new(started));
            }
            builder = builder.with_span_processor(Pipeline::new(
                stages,
                scoring.clone(),
                self.shutdown_timeout,
            ));
        }
        if let Some(sampler) = self.sampler {
            builder = builder.with_sampler(sampler);
        }
        let mut resource = Resource::builder();
        if let Some(name) = self.service_name {
            resource = resource.with_service_name(name);
        }
        let resource = resource.build();
        let otlp_metrics = self.otlp.filter(|_| {
            !self.metrics_off && (self.endpoint.is_some() || !self.traces_only_endpoint)
        });
        let meters = meter_provider(
            self.metric_readers,
            otlp_metrics,
            self.endpoint.as_deref(),
            &resource,
        )?;
        let provider = builder.with_resource(resource).build();
        let subscriber = subscriber(&provider);
        let guard = TracingGuard {
            provider,
            meters,
            counters,
            shutdown_timeout: self.shutdown_timeout,
            exporters,
            shut_down: false,
        };
        let dispatch = tracing::Dispatch::new(subscriber);
        if let Some(scoring) = &scoring {
            scoring.set_dispatch(&dispatch);
        }
        Ok((dispatch, guard))
    }
}

/// The meter provider: the readers given, plus OTLP metrics export next to OTLP traces (the
/// platform presets take traces only). `None` when there is nothing to read the metrics.
fn meter_provider(
    readers: Vec<Box<dyn FnOnce(MeterProviderBuilder) -> MeterProviderBuilder>>,
    otlp: Option<OtlpProtocol>,
    endpoint: Option<&str>,
    resource: &Resource,
) -> Result<Option<SdkMeterProvider>, InitError> {
    if readers.is_empty() && otlp.is_none() {
        return Ok(None);
    }
    let mut builder = SdkMeterProvider::builder().with_resource(resource.clone());
    for reader in readers {
        builder = reader(builder);
    }
    if let Some(protocol) = otlp {
        let metrics = opentelemetry_otlp::MetricExporter::builder();
        let http = |format: Protocol| {
            let http = metrics.clone().with_http().with_protocol(format);
            sent_to(http, endpoint.map(|base| signal_url(base, "metrics")))
        };
        let exporter = match protocol {
            OtlpProtocol::HttpProtobuf => http(Protocol::HttpBinary).build()?,
            OtlpProtocol::HttpJson => http(Protocol::HttpJson).build()?,
            OtlpProtocol::Grpc => {
                let grpc = metrics.with_tonic().with_protocol(Protocol::Grpc);
                sent_to(grpc, endpoint.map(str::to_owned)).build()?
            }
        };
        builder = builder.with_reader(PeriodicReader::builder(exporter).build());
    }
    Ok(Some(builder.build()))
}

/// The subscriber that turns this crate's `tracing` spans into `provider`'s spans.
pub(crate) fn subscriber(provider: &SdkTracerProvider) -> impl tracing::Subscriber + Send + Sync {
    let layer = tracing_opentelemetry::layer()
        .with_tracer(provider.tracer("genai-tracing"))
        .with_location(false)
        .with_threads(false)
        .with_tracked_inactivity(false);
    tracing_subscriber::registry().with(layer.with_filter(export_filter()))
}

/// INFO and above, without the exporter's own HTTP stack (its spans would be exported in turn) and
/// without rmcp's connection-long spans.
fn export_filter() -> Targets {
    Targets::new().with_default(LevelFilter::INFO).with_targets(
        [
            "hyper",
            "hyper_util",
            "h2",
            "reqwest",
            "tonic",
            "tower",
            "opentelemetry",
            // rmcp's connection-long `serve_inner` spans: not steps of an agent run.
            "rmcp",
        ]
        .map(|t| (t, LevelFilter::OFF)),
    )
}

/// The OTLP span exporter for `protocol`: to `endpoint` (a base URL) or the environment's, or to
/// a preset `backend`'s URL with its headers.
fn otlp_exporter(
    protocol: OtlpProtocol,
    endpoint: Option<&str>,
    backend: Option<&Backend>,
) -> Result<opentelemetry_otlp::SpanExporter, InitError> {
    let builder = opentelemetry_otlp::SpanExporter::builder();
    let traces_url = match backend {
        Some(b) => Some(b.traces_url()),
        None => endpoint.map(|base| signal_url(base, "traces")),
    };
    let headers: HashMap<String, String> = backend
        .map(|b| b.headers().into_iter().collect())
        .unwrap_or_default();
    let http = |format: Protocol| {
        let http = builder
            .clone()
            .with_http()
            .with_protocol(format)
            .with_headers(headers.clone());
        sent_to(http, traces_url.clone())
    };
    let exporter = match protocol {
        OtlpProtocol::HttpProtobuf => http(Protocol::HttpBinary).build()?,
        OtlpProtocol::HttpJson => http(Protocol::HttpJson).build()?,
        OtlpProtocol::Grpc => {
            // tonic's channel runs as a task of the runtime it was built in, while the batch
            // worker exports from its own thread: only a multi-thread runtime keeps serving it.
            match tokio::runtime::Handle::try_current() {
                Ok(h) if h.runtime_flavor() != tokio::runtime::RuntimeFlavor::CurrentThread => {}
                _ => return Err(InitError::GrpcNeedsTokio),
            }
            let grpc = builder.with_tonic().with_protocol(Protocol::Grpc);
            sent_to(grpc, endpoint.map(str::to_owned)).build()?
        }
    };
    Ok(exporter)
}

/// An exporter builder sent to `url` if one is set in code, else where the environment says.
fn sent_to<B: WithExportConfig>(builder: B, url: Option<String>) -> B {
    match url {
        Some(url) => builder.with_endpoint(url),
        None => builder,
    }
}

/// The OTLP/HTTP URL of `signal` (`traces`, `metrics`) under a base URL set in code: the SDK
/// appends the signal's path to the environment's base URL only.
fn signal_url(base: &str, signal: &str) -> String {
    format!("{}/v1/{signal}", base.trim_end_matches('/'))
}

/// Installs tracing with [`Builder::from_env`]; keep the guard alive for the program's run.
///
/// ```no_run
/// fn main() -> Result<(), Box<dyn std::error::Error>> {
///     let _guard = genai_tracing::init()?; // flushes on drop
///     Ok(())
/// }
/// ```
pub fn init() -> Result<TracingGuard, InitError> {
    Builder::from_env()?.install()
}

/// Keeps the pipeline running; dropping it exports what is queued (within the shutdown timeout)
/// and shuts the exporters down, reporting spans lost on stderr.
///
/// ```no_run
/// let guard = genai_tracing::init()?;
/// // … run the agent …
/// guard.flush()?; // or just drop the guard at the end of main
/// println!("{:?}", guard.stats());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use = "dropping the guard shuts tracing down"]
#[derive(Debug)]
pub struct TracingGuard {
    provider: SdkTracerProvider,
    meters: Option<SdkMeterProvider>,
    counters: Arc<Counters>,
    shutdown_timeout: Duration,
    exporters: Vec<&'static str>,
    shut_down: bool,
}

impl TracingGuard {
    /// The names of the exporters the pipeline feeds, in order: `OTLP`, a preset's name
    /// (`Phoenix`, …), `file`, `console`, and those given to [`Builder::with_exporter`].
    pub fn exporters(&self) -> &[&'static str] {
        &self.exporters
    }

    /// The tracer provider.
    pub fn provider(&self) -> &SdkTracerProvider {
        &self.provider
    }

    /// Exports what is queued now and waits for it (at most the shutdown timeout each), metrics
    /// included. Traces the tail sampler holds wait for their roots to end.
    pub fn flush(&self) -> Result<(), opentelemetry_sdk::error::OTelSdkError> {
        self.provider.force_flush()?;
        match &self.meters {
            Some(m) => m.force_flush(),
            None => Ok(()),
        }
    }

    /// The meter provider recording [`crate::metrics`], when metrics go anywhere: OTLP metrics
    /// export (the generic endpoint, unless `OTEL_METRICS_EXPORTER=none` or the environment names
    /// a traces-only endpoint) or an exporter given to [`Builder::with_metric_exporter`].
    pub fn meter_provider(&self) -> Option<&SdkMeterProvider> {
        self.meters.as_ref()
    }

    /// What this pipeline has exported, sampled out and lost so far.
    pub fn stats(&self) -> ExportStats {
        self.counters.snapshot()
    }
}

impl TracingGuard {
    /// Shuts the pipeline down as dropping the guard does, and returns the final counts
    /// (including what shutdown had to leave behind).
    ///
    /// ```
    /// let (_subscriber, guard) = genai_tracing::Builder::from_env()?.build()?;
    /// assert_eq!(guard.shutdown().lost(), 0);
    /// # Ok::<(), genai_tracing::InitError>(())
    /// ```
    pub fn shutdown(mut self) -> ExportStats {
        self.shut();
        self.counters.snapshot()
    }

    fn shut(&mut self) {
        if std::mem::replace(&mut self.shut_down, true) {
            return;
        }
        // One timeout for the whole shutdown: the traces first, the metrics with what is left.
        let deadline = std::time::Instant::now() + self.shutdown_timeout;
        if let Err(err) = self.provider.shutdown_with_timeout(self.shutdown_timeout) {
            eprintln!("genai-tracing: shutting the tracer provider down: {err}");
        }
        if let Some(meters) = &self.meters {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let _ = meters.shutdown_with_timeout(left);
        }
        let stats = self.counters.snapshot();
        if stats.lost() > 0 {
            eprintln!(
                "genai-tracing: {} spans lost ({} queue full, {} failed exports, {} left at \
                 shutdown); last error: {}",
                stats.lost(),
                stats.dropped_queue_full,
                stats.failed,
                stats.dropped_at_shutdown,
                stats.last_error.as_deref().unwrap_or("none")
            );
        }
    }
}

impl Drop for TracingGuard {
    fn drop(&mut self) {
        self.shut();
    }
}
