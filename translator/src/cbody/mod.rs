//! The C-body front-end: every `inst`/`op`/`label` body of `bytecodes.c` parsed by lang-c, with
//! spans mapped back to the source.
//!
//! Preparation keeps every byte offset (see [`blank`], [`cond`]), a typedef [`prelude`] tells
//! lang-c which names are types, all bodies are parsed as one translation unit (one lang-c call),
//! with a per-body fallback that locates a failing body while the others still get their AST, and
//! the [`lint`] turns lang-c's silent misparses into errors.

pub mod blank;
pub mod cond;
pub mod config;
pub mod error;
pub mod labels;
pub mod lint;
pub mod parse;
pub mod prelude;
pub mod spanmap;

use std::fmt;
use std::ops::Range;

use lang_c::ast::Statement;
use lang_c::span::{Node, Span};

pub use config::{BuildConfig, MacroValue, PRESET_NAMES};
pub use error::{BodyParseError, CbodyError, Diagnostic, DiagnosticKind};
pub use parse::parse_bodies;
pub use prelude::Prelude;
pub use spanmap::{LineCol, LineIndex, SpanMap};

use crate::dsl::{Definition, File, InstKind, SourceFile};

/// Which DSL construct a body belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BodyKind {
    Inst,
    Op,
    Label,
}

impl BodyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BodyKind::Inst => "inst",
            BodyKind::Op => "op",
            BodyKind::Label => "label",
        }
    }
}

impl fmt::Display for BodyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One body to parse: its text (`{` to `}` inclusive) and where that text starts in the file.
#[derive(Debug, Clone, Copy)]
pub struct BodySource<'a> {
    pub name: &'a str,
    pub kind: BodyKind,
    /// Byte offset of the body's `{` in the file.
    pub start: usize,
    pub text: &'a str,
}

/// One parsed body.
#[derive(Debug, Clone)]
pub struct ParsedBody {
    pub name: String,
    pub kind: BodyKind,
    /// Location of the body's `{` in the file.
    pub start: LineCol,
    /// Byte range of the body text (`{` to `}` inclusive) in the file.
    pub range: Range<usize>,
    /// Maps the spans of `ast` to the file.
    pub map: SpanMap,
    /// The body as a compound statement, or why there is none.
    pub ast: Result<Node<Statement>, BodyParseError>,
}

impl ParsedBody {
    pub fn is_parsed(&self) -> bool {
        self.ast.is_ok()
    }
}

/// Every body of one file, in source order.
#[derive(Debug, Clone)]
pub struct ParsedFile {
    pub path: String,
    /// Name of the build configuration the conditionals were evaluated for.
    pub config: String,
    pub lines: LineIndex,
    pub bodies: Vec<ParsedBody>,
    /// Whether the one-translation-unit parse succeeded (else every body was parsed on its own).
    pub single_pass: bool,
}

impl ParsedFile {
    /// Source line:col of the start of a lang-c span inside `body`.
    pub fn locate(&self, body: &ParsedBody, span: Span) -> Option<LineCol> {
        Some(self.lines.line_col(body.map.original_range(span)?.start))
    }

    /// The source text a lang-c span of `body` covers.
    pub fn text_of(&self, body: &ParsedBody, span: Span) -> Option<&str> {
        self.lines.text().get(body.map.original_range(span)?)
    }

    pub fn parsed_count(&self) -> usize {
        self.bodies.iter().filter(|b| b.is_parsed()).count()
    }

    /// Bodies without an AST.
    pub fn failures(&self) -> impl Iterator<Item = (&ParsedBody, &BodyParseError)> {
        self.bodies
            .iter()
            .filter_map(|b| b.ast.as_ref().err().map(|e| (b, e)))
    }

    pub fn body(&self, name: &str) -> Option<&ParsedBody> {
        self.bodies.iter().find(|b| b.name == name)
    }
}

/// The bodies of a parsed DSL file, in source order: `inst` (including 3.12's legacy form), `op`
/// and `label` definitions.
pub fn body_sources(dsl: &File) -> Vec<BodySource<'_>> {
    dsl.definitions
        .iter()
        .filter_map(|d| match d {
            Definition::Inst(i) => Some(BodySource {
                name: &i.name.name,
                kind: match i.kind {
                    InstKind::Op => BodyKind::Op,
                    InstKind::Inst | InstKind::Legacy => BodyKind::Inst,
                },
                start: i.body.span.start,
                text: &i.body.text,
            }),
            Definition::Label(l) => Some(BodySource {
                name: &l.name.name,
                kind: BodyKind::Label,
                start: l.body.span.start,
                text: &l.body.text,
            }),
            _ => None,
        })
        .collect()
}

/// Parses every body of a DSL file for one build configuration.
pub fn parse_file(
    source: &SourceFile,
    dsl: &File,
    config: &BuildConfig,
    prelude: &Prelude,
) -> ParsedFile {
    parse_bodies(
        &source.path,
        &source.text,
        &body_sources(dsl),
        config,
        prelude,
    )
}
