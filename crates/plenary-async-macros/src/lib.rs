//! Attribute macros of `plenary-async`; use them through the runtime crate:
//! `#[plenary_async::test]` and `#[plenary_async::main]`.

use proc_macro::TokenStream;
use proc_macro2::Span;
use quote::quote;
use syn::parse::Parser;
use syn::{Error, ItemFn, LitInt, Meta};

/// Runs an `async fn` test on a fresh plenary-async runtime with a time limit.
///
/// `#[plenary_async::test]` or `#[plenary_async::test(timeout = 5000)]`
/// (milliseconds; default: `PLENARY_TEST_TIMEOUT`, else 30 s).
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_test(args.into(), item.into())
        .unwrap_or_else(Error::into_compile_error)
        .into()
}

/// Runs `async fn main` under `plenary_async::block_on`.
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_main(args.into(), item.into())
        .unwrap_or_else(Error::into_compile_error)
        .into()
}

fn parse_async_fn(item: proc_macro2::TokenStream, what: &str) -> syn::Result<ItemFn> {
    let f: ItemFn = syn::parse2(item)?;
    if f.sig.asyncness.is_none() {
        return Err(Error::new_spanned(
            f.sig.fn_token,
            format!("#[plenary_async::{what}] needs an `async fn`"),
        ));
    }
    if !f.sig.inputs.is_empty() {
        return Err(Error::new_spanned(
            &f.sig.inputs,
            format!("#[plenary_async::{what}] functions take no arguments"),
        ));
    }
    if !f.sig.generics.params.is_empty() {
        return Err(Error::new_spanned(
            &f.sig.generics,
            format!("#[plenary_async::{what}] functions cannot be generic"),
        ));
    }
    Ok(f)
}

fn parse_timeout(args: proc_macro2::TokenStream) -> syn::Result<Option<u64>> {
    let metas =
        syn::punctuated::Punctuated::<Meta, syn::Token![,]>::parse_terminated.parse2(args)?;
    let mut timeout = None;
    for meta in metas {
        match &meta {
            Meta::NameValue(nv) if nv.path.is_ident("timeout") => {
                let lit: LitInt = syn::parse2(quote!(#nv.value)).or_else(|_| match &nv.value {
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Int(i),
                        ..
                    }) => Ok(i.clone()),
                    other => Err(Error::new_spanned(
                        other,
                        "timeout must be a whole number of milliseconds, e.g. `timeout = 5000`",
                    )),
                })?;
                timeout = Some(lit.base10_parse::<u64>()?);
            }
            _ => {
                return Err(Error::new_spanned(
                    meta,
                    "unknown argument; expected `timeout = MILLISECONDS`",
                ))
            }
        }
    }
    Ok(timeout)
}

fn expand_test(
    args: proc_macro2::TokenStream,
    item: proc_macro2::TokenStream,
) -> syn::Result<proc_macro2::TokenStream> {
    let timeout = parse_timeout(args)?;
    let f = parse_async_fn(item, "test")?;
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
    } = f;
    let name = &sig.ident;
    let output = &sig.output;
    let timeout = match timeout {
        Some(ms) => quote!(::core::option::Option::Some(#ms)),
        None => quote!(::core::option::Option::None),
    };
    let name_str = syn::LitStr::new(&name.to_string(), Span::call_site());
    Ok(quote! {
        #[::core::prelude::v1::test]
        #(#attrs)*
        #vis fn #name() #output {
            ::plenary_async::__private::run_test(#name_str, #timeout, move || async move #block)
        }
    })
}

fn expand_main(
    args: proc_macro2::TokenStream,
    item: proc_macro2::TokenStream,
) -> syn::Result<proc_macro2::TokenStream> {
    if !args.is_empty() {
        return Err(Error::new_spanned(
            args,
            "#[plenary_async::main] takes no arguments",
        ));
    }
    let f = parse_async_fn(item, "main")?;
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
    } = f;
    let name = &sig.ident;
    let output = &sig.output;
    Ok(quote! {
        #(#attrs)*
        #vis fn #name() #output {
            ::plenary_async::block_on(async move #block)
        }
    })
}
