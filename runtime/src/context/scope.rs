//! Trace attributes set once for a scope — session, user, conversation, tags, metadata — and
//! carried to every span created inside it.
//!
//! A scope is entered with [`TraceAttributes::in_scope`] (sync) or [`TraceAttributes::scope`]
//! (a future: the attributes are in force on every poll, so they cross `.await`). Every span the
//! macros create inside records them, under the names Phoenix, Langfuse and MLflow read:
//! `session.id`, `user.id`, `gen_ai.conversation.id`, `tag.tags`, `metadata`. An instrumented call
//! keeps its attributes in force for its body, so they reach its children wherever they are polled.
//! Work handed to another task or thread keeps them through [`crate::spawn`],
//! [`crate::spawn_blocking`] and [`crate::spawn_thread`]; a plain `tokio::spawn` or
//! `std::thread::spawn` starts with none (and, without `Instrument`, with no parent span either).
//!
//! The same scope carries the [`Cassette`] replay serves from (see [`crate::replay`]), put in
//! force by [`Cassette::serve`] and [`Cassette::serve_sync`]: what is in force on a thread is one
//! [`Ambient`], entered and carried as a whole.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use serde_json::{Map, Value};

use crate::replay::Cassette;

/// Attributes carried to every span of a scope.
///
/// ```
/// use genai_tracing::TraceAttributes;
/// let attrs = TraceAttributes::new()
///     .session("chat-42")
///     .user("ann")
///     .tag("beta")
///     .metadata("plan", "pro");
/// attrs.in_scope(|| {
///     let current = TraceAttributes::current().unwrap();
///     assert_eq!(current.session_id.as_deref(), Some("chat-42"));
/// });
/// assert!(TraceAttributes::current().is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TraceAttributes {
    /// `session.id`: groups the traces of one session (Phoenix, Langfuse, MLflow sessions).
    pub session_id: Option<String>,
    /// `user.id`: the end user.
    pub user_id: Option<String>,
    /// `gen_ai.conversation.id`: a real conversation or thread id of the application's (the
    /// conventions forbid inventing one).
    pub conversation_id: Option<String>,
    /// `tag.tags`: labels for filtering.
    pub tags: Vec<String>,
    /// `metadata`: free-form key/values, recorded as one JSON object.
    pub metadata: Map<String, Value>,
}

/// What a scope carries to the calls inside it.
#[derive(Clone, Default)]
pub(crate) struct Ambient {
    /// The trace attributes in force.
    pub(crate) attributes: Option<Arc<TraceAttributes>>,
    /// The cassette calls are served from (see [`Cassette::serve`]).
    pub(crate) cassette: Option<Cassette>,
}

impl Ambient {
    /// What is in force on this thread.
    pub(crate) fn current() -> Self {
        CURRENT.with(|c| c.borrow().clone())
    }
}

thread_local! {
    static CURRENT: RefCell<Ambient> = const {
        RefCell::new(Ambient { attributes: None, cassette: None })
    };
}

/// Whether any cassette was ever put in force: until then an instrumented call does not look.
static SERVING: AtomicBool = AtomicBool::new(false);

/// The cassette in force on this thread, if any (one atomic load while none was ever used).
#[inline]
pub(crate) fn in_force() -> Option<Cassette> {
    if !SERVING.load(Ordering::Relaxed) {
        return None;
    }
    CURRENT.with(|c| c.borrow().cassette.clone())
}

impl TraceAttributes {
    /// No attributes.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `session.id`.
    pub fn session(mut self, id: impl Into<String>) -> Self {
        self.session_id = Some(id.into());
        self
    }

    /// Sets `user.id`.
    pub fn user(mut self, id: impl Into<String>) -> Self {
        self.user_id = Some(id.into());
        self
    }

    /// Sets `gen_ai.conversation.id`.
    pub fn conversation(mut self, id: impl Into<String>) -> Self {
        self.conversation_id = Some(id.into());
        self
    }

