//! The user's own redaction: a hook run on every captured value after the built-in scrubbing.

use std::sync::RwLock;

use serde_json::Value;

static HOOK: RwLock<Option<fn(&mut Value)>> = RwLock::new(None);

/// Installs a hook that redacts more, run on every captured value (after the built-in scrubbing,
/// before the value is written to the span). `None` removes it.
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

/// Runs the user's hook, if any.
pub(crate) fn run_hook(value: &mut Value) {
    let hook = *HOOK.read().unwrap_or_else(|p| p.into_inner());
    if let Some(hook) = hook {
        hook(value);
    }
}
