//! Code generation: the annotated function, rewritten to run its body inside a GenAI span.
//!
//! The output stays small: it declares the span through the runtime's `span!` (which lists the
//! fields and names the span), records the inputs behind a capture check (`prelude.rs`), and
//! hands the body to the runtime's `Call` (`body.rs`) with a `finish` closure. Every rejected
//! combination of options is checked first (`check.rs`). Whether the return value is a
//! `Result`, how an error is described and how a value is recorded are decided by the runtime
//! on the concrete type; everything else happens in generic runtime functions.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::ext::IdentExt as _;
use syn::spanned::Spanned;
use syn::{Expr, ItemFn, LitStr};

use crate::args::arguments;
use crate::attr::{Kind, Options};
use crate::body::{body_of, run, Body};
use crate::check;
use crate::prelude::{prelude, Cx};
use crate::returns::{future_output, replayed_type, Returned};
use crate::stream_shape::stream_shape;

pub(crate) fn expand(kind: Kind, options: Options, item: ItemFn) -> syn::Result<TokenStream> {
    check::signature(kind, &item)?;
    let arguments = arguments(&options, &item);
    check::options(kind, &options, &arguments)?;
    let stream = stream_shape(kind, &options, &item.sig.output)?;
    let body = body_of(&item);
    check::body(&options, &body, stream.as_ref())?;
    let async_trait = matches!(body, Body::AsyncTrait { .. });
    match async_trait {
        true => check::result(&options, &future_output(&item.sig.output))?,
        false => check::result(&options, &item.sig.output)?,
    }

    let krate = match &options.krate {
        Some(path) => path.to_token_stream(),
        None => quote!(::genai_tracing),
    };
    let captured: Vec<TokenStream> = arguments
        .iter()
        .filter(|a| !a.skipped)
        .map(|a| a.captured(&krate))
        .collect();
    let capture = match &options.capture {
        Some(b) => quote!(::core::option::Option::Some(#b)),
        None => quote!(::core::option::Option::None),
    };
    let own_fields = syn::Ident::new(kind.declared_fields(), Span::call_site());
    let field_checks = options.fields.iter().map(|f| {
        let (name, span) = (&f.name, f.key().span());
        // Every token on the key's span, so a failed check is reported at the key; the panic is
        // the user's constant's own, so its error names no runtime function.
        let krate = match &options.krate {
            Some(path) => path.to_token_stream(),
            None => quote_spanned!(span=> ::genai_tracing),
        };
        let message = format!(
            "`fields({name} = ..)`: #[{}] sets `{name}` itself; give this field another key, or use the macro's option for it",
            kind.attr_name()
        );
        quote_spanned! {span=>
            const _: () = if #krate::__private::sets_field(#krate::__private::declared::#own_fields, #name) {
                ::core::panic!(#message)
            };
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
    let prelude = prelude(&cx, kind);
    // `parent = ..`: set before anything enters the span (tracing-opentelemetry fixes the parent
    // of an OpenTelemetry span when it starts).
    // As `dyn Parent` on the option's span, so a value that is not one is an error there.
    let parent = options.parent.as_ref().map(|p| {
        quote_spanned! {p.span()=>
            let __gt_call = __gt_call.with_parent(&(#p) as &dyn #krate::propagation::Parent);
        }
    });

    // `#[tool]` and non-streaming `#[llm_call]`: recorded and replayed (see the runtime's
    // `replay`), filed under a key the runtime forms from the tool's name or the operation and
    // the function's name, with a codec it chooses for the return type.
    let key = match kind {
        Kind::Tool if stream.is_none() => Some(quote!(tool #name)),
        Kind::LlmCall if stream.is_none() => {
            let operation = options
                .operation
                .as_ref()
                .map_or_else(|| "chat".to_owned(), LitStr::value);
            Some(quote!(model #operation #fn_name))
        }
        _ => None,
    };
    let replay = key.and_then(|key| {
        let ty = match replayed_type(&item, async_trait)? {
            Returned::Named(ty) => quote!(, #ty),
            Returned::Unnamed => quote!(),
        };
        Some(quote!(let __gt_replay = #krate::__private::replay!(#key #ty);))
    });
    let body = run(
        &krate,
        kind,
        &options,
        &item,
        stream.as_ref(),
        replay.is_some(),
    );
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
