//! Composed instructions: one `fn(vm, oparg) -> Outcome` per instruction whose bodies all
//! translate, running its ops in order with the stack threaded through the frame, as
//! `harness/CONTRACT.md` specifies: each op reads its inputs where they are, and only
//! when it continues are they replaced by its outputs; a deopt or side exit leaves the stack as
//! it was when the op started, an `ERROR_IF` pops the op's inputs.

use quote::format_ident;
use subset::{Bindings, CType};
use syn::{parse_quote, Expr, Stmt};

use super::build;
use super::sig::{BodySig, SigItem};

/// One op of an instruction, ready to compose.
#[derive(Debug)]
pub struct OpCall<'a> {
    pub uop: &'a str,
    pub func: syn::Ident,
    pub sig: &'a BodySig,
    pub may_dispatch: bool,
    /// The op takes its inputs off the stack itself (`SAVE_STACK()`): none are popped after it.
    pub saves_stack: bool,
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
pub(super) fn sizes(items: &[SigItem]) -> Result<Vec<Expr>, String> {
    items.iter().map(SigItem::size).collect()
}

pub(super) fn sum(xs: &[Expr]) -> Expr {
    if xs.is_empty() {
        return build::int("0usize");
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
    let lit = build::int(&format!("{k}usize"));
    if rest.is_empty() {
        return lit;
    }
    let mut terms = rest.into_iter();
    let first = if k == 0 {
        terms.next().unwrap_or(lit)
    } else {
        lit
    };
    terms.fold(first, |acc, t| {
        build::binary(acc, syn::BinOp::Add(Default::default()), t)
    })
}

/// The composed function of one instruction.
pub fn compose(spec: &InstSpec<'_>, b: &Bindings) -> Result<syn::ItemFn, String> {
    let ident = exec_ident(spec.name);
    let mut body: Vec<Stmt> = Vec::new();
    let size = syn::LitInt::new(&spec.size.to_string(), proc_macro2::Span::call_site());
    body.push(build::semi(build::call_named(
        "enter_instruction",
        vec![
            build::name("vm"),
            Expr::Lit(syn::ExprLit {
                attrs: Vec::new(),
                lit: syn::Lit::Int(size),
            }),
        ],
    )));
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
        let mut args: Vec<Expr> = vec![build::name("vm"), build::name("oparg")];
        for (c, off) in sig.caches.iter().zip(&op.cache_offsets) {
            let reader = match c.size {
                1 => format_ident!("cache_u16"),
                2 => format_ident!("cache_u32"),
                4 => format_ident!("cache_obj"),
                n => return Err(format!("cache entry `{}` of size {n}", c.name)),
            };
            let v = format_ident!("cache_{}", c.name);
            let off = syn::LitInt::new(&off.to_string(), proc_macro2::Span::call_site());
            let off = Expr::Lit(syn::ExprLit {
                attrs: Vec::new(),
                lit: syn::Lit::Int(off),
            });
            block.push(build::let_stmt(
                v.clone(),
                false,
                None,
                build::call(reader, vec![build::name("vm"), off]),
            ));
            args.push(build::ident_expr(v));
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
                build::call_named("peek_items", vec![build::name("vm"), depth, n.clone()])
            } else {
                build::call_named("peek_item", vec![build::name("vm"), depth])
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
            block.push(build::let_stmt(v.clone(), false, Some(t), read));
            args.push(build::ident_expr(v));
        }
        let outs: Vec<syn::Ident> = sig
            .outputs
            .iter()
            .filter(|o| !o.unused)
            .map(|o| format_ident!("out_{}", o.name))
            .collect();
        let outs: Vec<syn::Pat> = outs
            .into_iter()
            .map(|o| build::pat_ident(o, false))
            .collect();
        let pat = build::pat_tuple(
            vec![
                build::pat_ident(format_ident!("exit"), false),
                build::pat_tuple(outs, true),
            ],
            false,
        );
        block.push(build::let_pat(pat, build::call(op.func.clone(), args)));
        let n_in = sum(&in_sizes);
        block.push(build::return_if_some(build::call_named(
            "settle",
            vec![build::name("vm"), build::name("exit"), n_in.clone()],
        )));
        let keeps = sig.outputs.iter().any(|o| o.unused);
        if keeps && op.saves_stack {
            return Err(format!(
                "`{}` saves the stack and keeps an input slot as an `unused` output",
                op.uop
            ));
        }
        let nothing_popped = op.saves_stack
            || matches!(&n_in, Expr::Lit(l) if quote::quote!(#l).to_string() == "0usize");
        if keeps {
            block.push(build::let_stmt(
                format_ident!("old"),
                false,
                None,
                build::call_named("pop_slots", vec![build::name("vm"), n_in]),
            ));
        } else if !nothing_popped {
            block.push(build::semi(build::call_named(
                "pop_slots",
                vec![build::name("vm"), n_in],
            )));
        }
        for (i, it) in sig.outputs.iter().enumerate() {
            let n = &out_sizes[i];
            if it.unused {
                let pos = sum(&out_sizes[..i]);
                block.push(build::semi(build::call_named(
                    "keep_slots",
                    vec![
                        build::name("vm"),
                        build::reference(build::name("old")),
                        pos,
                        n.clone(),
                    ],
                )));
                continue;
            }
            let v = format_ident!("out_{}", it.name);
            let push: Stmt = if it.array.is_some() {
                build::semi(build::call_named(
                    "push_items",
                    vec![build::name("vm"), build::ident_expr(v)],
                ))
            } else {
                build::semi(build::call_named(
                    "push_item",
                    vec![build::name("vm"), build::ident_expr(v)],
                ))
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
            block.push(parse_quote!(match exit {
                Exit::Dispatch => return runtime::Outcome::Dispatch,
                Exit::DispatchOpcode(opcode, oparg) => {
                    return runtime::Outcome::DispatchOpcode { opcode, oparg };
                }
                _ => {}
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
