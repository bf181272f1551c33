//! JSON within bounds: a `serde` serializer that builds a `serde_json::Value` while it limits what
//! it keeps, so a huge, deep or secret-laden value costs bounded time and memory and still yields
//! valid JSON that says what was cut.
//!
//! - strings are cut at a character boundary once the attribute's byte budget is spent, and end
//!   with `…[truncated: kept K of N bytes]`; secrets in them are replaced (see `scrub.rs`);
//! - collections keep at most `max_items` entries and stop when the budget is spent, then end with
//!   `…[N more items]` (a `"…": "N more entries"` key in maps);
//! - nesting deeper than `max_depth` is not serialised at all (no recursion into it) and becomes
//!   `"[depth limit]"`;
//! - values under a sensitive key (`password`, `api_key`, `authorization`, …) become `[REDACTED]`;
//! - floats that JSON cannot hold (NaN, ±∞) become the strings `"NaN"`, `"inf"`, `"-inf"`.

use serde::ser::{self, Serialize};
use serde_json::{Map, Number, Value};

use super::boundary::floor_char_boundary;
use super::scrub::{is_sensitive_key, placeholder, scrub, REDACTED};

/// How much of a captured value is kept.
///
/// ```
/// use genai_tracing::capture::CaptureLimits;
/// let small = CaptureLimits { max_bytes: 4096, ..CaptureLimits::default() };
/// assert_eq!(small.max_depth, 32);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaptureLimits {
    /// Bytes of text (string contents and keys) kept per attribute.
    pub max_bytes: usize,
    /// Nesting levels serialised; deeper values become `"[depth limit]"`.
    pub max_depth: usize,
    /// Entries kept per array or object.
    pub max_items: usize,
}

impl Default for CaptureLimits {
    /// 64 KiB per attribute, 32 levels, 1,000 entries per collection.
    fn default() -> Self {
        Self {
            max_bytes: 64 * 1024,
            max_depth: 32,
            max_items: 1000,
        }
    }
}

/// What is left to spend on one attribute (used by the macros' expansion through [`Capture`](super::Capture)).
#[doc(hidden)]
pub struct Budget {
    remaining: usize,
    limits: CaptureLimits,
}

impl Budget {
    pub(crate) fn new(limits: CaptureLimits) -> Self {
        Self {
            remaining: limits.max_bytes,
            limits,
        }
    }

    fn spend(&mut self, bytes: usize) {
        self.remaining = self.remaining.saturating_sub(bytes);
    }

    /// `text` scrubbed of secrets and cut to what the budget allows.
    ///
    /// Only a window a little longer than what can be kept is scrubbed, so a huge text costs
    /// the window, not its length; the margin lets a secret that straddles the cut be recognised.
    pub(crate) fn text(&mut self, text: &str) -> String {
        if let Some(json) = self.embedded_json(text) {
            return json;
        }
        let window = &text[..floor_char_boundary(text, self.remaining.saturating_add(MARGIN))];
        let clean = scrub(window);
        if clean.len() <= self.remaining && window.len() == text.len() {
            self.spend(clean.len());
            return clean.into_owned();
        }
        // Room for the marker, so the text stays within what was left (unless that is less than
        // the marker itself: then `bounded_json`'s next pass, with a smaller budget, brings it in).
        let room = MARKER_ROOM.min(self.remaining / 2);
        let cut = floor_char_boundary(&clean, self.remaining - room);
        self.remaining = 0;
        format!(
            "{}…[truncated: kept {cut} of {} bytes]",
            &clean[..cut],
            text.len()
        )
    }
}

/// How far past the budget a text is scrubbed, so a secret straddling the cut is still recognised.
const MARGIN: usize = 8 * 1024;

impl Budget {
    /// A string that holds JSON (tool-call arguments arrive that way) is bounded and scrubbed as
    /// the JSON it holds, so a `"password"` inside it is redacted like any other.
    fn embedded_json(&mut self, text: &str) -> Option<String> {
        let trimmed = text.trim_start();
        let looks_like_json = trimmed.starts_with('{') || trimmed.starts_with('[');
        if !looks_like_json || text.len() > self.remaining.saturating_add(MARGIN) {
            return None;
        }
        let value: Value = serde_json::from_str(text).ok()?;
        let bounded = to_value(&value, self);
        // Nothing cut or redacted: the text as it came, not re-serialised.
        Some(match bounded == value {
            true => text.to_owned(),
            false => bounded.to_string(),
        })
    }
}

