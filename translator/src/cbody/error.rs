//! Errors of the C-body front-end. Each carries the `bytecodes.c` location it is about.

use std::fmt;

use super::spanmap::LineCol;

/// What went wrong with one body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DiagnosticKind {
    /// A `/*` that never closes.
    Comment,
    /// A conditional-compilation problem: unknown macro, unbalanced `#if`, unsupported directive.
    Directive,
    /// lang-c rejected the body.
    Syntax,
    /// The body parsed, but into a shape that signals a missing typedef (see `lint.rs`).
    Misparse,
}

impl fmt::Display for DiagnosticKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DiagnosticKind::Comment => "comment",
            DiagnosticKind::Directive => "preprocessor",
            DiagnosticKind::Syntax => "syntax error",
            DiagnosticKind::Misparse => "silent misparse",
        })
    }
}

/// One problem at one place in the source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub kind: DiagnosticKind,
    pub path: String,
    pub loc: LineCol,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.path, self.loc, self.kind, self.message
        )
    }
}

/// Why one body has no AST: every problem found (the lint reports all its hits), never empty.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct BodyParseError {
    pub diagnostics: Vec<Diagnostic>,
}

impl BodyParseError {
    /// The first (earliest) problem.
    pub fn first(&self) -> Option<&Diagnostic> {
        self.diagnostics.first()
    }
}

impl fmt::Display for BodyParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

/// A failure that concerns the whole file rather than one body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CbodyError {
    #[error(transparent)]
    Prelude(#[from] super::prelude::PreludeError),
    #[error("unknown build configuration `{0}` (known: {known})", known = super::config::PRESET_NAMES.join(", "))]
    UnknownConfig(String),
}
