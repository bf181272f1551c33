//! Why setting tracing up failed: every bad value names the variable it came from.

use crate::capture::{InvalidAttributeLimit, InvalidCapturePolicy};
use crate::cost::{PriceFileError, PRICES_ENV};
use crate::export::otlp::SetupError;
use crate::export::{BackendError, OtlpProtocol, TlsError};

/// Why [`init`](crate::init) or [`Builder::install`](crate::Builder::install) failed.
///
/// ```
/// std::env::set_var("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318");
/// std::env::set_var("OTEL_EXPORTER_OTLP_PROTOCOL", "http/xml");
/// let err = genai_tracing::Builder::from_env().unwrap_err();
/// assert!(matches!(err, genai_tracing::InitError::InvalidProtocol { .. }));
/// ```
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// Scorers were given ([`Builder::score`](crate::Builder::score)) but no exporter: the scores would go nowhere.
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
    Backend(#[from] BackendError),
    /// The OTLP exporter could not be built (bad endpoint, bad headers, …).
    #[cfg(any(feature = "otlp-http", feature = "otlp-grpc"))]
    #[error("cannot build the OTLP exporter: {0}")]
    Exporter(#[from] opentelemetry_otlp::ExporterBuildError),
    /// OTLP export is configured with a protocol this build lacks (see the crate's features).
    #[error(
        "OTLP over {protocol} is not built in: turn on the `{feature}` feature of genai-tracing"
    )]
    ProtocolNotBuilt {
        /// The protocol asked for.
        protocol: OtlpProtocol,
        /// The feature that builds it in.
        feature: &'static str,
    },
    /// The TLS settings of the environment (`OTEL_EXPORTER_OTLP_CERTIFICATE`, the client
    /// certificate and key) cannot be used.
    #[error(transparent)]
    Tls(#[from] TlsError),
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
    #[error("{var}: {0}", var = PRICES_ENV)]
    Prices(#[from] PriceFileError),
    /// A global `tracing` subscriber is already installed.
    #[error("a global tracing subscriber is already installed: add tracing_opentelemetry's layer to it instead")]
    SubscriberAlreadySet(#[from] tracing::dispatcher::SetGlobalDefaultError),
}

impl From<SetupError> for InitError {
    fn from(err: SetupError) -> Self {
        match err {
            SetupError::NotBuilt { protocol, feature } => {
                Self::ProtocolNotBuilt { protocol, feature }
            }
            SetupError::Tls(err) => Self::Tls(err),
            #[cfg(any(feature = "otlp-http", feature = "otlp-grpc"))]
            SetupError::Build(err) => Self::Exporter(err),
        }
    }
}
