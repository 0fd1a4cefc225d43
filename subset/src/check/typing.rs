//! The checker's output for the lowering and the reference interpreter: the C type of every
//! expression and what every name resolved to, keyed by lang-c span.
//!
//! Keys are spans (byte offsets in the parsed buffer), not node addresses, so the table stays
//! valid if the AST is moved or cloned; lang-c gives distinct spans to distinct expression nodes.

use std::collections::{BTreeSet, HashMap};

use lang_c::ast::Expression;
use lang_c::span::{Node, Span};

use crate::ctype::CType;

/// A span as a map key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SpanKey {
    pub start: usize,
    pub end: usize,
}

impl From<Span> for SpanKey {
    fn from(s: Span) -> SpanKey {
        SpanKey {
            start: s.start,
            end: s.end,
        }
    }
}

/// What a name (or a member access, or a call) resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameRef {
    /// A local declared in the body; `decl` is the span of its declarator name.
    Local {
        decl: SpanKey,
    },
    /// A stack item of the body's stack effect.
    StackItem,
    /// A cache entry (a local initialised from the inline cache).
    Cache,
    Oparg,
    /// An integer constant of the body environment (opcode names).
    EnvConstant(i64),
    /// `[global."name"]`.
    Global(String),
    /// `[constant."name"]` with its value.
    Constant(String, i64),
    /// `[function."name"]` (on the callee and on the call).
    Function(String),
    /// `[field."Struct.field"]` (on the member expression).
    Field {
        struct_name: String,
        field: String,
    },
    /// A DSL macro (on the call or the name).
    Dsl(&'static str),
    /// `NULL`, `true`, `false`: C's own macros, modelled directly.
    Builtin(&'static str),
}

/// What the checker knows about one expression.
#[derive(Debug, Clone, PartialEq)]
pub struct ExprInfo {
    /// The expression's type, before any conversion its context applies.
    pub ty: CType,
    /// For arithmetic, bitwise and comparison operators (and their compound assignments):
    /// the common type both operands are converted to (usual arithmetic conversions); for
    /// shifts and unary `+ - ~`: the promoted operand type; for `?:` with arithmetic branches:
    /// their common type. `None` for other expressions.
    pub operands: Option<CType>,
    pub name: Option<NameRef>,
}

/// Types of every expression and declared local of one body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Typing {
    pub exprs: HashMap<SpanKey, ExprInfo>,
    /// Declared type of each local, keyed by the span of its name in the declarator (arrays
    /// declared `T x[] = {..}` get their length from the initializer).
    pub locals: HashMap<SpanKey, CType>,
    /// The locals `STACKREFS_TO_PYOBJECTS(array, count, name)` declares (span of `name`): each
    /// holds the first `count` slots of `array` borrowed as `PyObject *`.
    pub object_arrays: BTreeSet<SpanKey>,
}

impl Typing {
    pub fn expr(&self, e: &Node<Expression>) -> Option<&ExprInfo> {
        self.exprs.get(&e.span.into())
    }

    pub fn type_of(&self, e: &Node<Expression>) -> Option<&CType> {
        self.expr(e).map(|i| &i.ty)
    }

    pub fn at(&self, span: Span) -> Option<&ExprInfo> {
        self.exprs.get(&span.into())
    }
}
