//! Installing a [`Builder`]: the exporters behind their queues, the tail sampler and the scoring
//! stage as one span processor, the tracer and meter providers, and the `tracing` layer that
//! feeds them; as the global subscriber with the app's logs ([`Builder::install`]), as a layer
//! of your own subscriber ([`Builder::layer`]), or not installed at all ([`Builder::build`]).

use std::sync::Arc;

use opentelemetry::metrics::MeterProvider as _;
use opentelemetry::trace::TracerProvider as _;
#[cfg(any(feature = "otlp-http", feature = "otlp-grpc"))]
use opentelemetry_sdk::metrics::PeriodicReader;
use opentelemetry_sdk::metrics::{MeterProviderBuilder, SdkMeterProvider};
use opentelemetry_sdk::trace::SdkTracerProvider;
use opentelemetry_sdk::Resource;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

use super::builder::{Builder, Pending};
use super::error::InitError;
use super::guard::{AfterShutdown, TracingGuard};
use crate::capture::set_content_capture;
use crate::context::propagation::w3c;
use crate::export::otlp::{self, Destination, OtlpProtocol};
use crate::export::{
    install_counters, Counters, FileExporter, Pipeline, Scoring, Stages, TailSampler, TailSampling,
};
use crate::replay::set_recording;

impl Builder {
    /// Builds the pipeline and installs it as the global `tracing` subscriber, with a `fmt`
    /// layer printing the app's own logs to stderr (filtered by `RUST_LOG`, default `info`;
    /// off with [`Builder::print_logs`]), and as the global OpenTelemetry tracer (and meter)
    /// provider, with the capture policy set by [`Builder::capture`] and the record mode of
    /// [`Builder::record`]. GenAI spans are exported whatever `RUST_LOG` says. With no exporter
    /// configured, says so in one line on stderr. Loads the bundled price data (see
    /// [`crate::cost::preload`]), so that no model call waits for it.
    pub fn install(mut self) -> Result<TracingGuard, InitError> {
        let logs = match self.print_logs {
            true => Some(super::logs::layer(self.log_filter.take())?),
            false => None,
        };
        let globals = Globals::take(&mut self);
        let parts = self.pipeline()?;
        let layer = export_layer(&parts.guard);
        let dispatch =
            tracing::Dispatch::new(tracing_subscriber::registry().with(logs).with(layer));
        tracing::dispatcher::set_global_default(dispatch.clone())?;
        if let Some(scoring) = &parts.scoring {
            scoring.set_dispatch(&dispatch);
        }
        let mut guard = parts.guard;
        globals.apply(&mut guard);
        Ok(guard)
    }

    /// Builds the pipeline as a [`Layer`](tracing_subscriber::Layer) for a subscriber of your
    /// own, with your own `fmt` and filter layers; installs the rest as [`Builder::install`]
    /// does (the global tracer and meter providers, the capture policy, the record mode, the
    /// price data) but not the subscriber. The layer exports INFO spans and above, whatever
    /// the other layers' filters; a global filter (one added to the registry, not to a layer)
    /// applies to it too, so filter your logs on their own layer:
    ///
    /// ```
    /// use tracing_subscriber::{fmt, prelude::*, EnvFilter};
    /// let (traces, _guard) = genai_tracing::Builder::from_env()?.layer()?;
    /// tracing_subscriber::registry()
    ///     .with(fmt::layer().with_filter(EnvFilter::new("warn"))) // quiet logs…
    ///     .with(traces) // …every GenAI span still exported
    ///     .init();
    /// # Ok::<(), genai_tracing::InitError>(())
    /// ```
    pub fn layer<S>(
        mut self,
    ) -> Result<(impl Layer<S> + Send + Sync + 'static, TracingGuard), InitError>
    where
        S: tracing::Subscriber + for<'span> LookupSpan<'span> + Send + Sync,
    {
        let globals = Globals::take(&mut self);
        let parts = self.pipeline()?;
        let mut guard = parts.guard;
        globals.apply(&mut guard);
        Ok((export_layer(&guard), guard))
    }

    /// Builds the pipeline without installing anything global: a subscriber to use where you
    /// choose (`tracing::subscriber::with_default`, a test, a second pipeline) and its guard.
    /// The capture policy of [`Builder::capture`], the record mode of [`Builder::record`] and the
    /// metrics (see [`crate::metrics`]) are applied only by [`Builder::install`] and
    /// [`Builder::layer`].
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
        let parts = self.pipeline()?;
        let layer = export_layer(&parts.guard);
        let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(layer));
        if let Some(scoring) = &parts.scoring {
            scoring.set_dispatch(&dispatch);
        }
        Ok((dispatch, parts.guard))
    }

    /// The exporters behind their queues, the tail sampler, the scoring stage, the providers
    /// and the guard.
    fn pipeline(self) -> Result<Parts, InitError> {
        let counters = Arc::new(Counters::default());
        let mut pending = self.exporters;
        let mut whole_traces = false;
        let timeout = self.otlp_timeouts.traces;
        if let Some(protocol) = self.otlp {
            let to = Destination {
                endpoint: self.endpoint.clone(),
                preset: None,
                timeout,
            };
            pending.push(Pending::new("OTLP", span_exporter(protocol, to)?));
        }
        if let Some(backend) = &self.backend {
            let to = Destination {
                endpoint: None,
                preset: Some((backend.traces_url(), backend.headers())),
                timeout,
            };
            pending.push(Pending::new(
                backend.name(),
                span_exporter(backend.protocol(), to)?,
            ));
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
        let metrics_to = Destination {
            endpoint: self.endpoint.clone(),
            preset: None,
            timeout: self.otlp_timeouts.metrics,
        };
        let meters = meter_provider(self.metric_readers, otlp_metrics, metrics_to, &resource)?;
        let provider = builder.with_resource(resource).build();
        let guard = TracingGuard::new(provider, meters, counters, self.shutdown_timeout, exporters);
        Ok(Parts { guard, scoring })
    }
}

