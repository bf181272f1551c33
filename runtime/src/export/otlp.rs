//! OTLP: the protocols spans and metrics leave the process by, and the OTLP exporters of each, to
//! an endpoint set in code, the environment's (`OTEL_EXPORTER_OTLP_*`), or a platform preset's
//! URL with its headers, over the connections of `transport.rs` (TLS, the certificate
//! variables). Each protocol is built in by a cargo feature: `otlp-http` (on by default),
//! `otlp-json`, `otlp-grpc`.

use std::time::Duration;

#[cfg(feature = "otlp-http")]
use opentelemetry_otlp::WithHttpConfig;
#[cfg(feature = "otlp-grpc")]
use opentelemetry_otlp::WithTonicConfig;
#[cfg(any(feature = "otlp-http", feature = "otlp-grpc"))]
use opentelemetry_otlp::{ExporterBuildError, Protocol, WithExportConfig};

use super::transport::{TlsError, TlsFiles};

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
    /// use genai_tracing::export::OtlpProtocol;
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

    /// The cargo feature of `genai-tracing` that builds this protocol in, when this build lacks
    /// it.
    ///
    /// ```
    /// use genai_tracing::export::OtlpProtocol;
    /// // The default features build OTLP/HTTP with protobuf in.
    /// assert_eq!(OtlpProtocol::HttpProtobuf.missing_feature(), None);
    /// ```
    pub fn missing_feature(self) -> Option<&'static str> {
        let (built, feature) = match self {
            Self::HttpProtobuf => (cfg!(feature = "otlp-http"), "otlp-http"),
            Self::HttpJson => (cfg!(feature = "otlp-json"), "otlp-json"),
            Self::Grpc => (cfg!(feature = "otlp-grpc"), "otlp-grpc"),
        };
        (!built).then_some(feature)
    }

    /// The value of `OTEL_EXPORTER_OTLP_PROTOCOL` that names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::HttpProtobuf => "http/protobuf",
            Self::HttpJson => "http/json",
            Self::Grpc => "grpc",
        }
    }
}

impl std::fmt::Display for OtlpProtocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A platform preset's traces URL and headers (see [`Backend`](super::Backend)).
pub(crate) type Preset = (String, Vec<(String, String)>);

/// Why an OTLP exporter could not be built.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SetupError {
    /// This build lacks the protocol's feature.
    #[error(
        "OTLP over {protocol} is not built in: turn on the `{feature}` feature of genai-tracing"
    )]
    NotBuilt {
        protocol: OtlpProtocol,
        feature: &'static str,
    },
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[cfg(any(feature = "otlp-http", feature = "otlp-grpc"))]
    #[error(transparent)]
    Build(#[from] ExporterBuildError),
}

/// Where and how one signal is exported: the URL set in code or by a preset (else the
/// environment's), the preset's headers, and the request timeout.
#[cfg_attr(
    not(any(feature = "otlp-http", feature = "otlp-grpc")),
    allow(dead_code)
)]
pub(crate) struct Destination {
    /// A base URL set in code (the HTTP protocols append the signal's path).
    pub(crate) endpoint: Option<String>,
    /// A preset's URL and headers (the presets speak OTLP/HTTP only).
    #[cfg_attr(not(feature = "otlp-http"), allow(dead_code))]
    pub(crate) preset: Option<Preset>,
    pub(crate) timeout: Duration,
}

/// The OTLP span exporter of this build.
#[cfg(feature = "otlp-http")]
pub(crate) type SpanExporter = super::transport::Explained<opentelemetry_otlp::SpanExporter>;
/// The OTLP span exporter of this build.
#[cfg(all(feature = "otlp-grpc", not(feature = "otlp-http")))]
pub(crate) type SpanExporter = opentelemetry_otlp::SpanExporter;
/// No OTLP protocol is built in: [`span_exporter`] always says which feature to turn on.
#[cfg(not(any(feature = "otlp-http", feature = "otlp-grpc")))]
#[derive(Debug)]
pub(crate) enum SpanExporter {}

#[cfg(not(any(feature = "otlp-http", feature = "otlp-grpc")))]
impl opentelemetry_sdk::trace::SpanExporter for SpanExporter {
    async fn export(
        &self,
        _: Vec<opentelemetry_sdk::trace::SpanData>,
    ) -> opentelemetry_sdk::error::OTelSdkResult {
        match *self {}
    }
}

/// The OTLP span exporter for `protocol`, to `to`. gRPC needs a multi-thread Tokio runtime (see
/// [`grpc_runtime`]).
pub(crate) fn span_exporter(
    protocol: OtlpProtocol,
    to: Destination,
) -> Result<SpanExporter, SetupError> {
    if let Some(feature) = protocol.missing_feature() {
        return Err(SetupError::NotBuilt { protocol, feature });
    }
    let tls = TlsFiles::from_env("TRACES")?;
    build_span_exporter(protocol, to, tls)
}

