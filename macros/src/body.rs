//! How the body runs inside the call: the statements of an `async fn` as an `async move` block
//! (or an `#[async_trait]` method's future, instrumented in place), of a plain `fn` as a
//! closure; through the replay hooks for a tool or non-streaming model call, in a retry loop
//! with `retry = N`, into the returned stream for a streaming model call; with the `finish`
//! closure that records how it ended.
//!
//! Every argument is moved into the closure or block (`let _ = &arg;` at its top), even one the
//! body never mentions: it is then dropped as the body ends, inside the span, so that a `Drop`
//! that panics ends the call as panicked rather than after a span exported as a success.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Block, Expr, ExprAsync, FnArg, ItemFn, Pat, ReturnType, Stmt, Type};

use crate::attr::{Kind, Options};
use crate::returns::{fake_return, future_output, ok_type};
use crate::stream_shape::StreamShape;

/// The shape of the function's body.
pub(crate) enum Body<'a> {
    /// `async fn`: the statements become an `async move` block.
    Async(&'a Block),
    /// A fn rewritten by `#[async_trait]`: `Box::pin(async move { .. })`, whose future is
    /// instrumented in place.
    AsyncTrait {
        pin: &'a Expr,
        future: &'a ExprAsync,
    },
    /// A plain fn: the statements become a closure.
    Sync(&'a Block),
}

/// The shape of `item`'s body.
pub(crate) fn body_of(item: &ItemFn) -> Body<'_> {
    if item.sig.asyncness.is_some() {
        return Body::Async(&item.block);
    }
    if let [Stmt::Expr(Expr::Call(call), None)] = item.block.stmts.as_slice() {
        let is_pin = matches!(&*call.func, Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "pin"));
        if let (true, 1, Some(Expr::Async(future))) = (is_pin, call.args.len(), call.args.first()) {
            if future.capture.is_some() {
                return Body::AsyncTrait {
                    pin: &call.func,
                    future,
                };
            }
        }
    }
    Body::Sync(&item.block)
}

