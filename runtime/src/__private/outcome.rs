//! Whether a function's return value is a `Result`, decided on its concrete type at the macro's
//! call site by autoref specialisation: its `Ok` and `Err`, or any other value as a success.

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
