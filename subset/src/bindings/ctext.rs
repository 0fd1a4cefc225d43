//! C text inside the table (prototypes, field and global types), parsed with lang-c.
//!
//! lang-c only parses complete translation units and must know typedef names up front, so all
//! texts of one kind go into one unit behind a `typedef` prelude (one parse instead of hundreds);
//! when that unit fails, each text is parsed alone to say which entries are wrong.

use std::collections::BTreeSet;

use lang_c::ast::{BlockItem, Declaration, Expression, ExternalDeclaration, Statement, TypeName};
use lang_c::driver::{parse_preprocessed, Config, Flavor, SyntaxError};
use lang_c::span::Node;

use crate::cdecl::{type_of_type_name, TypeNames};
use crate::ctype::CType;

/// Name of the wrapper function holding `sizeof(T);` statements.
const TYPES_FN: &str = "__cases2rs_types";

fn config() -> Config {
    Config {
        cpp_command: String::new(),
        cpp_options: Vec::new(),
        flavor: Flavor::GnuC11,
    }
}

/// `typedef int <name>;` lines for the builtin names and `names` (tag names like `struct X`
/// need no typedef and are skipped).
pub(crate) fn typedef_prelude<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let mut all: BTreeSet<&str> = CType::BUILTIN_NAMES.iter().copied().collect();
    // Keyword spellings (`[type."int"]`, `[type."unsigned long"]`) name C's own types.
    all.extend(names.filter(|n| is_identifier(n) && !is_keyword(n)));
    let mut s = String::new();
    for n in all {
        if n == "bool" {
            // lang-c knows `_Bool`, not `bool`; stdbool's macro is modelled as a typedef.
            s.push_str("typedef _Bool bool;\n");
        } else {
            s.push_str("typedef int ");
            s.push_str(n);
            s.push_str(";\n");
        }
    }
    s
}

/// C keywords that can start a type name (a table may bind them to give their Rust spelling).
pub(crate) fn is_keyword(s: &str) -> bool {
    C_TYPE_WORDS.contains(&s)
}

