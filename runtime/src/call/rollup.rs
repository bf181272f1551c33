//! Agent totals: the tokens and cost of the model calls beneath an `#[agent]` span, summed into it.
//!
//! An agent's span holds a running total in its `tracing` registry extensions; each model call
//! that ends with a response adds its usage and cost to every agent above it, found through the
//! span tree (so calls made in spawned tasks count, as long as their spans have the agent as an
//! ancestor). The agent records its totals when it ends. A total that a call below could not
//! give (no count, or a model with no known price) is left off rather than undercounted. A call
//! that ends after its agent (a stream handed out of the agent and read later) is in no total.

use std::sync::{Mutex, PoisonError};

use tracing::Span;
use tracing_subscriber::registry::{LookupSpan, Registry, SpanRef};

use crate::cost;
use crate::model::Usage;
use crate::semconv as sc;

/// What the model calls beneath an agent used; `None` once a call could not say.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Totals {
    calls: u32,
    input_tokens: Option<i64>,
    output_tokens: Option<i64>,
    cost: Option<f64>,
}

impl Default for Totals {
    fn default() -> Self {
        Self {
            calls: 0,
            input_tokens: Some(0),
            output_tokens: Some(0),
            cost: Some(0.0),
        }
    }
}

impl Totals {
    fn add(&mut self, usage: &Usage, cost: Option<f64>) {
        self.calls += 1;
        let sum = |a: Option<i64>, b: Option<i64>| a?.checked_add(b.filter(|n| *n >= 0)?);
        self.input_tokens = sum(self.input_tokens, usage.input_tokens);
        self.output_tokens = sum(self.output_tokens, usage.output_tokens);
        self.cost = self.cost.zip(cost).map(|(a, b)| a + b);
    }
}

struct Rollup(Mutex<Totals>);

fn with_span<R>(span: &Span, f: impl FnOnce(SpanRef<'_, Registry>) -> R) -> Option<R> {
    let id = span.id()?;
    let mut f = Some(f);
    tracing::dispatcher::get_default(|dispatch| {
        let registry = dispatch.downcast_ref::<Registry>()?;
        registry.span(&id).and_then(|s| f.take().map(|f| f(s)))
    })
}

/// Starts a total on an agent's span.
pub(super) fn open(span: &Span) {
    with_span(span, |s| {
        s.extensions_mut()
            .insert(Rollup(Mutex::new(Totals::default())))
    });
}

/// Adds a model call's usage and cost to every agent above its span.
pub(super) fn add(span: &Span, usage: &Usage, cost: Option<f64>) {
    with_span(span, |s| {
        for ancestor in s.scope().skip(1) {
            if let Some(rollup) = ancestor.extensions().get::<Rollup>() {
                rollup
                    .0
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .add(usage, cost);
            }
        }
    });
}

/// Ends an agent's total and returns it.
fn close(span: &Span) -> Option<Totals> {
    with_span(span, |s| s.extensions_mut().remove::<Rollup>())
        .flatten()
        .map(|r| r.0.into_inner().unwrap_or_else(PoisonError::into_inner))
}

/// Ends an agent's total and records it on its span, as the agent ends (nothing when no model
/// call was made beneath it).
pub(super) fn record(span: &Span) {
    let Some(totals) = close(span).filter(|t| t.calls > 0) else {
        return;
    };
    if let Some(n) = totals.input_tokens {
        span.record(sc::GEN_AI_USAGE_INPUT_TOKENS, n);
    }
    if let Some(n) = totals.output_tokens {
        span.record(sc::GEN_AI_USAGE_OUTPUT_TOKENS, n);
    }
    if let Some(usd) = totals.cost {
        span.record(sc::COST_USD, cost::recorded(usd));
    }
}
