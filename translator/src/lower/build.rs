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
