//! Retries inside one span: a call with `retry = N` re-runs its body after an `Err`, up to N
//! attempts, waiting `backoff`, doubled after each failure (at most 2^16 × `backoff`). The span
//! records every failed attempt as an `exception` event (`exception.type`, `exception.message`,
//! `genai_tracing.retry.attempt`) and the attempts made as `genai_tracing.retry.attempts`, so a
//! flaky call (succeeded after failures) and a broken one (failed every attempt, error status) are
//! told apart at a glance.

use std::time::Duration;

use opentelemetry::KeyValue;
use tracing::Span;

use super::lifecycle::Call;
use crate::failure::{exception_event, Described};
use crate::semconv as sc;

/// How a call with `retry = ..` retries (used by the macros' expansion).
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    attempts: u32,
    backoff: Duration,
}

/// How an attempt ended: `None` for a success, else its `(error.type, message)` (as the probe in
/// `__private/error.rs` describes it).
pub(crate) type AttemptError = Option<Described>;

impl RetryPolicy {
    /// At most `attempts` attempts (at least one), waiting `backoff`, then twice that, … between.
    pub fn new(attempts: u32, backoff: Option<Duration>) -> Self {
        Self {
            attempts: attempts.max(1),
            backoff: backoff.unwrap_or_default(),
        }
    }

    /// After attempt `attempt` ended with `failure`: record it, and say whether to retry (after
    /// how long) or to stop, recording the attempts made.
    fn after(&self, span: &Span, attempt: u32, failure: AttemptError) -> Option<Duration> {
        match failure {
            Some(f) if attempt < self.attempts => {
                failed_attempt(span, attempt, f);
                Some(self.backoff.saturating_mul(1 << (attempt - 1).min(16)))
            }
            _ => {
                span.record(sc::RETRY_ATTEMPTS, i64::from(attempt));
                None
            }
        }
    }
}

/// Records a failed attempt that will be retried.
fn failed_attempt(span: &Span, attempt: u32, (error_type, message): Described) {
    let attempt = KeyValue::new(sc::RETRY_ATTEMPT, i64::from(attempt));
    exception_event(span, &error_type, message.as_deref(), Some(attempt));
}

/// The attempts of one call: the expansion loops, asking after each attempt whether to go on.
///
/// The loop is written into the instrumented function itself (an inner closure or `async` block
/// per attempt, borrowing the arguments) rather than passed to a generic helper, so a retried
/// `async fn` stays `Send` with reference arguments.
#[doc(hidden)]
pub struct Attempts {
    policy: RetryPolicy,
    span: Span,
    attempt: u32,
}

impl Attempts {
    /// The attempts of `call` under `policy`.
    pub fn new(call: &Call, policy: RetryPolicy) -> Self {
        Self {
            policy,
            span: call.span().clone(),
            attempt: 1,
        }
    }

    /// After an attempt that ended with `failure`: how long to wait before the next one, or
    /// `None` to stop.
    pub fn after(&mut self, failure: AttemptError) -> Option<Duration> {
        let wait = self.policy.after(&self.span, self.attempt, failure)?;
        self.attempt += 1;
        Some(wait)
    }
}

/// Waits between async attempts (a Tokio timer; nothing for a zero backoff).
#[doc(hidden)]
pub async fn backoff(wait: Duration) {
    if !wait.is_zero() {
        tokio::time::sleep(wait).await;
    }
}
