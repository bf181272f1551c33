//! The user's own redaction: a hook run on every captured value after the built-in scrubbing.

use std::sync::RwLock;

use serde_json::Value;

use super::fault::catch;
use crate::semconv::error_type::PANIC_REDACTION_HOOK;

static HOOK: RwLock<Option<fn(&mut Value)>> = RwLock::new(None);

/// Installs a hook that redacts more, run on every captured value (after the built-in scrubbing,
/// before the value is written to the span). `None` removes it.
///
/// A hook that panics does not crash the app: the value it was given is replaced by
/// `"[not captured: redaction hook panicked: <message>]"` and the call's span ends with status
/// ERROR and `error.type = genai_tracing.panic.redaction_hook` (unless the call failed on its own).
///
/// ```
/// fn drop_emails(v: &mut serde_json::Value) {
///     if let Some(o) = v.as_object_mut() {
///         o.remove("email");
///     }
/// }
/// genai_tracing::capture::set_redaction_hook(Some(drop_emails));
/// ```
pub fn set_redaction_hook(hook: Option<fn(&mut Value)>) {
    *HOOK.write().unwrap_or_else(|p| p.into_inner()) = hook;
}

/// Runs the user's hook, if any; `false` if it panicked.
///
/// A panicking hook does not unwind into the app (it may run while the app's own panic unwinds,
/// where a second panic would abort): the value, which it may have left half-redacted, is replaced
/// by the marker `[not captured: redaction hook panicked: …]`, and the panic is reported to the
/// call recording (see `fault.rs`). The caller must not build and hook the value again.
pub(crate) fn run_hook(value: &mut Value) -> bool {
    let hook = *HOOK.read().unwrap_or_else(|p| p.into_inner());
    let Some(hook) = hook else {
        return true;
    };
    match catch(PANIC_REDACTION_HOOK, "redaction hook", || hook(value)) {
        Ok(()) => true,
        Err(marker) => {
            *value = Value::String(marker);
            false
        }
    }
}
