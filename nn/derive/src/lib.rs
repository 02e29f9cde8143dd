//! `#[derive(Module)]` for `kiln-nn`: implements `kiln_nn::Module` and `Display` for a struct by
//! visiting every field in declaration order, as PyTorch registers attributes in `__init__`.
//!
//! Each field is visited through `kiln_nn::ModuleField` under its own name: a `Var` is a
//! parameter, a type implementing `Module` is a child module, and `Vec<_>` / `Option<_>` of
//! those are a `ModuleList` / an optional member. Fields that are plain configuration (sizes,
//! flags) are marked `#[module(skip)]`. Depends on nothing of Kiln (the generated code names
//! `::kiln_nn`).

use proc_macro::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Fields, parse_macro_input};

/// Derives `kiln_nn::Module` and `std::fmt::Display` (PyTorch's `print(model)` format).
///
/// ```ignore
/// #[derive(Module)]
/// struct Mlp {
///     hidden_layer: Linear,
///     output_layer: Linear,
///     activation: ReLU,
///     #[module(skip)]
///     input_size: usize,
/// }
/// ```
#[proc_macro_derive(Module, attributes(module))]
pub fn derive_module(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match expand(&input) {
        Ok(tokens) => tokens.into(),
        Err(error) => error.to_compile_error().into(),
    }
}

fn expand(input: &DeriveInput) -> syn::Result<proc_macro2::TokenStream> {
    let ident = &input.ident;
    let type_name = ident.to_string();
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            ident,
            "#[derive(Module)] supports structs only",
        ));
    };
    let mut visits = Vec::new();
    match &data.fields {
        Fields::Named(fields) => {
            for field in &fields.named {
                if is_skipped(field)? {
                    continue;
                }
                let name = field.ident.as_ref().expect("named field");
                let key = name.to_string();
                visits.push(quote! {
                    ::kiln_nn::ModuleField::visit_field(&self.#name, #key, visitor);
                });
            }
        }
        Fields::Unnamed(fields) => {
            for (index, field) in fields.unnamed.iter().enumerate() {
                if is_skipped(field)? {
                    continue;
                }
                let member = syn::Index::from(index);
                let key = index.to_string();
                visits.push(quote! {
                    ::kiln_nn::ModuleField::visit_field(&self.#member, #key, visitor);
                });
            }
        }
        Fields::Unit => {}
    }
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    Ok(quote! {
        impl #impl_generics ::kiln_nn::Module for #ident #ty_generics #where_clause {
            fn type_name(&self) -> ::std::string::String {
                ::std::string::String::from(#type_name)
            }

            fn visit(&self, visitor: &mut dyn ::kiln_nn::Visitor) {
                #(#visits)*
            }
        }

        impl #impl_generics ::std::fmt::Display for #ident #ty_generics #where_clause {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&::kiln_nn::Module::repr(self))
            }
        }
    })
}

/// Whether a field carries `#[module(skip)]`; any other `module(...)` argument is an error.
fn is_skipped(field: &syn::Field) -> syn::Result<bool> {
    let mut skipped = false;
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("module")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("skip") {
                skipped = true;
                Ok(())
            } else {
                Err(meta.error("unknown module attribute; expected `skip`"))
            }
        })?;
    }
    Ok(skipped)
}
