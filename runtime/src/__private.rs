//! What the macros' expansion calls. Not public API: it may change in any release.

pub use crate::__genai_describe_error as describe_error;
pub use crate::__genai_span as span;
pub use crate::call::{Call, CallFuture};
pub use crate::failure::{
    Failure, ViaDebug, ViaDisplay, ViaErrorType, ViaNoDescription, ViaTypeName,
};
pub use crate::spans::SpanName;
pub use tracing;

use crate::request::ModelRequest;

/// An argument of an `#[llm_call]`, probed for being a [`ModelRequest`].
pub struct RequestProbe<'a, T>(pub &'a T);

/// Chosen when the argument is a model request.
pub trait ViaModelRequest<'a> {
    fn __model_request(&self) -> Option<&'a dyn ModelRequest>;
}
impl<'a, T: ModelRequest + 'a> ViaModelRequest<'a> for RequestProbe<'a, T> {
    fn __model_request(&self) -> Option<&'a dyn ModelRequest> {
        Some(self.0)
    }
}

/// Chosen for any other argument.
pub trait ViaOtherArgument<'a> {
    fn __model_request(&self) -> Option<&'a dyn ModelRequest>;
}
impl<'a, T> ViaOtherArgument<'a> for &RequestProbe<'a, T> {
    fn __model_request(&self) -> Option<&'a dyn ModelRequest> {
        None
    }
}

/// The first argument that is a [`ModelRequest`], with whether its content may be captured
/// (`false` for a skipped argument: its parameters are still recorded, its messages are not).
#[macro_export]
#[doc(hidden)]
macro_rules! __genai_find_request {
    ($($arg:ident => $content:expr),* $(,)?) => {{
        #[allow(unused_imports)]
        use $crate::__private::{ViaModelRequest as _, ViaOtherArgument as _};
        let found: ::core::option::Option<(&dyn $crate::ModelRequest, bool)> = ::core::option::Option::None;
        $( let found = found.or_else(|| {
            (&$crate::__private::RequestProbe(&$arg)).__model_request().map(|r| (r, $content))
        }); )*
        found
    }};
}
pub use crate::__genai_find_request as find_request;

/// A `model = ..` or `provider = ..` value as `&str`.
#[inline]
pub fn as_str<T: AsRef<str> + ?Sized>(value: &T) -> &str {
    value.as_ref()
}
