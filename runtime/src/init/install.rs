//! Installing a [`Builder`]: the exporters behind their queues, the tail sampler and the scoring
//! stage as one span processor, the tracer and meter providers, and the `tracing` subscriber that
//! feeds them; globally ([`Builder::install`]) or not ([`Builder::build`]).

use std::sync::Arc;

use opentelemetry::metrics::MeterProvider as _;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::metrics::{MeterProviderBuilder, PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::trace::SdkTracerProvider;
use opentelemetry_sdk::Resource;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::Layer as _;

use super::builder::{Builder, Pending};
use super::error::InitError;
use super::guard::TracingGuard;
use crate::capture::set_content_capture;
use crate::context::propagation::w3c;
use crate::export::otlp::{self, OtlpProtocol};
use crate::export::{
    install_counters, Counters, FileExporter, Pipeline, Scoring, Stages, TailSampler, TailSampling,
};
use crate::replay::set_recording;

impl Builder {
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
        opentelemetry::global::set_tracer_provider(guard.provider().clone());
        opentelemetry::global::set_text_map_propagator(w3c());
        if let Some(meters) = guard.meter_provider() {
            opentelemetry::global::set_meter_provider(meters.clone());
            crate::metrics::use_meter(&meters.meter("genai-tracing"));
        }
        install_counters(guard.counters());
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
            let exporter = span_exporter(protocol, self.endpoint.as_deref(), None)?;
            pending.push(Pending::new("OTLP", exporter));
        }
        if let Some(backend) = &self.backend {
            let preset = (backend.traces_url(), backend.headers());
            let exporter = span_exporter(backend.protocol(), None, Some(preset))?;
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
        let guard = TracingGuard::new(provider, meters, counters, self.shutdown_timeout, exporters);
        let dispatch = tracing::Dispatch::new(subscriber);
        if let Some(scoring) = &scoring {
            scoring.set_dispatch(&dispatch);
        }
        Ok((dispatch, guard))
    }
}
/// [`otlp::span_exporter`], refused for gRPC outside a multi-thread Tokio runtime (see
/// [`otlp::grpc_runtime`]).
fn span_exporter(
    protocol: OtlpProtocol,
    endpoint: Option<&str>,
    preset: Option<otlp::Preset>,
) -> Result<opentelemetry_otlp::SpanExporter, InitError> {
    if protocol == OtlpProtocol::Grpc && !otlp::grpc_runtime() {
        return Err(InitError::GrpcNeedsTokio);
    }
    Ok(otlp::span_exporter(protocol, endpoint, preset)?)
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
        let exporter = otlp::metric_exporter(protocol, endpoint)?;
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