/// Bytes kept free for the `…[truncated: kept K of N bytes]` marker.
const MARKER_ROOM: usize = 64;

/// Serialises `value` within `budget`; a serialisation error becomes a string saying so, and a
/// `Serialize` that panics the marker `[not captured: Serialize panicked: …]` (within what the
/// budget had before it; the call is told: see `fault.rs`).
pub(crate) fn to_value<T: Serialize + ?Sized>(value: &T, budget: &mut Budget) -> Value {
    let before = budget.remaining;
    let serialized = super::fault::catch(
        crate::semconv::error_type::PANIC_SERIALIZE,
        "Serialize",
        || value.serialize(Bounded { budget, depth: 0 }),
    );
    match serialized {
        Ok(Ok(value)) => value,
        Ok(Err(err)) => Value::String(format!("<not serializable: {err}>")),
        Err(marker) => {
            budget.remaining = before;
            Value::String(budget.text(&marker))
        }
    }
}

struct Bounded<'b> {
    budget: &'b mut Budget,
    depth: usize,
}

type Error = serde_json::Error;

impl<'b> Bounded<'b> {
    fn nested(&mut self) -> Bounded<'_> {
        Bounded {
            budget: self.budget,
            depth: self.depth + 1,
        }
    }

    fn too_deep(&self) -> bool {
        self.depth >= self.budget.limits.max_depth
    }

    fn compound(self, kind: Kind) -> Compound<'b> {
        Compound {
            discard: self.too_deep(),
            budget: self.budget,
            depth: self.depth,
            kind,
            items: Vec::new(),
            map: Map::new(),
            key: None,
            skipped: 0,
        }
    }

    fn number(self, n: impl Into<Number>) -> Result<Value, Error> {
        self.budget.spend(8);
        Ok(Value::Number(n.into()))
    }
}

/// Integers that JSON holds as they are.
macro_rules! numbers {
    ($($method:ident: $ty:ty),*) => {$(
        fn $method(self, v: $ty) -> Result<Value, Error> {
            self.number(v)
        }
    )*};
}

impl<'b> ser::Serializer for Bounded<'b> {
    type Ok = Value;
    type Error = Error;
    type SerializeSeq = Compound<'b>;
    type SerializeTuple = Compound<'b>;
    type SerializeTupleStruct = Compound<'b>;
    type SerializeTupleVariant = Compound<'b>;
    type SerializeMap = Compound<'b>;
    type SerializeStruct = Compound<'b>;
    type SerializeStructVariant = Compound<'b>;

