//! The tables of the emitted code: which instructions and bodies are generated (with their
//! `bytecodes.c` lines), every instruction's metadata, and the dispatch by name and opcode.
//!
//! The rows are built as syn nodes and put into items parsed with empty tables: interpolating
//! them into `parse_quote!` would re-parse every row (this was 15% of the whole pipeline).

use proc_macro2::Span;
use syn::punctuated::Punctuated;
use syn::{parse_quote, Expr, Item};

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
            generated_row(name, "instruction", opcode, line, f)
        })
        .collect();
    out.push(const_table(
        parse_quote! {
            /// Instructions with a composed function, in CPython's order.
            pub const GENERATED_INSTRUCTIONS: &[Generated] = &[];
        },
        gen_insts,
    ));
    let gen_bodies: Vec<syn::Expr> = l
        .bodies
        .iter()
        .filter(|b| b.code.is_ok())
        .map(|b| {
            let name = &b.name;
            let kind = b.kind.as_str();
            let f = &b.fn_name;
            let line = lit(b.line);
            generated_row(name, kind, opt_u32(None), line, f)
        })
        .collect();
    out.push(const_table(
        parse_quote! {
            /// Bodies (`inst`, `op`, `label`) with a generated function, in source order.
            pub const GENERATED_BODIES: &[Generated] = &[];
        },
        gen_bodies,
    ));
    let meta: Vec<syn::Expr> = l
        .instructions
        .iter()
        .map(|i| {
            let name = &i.name;
            let opcode = opt_u32(i.opcode);
            let size = lit(i.size as u32);
            let flags = reference(array(i.flags.iter().map(|f| str_lit(f)).collect()));
            let generated = Expr::Lit(syn::ExprLit {
                attrs: Vec::new(),
                lit: syn::Lit::Bool(syn::LitBool::new(i.code.is_ok(), Span::call_site())),
            });
            struct_expr(
                "InstructionMeta",
                vec![
                    ("name", str_lit(name)),
                    ("opcode", opcode),
                    ("size", int_expr(size)),
                    ("flags", flags),
                    ("generated", generated),
                ],
            )
        })
        .collect();
    out.push(const_table(
        parse_quote! {
            /// Metadata of every instruction of the input (generated or not).
            pub const INSTRUCTIONS: &[InstructionMeta] = &[];
        },
        meta,
    ));
    let by_name: Vec<syn::Arm> = l
        .instructions
        .iter()
        .filter(|i| i.code.is_ok())
        .map(|i| {
            let name = &i.name;
            let f = &i.fn_name;
            dispatch_arm(syn::Pat::Lit(lit_expr(str_lit_node(name))), f)
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
        with_arms(
            parse_quote! {
                /// Runs the generated instruction `name`; `None` when it is not generated.
                pub fn execute(vm: &mut runtime::Vm, name: &str, oparg: u32) -> Option<runtime::Outcome> {
                    match name {
                        _ => None,
                    }
                }
            },
            by_name,
        )
    });
    let by_opcode: Vec<syn::Arm> = l
        .instructions
        .iter()
        .filter(|i| i.code.is_ok())
        .filter_map(|i| {
            let op = lit(i.opcode?);
            let f = &i.fn_name;
            Some(dispatch_arm(syn::Pat::Lit(lit_expr(syn::Lit::Int(op))), f))
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
        with_arms(
            parse_quote! {
                /// Runs the generated instruction with this opcode; `None` when it is not generated.
                pub fn execute_opcode(vm: &mut runtime::Vm, opcode: u32, oparg: u32) -> Option<runtime::Outcome> {
                    match opcode {
                        _ => None,
                    }
                }
            },
            by_opcode,
        )
    });
    out
}

/// An unsuffixed integer literal (the tables' field types fix the type).
fn lit(n: u32) -> syn::LitInt {
    syn::LitInt::new(&n.to_string(), Span::call_site())
}

fn int_expr(n: syn::LitInt) -> Expr {
    Expr::Lit(lit_expr(syn::Lit::Int(n)))
}

