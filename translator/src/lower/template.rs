//! Binding-table templates as syn trees: each template text is parsed once with placeholders
//! turned into reserved identifiers, and expansion replaces those identifiers with the argument
//! trees, so precedence never depends on how an argument would print.

use std::cell::RefCell;
use std::collections::HashMap;

use subset::bindings::{Piece, Template};
use syn::punctuated::Punctuated;
use syn::visit_mut::VisitMut;
use syn::{Expr, Token};

use super::expr::paren;

const ARG: &str = "__cases2rs_arg_";
const BASE: &str = "__cases2rs_base";
const VALUE: &str = "__cases2rs_value";
const REST: &str = "__cases2rs_rest";

thread_local! {
    static CACHE: RefCell<HashMap<String, Result<Expr, String>>> = RefCell::new(HashMap::new());
}

/// The template as a syn expression with placeholder identifiers (parsed once per text).
fn parsed(t: &Template) -> Result<Expr, String> {
    CACHE.with(|c| {
        c.borrow_mut()
            .entry(t.text.clone())
            .or_insert_with(|| {
                let mut text = String::new();
                for p in &t.pieces {
                    match p {
                        Piece::Text(s) => text.push_str(s),
                        Piece::Arg(i) => text.push_str(&format!("{ARG}{i}")),
                        Piece::Base => text.push_str(BASE),
                        Piece::Value => text.push_str(VALUE),
                        Piece::Rest => text.push_str(REST),
                    }
                }
                syn::parse_str::<Expr>(&text)
                    .map_err(|e| format!("template `{}` is not a Rust expression: {e}", t.text))
            })
            .clone()
    })
}

/// Expand a template without call arguments (globals, field reads).
pub fn expand(
    t: &Template,
    args: &[Expr],
    base: Option<Expr>,
    value: Option<Expr>,
) -> Result<Expr, String> {
    expand_args(t, args, args.len(), base, value)
}

/// Expand a template: `{N}` → `args[N]`, `{...}` → `args[fixed..]` spliced into the enclosing
/// list, `{base}`, `{value}`.
pub fn expand_args(
    t: &Template,
    args: &[Expr],
    fixed: usize,
    base: Option<Expr>,
    value: Option<Expr>,
) -> Result<Expr, String> {
    let mut e = parsed(t)?;
    // Arguments that use `vm` are evaluated first, in order, into temporaries: a template
    // `vm.f({0})` cannot borrow `vm` again inside its own argument list.
    let mut lets: Vec<syn::Stmt> = Vec::new();
    let mut hoist = |x: Expr, name: String| -> Expr {
        if !mentions_vm(&x) {
            return x;
        }
        let id = syn::Ident::new(&name, proc_macro2::Span::call_site());
        lets.push(syn::parse_quote!(let #id = #x;));
        syn::parse_quote!(#id)
    };
    let args: Vec<Expr> = args
        .iter()
        .enumerate()
        .map(|(i, a)| hoist(a.clone(), format!("arg{i}_")))
        .collect();
    let base = base.map(|b| hoist(b, "base_".into()));
    let value = value.map(|v| hoist(v, "value_".into()));
    let mut s = Subst {
        args: &args,
        fixed,
        base,
        value,
        missing: None,
    };
    s.visit_expr_mut(&mut e);
    if let Some(m) = s.missing {
        return Err(format!("template `{}`: no value for {m}", t.text));
    }
    if lets.is_empty() {
        Ok(e)
    } else {
        lets.push(super::build::bare(e));
        Ok(super::build::block_expr(None, lets))
    }
}

/// Whether the template takes argument `i` as a place (`&mut {i}`).
pub fn takes_place(t: &Template, i: usize) -> bool {
    t.pieces.windows(2).any(|w| {
        matches!(&w[0], Piece::Text(s) if s.trim_end().ends_with("&mut")) && w[1] == Piece::Arg(i)
    })
}

/// Whether an expression uses `vm` (so it borrows it mutably).
pub fn mentions_vm(e: &Expr) -> bool {
    quote::quote!(#e).into_iter().any(|t| mentions(&t))
}

fn mentions(t: &proc_macro2::TokenTree) -> bool {
    match t {
        proc_macro2::TokenTree::Ident(i) => i == "vm",
        proc_macro2::TokenTree::Group(g) => g.stream().into_iter().any(|t| mentions(&t)),
        _ => false,
    }
}

struct Subst<'a> {
    args: &'a [Expr],
    fixed: usize,
    base: Option<Expr>,
    value: Option<Expr>,
    missing: Option<String>,
}

fn ident_of(e: &Expr) -> Option<String> {
    match e {
        Expr::Path(p) if p.qself.is_none() => p.path.get_ident().map(|i| i.to_string()),
        _ => None,
    }
}

impl Subst<'_> {
    fn replacement(&mut self, name: &str) -> Option<Expr> {
        if let Some(i) = name.strip_prefix(ARG) {
            let i: usize = i.parse().ok()?;
            let r = self.args.get(i).cloned();
            if r.is_none() {
                self.missing = Some(format!("{{{i}}}"));
            }
            return r;
        }
        match name {
            BASE => {
                let r = self.base.clone();
                if r.is_none() {
                    self.missing = Some("{base}".into());
                }
                r
            }
            VALUE => {
                let r = self.value.clone();
                if r.is_none() {
                    self.missing = Some("{value}".into());
                }
                r
            }
            _ => None,
        }
    }

    fn splice(&mut self, list: &mut Punctuated<Expr, Token![,]>) {
        if !list.iter().any(|e| ident_of(e).as_deref() == Some(REST)) {
            return;
        }
        let old = std::mem::take(list);
        for e in old {
            if ident_of(&e).as_deref() == Some(REST) {
                for a in self.args.get(self.fixed..).unwrap_or(&[]) {
                    list.push(a.clone());
                }
            } else {
                list.push(e);
            }
        }
    }
}

impl VisitMut for Subst<'_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        match e {
            Expr::Array(a) => self.splice(&mut a.elems),
            Expr::Call(c) => self.splice(&mut c.args),
            Expr::MethodCall(m) => self.splice(&mut m.args),
            _ => {}
        }
        if let Some(name) = ident_of(e) {
            if let Some(r) = self.replacement(&name) {
                *e = r;
            }
            return;
        }
        // Operands in positions where precedence matters get parentheses when substituted.
        syn::visit_mut::visit_expr_mut(self, e);
        match e {
            Expr::MethodCall(m) => *m.receiver = paren((*m.receiver).clone()),
            Expr::Field(f) => *f.base = paren((*f.base).clone()),
            Expr::Index(i) => *i.expr = paren((*i.expr).clone()),
            Expr::Cast(c) => *c.expr = paren((*c.expr).clone()),
            Expr::Unary(u) => *u.expr = paren((*u.expr).clone()),
            Expr::Reference(r) => *r.expr = paren((*r.expr).clone()),
            Expr::Binary(b) => {
                *b.left = paren((*b.left).clone());
                *b.right = paren((*b.right).clone());
            }
            _ => {}
        }
    }
}
