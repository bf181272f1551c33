//! Every combination the macros reject, in one place: of the function's signature, of options
//! with each other, and of options with the function (its arguments, its body, its return
//! type). Each error points at the user's tokens. Checks of one option's own value (an unknown
//! option, a duplicate, an empty name, an unknown operation) are made as it is parsed
//! (`attr.rs`).

use proc_macro2::Span;
use syn::ext::IdentExt as _;
use syn::ItemFn;

use crate::args::Argument;
use crate::attr::{Kind, Options, MEMORY_OPERATIONS};
use crate::body::Body;
use crate::stream_shape::StreamShape;

/// Rejects what cannot run inside a span: `const fn`, and `#[track_caller]` (the body runs in a
/// closure, where the caller's location is not tracked).
pub(crate) fn signature(kind: Kind, item: &ItemFn) -> syn::Result<()> {
    let name = kind.attr_name();
    if let Some(constness) = &item.sig.constness {
        return Err(syn::Error::new_spanned(
            constness,
            format!("#[{name}] cannot be used on a `const fn`"),
        ));
    }
    if let Some(attr) = item
        .attrs
        .iter()
        .find(|a| a.path().is_ident("track_caller"))
    {
        return Err(syn::Error::new_spanned(
            attr,
            format!("#[{name}] cannot be combined with #[track_caller]: the body runs inside the span's scope, where the caller's location is lost"),
        ));
    }
    Ok(())
}

/// The options against each other and against the function's arguments: `skip` beside
/// `skip_all`, `skip(..)` or `query = ..` naming no argument, a model call without `provider`, a
/// memory operation without `operation`, `backoff` without `retry`.
pub(crate) fn options(kind: Kind, options: &Options, arguments: &[Argument]) -> syn::Result<()> {
    if let (Some(all), Some(one)) = (&options.skip_all, options.skip.first()) {
        let mut err = syn::Error::new_spanned(one, "`skip(..)` is redundant with `skip_all`");
        err.combine(syn::Error::new_spanned(all, "`skip_all` given here"));
        return Err(err);
    }
    for skipped in &options.skip {
        let name = skipped.unraw().to_string();
        if !arguments.iter().any(|a| a.name == name) {
            return Err(syn::Error::new_spanned(
                skipped,
                format!("`skip({name})`: this function has no argument named `{name}`"),
            ));
        }
    }
    if matches!(kind, Kind::LlmCall | Kind::Embeddings) && options.provider.is_none() {
        return Err(syn::Error::new(
            Span::call_site(),
            format!(
                "#[{}] needs `provider = \"..\"` (e.g. \"openai\", \"anthropic\"): gen_ai.provider.name is required",
                kind.attr_name()
            ),
        ));
    }
    if let (Kind::Retrieval | Kind::Memory, Some(query)) = (kind, &options.query) {
        let name = query.unraw().to_string();
        if !arguments.iter().any(|a| a.name == name) {
            return Err(syn::Error::new_spanned(
                query,
                format!("`query = {name}`: this function has no argument named `{name}`"),
            ));
        }
    }
    if kind == Kind::Memory && options.operation.is_none() {
        let (last, rest) = MEMORY_OPERATIONS.split_last().expect("operations");
        return Err(syn::Error::new(
            Span::call_site(),
            format!(
                "#[memory] needs `operation = \"..\"`: {} or {last}",
                rest.join(", ")
            ),
        ));
    }
    if let (Some(backoff), None) = (&options.backoff, &options.retry) {
        return Err(syn::Error::new_spanned(
            backoff,
            "`backoff` needs `retry = <attempts>`",
        ));
    }
    Ok(())
}

/// The options against how the body runs: `retry` on a streaming model call (its stream is the
/// caller's once returned) or on an `#[async_trait]` method (its body is one future), and a
/// streaming model call written as an `#[async_trait]` method.
pub(crate) fn body(
    options: &Options,
    body: &Body,
    stream: Option<&StreamShape>,
) -> syn::Result<()> {
    if let Some(stream) = stream {
        if let Some(retry) = &options.retry {
            return Err(syn::Error::new_spanned(
                retry,
                "`retry` is not supported on a streaming #[llm_call]: a stream already handed to the caller cannot be run again",
            ));
        }
        if let Body::AsyncTrait { .. } = body {
            return Err(syn::Error::new_spanned(
                &stream.ty,
                "a streaming #[llm_call] cannot be an #[async_trait] method: return the stream from a plain or `async fn`",
            ));
        }
    }
    if let (Body::AsyncTrait { .. }, Some(retry)) = (body, &options.retry) {
        return Err(syn::Error::new_spanned(
            retry,
            "`retry` is not supported on #[async_trait] methods: its body is a single future that cannot be run again",
        ));
    }
    Ok(())
}