fn str_lit_node(s: &str) -> syn::Lit {
    syn::Lit::Str(syn::LitStr::new(s, Span::call_site()))
}

fn str_lit(s: &str) -> Expr {
    Expr::Lit(lit_expr(str_lit_node(s)))
}

fn lit_expr(lit: syn::Lit) -> syn::ExprLit {
    syn::ExprLit {
        attrs: Vec::new(),
        lit,
    }
}

fn path_expr(name: &str) -> Expr {
    Expr::Path(syn::ExprPath {
        attrs: Vec::new(),
        qself: None,
        path: syn::Ident::new(name, Span::call_site()).into(),
    })
}

fn call(func: &str, args: Vec<Expr>) -> Expr {
    Expr::Call(syn::ExprCall {
        attrs: Vec::new(),
        func: Box::new(path_expr(func)),
        paren_token: Default::default(),
        args: args.into_iter().collect(),
    })
}

fn array(elems: Vec<Expr>) -> Expr {
    Expr::Array(syn::ExprArray {
        attrs: Vec::new(),
        bracket_token: Default::default(),
        elems: elems.into_iter().collect(),
    })
}

/// `&e`.
fn reference(e: Expr) -> Expr {
    Expr::Reference(syn::ExprReference {
        attrs: Vec::new(),
        and_token: Default::default(),
        mutability: None,
        expr: Box::new(e),
    })
}

/// `Name { field: value, ... }`.
fn struct_expr(name: &str, fields: Vec<(&str, Expr)>) -> Expr {
    let fields: Punctuated<syn::FieldValue, syn::Token![,]> = fields
        .into_iter()
        .map(|(member, expr)| syn::FieldValue {
            attrs: Vec::new(),
            member: syn::Member::Named(syn::Ident::new(member, Span::call_site())),
            colon_token: Some(Default::default()),
            expr,
        })
        .collect();
    Expr::Struct(syn::ExprStruct {
        attrs: Vec::new(),
        qself: None,
        path: syn::Ident::new(name, Span::call_site()).into(),
        brace_token: Default::default(),
        fields,
        dot2_token: None,
        rest: None,
    })
}

/// A `Generated { name, kind, opcode, line, function }` row.
fn generated_row(name: &str, kind: &str, opcode: Expr, line: syn::LitInt, function: &str) -> Expr {
    struct_expr(
        "Generated",
        vec![
            ("name", str_lit(name)),
            ("kind", str_lit(kind)),
            ("opcode", opcode),
            ("line", int_expr(line)),
            ("function", str_lit(function)),
        ],
    )
}

/// `pat => Some(f(vm, oparg)),`
fn dispatch_arm(pat: syn::Pat, f: &str) -> syn::Arm {
    let run = call(f, vec![path_expr("vm"), path_expr("oparg")]);
    syn::Arm {
        attrs: Vec::new(),
        pat,
        guard: None,
        fat_arrow_token: Default::default(),
        body: Box::new(call("Some", vec![run])),
        comma: Some(Default::default()),
    }
}

/// `item` (a `const NAME: &[T] = &[];`) with `rows` as its table.
fn const_table(mut item: syn::ItemConst, rows: Vec<Expr>) -> Item {
    if let Expr::Reference(r) = item.expr.as_mut() {
        *r.expr = array(rows);
    }
    Item::Const(item)
}

/// `item` (a function whose body is one `match` with a catch-all arm) with `arms` put
/// before the catch-all.
fn with_arms(mut item: syn::ItemFn, arms: Vec<syn::Arm>) -> Item {
    if let Some(syn::Stmt::Expr(Expr::Match(m), _)) = item.block.stmts.first_mut() {
        m.arms.splice(0..0, arms);
    }
    Item::Fn(item)
}

fn opt_u32(v: Option<u32>) -> Expr {
    match v {
        Some(n) => call("Some", vec![int_expr(lit(n))]),
        None => path_expr("None"),
    }
}
