//! Code generation: the annotated function, rewritten to run its body inside a GenAI span.
//!
//! The output stays small: it declares the span through the runtime's `span!` (which lists the
//! fields), records the inputs behind a capture check, and hands the body to the runtime's
//! `Call::run` (sync) or `Call::instrument` (async) with a `finish` closure. A `#[tool]` or
//! non-streaming `#[llm_call]` goes through `Call::run_replayable` / `Call::instrument_replayable`
//! instead, with its replay key and a codec the runtime chooses for its return type (record and
//! replay). Whether the return value is a `Result`, how an error is described and how a value is
//! recorded are decided by the runtime on the concrete type; everything else happens in generic
//! runtime functions.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::ext::IdentExt as _;
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{
    Block, Expr, ExprAsync, FnArg, GenericArgument, ItemFn, LitStr, Pat, PathArguments, ReturnType,
    Stmt, Type,
};

use crate::attr::{Kind, Options};
use crate::prelude::{prelude, Cx};

/// A named argument (a plain identifier pattern) and whether its value may be captured.
pub(crate) struct Argument {
    pub(crate) ident: syn::Ident,
    /// Its name without `r#`.
    pub(crate) name: String,
    /// Not captured: skipped, capture off for the function, `_`-prefixed, or `#[cfg]`-gated.
    pub(crate) skipped: bool,
    /// `#[cfg]`-gated: it may not exist, so the expansion never names it.
    pub(crate) gated: bool,
    ty_span: Span,
}

/// The shape of the function's body.
enum Body<'a> {
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

