//! [`TracingGuard`]: keeps the pipeline running while it lives, and exports what is left (within
//! the shutdown timeout) when it is dropped or shut down.

use std::sync::Arc;
use std::time::Duration;

use opentelemetry_sdk::metrics::SdkMeterProvider;
use opentelemetry_sdk::trace::SdkTracerProvider;

use crate::export::{Counters, ExportStats};

/// Keeps the pipeline running; dropping it exports what is queued (within the shutdown timeout)
/// and shuts the exporters down, reporting spans lost on stderr.
///
/// ```no_run
/// let guard = genai_tracing::init()?;
/// // … run the agent …
/// guard.flush()?; // or just drop the guard at the end of main
/// println!("{:?}", guard.stats());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use = "dropping the guard shuts tracing down"]
#[derive(Debug)]
pub struct TracingGuard {
    provider: SdkTracerProvider,
    meters: Option<SdkMeterProvider>,
    counters: Arc<Counters>,
    shutdown_timeout: Duration,
    exporters: Vec<&'static str>,
    shut_down: bool,
}

impl TracingGuard {
    pub(super) fn new(
        provider: SdkTracerProvider,
        meters: Option<SdkMeterProvider>,
        counters: Arc<Counters>,
        shutdown_timeout: Duration,
        exporters: Vec<&'static str>,
    ) -> Self {
        Self {
            provider,
            meters,
            counters,
            shutdown_timeout,
            exporters,
            shut_down: false,
        }
    }

    /// The pipeline's counters, shared.
    pub(super) fn counters(&self) -> Arc<Counters> {
        self.counters.clone()
    }

    /// The names of the exporters the pipeline feeds, in order: `OTLP`, a preset's name
    /// (`Phoenix`, …), `file`, `console`, and those given to [`Builder::with_exporter`](crate::Builder::with_exporter).
    pub fn exporters(&self) -> &[&'static str] {
        &self.exporters
    }

    /// The tracer provider.
    pub fn provider(&self) -> &SdkTracerProvider {
        &self.provider
    }

    /// Exports what is queued now and waits for it (at most the shutdown timeout each), metrics
    /// included. Traces the tail sampler holds wait for their roots to end.
    pub fn flush(&self) -> Result<(), opentelemetry_sdk::error::OTelSdkError> {
        self.provider.force_flush()?;
        match &self.meters {
            Some(m) => m.force_flush(),
            None => Ok(()),
        }
    }

    /// The meter provider recording [`crate::metrics`], when metrics go anywhere: OTLP metrics
    /// export (the generic endpoint, unless `OTEL_METRICS_EXPORTER=none` or the environment names
    /// a traces-only endpoint) or an exporter given to [`Builder::with_metric_exporter`](crate::Builder::with_metric_exporter).
    pub fn meter_provider(&self) -> Option<&SdkMeterProvider> {
        self.meters.as_ref()
    }

    /// What this pipeline has exported, sampled out and lost so far.
    pub fn stats(&self) -> ExportStats {
        self.counters.snapshot()
    }
}

impl TracingGuard {
    /// Shuts the pipeline down as dropping the guard does, and returns the final counts
    /// (including what shutdown had to leave behind).
    ///
    /// ```
    /// let (_subscriber, guard) = genai_tracing::Builder::from_env()?.build()?;
    /// assert_eq!(guard.shutdown().lost(), 0);
    /// # Ok::<(), genai_tracing::InitError>(())
    /// ```
    pub fn shutdown(mut self) -> ExportStats {
        self.shut();
        self.counters.snapshot()
    }

    fn shut(&mut self) {
        if std::mem::replace(&mut self.shut_down, true) {
            return;
        }
        // One timeout for the whole shutdown: the traces first, the metrics with what is left.
        let deadline = std::time::Instant::now() + self.shutdown_timeout;
        if let Err(err) = self.provider.shutdown_with_timeout(self.shutdown_timeout) {
            eprintln!("genai-tracing: shutting the tracer provider down: {err}");
        }
        if let Some(meters) = &self.meters {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let _ = meters.shutdown_with_timeout(left);
        }
        let stats = self.counters.snapshot();
        if stats.lost() > 0 {
            eprintln!(
                "genai-tracing: {} spans lost ({} queue full, {} failed exports, {} left at \
                 shutdown); last error: {}",
                stats.lost(),
                stats.dropped_queue_full,
                stats.failed,
                stats.dropped_at_shutdown,
                stats.last_error.as_deref().unwrap_or("none")
            );
        }
    }
}

impl Drop for TracingGuard {
    fn drop(&mut self) {
        self.shut();
    }
}
