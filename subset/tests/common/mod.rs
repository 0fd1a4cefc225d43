//! Shared helpers: the fixture table, a test environment, and snippet parsing with lang-c.

#![allow(dead_code)]

use std::path::Path;

use lang_c::ast::{ExternalDeclaration, Statement};
use lang_c::driver::{parse_preprocessed, Config, Flavor};
use lang_c::span::{Node, Span};
use subset::{check_body, Bindings, BodyEnv, CType, ExprInfo, StackRole, Verdict};

pub fn bindings() -> Bindings {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini.toml");
    Bindings::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

/// A 3.14 body with `(left, right, values[oparg] -- res, outs[0])`, caches `counter/1`,
/// `type_version/2`, `descr/4`, and the 3.14 labels.
pub fn env() -> BodyEnv {
    BodyEnv::new(14)
        .with_stack("left", StackRole::Input, false)
        .with_stack("right", StackRole::Input, false)
        .with_stack("values", StackRole::Input, true)
        .with_stack("res", StackRole::Output, false)
        .with_stack("outs", StackRole::Output, true)
        .with_cache("counter", 1)
        .with_cache("type_version", 2)
        .with_cache("descr", 4)
        .with_label("error")
        .with_label("pop_1_error")
        .with_label("exception_unwind")
        .with_constant("LOAD_ATTR", 81)
}

/// A parsed snippet: the whole buffer and the body's compound statement.
pub struct Snippet {
    pub text: String,
    pub body: Node<Statement>,
}

impl Snippet {
    /// The span of the `nth` (0-based) occurrence of `needle` inside the body.
    pub fn span_of(&self, needle: &str, nth: usize) -> Span {
        let start = self.body.span.start;
        let hay = &self.text[start..self.body.span.end];
        let (off, _) = hay
            .match_indices(needle)
            .nth(nth)
            .unwrap_or_else(|| panic!("`{needle}` not in body"));
        Span::span(start + off, start + off + needle.len())
    }

    /// The expression info of the `nth` occurrence of `needle`. lang-c's spans of some
    /// nodes include trailing whitespace, so the key is matched on start and trimmed text.
    pub fn info<'v>(&self, v: &'v Verdict, needle: &str, nth: usize) -> Option<&'v ExprInfo> {
        let at = self.span_of(needle, nth);
        v.typing()
            .exprs
            .iter()
            .find(|(k, _)| k.start == at.start && self.text[k.start..k.end].trim_end() == needle)
            .map(|(_, i)| i)
    }

    /// The declared type of the local whose name is the `nth` occurrence of `name`.
    pub fn local<'v>(&self, v: &'v Verdict, name: &str, nth: usize) -> Option<&'v CType> {
        let at = self.span_of(name, nth);
        v.typing()
            .locals
            .iter()
            .find(|(k, _)| k.start == at.start && self.text[k.start..k.end].trim_end() == name)
            .map(|(_, t)| t)
    }

    pub fn text_at(&self, span: Span) -> &str {
        &self.text[span.start..span.end]
    }
}

/// Parse `{ body }` behind the table's typedef prelude plus a few unbound CPython type names
/// (so lang-c parses them and the checker can report them).
pub fn parse(b: &Bindings, body: &str) -> Snippet {
    let mut text = b.typedef_prelude();
    text.push_str("typedef int PyCFunction;\n");
    text.push_str("void __body(void)\n{\n");
    text.push_str(body);
    text.push_str("\n}\n");
    let config = Config {
        cpp_command: String::new(),
        cpp_options: vec![],
        flavor: Flavor::GnuC11,
    };
    let parse = parse_preprocessed(&config, text.clone())
        .unwrap_or_else(|e| panic!("snippet does not parse: {e}\n{body}"));
    let body = parse
        .unit
        .0
        .into_iter()
        .find_map(|d| match d.node {
            ExternalDeclaration::FunctionDefinition(f) => Some(f.node.statement),
            _ => None,
        })
        .expect("function");
    Snippet { text, body }
}

pub fn check_with(body: &str, env: &BodyEnv) -> (Snippet, Verdict) {
    let b = bindings();
    let s = parse(&b, body);
    let v = check_body(&s.body, env, &b);
    (s, v)
}

pub fn check(body: &str) -> (Snippet, Verdict) {
    check_with(body, &env())
}

/// Rule ids of a verdict's reasons, deduplicated, sorted.
pub fn rule_ids(v: &Verdict) -> Vec<&'static str> {
    let mut ids: Vec<_> = v.reasons().iter().map(|r| r.rule.id()).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}
