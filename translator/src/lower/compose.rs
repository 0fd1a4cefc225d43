//! Composed instructions: one `fn(vm, oparg) -> Outcome` per instruction whose bodies all
//! translate, running its ops in order with the stack threaded through the frame, as
//! `harness/CONTRACT.md` specifies: each op reads its inputs where they are, and only
//! when it continues are they replaced by its outputs; a deopt or side exit leaves the stack as
//! it was when the op started, an `ERROR_IF` pops the op's inputs.

use quote::format_ident;
use subset::{Bindings, CType};
use syn::{parse_quote, Expr, Stmt};

use super::sig::{BodySig, SigItem};

/// One op of an instruction, ready to compose.
#[derive(Debug)]
pub struct OpCall<'a> {
    pub uop: &'a str,
    pub func: syn::Ident,
    pub sig: &'a BodySig,
    pub may_dispatch: bool,
    /// Offset (in code units after the instruction word) of each named cache entry.
    pub cache_offsets: Vec<i64>,
}

/// What the composition needs of an instruction.
#[derive(Debug)]
pub struct InstSpec<'a> {
    pub name: &'a str,
    pub opcode: Option<u32>,
    pub line: u32,
    pub size: i32,
    pub ops: Vec<OpCall<'a>>,
    /// Human-readable list of the parts for the doc comment.
    pub parts_doc: String,
}

/// The composed function's name.
pub fn exec_ident(name: &str) -> syn::Ident {
    format_ident!("exec_{}", name.trim_start_matches('_').to_lowercase())
}

/// Whether the composition can move this stack item between the frame and a variable.
fn threadable(it: &SigItem, b: &Bindings) -> bool {
    let t = it.elem_type();
    matches!(&t, CType::Named(n) if n == "_PyStackRef") || b.is_object_pointer(&t)
}

/// Slot counts of a list of items, folded when all are constant.
fn sizes(items: &[SigItem]) -> Result<Vec<Expr>, String> {
    items.iter().map(SigItem::size).collect()
}

