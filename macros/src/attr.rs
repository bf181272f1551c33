//! The macros' options: parsing `#[tool(name = "..", skip(a), ..)]` and checking them against the
//! function they annotate. Every error points at the user's tokens.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::meta::ParseNestedMeta;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, Ident, LitBool, LitStr, Token};

use crate::spelling::closest;

/// Which macro is expanding.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Agent,
    Workflow,
    LlmCall,
    Embeddings,
    Tool,
    Retrieval,
    Memory,
}

impl Kind {
    pub(crate) fn attr_name(self) -> &'static str {
        match self {
            Kind::Agent => "agent",
            Kind::Workflow => "workflow",
            Kind::LlmCall => "llm_call",
            Kind::Embeddings => "embeddings",
            Kind::Tool => "tool",
            Kind::Retrieval => "retrieval",
            Kind::Memory => "memory",
        }
    }

    /// The runtime's list of the fields its span declares (`__private::declared::..`).
    pub(crate) fn declared_fields(self) -> &'static str {
        match self {
            Kind::Tool => "TOOL",
            Kind::Agent => "AGENT",
            Kind::Workflow => "WORKFLOW",
            Kind::LlmCall | Kind::Embeddings => "LLM",
            Kind::Retrieval => "RETRIEVAL",
            Kind::Memory => "MEMORY",
        }
    }

    /// Every macro.
    const ALL: [Kind; 7] = [
        Kind::Agent,
        Kind::Workflow,
        Kind::LlmCall,
        Kind::Embeddings,
        Kind::Tool,
        Kind::Retrieval,
        Kind::Memory,
    ];

    /// The error for an option `key` this macro does not take: the closest one it takes (a
    /// misspelling), or the macros that take it, and every option it takes.
    fn unknown_option(self, key: &str) -> String {
        let name = self.attr_name();
        let options: Vec<&str> = self.own_options().iter().chain(&COMMON).copied().collect();
        let list = options.join(", ");
        let others: Vec<String> = Kind::ALL
            .iter()
            .filter(|k| k.own_options().contains(&key))
            .map(|k| format!("#[{}]", k.attr_name()))
            .collect();
        if !others.is_empty() {
            return format!(
                "`{key}` is an option of {}, not of #[{name}]; expected one of: {list}",
                others.join(", ")
            );
        }
        match closest(key, &options) {
            Some(near) => {
                format!("unknown option `{key}` for #[{name}]: did you mean `{near}`? Expected one of: {list}")
            }
            None => format!("unknown option `{key}` for #[{name}]; expected one of: {list}"),
        }
    }

    /// The options this macro accepts, beyond the common ones.
    fn own_options(self) -> &'static [&'static str] {
        match self {
            Kind::Agent => &["name", "description", "id", "version", "provider"],
            Kind::Workflow => &["name"],
            Kind::LlmCall => &[
                "provider",
                "model",
                "operation",
                "stream",
                "retry",
                "backoff",
            ],
            Kind::Embeddings => &["provider", "model", "dimensions", "retry", "backoff"],
            Kind::Tool => &["name", "description", "call_id", "retry", "backoff"],
            Kind::Retrieval => &[
                "data_source",
                "query",
                "top_k",
                "provider",
                "model",
                "retry",
                "backoff",
            ],
            Kind::Memory => &[
                "operation",
                "store",
                "record",
                "query",
                "provider",
                "retry",
                "backoff",
            ],
        }
    }
}

const COMMON: [&str; 10] = [
    "parent",
    "skip",
    "skip_all",
    "skip_result",
    "capture",
    "fields",
    "session",
    "user",
    "conversation",
    "crate",
];
const LLM_OPERATIONS: [&str; 4] = ["chat", "text_completion", "generate_content", "embeddings"];
pub(crate) const MEMORY_OPERATIONS: [&str; 7] = [
    "create_memory_store",
    "delete_memory_store",
    "search_memory",
    "create_memory",
    "update_memory",
    "upsert_memory",
    "delete_memory",
];

/// A `fields(key = value)` entry, emitted as a `tracing` field.
pub(crate) struct Field {
    key: TokenStream,
    /// The key as the attribute's name, e.g. `app.tenant`.
    pub(crate) name: String,
    value: TokenStream,
}

impl Field {
    /// The key's tokens, for errors about it.
    pub(crate) fn key(&self) -> &TokenStream {
        &self.key
    }
}

