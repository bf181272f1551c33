//! The function's arguments as the expansion sees them: named ones (plain identifier patterns),
//! each captured or not (skipped, capture off, `_`-prefixed, `#[cfg]`-gated, or read by
//! `parent = ..`).

use proc_macro2::TokenStream;
use quote::{quote_spanned, ToTokens};
use syn::ext::IdentExt as _;
use syn::{Expr, FnArg, ItemFn, Pat};

use crate::attr::Options;

/// A named argument (a plain identifier pattern) and whether its value may be captured.
pub(crate) struct Argument {
    pub(crate) ident: syn::Ident,
    /// Its name without `r#`.
    pub(crate) name: String,
    /// Not captured: skipped, capture off for the function, `_`-prefixed, or `#[cfg]`-gated.
    pub(crate) skipped: bool,
    /// `#[cfg]`-gated: it may not exist, so the expansion never names it.
    pub(crate) gated: bool,
}

impl Argument {
    /// `(name, &arg as &dyn Capture)`, through `CapturedArgument` on the argument's name: an
    /// argument that is not `Serialize` is an error there that says how to skip it.
    pub(crate) fn captured(&self, krate: &TokenStream) -> TokenStream {
        let (ident, name) = (&self.ident, &self.name);
        quote_spanned! {ident.span()=>
            (#name, &#ident as &dyn #krate::capture::CapturedArgument as &dyn #krate::capture::Capture)
        }
    }
}

/// The named arguments, each marked skipped or not (`check.rs` has checked that `skip(..)`
/// names real ones).
pub(crate) fn arguments(options: &Options, item: &ItemFn) -> Vec<Argument> {
    let capture_off = options.capture.as_ref().is_some_and(|b| !b.value);
    let skip: Vec<String> = options.skip.iter().map(|i| i.unraw().to_string()).collect();
    let parent = options
        .parent
        .as_ref()
        .map(parent_names)
        .unwrap_or_default();
    item.sig
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
                    })
                }
                _ => None,
            },
            FnArg::Receiver(_) => None,
        })
        .collect()
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