fn sum(xs: &[Expr]) -> Expr {
    if xs.is_empty() {
        return parse_quote!(0usize);
    }
    // Constant `1usize` terms are counted, everything else added.
    let mut k = 0usize;
    let mut rest: Vec<Expr> = Vec::new();
    for x in xs {
        match x {
            Expr::Lit(l) => match &l.lit {
                syn::Lit::Int(i) => k += i.base10_parse::<usize>().unwrap_or(0),
                _ => rest.push(x.clone()),
            },
            _ => rest.push(x.clone()),
        }
    }
    if rest.len() == 1 && k == 0 {
        return rest.remove(0);
    }
    let rest: Vec<Expr> = rest.into_iter().map(super::expr::paren).collect();
    let lit = syn::LitInt::new(&format!("{k}usize"), proc_macro2::Span::call_site());
    if rest.is_empty() {
        return parse_quote!(#lit);
    }
    if k == 0 {
        return parse_quote!(#(#rest)+*);
    }
    parse_quote!(#lit + #(#rest)+*)
}

/// The composed function of one instruction.
pub fn compose(spec: &InstSpec<'_>, b: &Bindings) -> Result<syn::ItemFn, String> {
    let ident = exec_ident(spec.name);
    let mut body: Vec<Stmt> = Vec::new();
    let size = syn::LitInt::new(&spec.size.to_string(), proc_macro2::Span::call_site());
    body.push(parse_quote!(enter_instruction(vm, #size);));
    for op in &spec.ops {
        let sig = op.sig;
        for it in sig.inputs.iter().chain(&sig.outputs) {
            if !it.unused && !threadable(it, b) {
                return Err(format!(
                    "stack item `{}` of `{}` has type {} (not a stack reference)",
                    it.name, op.uop, it.ty
                ));
            }
        }
        let mut block: Vec<Stmt> = Vec::new();
        let in_sizes = sizes(&sig.inputs)?;
        let out_sizes = sizes(&sig.outputs)?;
        let mut args: Vec<Expr> = vec![parse_quote!(vm), parse_quote!(oparg)];
        for (c, off) in sig.caches.iter().zip(&op.cache_offsets) {
            let reader = match c.size {
                1 => format_ident!("cache_u16"),
                2 => format_ident!("cache_u32"),
                4 => format_ident!("cache_obj"),
                n => return Err(format!("cache entry `{}` of size {n}", c.name)),
            };
            let v = format_ident!("cache_{}", c.name);
            let off = syn::LitInt::new(&off.to_string(), proc_macro2::Span::call_site());
            block.push(parse_quote!(let #v = #reader(vm, #off);));
            args.push(parse_quote!(#v));
        }
        for (i, it) in sig.inputs.iter().enumerate() {
            if it.unused {
                continue;
            }
            let depth = sum(&in_sizes[i + 1..]);
            let v = format_ident!("in_{}", it.name);
            let t = it.rust_type(b)?;
            let read: Expr = if it.array.is_some() {
                let n = &in_sizes[i];
                parse_quote!(peek_items(vm, #depth, #n))
            } else {
                parse_quote!(peek_item(vm, #depth))
            };
            let read: Expr = match &it.cond {
                Some(c) if it.array.is_none() => match super::sig::cond_expr(c)? {
                    Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Bool(b),
                        ..
                    }) if b.value => read,
                    Expr::Lit(_) => super::rtype::null_of(&t),
                    c => {
                        let z = super::rtype::null_of(&t);
                        parse_quote!(if #c { #read } else { #z })
                    }
                },
                _ => read,
            };
            block.push(parse_quote!(let #v: #t = #read;));
            args.push(parse_quote!(#v));
        }
        let outs: Vec<syn::Ident> = sig
            .outputs
            .iter()
            .filter(|o| !o.unused)
            .map(|o| format_ident!("out_{}", o.name))
            .collect();
        let func = &op.func;
        block.push(parse_quote!(let (exit, (#(#outs,)*)) = #func(#(#args),*);));
        let n_in = sum(&in_sizes);
        block.push(parse_quote!(if let Some(o) = settle(vm, exit, #n_in) { return o; }));
        let keeps = sig.outputs.iter().any(|o| o.unused);
        let nothing_popped =
            matches!(&n_in, Expr::Lit(l) if quote::quote!(#l).to_string() == "0usize");
        if keeps {
            block.push(parse_quote!(let old = pop_slots(vm, #n_in);));
        } else if !nothing_popped {
            block.push(parse_quote!(pop_slots(vm, #n_in);));
        }
        for (i, it) in sig.outputs.iter().enumerate() {
            let n = &out_sizes[i];
            if it.unused {
                let pos = sum(&out_sizes[..i]);
                block.push(parse_quote!(keep_slots(vm, &old, #pos, #n);));
                continue;
            }
            let v = format_ident!("out_{}", it.name);
            let push: Stmt = if it.array.is_some() {
                parse_quote!(push_items(vm, #v);)
            } else {
                parse_quote!(push_item(vm, #v);)
            };
            match &it.cond {
                Some(c) if it.array.is_none() => match super::sig::cond_expr(c)? {
                    Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Bool(b),
                        ..
                    }) => {
                        if b.value {
                            block.push(push);
                        }
                    }
                    c => block.push(parse_quote!(if #c { #push })),
                },
                _ => block.push(push),
            }
        }
        if op.may_dispatch {
            block.push(parse_quote!(if exit == Exit::Dispatch {
                return runtime::Outcome::Dispatch;
            }));
        }
        body.push(super::build::bare(super::build::block_expr(None, block)));
    }
    let doc = match spec.opcode {
        Some(op) => format!(
            " `{}` (opcode {op}), bytecodes.c:{}: {}.",
            spec.name, spec.line, spec.parts_doc
        ),
        None => format!(
            " `{}`, bytecodes.c:{}: {}.",
            spec.name, spec.line, spec.parts_doc
        ),
    };
    let uses_oparg = !spec.ops.is_empty();
    let oparg: syn::Ident = if uses_oparg {
        format_ident!("oparg")
    } else {
        format_ident!("_oparg")
    };
    body.push(super::build::bare(parse_quote!(runtime::Outcome::Continue)));
    let mut f: syn::ItemFn = parse_quote! {
        #[doc = #doc]
        pub fn #ident(vm: &mut runtime::Vm, #oparg: u32) -> runtime::Outcome {}
    };
    f.block = Box::new(super::build::block(body));
    Ok(f)
}
