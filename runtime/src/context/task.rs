//! Handing work to another task or thread without losing the trace: the caller's subscriber stays
//! in charge, its span stays the parent and its [`TraceAttributes`](crate::TraceAttributes) stay
//! in force, as does the cassette replay serves from (see [`crate::replay`]).
//!
//! Without these, a span created in a `tokio::spawn`ed task or a new thread starts a trace of its
//! own (tracing's current span is per thread), and carries no session or user.

use std::future::Future;

use tracing::instrument::WithSubscriber as _;
use tracing::Instrument as _;

use super::scope::{enter_ambient, Ambient, Scoped};

/// `tokio::spawn`, keeping the current span as parent and the trace attributes (and a replay
/// cassette) in force.
///
/// ```
/// # #[genai_tracing::tool] async fn fetch(url: &str) -> usize { url.len() }
/// # async fn agent() {
/// let page = genai_tracing::spawn(fetch("https://example.org")).await.unwrap();
/// # }
/// ```
pub fn spawn<F>(future: F) -> tokio::task::JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let future = future
        .instrument(tracing::Span::current())
        .with_current_subscriber();
    tokio::spawn(Scoped::current(future))
}

/// `tokio::task::spawn_blocking`, keeping the current span as parent, the trace attributes and a
/// replay cassette.
///
/// ```
/// # #[genai_tracing::tool] fn parse(text: &str) -> usize { text.len() }
/// # async fn agent() {
/// let n = genai_tracing::spawn_blocking(|| parse("big document")).await.unwrap();
/// # }
/// ```
pub fn spawn_blocking<F, R>(f: F) -> tokio::task::JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let carried = carry(f);
    tokio::task::spawn_blocking(carried)
}

/// `std::thread::spawn`, keeping the current span as parent, the trace attributes and a replay
/// cassette.
///
/// ```
/// # #[genai_tracing::tool] fn parse(text: &str) -> usize { text.len() }
/// let n = genai_tracing::spawn_thread(|| parse("big document")).join().unwrap();
/// ```
pub fn spawn_thread<F, R>(f: F) -> std::thread::JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    std::thread::spawn(carry(f))
}

/// `f`, made to run under the caller's subscriber, span, attributes and cassette wherever it runs.
fn carry<F: FnOnce() -> R, R>(f: F) -> impl FnOnce() -> R {
    let dispatch = tracing::dispatcher::get_default(tracing::Dispatch::clone);
    let span = tracing::Span::current();
    let ambient = Ambient::current();
    move || {
        let _ambient = enter_ambient(ambient);
        tracing::dispatcher::with_default(&dispatch, || span.in_scope(f))
    }
}
