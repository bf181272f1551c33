//! Content capture: whether arguments, messages and results are recorded, and how a value becomes JSON.
//!
//! Capture is **off by default**, as the GenAI conventions require. It is switched on by the
//! environment variable `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT` (read once, on first
//! use, whoever installed the subscriber), by [`set_content_capture`] in code, and per function by
//! the macros' `capture = true | false` option, which wins over both; `skip(arg, ..)`, `skip_all`
//! and `skip_result` keep single arguments, every argument or the result out.
//!
//! When capture is off nothing is serialised at all: the macros hand arguments over as
//! `&dyn Capture` behind a check of whether the call captures, and results are serialised only
//! then too.
//!
//! When it is on, every captured value is bounded and scrubbed before it reaches a span (see
//! [`CaptureLimits`], [`set_redaction_hook`]): strings are cut inside the JSON so it stays valid and
//! says what was cut, nesting and collections are bounded, and secrets are replaced by
//! [`REDACTED`] — found by gitleaks' default rules, by the names they are assigned to and by the
//! forms credentials take (see `scrub/`); [`add_secret_rule`] adds formats of your own,
//! [`set_secret_scrubbing`] turns the built-in rules off.
//!
//! Capture never crashes the app: a value whose `Serialize` panics, or a hook that panics, is
//! replaced by a marker, `[not captured: Serialize panicked: <message>]`, and the call is told
//! (see `fault.rs`), so that its span ends in error rather than as a success.

mod boundary;
mod bounded;
mod fault;
mod hook;
mod scrub;
mod switch;

use std::sync::{LazyLock, RwLock};

use serde_json::Value;

use switch::Switch;

pub(crate) use boundary::floor_char_boundary;
pub use bounded::Budget;
pub use bounded::CaptureLimits;
pub(crate) use fault::{ask, catch, collect, marker, panic_message, Fault};
pub(crate) use hook::run_hook;
pub use hook::set_redaction_hook;
pub use scrub::{add_secret_rule, set_secret_scrubbing, InvalidSecretRule, REDACTED, SCRUB_ENV};
pub(crate) use scrub::{is_sensitive_key, scrub, scrub_across, warm_up};

/// The environment variable that switches content capture on (`true`, `SPAN_ONLY`, `SPAN_AND_EVENT`)
/// or off (`false`, `NO_CONTENT`, `EVENT_ONLY`), case-insensitive.
pub const CAPTURE_ENV: &str = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT";

static POLICY: Switch = Switch::new();

/// Whether content goes on spans, as a process-wide policy.
///
/// ```
/// use genai_tracing::capture::CapturePolicy;
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
/// genai_tracing::capture::set_content_capture(genai_tracing::capture::CapturePolicy::Content);
/// assert!(genai_tracing::capture::captures_content());
/// ```
pub fn set_content_capture(policy: CapturePolicy) {
    POLICY.set(policy == CapturePolicy::Content);
}

/// Whether content is captured by default (functions may override it with `capture = ..`).
///
/// The first call reads [`CAPTURE_ENV`]; an invalid value keeps capture off and logs a warning.
///
/// ```
/// // Off unless the environment or the code says otherwise.
/// # std::env::remove_var(genai_tracing::capture::CAPTURE_ENV);
/// assert!(!genai_tracing::capture::captures_content());
/// ```
pub fn captures_content() -> bool {
    POLICY.get(|| {
        let policy = CapturePolicy::from_env().unwrap_or_else(|err| {
            tracing::warn!(target: "genai_tracing", "{err}; content capture stays off");
            CapturePolicy::NoContent
        });
        policy == CapturePolicy::Content
    })
}

/// The environment variable that bounds each attribute value, in bytes (OpenTelemetry's general
/// limit, honoured here for captured content).
pub const ATTRIBUTE_LIMIT_ENV: &str = "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT";

/// A value of [`ATTRIBUTE_LIMIT_ENV`] that is not a positive integer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {ATTRIBUTE_LIMIT_ENV} value {0:?}: expected a positive number of bytes")]
pub struct InvalidAttributeLimit(pub String);

