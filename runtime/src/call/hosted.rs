//! A span that hosts the tool call it stands for, so one tool call is one span.
//!
//! An MCP server's `tools/call` span already is the `execute_tool` span of the call (the
//! conventions give it `gen_ai.operation.name = execute_tool` and `gen_ai.tool.name`). When the
//! handler runs the `#[tool]` function of the same name directly inside it, that function records
//! into the hosting span instead of opening a second one. The host keeps what the protocol decides:
//! its status and `error.type` follow the MCP outcome, and the arguments and result it records are
//! the ones that crossed the wire (unless the function says `capture = false`, or `skip_result`
//! for the result). The hosted call adds
//! its call id, its description, its retries, and its failure as an `exception` event.
//!
//! Only the first `#[tool]` of the host's tool name whose current span *is* the host is hosted;
//! other tools, and tools called deeper (under another span), are ordinary child spans.
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

/// A hosting span, the tool it stands for, and what the hosted call asked of it.
#[derive(Debug)]
pub(crate) struct Host {
    span: Span,
    tool: String,
    claimed: AtomicBool,
    no_content: AtomicBool,
    no_result: AtomicBool,
}

impl Host {
    /// A host for the call of `tool` whose span is `span`.
    pub(crate) fn new(span: Span, tool: &str) -> Arc<Self> {
        Arc::new(Self {
            span,
            tool: tool.to_owned(),
            claimed: AtomicBool::new(false),
            no_content: AtomicBool::new(false),
            no_result: AtomicBool::new(false),
        })
    }

    /// Whether the hosted function turned content capture off (`capture = false`).
    pub(crate) fn content_refused(&self) -> bool {
        self.no_content.load(Ordering::Relaxed)
    }

    /// Whether the hosted function kept its result out (`capture = false` or `skip_result`).
    pub(crate) fn result_refused(&self) -> bool {
        self.content_refused() || self.no_result.load(Ordering::Relaxed)
    }
}

/// Claims the host for the `#[tool]` named `tool` starting here, if the current span is an
/// unclaimed host of that tool, and returns its span; `refuse_content` keeps the host's arguments
/// and result out (the function's `capture = false`), `refuse_result` its result (`skip_result`).
#[inline]
pub(crate) fn claim(tool: &str, refuse_content: bool, refuse_result: bool) -> Option<Span> {
    if HOSTING.load(Ordering::Relaxed) == 0 {
        return None;
    }
    HOST.with(|h| {
        let host = h.borrow().clone()?;
        let here = Span::current().id()?;
        if host.span.id()? != here || host.tool != tool {
            return None;
        }
        if host.claimed.swap(true, Ordering::SeqCst) {
            return None;
        }
        if refuse_content {
            host.no_content.store(true, Ordering::Relaxed);
        }
        if refuse_result {
            host.no_result.store(true, Ordering::Relaxed);
        }
        Some(host.span.clone())
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
