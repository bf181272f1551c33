//! Retries inside one span: a call with `retry = N` re-runs its body after an `Err`, up to N
//! attempts, waiting `backoff` doubled each time. The span records every failed attempt as an
//! `exception` event (`exception.type`, `exception.message`, `genai_tracing.retry.attempt`) and the
//! attempts made as `genai_tracing.retry.attempts`, so a flaky call (succeeded after failures) and a
//! broken one (failed every attempt, error status) are told apart at a glance.

use std::borrow::Cow;
use std::time::Duration;

use opentelemetry::KeyValue;
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::call::Call;
use crate::capture::scrub;
use crate::semconv as sc;

/// How a call with `retry = ..` retries (used by the macros' expansion).
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    attempts: u32,
    backoff: Duration,
}

/// How a failed attempt is described: `(error.type, message)`.
pub type Failure = Option<(Cow<'static, str>, Option<String>)>;

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
    fn after(&self, span: &Span, attempt: u32, failure: Failure) -> Option<Duration> {
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
fn failed_attempt(
    span: &Span,
    attempt: u32,
    (error_type, message): (Cow<'static, str>, Option<String>),
) {
    let mut attributes = vec![
        KeyValue::new(sc::EXCEPTION_TYPE, error_type.into_owned()),
        KeyValue::new(sc::RETRY_ATTEMPT, i64::from(attempt)),
    ];
    if let Some(message) = message {
        attributes.push(KeyValue::new(
            sc::EXCEPTION_MESSAGE,
            scrub(&message).into_owned(),
        ));
    }
    span.add_event(sc::EXCEPTION_EVENT, attributes);
}

impl Call {
    /// [`Call::run`] with retries of a sync body.
    pub fn run_retrying<R>(
        self,
        policy: RetryPolicy,
        mut body: impl FnMut() -> R,
        failure: impl Fn(&R) -> Failure,
        finish: impl FnOnce(&Self, &R),
    ) -> R {
        let span = self.span().clone();
        self.run(
            move || {
                let mut attempt = 1;
                loop {
                    let result = body();
                    match policy.after(&span, attempt, failure(&result)) {
                        Some(wait) => std::thread::sleep(wait),
                        None => return result,
                    }
                    attempt += 1;
                }
            },
            finish,
        )
    }

    /// [`Call::instrument`] with retries of an async body. A backoff needs a Tokio runtime with
    /// its timer enabled.
    pub async fn instrument_retrying<R>(
        self,
        policy: RetryPolicy,
        mut body: impl AsyncFnMut() -> R,
        failure: impl Fn(&R) -> Failure,
        finish: impl FnOnce(&Self, &R),
    ) -> R {
        let span = self.span().clone();
        let attempts = async move {
            let mut attempt = 1;
            loop {
                let result = body().await;
                match policy.after(&span, attempt, failure(&result)) {
                    Some(wait) if !wait.is_zero() => tokio::time::sleep(wait).await,
                    Some(_) => {}
                    None => return result,
                }
                attempt += 1;
            }
        };
        self.instrument(attempts, finish).await
    }
}