pub(crate) fn expand(kind: Kind, options: Options, item: ItemFn) -> syn::Result<TokenStream> {
    check_signature(kind, &item)?;
    let krate = match &options.krate {
        Some(path) => path.to_token_stream(),
        None => quote!(::genai_tracing),
    };
    let arguments = arguments(&options, &item)?;
    let captured: Vec<TokenStream> = arguments
        .iter()
        .filter(|a| !a.skipped)
        .map(|a| {
            let (ident, name) = (&a.ident, &a.name);
            quote_spanned!(a.ty_span=> (#name, &#ident as &dyn #krate::Capture))
        })
        .collect();
    let capture = match &options.capture {
        Some(b) => quote!(::core::option::Option::Some(#b)),
        None => quote!(::core::option::Option::None),
    };
    let own_fields = match kind {
        Kind::Tool => quote!(TOOL),
        Kind::Agent => quote!(AGENT),
        Kind::Workflow => quote!(WORKFLOW),
        Kind::LlmCall | Kind::Embeddings => quote!(LLM),
        Kind::Retrieval => quote!(RETRIEVAL),
        Kind::Memory => quote!(MEMORY),
    };
    let field_checks = options.fields.iter().map(|f| {
        let (name, span) = (&f.name, f.key().span());
        // Every token on the key's span, so a failed check is reported at the key.
        let krate = match &options.krate {
            Some(path) => path.to_token_stream(),
            None => quote_spanned!(span=> ::genai_tracing),
        };
        quote_spanned! {span=>
            const _: () = #krate::__private::check_user_field(#krate::__private::declared::#own_fields, #name);
        }
    });
    let fn_name = item.sig.ident.unraw().to_string();
    let name = options
        .name
        .as_ref()
        .map(LitStr::value)
        .unwrap_or_else(|| fn_name.clone());
    let empty = quote!(#krate::__private::tracing::field::Empty);
    let description = options
        .description
        .as_ref()
        .map(LitStr::value)
        .or_else(|| doc_summary(&item.attrs))
        .map_or_else(|| empty.clone(), |d| quote!(#d));

    // `session = ..`, `user = ..`, `conversation = ..`: laid over the scope's attributes.
    let scoped: Vec<TokenStream> = [
        ("session", &options.session),
        ("user", &options.user),
        ("conversation", &options.conversation),
    ]
    .into_iter()
    .filter_map(|(method, expr)| {
        let expr = expr.as_ref()?;
        let method = syn::Ident::new(method, expr.span());
        Some(quote_spanned!(expr.span()=> .#method(::std::string::ToString::to_string(&(#expr)))))
    })
    .collect();
    // `Call::new(span, capture)`, or `Call::scoped(span, capture, attributes)` with the options;
    // `#[tool]` takes the attributes as an `Option` (`Call::tool`).
    let (new_call, capture_and_own, own) = if scoped.is_empty() {
        (
            quote!(new),
            capture.clone(),
            quote!(::core::option::Option::None),
        )
    } else {
        let own = quote!(#krate::TraceAttributes::new() #(#scoped)*);
        (
            quote!(scoped),
            quote!(#capture, #own),
            quote!(::core::option::Option::Some(#own)),
        )
    };

    let cx = Cx {
        krate: &krate,
        options: &options,
        arguments: &arguments,
        captured: &captured,
        fields: &options.fields,
        name: &name,
        description: &description,
        new_call: &new_call,
        capture: &capture_and_own,
        capture_override: &capture,
        own: &own,
        empty: &empty,
    };
    let prelude = prelude(&cx, kind)?;
    // `parent = ..`: set before anything enters the span (tracing-opentelemetry fixes the parent
    // of an OpenTelemetry span when it starts).
    let parent = options
        .parent
        .as_ref()
        .map(|p| quote_spanned!(p.span()=> let __gt_call = __gt_call.with_parent(&(#p));));

    let capture_off = options.capture.as_ref().is_some_and(|b| !b.value);
    let search = options
        .operation
        .as_ref()
        .is_some_and(|o| o.value() == "search_memory");
    if let (Some(backoff), None) = (&options.backoff, &options.retry) {
        return Err(syn::Error::new_spanned(
            backoff,
            "`backoff` needs `retry = <attempts>`",
        ));
    }
    let retry = options.retry.as_ref().map(|attempts| {
        let backoff = match &options.backoff {
            Some(b) => quote_spanned!(b.span()=> ::core::option::Option::Some(#b)),
            None => quote!(::core::option::Option::None),
        };
        let policy = quote_spanned!(attempts.span()=> #krate::__private::RetryPolicy::new(#attempts, #backoff));
        // Written out where the attempt's result is known: the error is described on its
        // concrete type (a closure's parameter would still be unknown when its body is checked).
        let failure = quote! {
            match #krate::__private::outcome!(&__gt_result) {
                ::core::result::Result::Ok(_) => ::core::option::Option::None,
                ::core::result::Result::Err(__gt_error) => {
                    ::core::option::Option::Some(#krate::__private::describe_error!(__gt_error))
                }
            }
        };
        (policy, failure)
    });
    let stream = stream_shape(kind, &options, &item.sig.output)?;
    if let Some(stream) = &stream {
        if let Some(retry) = &options.retry {
            return Err(syn::Error::new_spanned(
                retry,
                "`retry` is not supported on a streaming #[llm_call]: a stream already handed to the caller cannot be run again",
            ));
        }
        if let Body::AsyncTrait { .. } = body_of(&item) {
            return Err(syn::Error::new_spanned(
                &stream.ty,
                "a streaming #[llm_call] cannot be an #[async_trait] method: return the stream from a plain or `async fn`",
            ));
        }
    }
    // `#[tool]` and non-streaming `#[llm_call]`: recorded and replayed (see the runtime's
    // `replay`), through `Call::run_replayable` / `Call::instrument_replayable`.
    let replayed = match kind {
        Kind::Tool if stream.is_none() => Some(format!("execute_tool {name}")),
        Kind::LlmCall if stream.is_none() => {
            let operation = options.operation.as_ref().map(LitStr::value);
            Some(format!(
                "{} {fn_name}",
                operation.as_deref().unwrap_or("chat")
            ))
        }
        _ => None,
    }
    .and_then(|key| Some((key, replayed_type(&item)?)));
    let (run, instrument, replay) = match &replayed {
        Some((key, returned)) => {
            let ty = match returned {
                Returned::Named(ty) => quote!(, #ty),
                Returned::Unnamed => quote!(),
            };
            (
                quote!(run_replayable),
                quote!(instrument_replayable),
                Some(quote! {
                    let __gt_replay = #krate::__private::replay!(#key #ty);
                }),
            )
        }
        None => (quote!(run), quote!(instrument), None),
    };
    let replay_arg = replay.as_ref().map(|_| quote!(__gt_replay,));
    let body = match (body_of(&item), retry) {
        (Body::Async(block) | Body::Sync(block), None) if stream.is_some() => {
            let wrap = stream.as_ref().map(|s| s.wrap(&krate));
            let fake_return = fake_return(&item.sig.output);
            let stmts = &block.stmts;
            if item.sig.asyncness.is_some() {
                quote! {
                    __gt_call.streaming().stream_future(async move { #fake_return #(#stmts)* }, #wrap).await
                }
            } else {
                quote! {
                    __gt_call.streaming().run_stream(move || { #fake_return #(#stmts)* }, #wrap)
                }
            }
        }
        (Body::AsyncTrait { pin, future }, None) => {
            let output = future_output(&item.sig.output);
            let finish = finish(&krate, kind, &output, capture_off, search);
            quote!(#pin(__gt_call.#instrument(#replay_arg #future, #finish)))
        }
        (Body::AsyncTrait { .. }, Some(_)) => {
            return Err(syn::Error::new_spanned(
                options.retry.as_ref(),
                "`retry` is not supported on #[async_trait] methods: its body is a single future that cannot be run again",
            ));
        }
        (Body::Async(block) | Body::Sync(block), retry) => {
            let finish = finish(&krate, kind, &item.sig.output, capture_off, search);
            let fake_return = fake_return(&item.sig.output);
            let stmts = &block.stmts;
            let is_async = item.sig.asyncness.is_some();
            match (is_async, retry) {
                (true, None) => quote! {
                    __gt_call.#instrument(#replay_arg async move { #fake_return #(#stmts)* }, #finish).await
                },
                (true, Some((policy, failure))) => quote! {
                    let mut __gt_attempts = #krate::__private::Attempts::new(&__gt_call, #policy);
                    __gt_call.#instrument(#replay_arg async move {
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
                    __gt_call.#run(#replay_arg move || { #fake_return #(#stmts)* }, #finish)
                },
                (false, Some((policy, failure))) => quote! {
                    let mut __gt_attempts = #krate::__private::Attempts::new(&__gt_call, #policy);
                    __gt_call.#run(#replay_arg move || loop {
                        #[allow(clippy::redundant_closure_call)]
                        let __gt_result = (|| { #fake_return #(#stmts)* })();
                        match __gt_attempts.after(#failure) {
                            ::core::option::Option::Some(wait) => ::std::thread::sleep(wait),
                            ::core::option::Option::None => break __gt_result,
                        }
                    }, #finish)
                },
            }
        }
    };
    let ItemFn {
        attrs, vis, sig, ..
    } = item;
    Ok(quote! {
        #(#attrs)*
        #vis #sig {
            #(#field_checks)*
            #prelude
            #parent
            #replay
            #body
        }
    })
}

/// How a streaming `#[llm_call]` returns its stream.
struct StreamShape {
    /// Inside a `Result<_, E>`.
    in_result: bool,
    /// `impl Stream<..>`: wrapped as it is. Else a named type, traced in its own type through
    /// the runtime's `StreamReturn`.
    opaque: bool,
    /// The stream's type, for errors.
    ty: Type,
    /// `E` of `impl Stream<Item = Result<_, E>>`: an opaque stream's item error, named for the
    /// closure that describes it (inference reaches the return type too late).
    item_error: Option<Type>,
}

impl StreamShape {
    /// The closure that moves the call into the stream the body returned (or ends it on `Err`).
    fn wrap(&self, krate: &TokenStream) -> TokenStream {
        let param = match &self.item_error {
            Some(e) => quote!(__gt_error: &#e),
            None => quote!(__gt_error),
        };
        let describe = quote!(|#param| #krate::__private::describe_error!(__gt_error));
        let traced = if self.opaque {
            quote_spanned!(self.ty.span()=> __gt_call.stream(__gt_stream, #describe))
        } else {
            quote_spanned!(self.ty.span()=> #krate::__private::StreamReturn::traced(__gt_stream, __gt_call, #describe))
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
fn stream_shape(
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
        item_error: item.and_then(item_error),
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

/// `E` of an item type `Result<_, E>`.
fn item_error(item: &Type) -> Option<Type> {
    let Type::Path(result) = item else {
        return None;
    };
    let last = result.path.segments.last()?;
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.iter().nth(1)? {
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

/// Rejects what cannot run inside a span: `const fn`, and `#[track_caller]` (the body runs in a
/// closure, where the caller's location is not tracked).
fn check_signature(kind: Kind, item: &ItemFn) -> syn::Result<()> {
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

fn body_of(item: &ItemFn) -> Body<'_> {
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

/// The names the `parent = ..` expression mentions (`remote`, `extract(&headers)`): arguments it
/// reads are linking data (a propagated context, request headers), never captured as content.
fn parent_names(parent: &Expr) -> Vec<String> {
    fn walk(tokens: TokenStream, names: &mut Vec<String>) {
        for token in tokens {
            match token {
                proc_macro2::TokenTree::Ident(ident) => names.push(ident.unraw().to_string()),
                proc_macro2::TokenTree::Group(group) => walk(group.stream(), names),
                _ => {}
            }
        }
    }
    let mut names = Vec::new();
    walk(parent.to_token_stream(), &mut names);
    names
}

/// The named arguments, each marked skipped or not; checks that `skip(..)` names real arguments.
fn arguments(options: &Options, item: &ItemFn) -> syn::Result<Vec<Argument>> {
    let capture_off = options.capture.as_ref().is_some_and(|b| !b.value);
    let skip: Vec<String> = options.skip.iter().map(|i| i.unraw().to_string()).collect();
    let parent = options
        .parent
        .as_ref()
        .map(parent_names)
        .unwrap_or_default();
    let arguments: Vec<Argument> = item
        .sig
        .inputs
        .iter()
        .filter_map(|input| match input {
            FnArg::Typed(pat_type) => match &*pat_type.pat {
                Pat::Ident(pat) => {
                    let name = pat.ident.unraw().to_string();
                    let gated = pat_type
                        .attrs
                        .iter()
                        .any(|a| a.path().is_ident("cfg") || a.path().is_ident("cfg_attr"));
                    Some(Argument {
                        ident: pat.ident.clone(),
                        skipped: gated
                            || capture_off
                            || options.skip_all.is_some()
                            || name.starts_with('_')
                            || skip.contains(&name)
                            || parent.contains(&name),
                        gated,
                        name,
                        ty_span: pat_type.ty.span(),
                    })
                }
                _ => None,
            },
            FnArg::Receiver(_) => None,
        })
        .collect();
    if let (Some(all), Some(one)) = (&options.skip_all, options.skip.first()) {
        let mut err = syn::Error::new_spanned(one, "`skip(..)` is redundant with `skip_all`");
        err.combine(syn::Error::new_spanned(all, "`skip_all` given here"));
        return Err(err);
    }
    for (skipped, name) in options.skip.iter().zip(&skip) {
        if !arguments.iter().any(|a| &a.name == name) {
            return Err(syn::Error::new_spanned(
                skipped,
                format!("`skip({name})`: this function has no argument named `{name}`"),
            ));
        }
    }
    Ok(arguments)
}

/// The closure that records how the body ended. The runtime's `outcome!` splits a `Result` into
/// its `Ok` and `Err` (any other value is a success), on the concrete type.
fn finish(
    krate: &TokenStream,
    kind: Kind,
    output: &ReturnType,
    capture_off: bool,
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
    let on_value = match kind {
        Kind::Tool | Kind::Agent | Kind::Workflow if capture_off => quote!({ let _ = #value; }),
        Kind::Tool => quote_spanned!(span=> #call.tool_result(#value)),
        Kind::Agent | Kind::Workflow => quote_spanned!(span=> #call.output(#value)),
        Kind::LlmCall | Kind::Embeddings => quote_spanned!(span=> #call.model_response(#value)),
        Kind::Retrieval if capture_off => quote!({ let _ = #value; }),
        Kind::Retrieval => quote_spanned!(span=> #call.documents(#value)),
        Kind::Memory if !search => quote!({ let _ = #value; }),
        Kind::Memory if capture_off => {
            quote_spanned!(span=> #call.record_count(#krate::__private::record_count!(#value)))
        }
        Kind::Memory => {
            quote_spanned!(span=> #call.memory_records(#value, #krate::__private::record_count!(#value)))
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

/// What a replayable call returns, for the runtime's codec probe.
enum Returned {
    /// A type the probe can name and test: its codec is chosen on it.
    Named(Box<Type>),
    /// `impl Trait` somewhere in it (it cannot be named in the body), or a borrow (a reference
    /// or a lifetime argument: no owned value can be deserialized into it, and the probe cannot
    /// tell, since trait selection ignores lifetimes): never recorded nor replayed.
    Unnamed,
}

/// What a call returns: the declared return type (of an `#[async_trait]` method, its future's
/// output), `()` for none. `None` for `!` and an `#[async_trait]` output not found: nothing to
/// record.
fn replayed_type(item: &ItemFn) -> Option<Returned> {
    let output = match body_of(item) {
        Body::AsyncTrait { .. } => match future_output(&item.sig.output) {
            ReturnType::Default => return None,
            output => output,
        },
        _ => item.sig.output.clone(),
    };
    let ty = match output {
        ReturnType::Default => return Some(Returned::Named(Box::new(syn::parse_quote!(())))),
        ReturnType::Type(_, ty) if matches!(*ty, Type::Never(_)) => return None,
        ReturnType::Type(_, ty) => *ty,
    };
    let mut unnamed = FindUnnamed(false);
    unnamed.visit_type_mut(&mut ty.clone());
    Some(if unnamed.0 {
        Returned::Unnamed
    } else {
        Returned::Named(Box::new(ty))
    })
}

/// Finds what makes a return type [`Returned::Unnamed`]: `impl Trait`, a reference, a lifetime
/// argument.
struct FindUnnamed(bool);

impl VisitMut for FindUnnamed {
    fn visit_type_mut(&mut self, ty: &mut Type) {
        match ty {
            Type::ImplTrait(_) | Type::Reference(_) => self.0 = true,
            _ => syn::visit_mut::visit_type_mut(self, ty),
        }
    }

    fn visit_generic_argument_mut(&mut self, arg: &mut GenericArgument) {
        match arg {
            GenericArgument::Lifetime(_) => self.0 = true,
            _ => syn::visit_mut::visit_generic_argument_mut(self, arg),
        }
    }
}

/// `T` of a return type written `Result<T, ..>`, for error positions only.
fn ok_type(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "Result" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        GenericArgument::Type(t) => Some(t),
        _ => None,
    }
}

/// `R` of an `#[async_trait]` return type `Pin<Box<dyn Future<Output = R> + ..>>`.
fn future_output(output: &ReturnType) -> ReturnType {
    fn in_path(path: &syn::Path) -> Option<Type> {
        path.segments.iter().find_map(|seg| match &seg.arguments {
            PathArguments::AngleBracketed(args) => args.args.iter().find_map(|arg| match arg {
                GenericArgument::AssocType(a) if a.ident == "Output" => Some(a.ty.clone()),
                GenericArgument::Type(t) => find(t),
                _ => None,
            }),
            _ => None,
        })
    }
    fn find(ty: &Type) -> Option<Type> {
        match ty {
            Type::Path(p) => in_path(&p.path),
            Type::TraitObject(o) => o.bounds.iter().find_map(|b| match b {
                syn::TypeParamBound::Trait(t) => in_path(&t.path),
                _ => None,
            }),
            Type::Paren(p) => find(&p.elem),
            Type::Group(g) => find(&g.elem),
            _ => None,
        }
    }
    match output {
        ReturnType::Type(arrow, ty) => match find(ty) {
            Some(r) => ReturnType::Type(*arrow, Box::new(r)),
            None => ReturnType::Default,
        },
        ReturnType::Default => ReturnType::Default,
    }
}

/// Pins the body's type to the declared return type, so `?` and `return` infer as in the original
/// function (the trick `tracing-attributes` uses). `impl Trait` parts become `_`.
fn fake_return(output: &ReturnType) -> TokenStream {
    let ReturnType::Type(_, ty) = output else {
        return TokenStream::new();
    };
    if matches!(**ty, Type::Never(_)) {
        return TokenStream::new();
    }
    let mut ty = (**ty).clone();
    InferImplTrait.visit_type_mut(&mut ty);
    quote! {
        #[allow(unreachable_code, clippy::diverging_sub_expression, clippy::needless_return)]
        if false {
            let __gt_unreachable: #ty = loop {};
            return __gt_unreachable;
        }
    }
}

/// Replaces every `impl Trait` in a type with `_`, which a `let` annotation can hold.
struct InferImplTrait;

impl VisitMut for InferImplTrait {
    fn visit_type_mut(&mut self, ty: &mut Type) {
        if let Type::ImplTrait(i) = ty {
            *ty = Type::Infer(syn::TypeInfer {
                underscore_token: syn::Token![_](i.impl_token.span),
            });
        } else {
            syn::visit_mut::visit_type_mut(self, ty);
        }
    }
}

/// The first paragraph of the doc comment, lines joined by spaces.
fn doc_summary(attrs: &[syn::Attribute]) -> Option<String> {
    let mut lines = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("doc")) {
        let syn::Meta::NameValue(nv) = &attr.meta else {
            continue;
        };
        let Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) = &nv.value
        else {
            continue;
        };
        let text = s.value();
        // `///` with nothing after it is an empty attribute: a paragraph break too.
        let text = if text.trim().is_empty() {
            "\n".to_owned()
        } else {
            text
        };
        for line in text.split('\n') {
            let line = line.trim();
            if line.is_empty() {
                if !lines.is_empty() {
                    return Some(lines.join(" "));
                }
            } else {
                lines.push(line.to_owned());
            }
        }
    }
    (!lines.is_empty()).then(|| lines.join(" "))
}
