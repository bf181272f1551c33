//! How many records a memory operation's result holds: a `Vec`'s length, decided on the concrete
//! type at the macro's call site by autoref specialisation; unknown for anything else.

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
