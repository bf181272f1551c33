//! Presets for the platforms people send agent traces to: the OTLP traces URL, protocol and
//! headers each expects, from code or from each platform's usual environment variables.
//!
//! Any other OTLP receiver (Jaeger, an OpenTelemetry Collector, Grafana Tempo, …) needs no
//! preset: the standard `OTEL_EXPORTER_OTLP_*` variables configure it.

use base64::Engine as _;

use super::otlp::OtlpProtocol;

/// Where traces go, as a platform names it.
///
/// ```
/// use genai_tracing::export::Backend;
/// let phoenix = Backend::Phoenix {
///     endpoint: "http://127.0.0.1:6006".into(),
///     project: Some("researcher".into()),
///     api_key: None,
/// };
/// assert_eq!(phoenix.traces_url(), "http://127.0.0.1:6006/v1/traces");
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Backend {
    /// Arize Phoenix: `/v1/traces` (protobuf), the project in `x-project-name`.
    Phoenix {
        /// Base URL, e.g. `http://127.0.0.1:6006`.
        endpoint: String,
        /// Project to file the traces under (Phoenix's `default` if none).
        project: Option<String>,
        /// Phoenix Cloud or an authenticated server: sent as a bearer token.
        api_key: Option<String>,
    },
    /// MLflow 3 tracking server: `/v1/traces` with `x-mlflow-experiment-id`.
    Mlflow {
        /// Tracking URI, e.g. `http://127.0.0.1:5000`.
        tracking_uri: String,
        /// Experiment to log the traces to (`0` is the default experiment).
        experiment_id: String,
    },
    /// Langfuse: `/api/public/otel/v1/traces`, basic auth from the project's key pair,
    /// `x-langfuse-ingestion-version: 4`.
    Langfuse {
        /// Base URL, e.g. `https://cloud.langfuse.com`.
        host: String,
        /// `pk-lf-…`
        public_key: String,
        /// `sk-lf-…`
        secret_key: String,
    },
    /// LangSmith: `/otel/v1/traces` with `x-api-key` and the project in `Langsmith-Project`.
    LangSmith {
        /// Base URL, e.g. `https://api.smith.langchain.com`.
        endpoint: String,
        /// `lsv2_…`
        api_key: String,
        /// Project to file the traces under (LangSmith's `default` if none).
        project: Option<String>,
    },
}

impl std::fmt::Debug for Backend {
    /// Names the backend and its URL; keys are never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at {}", self.name(), self.traces_url())
    }
}

/// Why the backend named by `GENAI_TRACING_BACKEND` cannot be configured.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BackendError {
    /// Not one of the presets.
    #[error("unknown {var} value {value:?}: expected phoenix, mlflow, langfuse or langsmith (any other OTLP receiver needs only OTEL_EXPORTER_OTLP_ENDPOINT)", var = BACKEND_ENV)]
    Unknown {
        /// What the variable held.
        value: String,
    },
    /// A variable the backend needs is not set.
    #[error("{backend} needs {var}")]
    Missing {
        /// The backend.
        backend: &'static str,
        /// The variable to set.
        var: &'static str,
    },
}

/// The variable naming a preset: `phoenix`, `mlflow`, `langfuse` or `langsmith`.
pub const BACKEND_ENV: &str = "GENAI_TRACING_BACKEND";

impl Backend {
    /// The backend named by [`BACKEND_ENV`], configured from its platform's variables (`var`
    /// looks one up), or `None` when the variable is unset or empty:
    ///
    /// | backend | variables (default) |
    /// |---|---|
    /// | `phoenix` | `PHOENIX_COLLECTOR_ENDPOINT` (`http://127.0.0.1:6006`), `PHOENIX_PROJECT_NAME`, `PHOENIX_API_KEY` |
    /// | `mlflow` | `MLFLOW_TRACKING_URI` (`http://127.0.0.1:5000`), `MLFLOW_EXPERIMENT_ID` (`0`) |
    /// | `langfuse` | `LANGFUSE_HOST` (`https://cloud.langfuse.com`), `LANGFUSE_PUBLIC_KEY`, `LANGFUSE_SECRET_KEY` (both required) |
    /// | `langsmith` | `LANGSMITH_ENDPOINT` (`https://api.smith.langchain.com`), `LANGSMITH_API_KEY` (required), `LANGSMITH_PROJECT` |
    ///
    /// ```
    /// use genai_tracing::export::Backend;
    /// let env = |name: &str| match name {
    ///     "GENAI_TRACING_BACKEND" => Some("mlflow".to_owned()),
    ///     "MLFLOW_EXPERIMENT_ID" => Some("7".to_owned()),
    ///     _ => None,
    /// };
    /// let mlflow = Backend::from_vars(env).unwrap().unwrap();
    /// assert_eq!(mlflow.headers(), vec![("x-mlflow-experiment-id".to_owned(), "7".to_owned())]);
    /// ```
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, BackendError> {
        let var = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let Some(name) = var(BACKEND_ENV) else {
            return Ok(None);
        };
        let or = |name: &str, default: &str| var(name).unwrap_or_else(|| default.to_owned());
        let required = |backend: &'static str, name: &'static str| {
            var(name).ok_or(BackendError::Missing { backend, var: name })
        };
        let backend = match name.trim().to_ascii_lowercase().as_str() {
            "phoenix" => Self::Phoenix {
                endpoint: or("PHOENIX_COLLECTOR_ENDPOINT", "http://127.0.0.1:6006"),
                project: var("PHOENIX_PROJECT_NAME"),
                api_key: var("PHOENIX_API_KEY"),
            },
            "mlflow" => Self::Mlflow {
                tracking_uri: or("MLFLOW_TRACKING_URI", "http://127.0.0.1:5000"),
                experiment_id: or("MLFLOW_EXPERIMENT_ID", "0"),
            },
            "langfuse" => Self::Langfuse {
                host: or("LANGFUSE_HOST", "https://cloud.langfuse.com"),
                public_key: required("langfuse", "LANGFUSE_PUBLIC_KEY")?,
                secret_key: required("langfuse", "LANGFUSE_SECRET_KEY")?,
            },
            "langsmith" => Self::LangSmith {
                endpoint: or("LANGSMITH_ENDPOINT", "https://api.smith.langchain.com"),
                api_key: required("langsmith", "LANGSMITH_API_KEY")?,
                project: var("LANGSMITH_PROJECT"),
            },
            _ => return Err(BackendError::Unknown { value: name }),
        };
        Ok(Some(backend))
    }

