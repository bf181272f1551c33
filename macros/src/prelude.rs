//! The code that runs before the body: the span (declared through the runtime's `span!` with its
//! sampling-relevant attributes), the call wrapping it, and the inputs recorded on it.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::ext::IdentExt as _;
use syn::spanned::Spanned;
use syn::Expr;

use crate::args::Argument;
use crate::attr::{Field, Kind, Options};

/// What every prelude is built from.
pub(crate) struct Cx<'a> {
    pub(crate) krate: &'a TokenStream,
    pub(crate) options: &'a Options,
    pub(crate) arguments: &'a [Argument],
    /// `(name, &arg as &dyn Capture)` of the captured arguments.
    pub(crate) captured: &'a [TokenStream],
    pub(crate) fields: &'a [Field],
    /// The span's name part: the `name` option, else the function's name.
    pub(crate) name: &'a str,
    /// The description literal, or `Empty`.
    pub(crate) description: &'a TokenStream,
    /// `new`, or `scoped` when the function sets trace attributes.
    pub(crate) new_call: &'a TokenStream,
    /// The arguments after the span: the capture override, and the attributes for `scoped`.
    pub(crate) capture: &'a TokenStream,
    /// The capture override alone: `Some(bool)` or `None`.
    pub(crate) capture_override: &'a TokenStream,
    /// The function's own trace attributes as an `Option` expression.
    pub(crate) own: &'a TokenStream,
    pub(crate) empty: &'a TokenStream,
}

