//! How a call's return value becomes a recording, and a recording a value again.
//!
//! Chosen at the macro's call site on the concrete return type (autoref specialisation, as for
//! errors in `failure.rs`), most specific first:
//!
//! 1. `R: Serialize + DeserializeOwned`: the whole value (a `Result` as `{"Ok": ..}` or
//!    `{"Err": ..}`, serde's own shape);
//! 2. `Result<T, E>` with `T: Serialize + DeserializeOwned` and `E: Display`: `{"Ok": t}`, or
//!    `{"Err": "<e's Display>"}`. A recorded `Err` is served back only if `E: From<String>`;
//! 3. anything else: neither recorded nor replayed.

use std::fmt::Display;
use std::io::{self, Write};
use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Writes a value as JSON.
pub(crate) type Encode<R> = fn(&R, &mut dyn Write) -> serde_json::Result<()>;
/// Reads a value back from its recording.
pub(crate) type Decode<R> = fn(Value) -> Result<R, Declined>;

/// Why a recording was not turned back into a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Declined {
    /// It does not deserialize into the return type (serde's message).
    Mismatch(String),
    /// A recorded `Err` whose error type cannot be built from its message.
    Error,
}

/// How the values of one return type are recorded and replayed (used by the macros' expansion).
#[doc(hidden)]
pub struct Codec<R> {
    pub(crate) encode: Option<Encode<R>>,
    pub(crate) decode: Option<Decode<R>>,
}

impl<R> Codec<R> {
    /// Neither recorded nor replayed.
    pub const NONE: Self = Self {
        encode: None,
        decode: None,
    };
}

impl<R> Clone for Codec<R> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<R> Copy for Codec<R> {}

/// A return type, probed for how its values are recorded (used by the macros' expansion).
///
/// `fn() -> R` keeps the probe `Send`, `Sync` and `'static`-agnostic whatever `R` is.
#[doc(hidden)]
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
#[doc(hidden)]
pub trait ViaSerde<R> {
    fn __codec(&self) -> Codec<R>;
}
impl<R: Serialize + DeserializeOwned> ViaSerde<R> for &&&ReplayProbe<R> {
    fn __codec(&self) -> Codec<R> {
        Codec {
            encode: Some(|value, out| serde_json::to_writer(out, value)),
            decode: Some(|json| serde_json::from_value(json).map_err(mismatch)),
        }
    }
}

/// Level 2a: `{"Ok": t}` or the error's text, an `Err` served back through `From<String>`.
#[doc(hidden)]
pub trait ViaResultFromString<R> {
    fn __codec(&self) -> Codec<R>;
}
impl<T, E> ViaResultFromString<Result<T, E>> for &&ReplayProbe<Result<T, E>>
where
    T: Serialize + DeserializeOwned,
    E: Display + From<String>,
{
    fn __codec(&self) -> Codec<Result<T, E>> {
        Codec {
            encode: Some(encode_shown::<T, E>),
            decode: Some(|json| match read::<T>(json)? {
                Recorded::Ok(t) => Ok(Ok(t)),
                Recorded::Err(message) => Ok(Err(E::from(message))),
            }),
        }
    }
}

/// Level 2b: as 2a, but a recorded `Err` is not served back.
#[doc(hidden)]
pub trait ViaResultDisplay<R> {
    fn __codec(&self) -> Codec<R>;
}
impl<T, E> ViaResultDisplay<Result<T, E>> for &ReplayProbe<Result<T, E>>
where
    T: Serialize + DeserializeOwned,
    E: Display,
{
    fn __codec(&self) -> Codec<Result<T, E>> {
        Codec {
            encode: Some(encode_shown::<T, E>),
            decode: Some(|json| match read::<T>(json)? {
                Recorded::Ok(t) => Ok(Ok(t)),
                Recorded::Err(_) => Err(Declined::Error),
            }),
        }
    }
}

/// Level 3: not recorded, not replayed.
#[doc(hidden)]
pub trait ViaNotReplayable<R> {
    fn __codec(&self) -> Codec<R>;
}
impl<R> ViaNotReplayable<R> for ReplayProbe<R> {
    fn __codec(&self) -> Codec<R> {
        Codec::NONE
    }
}

/// The codec of a return type, chosen on the concrete type (used by the macros' expansion).
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

/// A `Result` whose error is recorded by its text.
#[derive(Serialize)]
enum Shown<'a, T> {
    Ok(&'a T),
    Err(String),
}

/// A recording of a `Result` whose error was recorded by its text.
#[derive(Deserialize)]
enum Recorded<T> {
    Ok(T),
    Err(String),
}

fn encode_shown<T: Serialize, E: Display>(
    value: &Result<T, E>,
    out: &mut dyn Write,
) -> serde_json::Result<()> {
    let shown = match value {
        Ok(t) => Shown::Ok(t),
        Err(e) => Shown::Err(e.to_string()),
    };
    serde_json::to_writer(out, &shown)
}

fn read<T: DeserializeOwned>(json: Value) -> Result<Recorded<T>, Declined> {
    serde_json::from_value(json).map_err(mismatch)
}

fn mismatch(err: serde_json::Error) -> Declined {
    Declined::Mismatch(err.to_string())
}

/// Why a value has no recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unrecorded {
    /// Its type has no recording, or serialising it failed.
    NotSerializable,
    /// Its JSON is longer than the record limit.
    TooLarge,
}

impl Unrecorded {
    /// The value of `genai_tracing.replay.skipped`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Unrecorded::NotSerializable => "not serializable",
            Unrecorded::TooLarge => "too large",
        }
    }
}

/// `value` as JSON of at most `limit` bytes. Serialising stops as soon as the limit is passed, so
/// a huge value costs at most `limit` bytes of memory.
pub(crate) fn encode<R>(
    encode: Option<Encode<R>>,
    value: &R,
    limit: usize,
) -> Result<String, Unrecorded> {
    let encode = encode.ok_or(Unrecorded::NotSerializable)?;
    let mut out = Bounded {
        bytes: Vec::new(),
        limit,
        passed: false,
    };
    match encode(value, &mut out) {
        Ok(()) => String::from_utf8(out.bytes).map_err(|_| Unrecorded::NotSerializable),
        Err(_) if out.passed => Err(Unrecorded::TooLarge),
        Err(_) => Err(Unrecorded::NotSerializable),
    }
}

/// A buffer that refuses to grow past its limit.
struct Bounded {
    bytes: Vec<u8>,
    limit: usize,
    passed: bool,
}

impl Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.bytes.len() + buf.len() > self.limit {
            self.passed = true;
            return Err(io::Error::other("past the record limit"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
