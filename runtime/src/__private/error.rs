//! How a returned error is described (see `failure.rs`), chosen on the concrete error type at
//! the macro's call site by autoref specialisation: `error.type` from [`ErrorType`] when the
//! error implements it, else its type's name; the description from `Display`, else `Debug`,
//! else none.
//!
//! These run only because the call is traced, so a panic in them is caught: an `ErrorType` that
//! panics gives `error.type = genai_tracing.panic.error_type` and its marker after the
//! description; a `Display` or `Debug` that panics leaves the error's own type and its marker as
//! the description.

use std::any::type_name;
use std::borrow::Cow;
use std::fmt::{Debug, Display};
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::capture::marker;
use crate::failure::{Described, ErrorType};
use crate::semconv::error_type::PANIC_ERROR_TYPE;

/// `f`'s answer, or the marker of its panic (`what` panicked).
fn caught<R>(what: &str, f: impl FnOnce() -> R) -> Result<R, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| marker(what, &*payload))
}

/// The `(error.type, description)` of an error from what its probes said: `error_type` is the
/// marker of a panicking `ErrorType`.
pub fn described(
    error_type: Result<Cow<'static, str>, String>,
    description: Option<String>,
) -> Described {
    match error_type {
        Ok(error_type) => (error_type, description),
        Err(marker) => {
            let description = match description {
                Some(d) => format!("{d} {marker}"),
                None => marker,
            };
            (Cow::Borrowed(PANIC_ERROR_TYPE), Some(description))
        }
    }
}

/// The error of a failed call, probed for how to describe it (used by the macros' expansion).
pub struct Failure<'a, E: ?Sized>(pub &'a E);

pub trait ViaErrorType {
    fn __error_type(&self) -> Result<Cow<'static, str>, String>;
}
impl<E: ErrorType + ?Sized> ViaErrorType for Failure<'_, E> {
    fn __error_type(&self) -> Result<Cow<'static, str>, String> {
        caught("ErrorType", || Cow::Owned(self.0.error_type().to_owned()))
    }
}
pub trait ViaTypeName {
    fn __error_type(&self) -> Result<Cow<'static, str>, String>;
}
impl<E: ?Sized> ViaTypeName for &Failure<'_, E> {
    fn __error_type(&self) -> Result<Cow<'static, str>, String> {
        Ok(Cow::Borrowed(type_name::<E>()))
    }
}

pub trait ViaDisplay {
    fn __describe(&self) -> Option<String>;
}
impl<E: Display + ?Sized> ViaDisplay for &Failure<'_, E> {
    fn __describe(&self) -> Option<String> {
        Some(caught("Display", || self.0.to_string()).unwrap_or_else(|marker| marker))
    }
}
pub trait ViaDebug {
    fn __describe(&self) -> Option<String>;
}
impl<E: Debug + ?Sized> ViaDebug for &&Failure<'_, E> {
    fn __describe(&self) -> Option<String> {
        Some(caught("Debug", || format!("{:?}", self.0)).unwrap_or_else(|marker| marker))
    }
}
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
        $crate::__private::described((&failure).__error_type(), (&&failure).__describe())
    }};
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

    /// Panics in everything the description runs.
    struct Haunted;
    impl super::ErrorType for Haunted {
        fn error_type(&self) -> &str {
            panic!("no kind")
        }
    }
    impl std::fmt::Debug for Haunted {
        fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            panic!("no debug")
        }
    }
    #[derive(Debug)]
    struct Mute;
    impl std::fmt::Display for Mute {
        fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            panic!("no display")
        }
    }

    #[test]
    fn a_panicking_error_type_display_or_debug_is_caught() {
        let (ty, desc) = __genai_describe_error!(&Haunted);
        assert_eq!(ty, crate::semconv::error_type::PANIC_ERROR_TYPE);
        assert_eq!(
            desc.as_deref(),
            Some(
                "[not captured: Debug panicked: no debug] \
                 [not captured: ErrorType panicked: no kind]"
            )
        );
        let (ty, desc) = __genai_describe_error!(&Mute);
        assert!(ty.ends_with("tests::Mute"), "{ty}");
        assert_eq!(
            desc.as_deref(),
            Some("[not captured: Display panicked: no display]")
        );
    }
}
