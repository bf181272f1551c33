//! How a failed call is described: its `error.type` and its status description.
//!
//! A returned `Err(e)` is described by [`ErrorType`] when `e`'s type implements it, else by the
//! type's name; the status description is `e`'s `Display` (else `Debug`) text. The choice is made
//! at the call site of the macro, on the concrete error type ("autoref specialisation"), so the
//! user only implements [`ErrorType`] when they want a low-cardinality kind of their own.

use std::any::{type_name, Any};
use std::borrow::Cow;
use std::fmt::{Debug, Display};

/// A low-cardinality class for `error.type`, chosen by the error itself.
///
/// Without it, `error.type` is the error's type name (for example `std::io::error::Error`).
///
/// ```
/// #[derive(Debug)]
/// enum FetchError { Timeout, RateLimited }
/// impl genai_tracing::ErrorType for FetchError {
///     fn error_type(&self) -> &str {
///         match self { FetchError::Timeout => "timeout", FetchError::RateLimited => "rate_limited" }
///     }
/// }
/// ```
pub trait ErrorType {
    /// The value of `error.type` for this error, e.g. `timeout`.
    fn error_type(&self) -> &str;
}

/// `error.type` of a call that panicked.
pub const PANIC: &str = "panic";
/// `error.type` of a future dropped before it completed.
pub const CANCELLED: &str = "cancelled";

/// The error of a failed call, probed for how to describe it (used by the macros' expansion).
#[doc(hidden)]
pub struct Failure<'a, E: ?Sized>(pub &'a E);

#[doc(hidden)]
pub trait ViaErrorType {
    fn __error_type(&self) -> Cow<'static, str>;
}
impl<E: ErrorType + ?Sized> ViaErrorType for Failure<'_, E> {
    fn __error_type(&self) -> Cow<'static, str> {
        Cow::Owned(self.0.error_type().to_owned())
    }
}
#[doc(hidden)]
pub trait ViaTypeName {
    fn __error_type(&self) -> Cow<'static, str>;
}
impl<E: ?Sized> ViaTypeName for &Failure<'_, E> {
    fn __error_type(&self) -> Cow<'static, str> {
        Cow::Borrowed(type_name::<E>())
    }
}

#[doc(hidden)]
pub trait ViaDisplay {
    fn __describe(&self) -> Option<String>;
}
impl<E: Display + ?Sized> ViaDisplay for &Failure<'_, E> {
    fn __describe(&self) -> Option<String> {
        Some(self.0.to_string())
    }
}
#[doc(hidden)]
pub trait ViaDebug {
    fn __describe(&self) -> Option<String>;
}
impl<E: Debug + ?Sized> ViaDebug for &&Failure<'_, E> {
    fn __describe(&self) -> Option<String> {
        Some(format!("{:?}", self.0))
    }
}
#[doc(hidden)]
pub trait ViaNoDescription {
    fn __describe(&self) -> Option<String>;
}
impl<E: ?Sized> ViaNoDescription for Failure<'_, E> {
    fn __describe(&self) -> Option<String> {
        None
    }
}

/// Describes an error value at the macro's call site: `(error.type, description)`.
#[doc(hidden)]
#[macro_export]
macro_rules! __genai_describe_error {
    ($e:expr) => {{
        #[allow(unused_imports)]
        use $crate::__private::{
            ViaDebug, ViaDisplay, ViaErrorType, ViaNoDescription, ViaTypeName,
        };
        let failure = $crate::__private::Failure($e);
        ((&failure).__error_type(), (&&failure).__describe())
    }};
}

/// The message of a panic payload (`&str` or `String`), if it has one.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
}

/// Adds an OpenTelemetry `exception` event to `span`: `exception.type`, the message (scrubbed and
/// bounded) and any `extra` attributes. For failures that do not end the span: a retried attempt,
/// a hosted tool whose host decides the status.
pub(crate) fn exception_event(
    span: &tracing::Span,
    error_type: &str,
    message: Option<&str>,
    extra: Option<opentelemetry::KeyValue>,
) {
    use opentelemetry::KeyValue;
    use tracing_opentelemetry::OpenTelemetrySpanExt as _;

    use crate::capture::{capture_limits, safe_text};
    use crate::semconv as sc;

    let mut attributes = vec![KeyValue::new(sc::EXCEPTION_TYPE, error_type.to_owned())];
    attributes.extend(extra);
    if let Some(message) = message {
        attributes.push(KeyValue::new(
            sc::EXCEPTION_MESSAGE,
            safe_text(message, capture_limits().max_bytes),
        ));
    }
    span.add_event(sc::EXCEPTION_EVENT, attributes);
}

#[cfg(test)]
mod tests {

    #[derive(Debug)]
    struct Plain;
    struct Opaque;
    #[derive(Debug)]
    struct Kinded;
    impl super::ErrorType for Kinded {
        fn error_type(&self) -> &str {
            "rate_limited"
        }
    }
    impl std::fmt::Display for Kinded {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("slow down")
        }
    }

    #[test]
    fn error_type_prefers_the_trait_then_the_type_name() {
        let (ty, desc) = __genai_describe_error!(&Kinded);
        assert_eq!(
            (ty.as_ref(), desc.as_deref()),
            ("rate_limited", Some("slow down"))
        );
        let (ty, desc) = __genai_describe_error!(&Plain);
        assert!(ty.ends_with("tests::Plain"), "{ty}");
        assert_eq!(desc.as_deref(), Some("Plain"));
        let (ty, desc) = __genai_describe_error!(&Opaque);
        assert!(ty.ends_with("tests::Opaque"), "{ty}");
        assert_eq!(desc, None);
        let (ty, desc) = __genai_describe_error!(&String::from("boom"));
        assert_eq!(
            (ty.as_ref(), desc.as_deref()),
            ("alloc::string::String", Some("boom"))
        );
    }
}
