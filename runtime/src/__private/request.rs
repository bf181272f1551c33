//! Which argument of an `#[llm_call]` is its request: the first whose type is a
//! [`ModelRequest`], found on the concrete types at the macro's call site by autoref
//! specialisation.

use crate::model::ModelRequest;

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
#[doc(hidden)]
#[macro_export]
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
