//! [`TracingGuard`]: keeps the pipeline running while it lives, and exports what is left (within
//! the shutdown timeout) when it is dropped or shut down, saying then if a global filter turned
//! every GenAI span off; and [`AfterShutdown`], which says so once when spans keep coming after
//! that (the guard dropped too early: `let _ = init()?`).

use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Duration;

use tracing::span;
use tracing_subscriber::layer::Context;

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
#[must_use = "dropping the guard shuts tracing down: keep it for the whole run with \
              `let _guard = genai_tracing::init()?;` (`let _ = ...` drops it at once)"]
#[derive(Debug)]
pub struct TracingGuard {
    provider: SdkTracerProvider,
    meters: Option<SdkMeterProvider>,
    counters: Arc<Counters>,
    shutdown_timeout: Duration,
    exporters: Vec<&'static str>,
    shut_down: Arc<AtomicBool>,
    /// Installed globally: a global filter below INFO is said at shutdown.
    global: bool,
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
            shut_down: Arc::default(),
            global: false,
        }
    }

    /// Marks the pipeline as installed for the process (by `Builder::install` or
    /// `Builder::layer`): at shutdown, a global filter that turned every GenAI span off is said.
    pub(super) fn watch_global_filter(&mut self) {
        self.global = true;
    }

    /// The layer that warns once about spans starting after this guard shut the pipeline down.
    pub(super) fn after_shutdown(&self) -> AfterShutdown {
        AfterShutdown {
            shut_down: self.shut_down.clone(),
            warned: AtomicBool::new(false),
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
        if self.shut_down.swap(true, Relaxed) {
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
        // Checked here, once, rather than on every disabled span: tracing off costs nothing more.
        let seen = stats.exported + stats.lost() + stats.spans_sampled_out;
        if self.global && seen == 0 && !crate::spans::genai_spans_enabled() {
            eprintln!(
                "genai-tracing: no span reached the pipeline, and the tracing subscriber's \
                 filters turn GenAI spans off (they are INFO, with the instrumented function's \
                 module as target). Filter the app's logs on their own layer \
                 (`fmt::layer().with_filter(EnvFilter::from_default_env())`), or add the \
                 directive `[{{gen_ai.operation.name}}]=info` to a global filter."
            );
        }
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

/// Says once on stderr that a span started after the guard shut the pipeline down: it is not
/// exported, and the likely cause is a guard dropped too early.
#[derive(Debug)]
pub(super) struct AfterShutdown {
    shut_down: Arc<AtomicBool>,
    warned: AtomicBool,
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for AfterShutdown {
    fn on_new_span(&self, attrs: &span::Attributes<'_>, _: &span::Id, _: Context<'_, S>) {
        if self.shut_down.load(Relaxed) && !self.warned.swap(true, Relaxed) {
            eprintln!(
                "genai-tracing: the span `{}` started after the TracingGuard was dropped, so it \
                 is not exported (nor any span after it; said once). Keep the guard for the whole \
                 run: `let _guard = genai_tracing::init()?;` (`let _ = genai_tracing::init()?;` \
                 drops it at once).",
                attrs.metadata().name()
            );
        }
    }
}
