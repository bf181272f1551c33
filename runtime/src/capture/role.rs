//! What the macros require of an argument and of a result they capture: [`Capture`], under the
//! name of its role, so that a value that is not `serde::Serialize` is a compile error on the
//! user's argument or return type that says how to keep it out of the span.

use super::Capture;

/// An argument the macros record as span content: any [`Capture`] (`serde::Serialize`) type.
///
/// Implemented for every `Serialize` type; the macros require it of each argument they capture,
/// so that one that is not is a compile error naming the fixes: `skip(arg)`, `skip_all`,
/// `capture = false`, or a `Serialize` implementation.
#[diagnostic::on_unimplemented(
    message = "this argument cannot be captured into a span: `{Self}` does not implement `serde::Serialize`",
    label = "captured as span content",
    note = "keep it out of the span with `skip(<this argument>)` (`skip_all` for every argument, `capture = false` for all content), or make it `serde::Serialize` (`#[derive(serde::Serialize)]` on its type and the types inside it)"
)]
pub trait CapturedArgument: Capture {}

#[diagnostic::do_not_recommend]
impl<T: serde::Serialize + ?Sized> CapturedArgument for T {}

/// A result the macros record as span content: any [`Capture`] (`serde::Serialize`) type.
///
/// Implemented for every `Serialize` type; the macros require it of the result they capture (a
/// tool's, an agent's or workflow's, a retrieval's documents, a memory search's records), so that
/// one that is not is a compile error naming the fixes: `skip_result`, `capture = false`, or a
/// `Serialize` implementation.
#[diagnostic::on_unimplemented(
    message = "this result cannot be captured into a span: `{Self}` does not implement `serde::Serialize`",
    label = "captured as span content",
    note = "keep it out of the span with `skip_result` (the arguments are still captured) or `capture = false`, or make it `serde::Serialize` (`#[derive(serde::Serialize)]` on its type and the types inside it)"
)]
pub trait CapturedResult: Capture {}

#[diagnostic::do_not_recommend]
impl<T: serde::Serialize + ?Sized> CapturedResult for T {}
