//! The checker: one body's lang-c tree against the subset, giving a verdict and C types.
//!
//! It walks the whole body even after the first problem, so a bail lists every reason (the
//! report ranks fixes by how many bodies they unblock). Expressions whose type cannot be known
//! (an unbound name) yield no type and their parents stay silent about them, so one unbound
//! name is one reason, not a cascade.

mod convert;
mod expr;
mod stmt;
pub mod typing;

use std::collections::HashMap;

use lang_c::ast::Statement;
use lang_c::span::{Node, Span};

use crate::bindings::Bindings;
use crate::cdecl::{TypeError, TypeErrorKind};
use crate::ctype::CType;
use crate::env::BodyEnv;
use crate::rules::Rule;

pub use typing::{ExprInfo, NameRef, SpanKey, Typing};

/// One reason a body is outside the subset.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Reason {
    pub rule: Rule,
    /// Names the offending thing: `unbound function _PyLong_Add`, `pointer arithmetic`.
    pub message: String,
    /// Byte offsets in the buffer lang-c parsed (the caller maps them back to bytecodes.c).
    #[serde(skip)]
    pub span: Span,
}

/// The checker's answer for one body.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Inside the subset; `typing` is complete.
    Translatable { typing: Typing },
    /// Outside the subset, with every reason found (in source order); `typing` holds what
    /// could be inferred anyway.
    Bail {
        reasons: Vec<Reason>,
        typing: Typing,
    },
}

impl Verdict {
    pub fn is_translatable(&self) -> bool {
        matches!(self, Verdict::Translatable { .. })
    }

    /// The reasons (empty when translatable).
    pub fn reasons(&self) -> &[Reason] {
        match self {
            Verdict::Translatable { .. } => &[],
            Verdict::Bail { reasons, .. } => reasons,
        }
    }

    pub fn typing(&self) -> &Typing {
        match self {
            Verdict::Translatable { typing } | Verdict::Bail { typing, .. } => typing,
        }
    }
}

/// Check one body: `body` is its compound statement (`{ ... }`) as parsed by lang-c.
pub fn check_body(body: &Node<Statement>, env: &BodyEnv, bindings: &Bindings) -> Verdict {
    let mut c = Checker {
        env,
        b: bindings,
        scopes: vec![HashMap::new()],
        loops: 0,
        switches: 0,
        reasons: Vec::new(),
        typing: Typing::default(),
        indexed_base: None,
    };
    c.check_env(body.span);
    c.stmt(body);
    let Checker {
        mut reasons,
        typing,
        ..
    } = c;
    if reasons.is_empty() {
        Verdict::Translatable { typing }
    } else {
        reasons.sort_by_key(|r| (r.span.start, r.span.end));
        Verdict::Bail { reasons, typing }
    }
}

/// A local variable in scope.
#[derive(Debug, Clone)]
struct Local {
    /// `None` when the declared type is outside the model (already reported): uses of the
    /// name are then silent instead of cascading into `unbound identifier`.
    ty: Option<CType>,
    decl: SpanKey,
}

struct Checker<'a> {
    env: &'a BodyEnv,
    b: &'a Bindings,
    scopes: Vec<HashMap<String, Local>>,
    /// Depth of enclosing loops (and switches), where `break`/`continue` are structured.
    loops: usize,
    /// Depth of enclosing switches, where `case`/`default` labels belong.
    switches: usize,
    reasons: Vec<Reason>,
    typing: Typing,
    /// The base of the `[]` being checked: an array-typed field may only be read there.
    indexed_base: Option<Span>,
}

impl Checker<'_> {
    fn bail(&mut self, rule: Rule, span: Span, message: impl Into<String>) {
        self.reasons.push(Reason {
            rule,
            message: message.into(),
            span,
        });
    }

    fn type_error(&mut self, e: TypeError, fallback: Span) {
        let span = if e.span.is_none() { fallback } else { e.span };
        let rule = match &e.kind {
            TypeErrorKind::Unknown(_) => Rule::TypeUnknown,
            TypeErrorKind::Unsupported(_) => Rule::TypeUnsupported,
            TypeErrorKind::VariableArray => Rule::VariableArray,
        };
        self.bail(rule, span, e.to_string());
    }

    /// The environment's own types must be bound too (`_PyStackRef`, `PyObject` for `/4`
    /// cache entries); reported once, at the body.
    fn check_env(&mut self, span: Span) {
        let mut missing = Vec::new();
        for s in &self.env.stack {
            if let Some(n) = unbound_named(&s.ty, self.b) {
                missing.push(format!("stack item `{}` has unknown type `{n}`", s.name));
            }
        }
        for c in &self.env.caches {
            match c.c_type() {
                None => missing.push(format!(
                    "cache entry `{}` has size {} (no C reader for it)",
                    c.name, c.size
                )),
                Some(t) => {
                    if let Some(n) = unbound_named(&t, self.b) {
                        missing.push(format!("cache entry `{}` has unknown type `{n}`", c.name));
                    }
                }
            }
        }
        missing.dedup();
        for m in missing {
            self.bail(Rule::TypeUnknown, Span::span(span.start, span.start + 1), m);
        }
    }

    fn push_scope(&mut self) {
        self.scopes.push(HashMap::new());
    }

    fn pop_scope(&mut self) {
        self.scopes.pop();
    }

    fn declare(&mut self, name: &str, ty: Option<CType>, decl: Span) {
        let decl = SpanKey::from(decl);
        if let Some(ty) = &ty {
            self.typing.locals.insert(decl, ty.clone());
        }
        if let Some(s) = self.scopes.last_mut() {
            s.insert(name.to_string(), Local { ty, decl });
        }
    }

    fn local(&self, name: &str) -> Option<&Local> {
        self.scopes.iter().rev().find_map(|s| s.get(name))
    }
}

/// The first `Named` type inside `ty` that the table does not bind.
fn unbound_named(ty: &CType, b: &Bindings) -> Option<String> {
    match ty {
        CType::Named(n) if b.type_binding(n).is_none() => Some(n.clone()),
        CType::Pointer(t) | CType::Array(t, _) => unbound_named(t, b),
        _ => None,
    }
}
