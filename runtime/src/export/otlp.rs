//! OTLP: the protocols spans and metrics leave the process by, and the OTLP exporters of each, to
//! an endpoint set in code, the environment's (`OTEL_EXPORTER_OTLP_*`), or a platform preset's
//! URL with its headers.

use std::collections::HashMap;

use opentelemetry_otlp::{ExporterBuildError, Protocol, WithExportConfig, WithHttpConfig};

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
}

/// A platform preset's traces URL and headers (see [`Backend`](super::Backend)).
pub(crate) type Preset = (String, Vec<(String, String)>);

/// The OTLP span exporter for `protocol`: to `endpoint` (a base URL) or the environment's, or to
/// a preset's URL with its headers. gRPC needs a multi-thread Tokio runtime (see
/// [`grpc_runtime`]).
pub(crate) fn span_exporter(
    protocol: OtlpProtocol,
    endpoint: Option<&str>,
    preset: Option<Preset>,
) -> Result<opentelemetry_otlp::SpanExporter, ExporterBuildError> {
    let builder = opentelemetry_otlp::SpanExporter::builder();
    let (traces_url, headers): (Option<String>, HashMap<String, String>) = match preset {
        Some((url, headers)) => (Some(url), headers.into_iter().collect()),
        None => (
            endpoint.map(|base| signal_url(base, "traces")),
            HashMap::new(),
        ),
    };
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
            let grpc = builder.with_tonic().with_protocol(Protocol::Grpc);
            sent_to(grpc, endpoint.map(str::to_owned)).build()?
        }
    };
    Ok(exporter)
}

/// The OTLP metric exporter for `protocol`, to `endpoint` (a base URL) or the environment's.
pub(crate) fn metric_exporter(
    protocol: OtlpProtocol,
    endpoint: Option<&str>,
) -> Result<opentelemetry_otlp::MetricExporter, ExporterBuildError> {
    let metrics = opentelemetry_otlp::MetricExporter::builder();
    let http = |format: Protocol| {
        let http = metrics.clone().with_http().with_protocol(format);
        sent_to(http, endpoint.map(|base| signal_url(base, "metrics")))
    };
    Ok(match protocol {
        OtlpProtocol::HttpProtobuf => http(Protocol::HttpBinary).build()?,
        OtlpProtocol::HttpJson => http(Protocol::HttpJson).build()?,
        OtlpProtocol::Grpc => {
            let grpc = metrics.with_tonic().with_protocol(Protocol::Grpc);
            sent_to(grpc, endpoint.map(str::to_owned)).build()?
        }
    })
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
