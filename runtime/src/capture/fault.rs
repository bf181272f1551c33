//! Panics in what tracing itself runs for a call — the user's redaction hook, a captured value's
//! `Serialize`, a model response's or chunk's methods — caught so that they never reach the app.
//!
//! Such code runs only because the call is traced, so its panic must not unwind into the app
//! (nor abort it: it may run while the app's own panic unwinds). [`catch`] runs it: on a panic
//! the caller gets the marker `[not captured: <what> panicked: <message>]` (the message scrubbed
//! and bounded, never passed through the hook: the hook may be what panicked) to put in place of
//! the value, and the panic is reported as a [`Fault`] to the call recording on this thread.
//!
//! The one path from a fault to a span: a call's recording methods run their capture work inside
//! [`collect`], which hands them the first fault reported meanwhile; the call keeps it and, as it
//! ends, records it as its failure (status ERROR, `error.type` the fault's kind, the marker as the
//! description) unless the call failed on its own. A fault reported outside any [`collect`]
//! (a value captured with [`to_json`](super::to_json) by hand) only leaves its marker.
//!
//! Nothing here allocates unless something panicked.

use std::any::Any;
use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};

use super::boundary::floor_char_boundary;
use super::scrub::scrub;

/// A panic caught in what tracing ran for a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fault {
    /// What panicked: one of `semconv::error_type::PANIC_*`.
    pub(crate) error_type: &'static str,
    /// The marker, scrubbed and bounded.
    pub(crate) marker: String,
}

/// Bytes of a panic's message kept in its marker, and scrubbed past that (so that a secret
/// straddling the cut is still recognised).
const MESSAGE_BYTES: usize = 256;
const SCRUBBED_BYTES: usize = 4 * 1024;

thread_local! {
    /// `None` outside [`collect`]; inside, the first fault reported so far.
    static SLOT: Cell<Option<Option<Fault>>> = const { Cell::new(None) };
}

/// The message of a panic payload (`&str` or `String`), if it has one.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
}

/// `[not captured: {what} panicked: {message}]`, the message scrubbed of secrets and cut to a few
/// hundred bytes (not passed through the user's hook).
pub(crate) fn marker(what: &str, payload: &(dyn Any + Send)) -> String {
    let message = panic_message(payload).unwrap_or("a non-string payload");
    let clean = scrub(&message[..floor_char_boundary(message, SCRUBBED_BYTES)]);
    if clean.len() <= MESSAGE_BYTES && message.len() <= SCRUBBED_BYTES {
        return format!("[not captured: {what} panicked: {clean}]");
    }
    let kept = &clean[..floor_char_boundary(&clean, MESSAGE_BYTES)];
    let total = message.len();
    format!(
        "[not captured: {what} panicked: {kept}…[truncated: kept {} of {total} bytes]]",
        kept.len()
    )
}

/// Runs `f`, which tracing runs for a call (`what` says what it is, `error_type` its kind); a
/// panic in it is caught and reported (see [`report`]), and its marker returned instead.
#[inline]
pub(crate) fn catch<R>(
    error_type: &'static str,
    what: &str,
    f: impl FnOnce() -> R,
) -> Result<R, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        let marker = marker(what, &*payload);
        report(Fault {
            error_type,
            marker: marker.clone(),
        });
        marker
    })
}

/// What `f`, a method of the user's that tracing asks something of, says; its default when it
/// panicked (the panic caught and reported as by [`catch`]): a panicking `usage` says nothing,
/// rather than something wrong.
#[inline]
pub(crate) fn ask<R: Default>(error_type: &'static str, what: &str, f: impl FnOnce() -> R) -> R {
    catch(error_type, what, f).unwrap_or_default()
}

/// Hands `fault` to the [`collect`] running on this thread, unless it has one already; outside
/// any, it is dropped.
pub(crate) fn report(fault: Fault) {
    SLOT.with(|slot| match slot.take() {
        Some(None) => slot.set(Some(Some(fault))),
        // The first fault, or no collect running.
        other => slot.set(other),
    });
}

/// Runs `f` (a call's capture work), returning what it returns and the first fault reported
/// meanwhile. Nests: an inner `collect` takes its own faults.
#[inline]
pub(crate) fn collect<R>(f: impl FnOnce() -> R) -> (R, Option<Fault>) {
    /// Puts the outer slot back, even if `f` unwinds.
    struct Restore(Option<Option<Fault>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let outer = self.0.take();
            SLOT.with(|slot| slot.set(outer));
        }
    }
    let outer = Restore(SLOT.with(|slot| slot.replace(Some(None))));
    let value = f();
    let mine = SLOT.with(|slot| slot.take()).flatten();
    drop(outer);
    (value, mine)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boom() -> u8 {
        panic!("boom with sk-proj-4fJx9QmZr2TbW8yVn1KcLd7H")
    }

    #[test]
    fn a_caught_panic_is_a_scrubbed_marker_and_a_fault_of_the_innermost_collect() {
        let ((outer, inner), fault) = collect(|| {
            let inner = collect(|| catch("genai_tracing.panic.serialize", "Serialize", boom));
            (catch("x", "second", || 1), inner)
        });
        assert_eq!(outer, Ok(1));
        let (result, inner_fault) = inner;
        let marker = "[not captured: Serialize panicked: boom with [REDACTED]]";
        assert_eq!(result, Err(marker.to_owned()));
        assert_eq!(
            inner_fault,
            Some(Fault {
                error_type: "genai_tracing.panic.serialize",
                marker: marker.to_owned()
            })
        );
        assert_eq!(fault, None, "the inner collect took it");
    }

    #[test]
    fn the_first_fault_wins_and_none_is_kept_outside_a_collect() {
        let (_, fault) = collect(|| {
            let _ = catch("first", "A", boom);
            let _ = catch("second", "B", boom);
        });
        assert_eq!(fault.map(|f| f.error_type), Some("first"));
        // Outside any collect: only the marker.
        assert!(catch("lost", "C", boom).is_err());
        assert_eq!(collect(|| ()).1, None);
    }

    #[test]
    fn a_long_message_is_cut() {
        let payload: Box<dyn Any + Send> = Box::new("x".repeat(10_000));
        let marker = marker("Serialize", &*payload);
        assert!(marker.len() < 400, "{}", marker.len());
        assert!(marker.contains("…[truncated: kept "), "{marker}");
    }
}
