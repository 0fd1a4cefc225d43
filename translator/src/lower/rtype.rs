//! C types to Rust types, with the integer widths of CPython's LP64 platform model.
//!
//! Integers map by rank and signedness, not by typedef spelling: the runtime's API takes `i64`
//! for `Py_ssize_t` and `u64` for `size_t`, so the generated code never needs a cast that only
//! renames a type. Named and pointer types go through the binding table's `[type.*]` entries.

use subset::bindings::TypeClass;
use subset::{Bindings, CType, FloatKind, IntRank, IntType};
use syn::parse_quote;

/// The Rust primitive holding exactly the values of an integer type.
pub fn int_type(i: &IntType) -> syn::Type {
    let name = int_name(i);
    let id = syn::Ident::new(name, proc_macro2::Span::call_site());
    parse_quote!(#id)
}

/// Name of the Rust primitive for an integer type (`bool` for `_Bool`).
pub fn int_name(i: &IntType) -> &'static str {
    match (i.rank, i.signed) {
        (IntRank::Bool, _) => "bool",
        (IntRank::Char, true) => "i8",
        (IntRank::Char, false) => "u8",
        (IntRank::Short, true) => "i16",
        (IntRank::Short, false) => "u16",
        (IntRank::Int, true) => "i32",
        (IntRank::Int, false) => "u32",
        (IntRank::Long | IntRank::LongLong, true) => "i64",
        (IntRank::Long | IntRank::LongLong, false) => "u64",
    }
}

/// Whether an integer type is represented as Rust `bool`.
pub fn is_bool(t: &CType) -> bool {
    matches!(t, CType::Int(i) if i.rank == IntRank::Bool)
}

/// The Rust type of a C type, or why there is none.
pub fn rust_type(t: &CType, b: &Bindings) -> Result<syn::Type, String> {
    match t {
        CType::Void => Ok(parse_quote!(())),
        CType::Int(i) => Ok(int_type(i)),
        CType::Float(FloatKind::Float) => Ok(parse_quote!(f32)),
        CType::Float(FloatKind::Double) => Ok(parse_quote!(f64)),
        CType::Named(n) => match b.type_binding(n) {
            Some(tb) => parse_rust_type(&tb.rust, n),
            None => Err(format!("type `{n}` has no binding")),
        },
        CType::Pointer(inner) => match &**inner {
            CType::Named(n) => match b.type_binding(n) {
                Some(tb)
                    if matches!(tb.class, TypeClass::ObjectPointer | TypeClass::OpaqueStruct) =>
                {
                    parse_rust_type(&tb.rust, n)
                }
                _ => Err(format!("no Rust type for pointer type `{t}`")),
            },
            _ => Err(format!("no Rust type for pointer type `{t}`")),
        },
        CType::Array(elem, Some(n)) => {
            let e = rust_type(elem, b)?;
            let n = *n as usize;
            Ok(parse_quote!([#e; #n]))
        }
        _ => Err(format!("no Rust type for `{t}`")),
    }
}

fn parse_rust_type(text: &str, c_name: &str) -> Result<syn::Type, String> {
    syn::parse_str::<syn::Type>(text)
        .map_err(|e| format!("binding of type `{c_name}`: `{text}` is not a Rust type ({e})"))
}

/// The stack array element type (`_PyStackRef *` → `_PyStackRef`), for `values[oparg]` items.
pub fn array_element(t: &CType) -> Option<&CType> {
    t.pointee()
}

/// Whether a C type is a pointer the generated code holds as a handle with a `NULL` constant.
pub fn is_handle_pointer(t: &CType, b: &Bindings) -> bool {
    matches!(t, CType::Pointer(_)) && rust_type(t, b).is_ok()
}

/// `T::NULL` for a path type (`runtime::Obj::NULL`), `<T>::NULL` otherwise.
pub fn null_of(t: &syn::Type) -> syn::Expr {
    if let syn::Type::Path(p) = t {
        if p.qself.is_none()
            && p.path
                .segments
                .iter()
                .all(|s| matches!(s.arguments, syn::PathArguments::None))
        {
            let path = &p.path;
            return parse_quote!(#path::NULL);
        }
    }
    parse_quote!(<#t>::NULL)
}
