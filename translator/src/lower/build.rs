//! Constructors for the syn nodes that hold other lowered nodes (blocks, `if`, loops).
//!
//! `parse_quote!` re-parses every interpolated subtree, so building a body's outer nodes with
//! it would parse the whole body once per nesting level; these build the nodes directly.

use syn::{Block, Expr, Lifetime, Stmt};

pub fn block(stmts: Vec<Stmt>) -> Block {
    Block {
        brace_token: Default::default(),
        stmts,
    }
}

/// `'label: { stmts }` or `{ stmts }`.
pub fn block_expr(label: Option<Lifetime>, stmts: Vec<Stmt>) -> Expr {
    Expr::Block(syn::ExprBlock {
        attrs: Vec::new(),
        label: label.map(|name| syn::Label {
            name,
            colon_token: Default::default(),
        }),
        block: block(stmts),
    })
}

/// `if cond { then } else els` (`els` a block or another `if`).
pub fn if_expr(cond: Expr, then: Block, els: Option<Expr>) -> Expr {
    Expr::If(syn::ExprIf {
        attrs: Vec::new(),
        if_token: Default::default(),
        cond: Box::new(cond),
        then_branch: then,
        else_branch: els.map(|e| (Default::default(), Box::new(e))),
    })
}

/// `'label: loop { body }`.
pub fn loop_expr(label: Option<Lifetime>, body: Vec<Stmt>) -> Expr {
    Expr::Loop(syn::ExprLoop {
        attrs: Vec::new(),
        label: label.map(|name| syn::Label {
            name,
            colon_token: Default::default(),
        }),
        loop_token: Default::default(),
        body: block(body),
    })
}

/// `while cond { body }`.
pub fn while_expr(cond: Expr, body: Block) -> Expr {
    Expr::While(syn::ExprWhile {
        attrs: Vec::new(),
        label: None,
        while_token: Default::default(),
        cond: Box::new(cond),
        body,
    })
}

/// An expression statement: `e;` (or a block-like `e` without the semicolon).
pub fn semi(e: Expr) -> Stmt {
    Stmt::Expr(e, Some(Default::default()))
}

/// A block-like expression as a statement (no semicolon).
pub fn bare(e: Expr) -> Stmt {
    Stmt::Expr(e, None)
}

/// `let name = init;` / `let mut name: ty = init;`
pub fn let_stmt(name: syn::Ident, mutable: bool, ty: Option<syn::Type>, init: Expr) -> Stmt {
    let pat = syn::Pat::Ident(syn::PatIdent {
        attrs: Vec::new(),
        by_ref: None,
        mutability: mutable.then(Default::default),
        ident: name,
        subpat: None,
    });
    let pat = match ty {
        Some(t) => syn::Pat::Type(syn::PatType {
            attrs: Vec::new(),
            pat: Box::new(pat),
            colon_token: Default::default(),
            ty: Box::new(t),
        }),
        None => pat,
    };
    let_pat(pat, init)
}

/// `recv.name(args)`.
pub fn method(recv: Expr, name: &str, args: Vec<Expr>) -> Expr {
    Expr::MethodCall(syn::ExprMethodCall {
        attrs: Vec::new(),
        receiver: Box::new(recv),
        dot_token: Default::default(),
        method: syn::Ident::new(name, proc_macro2::Span::call_site()),
        turbofish: None,
        paren_token: Default::default(),
        args: args.into_iter().collect(),
    })
}

/// `e as ty` (the caller parenthesises `e` when needed).
pub fn cast(e: Expr, ty: syn::Type) -> Expr {
    Expr::Cast(syn::ExprCast {
        attrs: Vec::new(),
        expr: Box::new(e),
        as_token: Default::default(),
        ty: Box::new(ty),
    })
}

/// `a op b` (the caller parenthesises the operands when needed).
pub fn binary(a: Expr, op: syn::BinOp, b: Expr) -> Expr {
    Expr::Binary(syn::ExprBinary {
        attrs: Vec::new(),
        left: Box::new(a),
        op,
        right: Box::new(b),
    })
}