#[cfg(any(feature = "otlp-http", feature = "otlp-grpc"))]
fn build_span_exporter(
    protocol: OtlpProtocol,
    to: Destination,
    tls: TlsFiles,
) -> Result<SpanExporter, SetupError> {
    let builder = opentelemetry_otlp::SpanExporter::builder();
    match protocol {
        #[cfg(feature = "otlp-grpc")]
        OtlpProtocol::Grpc => {
            let exporter = over_grpc(builder.with_tonic(), to, &tls)?.build()?;
            #[cfg(feature = "otlp-http")]
            let exporter = super::transport::explained(exporter, None);
            Ok(exporter)
        }
        #[cfg(feature = "otlp-http")]
        http_protocol => {
            let transport = super::transport::HttpTransport::new(&tls, to.timeout)?;
            let http = over_http(builder.with_http(), http_protocol, to, "traces", &transport);
            Ok(super::transport::explained(http.build()?, Some(transport)))
        }
        #[cfg(not(feature = "otlp-http"))]
        _ => unreachable!("missing_feature() refused {protocol}"),
    }
}

#[cfg(not(any(feature = "otlp-http", feature = "otlp-grpc")))]
fn build_span_exporter(
    protocol: OtlpProtocol,
    _: Destination,
    _: TlsFiles,
) -> Result<SpanExporter, SetupError> {
    unreachable!("missing_feature() refused {protocol}")
}

/// The OTLP metric exporter for `protocol`, to `to`.
#[cfg(any(feature = "otlp-http", feature = "otlp-grpc"))]
pub(crate) fn metric_exporter(
    protocol: OtlpProtocol,
    to: Destination,
) -> Result<opentelemetry_otlp::MetricExporter, SetupError> {
    if let Some(feature) = protocol.missing_feature() {
        return Err(SetupError::NotBuilt { protocol, feature });
    }
    let tls = TlsFiles::from_env("METRICS")?;
    let metrics = opentelemetry_otlp::MetricExporter::builder();
    Ok(match protocol {
        #[cfg(feature = "otlp-grpc")]
        OtlpProtocol::Grpc => over_grpc(metrics.with_tonic(), to, &tls)?.build()?,
        #[cfg(feature = "otlp-http")]
        http_protocol => {
            let transport = super::transport::HttpTransport::new(&tls, to.timeout)?;
            over_http(
                metrics.with_http(),
                http_protocol,
                to,
                "metrics",
                &transport,
            )
            .build()?
        }
        #[cfg(not(feature = "otlp-http"))]
        _ => unreachable!("missing_feature() refused {protocol}"),
    })
}

/// A gRPC exporter builder (spans or metrics) sent to `to`, with the TLS settings of `tls`.
#[cfg(feature = "otlp-grpc")]
fn over_grpc<B: WithExportConfig + WithTonicConfig>(
    builder: B,
    to: Destination,
    tls: &TlsFiles,
) -> Result<B, SetupError> {
    let mut grpc = builder
        .with_protocol(Protocol::Grpc)
        .with_timeout(to.timeout);
    if let Some(config) = tls.grpc()? {
        grpc = grpc.with_tls_config(config);
    }
    Ok(sent_to(grpc, to.endpoint))
}

/// An HTTP exporter builder (spans or metrics) for `protocol` through `transport`, sent to
/// `to`: a preset's URL and headers, else the `signal`'s path under a base URL set in code, else
/// where the environment says.
#[cfg(feature = "otlp-http")]
fn over_http<B: WithExportConfig + WithHttpConfig>(
    builder: B,
    protocol: OtlpProtocol,
    to: Destination,
    signal: &str,
    transport: &super::transport::HttpTransport,
) -> B {
    let (url, headers) = match to.preset {
        Some((url, headers)) => (Some(url), headers.into_iter().collect()),
        None => (
            to.endpoint.map(|base| signal_url(&base, signal)),
            std::collections::HashMap::new(),
        ),
    };
    let http = builder
        .with_protocol(http_format(protocol))
        .with_timeout(to.timeout)
        .with_http_client(transport.clone())
        .with_headers(headers);
    sent_to(http, url)
}

/// The SDK's body format of an HTTP protocol.
#[cfg(feature = "otlp-http")]
fn http_format(protocol: OtlpProtocol) -> Protocol {
    match protocol {
        #[cfg(feature = "otlp-json")]
        OtlpProtocol::HttpJson => Protocol::HttpJson,
        _ => Protocol::HttpBinary,
    }
}

/// Whether gRPC export can run here: tonic's channel runs as a task of the runtime it was built
/// in, while the export worker exports from its own thread, so only a multi-thread Tokio runtime
/// (alive as long as the pipeline) keeps serving it.
pub(crate) fn grpc_runtime() -> bool {
    matches!(
        tokio::runtime::Handle::try_current(),
        Ok(h) if h.runtime_flavor() != tokio::runtime::RuntimeFlavor::CurrentThread
    )
}

/// An exporter builder sent to `url` if one is set in code, else where the environment says.
#[cfg(any(feature = "otlp-http", feature = "otlp-grpc"))]
fn sent_to<B: WithExportConfig>(builder: B, url: Option<String>) -> B {
    match url {
        Some(url) => builder.with_endpoint(url),
        None => builder,
    }
}

/// The OTLP/HTTP URL of `signal` (`traces`, `metrics`) under a base URL set in code: the SDK
/// appends the signal's path to the environment's base URL only.
#[cfg(feature = "otlp-http")]
fn signal_url(base: &str, signal: &str) -> String {
    format!("{}/v1/{signal}", base.trim_end_matches('/'))
}
