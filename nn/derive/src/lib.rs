//! `#[derive(Module)]` for `kiln-nn`: implements `kiln_nn::Module` and `Display` for a struct by
//! visiting every field in declaration order, as PyTorch registers attributes in `__init__`.
//!
//! Each field is visited through `kiln_nn::ModuleField` under its own name: a `Var` is a
//! parameter, a type implementing `Module` is a child module, and `Vec<_>` / `Option<_>` of
//! those are a `ModuleList` / an optional member. Fields that are plain configuration (sizes,
//! flags) are marked `#[module(skip)]`; a field whose checkpoint name is not a valid Rust
//! identifier (Hugging Face's `attention.self`, `LayerNorm`) takes `#[module(rename = "self")]`.
//! Depends on nothing of Kiln (the generated code names
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
///     #[module(rename = "LayerNorm")]
///     layer_norm: LayerNorm,
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
                let attrs = field_attrs(field)?;
                if attrs.skip {
                    continue;
                }
                let name = field.ident.as_ref().expect("named field");
                let key = attrs.rename.unwrap_or_else(|| name.to_string());
                visits.push(quote! {
                    ::kiln_nn::ModuleField::visit_field(&self.#name, #key, visitor);
                });
            }
        }
        Fields::Unnamed(fields) => {
            for (index, field) in fields.unnamed.iter().enumerate() {
                let attrs = field_attrs(field)?;
                if attrs.skip {
                    continue;
                }
                let member = syn::Index::from(index);
                let key = attrs.rename.unwrap_or_else(|| index.to_string());
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

/// What a field's `#[module(...)]` attributes say.
#[derive(Default)]
struct FieldAttrs {
    /// `#[module(skip)]`: not a parameter, buffer or child.
    skip: bool,
    /// `#[module(rename = "name")]`: the name the field is visited (and saved) under.
    rename: Option<String>,
}

/// Reads a field's `#[module(skip)]` / `#[module(rename = "…")]`; anything else is an error.
fn field_attrs(field: &syn::Field) -> syn::Result<FieldAttrs> {
    let mut out = FieldAttrs::default();
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("module")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("skip") {
                out.skip = true;
                Ok(())
            } else if meta.path.is_ident("rename") {
                let name: syn::LitStr = meta.value()?.parse()?;
                out.rename = Some(name.value());
                Ok(())
            } else {
                Err(meta.error("unknown module attribute; expected `skip` or `rename = \"…\"`"))
            }
        })?;
    }
    Ok(out)
}