pub(crate) fn is_identifier(s: &str) -> bool {
    let mut cs = s.chars();
    matches!(cs.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && cs.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn describe(e: &SyntaxError, text_start: usize, text: &str) -> String {
    let mut expected: Vec<_> = e.expected.iter().copied().collect();
    expected.sort_unstable();
    let col = e.offset.saturating_sub(text_start) + 1;
    if col > text.len() + 1 {
        format!("unexpected end (expected {})", expected.join(", "))
    } else {
        format!("at column {col}, expected {}", expected.join(", "))
    }
}

/// Parse prototypes; one result per text, in order.
pub(crate) fn parse_prototypes(
    prelude: &str,
    sigs: &[&str],
) -> Vec<Result<Node<Declaration>, String>> {
    if sigs.is_empty() {
        return Vec::new();
    }
    let mut text = prelude.to_string();
    let mut starts = Vec::with_capacity(sigs.len());
    for s in sigs {
        starts.push(text.len());
        text.push_str(s);
        text.push_str(";\n");
    }
    if let Ok(parse) = parse_preprocessed(&config(), text) {
        let decls: Vec<_> = parse
            .unit
            .0
            .into_iter()
            .filter(|d| d.span.start >= prelude.len())
            .collect();
        if decls.len() == sigs.len() && decls.iter().zip(&starts).all(|(d, s)| d.span.start == *s) {
            return decls
                .into_iter()
                .map(|d| match d.node {
                    ExternalDeclaration::Declaration(decl) => Ok(decl),
                    _ => Err("not a declaration".to_string()),
                })
                .collect();
        }
    }
    sigs.iter()
        .map(|s| parse_prototype_alone(prelude, s))
        .collect()
}

fn parse_prototype_alone(prelude: &str, sig: &str) -> Result<Node<Declaration>, String> {
    let text = format!("{prelude}{sig};\n");
    let parse =
        parse_preprocessed(&config(), text).map_err(|e| describe(&e, prelude.len(), sig))?;
    let mut decls: Vec<_> = parse
        .unit
        .0
        .into_iter()
        .filter(|d| d.span.start >= prelude.len())
        .collect();
    if decls.len() != 1 {
        return Err(format!("expected one declaration, found {}", decls.len()));
    }
    match decls.pop().map(|d| d.node) {
        Some(ExternalDeclaration::Declaration(d)) => Ok(d),
        _ => Err("not a declaration".to_string()),
    }
}

/// Parse type names; one result per text, in order.
pub(crate) fn parse_type_names(
    prelude: &str,
    texts: &[&str],
) -> Vec<Result<Node<TypeName>, String>> {
    if texts.is_empty() {
        return Vec::new();
    }
    let mut text = format!("{prelude}void {TYPES_FN}(void) {{\n");
    for t in texts {
        text.push_str("sizeof(");
        text.push_str(t);
        text.push_str(");\n");
    }
    text.push_str("}\n");
    if let Ok(parse) = parse_preprocessed(&config(), text) {
        if let Some(items) = wrapper_items(parse.unit.0) {
            if items.len() == texts.len() {
                return items.into_iter().map(sizeof_type).collect();
            }
        }
    }
    texts
        .iter()
        .map(|t| parse_type_name_alone(prelude, t))
        .collect()
}

fn parse_type_name_alone(prelude: &str, t: &str) -> Result<Node<TypeName>, String> {
    let head = format!("{prelude}void {TYPES_FN}(void) {{\nsizeof(");
    let text = format!("{head}{t});\n}}\n");
    let parse = parse_preprocessed(&config(), text).map_err(|e| describe(&e, head.len(), t))?;
    let items = wrapper_items(parse.unit.0).ok_or("not a type name")?;
    if items.len() != 1 {
        return Err("not a single type name".to_string());
    }
    items
        .into_iter()
        .next()
        .map_or(Err("empty".into()), sizeof_type)
}

fn wrapper_items(unit: Vec<Node<ExternalDeclaration>>) -> Option<Vec<Node<BlockItem>>> {
    unit.into_iter().find_map(|d| match d.node {
        ExternalDeclaration::FunctionDefinition(f) => match f.node.statement.node {
            Statement::Compound(items) => Some(items),
            _ => None,
        },
        _ => None,
    })
}

fn sizeof_type(item: Node<BlockItem>) -> Result<Node<TypeName>, String> {
    match item.node {
        BlockItem::Statement(s) => match s.node {
            Statement::Expression(Some(e)) => match e.node {
                Expression::SizeOfTy(t) => Ok(t.node.0),
                Expression::SizeOfVal(v) => match &v.node.0.node {
                    Expression::Identifier(id) => {
                        Err(format!("`{}` is not a known type name", id.node.name))
                    }
                    _ => Err("not a type name".to_string()),
                },
                _ => Err("not a type name".to_string()),
            },
            _ => Err("not a type name".to_string()),
        },
        _ => Err("not a type name".to_string()),
    }
}

/// One type text, resolved (used by `Bindings::parse_type`).
pub(crate) fn parse_one_type(text: &str, names: &super::Bindings) -> Result<CType, String> {
    let prelude = names.typedef_prelude();
    let tn = parse_type_name_alone(&prelude, text)?;
    type_of_type_name(&tn, names as &dyn TypeNames).map_err(|e| e.to_string())
}

/// Keywords that are (part of) a base type: a declarator name follows them.
const C_BASE_TYPE_WORDS: &[&str] = &[
    "void", "char", "short", "int", "long", "float", "double", "signed", "unsigned", "_Bool",
];

/// Keywords that qualify or introduce a type: a type (or tag) still follows them.
const C_QUALIFIER_WORDS: &[&str] = &[
    "const",
    "volatile",
    "restrict",
    "static",
    "extern",
    "inline",
    "_Noreturn",
    "__restrict",
    "__inline",
    "_Atomic",
    "_Complex",
];

const C_TYPE_WORDS: &[&str] = &[
    "void",
    "char",
    "short",
    "int",
    "long",
    "float",
    "double",
    "signed",
    "unsigned",
    "_Bool",
    "const",
    "volatile",
    "restrict",
    "struct",
    "union",
    "enum",
    "static",
    "extern",
    "inline",
    "_Noreturn",
    "__restrict",
    "__inline",
    "_Atomic",
    "_Complex",
];

/// lang-c reports an unknown typedef name as a bare syntax error; name the likely culprit: an
/// identifier where a type must start (text start, after `(` or `,`) that is not a known type.
pub(crate) fn unknown_type_hint(text: &str, is_type: &dyn Fn(&str) -> bool) -> Option<String> {
    let mut expect_type = true;
    let mut skip_tag = false;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_ascii_alphabetic() || c == '_' {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if d.is_ascii_alphanumeric() || d == '_' {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            let word = &text[i..end];
            if C_BASE_TYPE_WORDS.contains(&word) {
                expect_type = false;
                continue;
            }
            if C_QUALIFIER_WORDS.contains(&word) {
                continue;
            }
            if matches!(word, "struct" | "union" | "enum") {
                // The tag that follows is checked by the resolver, not here.
                expect_type = false;
                skip_tag = true;
                continue;
            }
            if skip_tag {
                skip_tag = false;
                continue;
            }
            if expect_type && !is_type(word) {
                return Some(word.to_string());
            }
            expect_type = false;
        } else if c == '(' || c == ',' {
            expect_type = true;
        } else if !c.is_whitespace() {
            expect_type = false;
        }
    }
    None
}