/// A path expression of one identifier (`vm`, `None`, a function name).
pub fn ident_expr(name: syn::Ident) -> Expr {
    Expr::Path(syn::ExprPath {
        attrs: Vec::new(),
        qself: None,
        path: name.into(),
    })
}

/// [`ident_expr`] of a name given as text.
pub fn name(s: &str) -> Expr {
    ident_expr(syn::Ident::new(s, proc_macro2::Span::call_site()))
}

/// `f(args)` for a function named by one identifier.
pub fn call(f: syn::Ident, args: Vec<Expr>) -> Expr {
    Expr::Call(syn::ExprCall {
        attrs: Vec::new(),
        func: Box::new(ident_expr(f)),
        paren_token: Default::default(),
        args: args.into_iter().collect(),
    })
}

/// [`call`] of a function named by text.
pub fn call_named(f: &str, args: Vec<Expr>) -> Expr {
    call(syn::Ident::new(f, proc_macro2::Span::call_site()), args)
}

/// A binding pattern `name` / `mut name`.
pub fn pat_ident(name: syn::Ident, mutable: bool) -> syn::Pat {
    syn::Pat::Ident(syn::PatIdent {
        attrs: Vec::new(),
        by_ref: None,
        mutability: mutable.then(Default::default),
        ident: name,
        subpat: None,
    })
}

/// `(p, q, ...)` as a pattern; `trailing` puts a comma after every element (`(a,)`).
pub fn pat_tuple(elems: Vec<syn::Pat>, trailing: bool) -> syn::Pat {
    syn::Pat::Tuple(syn::PatTuple {
        attrs: Vec::new(),
        paren_token: Default::default(),
        elems: punctuated(elems, trailing),
    })
}

/// A comma-separated list; `trailing` puts a comma after the last element too (what
/// `(a,)` needs, and what `#(#x,)*` produces).
pub fn punctuated<T>(
    elems: Vec<T>,
    trailing: bool,
) -> syn::punctuated::Punctuated<T, syn::Token![,]> {
    let mut ps = syn::punctuated::Punctuated::new();
    let n = elems.len();
    for (i, e) in elems.into_iter().enumerate() {
        ps.push_value(e);
        if trailing || i + 1 < n {
            ps.push_punct(Default::default());
        }
    }
    ps
}

/// `let pat = init;`
pub fn let_pat(pat: syn::Pat, init: Expr) -> Stmt {
    Stmt::Local(syn::Local {
        attrs: Vec::new(),
        let_token: Default::default(),
        pat,
        init: Some(syn::LocalInit {
            eq_token: Default::default(),
            expr: Box::new(init),
            diverge: None,
        }),
        semi_token: Default::default(),
    })
}

/// `&e`.
pub fn reference(e: Expr) -> Expr {
    Expr::Reference(syn::ExprReference {
        attrs: Vec::new(),
        and_token: Default::default(),
        mutability: None,
        expr: Box::new(e),
    })
}

/// An integer literal expression (`text` may carry a suffix: `1usize`).
pub fn int(text: &str) -> Expr {
    Expr::Lit(syn::ExprLit {
        attrs: Vec::new(),
        lit: syn::Lit::Int(syn::LitInt::new(text, proc_macro2::Span::call_site())),
    })
}

/// `if let Some(o) = value { return o; }`
pub fn return_if_some(value: Expr) -> Stmt {
    let o = syn::Ident::new("o", proc_macro2::Span::call_site());
    let pat = syn::Pat::TupleStruct(syn::PatTupleStruct {
        attrs: Vec::new(),
        qself: None,
        path: syn::Ident::new("Some", proc_macro2::Span::call_site()).into(),
        paren_token: Default::default(),
        elems: std::iter::once(pat_ident(o.clone(), false)).collect(),
    });
    let cond = Expr::Let(syn::ExprLet {
        attrs: Vec::new(),
        let_token: Default::default(),
        pat: Box::new(pat),
        eq_token: Default::default(),
        expr: Box::new(value),
    });
    let ret = Expr::Return(syn::ExprReturn {
        attrs: Vec::new(),
        return_token: Default::default(),
        expr: Some(Box::new(ident_expr(o))),
    });
    bare(if_expr(cond, block(vec![semi(ret)]), None))
}
