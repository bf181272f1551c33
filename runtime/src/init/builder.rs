//! [`Builder`]: what the pipeline is made of, from the environment ([`Builder::from_env`]) and
//! from code (every other method here). Installing it is in `install.rs`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use opentelemetry_sdk::metrics::{MeterProviderBuilder, PeriodicReader};
use opentelemetry_sdk::trace::{
    Sampler, SdkTracerProvider, SpanExporter, SpanProcessor, TracerProviderBuilder,
};

use super::env::{Environment, OtlpTimeouts};
use super::error::InitError;
use crate::capture::CapturePolicy;
use crate::export::{
    Backend, ConsoleExporter, Counters, ExportQueue, OtlpProtocol, QueueSettings, TailSampling,
};
use crate::trace::Scorer;

/// Configures and installs the tracing pipeline; [`init`](crate::init) is
/// `Builder::from_env()?.install()`.
///
/// Spans go to every exporter configured: OTLP (from the environment, [`Builder::endpoint`] or a
/// [`Backend`] preset), a [`ConsoleExporter`], a [`FileExporter`](crate::export::FileExporter),
/// or your own ([`Builder::with_exporter`]), each behind a bounded queue that never blocks the
/// agent (see [`crate::export`]). Metrics go over OTLP to the generic endpoint (see [`crate::metrics`]).
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
    pub(super) service_name: Option<String>,
    pub(super) otlp: Option<OtlpProtocol>,
    pub(super) endpoint: Option<String>,
    pub(super) backend: Option<Backend>,
    pub(super) capture: Option<CapturePolicy>,
    /// Record mode, applied on install (see [`crate::replay`]).
    pub(super) record: Option<bool>,
    pub(super) console: Option<ConsoleExporter>,
    pub(super) file: Option<PathBuf>,
    pub(super) tail: Option<TailSampling>,
    pub(super) queue: QueueSettings,
    pub(super) shutdown_timeout: Duration,
    pub(super) sampler: Option<Sampler>,
    pub(super) exporters: Vec<Pending>,
    pub(super) processors: TracerProviderBuilder,
    pub(super) metric_readers: Vec<Box<dyn FnOnce(MeterProviderBuilder) -> MeterProviderBuilder>>,
    /// `OTEL_METRICS_EXPORTER=none`.
    pub(super) metrics_off: bool,
    /// The environment names an endpoint for traces only: metrics have nowhere to go.
    pub(super) traces_only_endpoint: bool,
    pub(super) otlp_timeouts: OtlpTimeouts,
    /// [`Builder::install`] prints the app's logs.
    pub(super) print_logs: bool,
    /// `RUST_LOG`, validated.
    pub(super) log_filter: Option<String>,
    /// A span processor of your own was added: spans go somewhere.
    pub(super) own_processors: bool,
    pub(super) scorers: Vec<Arc<dyn Scorer>>,
    pub(super) keep_failed_scores: bool,
    pub(super) score_timeout: Duration,
}

/// An exporter waiting for [`Builder::install`] to give it a queue.
pub(super) struct Pending {
    pub(super) name: &'static str,
    pub(super) spawn: Box<dyn FnOnce(QueueSettings, Arc<Counters>) -> std::io::Result<ExportQueue>>,
}

