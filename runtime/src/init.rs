//! One-line setup: OTLP export from the standard environment, a `tracing` subscriber, a flush guard.
//!
//! Optional: under any `tracing_subscriber::registry().with(tracing_opentelemetry::layer()
//! .with_tracer(..))` the macros' spans come out the same. [`init`] is the convenience: it reads
//! `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`),
//! `OTEL_EXPORTER_OTLP_PROTOCOL` (`http/protobuf`, the default, `http/json` or `grpc`),
//! `OTEL_SERVICE_NAME` and the exporter's other standard variables (headers, timeout,
//! compression), and exports on a background batch worker so the instrumented code never waits.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{Protocol, WithExportConfig};
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanProcessor, TracerProviderBuilder};
use opentelemetry_sdk::Resource;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::Layer as _;

use crate::capture::{
    set_content_capture, CaptureLimits, CapturePolicy, InvalidAttributeLimit, InvalidCapturePolicy,
};

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
    /// `OTEL_EXPORTER_OTLP_PROTOCOL` (or `_TRACES_PROTOCOL`) holds an unknown value.
    #[error("unsupported {var} value {value:?}: expected http/protobuf, http/json or grpc")]
    InvalidProtocol {
        /// The variable read.
        var: &'static str,
        /// What it held.
        value: String,
    },
    /// `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT` holds an unknown value.
    #[error(transparent)]
    InvalidCapturePolicy(#[from] InvalidCapturePolicy),
    /// `OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT` is not a positive number.
    #[error(transparent)]
    InvalidAttributeLimit(#[from] InvalidAttributeLimit),
    /// The OTLP exporter could not be built (bad endpoint, bad headers, …).
    #[error("cannot build the OTLP exporter: {0}")]
    Exporter(#[from] opentelemetry_otlp::ExporterBuildError),
    /// gRPC export needs a multi-thread Tokio runtime, alive until the guard is dropped.
    #[error("OTLP over grpc needs a running multi-thread Tokio runtime: call init() inside one, or use http/protobuf")]
    GrpcNeedsTokio,
    /// The price file named by `GENAI_TRACING_PRICES` cannot be used.
    #[error("{var}: {0}", var = crate::cost::PRICES_ENV)]
    Prices(#[from] crate::cost::PriceFileError),
    /// A global `tracing` subscriber is already installed.
    #[error("a global tracing subscriber is already installed: add tracing_opentelemetry's layer to it instead")]
    SubscriberAlreadySet(#[from] tracing_subscriber::util::TryInitError),
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
/// ```no_run
/// let _guard = genai_tracing::Builder::from_env()?
///     .service_name("researcher")
///     .install()?;
/// # Ok::<(), genai_tracing::InitError>(())
/// ```
pub struct Builder {
    service_name: Option<String>,
    otlp: Option<OtlpProtocol>,
    endpoint: Option<String>,
    capture: Option<CapturePolicy>,
    processors: TracerProviderBuilder,
}

impl std::fmt::Debug for Builder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Builder")
            .field("service_name", &self.service_name)
            .field("otlp", &self.otlp)
            .field("endpoint", &self.endpoint)
            .field("capture", &self.capture)
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

impl Builder {
    /// Reads the standard environment. OTLP export is on when an endpoint variable is set and
    /// not empty; otherwise nothing is exported until a processor is added. The capture variable
    /// is validated here (and applied on first use, see [`captures_content`](crate::captures_content)).
    /// The price file named by `GENAI_TRACING_PRICES`, if any, is read here (see [`crate::cost`]).
    pub fn from_env() -> Result<Self, InitError> {
        CapturePolicy::from_env()?;
        CaptureLimits::from_env()?;
        crate::cost::load_from_env()?;
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
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
        Ok(Self {
            service_name: None,
            otlp,
            endpoint: None,
            capture: None,
            processors: SdkTracerProvider::builder(),
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

    /// Sets the content capture policy on install (else the environment's, or what
    /// [`set_content_capture`] set).
    pub fn capture(mut self, policy: CapturePolicy) -> Self {
        self.capture = Some(policy);
        self
    }

    /// Adds a span processor, e.g. a `SimpleSpanProcessor` over an in-memory exporter (read it
    /// while the guard lives: dropping the guard shuts the exporters down, and the in-memory one
    /// forgets its spans).
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

    /// Builds the tracer provider and installs it as the global `tracing` subscriber and the
    /// global OpenTelemetry tracer provider. Loads the bundled price data (see
    /// [`crate::cost::preload`]), so that no model call waits for it.
    pub fn install(self) -> Result<TracingGuard, InitError> {
        let mut builder = self.processors;
        if let Some(protocol) = self.otlp {
            builder =
                builder.with_batch_exporter(otlp_exporter(protocol, self.endpoint.as_deref())?);
        }
        let mut resource = Resource::builder();
        if let Some(name) = self.service_name {
            resource = resource.with_service_name(name);
        }
        let provider = builder.with_resource(resource.build()).build();
        let layer = tracing_opentelemetry::layer()
            .with_tracer(provider.tracer("genai-tracing"))
            .with_location(false)
            .with_threads(false)
            .with_tracked_inactivity(false);
        tracing_subscriber::registry()
            .with(layer.with_filter(export_filter()))
            .try_init()?;
        if let Some(policy) = self.capture {
            set_content_capture(policy);
        }
        opentelemetry::global::set_tracer_provider(provider.clone());
        opentelemetry::global::set_text_map_propagator(crate::propagation::w3c());
        // Here rather than in the first priced model call (tens of milliseconds).
        crate::cost::preload();
        Ok(TracingGuard { provider })
    }
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

fn otlp_exporter(
    protocol: OtlpProtocol,
    endpoint: Option<&str>,
) -> Result<opentelemetry_otlp::SpanExporter, InitError> {
    let builder = opentelemetry_otlp::SpanExporter::builder();
    // The env var is a base URL to which the SDK appends the signal's path; an endpoint set in
    // code is taken as given, so append it here.
    let traces_url = endpoint.map(|base| format!("{}/v1/traces", base.trim_end_matches('/')));
    let http = |format: Protocol| {
        let http = builder.clone().with_http().with_protocol(format);
        match &traces_url {
            Some(url) => http.with_endpoint(url.clone()),
            None => http,
        }
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
            match endpoint {
                Some(url) => grpc.with_endpoint(url).build()?,
                None => grpc.build()?,
            }
        }
    };
    Ok(exporter)
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

/// Flushes and shuts the pipeline down when dropped.
///
/// ```no_run
/// let guard = genai_tracing::init()?;
/// // … run the agent …
/// guard.provider().force_flush().ok(); // or just drop the guard at the end of main
/// # Ok::<(), genai_tracing::InitError>(())
/// ```
#[must_use = "dropping the guard shuts tracing down"]
#[derive(Debug)]
pub struct TracingGuard {
    provider: SdkTracerProvider,
}

impl TracingGuard {
    /// The tracer provider, e.g. to force a flush.
    pub fn provider(&self) -> &SdkTracerProvider {
        &self.provider
    }
}

impl Drop for TracingGuard {
    fn drop(&mut self) {
        if let Err(err) = self.provider.shutdown() {
            eprintln!("genai-tracing: shutting the tracer provider down failed: {err}");
        }
    }
}
