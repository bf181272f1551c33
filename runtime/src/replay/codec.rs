//! How a call's return value becomes a recording, and a recording a value again: the codecs, and
//! the bounded encoding every recording goes through.
//!
//! Which codec a return type gets is chosen at the macro's call site on the concrete type (the
//! autoref probe in `__private/codec.rs`), most specific first:
//!
//! 1. `R: Serialize + DeserializeOwned`: the whole value (a `Result` as `{"Ok": ..}` or
//!    `{"Err": ..}`, serde's own shape);
//! 2. `Result<T, E>` with `T: Serialize + DeserializeOwned` and `E: Display`: `{"Ok": t}`, or
//!    `{"Err": "<e's Display>"}`. A recorded `Err` is served back only if `E: From<String>`;
//! 3. anything else: neither recorded nor replayed.

use std::fmt::Display;
use std::io::{self, Write};

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

impl<R: Serialize + DeserializeOwned> Codec<R> {
    /// The whole value, in serde's shape (a `Result` as `{"Ok": ..}` or `{"Err": ..}`).
    pub fn serde() -> Self {
        Self {
            encode: Some(|value, out| serde_json::to_writer(out, value)),
            decode: Some(|json| serde_json::from_value(json).map_err(mismatch)),
        }
    }
}

impl<T: Serialize + DeserializeOwned, E: Display> Codec<Result<T, E>> {
    /// `{"Ok": t}` or `{"Err": "<e's text>"}`, a recorded `Err` served back through
    /// `From<String>`.
    pub fn result_from_string() -> Self
    where
        E: From<String>,
    {
        Self {
            encode: Some(encode_shown::<T, E>),
            decode: Some(|json| match read::<T>(json)? {
                Recorded::Ok(t) => Ok(Ok(t)),
                Recorded::Err(message) => Ok(Err(E::from(message))),
            }),
        }
    }

    /// As [`Codec::result_from_string`], but a recorded `Err` is not served back.
    pub fn result_display() -> Self {
        Self {
            encode: Some(encode_shown::<T, E>),
            decode: Some(|json| match read::<T>(json)? {
                Recorded::Ok(t) => Ok(Ok(t)),
                Recorded::Err(_) => Err(Declined::Error),
            }),
        }
    }
}

impl<R> Clone for Codec<R> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<R> Copy for Codec<R> {}

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
