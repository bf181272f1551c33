//! The connections OTLP exports over: TLS with the platform's root certificates, plus the CA
//! named by `OTEL_EXPORTER_OTLP_CERTIFICATE` (a private CA) and the client certificate and key
//! of `OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE` / `OTEL_EXPORTER_OTLP_CLIENT_KEY` (mTLS), each also
//! per signal (`OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE`, …), which opentelemetry-otlp does not
//! read itself; and why an HTTP export failed, to its last cause (opentelemetry-otlp reports
//! every transport failure as "network error").
// Without an OTLP protocol built in, the settings are read by nothing.
#![cfg_attr(
    not(any(feature = "otlp-http", feature = "otlp-grpc")),
    allow(dead_code)
)]

use std::path::PathBuf;

/// Why the TLS settings of the environment cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A certificate or key file cannot be read.
    #[error("{var}: cannot read {}: {source}", path.display())]
    Read {
        /// The variable naming the file.
        var: String,
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A certificate or key file holds no usable PEM.
    #[error("{var}: {} is not a PEM {what}: {reason}", path.display())]
    Invalid {
        /// The variable naming the file.
        var: String,
        /// The file.
        path: PathBuf,
        /// What it should hold.
        what: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// Only one of the client certificate and the client key is set.
    #[error(
        "{set} is set but {missing} is not: mTLS needs both the client certificate and its key"
    )]
    HalfIdentity {
        /// The variable set.
        set: String,
        /// The variable missing.
        missing: String,
    },
    /// The HTTP client cannot be built with these settings.
    #[error("cannot build the OTLP HTTP client: {0}")]
    Client(String),
}

/// A PEM file named by a variable.
#[derive(Debug, Clone)]
pub(crate) struct PemFile {
    var: String,
    path: PathBuf,
    pem: Vec<u8>,
}

impl PemFile {
    #[cfg(any(feature = "otlp-http", feature = "otlp-grpc"))]
    fn invalid(&self, what: &'static str, reason: impl ToString) -> TlsError {
        TlsError::Invalid {
            var: self.var.clone(),
            path: self.path.clone(),
            what,
            reason: reason.to_string(),
        }
    }
}

/// The TLS settings of one signal's OTLP export, read from the environment.
#[derive(Debug, Clone, Default)]
pub(crate) struct TlsFiles {
    /// CA certificates trusted besides the platform's.
    ca: Option<PemFile>,
    /// The client certificate chain and its key.
    identity: Option<(PemFile, PemFile)>,
}

impl TlsFiles {
    /// Reads `OTEL_EXPORTER_OTLP_{signal}_CERTIFICATE` (else `OTEL_EXPORTER_OTLP_CERTIFICATE`)
    /// and the client certificate and key variables alike; `signal` is `TRACES` or `METRICS`.
    pub(crate) fn from_env(signal: &str) -> Result<Self, TlsError> {
        let read = |name: &str| -> Result<Option<PemFile>, TlsError> {
            let specific = format!("OTEL_EXPORTER_OTLP_{signal}_{name}");
            let generic = format!("OTEL_EXPORTER_OTLP_{name}");
            let Some((var, path)) = [specific, generic].into_iter().find_map(|var| {
                let path = std::env::var_os(&var).filter(|v| !v.is_empty())?;
                Some((var, PathBuf::from(path)))
            }) else {
                return Ok(None);
            };
            match std::fs::read(&path) {
                Ok(pem) => Ok(Some(PemFile { var, path, pem })),
                Err(source) => Err(TlsError::Read { var, path, source }),
            }
        };
        let ca = read("CERTIFICATE")?;
        let identity = match (read("CLIENT_CERTIFICATE")?, read("CLIENT_KEY")?) {
            (Some(cert), Some(key)) => Some((cert, key)),
            (None, None) => None,
            (Some(set), None) => return Err(half(set, signal, "CLIENT_KEY")),
            (None, Some(set)) => return Err(half(set, signal, "CLIENT_CERTIFICATE")),
        };
        Ok(Self { ca, identity })
    }
}

fn half(set: PemFile, signal: &str, missing: &str) -> TlsError {
    TlsError::HalfIdentity {
        set: set.var,
        missing: format!("OTEL_EXPORTER_OTLP_{missing} (or OTEL_EXPORTER_OTLP_{signal}_{missing})"),
    }
}

#[cfg(feature = "otlp-http")]
pub(crate) use http::{explained, Explained, HttpTransport};

#[cfg(feature = "otlp-http")]
mod http {
    use std::sync::{Arc, Mutex, PoisonError};
    use std::time::Duration;

    use bytes::Bytes;
    use opentelemetry_http::{HttpClient, HttpError, Request, Response};
    use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
    use opentelemetry_sdk::trace::{SpanData, SpanExporter};
    use opentelemetry_sdk::Resource;

    use super::{cause_chain, TlsError, TlsFiles};

    /// The blocking HTTP client OTLP/HTTP exports through (rustls, the platform's roots plus
    /// the environment's CA and client certificate), remembering why its last request failed.
    #[derive(Debug, Clone)]
    pub(crate) struct HttpTransport {
        client: reqwest::blocking::Client,
        last_failure: Arc<Mutex<Option<String>>>,
    }

