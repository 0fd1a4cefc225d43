//! Conversions: implicit ones (assignment, arguments), casts, and literal types.

use lang_c::ast::{Constant, Expression, FloatFormat, Integer, IntegerBase, IntegerSize};
use lang_c::span::{Node, Span};

use super::Checker;
use crate::bindings::TypeClass;
use crate::cdecl::parse_integer;
use crate::ctype::{CType, FloatKind, IntRank, IntType};
use crate::rules::Rule;

/// Same C type, ignoring typedef spellings of integers (`uint16_t` is `unsigned short`).
pub(super) fn same_type(a: &CType, b: &CType) -> bool {
    match (a, b) {
        (CType::Int(x), CType::Int(y)) => x.same_repr(y),
        (CType::Pointer(x), CType::Pointer(y)) => same_type(x, y),
        (CType::Array(x, n), CType::Array(y, m)) => n == m && same_type(x, y),
        (CType::Function(f), CType::Function(g)) => {
            f.variadic == g.variadic
                && same_type(&f.ret, &g.ret)
                && f.params.len() == g.params.len()
                && f.params.iter().zip(&g.params).all(|(p, q)| same_type(p, q))
        }
        _ => a == b,
    }
}

/// `0`, `NULL`, `(void *)0`: the null pointer constants bodies use.
pub(super) fn is_null_constant(e: &Node<Expression>) -> bool {
    match &e.node {
        Expression::Constant(c) => match &c.node {
            Constant::Integer(i) => parse_integer(&i.base, &i.number) == Some(0),
            _ => false,
        },
        Expression::Identifier(id) => id.node.name == "NULL",
        Expression::Cast(c) => is_null_constant(&c.node.expression),
        _ => false,
    }
}

/// Type of an integer literal (C11 6.4.4.1p5): the first type of its list that holds the value.
pub(super) fn integer_literal_type(i: &Integer) -> Option<CType> {
    let v = parse_integer(&i.base, &i.number)?;
    let decimal = i.base == IntegerBase::Decimal;
    use IntRank::*;
    let mut candidates: Vec<(IntRank, bool)> = Vec::new();
    let sizes: &[IntRank] = match i.suffix.size {
        IntegerSize::Int => &[Int, Long, LongLong],
        IntegerSize::Long => &[Long, LongLong],
        IntegerSize::LongLong => &[LongLong],
    };
    for &r in sizes {
        if i.suffix.unsigned {
            candidates.push((r, false));
        } else {
            candidates.push((r, true));
            if !decimal {
                candidates.push((r, false));
            }
        }
    }
    candidates
        .into_iter()
        .map(|(r, s)| IntType::new(r, s))
        .find(|t| (v as i128) <= t.range().1)
        .map(CType::Int)
}

/// Type of a literal constant; `Err` names what is outside the model.
pub(super) fn constant_type(c: &Constant) -> Result<CType, &'static str> {
    match c {
        Constant::Integer(i) => {
            if i.suffix.imaginary {
                return Err("imaginary literal");
            }
            integer_literal_type(i).ok_or("integer literal too large for any C type")
        }
        Constant::Float(f) => {
            if f.suffix.imaginary {
                return Err("imaginary literal");
            }
            match f.suffix.format {
                FloatFormat::Float => Ok(CType::Float(FloatKind::Float)),
                FloatFormat::Double => Ok(CType::Float(FloatKind::Double)),
                FloatFormat::LongDouble => Err("long double literal"),
                FloatFormat::TS18661Format(_) => Err("_FloatN literal"),
            }
        }
        // A character constant has type int in C.
        Constant::Character(_) => Ok(CType::INT),
    }
}

impl Checker<'_> {
    fn is_object_ptr(&self, t: &CType) -> bool {
        self.b.is_object_pointer(t)
    }

    /// Check that a value of type `from` (expression `e`) converts implicitly to `to`.
    pub(super) fn implicit_conversion(
        &mut self,
        to: &CType,
        from: &CType,
        e: &Node<Expression>,
        what: &str,
    ) {
        let from = from.decay();
        let ok = match (to, &from) {
            (_, CType::Void) => false,
            (t, f) if t.is_arithmetic() && f.is_arithmetic() => true,
            // Conversion to _Bool of a pointer tests it against NULL.
            (CType::Int(i), CType::Pointer(_)) if i.rank == IntRank::Bool => true,
            (CType::Pointer(_), _) if is_null_constant(e) => true,
            (CType::Pointer(_), CType::Pointer(_)) => {
                if same_type(to, &from) || (self.is_object_ptr(to) && self.is_object_ptr(&from)) {
                    true
                } else if to.is_char_pointer() || from.is_char_pointer() {
                    // Passing a string literal to `const char *` is handled by the caller.
                    self.bail(
                        Rule::CharPtrCast,
                        e.span,
                        format!("implicit conversion from {from} to {to}"),
                    );
                    return;
                } else {
                    self.bail(
                        Rule::PointerCast,
                        e.span,
                        format!("implicit conversion from {from} to {to}"),
                    );
                    return;
                }
            }
            (CType::Named(a), CType::Named(b)) => a == b,
            _ => false,
        };
        if !ok {
            self.bail(
                Rule::TypeMismatch,
                e.span,
                format!("{what}: cannot convert {from} to {to}"),
            );
        }
    }

    /// Check an explicit cast `(to) e` where `e` has type `from`.
    pub(super) fn cast(&mut self, to: &CType, from: &CType, e: &Node<Expression>, span: Span) {
        let from = from.decay();
        if *to == CType::Void {
            return;
        }
        if to.is_arithmetic() && from.is_arithmetic() {
            return;
        }
        let fn_ptr = |t: &CType| matches!(t.pointee(), Some(CType::Function(_)));
        if fn_ptr(to) || fn_ptr(&from) {
            self.bail(
                Rule::FnPointer,
                span,
                format!("cast from {from} to {to} involves a function pointer"),
            );
            return;
        }
        match (to, &from) {
            (CType::Pointer(_), _) if is_null_constant(e) => {}
            (CType::Pointer(_), CType::Pointer(_)) => {
                if to.is_char_pointer() || from.is_char_pointer() {
                    self.bail(Rule::CharPtrCast, span, format!("cast from {from} to {to}"));
                } else if !(same_type(to, &from)
                    || (self.is_object_ptr(to) && self.is_object_ptr(&from)))
                {
                    self.bail(Rule::PointerCast, span, format!("cast from {from} to {to}"));
                }
            }
            (CType::Pointer(_), CType::Int(_)) | (CType::Int(_), CType::Pointer(_)) => self.bail(
                Rule::PointerIntCast,
                span,
                format!("cast from {from} to {to}"),
            ),
            (CType::Named(a), CType::Named(b)) if a == b => {}
            _ => self.bail(
                Rule::TypeMismatch,
                span,
                format!("cast from {from} to {to}"),
            ),
        }
    }

    /// Types of class `int` in the table arrive as `Int`; a `Named` type with an arithmetic
    /// class cannot occur. This names the class of a struct-like type for messages.
    pub(super) fn class_name(&self, t: &CType) -> &'static str {
        match self.b.class_of(t) {
            Some(TypeClass::StackRef) => "stack reference",
            Some(TypeClass::OpaqueStruct) => "struct",
            Some(TypeClass::ObjectPointer) => "object struct",
            _ => "value",
        }
    }
}
