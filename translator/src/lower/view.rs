//! Stack views: `_PyStackRef *` locals that walk the op's stack inputs
//! (`_PyStackRef *arguments = args; if (...) { arguments--; }` then `arguments[0]`).
//!
//! The generated function receives its inputs as separate values (arrays as `Vec`s), so a view
//! is an index (`isize`) into the inputs laid out in stack order. Each read builds that layout
//! from the current input values (`[&[callable][..], &[self_or_null][..], &args[..]].concat()`),
//! so it always sees what C would read through the pointer. Views are read-only (the checker
//! refuses stores through them) and the reference interpreter reads the same stack slots.

use lang_c::ast::Expression;
use lang_c::span::Node;
use subset::{CType, NameRef};
use syn::{parse_quote, Expr};

use super::body::{var_name, BodyCx};

impl BodyCx<'_> {
    /// Whether `e` names a stack view local.
    pub fn is_view(&self, e: &Node<Expression>) -> bool {
        matches!(&e.node, Expression::Identifier(_))
            && self.typing.expr(e).is_some_and(|i| {
                matches!(i.name, Some(NameRef::Local { .. })) && self.is_stackref_pointer(&i.ty)
            })
    }

    /// A local `STACKREFS_TO_PYOBJECTS` declared: a `Vec<runtime::Obj>` of borrowed objects.
    pub fn is_object_array(&self, e: &Node<Expression>) -> bool {
        matches!(&e.node, Expression::Identifier(_))
            && matches!(
                self.typing.expr(e).and_then(|i| i.name.as_ref()),
                Some(NameRef::Local { decl }) if self.typing.object_arrays.contains(decl)
            )
    }

    /// `_PyStackRef *`.
    pub fn is_stackref_pointer(&self, t: &CType) -> bool {
        t.pointee()
            .is_some_and(|p| self.b.class_of(p) == Some(subset::bindings::TypeClass::StackRef))
    }

    /// The op's inputs in stack order, as one `Vec<StackRef>`.
    pub fn view_layout(&self) -> Result<Expr, String> {
        let mut parts: Vec<Expr> = Vec::new();
        for it in &self.sig.inputs {
            if it.unused || it.cond.is_some() {
                return Err(format!(
                    "stack view over an op with an unused or conditional input `{}`",
                    it.name
                ));
            }
            let v = var_name(&it.name);
            parts.push(if it.array.is_some() {
                parse_quote!(&#v[..])
            } else {
                parse_quote!(&[#v][..])
            });
        }
        Ok(parse_quote!([#(#parts),*].concat()))
    }

    /// Where a stack array item starts in [`BodyCx::view_layout`], as an `isize` expression.
    pub fn view_start(&self, name: &str) -> Result<Expr, String> {
        let mut terms: Vec<Expr> = Vec::new();
        for it in &self.sig.inputs {
            if it.name == name {
                if it.array.is_none() {
                    return Err(format!("stack view of the scalar input `{name}`"));
                }
                return Ok(if terms.is_empty() {
                    parse_quote!(0isize)
                } else {
                    parse_quote!((#(#terms)+*) as isize)
                });
            }
            let v = var_name(&it.name);
            terms.push(if it.array.is_some() {
                parse_quote!(#v.len())
            } else {
                parse_quote!(1usize)
            });
        }
        Err(format!("`{name}` is not a stack input of this op"))
    }

    /// The initial value of a view: a stack array input's start, or another view.
    pub fn view_init(&mut self, e: &Node<Expression>) -> Result<Expr, String> {
        match &e.node {
            Expression::Identifier(id) if self.is_view(e) => {
                let v = var_name(&id.node.name);
                Ok(parse_quote!(#v))
            }
            Expression::Identifier(id)
                if matches!(
                    self.typing.expr(e).and_then(|i| i.name.as_ref()),
                    Some(NameRef::StackItem)
                ) =>
            {
                self.view_start(&id.node.name)
            }
            _ => Err("stack view initialised from something other than a stack array".into()),
        }
    }

    /// `view[i]`: the input slot `view + i`.
    pub fn view_read(&mut self, view: &Node<Expression>, idx: Expr) -> Result<Expr, String> {
        let Expression::Identifier(id) = &view.node else {
            return Err("stack view that is not a variable".into());
        };
        let v = var_name(&id.node.name);
        let layout = self.view_layout()?;
        Ok(parse_quote!(#layout[(#v + (#idx) as isize) as usize]))
    }

    /// A view passed as an array argument: the slice of the inputs from the view on.
    pub fn view_slice(&mut self, view: &Node<Expression>) -> Result<Expr, String> {
        let Expression::Identifier(id) = &view.node else {
            return Err("stack view that is not a variable".into());
        };
        let v = var_name(&id.node.name);
        let layout = self.view_layout()?;
        Ok(parse_quote!(&#layout[#v as usize..]))
    }
}