    fn serialize_bool(self, v: bool) -> Result<Value, Error> {
        self.budget.spend(4);
        Ok(Value::Bool(v))
    }
    numbers!(
        serialize_i8: i8,
        serialize_i16: i16,
        serialize_i32: i32,
        serialize_i64: i64,
        serialize_u8: u8,
        serialize_u16: u16,
        serialize_u32: u32,
        serialize_u64: u64
    );
    fn serialize_i128(self, v: i128) -> Result<Value, Error> {
        match i64::try_from(v) {
            Ok(n) => self.number(n),
            Err(_) => self.serialize_str(&v.to_string()),
        }
    }
    fn serialize_u128(self, v: u128) -> Result<Value, Error> {
        match u64::try_from(v) {
            Ok(n) => self.number(n),
            Err(_) => self.serialize_str(&v.to_string()),
        }
    }
    fn serialize_f32(self, v: f32) -> Result<Value, Error> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<Value, Error> {
        match Number::from_f64(v) {
            Some(n) => self.number(n),
            None if v.is_nan() => Ok(Value::String("NaN".into())),
            None if v > 0.0 => Ok(Value::String("inf".into())),
            None => Ok(Value::String("-inf".into())),
        }
    }
    fn serialize_char(self, v: char) -> Result<Value, Error> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<Value, Error> {
        Ok(Value::String(self.budget.text(v)))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Value, Error> {
        // Raw bytes may be anything: keep them readable, invalid UTF-8 replaced.
        let shown = &v[..v.len().min(self.budget.remaining)];
        let mut text = self.budget.text(&String::from_utf8_lossy(shown));
        if shown.len() < v.len() {
            text.push_str(&format!("…[{} bytes]", v.len()));
        }
        Ok(Value::String(text))
    }
    fn serialize_none(self) -> Result<Value, Error> {
        Ok(Value::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value, Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Value, Error> {
        Ok(Value::Null)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value, Error> {
        Ok(Value::Null)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Value, Error> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Value, Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        mut self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Value, Error> {
        if self.too_deep() {
            return Ok(Value::String(DEPTH_LIMIT.into()));
        }
        let inner = value.serialize(self.nested())?;
        Ok(Value::Object(Map::from_iter([(variant.to_owned(), inner)])))
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'b>, Error> {
        Ok(self.compound(Kind::Seq))
    }
    fn serialize_tuple(self, _len: usize) -> Result<Compound<'b>, Error> {
        Ok(self.compound(Kind::Seq))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Compound<'b>, Error> {
        Ok(self.compound(Kind::Seq))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'b>, Error> {
        Ok(self.compound(Kind::SeqVariant(variant)))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'b>, Error> {
        Ok(self.compound(Kind::Map))
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Compound<'b>, Error> {
        Ok(self.compound(Kind::Map))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'b>, Error> {
        Ok(self.compound(Kind::MapVariant(variant)))
    }
}

const DEPTH_LIMIT: &str = "[depth limit]";

enum Kind {
    Seq,
    SeqVariant(&'static str),
    Map,
    MapVariant(&'static str),
}

/// An array or object being built; in `discard` mode (too deep) it serialises nothing.
struct Compound<'b> {
    discard: bool,
    budget: &'b mut Budget,
    depth: usize,
    kind: Kind,
    items: Vec<Value>,
    map: Map<String, Value>,
    key: Option<String>,
    skipped: usize,
}

impl Compound<'_> {
    fn full(&self) -> bool {
        self.discard
            || self.budget.remaining == 0
            || self.items.len() + self.map.len() >= self.budget.limits.max_items
    }

    fn child(&mut self) -> Bounded<'_> {
        Bounded {
            budget: self.budget,
            depth: self.depth + 1,
        }
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        if self.full() {
            self.skipped += 1;
            return Ok(());
        }
        let v = value.serialize(self.child())?;
        self.items.push(v);
        Ok(())
    }

    fn entry<T: Serialize + ?Sized>(&mut self, key: String, value: &T) -> Result<(), Error> {
        if self.full() {
            self.skipped += 1;
            return Ok(());
        }
        // Keys are text too: scrubbed, and cut when they would overrun the budget.
        let key = self.budget.text(&key);
        let mut v = value.serialize(self.child())?;
        if is_sensitive_key(&key) {
            redact_scalars(&mut v);
        }
        self.map.insert(key, v);
        Ok(())
    }

    fn finish(mut self) -> Value {
        if self.discard {
            return Value::String(DEPTH_LIMIT.into());
        }
        let value = match self.kind {
            Kind::Seq | Kind::SeqVariant(_) => {
                if self.skipped > 0 {
                    self.items
                        .push(Value::String(format!("…[{} more items]", self.skipped)));
                }
                Value::Array(self.items)
            }
            Kind::Map | Kind::MapVariant(_) => {
                if self.skipped > 0 {
                    self.map.insert(
                        "…".into(),
                        Value::String(format!("{} more entries", self.skipped)),
                    );
                }
                redact_named_value(&mut self.map);
                Value::Object(self.map)
            }
        };
        match self.kind {
            Kind::SeqVariant(variant) | Kind::MapVariant(variant) => {
                Value::Object(Map::from_iter([(variant.to_owned(), value)]))
            }
            Kind::Seq | Kind::Map => value,
        }
    }
}

/// A value under a sensitive key: its strings and numbers, in arrays too, become [`REDACTED`];
/// an object keeps its entries (their own keys decided what they hide: `"password": {"type":
/// "string"}` is a schema, not a secret), and nulls, booleans and placeholders (`"${TOKEN}"`,
/// `"<your key>"`) hold no secret.
fn redact_scalars(value: &mut Value) {
    match value {
        Value::String(s) if placeholder(s) => {}
        Value::String(_) | Value::Number(_) => *value = Value::String(REDACTED.into()),
        Value::Array(items) => items.iter_mut().for_each(redact_scalars),
        Value::Object(_) | Value::Null | Value::Bool(_) => {}
    }
}

/// A secret's name and value in fields of their own: `{"name": "DB_PASSWORD", "value": "…"}`
/// (Kubernetes and ECS environments, key-value tool arguments), `{"sensitive": true, "value":
/// "…"}` (Terraform outputs): the value is redacted as if it were under the name.
fn redact_named_value(map: &mut Map<String, Value>) {
    let named = ["name", "Name", "key", "Key"].iter().any(|k| {
        map.get(*k)
            .and_then(Value::as_str)
            .is_some_and(is_sensitive_key)
    });
    let sensitive = map.get("sensitive") == Some(&Value::Bool(true));
    if named || sensitive {
        for key in ["value", "Value"] {
            if let Some(v) = map.get_mut(key) {
                redact_scalars(v);
            }
        }
    }
}

/// The element-wise compound traits all push an element.
macro_rules! elements {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for Compound<'_> {
            type Ok = Value;
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                self.element(value)
            }
            fn end(self) -> Result<Value, Error> {
                Ok(self.finish())
            }
        }
    )*};
}

elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for Compound<'_> {
    type Ok = Value;
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.key = Some(key.serialize(KeySerializer)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let key = self.key.take().unwrap_or_default();
        self.entry(key, value)
    }
    fn end(self) -> Result<Value, Error> {
        Ok(self.finish())
    }
}

/// The field-wise compound traits all add an entry.
macro_rules! fields {
    ($($trait:ident),*) => {$(
        impl ser::$trait for Compound<'_> {
            type Ok = Value;
            type Error = Error;
            fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
                self.entry(key.to_owned(), value)
            }
            fn end(self) -> Result<Value, Error> {
                Ok(self.finish())
            }
        }
    )*};
}

fields!(SerializeStruct, SerializeStructVariant);

/// Map keys as strings, as JSON requires: strings, chars, numbers and bools are accepted.
struct KeySerializer;

fn key_error() -> Error {
    ser::Error::custom("a map key must be a string, a number or a bool")
}

/// Keys that are numbers become their decimal text.
macro_rules! key_to_string {
    ($($method:ident: $ty:ty),*) => {$(
        fn $method(self, v: $ty) -> Result<String, Error> {
            Ok(v.to_string())
        }
    )*};
}

impl ser::Serializer for KeySerializer {
    type Ok = String;
    type Error = Error;
    type SerializeSeq = ser::Impossible<String, Error>;
    type SerializeTuple = ser::Impossible<String, Error>;
    type SerializeTupleStruct = ser::Impossible<String, Error>;
    type SerializeTupleVariant = ser::Impossible<String, Error>;
    type SerializeMap = ser::Impossible<String, Error>;
    type SerializeStruct = ser::Impossible<String, Error>;
    type SerializeStructVariant = ser::Impossible<String, Error>;

    fn serialize_bool(self, v: bool) -> Result<String, Error> {
        Ok(v.to_string())
    }
    key_to_string!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64);
    key_to_string!(serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64);
    key_to_string!(serialize_f32: f32, serialize_f64: f64);
    fn serialize_char(self, v: char) -> Result<String, Error> {
        Ok(v.to_string())
    }
    fn serialize_str(self, v: &str) -> Result<String, Error> {
        Ok(v.to_owned())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<String, Error> {
        Ok(String::from_utf8_lossy(v).into_owned())
    }
    fn serialize_none(self) -> Result<String, Error> {
        Err(key_error())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<String, Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<String, Error> {
        Err(key_error())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<String, Error> {
        Err(key_error())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<String, Error> {
        Ok(variant.to_owned())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<String, Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<String, Error> {
        Err(key_error())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(key_error())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Error> {
        Err(key_error())
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        Err(key_error())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(key_error())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(key_error())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Error> {
        Err(key_error())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(key_error())
    }
}