impl Cx<'_> {
    /// `let __gt_call = Call::new(span, ..)` (or `scoped`): the call every prelude but the
    /// tool's starts with; `skip_result` keeps its result out.
    fn call(&self, span: TokenStream) -> TokenStream {
        let (krate, new_call, capture) = (self.krate, self.new_call, self.capture);
        let skip_result = self
            .options
            .skip_result
            .as_ref()
            .map(|_| quote!(.skip_result()));
        quote!(let __gt_call = #krate::__private::Call::#new_call(#span, #capture) #skip_result;)
    }

    /// Records a query's candidates `q` in `field` when the call captures content.
    fn query(&self, field: &str, q: TokenStream) -> TokenStream {
        let (krate, field) = (self.krate, syn::Ident::new(field, Span::call_site()));
        quote! {
            if __gt_call.captures() {
                __gt_call.query(#krate::semconv::#field, #q);
            }
        }
    }

    /// An optional expression as a `Display` field value, or `Empty`. Through `dyn Display` on
    /// the option's span: a value that is not `Display` is one error there.
    fn display(&self, e: &Option<Expr>) -> TokenStream {
        let krate = self.krate;
        match e {
            Some(e) => quote_spanned! {e.span()=>
                #krate::__private::tracing::field::display(&(#e) as &dyn ::core::fmt::Display)
            },
            None => self.empty.clone(),
        }
    }
}

/// `value` (a `&T` expression, on `span`) as `&str`, through `dyn AsRef<str>` on `span` (the
/// option's): a value that is not a string is an error there.
fn as_str(value: TokenStream, span: Span) -> TokenStream {
    quote_spanned! {span=>
        ::core::convert::AsRef::<str>::as_ref(#value as &dyn ::core::convert::AsRef<str>)
    }
}

/// A count option's value (`top_k`, `dimensions`) as an OTel int; saturates. Written out (not a
/// runtime function), so a value of the wrong type is an error on it naming only `TryInto`.
fn to_i64(value: &Expr) -> TokenStream {
    quote_spanned! {value.span()=>
        {
            // A literal count is an `i32`, which converts without failing.
            #[allow(clippy::unnecessary_fallible_conversions)]
            let __gt_count = ::core::convert::TryInto::<i64>::try_into(#value);
            ::core::result::Result::unwrap_or(__gt_count, i64::MAX)
        }
    }
}

/// The prelude of `kind` (its options checked by `check.rs`).
pub(crate) fn prelude(cx: &Cx, kind: Kind) -> TokenStream {
    match kind {
        Kind::Tool => tool(cx),
        Kind::Agent | Kind::Workflow => invocation(cx, kind),
        Kind::LlmCall | Kind::Embeddings => model(cx, kind),
        Kind::Retrieval | Kind::Memory => store(cx, kind),
    }
}

/// `#[tool]`: the span (or the MCP server span hosting the call: `Call::tool`), then the
/// arguments.
fn tool(cx: &Cx) -> TokenStream {
    let Cx {
        krate,
        options,
        captured,
        fields,
        name,
        description,
        capture_override,
        own,
        ..
    } = *cx;
    let call_id = cx.display(&options.call_id);
    let skip_result = options.skip_result.is_some();
    quote! {
        let __gt_call = #krate::__private::Call::tool(#name, #capture_override, #skip_result, #own,
            #description, #call_id,
            |__gt_call_id| #krate::__private::span!(tool, name: #name, description: #description,
                call_id: __gt_call_id, fields: { #(#fields)* }),
        );
        if __gt_call.captures() {
            __gt_call.tool_arguments(&[#(#captured),*]);
        }
    }
}

/// `#[agent]` and `#[workflow]`: the span, then the arguments as the input.
fn invocation(cx: &Cx, kind: Kind) -> TokenStream {
    let Cx {
        krate,
        options,
        captured,
        fields,
        name,
        description,
        ..
    } = *cx;
    let display = |e: &Option<Expr>| cx.display(e);
    let span = if kind == Kind::Agent {
        let (id, version) = (display(&options.id), display(&options.version));
        let provider = display(&options.provider);
        quote!(#krate::__private::span!(agent, name: #name, description: #description, id: #id,
            version: #version, provider: #provider, fields: { #(#fields)* }))
    } else {
        quote!(#krate::__private::span!(workflow, name: #name, fields: { #(#fields)* }))
    };
    let call = cx.call(span);
    let agent = (kind == Kind::Agent).then(|| quote!(let __gt_call = __gt_call.agent();));
    quote! {
        #call
        #agent
        if __gt_call.captures() {
            __gt_call.input_arguments(&[#(#captured),*]);
        }
    }
}

/// `#[llm_call]` and `#[embeddings]`: the request found among the arguments names the model;
/// the span; then the request (or the arguments) as the input.
fn model(cx: &Cx, kind: Kind) -> TokenStream {
    let Cx {
        krate,
        options,
        arguments,
        captured,
        fields,
        empty,
        ..
    } = *cx;
    let provider = options
        .provider
        .as_ref()
        .expect("check.rs requires a provider of model calls");
    let provider_str = as_str(
        quote_spanned!(provider.span()=> __gt_provider_value),
        provider.span(),
    );
    let provider = quote_spanned!(provider.span()=>
        let __gt_provider_value = &(#provider);
        let __gt_provider: &str = #provider_str;
    );
    let operation = match (kind, &options.operation) {
        (Kind::Embeddings, _) => "embeddings".to_owned(),
        (_, Some(op)) => op.value(),
        (_, None) => "chat".to_owned(),
    };
    let dimensions = match &options.dimensions {
        Some(d) => to_i64(d),
        None => empty.clone(),
    };
    let probes = arguments.iter().filter(|a| !a.gated).map(|a| {
        let (ident, content) = (&a.ident, !a.skipped);
        quote!(#ident => #content)
    });
    // `&(expr)` in a `let` keeps a temporary such as `format!(..)` alive for the span.
    let model = match &options.model {
        Some(m) => {
            let model_str = as_str(quote_spanned!(m.span()=> __gt_model_value), m.span());
            quote_spanned! {m.span()=>
                let __gt_model_value = &(#m);
                let __gt_model: ::core::option::Option<&str> =
                    ::core::option::Option::Some(#model_str);
            }
        }
        None => quote! {
            let __gt_model: ::core::option::Option<&str> =
                __gt_request.and_then(|(r, _)| #krate::ModelRequest::model(r));
        },
    };
    let call = cx.call(quote! {
        #krate::__private::span!(llm, operation: #operation, provider: __gt_provider,
            model: __gt_model, dimensions: #dimensions, fields: { #(#fields)* })
    });
    quote! {
        let __gt_request = #krate::__private::find_request!(#(#probes),*);
        #model
        #provider
        #call
        let __gt_call = __gt_call.model_call(#operation, __gt_provider, __gt_model);
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

/// `#[retrieval]` and `#[memory]`: the span, then the query or the records written.
fn store(cx: &Cx, kind: Kind) -> TokenStream {
    let Cx {
        krate,
        options,
        arguments,
        captured,
        fields,
        ..
    } = *cx;
    let display = |e: &Option<Expr>| cx.display(e);
    let optional_str = |e: &Option<Expr>| match e {
        Some(e) => {
            let text = as_str(quote_spanned!(e.span()=> &(#e)), e.span());
            quote_spanned!(e.span()=> ::core::option::Option::Some(#text))
        }
        None => quote!(::core::option::Option::None::<&str>),
    };
    let provider = optional_str(&options.provider);
    // The query's candidates: `query = arg`, else every captured argument (the runtime
    // takes the first whose name is not a secret's).
    let query = match &options.query {
        Some(q) => {
            let name = q.unraw().to_string();
            let arg = arguments
                .iter()
                .find(|a| a.name == name)
                .expect("check.rs requires `query = ..` to name an argument");
            (!arg.skipped).then(|| {
                let captured = arg.captured(krate);
                quote!(&[#captured])
            })
        }
        None => (!captured.is_empty()).then(|| quote!(&[#(#captured),*])),
    };
    if kind == Kind::Retrieval {
        let model = optional_str(&options.model);
        let source = match &options.data_source {
            Some(e) => {
                let source_str = as_str(quote_spanned!(e.span()=> __gt_source_value), e.span());
                quote_spanned! {e.span()=>
                    let __gt_source_value = &(#e);
                    let __gt_source = ::core::option::Option::Some(#source_str);
                }
            }
            None => quote!(let __gt_source = ::core::option::Option::None::<&str>;),
        };
        let top_k = options.top_k.as_ref().map(|k| {
            let k = to_i64(k);
            quote!(if __gt_call.is_recording() { __gt_call.retrieval_top_k(#k); })
        });
        let query = query.map(|q| cx.query("GEN_AI_RETRIEVAL_QUERY_TEXT", q));
        let call = cx.call(quote! {
            #krate::__private::span!(retrieval, data_source: __gt_source, provider: #provider,
                model: #model, fields: { #(#fields)* })
        });
        quote! {
            #source
            #call
            #top_k
            #query
        }
    } else {
        let operation = options
            .operation
            .as_ref()
            .expect("check.rs requires an operation of memory calls");
        let op = operation.value();
        let (store, record) = (display(&options.store), display(&options.record));
        // A search has a query and returns records; the other operations take their
        // records as arguments (a batch is counted when the first argument is a `Vec`).
        let first = arguments.iter().find(|a| !a.gated).map(|a| &a.ident);
        let query = if op == "search_memory" {
            query.map(|q| cx.query("GEN_AI_MEMORY_QUERY_TEXT", q))
        } else {
            let count = first.map(|f| {
                quote! {
                    if __gt_call.is_recording() {
                        __gt_call.record_count(#krate::__private::record_count!(&#f));
                    }
                }
            });
            let records = ["create_memory", "update_memory", "upsert_memory"]
                .contains(&op.as_str())
                .then(|| {
                    quote! {
                        if __gt_call.captures() {
                            __gt_call.memory_input(&[#(#captured),*]);
                        }
                    }
                });
            Some(quote!(#count #records))
        };
        let call = cx.call(quote! {
            #krate::__private::span!(memory, operation: #operation, provider: #provider,
                store: #store, record: #record, fields: { #(#fields)* })
        });
        quote! {
            #call
            #query
        }
    }
}
