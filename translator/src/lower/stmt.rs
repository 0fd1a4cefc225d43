//! C statements to Rust statements: blocks and declarations, `if`, loops with C's `break` and
//! `continue` (a `for` step still runs after `continue`), `goto` to a DSL label as a body exit.

use lang_c::ast::{BlockItem, Declaration, Expression, ForInitializer, Initializer, Statement};
use lang_c::span::Node;
use quote::format_ident;
use subset::cdecl::declarator_name;
use subset::{CType, NameRef, SpanKey};
use syn::{parse_quote, Expr, Stmt};

use super::body::{BodyCx, Loop};
use super::build::{bare, block, block_expr, if_expr, loop_expr, while_expr};
use super::rtype::rust_type;

impl BodyCx<'_> {
    /// Statements of a compound statement (without the braces).
    pub fn block_items(&mut self, items: &[Node<BlockItem>]) -> Result<Vec<Stmt>, String> {
        let mut out = Vec::new();
        for item in items {
            match &item.node {
                BlockItem::Declaration(d) => out.extend(self.declaration(d)?),
                BlockItem::Statement(s) => out.extend(self.stmt(s)?),
                BlockItem::StaticAssert(_) => return Err("_Static_assert".into()),
            }
        }
        Ok(out)
    }

    /// A statement as a Rust block (for `if`/loop bodies).
    fn as_block(&mut self, s: &Node<Statement>) -> Result<syn::Block, String> {
        let stmts = match &s.node {
            Statement::Compound(items) => self.block_items(items)?,
            _ => self.stmt(s)?,
        };
        Ok(syn::Block {
            brace_token: Default::default(),
            stmts,
        })
    }

    pub fn stmt(&mut self, s: &Node<Statement>) -> Result<Vec<Stmt>, String> {
        match &s.node {
            Statement::Compound(items) => {
                let stmts = self.block_items(items)?;
                if stmts.is_empty() {
                    return Ok(Vec::new());
                }
                Ok(vec![bare(block_expr(None, stmts))])
            }
            Statement::Expression(None) => Ok(Vec::new()),
            Statement::Expression(Some(e)) => self.expr_stmt(e),
            Statement::If(i) => {
                let c = self.condition(&i.node.condition)?;
                let then = self.as_block(&i.node.then_statement)?;
                let x: Expr = match &i.node.else_statement {
                    None => if_expr(c, then, None),
                    Some(e) => {
                        let mut els = self.as_block(e)?;
                        // `else { DEAD(x); }` lowers to nothing: no `else` at all.
                        if els.stmts.is_empty() {
                            return Ok(vec![bare(if_expr(c, then, None))]);
                        }
                        let inner = match els.stmts.as_mut_slice() {
                            [Stmt::Expr(inner @ Expr::If(_), None)] => {
                                std::mem::replace(inner, Expr::Verbatim(Default::default()))
                            }
                            _ => block_expr(None, els.stmts),
                        };
                        if_expr(c, then, Some(inner))
                    }
                };
                Ok(vec![bare(x)])
            }
            Statement::While(w) => {
                let c = self.condition(&w.node.expression)?;
                self.loops.push(Loop::plain());
                let body = self.as_block(&w.node.statement);
                let lp = self.loops.pop().unwrap_or_else(Loop::plain);
                let body = body?;
                let _ = lp;
                Ok(vec![bare(while_expr(c, body))])
            }
            Statement::DoWhile(d) => {
                // `do { B } while (C);`: `continue` goes to the test.
                let label = self.fresh_label("l");
                let cont = self.fresh_label("c");
                self.loops.push(Loop::labeled(label.clone(), cont.clone()));
                let body = self.as_block(&d.node.statement);
                let lp = self.loops.pop().unwrap_or_else(Loop::plain);
                let body = body?;
                let c = self.condition(&d.node.expression)?;
                let inner = bare(block_expr(lp.continue_used.then_some(cont), body.stmts));
                let nc = super::expr::negate(c);
                let brk: Stmt = parse_quote!(break #label;);
                let test = bare(if_expr(nc, block(vec![brk]), None));
                Ok(vec![bare(loop_expr(Some(label), vec![inner, test]))])
            }
            Statement::For(f) => {
                let mut pre: Vec<Stmt> = match &f.node.initializer.node {
                    ForInitializer::Empty => Vec::new(),
                    ForInitializer::Expression(e) => self.expr_stmt(e)?,
                    ForInitializer::Declaration(d) => self.declaration(d)?,
                    ForInitializer::StaticAssert(_) => return Err("_Static_assert".into()),
                };
                let cond = match &f.node.condition {
                    Some(c) => Some(self.condition(c)?),
                    None => None,
                };
                let label = self.fresh_label("l");
                let cont = self.fresh_label("c");
                self.loops.push(Loop::labeled(label.clone(), cont.clone()));
                let body = self.as_block(&f.node.statement);
                let lp = self.loops.pop().unwrap_or_else(Loop::plain);
                let body = body?;
                let step: Vec<Stmt> = match &f.node.step {
                    Some(s) => self.expr_stmt(s)?,
                    None => Vec::new(),
                };
                let test: Option<Stmt> = cond.map(|c| {
                    let nc = super::expr::negate(c);
                    let brk: Stmt = parse_quote!(break #label;);
                    bare(if_expr(nc, block(vec![brk]), None))
                });
                let labeled = test.is_some() || lp.break_used;
                let mut lbody: Vec<Stmt> = test.into_iter().collect();
                lbody.push(bare(block_expr(
                    lp.continue_used.then_some(cont),
                    body.stmts,
                )));
                lbody.extend(step);
                pre.push(bare(loop_expr(labeled.then_some(label), lbody)));
                Ok(vec![bare(block_expr(None, pre))])
            }
            Statement::Break => {
                let lp = self.loops.last_mut().ok_or("`break` outside a loop")?;
                lp.break_used = true;
                Ok(vec![match &lp.break_label {
                    Some(l) => parse_quote!(break #l;),
                    None => parse_quote!(break;),
                }])
            }
            Statement::Continue => {
                let lp = self.loops.last_mut().ok_or("`continue` outside a loop")?;
                match &lp.continue_label {
                    Some(c) => {
                        lp.continue_used = true;
                        let c = c.clone();
                        Ok(vec![parse_quote!(break #c;)])
                    }
                    None => Ok(vec![parse_quote!(continue;)]),
                }
            }
            Statement::Goto(label) => {
                let name = label.node.name.clone();
                Ok(vec![self.exit_stmt(super::body::ExitKind::Goto(name))])
            }
            Statement::Labeled(_) => Err("label inside a body".into()),
            Statement::Switch(_) => Err("switch statement".into()),
            Statement::Return(_) => Err("return statement".into()),
            Statement::Asm(_) => Err("asm statement".into()),
        }
    }

    /// An expression statement: a DSL macro through the replacement table, else the
    /// expression for its effects.
    pub fn expr_stmt(&mut self, e: &Node<Expression>) -> Result<Vec<Stmt>, String> {
        if let Expression::Call(call) = &e.node {
            if let Some(NameRef::Dsl(name)) = self.typing.expr(e).and_then(|i| i.name.clone()) {
                return self.dsl_macro(name, &call.node.arguments);
            }
        }
        if let Expression::Cast(c) = &e.node {
            if self.typing.expr(e).map(|i| &i.ty) == Some(&CType::Void) {
                let v = self.expr(&c.node.expression)?;
                let x = v.expr;
                return Ok(vec![parse_quote!(let _ = #x;)]);
            }
        }
        let x = self.effect(e)?;
        if matches!(&x, Expr::Tuple(t) if t.elems.is_empty()) {
            // A call a test-only mutation dropped.
            return Ok(Vec::new());
        }
        Ok(vec![Stmt::Expr(x, Some(Default::default()))])
    }

    fn declaration(&mut self, d: &Node<Declaration>) -> Result<Vec<Stmt>, String> {
        let mut out = Vec::new();
        for id in &d.node.declarators {
            let name = declarator_name(&id.node.declarator).ok_or("declarator without a name")?;
            let ty = self
                .typing
                .locals
                .get(&SpanKey::from(name.span))
                .cloned()
                .ok_or_else(|| format!("local `{}` without a type", name.node))?;
            if self.is_stackref_pointer(&ty) {
                // A stack view: an index into the op's inputs (see `view.rs`).
                let Some(Node {
                    node: Initializer::Expression(e),
                    ..
                }) = &id.node.initializer
                else {
                    return Err("stack view without an initializer".into());
                };
                let init = self.view_init(e)?;
                let v = self.declare_local(&name.node);
                out.push(super::build::let_stmt(
                    v,
                    true,
                    Some(parse_quote!(isize)),
                    init,
                ));
                continue;
            }
            let rt = rust_type(&ty, self.b)?;
            let init: Expr = match &id.node.initializer {
                None => self.zero(&ty)?,
                Some(Node {
                    node: Initializer::Expression(e),
                    ..
                }) => {
                    let v = self.expr(e)?;
                    self.convert(v, &ty)?
                }
                Some(Node {
                    node: Initializer::List(items),
                    ..
                }) => {
                    let CType::Array(elem, _) = &ty else {
                        return Err("initializer list for a non-array".into());
                    };
                    let mut elems = Vec::new();
                    for it in items {
                        if !it.node.designation.is_empty() {
                            return Err("designated initializer".into());
                        }
                        let Initializer::Expression(e) = &it.node.initializer.node else {
                            return Err("nested initializer list".into());
                        };
                        let v = self.expr(e)?;
                        elems.push(self.convert(v, elem)?);
                    }
                    parse_quote!([#(#elems),*])
                }
            };
            let v = self.declare_local(&name.node);
            out.push(super::build::let_stmt(v, true, Some(rt), init));
        }
        Ok(out)
    }

    /// The value of an uninitialised local: zero / NULL, so reads are defined.
    pub fn zero(&mut self, ty: &CType) -> Result<Expr, String> {
        match ty {
            CType::Int(i) => Ok(super::expr::int_lit(0, i)),
            CType::Float(_) => Ok(parse_quote!(0.0)),
            CType::Array(elem, Some(n)) => {
                let z = self.zero(elem)?;
                let n = *n as usize;
                Ok(parse_quote!([#z; #n]))
            }
            t => {
                let rt = rust_type(t, self.b)?;
                Ok(super::rtype::null_of(&rt))
            }
        }
    }

    pub fn fresh_label(&mut self, what: &str) -> syn::Lifetime {
        self.tmp += 1;
        syn::Lifetime::new(
            &format!("'{what}{}", self.tmp),
            proc_macro2::Span::call_site(),
        )
    }

    pub fn fresh(&mut self, what: &str) -> syn::Ident {
        self.tmp += 1;
        format_ident!("{}_{}", what, self.tmp)
    }
}
