//! Which codec records a call's return value (see `replay/codec.rs`), chosen on the concrete
//! return type at the macro's call site by autoref specialisation, most specific first: the
//! whole value (`Serialize + DeserializeOwned`), a `Result` whose error is recorded by its text
//! and served back through `From<String>`, the same without serving an `Err` back, nothing.

use std::fmt::Display;
use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::replay::codec::Codec;

/// A return type, probed for how its values are recorded.
///
/// `fn() -> R` keeps the probe `Send`, `Sync` and `'static`-agnostic whatever `R` is.
pub struct ReplayProbe<R>(PhantomData<fn() -> R>);

impl<R> ReplayProbe<R> {
    /// The probe of `R`.
    pub const fn new() -> Self {
        Self(PhantomData)
    }
}

impl<R> Default for ReplayProbe<R> {
    fn default() -> Self {
        Self::new()
    }
}

/// Level 1: the whole value.
pub trait ViaSerde<R> {
    /// The codec of `R`.
    fn __codec(&self) -> Codec<R>;
}
impl<R: Serialize + DeserializeOwned> ViaSerde<R> for &&&ReplayProbe<R> {
    fn __codec(&self) -> Codec<R> {
        Codec::serde()
    }
}

/// Level 2a: `{"Ok": t}` or the error's text, an `Err` served back through `From<String>`.
pub trait ViaResultFromString<R> {
    /// The codec of `R`.
    fn __codec(&self) -> Codec<R>;
}
impl<T, E> ViaResultFromString<Result<T, E>> for &&ReplayProbe<Result<T, E>>
where
    T: Serialize + DeserializeOwned,
    E: Display + From<String>,
{
    fn __codec(&self) -> Codec<Result<T, E>> {
        Codec::result_from_string()
    }
}

/// Level 2b: as 2a, but a recorded `Err` is not served back.
pub trait ViaResultDisplay<R> {
    /// The codec of `R`.
    fn __codec(&self) -> Codec<R>;
}
impl<T, E> ViaResultDisplay<Result<T, E>> for &ReplayProbe<Result<T, E>>
where
    T: Serialize + DeserializeOwned,
    E: Display,
{
    fn __codec(&self) -> Codec<Result<T, E>> {
        Codec::result_display()
    }
}

/// Level 3: not recorded, not replayed.
pub trait ViaNotReplayable<R> {
    /// The codec of `R`.
    fn __codec(&self) -> Codec<R>;
}
impl<R> ViaNotReplayable<R> for ReplayProbe<R> {
    fn __codec(&self) -> Codec<R> {
        Codec::NONE
    }
}

/// The codec of a return type, chosen on the concrete type.
#[macro_export]
#[doc(hidden)]
macro_rules! __genai_codec {
    ($ty:ty) => {{
        #[allow(unused_imports)]
        use $crate::__private::{
            ViaNotReplayable as _, ViaResultDisplay as _, ViaResultFromString as _, ViaSerde as _,
        };
        (&&&&$crate::__private::ReplayProbe::<$ty>::new()).__codec()
    }};
}

#[cfg(test)]
mod tests {
    use std::fmt::Display;

    use serde::{Deserialize, Serialize};

    use crate::replay::codec::{encode, Codec, Declined, Unrecorded};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Page {
        title: String,
    }

    #[derive(Debug, PartialEq)]
    struct Opaque(String);
    impl Display for Opaque {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "opaque: {}", self.0)
        }
    }

    #[derive(Debug, PartialEq)]
    struct Buildable(String);
    impl Display for Buildable {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(&self.0)
        }
    }
    impl From<String> for Buildable {
        fn from(s: String) -> Self {
            Self(s)
        }
    }

    fn json<R>(codec: Codec<R>, value: &R) -> Result<String, Unrecorded> {
        encode(codec.encode, value, 1 << 20)
    }

    fn back<R>(codec: Codec<R>, json: &str) -> Result<R, Declined> {
        (codec.decode.expect("replayable"))(serde_json::from_str(json).unwrap())
    }

    #[test]
    fn a_serde_type_is_recorded_whole_a_result_in_serdes_shape() {
        let codec = __genai_codec!(Result<f64, String>);
        assert_eq!(json(codec, &Ok(2.5)).unwrap(), r#"{"Ok":2.5}"#);
        assert_eq!(
            json(codec, &Err("nope".into())).unwrap(),
            r#"{"Err":"nope"}"#
        );
        assert_eq!(back(codec, r#"{"Err":"nope"}"#), Ok(Err("nope".to_owned())));
        let codec = __genai_codec!(Page);
        let page = Page {
            title: "Rust".into(),
        };
        assert_eq!(back(codec, &json(codec, &page).unwrap()), Ok(page));
        assert!(matches!(
            back(codec, r#"{"name": 1}"#),
            Err(Declined::Mismatch(m)) if m.contains("title")
        ));
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Coded {
        code: u16,
    }
    impl Display for Coded {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "code {}", self.code)
        }
    }

    #[test]
    fn a_serde_error_is_recorded_whole_not_by_its_text() {
        let codec = __genai_codec!(Result<u8, Coded>);
        let failed = Err(Coded { code: 503 });
        assert_eq!(json(codec, &failed).unwrap(), r#"{"Err":{"code":503}}"#);
        assert_eq!(back(codec, r#"{"Err":{"code":503}}"#), Ok(failed));
    }

    #[test]
    fn a_result_with_a_display_error_records_the_errors_text() {
        let codec = __genai_codec!(Result<Page, Opaque>);
        assert_eq!(
            json(codec, &Err(Opaque("gone".into()))).unwrap(),
            r#"{"Err":"opaque: gone"}"#
        );
        assert_eq!(
            back(codec, r#"{"Ok":{"title":"a"}}"#),
            Ok(Ok(Page { title: "a".into() }))
        );
        // Not `From<String>`: an `Err` cannot be built again.
        assert_eq!(
            back(codec, r#"{"Err":"opaque: gone"}"#),
            Err(Declined::Error)
        );
        let codec = __genai_codec!(Result<Page, Buildable>);
        assert_eq!(
            back(codec, r#"{"Err":"gone"}"#),
            Ok(Err(Buildable("gone".into())))
        );
    }

    #[test]
    fn anything_else_is_not_recorded() {
        struct Handle;
        let codec = __genai_codec!(Handle);
        assert!(codec.encode.is_none() && codec.decode.is_none());
        assert_eq!(json(codec, &Handle), Err(Unrecorded::NotSerializable));
        // An error neither serde nor Display.
        let codec = __genai_codec!(Result<u8, Handle>);
        assert!(codec.decode.is_none());
    }

    #[test]
    fn the_limit_bounds_the_json_exactly() {
        let codec = __genai_codec!(String);
        // Ten characters and two quotes.
        let text = "x".repeat(10);
        assert_eq!(encode(codec.encode, &text, 12).unwrap().len(), 12);
        assert_eq!(encode(codec.encode, &text, 11), Err(Unrecorded::TooLarge));
        // Serialising fails for a reason of its own: a map with non-string keys.
        let codec = __genai_codec!(std::collections::BTreeMap<(u8, u8), u8>);
        let map = [((1, 2), 3)].into_iter().collect();
        assert_eq!(
            encode(codec.encode, &map, 1 << 20),
            Err(Unrecorded::NotSerializable)
        );
    }
}