impl Pending {
    pub(super) fn new<E: SpanExporter + 'static>(name: &'static str, exporter: E) -> Self {
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

impl Builder {
    /// Reads the standard environment, validating every value it uses:
    ///
    /// - OTLP export is on when an endpoint variable is set and not empty, or a preset is named
    ///   by `GENAI_TRACING_BACKEND` (see [`Backend::from_vars`]);
    /// - [`CONSOLE_ENV`](crate::export::CONSOLE_ENV), [`FILE_ENV`](crate::export::FILE_ENV) and
    ///   [`TAIL_RATIO_ENV`](crate::export::TAIL_RATIO_ENV) add the console and file exporters
    ///   and tail sampling; `OTEL_BSP_*` bound the queues; `OTEL_TRACES_SAMPLER`/`_ARG` choose the
    ///   head sampler;
    /// - [`RECORD_ENV`](crate::replay::RECORD_ENV) (`true` or `false`) sets the record mode applied on install (see
    ///   [`crate::replay`]);
    /// - the capture variable is validated here (and applied on first use, see
    ///   [`captures_content`](crate::capture::captures_content)); the price file named by
    ///   `GENAI_TRACING_PRICES`, if any, is read here (see [`crate::cost`]).
    ///
    /// ```
    /// std::env::set_var("OTEL_BSP_MAX_QUEUE_SIZE", "lots");
    /// let err = genai_tracing::Builder::from_env().unwrap_err();
    /// assert!(err.to_string().contains("OTEL_BSP_MAX_QUEUE_SIZE"));
    /// std::env::remove_var("OTEL_BSP_MAX_QUEUE_SIZE");
    /// ```
    pub fn from_env() -> Result<Self, InitError> {
        let env = Environment::read()?;
        Ok(Self {
            service_name: None,
            otlp: env.otlp,
            endpoint: None,
            backend: env.backend,
            capture: None,
            record: env.record,
            console: env.console.then(ConsoleExporter::stdout),
            file: env.file,
            tail: env.tail.map(TailSampling::keep_errors_and),
            queue: env.queue,
            shutdown_timeout: Duration::from_secs(5),
            sampler: env.sampler,
            exporters: Vec::new(),
            processors: SdkTracerProvider::builder(),
            metric_readers: Vec::new(),
            metrics_off: env.metrics_off,
            traces_only_endpoint: env.traces_only_endpoint,
            otlp_timeouts: env.otlp_timeouts,
            print_logs: true,
            log_filter: env.log_filter,
            own_processors: false,
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

    /// Whether any export destination is configured: OTLP, a preset, console, file, another
    /// exporter or a span processor of your own.
    pub fn exports(&self) -> bool {
        self.otlp.is_some()
            || self.backend.is_some()
            || self.console.is_some()
            || self.file.is_some()
            || !self.exporters.is_empty()
            || self.own_processors
    }

    /// Whether [`Builder::install`] prints the app's own logs (`tracing` events, filtered by
    /// `RUST_LOG`, default `info`) to stderr: on by default. GenAI spans are exported either way.
    ///
    /// ```
    /// let builder = genai_tracing::Builder::from_env()?.print_logs(false);
    /// # Ok::<(), genai_tracing::InitError>(())
    /// ```
    pub fn print_logs(mut self, on: bool) -> Self {
        self.print_logs = on;
        self
    }

    /// Prints each trace as a tree when its root ends.
    pub fn console(mut self, console: ConsoleExporter) -> Self {
        self.console = Some(console);
        self
    }

    /// Appends each trace to `path` as a line of OTLP-JSON (see [`FileExporter`](crate::export::FileExporter)).
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
    /// [`ExportStats::dropped_at_shutdown`](crate::export::ExportStats::dropped_at_shutdown). A flush waits at most as long.
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = timeout;
        self
    }

    /// Sets the content capture policy on install (else the environment's, or what
    /// [`set_content_capture`](crate::capture::set_content_capture) set).
    pub fn capture(mut self, policy: CapturePolicy) -> Self {
        self.capture = Some(policy);
        self
    }

    /// Switches record mode on or off on install (else [`RECORD_ENV`](crate::replay::RECORD_ENV)'s value, or
    /// what [`set_recording`](crate::replay::set_recording) set): every `#[tool]` and non-streaming `#[llm_call]` span stores the
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
        self.own_processors = true;
        self
    }

    /// Adds a metrics exporter, read periodically (e.g. an in-memory one in tests, read after
    /// [`TracingGuard::flush`](crate::TracingGuard::flush)); the metrics of [`crate::metrics`] are recorded once any exporter
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
}
