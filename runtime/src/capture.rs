//! Content capture: whether arguments, messages and results are recorded, and how a value becomes JSON.
//!
//! Capture is **off by default**, as the GenAI conventions require. It is switched on by the
//! environment variable `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT` (read once, on first
//! use, whoever installed the subscriber), by [`set_content_capture`] in code, and per function by
//! the macros' `capture = true | false` option, which wins over both.
//!
//! When capture is off nothing is serialised at all: the macros only call [`to_json`] behind a
//! check of [`Call::captures`](crate::__private::Call::captures).

use std::sync::atomic::{AtomicU8, Ordering};

/// The environment variable that switches content capture on (`true`, `SPAN_ONLY`, `SPAN_AND_EVENT`)
/// or off (`false`, `NO_CONTENT`, `EVENT_ONLY`), case-insensitive.
pub const CAPTURE_ENV: &str = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT";

const UNRESOLVED: u8 = 0;
const OFF: u8 = 1;
const ON: u8 = 2;

static POLICY: AtomicU8 = AtomicU8::new(UNRESOLVED);

/// Whether content goes on spans, as a process-wide policy.
///
/// ```
/// use genai_tracing::CapturePolicy;
/// assert_eq!(CapturePolicy::parse("SPAN_AND_EVENT"), Ok(CapturePolicy::Content));
/// assert_eq!(CapturePolicy::parse("false"), Ok(CapturePolicy::NoContent));
/// assert!(CapturePolicy::parse("yes please").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapturePolicy {
    /// Record no arguments, messages or results (the default).
    NoContent,
    /// Record arguments, messages and results on spans.
    Content,
}

/// A value of [`CAPTURE_ENV`] that is none of the accepted spellings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid {CAPTURE_ENV} value {0:?}: expected true, false, NO_CONTENT, SPAN_ONLY, EVENT_ONLY or SPAN_AND_EVENT"
)]
pub struct InvalidCapturePolicy(pub String);

impl CapturePolicy {
    /// Parses a value of [`CAPTURE_ENV`]. `EVENT_ONLY` means no content on spans.
    pub fn parse(value: &str) -> Result<Self, InvalidCapturePolicy> {
        let v = value.trim();
        let on = ["true", "span_only", "span_and_event"];
        let off = ["false", "no_content", "event_only", ""];
        if on.iter().any(|s| v.eq_ignore_ascii_case(s)) {
            Ok(Self::Content)
        } else if off.iter().any(|s| v.eq_ignore_ascii_case(s)) {
            Ok(Self::NoContent)
        } else {
            Err(InvalidCapturePolicy(value.to_owned()))
        }
    }

    /// Reads [`CAPTURE_ENV`]; unset means [`CapturePolicy::NoContent`].
    pub fn from_env() -> Result<Self, InvalidCapturePolicy> {
        match std::env::var(CAPTURE_ENV) {
            Ok(v) => Self::parse(&v),
            Err(std::env::VarError::NotPresent) => Ok(Self::NoContent),
            Err(std::env::VarError::NotUnicode(v)) => {
                Err(InvalidCapturePolicy(v.to_string_lossy().into_owned()))
            }
        }
    }
}

/// Sets the process-wide capture policy, overriding the environment.
///
/// ```
/// genai_tracing::set_content_capture(genai_tracing::CapturePolicy::Content);
/// assert!(genai_tracing::captures_content());
/// ```
pub fn set_content_capture(policy: CapturePolicy) {
    POLICY.store(encode(policy), Ordering::Relaxed);
}

/// Whether content is captured by default (functions may override it with `capture = ..`).
///
/// The first call reads [`CAPTURE_ENV`]; an invalid value keeps capture off and logs a warning.
///
/// ```
/// // Off unless the environment or the code says otherwise.
/// # std::env::remove_var(genai_tracing::CAPTURE_ENV);
/// assert!(!genai_tracing::captures_content());
/// ```
pub fn captures_content() -> bool {
    match POLICY.load(Ordering::Relaxed) {
        ON => true,
        OFF => false,
        _ => {
            let policy = CapturePolicy::from_env().unwrap_or_else(|err| {
                tracing::warn!(target: "genai_tracing", "{err}; content capture stays off");
                CapturePolicy::NoContent
            });
            // A concurrent `set_content_capture` wins over the environment.
            let _ = POLICY.compare_exchange(
                UNRESOLVED,
                encode(policy),
                Ordering::Relaxed,
                Ordering::Relaxed,
            );
            POLICY.load(Ordering::Relaxed) == ON
        }
    }
}

fn encode(policy: CapturePolicy) -> u8 {
    match policy {
        CapturePolicy::NoContent => OFF,
        CapturePolicy::Content => ON,
    }
}

/// A value that can be captured into a span: anything `serde::Serialize`.
///
/// The macros require it of every argument they capture and of captured results, so a value that
/// cannot be serialised is a compile error that says how to skip it.
///
/// ```
/// use genai_tracing::Capture;
/// #[derive(serde::Serialize)]
/// struct Query { text: String }
/// let q = Query { text: "rust".into() };
/// assert_eq!(q.to_json(), serde_json::json!({"text": "rust"}));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be captured into a span: it does not implement `serde::Serialize`",
    label = "captured as span content",
    note = "to keep it out of the span, skip the argument with `skip(name)` or `skip_all`, or turn capture off for this function (its result included) with `capture = false`"
)]
pub trait Capture {
    /// The value as JSON. Serialisation errors become a string that says what failed.
    fn to_json(&self) -> serde_json::Value;
}

impl<T: serde::Serialize + ?Sized> Capture for T {
    fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self)
            .unwrap_or_else(|err| serde_json::Value::String(format!("<not serializable: {err}>")))
    }
}

/// Serialises a captured value to JSON (see [`Capture`]).
///
/// ```
/// assert_eq!(genai_tracing::to_json(&(1, "a")), serde_json::json!([1, "a"]));
/// // Non-finite floats have no JSON form: they become null instead of failing.
/// assert_eq!(genai_tracing::to_json(&f64::NAN), serde_json::Value::Null);
/// ```
pub fn to_json<T: Capture + ?Sized>(value: &T) -> serde_json::Value {
    value.to_json()
}
