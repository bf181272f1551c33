//! What the environment configures: the standard OpenTelemetry variables (`OTEL_EXPORTER_OTLP_*`,
//! `OTEL_BSP_*`, `OTEL_TRACES_SAMPLER`, `OTEL_METRICS_EXPORTER`), the platform presets'
//! variables, and this crate's own (`GENAI_TRACING_*`), read and validated in one place: an
//! unknown or malformed value is an [`InitError`] that names its variable, never a silent
//! fallback.

use std::path::PathBuf;
use std::time::Duration;

use opentelemetry_sdk::trace::Sampler;
use tracing_subscriber::EnvFilter;

use super::error::InitError;
use crate::capture::{CaptureLimits, CapturePolicy};
use crate::export::{Backend, OtlpProtocol, QueueSettings, CONSOLE_ENV, FILE_ENV, TAIL_RATIO_ENV};
use crate::replay::RECORD_ENV;

const ENDPOINT_VARS: [&str; 2] = [
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
];
const PROTOCOL_VARS: [&str; 2] = [
    "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
    "OTEL_EXPORTER_OTLP_PROTOCOL",
];
/// What the environment says, validated.
pub(super) struct Environment {
    /// OTLP export, when an endpoint variable is set.
    pub(super) otlp: Option<OtlpProtocol>,
    /// The platform preset named by `GENAI_TRACING_BACKEND`.
    pub(super) backend: Option<Backend>,
    pub(super) console: bool,
    pub(super) file: Option<PathBuf>,
    /// The tail sampler's ratio.
    pub(super) tail: Option<f64>,
    pub(super) record: Option<bool>,
    pub(super) queue: QueueSettings,
    pub(super) sampler: Option<Sampler>,
    /// `OTEL_METRICS_EXPORTER=none`.
    pub(super) metrics_off: bool,
    /// An endpoint is named for traces only: metrics have nowhere to go.
    pub(super) traces_only_endpoint: bool,
    /// How long one OTLP request may take, per signal.
    pub(super) otlp_timeouts: OtlpTimeouts,
    /// `RUST_LOG`, the filter of the app's logs, validated.
    pub(super) log_filter: Option<String>,
}

/// How long one OTLP request may take: `OTEL_EXPORTER_OTLP_TRACES_TIMEOUT` and
/// `_METRICS_TIMEOUT`, else `OTEL_EXPORTER_OTLP_TIMEOUT`, else 10 s (the specification's default).
#[derive(Debug, Clone, Copy)]
pub(super) struct OtlpTimeouts {
    pub(super) traces: Duration,
    pub(super) metrics: Duration,
}

impl Environment {
    /// Reads every variable; also validates the capture variables (applied on first use) and
    /// reads the price file named by `GENAI_TRACING_PRICES`, if any.
    pub(super) fn read() -> Result<Self, InitError> {
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
        Ok(Self {
            otlp,
            backend,
            console: parse_var(CONSOLE_ENV, "true or false", |_: &bool| true)?.unwrap_or(false),
            file: var(FILE_ENV).map(PathBuf::from),
            tail: parse_var(TAIL_RATIO_ENV, "a number from 0 to 1", |r: &f64| {
                (0.0..=1.0).contains(r)
            })?,
            record: parse_var(RECORD_ENV, "true or false", |_: &bool| true)?,
            queue: queue_settings()?,
            sampler: sampler()?,
            metrics_off: var("OTEL_METRICS_EXPORTER").is_some_and(|v| v.trim() == "none"),
            traces_only_endpoint: var(ENDPOINT_VARS[0]).is_some()
                && var(ENDPOINT_VARS[1]).is_none()
                && var("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT").is_none(),
            otlp_timeouts: otlp_timeouts()?,
            log_filter: match var(LOG_ENV) {
                Some(directives) => log_filter(&directives).map(|_| Some(directives))?,
                None => None,
            },
        })
    }
}

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

/// The head sampler named by `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG`, validated (the
/// SDK would fall back to sampling everything on a typo).
fn sampler() -> Result<Option<Sampler>, InitError> {
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

/// The export queues' bounds from the standard `OTEL_BSP_*` variables, validated.
fn queue_settings() -> Result<QueueSettings, InitError> {
    let d = QueueSettings::default();
    let count = "a whole number above 0";
    let millis = "a whole number of milliseconds above 0";
    let max_queue_size = parse_var("OTEL_BSP_MAX_QUEUE_SIZE", count, |n: &usize| *n > 0)?
        .unwrap_or(d.max_queue_size);
    let batch = parse_var("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", count, |n: &usize| *n > 0)?
        .unwrap_or(d.max_export_batch_size);
    let ms = |name, default: Duration| {
        parse_var(name, millis, |n: &u64| *n > 0).map(|v| v.map_or(default, Duration::from_millis))
    };
    Ok(QueueSettings {
        max_queue_size,
        // As the specification says: a batch never exceeds the queue.
        max_export_batch_size: batch.min(max_queue_size),
        scheduled_delay: ms("OTEL_BSP_SCHEDULE_DELAY", d.scheduled_delay)?,
        export_timeout: ms("OTEL_BSP_EXPORT_TIMEOUT", d.export_timeout)?,
    })
}

/// The OTLP request timeouts, validated (the SDK ignores a malformed value).
fn otlp_timeouts() -> Result<OtlpTimeouts, InitError> {
    let millis = "a whole number of milliseconds above 0";
    let ms = |name| parse_var(name, millis, |n: &u64| *n > 0);
    let generic = ms("OTEL_EXPORTER_OTLP_TIMEOUT")?.unwrap_or(10_000);
    let traces = ms("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT")?.unwrap_or(generic);
    let metrics = ms("OTEL_EXPORTER_OTLP_METRICS_TIMEOUT")?.unwrap_or(generic);
    Ok(OtlpTimeouts {
        traces: Duration::from_millis(traces),
        metrics: Duration::from_millis(metrics),
    })
}

/// The filter of the app's logs.
const LOG_ENV: &str = "RUST_LOG";

/// `directives` (the value of `RUST_LOG`) as a filter, or the error that names the variable.
pub(super) fn log_filter(directives: &str) -> Result<EnvFilter, InitError> {
    EnvFilter::builder()
        .parse(directives)
        .map_err(|_| InitError::InvalidSetting {
            var: LOG_ENV,
            value: directives.to_owned(),
            expected: "tracing filter directives, e.g. `info` or `warn,my_app=debug`",
        })
}