    /// The backend's name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Phoenix { .. } => "Phoenix",
            Self::Mlflow { .. } => "MLflow",
            Self::Langfuse { .. } => "Langfuse",
            Self::LangSmith { .. } => "LangSmith",
        }
    }

    /// The full OTLP/HTTP traces URL.
    pub fn traces_url(&self) -> String {
        let (base, path) = match self {
            Self::Phoenix { endpoint, .. } => (endpoint, "/v1/traces"),
            Self::Mlflow { tracking_uri, .. } => (tracking_uri, "/v1/traces"),
            Self::Langfuse { host, .. } => (host, "/api/public/otel/v1/traces"),
            Self::LangSmith { endpoint, .. } => (endpoint, "/otel/v1/traces"),
        };
        let base = base.trim_end_matches('/');
        if base.ends_with(path) {
            base.to_owned()
        } else {
            format!("{base}{path}")
        }
    }

    /// The protocol: OTLP/HTTP with protobuf bodies, which all four accept (Phoenix only that).
    pub fn protocol(&self) -> OtlpProtocol {
        OtlpProtocol::HttpProtobuf
    }

    /// The headers every export carries.
    pub fn headers(&self) -> Vec<(String, String)> {
        let header = |k: &str, v: &str| (k.to_owned(), v.to_owned());
        match self {
            Self::Phoenix {
                project, api_key, ..
            } => project
                .iter()
                .map(|p| header("x-project-name", p))
                .chain(
                    api_key
                        .iter()
                        .map(|k| header("authorization", &format!("Bearer {k}"))),
                )
                .collect(),
            Self::Mlflow { experiment_id, .. } => {
                vec![header("x-mlflow-experiment-id", experiment_id)]
            }
            Self::Langfuse {
                public_key,
                secret_key,
                ..
            } => {
                let pair = base64::engine::general_purpose::STANDARD
                    .encode(format!("{public_key}:{secret_key}"));
                vec![
                    header("authorization", &format!("Basic {pair}")),
                    header("x-langfuse-ingestion-version", "4"),
                ]
            }
            Self::LangSmith {
                api_key, project, ..
            } => std::iter::once(header("x-api-key", api_key))
                .chain(project.iter().map(|p| header("langsmith-project", p)))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn langfuse_sends_basic_auth_of_its_key_pair_and_the_ingestion_version() {
        let backend = Backend::from_vars(vars(&[
            (BACKEND_ENV, "Langfuse"),
            ("LANGFUSE_HOST", "https://langfuse.example/"),
            ("LANGFUSE_PUBLIC_KEY", "pk-lf-1"),
            ("LANGFUSE_SECRET_KEY", "sk-lf-2"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(
            backend.traces_url(),
            "https://langfuse.example/api/public/otel/v1/traces"
        );
        // base64("pk-lf-1:sk-lf-2")
        assert_eq!(
            backend.headers(),
            vec![
                (
                    "authorization".to_owned(),
                    "Basic cGstbGYtMTpzay1sZi0y".to_owned()
                ),
                ("x-langfuse-ingestion-version".to_owned(), "4".to_owned()),
            ]
        );
        assert!(
            !format!("{backend:?}").contains("sk-lf-2"),
            "no key in Debug"
        );
    }

    #[test]
    fn missing_keys_and_unknown_names_are_errors_that_name_the_variable() {
        let err = Backend::from_vars(vars(&[(BACKEND_ENV, "langsmith")])).unwrap_err();
        assert_eq!(err.to_string(), "langsmith needs LANGSMITH_API_KEY");
        let err = Backend::from_vars(vars(&[(BACKEND_ENV, "datadog")])).unwrap_err();
        assert!(err.to_string().contains("GENAI_TRACING_BACKEND"), "{err}");
        assert_eq!(Backend::from_vars(vars(&[(BACKEND_ENV, " ")])), Ok(None));
    }

    #[test]
    fn each_preset_has_its_path_and_headers() {
        let phoenix = Backend::from_vars(vars(&[
            (BACKEND_ENV, "phoenix"),
            ("PHOENIX_PROJECT_NAME", "agents"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(phoenix.traces_url(), "http://127.0.0.1:6006/v1/traces");
        assert_eq!(
            phoenix.headers(),
            vec![("x-project-name".to_owned(), "agents".to_owned())]
        );
        let langsmith = Backend::from_vars(vars(&[
            (BACKEND_ENV, "langsmith"),
            ("LANGSMITH_API_KEY", "lsv2_x"),
            ("LANGSMITH_PROJECT", "p"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(
            langsmith.traces_url(),
            "https://api.smith.langchain.com/otel/v1/traces"
        );
        assert_eq!(langsmith.headers().len(), 2);
        let mlflow = Backend::Mlflow {
            tracking_uri: "http://127.0.0.1:5000/v1/traces".into(),
            experiment_id: "0".into(),
        };
        assert_eq!(mlflow.traces_url(), "http://127.0.0.1:5000/v1/traces");
    }
}
