//! What the macros' expansion calls. Not public API: it may change in any release.

pub use crate::__genai_describe_error as describe_error;
pub use crate::__genai_replay as replay;
pub use crate::__genai_span as span;
pub use crate::call::{Call, CallFuture};
pub use crate::capture::Budget;
pub use crate::failure::{
    Failure, ViaDebug, ViaDisplay, ViaErrorType, ViaNoDescription, ViaTypeName,
};
pub use crate::replay::{
    Codec, Replay, ReplayProbe, Replaying, ViaNotReplayable, ViaResultDisplay, ViaResultFromString,
    ViaSerde,
};
pub use crate::retry::{backoff, Attempts, RetryPolicy};
pub use crate::spans::{check_user_field, declared, SpanName};
pub use crate::stream::{Described, StreamReturn, TracedStream};
pub use tracing;

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

/// A function's return value, probed for being a `Result` (used by the macros' expansion).
///
/// Decided on the concrete type, so aliases (`io::Result<T>`, `type Fallible<T> = Result<T, E>`)
/// count as `Result` and a user type that happens to be named `Result` does not.
pub struct OutcomeProbe<'a, R>(pub &'a R);

/// Chosen for a `Result`: its `Ok` and `Err` as they are.
pub trait ViaResult<'a, T, E> {
    fn __outcome(&self) -> Result<&'a T, &'a E>;
}
impl<'a, T, E> ViaResult<'a, T, E> for OutcomeProbe<'a, Result<T, E>> {
    fn __outcome(&self) -> Result<&'a T, &'a E> {
        self.0.as_ref()
    }
}

/// Chosen for any other value: always a success.
pub trait ViaValue<'a, R> {
    fn __outcome(&self) -> Result<&'a R, &'a core::convert::Infallible>;
}
impl<'a, R> ViaValue<'a, R> for &OutcomeProbe<'a, R> {
    fn __outcome(&self) -> Result<&'a R, &'a core::convert::Infallible> {
        Ok(self.0)
    }
}

/// `&R` as `Result<&T, &E>`: a `Result` split, any other value as `Ok`.
#[macro_export]
#[doc(hidden)]
macro_rules! __genai_outcome {
    ($value:expr) => {{
        #[allow(unused_imports)]
        use $crate::__private::{ViaResult as _, ViaValue as _};
        (&$crate::__private::OutcomeProbe($value)).__outcome()
    }};
}
pub use crate::__genai_outcome as outcome;

/// A memory operation's result, probed for being a list of records.
pub struct CountProbe<'a, T: ?Sized>(pub &'a T);

/// Chosen for a `Vec`: its length.
pub trait ViaVec {
    fn __count(&self) -> Option<usize>;
}
impl<T> ViaVec for CountProbe<'_, Vec<T>> {
    fn __count(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

/// Chosen for anything else: unknown.
pub trait ViaNotAList {
    fn __count(&self) -> Option<usize>;
}
impl<T: ?Sized> ViaNotAList for &CountProbe<'_, T> {
    fn __count(&self) -> Option<usize> {
        None
    }
}

/// The number of records in a memory operation's result, when it is a `Vec`.
#[macro_export]
#[doc(hidden)]
macro_rules! __genai_record_count {
    ($value:expr) => {{
        #[allow(unused_imports)]
        use $crate::__private::{ViaNotAList as _, ViaVec as _};
        (&$crate::__private::CountProbe($value)).__count()
    }};
}
pub use crate::__genai_record_count as record_count;

/// A count given to a macro option (`top_k`, `dimensions`) as an OTel int; saturates.
#[inline]
pub fn to_i64<T: TryInto<i64>>(value: T) -> i64 {
    value.try_into().unwrap_or(i64::MAX)
}

/// A `model = ..` or `provider = ..` value as `&str`.
#[inline]
pub fn as_str<T: AsRef<str> + ?Sized>(value: &T) -> &str {
    value.as_ref()
}
