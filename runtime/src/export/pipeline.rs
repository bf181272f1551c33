//! The span processor [`Builder::install`](crate::Builder::install) puts in front of the
//! exporters: tail sampling, online scoring, then a bounded queue per exporter (see the
//! [module](super) documentation).

use std::sync::Arc;
use std::time::{Duration, Instant};

use opentelemetry::Context;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{Span, SpanData, SpanProcessor};
use opentelemetry_sdk::Resource;

use super::queue::{ExportQueue, Unit};
use super::scoring::Scoring;
use super::stages::Stages;

/// The span processor [`Builder::install`](crate::Builder::install) installs: tail sampling,
/// online scoring, then a queue per exporter.
#[derive(Debug)]
pub(crate) struct Pipeline {
    stages: Arc<Stages>,
    scoring: Option<Arc<Scoring>>,
    shutdown_timeout: Duration,
}

impl Pipeline {
    pub(crate) fn new(
        stages: Arc<Stages>,
        scoring: Option<Arc<Scoring>>,
        shutdown_timeout: Duration,
    ) -> Self {
        Self {
            stages,
            scoring,
            shutdown_timeout,
        }
    }

    /// Runs `step` (a flush or a shutdown) on every queue, each given what is left until
    /// `deadline`, so that all of them together end by then; every queue gets its turn, and the
    /// first error is reported.
    fn each_within(
        &self,
        deadline: Instant,
        step: fn(&ExportQueue, Duration) -> OTelSdkResult,
    ) -> OTelSdkResult {
        let mut result = Ok(());
        for queue in &self.stages.queues {
            let outcome = step(queue, deadline.saturating_duration_since(Instant::now()));
            if result.is_ok() {
                result = outcome;
            }
        }
        result
    }
}

impl SpanProcessor for Pipeline {
    fn on_start(&self, _span: &mut Span, _cx: &Context) {}

    fn on_end(&self, span: SpanData) {
        if !span.span_context.is_sampled() {
            return;
        }
        match &self.stages.tail {
            Some(tail) => {
                let offered = tail.offer(span, self.scoring.is_some());
                for trace in offered.export {
                    self.stages.send(Unit::Trace(trace));
                }
                if let (Some(trace), Some(scoring)) = (offered.score, &self.scoring) {
                    scoring.submit(trace);
                }
            }
            None => self.stages.send(Unit::Span(span)),
        }
    }

    /// Scores what waits for the scorers (at most half the shutdown timeout), then exports what
    /// is queued; traces the tail sampler holds stay held until their roots end. An error when
    /// the scorers or a queue did not finish in time.
    fn force_flush(&self) -> OTelSdkResult {
        let deadline = Instant::now() + self.shutdown_timeout;
        let scorers = self.shutdown_timeout / 2;
        let idle = self.scoring.as_ref().is_none_or(|s| s.wait_idle(scorers));
        let flushed = self.each_within(deadline, ExportQueue::flush);
        if !idle {
            return Err(OTelSdkError::Timeout(scorers));
        }
        flushed
    }

    /// Gives the scorers at most half of `timeout`, so the queues always keep the rest for
    /// what is already queued.
    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        let timeout = timeout.min(self.shutdown_timeout);
        let deadline = Instant::now() + timeout;
        if let Some(scoring) = &self.scoring {
            scoring.shutdown(timeout / 2);
        }
        if let Some(tail) = &self.stages.tail {
            for trace in tail.drain() {
                self.stages.send(Unit::Trace(trace));
            }
        }
        self.each_within(deadline, ExportQueue::shutdown)
    }

    fn set_resource(&mut self, resource: &Resource) {
        for queue in &self.stages.queues {
            queue.set_resource(resource);
        }
        if let Some(scoring) = &self.scoring {
            scoring.set_resource(resource);
        }
    }
}