impl Parse for Field {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let (key, name) = if input.peek(LitStr) {
            let lit = input.parse::<LitStr>()?;
            (lit.to_token_stream(), lit.value())
        } else {
            let path = Punctuated::<Ident, Token![.]>::parse_separated_nonempty_with(
                input,
                Ident::parse_any,
            )?;
            let name = path
                .iter()
                .map(|i| i.unraw().to_string())
                .collect::<Vec<_>>()
                .join(".");
            (path.into_token_stream(), name)
        };
        input.parse::<Token![=]>()?;
        let mut value = TokenStream::new();
        if input.peek(Token![%]) {
            input.parse::<Token![%]>()?.to_tokens(&mut value);
        } else if input.peek(Token![?]) {
            input.parse::<Token![?]>()?.to_tokens(&mut value);
        }
        input.parse::<Expr>()?.to_tokens(&mut value);
        Ok(Self { key, name, value })
    }
}

impl ToTokens for Field {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let (key, value) = (&self.key, &self.value);
        tokens.extend(quote::quote!(#key = #value,));
    }
}

use syn::ext::IdentExt as _;

/// The parsed options of one macro use.
#[derive(Default)]
pub(crate) struct Options {
    pub(crate) name: Option<LitStr>,
    pub(crate) description: Option<LitStr>,
    pub(crate) id: Option<Expr>,
    pub(crate) version: Option<Expr>,
    pub(crate) provider: Option<Expr>,
    pub(crate) model: Option<Expr>,
    pub(crate) operation: Option<LitStr>,
    pub(crate) call_id: Option<Expr>,
    pub(crate) data_source: Option<Expr>,
    pub(crate) query: Option<Ident>,
    pub(crate) top_k: Option<Expr>,
    pub(crate) dimensions: Option<Expr>,
    pub(crate) store: Option<Expr>,
    pub(crate) record: Option<Expr>,
    pub(crate) retry: Option<Expr>,
    pub(crate) backoff: Option<Expr>,
    pub(crate) session: Option<Expr>,
    pub(crate) user: Option<Expr>,
    pub(crate) conversation: Option<Expr>,
    pub(crate) parent: Option<Expr>,
    pub(crate) skip: Vec<Ident>,
    pub(crate) skip_all: Option<Ident>,
    /// `skip_result`: the arguments may be captured, the result is not.
    pub(crate) skip_result: Option<Ident>,
    pub(crate) capture: Option<LitBool>,
    /// `stream` or `stream = <bool>`: whether the function returns a stream of chunks (else
    /// told from the return type).
    pub(crate) stream: Option<LitBool>,
    pub(crate) fields: Vec<Field>,
    pub(crate) krate: Option<syn::Path>,
    seen: Vec<String>,
}

impl Options {
    /// Parses the attribute's arguments for `kind`.
    pub(crate) fn parse(kind: Kind, args: TokenStream) -> syn::Result<Self> {
        let mut options = Options::default();
        let parser = syn::meta::parser(|meta| options.parse_one(kind, meta));
        syn::parse::Parser::parse2(parser, args)?;
        Ok(options)
    }

