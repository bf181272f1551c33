//! Record mode: whether calls record their outputs, and the longest output recorded.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The environment variable that switches record mode on (`true`) or off (`false`), read by
/// [`Builder::from_env`](crate::Builder::from_env) and applied by
/// [`Builder::install`](crate::Builder::install).
pub const RECORD_ENV: &str = "GENAI_TRACING_RECORD";

/// The default [`record_limit`]: 1 MiB of JSON.
pub const DEFAULT_RECORD_LIMIT: usize = 1 << 20;

static RECORDING: AtomicBool = AtomicBool::new(false);
static LIMIT: AtomicUsize = AtomicUsize::new(DEFAULT_RECORD_LIMIT);

/// Switches record mode on or off for the whole process (see the [module](super) documentation).
///
/// ```
/// genai_tracing::replay::set_recording(true);
/// assert!(genai_tracing::replay::recording());
/// ```
pub fn set_recording(on: bool) {
    RECORDING.store(on, Ordering::Relaxed);
}

/// Whether record mode is on (off unless [`set_recording`] or the [`Builder`](crate::Builder)
/// switched it on).
#[inline]
pub fn recording() -> bool {
    RECORDING.load(Ordering::Relaxed)
}

/// Sets the longest output recorded, in bytes of JSON; a longer one is skipped as `too large`.
///
/// ```
/// genai_tracing::replay::set_record_limit(64 * 1024);
/// assert_eq!(genai_tracing::replay::record_limit(), 64 * 1024);
/// ```
pub fn set_record_limit(bytes: usize) {
    LIMIT.store(bytes, Ordering::Relaxed);
}

/// The longest output recorded, in bytes of JSON ([`DEFAULT_RECORD_LIMIT`] unless
/// [`set_record_limit`] changed it).
pub fn record_limit() -> usize {
    LIMIT.load(Ordering::Relaxed)
}
