//! The typedef prelude put in front of the bodies so lang-c tells types from values.
//!
//! The names are data (`prelude.h`), not code; users targeting other CPython versions can extend
//! them with [`Prelude::with_types`] (e.g. from a binding table's `[type.*]` entries).

use lang_c::ast::{
    DeclarationSpecifier, DeclaratorKind, ExternalDeclaration, StorageClassSpecifier,
};
use lang_c::driver::{parse_preprocessed, Config, Flavor};

use super::blank::blank_comments;

/// The default prelude, kept as data.
pub const BUILTIN_PRELUDE: &str = include_str!("prelude.h");

/// Prelude source text and the type names it declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prelude {
    text: String,
    names: Vec<String>,
}

/// The prelude text itself does not parse, or is not only typedefs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("prelude:{line}:{col}: {message}")]
pub struct PreludeError {
    pub line: usize,
    pub col: usize,
    pub message: String,
}

/// lang-c configuration used for the prelude and the bodies (no external preprocessor is run).
pub(crate) fn lang_c_config() -> Config {
    Config {
        cpp_command: String::new(),
        cpp_options: Vec::new(),
        flavor: Flavor::GnuC11,
    }
}

impl Prelude {
    /// The prelude shipped with cases2rs (`prelude.h`).
    pub fn builtin() -> Self {
        // The builtin text is checked by a unit test, so this cannot fail in a released build;
        // stay total anyway and fall back to an empty prelude (the lint then reports every use).
        Self::from_text(BUILTIN_PRELUDE).unwrap_or_else(|_| Self {
            text: String::new(),
            names: Vec::new(),
        })
    }

    /// Parses a prelude; every top-level declaration must be a `typedef`.
    pub fn from_text(text: &str) -> Result<Self, PreludeError> {
        let blanked = blank_comments(text).map_err(|e| PreludeError {
            line: 1 + text[..e.offset].matches('\n').count(),
            col: 1,
            message: "unterminated comment".into(),
        })?;
        let parse =
            parse_preprocessed(&lang_c_config(), blanked.clone()).map_err(|e| PreludeError {
                line: e.line,
                col: e.column,
                message: "syntax error".into(),
            })?;
        let mut names = Vec::new();
        for ext in &parse.unit.0 {
            let at = |offset: usize, message: &str| {
                let line = 1 + blanked[..offset.min(blanked.len())].matches('\n').count();
                PreludeError {
                    line,
                    col: 1,
                    message: message.into(),
                }
            };
            let ExternalDeclaration::Declaration(decl) = &ext.node else {
                return Err(at(
                    ext.span.start,
                    "only typedef declarations belong in the prelude",
                ));
            };
            let is_typedef = decl.node.specifiers.iter().any(|s| {
                matches!(&s.node, DeclarationSpecifier::StorageClass(c)
                    if c.node == StorageClassSpecifier::Typedef)
            });
            if !is_typedef || decl.node.declarators.is_empty() {
                return Err(at(
                    decl.span.start,
                    "only typedef declarations belong in the prelude",
                ));
            }
            for d in &decl.node.declarators {
                match declarator_name(&d.node.declarator.node.kind.node) {
                    Some(n) => names.push(n),
                    None => return Err(at(d.span.start, "typedef without a name")),
                }
            }
        }
        Ok(Self {
            text: blanked,
            names,
        })
    }

