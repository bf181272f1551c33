//! The stages a finished span goes through after the span processor's entry: the tail sampler
//! (when there is one) and the export queues, shared by the span processor and the scoring
//! thread (which hands scored traces back to them).

use std::sync::Arc;

use super::queue::{ExportQueue, Unit};
use super::stats::Counters;
use super::tail::TailSampler;

/// The stages after the span processor's entry: tail sampling and the export queues (shared
/// with the scoring thread, which hands traces back to them).
#[derive(Debug)]
pub(crate) struct Stages {
    pub(crate) tail: Option<TailSampler>,
    pub(super) queues: Vec<ExportQueue>,
    pub(crate) counters: Arc<Counters>,
}

impl Stages {
    pub(crate) fn new(
        tail: Option<TailSampler>,
        queues: Vec<ExportQueue>,
        counters: Arc<Counters>,
    ) -> Self {
        Self {
            tail,
            queues,
            counters,
        }
    }

    pub(crate) fn send(&self, unit: Unit) {
        if let Some((last, rest)) = self.queues.split_last() {
            for queue in rest {
                queue.push(unit.clone());
            }
            last.push(unit);
        }
    }
}
