//! An exporter that drops every batch, for benches that time the pipeline, not a backend.

use std::future::Future;

use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SpanData, SpanExporter};

/// Drops every batch: the cost of making spans and queueing them.
#[derive(Debug)]
pub(crate) struct Null;

impl SpanExporter for Null {
    fn export(&self, batch: Vec<SpanData>) -> impl Future<Output = OTelSdkResult> + Send {
        drop(batch);
        std::future::ready(Ok(()))
    }
}