/// A built pipeline: its guard (holding the providers) and its scoring stage, if any.
struct Parts {
    guard: TracingGuard,
    scoring: Option<Arc<Scoring>>,
}

/// What [`Builder::install`] and [`Builder::layer`] set process-wide besides the subscriber.
struct Globals {
    capture: Option<crate::capture::CapturePolicy>,
    record: Option<bool>,
    /// Nothing exports: said once on stderr.
    nowhere: bool,
}

impl Globals {
    fn take(builder: &mut Builder) -> Self {
        Self {
            nowhere: !builder.exports(),
            capture: builder.capture.take(),
            record: builder.record.take(),
        }
    }

    fn apply(self, guard: &mut TracingGuard) {
        guard.watch_global_filter();
        if let Some(policy) = self.capture {
            set_content_capture(policy);
        }
        if let Some(on) = self.record {
            set_recording(on);
        }
        opentelemetry::global::set_tracer_provider(guard.provider().clone());
        opentelemetry::global::set_text_map_propagator(w3c());
        if let Some(meters) = guard.meter_provider() {
            opentelemetry::global::set_meter_provider(meters.clone());
            crate::metrics::use_meter(&meters.meter("genai-tracing"));
        }
        install_counters(guard.counters());
        // Here rather than in the first priced model call (tens of milliseconds).
        crate::cost::preload();
        if self.nowhere {
            eprintln!("{NOWHERE}");
        }
    }
}

/// What [`Builder::install`] says when nothing exports.
const NOWHERE: &str = "genai-tracing: no exporter is configured, so spans go nowhere. \
    Set OTEL_EXPORTER_OTLP_ENDPOINT (e.g. http://127.0.0.1:4318: a collector, Jaeger, Phoenix), \
    GENAI_TRACING_BACKEND (phoenix, langfuse, langsmith or mlflow), \
    GENAI_TRACING_FILE=traces.jsonl (then `genai-trace view traces.jsonl`) \
    or GENAI_TRACING_CONSOLE=true.";

/// [`otlp::span_exporter`], refused for gRPC outside a multi-thread Tokio runtime (see
/// [`otlp::grpc_runtime`]).
fn span_exporter(protocol: OtlpProtocol, to: Destination) -> Result<otlp::SpanExporter, InitError> {
    if protocol == OtlpProtocol::Grpc
        && protocol.missing_feature().is_none()
        && !otlp::grpc_runtime()
    {
        return Err(InitError::GrpcNeedsTokio);
    }
    Ok(otlp::span_exporter(protocol, to)?)
}

/// The meter provider: the readers given, plus OTLP metrics export next to OTLP traces (the
/// platform presets take traces only). `None` when there is nothing to read the metrics.
fn meter_provider(
    readers: Vec<Box<dyn FnOnce(MeterProviderBuilder) -> MeterProviderBuilder>>,
    otlp: Option<OtlpProtocol>,
    to: Destination,
    resource: &Resource,
) -> Result<Option<SdkMeterProvider>, InitError> {
    if readers.is_empty() && otlp.is_none() {
        return Ok(None);
    }
    let mut builder = SdkMeterProvider::builder().with_resource(resource.clone());
    for reader in readers {
        builder = reader(builder);
    }
    #[cfg(any(feature = "otlp-http", feature = "otlp-grpc"))]
    if let Some(protocol) = otlp {
        let exporter = otlp::metric_exporter(protocol, to)?;
        builder = builder.with_reader(PeriodicReader::builder(exporter).build());
    }
    // No OTLP protocol built in: the span exporter has refused the configuration already.
    #[cfg(not(any(feature = "otlp-http", feature = "otlp-grpc")))]
    let _ = (otlp, to);
    Ok(Some(builder.build()))
}

/// The layer that turns spans into the pipeline's spans (INFO and above, see [`export_filter`]),
/// warning once about spans that start after the guard shut the pipeline down.
fn export_layer<S>(guard: &TracingGuard) -> impl Layer<S> + Send + Sync + 'static
where
    S: tracing::Subscriber + for<'span> LookupSpan<'span> + Send + Sync,
{
    spans_of(guard.provider(), Some(guard.after_shutdown()))
}

/// `provider`'s layer, filtered, and `after` (the guard's watch for late spans) beside it.
fn spans_of<S>(
    provider: &SdkTracerProvider,
    after: Option<AfterShutdown>,
) -> impl Layer<S> + Send + Sync + 'static
where
    S: tracing::Subscriber + for<'span> LookupSpan<'span> + Send + Sync,
{
    let layer = tracing_opentelemetry::layer()
        .with_tracer(provider.tracer("genai-tracing"))
        .with_location(false)
        .with_threads(false)
        .with_tracked_inactivity(false);
    layer.and_then(after).with_filter(export_filter())
}

/// The subscriber of `provider` alone, for spans made on the pipeline's behalf (an eval run's).
#[cfg(feature = "eval")]
pub(crate) fn subscriber(provider: &SdkTracerProvider) -> impl tracing::Subscriber + Send + Sync {
    tracing_subscriber::registry().with(spans_of(provider, None))
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
