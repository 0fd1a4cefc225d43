//! The signature of a body, derived from its DSL stack effect: cache entries, inputs, outputs.
//!
//! Stack items keep the type CPython's generator declares them with (`_PyStackRef`, `PyObject *`
//! before 3.14, or the written type); array items (`values[oparg]`) become `Vec`s of the element
//! type. Sizes and conditions are the DSL's C expressions over `oparg`, lowered to Rust.

use subset::{Bindings, CType};
use syn::{parse_quote, Expr};

use crate::analysis::cexpr::{BinOp, CExpr, UnOp};
use crate::dsl::{InputEffect, InstDef, StackItem};

/// One stack item of a body's signature.
#[derive(Debug, Clone, PartialEq)]
pub struct SigItem {
    pub name: String,
    /// The C type (`_PyStackRef *` for arrays).
    pub ty: CType,
    /// Array size as C text (`oparg`, `oparg*2`).
    pub array: Option<String>,
    /// Condition as C text (`oparg & 1`).
    pub cond: Option<String>,
    pub unused: bool,
    /// A size-0 output array that ended `unused` outputs (`unused[oparg], top[0]`), merged
    /// with them: its slots are the ones the body writes below `top` through an `out_array`
    /// call (`_PyEval_UnpackIterableStackRef(.., top)`), and it is pushed like any array.
    pub written_below: bool,
}

impl SigItem {
    pub fn elem_type(&self) -> CType {
        if self.array.is_some() {
            self.ty
                .pointee()
                .cloned()
                .unwrap_or_else(|| self.ty.clone())
        } else {
            self.ty.clone()
        }
    }

    /// `Vec<T>` for arrays, else the item's Rust type.
    pub fn rust_type(&self, b: &Bindings) -> Result<syn::Type, String> {
        let elem = super::rtype::rust_type(&self.elem_type(), b)
            .map_err(|e| format!("stack item `{}`: {e}", self.name))?;
        Ok(if self.array.is_some() {
            parse_quote!(Vec<#elem>)
        } else {
            elem
        })
    }

    pub fn mentions_oparg(&self) -> bool {
        self.array.as_deref().is_some_and(|s| s.contains("oparg"))
    }

    /// Number of stack slots as a Rust `usize` expression.
    pub fn size(&self) -> Result<Expr, String> {
        let n: Expr = match &self.array {
            Some(s) => size_expr(s)?,
            None => parse_quote!(1usize),
        };
        Ok(match &self.cond {
            Some(c) => match cond_expr(c)? {
                Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Bool(b),
                    ..
                }) => {
                    if b.value {
                        n
                    } else {
                        parse_quote!(0usize)
                    }
                }
                c => parse_quote!(if #c { #n } else { 0usize }),
            },
            None => n,
        })
    }
}

/// A body's cache entry with its C type.
#[derive(Debug, Clone, PartialEq)]
pub struct SigCache {
    pub name: String,
    pub size: u32,
    pub ty: CType,
}

/// The signature of a body.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BodySig {
    pub caches: Vec<SigCache>,
    pub inputs: Vec<SigItem>,
    pub outputs: Vec<SigItem>,
}

/// The C type CPython's generator gives a stack item of version 3.`minor`.
pub fn item_type(item: &StackItem, minor: u32, b: &Bindings) -> Result<CType, String> {
    let base = match &item.type_ {
        Some(t) => b.parse_type(t)?,
        None if minor >= 14 => CType::named("_PyStackRef"),
        None => CType::named("PyObject").ptr(),
    };
    Ok(if item.is_array() && item.type_.is_none() {
        base.ptr()
    } else {
        base
    })
}

fn sig_item(s: &StackItem, minor: u32, b: &Bindings) -> Result<SigItem, String> {
    Ok(SigItem {
        name: s.name.name.clone(),
        ty: item_type(s, minor, b)?,
        array: s.size.as_ref().map(|e| e.text.clone()),
        cond: s.cond.as_ref().map(|e| e.text.clone()),
        unused: s.is_unused(),
        written_below: false,
    })
}