impl CaptureLimits {
    /// The defaults, with `max_bytes` from [`ATTRIBUTE_LIMIT_ENV`] when it is set.
    ///
    /// ```
    /// std::env::set_var(genai_tracing::capture::ATTRIBUTE_LIMIT_ENV, "4096");
    /// assert_eq!(genai_tracing::capture::CaptureLimits::from_env().unwrap().max_bytes, 4096);
    /// std::env::set_var(genai_tracing::capture::ATTRIBUTE_LIMIT_ENV, "lots");
    /// assert!(genai_tracing::capture::CaptureLimits::from_env().is_err());
    /// ```
    pub fn from_env() -> Result<Self, InvalidAttributeLimit> {
        let mut limits = Self::default();
        if let Some(raw) = std::env::var_os(ATTRIBUTE_LIMIT_ENV) {
            let raw = raw.to_string_lossy();
            match raw.trim().parse::<usize>() {
                Ok(n) if n > 0 => limits.max_bytes = n,
                _ => return Err(InvalidAttributeLimit(raw.into_owned())),
            }
        }
        Ok(limits)
    }
}

static LIMITS: LazyLock<RwLock<CaptureLimits>> = LazyLock::new(|| {
    RwLock::new(CaptureLimits::from_env().unwrap_or_else(|err| {
        tracing::warn!(target: "genai_tracing", "{err}; using the default limits");
        CaptureLimits::default()
    }))
});

/// Sets the bounds on captured values, overriding the environment.
///
/// ```
/// use genai_tracing::capture::CaptureLimits;
/// genai_tracing::capture::set_capture_limits(CaptureLimits { max_bytes: 1024, ..CaptureLimits::default() });
/// assert_eq!(genai_tracing::capture::capture_limits().max_bytes, 1024);
/// ```
pub fn set_capture_limits(limits: CaptureLimits) {
    *LIMITS.write().unwrap_or_else(|p| p.into_inner()) = limits;
}

/// The bounds in force (see [`set_capture_limits`]).
pub fn capture_limits() -> CaptureLimits {
    *LIMITS.read().unwrap_or_else(|p| p.into_inner())
}

/// A value that can be captured into a span: anything `serde::Serialize`.
///
/// The macros require it of every argument they capture and of captured results (as
/// [`CapturedArgument`] and [`CapturedResult`]), so a value that cannot be serialised is a
/// compile error that says how to skip it.
///
/// ```
/// use genai_tracing::capture::Capture;
/// #[derive(serde::Serialize)]
/// struct Query { text: String }
/// let q = Query { text: "rust".into() };
/// assert_eq!(q.to_json(), serde_json::json!({"text": "rust"}));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be captured into a span: it does not implement `serde::Serialize`",
    label = "captured as span content",
    note = "derive or implement `serde::Serialize` for `{Self}` and the types inside it; the macros keep a value out of the span with `skip(arg)`, `skip_all`, `skip_result` or `capture = false`"
)]
pub trait Capture {
    /// The value as JSON, within [`capture_limits`] and scrubbed of secrets. Serialisation errors
    /// become a string that says what failed.
    fn to_json(&self) -> Value {
        self.capture_within(&mut Budget::new(capture_limits()))
    }

    /// The value as JSON within what is left of an attribute's budget.
    #[doc(hidden)]
    fn capture_within(&self, budget: &mut Budget) -> Value;
}

// Not recommended: an unserialisable `Vec<T>` is reported as not `Capture`, with this trait's
// message, rather than as its `T` not `Serialize`.
#[diagnostic::do_not_recommend]
impl<T: serde::Serialize + ?Sized> Capture for T {
    fn capture_within(&self, budget: &mut Budget) -> Value {
        bounded::to_value(self, budget)
    }
}

// What the macros require of an argument and of a result they capture: `Capture`, under the
// name of its role, so that a value that is not `serde::Serialize` is a compile error on the
// user's argument or return type that says how to keep it out of the span.

/// An argument the macros record as span content: any [`Capture`] (`serde::Serialize`) type.
///
/// Implemented for every `Serialize` type; the macros require it of each argument they capture,
/// so that one that is not is a compile error naming the fixes: `skip(arg)`, `skip_all`,
/// `capture = false`, or a `Serialize` implementation.
#[diagnostic::on_unimplemented(
    message = "this argument cannot be captured into a span: `{Self}` does not implement `serde::Serialize`",
    label = "captured as span content",
    note = "keep it out of the span with `skip(<this argument>)` (`skip_all` for every argument, `capture = false` for all content), or make it `serde::Serialize` (`#[derive(serde::Serialize)]` on its type and the types inside it)"
)]
pub trait CapturedArgument: Capture {}

#[diagnostic::do_not_recommend]
impl<T: serde::Serialize + ?Sized> CapturedArgument for T {}

