//! Code generation: the annotated function, rewritten to run its body inside a GenAI span.
//!
//! The output stays small: it declares the span through the runtime's `span!` (which lists the
//! fields), records the inputs behind a capture check, and hands the body to the runtime's
//! `Call::run` (sync) or `Call::instrument` (async) with a `finish` closure that knows the return
//! type's shape (`Result` or not). Everything else happens in generic runtime functions.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{FnArg, GenericArgument, ItemFn, LitStr, Pat, PathArguments, ReturnType, Type};

use crate::attr::{Kind, Options};

/// The function's arguments that have a name (a plain identifier pattern).
struct Argument {
    ident: syn::Ident,
    skipped: bool,
    ty_span: Span,
}

pub(crate) fn expand(kind: Kind, options: Options, item: ItemFn) -> syn::Result<TokenStream> {
    if let Some(constness) = &item.sig.constness {
        return Err(syn::Error::new_spanned(
            constness,
            format!("#[{}] cannot be used on a `const fn`", kind.attr_name()),
        ));
    }
    let arguments = arguments(&options, &item)?;
    let captured: Vec<TokenStream> = arguments
        .iter()
        .filter(|a| !a.skipped)
        .map(|a| {
            let ident = &a.ident;
            let name = ident.to_string();
            let name = name.strip_prefix("r#").unwrap_or(&name);
            quote_spanned!(a.ty_span=> (#name, ::genai_tracing::to_json(&#ident)))
        })
        .collect();
    let capture = match &options.capture {
        Some(b) => quote!(::core::option::Option::Some(#b)),
        None => quote!(::core::option::Option::None),
    };
    let capture_off = options.capture.as_ref().is_some_and(|b| !b.value);
    let fields = &options.fields;
    let fn_name = item.sig.ident.to_string();
    let fn_name = fn_name.strip_prefix("r#").unwrap_or(&fn_name).to_owned();
    let name = options.name.as_ref().map(LitStr::value).unwrap_or(fn_name);
    let empty = quote!(::genai_tracing::__private::tracing::field::Empty);
    let display = |e: &Option<syn::Expr>| match e {
        Some(e) => quote!(::genai_tracing::__private::tracing::field::display(&(#e))),
        None => empty.clone(),
    };
    let description = options
        .description
        .as_ref()
        .map(LitStr::value)
        .or_else(|| doc_summary(&item.attrs))
        .map_or_else(|| empty.clone(), |d| quote!(#d));

    let prelude = match kind {
        Kind::Tool => {
            let span_name = format!("execute_tool {name}");
            let call_id = display(&options.call_id);
            quote! {
                let __gt_call = ::genai_tracing::__private::Call::new(
                    ::genai_tracing::__private::span!(tool, span_name: #span_name, tool_name: #name,
                        description: #description, call_id: #call_id, fields: { #(#fields)* }),
                    #capture,
                );
                if __gt_call.captures() {
                    __gt_call.tool_arguments(&[#(#captured),*]);
                }
            }
        }
        Kind::Agent | Kind::Workflow => {
            let span = if kind == Kind::Agent {
                let span_name = format!("invoke_agent {name}");
                let (id, version) = (display(&options.id), display(&options.version));
                quote!(
                    ::genai_tracing::__private::span!(agent, span_name: #span_name, agent_name: #name,
                    description: #description, id: #id, version: #version, fields: { #(#fields)* })
                )
            } else {
                let span_name = format!("invoke_workflow {name}");
                quote!(
                    ::genai_tracing::__private::span!(workflow, span_name: #span_name,
                    workflow_name: #name, fields: { #(#fields)* })
                )
            };
            quote! {
                let __gt_call = ::genai_tracing::__private::Call::new(#span, #capture);
                if __gt_call.captures() {
                    __gt_call.input_arguments(&[#(#captured),*]);
                }
            }
        }
        Kind::LlmCall => {
            let Some(provider) = &options.provider else {
                return Err(syn::Error::new(
                    Span::call_site(),
                    "#[llm_call] needs `provider = \"..\"` (e.g. \"openai\", \"anthropic\"): gen_ai.provider.name is required",
                ));
            };
            let operation = options
                .operation
                .as_ref()
                .map_or("chat".to_owned(), LitStr::value);
            let span_kind = if operation == "embeddings" {
                "EMBEDDING"
            } else {
                "LLM"
            };
            let probes = arguments.iter().map(|a| {
                let (ident, content) = (&a.ident, !a.skipped);
                quote!(#ident => #content)
            });
            // `&(expr)` in a `let` keeps a temporary such as `format!(..)` alive for the span.
            let model = match &options.model {
                Some(m) => quote! {
                    let __gt_model_value = &(#m);
                    let __gt_model: ::core::option::Option<&str> =
                        ::core::option::Option::Some(::genai_tracing::__private::as_str(__gt_model_value));
                },
                None => quote! {
                    let __gt_model: ::core::option::Option<&str> =
                        __gt_request.and_then(|(r, _)| ::genai_tracing::ModelRequest::model(r));
                },
            };
            quote! {
                let __gt_request = ::genai_tracing::__private::find_request!(#(#probes),*);
                #model
                let __gt_call = ::genai_tracing::__private::Call::new(
                    ::genai_tracing::__private::span!(llm, operation: #operation, span_kind: #span_kind,
                        provider: ::genai_tracing::__private::as_str(&(#provider)),
                        model: __gt_model, fields: { #(#fields)* }),
                    #capture,
                );
                if __gt_call.is_recording() {
                    match __gt_request {
                        ::core::option::Option::Some((request, content)) => __gt_call.model_request(request, content),
                        ::core::option::Option::None => if __gt_call.captures() {
                            __gt_call.input_arguments(&[#(#captured),*]);
                        }
                    }
                }
            }
        }
    };

    let finish = finish(kind, &item.sig.output, capture_off);
    let block = &item.block;
    let fake_return = fake_return(&item.sig.output);
    let body = if item.sig.asyncness.is_some() {
        quote! {
            #prelude
            __gt_call.instrument(async move { #fake_return #block }, #finish).await
        }
    } else {
        quote! {
            #prelude
            __gt_call.run(move || { #fake_return #block }, #finish)
        }
    };
    let ItemFn {
        attrs, vis, sig, ..
    } = item;
    Ok(quote! {
        #(#attrs)*
        #vis #sig {
            #body
        }
    })
}

/// The named arguments, each marked skipped or not; checks that `skip(..)` names real arguments.
fn arguments(options: &Options, item: &ItemFn) -> syn::Result<Vec<Argument>> {
    let arguments: Vec<Argument> = item
        .sig
        .inputs
        .iter()
        .filter_map(|input| match input {
            FnArg::Typed(pat_type) => match &*pat_type.pat {
                Pat::Ident(pat) => Some(Argument {
                    ident: pat.ident.clone(),
                    skipped: options.skip_all.is_some() || options.skip.contains(&pat.ident),
                    ty_span: pat_type.ty.span(),
                }),
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
    for skipped in &options.skip {
        if !arguments.iter().any(|a| &a.ident == skipped) {
            return Err(syn::Error::new_spanned(
                skipped,
                format!("`skip({skipped})`: this function has no argument named `{skipped}`"),
            ));
        }
    }
    Ok(arguments)
}

/// The closure that records how the body ended, chosen by the return type's shape.
fn finish(kind: Kind, output: &ReturnType, capture_off: bool) -> TokenStream {
    let span = match (result_type(output), output) {
        (Some(ok), _) => ok.span(),
        (None, ReturnType::Type(_, ty)) => ty.span(),
        (None, ReturnType::Default) => Span::call_site(),
    };
    // On the return type's span, so a missing trait impl is reported there.
    let call = syn::Ident::new("__gt_call", span);
    let value = syn::Ident::new("__gt_value", span);
    let on_value = match kind {
        _ if capture_off && kind != Kind::LlmCall => quote!({ let _ = #value; }),
        Kind::Tool => quote_spanned!(span=> #call.tool_result(#value)),
        Kind::Agent | Kind::Workflow => quote_spanned!(span=> #call.output(#value)),
        Kind::LlmCall => quote_spanned!(span=> #call.model_response(#value)),
    };
    if result_type(output).is_some() {
        quote! {
            |#call: &::genai_tracing::__private::Call, __gt_result| match __gt_result {
                ::core::result::Result::Ok(#value) => #on_value,
                ::core::result::Result::Err(__gt_error) => {
                    let (error_type, description) = ::genai_tracing::__private::describe_error!(__gt_error);
                    #call.fail(&error_type, description);
                }
            }
        }
    } else {
        quote!(|#call: &::genai_tracing::__private::Call, #value| #on_value)
    }
}

/// `T` of a return type written `Result<T, ..>` (any path ending in `Result`).
fn result_type(output: &ReturnType) -> Option<&Type> {
    let ReturnType::Type(_, ty) = output else {
        return None;
    };
    let Type::Path(path) = &**ty else {
        return None;
    };
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

/// Pins the body's type to the declared return type, so `?` and `return` infer as in the original
/// function (the trick `tracing-attributes` uses). Not possible for `impl Trait` return types.
fn fake_return(output: &ReturnType) -> TokenStream {
    match output {
        ReturnType::Type(_, ty) if !mentions_impl(ty) && !matches!(**ty, Type::Never(_)) => {
            quote! {
                #[allow(unreachable_code, clippy::diverging_sub_expression, clippy::needless_return)]
                if false {
                    let __gt_unreachable: #ty = loop {};
                    return __gt_unreachable;
                }
            }
        }
        _ => TokenStream::new(),
    }
}

fn mentions_impl(ty: &Type) -> bool {
    fn walk(tokens: TokenStream) -> bool {
        tokens.into_iter().any(|t| match t {
            proc_macro2::TokenTree::Ident(i) => i == "impl",
            proc_macro2::TokenTree::Group(g) => walk(g.stream()),
            _ => false,
        })
    }
    walk(ty.to_token_stream())
}

/// The first paragraph of the doc comment, lines joined by spaces.
fn doc_summary(attrs: &[syn::Attribute]) -> Option<String> {
    let mut lines = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("doc")) {
        let syn::Meta::NameValue(nv) = &attr.meta else {
            continue;
        };
        let syn::Expr::Lit(syn::ExprLit {
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