    impl HttpTransport {
        /// The client for `tls`, with requests timing out after `timeout`.
        pub(crate) fn new(tls: &TlsFiles, timeout: Duration) -> Result<Self, TlsError> {
            let mut builder = reqwest::blocking::Client::builder().timeout(timeout);
            if let Some(ca) = &tls.ca {
                let certs = reqwest::Certificate::from_pem_bundle(&ca.pem)
                    .map_err(|e| ca.invalid("certificate", cause_chain(&e)))?;
                if certs.is_empty() {
                    return Err(ca.invalid("certificate", "no certificate in it"));
                }
                builder = builder.tls_certs_merge(certs);
            }
            if let Some((cert, key)) = &tls.identity {
                let mut pem = cert.pem.clone();
                pem.push(b'\n');
                pem.extend_from_slice(&key.pem);
                let identity = reqwest::Identity::from_pem(&pem)
                    .map_err(|e| key.invalid("certificate and key", cause_chain(&e)))?;
                builder = builder.identity(identity);
            }
            // A blocking client cannot be built (or dropped) on a thread of an async runtime.
            let client = std::thread::scope(|s| s.spawn(|| builder.build()).join())
                .map_err(|_| TlsError::Client("building the client panicked".into()))?
                .map_err(|e| TlsError::Client(cause_chain(&e)))?;
            Ok(Self {
                client,
                last_failure: Arc::default(),
            })
        }

        fn take_failure(&self) -> Option<String> {
            self.last_failure
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take()
        }
    }

    #[async_trait::async_trait]
    impl HttpClient for HttpTransport {
        async fn send_bytes(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
            let sent = self.client.send_bytes(request).await;
            if let Err(err) = &sent {
                *self
                    .last_failure
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) = Some(cause_chain(err.as_ref()));
            }
            sent
        }
    }

    /// `exporter`, whose failures name the last cause of `transport`'s (gRPC: `None`, its
    /// errors are explicit already).
    pub(crate) fn explained<E: SpanExporter>(
        exporter: E,
        transport: Option<HttpTransport>,
    ) -> Explained<E> {
        Explained {
            exporter,
            transport,
        }
    }

    /// An OTLP/HTTP span exporter whose errors say why the request failed ("network error:
    /// invalid peer certificate: UnknownIssuer", not "network error").
    #[derive(Debug)]
    pub(crate) struct Explained<E> {
        exporter: E,
        transport: Option<HttpTransport>,
    }

    impl<E: SpanExporter> SpanExporter for Explained<E> {
        async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
            let failure = || {
                self.transport
                    .as_ref()
                    .and_then(HttpTransport::take_failure)
            };
            failure();
            let result = self.exporter.export(batch).await;
            match (result, failure()) {
                (Err(OTelSdkError::InternalFailure(what)), Some(cause)) => {
                    Err(OTelSdkError::InternalFailure(format!("{what}: {cause}")))
                }
                (result, _) => result,
            }
        }

        fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
            self.exporter.shutdown_with_timeout(timeout)
        }

        fn force_flush(&self) -> OTelSdkResult {
            self.exporter.force_flush()
        }

        fn set_resource(&mut self, resource: &Resource) {
            self.exporter.set_resource(resource);
        }
    }
}

#[cfg(feature = "otlp-grpc")]
impl TlsFiles {
    /// The gRPC channel's TLS settings: the platform's roots, the CA and the client identity;
    /// `None` when the environment sets none (tonic then uses its defaults for `https://`).
    pub(crate) fn grpc(&self) -> Result<Option<tonic::transport::ClientTlsConfig>, TlsError> {
        use tonic::transport::{Certificate, ClientTlsConfig, Identity};
        if self.ca.is_none() && self.identity.is_none() {
            return Ok(None);
        }
        let mut config = ClientTlsConfig::new().with_enabled_roots();
        if let Some(ca) = &self.ca {
            if !String::from_utf8_lossy(&ca.pem).contains("-----BEGIN CERTIFICATE-----") {
                return Err(ca.invalid("certificate", "no certificate in it"));
            }
            config = config.ca_certificate(Certificate::from_pem(&ca.pem));
        }
        if let Some((cert, key)) = &self.identity {
            config = config.identity(Identity::from_pem(&cert.pem, &key.pem));
        }
        Ok(Some(config))
    }
}

/// `err` and its sources, each once: "error sending request: client error (Connect): invalid
/// peer certificate: UnknownIssuer".
#[cfg(feature = "otlp-http")]
fn cause_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(all(test, feature = "otlp-http"))]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] Inner);
    #[derive(Debug, thiserror::Error)]
    #[error("inner: {0}")]
    struct Inner(&'static str);

    #[test]
    fn the_cause_chain_names_each_cause_once() {
        assert_eq!(cause_chain(&Outer(Inner("why"))), "outer: inner: why");
        assert_eq!(cause_chain(&Inner("why")), "inner: why");
    }
}