    /// Adds a tag.
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        let tag = tag.into();
        if !self.tags.contains(&tag) {
            self.tags.push(tag);
        }
        self
    }

    /// Adds a metadata entry.
    pub fn metadata(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.metadata.insert(key.into(), value.into());
        self
    }

    /// The attributes in force on this thread, if any.
    pub fn current() -> Option<Arc<TraceAttributes>> {
        CURRENT.with(|c| c.borrow().attributes.clone())
    }

    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// These attributes laid over `outer`: set values win, tags add up, metadata merges.
    pub(crate) fn over(self, outer: Option<&TraceAttributes>) -> Self {
        let Some(outer) = outer else { return self };
        let mut merged = outer.clone();
        merged.session_id = self.session_id.or(merged.session_id);
        merged.user_id = self.user_id.or(merged.user_id);
        merged.conversation_id = self.conversation_id.or(merged.conversation_id);
        for tag in self.tags {
            merged = merged.tag(tag);
        }
        merged.metadata.extend(self.metadata);
        merged
    }

    /// These attributes laid over the ones in force: what a scope entered here carries.
    pub(crate) fn over_current(self) -> Arc<TraceAttributes> {
        Arc::new(self.over(Self::current().as_deref()))
    }

    /// Runs `f` with these attributes (laid over the ones in force) carried to its spans. For a
    /// future, use [`TraceAttributes::scope`]: `in_scope` only covers creating it, not running it.
    pub fn in_scope<R>(self, f: impl FnOnce() -> R) -> R {
        let _entered = enter(Some(self.over_current()));
        f()
    }

    /// Wraps `future` so these attributes (laid over the ones in force now) are carried to the
    /// spans it creates, across every `.await`.
    ///
    /// ```
    /// # async fn answer() {}
    /// # async fn handler() {
    /// genai_tracing::TraceAttributes::new().session("chat-42").scope(answer()).await;
    /// # }
    /// ```
    ///
    /// The attributes are laid over the ones in force where the future is first polled, so a
    /// scoped future built ahead and awaited inside an outer scope still carries the outer
    /// session and user.
    pub fn scope<F: Future>(self, future: F) -> Scoped<F> {
        Scoped::with(future, Own::Attributes(self))
    }
}

/// Serving a cassette is putting it in force, as [`TraceAttributes::scope`] does attributes.
impl Cassette {
    /// Wraps `future` so that this cassette serves the calls it makes, on every poll.
    ///
    /// ```
    /// # use genai_tracing::replay::{Cassette, Recording};
    /// #[genai_tracing::tool]
    /// async fn search(query: &str) -> Vec<String> {
    ///     unreachable!("served from the cassette")
    /// }
    /// let cassette = Cassette::new([Recording::new("execute_tool search", serde_json::json!(["a"]))]);
    /// let found = futures_executor::block_on(cassette.serve(async { search("rust").await }));
    /// assert_eq!(found, ["a"]);
    /// ```
    pub fn serve<F: Future>(&self, future: F) -> Scoped<F> {
        SERVING.store(true, Ordering::Relaxed);
        Scoped::serving(future, self.clone())
    }

    /// Runs `f` with this cassette serving the calls it makes (see [`Cassette::serve`] for a
    /// future).
    ///
    /// ```
    /// # use genai_tracing::replay::{Cassette, Recording};
    /// #[genai_tracing::tool]
    /// fn roll() -> u8 {
    ///     4
    /// }
    /// let cassette = Cassette::new([Recording::new("execute_tool roll", serde_json::json!(6))]);
    /// assert_eq!(cassette.serve_sync(|| (roll(), roll())), (6, 4));
    /// assert_eq!(cassette.misses().len(), 1);
    /// ```
    pub fn serve_sync<R>(&self, f: impl FnOnce() -> R) -> R {
        SERVING.store(true, Ordering::Relaxed);
        let mut ambient = Ambient::current();
        ambient.cassette = Some(self.clone());
        let _entered = enter_ambient(ambient);
        f()
    }
}

