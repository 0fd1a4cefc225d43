//! The "silent misparse" lint.
//!
//! lang-c decides between a type and a value by the typedefs it has seen. When a type name is
//! missing from the prelude, some casts and declarations still parse, as something else:
//! `(uint16_t)(x)` as a call, `(Py_ssize_t)-1` as a subtraction, `PyObject *o;` as a
//! multiplication whose result is dropped, `sizeof(PyObject)` as the size of a variable. None of
//! these shapes is needed by real opcode bodies, so each is reported as an error instead of being
//! translated with the wrong meaning.

use lang_c::ast::{
    BinaryOperator, BinaryOperatorExpression, CallExpression, Expression, SizeOfVal, Statement,
};
use lang_c::span::{Node, Span};
use lang_c::visit::{self, Visit};

/// One suspicious shape: where (prepared-buffer span) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintHit {
    pub start: usize,
    pub end: usize,
    pub message: String,
}

/// Runs the lint over one body. `text` is the buffer lang-c parsed (spans index into it);
/// `is_type` says whether a name is known to be a type (e.g. from the binding table) — names that
/// merely look like types (`*_t`, `PyFooObject`) are treated as types too.
pub fn lint_body(
    body: &Node<Statement>,
    text: &str,
    is_type: &dyn Fn(&str) -> bool,
) -> Vec<LintHit> {
    let mut l = Lint {
        text,
        is_type,
        hits: Vec::new(),
    };
    l.visit_statement(&body.node, &body.span);
    l.hits.sort_by_key(|h| h.start);
    l.hits
}

/// Type-looking names: C fixed-width and size types (`*_t`) and CPython's CamelCase struct types
/// (`PyObject`, `_PyStackRef`, `PyTupleObject`); function and macro names contain an underscore
/// after the `Py` prefix (`PyTuple_GET_ITEM`, `Py_INCREF`) and so do not match.
pub fn looks_like_type(name: &str) -> bool {
    if name.len() > 2 && name.ends_with("_t") {
        return true;
    }
    let rest = name.trim_start_matches('_');
    rest.strip_prefix("Py").is_some_and(|r| {
        r.starts_with(|c: char| c.is_ascii_uppercase())
            && r.chars().all(|c| c.is_ascii_alphanumeric())
            && r.chars().any(|c| c.is_ascii_lowercase())
    })
}

struct Lint<'a> {
    text: &'a str,
    is_type: &'a dyn Fn(&str) -> bool,
    hits: Vec<LintHit>,
}

impl Lint<'_> {
    fn typeish(&self, name: &str) -> bool {
        (self.is_type)(name) || looks_like_type(name)
    }

    fn hit(&mut self, span: Span, message: String) {
        self.hits.push(LintHit {
            start: span.start,
            end: span.end,
            message,
        });
    }

    /// Whether the node at `span` is written directly inside parentheses: `( name )`. lang-c's
    /// span of a parenthesized primary expression sometimes includes the parentheses and
    /// sometimes not, so both are checked.
    fn parenthesized(&self, span: Span) -> bool {
        let b = self.text.as_bytes();
        if span.is_none() || span.end > b.len() || span.start >= span.end {
            return false;
        }
        let inner = self.text[span.start..span.end].trim();
        if inner.starts_with('(') && inner.ends_with(')') {
            return true;
        }
        let before = b[..span.start]
            .iter()
            .rev()
            .find(|c| !c.is_ascii_whitespace());
        let after = b[span.end..].iter().find(|c| !c.is_ascii_whitespace());
        before == Some(&b'(') && after == Some(&b')')
    }

    /// A bare identifier in parentheses, e.g. the `(uint16_t)` of a misparsed cast.
    fn paren_ident<'e>(&self, e: &'e Node<Expression>) -> Option<&'e str> {
        match &e.node {
            Expression::Identifier(i) if self.parenthesized(e.span) => Some(&i.node.name),
            _ => None,
        }
    }
}

/// The operands of a comma expression (`a, b, c`), or the expression itself.
fn comma_operands(e: &Node<Expression>) -> Vec<&Node<Expression>> {
    match &e.node {
        Expression::Comma(items) => items.iter().collect(),
        _ => vec![e],
    }
}

impl<'ast> Visit<'ast> for Lint<'_> {
    fn visit_statement(&mut self, s: &'ast Statement, span: &'ast Span) {
        if let Statement::Expression(Some(e)) = s {
            for op in comma_operands(e) {
                if let Expression::BinaryOperator(b) = &op.node {
                    if b.node.operator.node == BinaryOperator::Multiply {
                        let lhs = match &b.node.lhs.node {
                            Expression::Identifier(i) => i.node.name.clone(),
                            _ => "…".to_string(),
                        };
                        self.hit(
                            op.span,
                            format!(
                                "expression statement `{lhs} * …` computes a product and drops it: \
                                 a declaration `{lhs} *x;` parsed as a multiplication because `{lhs}` \
                                 is not a known type (add it to the prelude)"
                            ),
                        );
                    }
                }
            }
        }
        visit::visit_statement(self, s, span);
    }

    fn visit_call_expression(&mut self, call: &'ast CallExpression, span: &'ast Span) {
        if let Some(name) = self.paren_ident(&call.callee) {
            let name = name.to_string();
            self.hit(
                *span,
                format!(
                    "`({name})(…)` parsed as a call of a parenthesized name: most likely a cast to \
                     type `{name}` that is not in the prelude"
                ),
            );
        } else if let Expression::Identifier(i) = &call.callee.node {
            if (self.is_type)(&i.node.name) {
                let name = i.node.name.clone();
                self.hit(*span, format!("call of `{name}`, which is a type name"));
            }
        }
        visit::visit_call_expression(self, call, span);
    }

    fn visit_binary_operator_expression(
        &mut self,
        b: &'ast BinaryOperatorExpression,
        span: &'ast Span,
    ) {
        use BinaryOperator::*;
        let op = match b.operator.node {
            Multiply => Some("*"),
            Minus => Some("-"),
            Plus => Some("+"),
            BitwiseAnd => Some("&"),
            _ => None,
        };
        if let (Some(op), Some(name)) = (op, self.paren_ident(&b.lhs)) {
            let name = name.to_string();
            self.hit(
                *span,
                format!(
                    "`({name}) {op} …` parsed as a binary `{op}`: most likely a cast to type `{name}` \
                     that is not in the prelude"
                ),
            );
        }
        visit::visit_binary_operator_expression(self, b, span);
    }

    fn visit_sizeofval(&mut self, s: &'ast SizeOfVal, span: &'ast Span) {
        if let Expression::Identifier(i) = &s.0.node {
            if self.typeish(&i.node.name) {
                let name = i.node.name.clone();
                self.hit(
                    *span,
                    format!("`sizeof({name})` parsed as the size of a value: `{name}` looks like a type missing from the prelude"),
                );
            }
        }
        visit::visit_sizeofval(self, s, span);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_looking_names() {
        for t in [
            "uint16_t",
            "Py_ssize_t",
            "PyObject",
            "_PyStackRef",
            "PyTupleObject",
            "_PyInterpreterFrame",
        ] {
            assert!(looks_like_type(t), "{t}");
        }
        for f in [
            "PyTuple_GET_ITEM",
            "Py_INCREF",
            "_PyFrame_GetCode",
            "oparg",
            "res",
            "PyStackRef_CLOSE",
            "PY_VECTORCALL",
        ] {
            assert!(!looks_like_type(f), "{f}");
        }
    }
}
