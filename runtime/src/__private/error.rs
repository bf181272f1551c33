//! How a returned error is described (see `failure.rs`), chosen on the concrete error type at
//! the macro's call site by autoref specialisation: `error.type` from [`ErrorType`] when the
//! error implements it, else its type's name; the description from `Display`, else `Debug`,
//! else none.

use std::any::type_name;
use std::borrow::Cow;
use std::fmt::{Debug, Display};

use crate::failure::ErrorType;

/// The error of a failed call, probed for how to describe it (used by the macros' expansion).
pub struct Failure<'a, E: ?Sized>(pub &'a E);

pub trait ViaErrorType {
    fn __error_type(&self) -> Cow<'static, str>;
}
impl<E: ErrorType + ?Sized> ViaErrorType for Failure<'_, E> {
    fn __error_type(&self) -> Cow<'static, str> {
        Cow::Owned(self.0.error_type().to_owned())
    }
}
pub trait ViaTypeName {
    fn __error_type(&self) -> Cow<'static, str>;
}
impl<E: ?Sized> ViaTypeName for &Failure<'_, E> {
    fn __error_type(&self) -> Cow<'static, str> {
        Cow::Borrowed(type_name::<E>())
    }
}

pub trait ViaDisplay {
    fn __describe(&self) -> Option<String>;
}
impl<E: Display + ?Sized> ViaDisplay for &Failure<'_, E> {
    fn __describe(&self) -> Option<String> {
        Some(self.0.to_string())
    }
}
pub trait ViaDebug {
    fn __describe(&self) -> Option<String>;
}
impl<E: Debug + ?Sized> ViaDebug for &&Failure<'_, E> {
    fn __describe(&self) -> Option<String> {
        Some(format!("{:?}", self.0))
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
        ((&failure).__error_type(), (&&failure).__describe())
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
}