/// Puts `attributes` in force on this thread until the guard drops (then the previous ones); the
/// rest of the ambient (the cassette) stays as it is.
pub(crate) fn enter(attributes: Option<Arc<TraceAttributes>>) -> Entered {
    let previous = CURRENT.with(|c| std::mem::replace(&mut c.borrow_mut().attributes, attributes));
    Entered(Some(Previous::Attributes(previous)))
}

/// Puts a whole ambient in force on this thread until the guard drops (then the previous one).
pub(crate) fn enter_ambient(ambient: Ambient) -> Entered {
    Entered(Some(Previous::Ambient(
        CURRENT.with(|c| c.replace(ambient)),
    )))
}

/// What an [`Entered`] guard puts back.
enum Previous {
    Attributes(Option<Arc<TraceAttributes>>),
    Ambient(Ambient),
}

/// Restores what was in force before [`enter`] or [`enter_ambient`], also when unwinding.
pub(crate) struct Entered(Option<Previous>);

impl Drop for Entered {
    fn drop(&mut self) {
        match self.0.take() {
            Some(Previous::Attributes(previous)) => {
                CURRENT.with(|c| c.borrow_mut().attributes = previous);
            }
            Some(Previous::Ambient(previous)) => {
                CURRENT.with(|c| *c.borrow_mut() = previous);
            }
            None => {}
        }
    }
}

/// What a [`Scoped`] future adds to the ambient in force where it is first polled.
enum Own {
    /// Attributes, laid over the ones in force.
    Attributes(TraceAttributes),
    /// A cassette to serve from, in place of any in force.
    Cassette(Cassette),
}

impl Own {
    fn over_current(self) -> Ambient {
        let mut ambient = Ambient::current();
        match self {
            Own::Attributes(own) => {
                ambient.attributes = Some(Arc::new(own.over(ambient.attributes.as_deref())));
            }
            Own::Cassette(cassette) => ambient.cassette = Some(cassette),
        }
        ambient
    }
}

pin_project_lite::pin_project! {
    /// A future that carries trace attributes (see [`TraceAttributes::scope`]) or a cassette (see
    /// [`Cassette::serve`]) to the calls it makes, on every poll.
    pub struct Scoped<F> {
        #[pin]
        inner: F,
        // Its own attributes or cassette, until the first poll puts them over what is in force
        // there.
        own: Option<Own>,
        ambient: Ambient,
    }
}

impl<F> Scoped<F> {
    /// Wraps `future` with what is in force now.
    pub(crate) fn current(future: F) -> Self {
        Self {
            inner: future,
            own: None,
            ambient: Ambient::current(),
        }
    }

    /// Wraps `future` with `own` put over what is in force where it is first polled.
    fn with(future: F, own: Own) -> Self {
        Self {
            inner: future,
            own: Some(own),
            ambient: Ambient::default(),
        }
    }

    /// Wraps `future` with `cassette` in force (see [`Cassette::serve`]).
    pub(crate) fn serving(future: F, cassette: Cassette) -> Self {
        Self::with(future, Own::Cassette(cassette))
    }
}

impl<F: Future> Future for Scoped<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        if let Some(own) = this.own.take() {
            *this.ambient = own.over_current();
        }
        let _entered = enter_ambient(this.ambient.clone());
        this.inner.poll(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cassette_in_force_is_seen_only_inside_its_scope() {
        let cassette = Cassette::new([]);
        assert!(in_force().is_none());
        cassette.serve_sync(|| {
            assert!(in_force().is_some());
            // A scope of attributes inside keeps the cassette.
            TraceAttributes::new()
                .session("s")
                .in_scope(|| assert!(in_force().is_some()));
        });
        assert!(in_force().is_none());
        cassette.assert_all_served();
    }
}