/// A result the macros record as span content: any [`Capture`] (`serde::Serialize`) type.
///
/// Implemented for every `Serialize` type; the macros require it of the result they capture (a
/// tool's, an agent's or workflow's, a retrieval's documents, a memory search's records), so that
/// one that is not is a compile error naming the fixes: `skip_result`, `capture = false`, or a
/// `Serialize` implementation.
#[diagnostic::on_unimplemented(
    message = "this result cannot be captured into a span: `{Self}` does not implement `serde::Serialize`",
    label = "captured as span content",
    note = "keep it out of the span with `skip_result` (the arguments are still captured) or `capture = false`, or make it `serde::Serialize` (`#[derive(serde::Serialize)]` on its type and the types inside it)"
)]
pub trait CapturedResult: Capture {}

#[diagnostic::do_not_recommend]
impl<T: serde::Serialize + ?Sized> CapturedResult for T {}

/// Serialises a captured value to bounded, scrubbed JSON (see [`Capture`]).
///
/// ```
/// assert_eq!(genai_tracing::capture::to_json(&(1, "a")), serde_json::json!([1, "a"]));
/// // Non-finite floats have no JSON number: they become strings instead of failing.
/// assert_eq!(genai_tracing::capture::to_json(&f64::NAN), serde_json::json!("NaN"));
/// // Secrets are replaced.
/// assert_eq!(genai_tracing::capture::to_json("key sk-abcdefghijklmnopqrstu"), serde_json::json!("key [REDACTED]"));
/// ```
pub fn to_json<T: Capture + ?Sized>(value: &T) -> Value {
    value.to_json()
}

/// Named values (a function's arguments) as one JSON object sharing one budget; a value under a
/// sensitive name is redacted.
pub(crate) fn arguments_object(args: &[(&str, &dyn Capture)], budget: &mut Budget) -> Value {
    Value::Object(
        args.iter()
            .map(|(name, value)| {
                let v = if scrub::is_sensitive_key(name) {
                    Value::String(REDACTED.into())
                } else {
                    value.capture_within(budget)
                };
                ((*name).to_owned(), v)
            })
            .collect(),
    )
}

/// The JSON `build` makes, after the user's hook, as a string of at most `limits.max_bytes`, or
/// the JSON string `"[truncated]"` (13 bytes) when five passes could not fit it (a limit far below
/// the value's structure).
///
/// The budget counts text; JSON's punctuation and escapes come on top, so when the result is still
/// too long it is built again from the source with a smaller budget. A hook that panicked leaves
/// its marker (see [`run_hook`]), which is not built and hooked again.
pub(crate) fn bounded_json(limits: CaptureLimits, build: impl Fn(&mut Budget) -> Value) -> String {
    let mut max_bytes = limits.max_bytes;
    for _ in 0..5 {
        let mut value = build(&mut Budget::new(CaptureLimits {
            max_bytes,
            ..limits
        }));
        let hooked = run_hook(&mut value);
        let json = value.to_string();
        if json.len() <= limits.max_bytes {
            return json;
        }
        if !hooked {
            break;
        }
        max_bytes = (max_bytes / 2).min(max_bytes.saturating_sub(json.len() - limits.max_bytes));
    }
    "\"[truncated]\"".to_owned()
}

/// A captured value as it goes on a span: text as it is, anything else as JSON.
pub(crate) enum Captured {
    /// The value was a string: plain text, already bounded.
    Text(String),
    /// Any other value: JSON within the limit.
    Json(String),
}

/// The value `build` makes, hooked, as [`Captured`]. Built once in the common case; rebuilt
/// smaller only when its JSON overruns the limit (see [`bounded_json`]). A hook that panicked
/// leaves its marker, as text.
pub(crate) fn text_or_json(
    limits: CaptureLimits,
    build: impl Fn(&mut Budget) -> Value,
) -> Captured {
    let mut value = build(&mut Budget::new(limits));
    // A hook that panicked left its marker: a string.
    let _hooked = run_hook(&mut value);
    match value {
        Value::String(text) => Captured::Text(text),
        other => {
            let json = other.to_string();
            if json.len() <= limits.max_bytes {
                Captured::Json(json)
            } else {
                Captured::Json(bounded_json(limits, build))
            }
        }
    }
}

/// Text that is not content but may quote it (error and panic messages, ids): scrubbed, cut to
/// `max_bytes`, and passed through the user's hook (a hook that panicked leaves its marker, cut
/// to `max_bytes` too).
pub(crate) fn safe_text(text: &str, max_bytes: usize) -> String {
    let limits = CaptureLimits {
        max_bytes,
        ..capture_limits()
    };
    let mut value = Value::String(Budget::new(limits).text(text));
    let hooked = run_hook(&mut value);
    match value {
        Value::String(s) if !hooked && s.len() > max_bytes => Budget::new(limits).text(&s),
        Value::String(s) => s,
        other => other.to_string(),
    }
}
