//! A span that hosts the tool call it stands for, so one tool call is one span.
//!
//! An MCP server's `tools/call` span already is the `execute_tool` span of the call (the
//! conventions give it `gen_ai.operation.name = execute_tool` and `gen_ai.tool.name`). When the
//! handler runs a `#[tool]` function directly inside it, that function records into the hosting
//! span instead of opening a second one: its error, if any, and its retries. The protocol-level
//! arguments and result are the hosting span's own, so the hosted call records no content.
//!
//! Only the first `#[tool]` whose current span *is* the host is hosted; tools called deeper (under
//! another span) or later are ordinary child spans.
#![cfg_attr(not(feature = "mcp"), allow(dead_code))]

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use tracing::Span;

thread_local! {
    static HOST: RefCell<Option<Arc<Host>>> = const { RefCell::new(None) };
}

/// How many hosting futures exist in the process: while none does, [`claim`] is one atomic load
/// (every `#[tool]` call asks, and most processes never host one).
static HOSTING: AtomicUsize = AtomicUsize::new(0);

/// A hosting span and what happened to it.
#[derive(Debug)]
pub(crate) struct Host {
    span: Span,
    claimed: AtomicBool,
    failed: AtomicBool,
}

impl Host {
    pub(crate) fn new(span: Span) -> Arc<Self> {
        Arc::new(Self {
            span,
            claimed: AtomicBool::new(false),
            failed: AtomicBool::new(false),
        })
    }

    /// Marks the call failed; `false` if it already was (the first failure is the one recorded).
    pub(crate) fn first_failure(&self) -> bool {
        !self.failed.swap(true, Ordering::SeqCst)
    }
}

/// Claims the host for a `#[tool]` starting here, if the current span is an unclaimed host.
#[inline]
pub(crate) fn claim() -> Option<(Span, Arc<Host>)> {
    if HOSTING.load(Ordering::Relaxed) == 0 {
        return None;
    }
    HOST.with(|h| {
        let host = h.borrow().clone()?;
        let here = Span::current().id()?;
        if host.span.id()? != here || host.claimed.swap(true, Ordering::SeqCst) {
            return None;
        }
        Some((host.span.clone(), host))
    })
}

pin_project_lite::pin_project! {
    /// A future during whose polls `host` can be claimed.
    pub(crate) struct Hosting<F> {
        #[pin]
        inner: F,
        host: Option<Arc<Host>>,
    }

    impl<F> PinnedDrop for Hosting<F> {
        fn drop(this: Pin<&mut Self>) {
            if this.host.is_some() {
                HOSTING.fetch_sub(1, Ordering::Relaxed);
            }
        }
    }
}

/// Wraps `future` so a `#[tool]` it runs directly inside the host's span is hosted by it.
pub(crate) fn hosting<F: Future>(host: Option<Arc<Host>>, future: F) -> Hosting<F> {
    if host.is_some() {
        HOSTING.fetch_add(1, Ordering::Relaxed);
    }
    Hosting {
        inner: future,
        host,
    }
}

impl<F: Future> Future for Hosting<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let Some(host) = this.host.clone() else {
            return this.inner.poll(cx);
        };
        let previous = HOST.with(|h| h.replace(Some(host)));
        let _restore = Restore(previous);
        this.inner.poll(cx)
    }
}

/// Puts the previous host back, also when unwinding.
struct Restore(Option<Arc<Host>>);

impl Drop for Restore {
    fn drop(&mut self) {
        let previous = self.0.take();
        HOST.with(|h| *h.borrow_mut() = previous);
    }
}
