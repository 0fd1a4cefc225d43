//! The tables of the emitted code: which instructions and bodies are generated (with their
//! `bytecodes.c` lines), every instruction's metadata, and the dispatch by name and opcode.

use syn::{parse_quote, Item};

use super::Lowered;

/// The table and dispatch items.
pub fn items(l: &Lowered) -> Vec<Item> {
    let mut out: Vec<Item> = Vec::new();
    let gen_insts: Vec<syn::Expr> = l
        .instructions
        .iter()
        .filter(|i| i.code.is_ok())
        .map(|i| {
            let name = &i.name;
            let f = &i.fn_name;
            let line = lit(i.line);
            let opcode = opt_u32(i.opcode);
            parse_quote!(Generated { name: #name, kind: "instruction", opcode: #opcode, line: #line, function: #f })
        })
        .collect();
    out.push(parse_quote! {
        /// Instructions with a composed function, in CPython's order.
        pub const GENERATED_INSTRUCTIONS: &[Generated] = &[#(#gen_insts),*];
    });
    let gen_bodies: Vec<syn::Expr> = l
        .bodies
        .iter()
        .filter(|b| b.code.is_ok())
        .map(|b| {
            let name = &b.name;
            let kind = b.kind.as_str();
            let f = &b.fn_name;
            let line = lit(b.line);
            parse_quote!(Generated { name: #name, kind: #kind, opcode: None, line: #line, function: #f })
        })
        .collect();
    out.push(parse_quote! {
        /// Bodies (`inst`, `op`, `label`) with a generated function, in source order.
        pub const GENERATED_BODIES: &[Generated] = &[#(#gen_bodies),*];
    });
    let meta: Vec<syn::Expr> = l
        .instructions
        .iter()
        .map(|i| {
            let name = &i.name;
            let opcode = opt_u32(i.opcode);
            let size = lit(i.size as u32);
            let flags = &i.flags;
            let generated = i.code.is_ok();
            parse_quote!(InstructionMeta { name: #name, opcode: #opcode, size: #size, flags: &[#(#flags),*], generated: #generated })
        })
        .collect();
    out.push(parse_quote! {
        /// Metadata of every instruction of the input (generated or not).
        pub const INSTRUCTIONS: &[InstructionMeta] = &[#(#meta),*];
    });
    let by_name: Vec<syn::Arm> = l
        .instructions
        .iter()
        .filter(|i| i.code.is_ok())
        .map(|i| {
            let name = &i.name;
            let f = syn::Ident::new(&i.fn_name, proc_macro2::Span::call_site());
            parse_quote!(#name => Some(#f(vm, oparg)),)
        })
        .collect();
    out.push(if by_name.is_empty() {
        parse_quote! {
            /// Runs the generated instruction `name`; `None`: none is generated.
            pub fn execute(_vm: &mut runtime::Vm, _name: &str, _oparg: u32) -> Option<runtime::Outcome> {
                None
            }
        }
    } else {
        parse_quote! {
            /// Runs the generated instruction `name`; `None` when it is not generated.
            pub fn execute(vm: &mut runtime::Vm, name: &str, oparg: u32) -> Option<runtime::Outcome> {
                match name {
                    #(#by_name)*
                    _ => None,
                }
            }
        }
    });
    let by_opcode: Vec<syn::Arm> = l
        .instructions
        .iter()
        .filter(|i| i.code.is_ok())
        .filter_map(|i| {
            let op = lit(i.opcode?);
            let f = syn::Ident::new(&i.fn_name, proc_macro2::Span::call_site());
            Some(parse_quote!(#op => Some(#f(vm, oparg)),))
        })
        .collect();
    out.push(if by_opcode.is_empty() {
        parse_quote! {
            /// Runs the generated instruction with this opcode; `None`: no generated
            /// instruction has an opcode.
            pub fn execute_opcode(_vm: &mut runtime::Vm, _opcode: u32, _oparg: u32) -> Option<runtime::Outcome> {
                None
            }
        }
    } else {
        parse_quote! {
            /// Runs the generated instruction with this opcode; `None` when it is not generated.
            pub fn execute_opcode(vm: &mut runtime::Vm, opcode: u32, oparg: u32) -> Option<runtime::Outcome> {
                match opcode {
                    #(#by_opcode)*
                    _ => None,
                }
            }
        }
    });
    out
}

/// An unsuffixed integer literal (the tables' field types fix the type).
fn lit(n: u32) -> syn::LitInt {
    syn::LitInt::new(&n.to_string(), proc_macro2::Span::call_site())
}

fn opt_u32(v: Option<u32>) -> syn::Expr {
    match v {
        Some(n) => {
            let n = lit(n);
            parse_quote!(Some(#n))
        }
        None => parse_quote!(None),
    }
}