    /// Adds `typedef int NAME;` for each name not yet declared (only the name matters to lang-c).
    /// Names that are not identifiers, or are C keywords (`int`, `unsigned long`: a binding
    /// table binds those too), need no typedef and are skipped.
    pub fn with_types<'a>(mut self, names: impl IntoIterator<Item = &'a str>) -> Self {
        for n in names {
            if !self.names.iter().any(|m| m == n) && is_identifier(n) && !C_KEYWORDS.contains(&n) {
                self.text.push_str(&format!("\ntypedef int {n};"));
                self.names.push(n.to_string());
            }
        }
        self
    }

    /// The same prelude without the typedef lines declaring `name` (used to show the lint works).
    pub fn without(&self, name: &str) -> Self {
        let text = self
            .text
            .lines()
            .map(|l| {
                let t = l.trim_end();
                let declares = t.starts_with("typedef")
                    && (t.ends_with(&format!(" {name};"))
                        || t.ends_with(&format!("*{name};"))
                        || t.contains(&format!("(*{name})")));
                if declares {
                    " ".repeat(l.len())
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        Self {
            text,
            names: self.names.iter().filter(|n| *n != name).cloned().collect(),
        }
    }

    /// Comment-free text handed to lang-c in front of the bodies.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Declared type names, in declaration order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub fn declares(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }
}

/// C11 keywords plus the GNU spellings lang-c reserves: never typedef names.
const C_KEYWORDS: &[&str] = &[
    "auto",
    "break",
    "case",
    "char",
    "const",
    "continue",
    "default",
    "do",
    "double",
    "else",
    "enum",
    "extern",
    "float",
    "for",
    "goto",
    "if",
    "inline",
    "int",
    "long",
    "register",
    "restrict",
    "return",
    "short",
    "signed",
    "sizeof",
    "static",
    "struct",
    "switch",
    "typedef",
    "union",
    "unsigned",
    "void",
    "volatile",
    "while",
    "_Alignas",
    "_Alignof",
    "_Atomic",
    "_Bool",
    "_Complex",
    "_Generic",
    "_Imaginary",
    "_Noreturn",
    "_Static_assert",
    "_Thread_local",
    "__attribute__",
    "__asm__",
    "asm",
    "typeof",
    "__typeof__",
    "__extension__",
    "__inline",
    "__inline__",
    "__restrict",
    "__restrict__",
    "__const",
    "__const__",
    "__volatile",
    "__volatile__",
    "__signed",
    "__signed__",
    "__alignof",
    "__alignof__",
];

fn is_identifier(s: &str) -> bool {
    let mut b = s.bytes();
    matches!(b.next(), Some(c) if c.is_ascii_alphabetic() || c == b'_')
        && b.all(|c| c.is_ascii_alphanumeric() || c == b'_')
}

fn declarator_name(kind: &DeclaratorKind) -> Option<String> {
    match kind {
        DeclaratorKind::Identifier(i) => Some(i.node.name.clone()),
        DeclaratorKind::Declarator(d) => declarator_name(&d.node.kind.node),
        DeclaratorKind::Abstract => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_prelude_parses_and_declares_the_common_types() {
        let p = Prelude::from_text(BUILTIN_PRELUDE).expect("builtin prelude parses");
        for n in [
            "PyObject",
            "_PyStackRef",
            "uint16_t",
            "Py_ssize_t",
            "getter",
            "PyCFunction",
        ] {
            assert!(p.declares(n), "{n} missing");
        }
        // Every non-comment, non-blank line of the data file declares exactly one name.
        let lines = BUILTIN_PRELUDE
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with("//"))
            .count();
        assert_eq!(p.names().len(), lines);
    }

    #[test]
    fn non_typedefs_are_rejected_with_a_line() {
        let e = Prelude::from_text("typedef int A;\nint x;\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(Prelude::from_text("typedef int A").is_err());
    }

    #[test]
    fn with_and_without_change_the_declared_names() {
        let p = Prelude::builtin().with_types([
            "MyType",
            "PyObject",
            "not valid",
            "int",
            "double",
            "void",
        ]);
        assert!(
            Prelude::from_text(p.text()).is_ok(),
            "keywords are not declared"
        );
        assert!(!p.declares("int"));
        assert!(p.declares("MyType"));
        assert_eq!(p.names().iter().filter(|n| *n == "PyObject").count(), 1);
        assert!(!p.declares("not valid"));
        let q = p.without("PyObject").without("getter");
        assert!(!q.declares("PyObject") && !q.declares("getter"));
        let reparsed = Prelude::from_text(q.text()).unwrap();
        assert!(!reparsed.declares("PyObject") && !reparsed.declares("getter"));
        assert!(reparsed.declares("MyType"));
    }
}