/// The body's statements run inside the call (`__gt_call`), through the replay hooks when
/// `replayed`, to the function's result.
pub(crate) fn run(
    krate: &TokenStream,
    kind: Kind,
    options: &Options,
    item: &ItemFn,
    stream: Option<&StreamShape>,
    replayed: bool,
) -> TokenStream {
    let (run, instrument, replay_arg) = if replayed {
        (
            quote!(run_replayable),
            quote!(instrument_replayable),
            Some(quote!(__gt_replay,)),
        )
    } else {
        (quote!(run), quote!(instrument), None)
    };
    // The result is not recorded: capture off, or `skip_result`.
    let result_off =
        options.capture.as_ref().is_some_and(|b| !b.value) || options.skip_result.is_some();
    let search = options
        .operation
        .as_ref()
        .is_some_and(|o| o.value() == "search_memory");
    // `#[async_trait]` moves every argument into its block itself.
    let moved = moved_arguments(item);
    match (body_of(item), retry(krate, options)) {
        (Body::Async(block) | Body::Sync(block), _) if stream.is_some() => {
            let wrap = stream.map(|s| s.wrap(krate));
            let fake_return = fake_return(&item.sig.output);
            let stmts = &block.stmts;
            if item.sig.asyncness.is_some() {
                quote! {
                    __gt_call.streaming().stream_future(async move { #moved #fake_return #(#stmts)* }, #wrap).await
                }
            } else {
                quote! {
                    __gt_call.streaming().run_stream(move || { #moved #fake_return #(#stmts)* }, #wrap)
                }
            }
        }
        // `check.rs` refuses `retry` here: the body is a single future.
        (Body::AsyncTrait { pin, future }, _) => {
            let output = future_output(&item.sig.output);
            let finish = finish(krate, kind, &output, result_off, search);
            quote!(#pin(__gt_call.#instrument(#replay_arg #future, #finish)))
        }
        (Body::Async(block) | Body::Sync(block), retry) => {
            let finish = finish(krate, kind, &item.sig.output, result_off, search);
            let fake_return = fake_return(&item.sig.output);
            let stmts = &block.stmts;
            let is_async = item.sig.asyncness.is_some();
            match (is_async, retry) {
                (true, None) => quote! {
                    __gt_call.#instrument(#replay_arg async move { #moved #fake_return #(#stmts)* }, #finish).await
                },
                (true, Some((policy, failure))) => quote! {
                    let mut __gt_attempts = #krate::__private::Attempts::new(&__gt_call, #policy);
                    __gt_call.#instrument(#replay_arg async move {
                        #moved
                        loop {
                            let __gt_result = async { #fake_return #(#stmts)* }.await;
                            match __gt_attempts.after(#failure) {
                                ::core::option::Option::Some(wait) => #krate::__private::backoff(wait).await,
                                ::core::option::Option::None => break __gt_result,
                            }
                        }
                    }, #finish).await
                },
                (false, None) => quote! {
                    __gt_call.#run(#replay_arg move || { #moved #fake_return #(#stmts)* }, #finish)
                },
                (false, Some((policy, failure))) => quote! {
                    let mut __gt_attempts = #krate::__private::Attempts::new(&__gt_call, #policy);
                    __gt_call.#run(#replay_arg move || {
                        #moved
                        loop {
                            #[allow(clippy::redundant_closure_call)]
                            let __gt_result = (|| { #fake_return #(#stmts)* })();
                            match __gt_attempts.after(#failure) {
                                ::core::option::Option::Some(wait) => ::std::thread::sleep(wait),
                                ::core::option::Option::None => break __gt_result,
                            }
                        }
                    }, #finish)
                },
            }
        }
    }
}

/// `let _ = &arg;` for every binding of the function's arguments (`self` included), which moves
/// it into the `move` closure or `async move` block of the body, to be dropped as the body ends,
/// inside the span. A `#[cfg]`-gated argument's statement carries its `#[cfg]`; one gated by
/// `#[cfg_attr]` (which may hide anything) is left where it is.
fn moved_arguments(item: &ItemFn) -> TokenStream {
    fn bindings<'p>(pat: &'p Pat, out: &mut Vec<&'p syn::Ident>) {
        match pat {
            Pat::Ident(p) => {
                out.push(&p.ident);
                if let Some((_, sub)) = &p.subpat {
                    bindings(sub, out);
                }
            }
            Pat::Tuple(t) => t.elems.iter().for_each(|p| bindings(p, out)),
            Pat::TupleStruct(t) => t.elems.iter().for_each(|p| bindings(p, out)),
            Pat::Struct(s) => s.fields.iter().for_each(|f| bindings(&f.pat, out)),
            Pat::Slice(s) => s.elems.iter().for_each(|p| bindings(p, out)),
            Pat::Reference(r) => bindings(&r.pat, out),
            Pat::Paren(p) => bindings(&p.pat, out),
            Pat::Type(t) => bindings(&t.pat, out),
            // Every alternative binds the same names.
            Pat::Or(o) => o.cases.iter().take(1).for_each(|p| bindings(p, out)),
            _ => {}
        }
    }
    item.sig
        .inputs
        .iter()
        .map(|input| match input {
            FnArg::Receiver(r) => {
                let this = &r.self_token;
                quote!(let _ = &#this;)
            }
            FnArg::Typed(t) => {
                let attrs = &t.attrs;
                if attrs.iter().any(|a| a.path().is_ident("cfg_attr")) {
                    return TokenStream::new();
                }
                let mut idents = Vec::new();
                bindings(&t.pat, &mut idents);
                let cfgs: Vec<_> = attrs.iter().filter(|a| a.path().is_ident("cfg")).collect();
                match (idents.is_empty(), cfgs.is_empty()) {
                    (true, _) => TokenStream::new(),
                    (false, true) => quote!(#(let _ = &#idents;)*),
                    (false, false) => quote!(#(#cfgs)* { #(let _ = &#idents;)* }),
                }
            }
        })
        .collect()
}

/// With `retry = N`: the retry policy, and the expression describing how an attempt ended.
fn retry(krate: &TokenStream, options: &Options) -> Option<(TokenStream, TokenStream)> {
    let attempts = options.retry.as_ref()?;
    // Each value typed where it is written, so a wrong type is an error on the option.
    let backoff = match &options.backoff {
        Some(b) => quote_spanned! {b.span()=>
            ::core::option::Option::Some({ let __gt_backoff: ::core::time::Duration = #b; __gt_backoff })
        },
        None => quote!(::core::option::Option::None),
    };
    let policy = quote_spanned! {attempts.span()=>
        #krate::__private::RetryPolicy::new({ let __gt_attempts: u32 = #attempts; __gt_attempts }, #backoff)
    };
    // Written out where the attempt's result is known: the error is described on its concrete
    // type (a closure's parameter would still be unknown when its body is checked).
    let failure = quote! {
        match #krate::__private::outcome!(&__gt_result) {
            ::core::result::Result::Ok(_) => ::core::option::Option::None,
            ::core::result::Result::Err(__gt_error) => {
                ::core::option::Option::Some(#krate::__private::describe_error!(__gt_error))
            }
        }
    };
    Some((policy, failure))
}

/// The closure that records how the body ended. The runtime's `outcome!` splits a `Result` into
/// its `Ok` and `Err` (any other value is a success), on the concrete type. With `result_off`
/// (`capture = false`, `skip_result`) the value is not handed over as content, so its type needs
/// no `Serialize`; a model call's response still gives its usage (the call itself keeps its
/// output messages out).
fn finish(
    krate: &TokenStream,
    kind: Kind,
    output: &ReturnType,
    result_off: bool,
    search: bool,
) -> TokenStream {
    if matches!(output, ReturnType::Type(_, ty) if matches!(**ty, Type::Never(_))) {
        return quote!(|_: &#krate::__private::Call, _| {});
    }
    // On the return type's span (its `T` for `Result<T, E>`), so a missing trait impl is
    // reported there.
    let span = match output {
        ReturnType::Type(_, ty) => ok_type(ty).unwrap_or(ty).span(),
        ReturnType::Default => Span::call_site(),
    };
    let call = syn::Ident::new("__gt_call", span);
    let value = syn::Ident::new("__gt_value", span);
    // The value as content, through `CapturedResult` on the return type: a result that is not
    // `Serialize` is an error there that says how to skip it.
    let content = quote_spanned! {span=>
        #value as &dyn #krate::capture::CapturedResult as &dyn #krate::capture::Capture
    };
    let on_value = match kind {
        Kind::Tool | Kind::Agent | Kind::Workflow if result_off => quote!({ let _ = #value; }),
        Kind::Tool => quote_spanned!(span=> #call.tool_result(#content)),
        Kind::Agent | Kind::Workflow => quote_spanned!(span=> #call.output(#content)),
        // As `dyn ModelResponse`, so a type that is not one is an error on the return type.
        Kind::LlmCall | Kind::Embeddings => {
            quote_spanned!(span=> #call.model_response(#value as &dyn #krate::ModelResponse))
        }
        Kind::Retrieval if result_off => quote!({ let _ = #value; }),
        Kind::Retrieval => quote_spanned!(span=> #call.documents(#content)),
        Kind::Memory if !search => quote!({ let _ = #value; }),
        Kind::Memory if result_off => {
            quote_spanned!(span=> #call.record_count(#krate::__private::record_count!(#value)))
        }
        Kind::Memory => {
            quote_spanned!(span=> #call.memory_records(#content, #krate::__private::record_count!(#value)))
        }
    };
    quote! {
        |#call: &#krate::__private::Call, __gt_result| match #krate::__private::outcome!(__gt_result) {
            ::core::result::Result::Ok(#value) => #on_value,
            ::core::result::Result::Err(__gt_error) => {
                let (error_type, description) = #krate::__private::describe_error!(__gt_error);
                #call.fail(&error_type, description);
            }
        }
    }
}