impl BodySig {
    /// The signature of an `inst`/`op` definition.
    pub fn of(def: &InstDef, minor: u32, b: &Bindings) -> Result<BodySig, String> {
        let mut sig = BodySig::default();
        for input in &def.inputs {
            match input {
                InputEffect::Cache(c) if c.name.name != "unused" => {
                    let size = c.size.max(0) as u32;
                    let ty = subset::CacheEntry {
                        name: c.name.name.clone(),
                        size,
                    }
                    .c_type()
                    .ok_or_else(|| format!("cache entry `{}` of size {size}", c.name.name))?;
                    sig.caches.push(SigCache {
                        name: c.name.name.clone(),
                        size,
                        ty,
                    });
                }
                InputEffect::Cache(_) => {}
                InputEffect::Stack(s) => sig.inputs.push(sig_item(s, minor, b)?),
            }
        }
        for o in &def.outputs {
            sig.outputs.push(sig_item(o, minor, b)?);
        }
        merge_written_below(&mut sig.outputs);
        Ok(sig)
    }
}

/// `unused[a], unused, .., top[0]`: the body writes the unused slots through `top` (CPython
/// passes it as the pointer one past them), so the outputs become one array `top[a + 1 + ..]`
/// in stack order. Outputs of any other shape are left alone.
fn merge_written_below(outputs: &mut Vec<SigItem>) {
    let Some((last, before)) = outputs.split_last() else {
        return;
    };
    let ends_with_empty_array = last.array.as_deref().map(str::trim) == Some("0") && !last.unused;
    if !ends_with_empty_array
        || before.is_empty()
        || !before.iter().all(|o| o.unused && o.cond.is_none())
    {
        return;
    }
    let size = before
        .iter()
        .map(|o| match &o.array {
            Some(n) => format!("({n})"),
            None => "1".to_string(),
        })
        .collect::<Vec<_>>()
        .join(" + ");
    let mut merged = last.clone();
    merged.array = Some(size);
    merged.written_below = true;
    *outputs = vec![merged];
}

