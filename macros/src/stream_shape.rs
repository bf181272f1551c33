//! How a streaming `#[llm_call]` returns its stream (told from `stream = ..` or the return type),
//! and the closure that moves the call into the stream its body returned.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{GenericArgument, PathArguments, ReturnType, Type};

use crate::attr::{Kind, Options};
use crate::returns::ok_type;

/// How a streaming `#[llm_call]` returns its stream.
pub(crate) struct StreamShape {
    /// Inside a `Result<_, E>`.
    in_result: bool,
    /// `impl Stream<..>`: wrapped as it is. Else a named type, traced in its own type through
    /// the runtime's `StreamReturn`.
    opaque: bool,
    /// The stream's type, for errors.
    pub(crate) ty: Type,
    /// `E` of `impl Stream<Item = Result<_, E>>`: an opaque stream's item error, named for the
    /// closure that describes it (inference reaches the return type too late).
    item_error: Option<Type>,
    /// `C` of `impl Stream<Item = Result<C, _>>`, for errors about it.
    item_chunk: Option<Type>,
}

impl StreamShape {
    /// The closure that moves the call into the stream the body returned (or ends it on `Err`).
    pub(crate) fn wrap(&self, krate: &TokenStream) -> TokenStream {
        let param = match &self.item_error {
            Some(e) => quote!(__gt_error: &#e),
            None => quote!(__gt_error),
        };
        let describe = quote!(|#param| #krate::__private::describe_error!(__gt_error));
        let traced = if self.opaque {
            // The chunks viewed as `dyn ModelChunk` on the chunk type: one that is not is an
            // error there.
            let at = self
                .item_chunk
                .as_ref()
                .map_or(self.ty.span(), Spanned::span);
            let chunk = quote_spanned!(at=> |__gt_chunk| __gt_chunk as &dyn #krate::ModelChunk);
            quote_spanned!(self.ty.span()=> __gt_call.stream(__gt_stream, #describe, #chunk))
        } else {
            // On the stream's type, so a type that is not one (or whose items are not chunks)
            // is an error there.
            let ty = &self.ty;
            quote_spanned!(ty.span()=> <#ty as #krate::__private::StreamReturn>::traced(__gt_stream, __gt_call, #describe))
        };
        if self.in_result {
            quote! {
                |__gt_call: #krate::__private::Call, __gt_result| match __gt_result {
                    ::core::result::Result::Ok(__gt_stream) => ::core::result::Result::Ok(#traced),
                    ::core::result::Result::Err(__gt_error) => {
                        __gt_call.end_failed(#krate::__private::describe_error!(&__gt_error));
                        ::core::result::Result::Err(__gt_error)
                    }
                }
            }
        } else {
            quote!(|__gt_call: #krate::__private::Call, __gt_stream| #traced)
        }
    }
}

/// Whether an `#[llm_call]` streams, from `stream = ..` or its return type: `impl Stream<..>`, a
/// `dyn Stream` (boxed), or a type named `…Stream` (`BoxStream`, async-openai's
/// `ChatCompletionResponseStream`), alone or in a `Result`.
pub(crate) fn stream_shape(
    kind: Kind,
    options: &Options,
    output: &ReturnType,
) -> syn::Result<Option<StreamShape>> {
    if kind != Kind::LlmCall || options.stream.as_ref().is_some_and(|b| !b.value) {
        return Ok(None);
    }
    let ReturnType::Type(_, ty) = output else {
        return Ok(None);
    };
    let (in_result, inner) = match ok_type(ty) {
        Some(ok) => (true, ok),
        None => (false, &**ty),
    };
    let opaque = matches!(inner, Type::ImplTrait(i) if bounds_stream(&i.bounds));
    let named = matches!(inner, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident.to_string().ends_with("Stream")));
    let named = !opaque && (named || dyn_stream(inner));
    let forced = options.stream.as_ref().is_some_and(|b| b.value);
    let item = match inner {
        Type::ImplTrait(i) if opaque => i.bounds.iter().find_map(|b| match b {
            syn::TypeParamBound::Trait(t) => stream_item(&t.path),
            _ => None,
        }),
        _ => None,
    };
    let is_result = |ty: &Type| matches!(ty, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Result"));
    if let Some(item) = item.filter(|item| !is_result(item)) {
        return Err(syn::Error::new_spanned(
            item,
            "a streaming #[llm_call] yields `Result<Chunk, E>` items, so that a failed chunk can end the span in error: wrap the chunks in `Ok` (e.g. `.map(Ok::<_, std::convert::Infallible>)`), or write `stream = false` if this function does not stream",
        ));
    }
    Ok((opaque || named || forced).then(|| StreamShape {
        in_result,
        opaque,
        ty: inner.clone(),
        item_error: item.and_then(|i| result_argument(i, 1)),
        item_chunk: item.and_then(|i| result_argument(i, 0)),
    }))
}

/// `T` of a `Stream<Item = T>` bound.
fn stream_item(stream: &syn::Path) -> Option<&Type> {
    let PathArguments::AngleBracketed(args) = &stream.segments.last()?.arguments else {
        return None;
    };
    args.args.iter().find_map(|a| match a {
        GenericArgument::AssocType(t) if t.ident == "Item" => Some(&t.ty),
        _ => None,
    })
}

/// The argument at `index` of an item type `Result<C, E>`: `C` at 0, `E` at 1.
fn result_argument(item: &Type, index: usize) -> Option<Type> {
    let Type::Path(result) = item else {
        return None;
    };
    let last = result.path.segments.last()?;
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.iter().nth(index)? {
        GenericArgument::Type(e) if last.ident == "Result" => Some(e.clone()),
        _ => None,
    }
}

/// Whether `bounds` name a trait called `Stream`.
fn bounds_stream(
    bounds: &syn::punctuated::Punctuated<syn::TypeParamBound, syn::Token![+]>,
) -> bool {
    bounds.iter().any(|b| {
        matches!(b, syn::TypeParamBound::Trait(t)
            if t.path.segments.last().is_some_and(|s| s.ident == "Stream"))
    })
}

/// Whether a type is or holds a `dyn Stream` (`Pin<Box<dyn Stream<..> + Send>>`).
fn dyn_stream(ty: &Type) -> bool {
    match ty {
        Type::TraitObject(o) => bounds_stream(&o.bounds),
        Type::Path(p) => p.path.segments.iter().any(|s| match &s.arguments {
            PathArguments::AngleBracketed(a) => a
                .args
                .iter()
                .any(|g| matches!(g, GenericArgument::Type(t) if dyn_stream(t))),
            _ => false,
        }),
        Type::Paren(p) => dyn_stream(&p.elem),
        Type::Group(g) => dyn_stream(&g.elem),
        _ => false,
    }
}
