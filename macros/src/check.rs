//! Every combination the macros reject, in one place: of the function's signature, of options
//! with each other, and of options with the function (its arguments, its body, its return
//! type). Each error points at the user's tokens. Checks of one option's own value (an unknown
//! option, a duplicate, an empty name, an unknown operation) are made as it is parsed
//! (`attr.rs`).

use proc_macro2::Span;
use quote::ToTokens;
use syn::ext::IdentExt as _;
use syn::{ItemFn, ReturnType, Type};

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

/// The options against each other and against the function's arguments: what is captured
/// (see [`capture`]), `skip(..)` or `query = ..` naming no argument, a model call without
/// `provider`, a memory operation without `operation`, `backoff` without `retry`.
pub(crate) fn options(kind: Kind, options: &Options, arguments: &[Argument]) -> syn::Result<()> {
    capture(kind, options, arguments)?;
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

/// What is captured: `skip(..)` names arguments, `skip_all` every argument, `skip_result` the
/// result, `capture = false` all of it, `capture = true` turns capture on whatever the process
/// policy says. Rejected: a skip that another option already implies (`skip(..)` beside
/// `skip_all`; any skip beside `capture = false`), `capture = true` with nothing left to capture,
/// and `skip_result` on a memory operation that records no result.
fn capture(kind: Kind, options: &Options, arguments: &[Argument]) -> syn::Result<()> {
    // `what` is redundant with `by`, whose option is `by_name` (`why`: what it does instead).
    let redundant =
        |what: &dyn ToTokens, name: &str, by: &dyn ToTokens, by_name: &str, why: &str| {
            let mut err =
                syn::Error::new_spanned(what, format!("{name} is redundant with {by_name}{why}"));
            err.combine(syn::Error::new_spanned(by, format!("{by_name} given here")));
            Err(err)
        };
    if let (Some(all), Some(one)) = (&options.skip_all, options.skip.first()) {
        return redundant(one, "`skip(..)`", all, "`skip_all`", "");
    }
    if let Some(off) = options.capture.as_ref().filter(|c| !c.value) {
        let (off_name, why) = ("`capture = false`", ", which records no content at all");
        if let Some(one) = options.skip.first() {
            return redundant(one, "`skip(..)`", off, off_name, why);
        }
        if let Some(all) = &options.skip_all {
            return redundant(all, "`skip_all`", off, off_name, why);
        }
        if let Some(result) = &options.skip_result {
            return redundant(result, "`skip_result`", off, off_name, why);
        }
    }
    if let (Kind::Memory, Some(result), Some(op)) = (kind, &options.skip_result, &options.operation)
    {
        if op.value() != "search_memory" {
            return Err(syn::Error::new_spanned(
                result,
                format!(
                    "`skip_result`: a {:?} operation records no result (only a \"search_memory\" records what it returns); to keep the records it writes out, skip its arguments with `skip(..)` or `skip_all`",
                    op.value()
                ),
            ));
        }
    }
    if let (Some(on), Some(_)) = (
        options.capture.as_ref().filter(|c| c.value),
        &options.skip_result,
    ) {
        if arguments.iter().all(|a| a.skipped) {
            return Err(syn::Error::new_spanned(
                on,
                "`capture = true` captures nothing here: `skip_result` keeps the result out and no argument is captured; drop `capture = true`, or write `capture = false`",
            ));
        }
    }
    Ok(())
}

/// `skip_result` on a function that returns nothing to record (`()`, no return type, `!`);
/// `output` is what the body returns (an `#[async_trait]` method's future's output).
pub(crate) fn result(options: &Options, output: &ReturnType) -> syn::Result<()> {
    let Some(skip_result) = &options.skip_result else {
        return Ok(());
    };
    let nothing = match output {
        ReturnType::Default => true,
        ReturnType::Type(_, ty) => {
            matches!(&**ty, Type::Never(_)) || matches!(&**ty, Type::Tuple(t) if t.elems.is_empty())
        }
    };
    if nothing {
        return Err(syn::Error::new_spanned(
            skip_result,
            "`skip_result`: this function returns nothing to record; drop `skip_result`",
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