    fn parse_one(&mut self, kind: Kind, meta: ParseNestedMeta) -> syn::Result<()> {
        let path = &meta.path;
        let key = path
            .get_ident()
            .map(Ident::to_string)
            .unwrap_or_else(|| path.to_token_stream().to_string().replace(' ', ""));
        if !kind.own_options().contains(&key.as_str()) && !COMMON.contains(&key.as_str()) {
            return Err(meta.error(kind.unknown_option(&key)));
        }
        if self.seen.contains(&key) {
            return Err(meta.error(format!("duplicate option `{key}`")));
        }
        self.seen.push(key.clone());
        match key.as_str() {
            "name" => self.name = Some(non_empty(meta.value()?.parse()?)?),
            "description" => self.description = Some(meta.value()?.parse()?),
            "id" => self.id = Some(meta.value()?.parse()?),
            "version" => self.version = Some(meta.value()?.parse()?),
            "provider" => self.provider = Some(meta.value()?.parse()?),
            "model" => self.model = Some(meta.value()?.parse()?),
            "call_id" => self.call_id = Some(meta.value()?.parse()?),
            "data_source" => self.data_source = Some(meta.value()?.parse()?),
            "query" => self.query = Some(meta.value()?.call(Ident::parse_any)?),
            "top_k" => self.top_k = Some(meta.value()?.parse()?),
            "dimensions" => self.dimensions = Some(meta.value()?.parse()?),
            "store" => self.store = Some(meta.value()?.parse()?),
            "record" => self.record = Some(meta.value()?.parse()?),
            "retry" => self.retry = Some(meta.value()?.parse()?),
            "backoff" => self.backoff = Some(meta.value()?.parse()?),
            "session" => self.session = Some(meta.value()?.parse()?),
            "user" => self.user = Some(meta.value()?.parse()?),
            "conversation" => self.conversation = Some(meta.value()?.parse()?),
            "parent" => self.parent = Some(meta.value()?.parse()?),
            "capture" => self.capture = Some(meta.value()?.parse()?),
            "stream" => {
                self.stream = Some(if meta.input.peek(Token![=]) {
                    meta.value()?.parse()?
                } else {
                    LitBool::new(true, path.span())
                });
            }
            "crate" => {
                let lit: LitStr = meta.value()?.parse()?;
                self.krate = Some(lit.parse().map_err(|_| {
                    syn::Error::new_spanned(
                        &lit,
                        "expected the path of genai_tracing, e.g. \"::my_deps::genai_tracing\"",
                    )
                })?);
            }
            "operation" => {
                let op: LitStr = meta.value()?.parse()?;
                let allowed: &[&str] = if kind == Kind::Memory {
                    &MEMORY_OPERATIONS
                } else {
                    &LLM_OPERATIONS
                };
                if !allowed.contains(&op.value().as_str()) {
                    let near = closest(&op.value(), allowed)
                        .map(|near| format!(": did you mean {near:?}? Expected"))
                        .unwrap_or_else(|| "; expected".to_owned());
                    return Err(syn::Error::new_spanned(
                        &op,
                        format!(
                            "unknown operation {:?}{near} one of: {}",
                            op.value(),
                            allowed.join(", ")
                        ),
                    ));
                }
                self.operation = Some(op);
            }
            "skip_all" | "skip_result" => {
                if !meta.input.is_empty() && !meta.input.peek(Token![,]) {
                    return Err(meta.error(format!("`{key}` takes no value")));
                }
                let flag = path.get_ident().cloned();
                match key.as_str() {
                    "skip_all" => self.skip_all = flag,
                    _ => self.skip_result = flag,
                }
            }
            "skip" => {
                let content;
                syn::parenthesized!(content in meta.input);
                let names = Punctuated::<Ident, Token![,]>::parse_terminated_with(
                    &content,
                    Ident::parse_any,
                )?;
                if names.is_empty() {
                    return Err(meta.error("`skip(..)` needs at least one argument name"));
                }
                self.skip.extend(names);
            }
            "fields" => {
                let content;
                syn::parenthesized!(content in meta.input);
                for field in Punctuated::<Field, Token![,]>::parse_terminated(&content)? {
                    if self.fields.iter().any(|f| f.name == field.name) {
                        return Err(syn::Error::new_spanned(
                            field.key(),
                            format!("`fields(..)` repeats the key `{}`", field.name),
                        ));
                    }
                    self.fields.push(field);
                }
            }
            _ => unreachable!("every accepted option is handled"),
        }
        Ok(())
    }
}

fn non_empty(lit: LitStr) -> syn::Result<LitStr> {
    if lit.value().trim().is_empty() {
        Err(syn::Error::new_spanned(&lit, "the name must not be empty"))
    } else {
        Ok(lit)
    }
}

#[cfg(test)]
mod tests {
    /// The macro checks `#[memory(operation = ..)]` against its own copy of the list (a proc-macro
    /// crate cannot read the runtime's constants); this keeps the copy equal to `semconv`'s.
    #[test]
    fn memory_operations_match_the_runtime_semconv() {
        let names = include_str!("../../runtime/src/semconv/names.rs");
        let start = names
            .find("pub const MEMORY: [&str;")
            .expect("semconv MEMORY list");
        let list = &names[start..start + names[start..].find("];").expect("end of list")];
        let runtime: Vec<&str> = list.split('"').skip(1).step_by(2).collect();
        assert_eq!(runtime, super::MEMORY_OPERATIONS);
    }
}
