//! What the function returns, read from its signature: the `T` of a `Result<T, E>`, the output
//! of an `#[async_trait]` method's future, the type a replayed call records, and the fake return
//! that pins the body's type to the declared one.

use proc_macro2::TokenStream;
use quote::quote;
use syn::visit_mut::VisitMut;
use syn::{GenericArgument, ItemFn, PathArguments, ReturnType, Type};

/// What a replayable call returns, for the runtime's codec probe.
pub(crate) enum Returned {
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
pub(crate) fn replayed_type(item: &ItemFn, async_trait: bool) -> Option<Returned> {
    let output = match async_trait {
        true => match future_output(&item.sig.output) {
            ReturnType::Default => return None,
            output => output,
        },
        false => item.sig.output.clone(),
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
pub(crate) fn ok_type(ty: &Type) -> Option<&Type> {
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
pub(crate) fn future_output(output: &ReturnType) -> ReturnType {
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
pub(crate) fn fake_return(output: &ReturnType) -> TokenStream {
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