/// A DSL size expression as a Rust `usize` (negative sizes count as 0).
pub fn size_expr(text: &str) -> Result<Expr, String> {
    let e = CExpr::parse(text).map_err(|e| e.to_string())?;
    if let CExpr::Num(n) = e {
        let lit = syn::LitInt::new(
            &format!("{}usize", n.max(0)),
            proc_macro2::Span::call_site(),
        );
        return Ok(parse_quote!(#lit));
    }
    let x = i64_expr(&e)?;
    Ok(parse_quote!(usize::try_from(#x).unwrap_or(0)))
}

/// A DSL condition as a Rust `bool` (folded when it does not depend on `oparg`).
pub fn cond_expr(text: &str) -> Result<Expr, String> {
    let e = CExpr::parse(text).map_err(|e| e.to_string())?;
    if let Ok(v) = e.eval_with(&|_| None) {
        let b = v != 0;
        return Ok(parse_quote!(#b));
    }
    bool_expr(&e)
}

/// A DSL expression tested against zero, comparisons kept as Rust `bool`s.
fn bool_expr(e: &CExpr) -> Result<Expr, String> {
    let p = super::expr::paren;
    Ok(match e {
        CExpr::Binary(op, a, b)
            if matches!(
                op,
                BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne
            ) =>
        {
            let a = p(i64_expr(a)?);
            let b = p(i64_expr(b)?);
            match op {
                BinOp::Lt => parse_quote!(#a < #b),
                BinOp::Le => parse_quote!(#a <= #b),
                BinOp::Gt => parse_quote!(#a > #b),
                BinOp::Ge => parse_quote!(#a >= #b),
                BinOp::Eq => parse_quote!(#a == #b),
                _ => parse_quote!(#a != #b),
            }
        }
        CExpr::Binary(BinOp::And, a, b) => {
            let a = p(bool_expr(a)?);
            let b = p(bool_expr(b)?);
            parse_quote!(#a && #b)
        }
        CExpr::Binary(BinOp::Or, a, b) => {
            let a = p(bool_expr(a)?);
            let b = p(bool_expr(b)?);
            parse_quote!(#a || #b)
        }
        CExpr::Unary(UnOp::Not, a) => super::expr::negate(bool_expr(a)?),
        other => {
            let x = p(i64_expr(other)?);
            parse_quote!(#x != 0)
        }
    })
}

/// A DSL integer expression over `oparg`, evaluated in `i64`.
fn i64_expr(e: &CExpr) -> Result<Expr, String> {
    let p = super::expr::paren;
    Ok(match e {
        CExpr::Num(n) => {
            let lit = syn::LitInt::new(
                &format!("{}i64", n.unsigned_abs()),
                proc_macro2::Span::call_site(),
            );
            if *n < 0 {
                parse_quote!((-#lit))
            } else {
                parse_quote!(#lit)
            }
        }
        CExpr::Ident(i) if i == "oparg" => parse_quote!(i64::from(oparg)),
        CExpr::Ident(i) => return Err(format!("identifier `{i}` in a stack effect")),
        CExpr::Cast(_, inner) => i64_expr(inner)?,
        CExpr::Unary(op, inner) => {
            let x = p(i64_expr(inner)?);
            match op {
                UnOp::Neg => parse_quote!(#x.wrapping_neg()),
                UnOp::Plus => x,
                UnOp::Not => parse_quote!(i64::from(#x == 0)),
                UnOp::BitNot => parse_quote!(!#x),
            }
        }
        CExpr::Cond(c, t, f) => {
            let c = p(i64_expr(c)?);
            let t = i64_expr(t)?;
            let f = i64_expr(f)?;
            parse_quote!(if #c != 0 { #t } else { #f })
        }
        CExpr::Binary(op, a, b) => {
            let a = p(i64_expr(a)?);
            // A method argument needs no parentheses (rustc's `unused_parens` would flag them).
            let arg = i64_expr(b)?;
            let b = p(arg.clone());
            match op {
                BinOp::Mul => parse_quote!(#a.wrapping_mul(#arg)),
                BinOp::Div => parse_quote!(#a.checked_div(#arg).unwrap_or(0)),
                BinOp::Rem => parse_quote!(#a.checked_rem(#arg).unwrap_or(0)),
                BinOp::Add => parse_quote!(#a.wrapping_add(#arg)),
                BinOp::Sub => parse_quote!(#a.wrapping_sub(#arg)),
                BinOp::Shl => {
                    parse_quote!(#a.checked_shl(u32::try_from(#arg).unwrap_or(u32::MAX)).unwrap_or(0))
                }
                BinOp::Shr => parse_quote!(#a >> #b.clamp(0, 63)),
                BinOp::Lt => parse_quote!(i64::from(#a < #b)),
                BinOp::Le => parse_quote!(i64::from(#a <= #b)),
                BinOp::Gt => parse_quote!(i64::from(#a > #b)),
                BinOp::Ge => parse_quote!(i64::from(#a >= #b)),
                BinOp::Eq => parse_quote!(i64::from(#a == #b)),
                BinOp::Ne => parse_quote!(i64::from(#a != #b)),
                BinOp::BitAnd => parse_quote!(#a & #b),
                BinOp::BitXor => parse_quote!(#a ^ #b),
                BinOp::BitOr => parse_quote!(#a | #b),
                BinOp::And => parse_quote!(i64::from(#a != 0 && #b != 0)),
                BinOp::Or => parse_quote!(i64::from(#a != 0 || #b != 0)),
            }
        }
    })
}
