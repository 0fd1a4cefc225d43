//! Syntax tree of the instruction DSL. Every node keeps the span of its first token so that
//! later stages (analysis, C front-end, subset checker) can report `file:line:col`.

pub use super::token::{Span, Token, TokenKind};

/// One DSL source: the display path used in messages plus the whole text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            text: text.into(),
        }
    }
}

/// The parsed definitions, in source order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct File {
    pub definitions: Vec<Definition>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Definition {
    /// `inst(...)` or `op(...)`, see [`InstDef::kind`].
    Inst(InstDef),
    Macro(MacroDef),
    Family(FamilyDef),
    Pseudo(PseudoDef),
    Label(LabelDef),
    /// 3.12's `super(NAME) = A + B;`.
    Super(SuperDef),
}

impl Definition {
    pub fn name(&self) -> &Ident {
        match self {
            Definition::Inst(d) => &d.name,
            Definition::Macro(d) => &d.name,
            Definition::Family(d) => &d.name,
            Definition::Pseudo(d) => &d.name,
            Definition::Label(d) => &d.name,
            Definition::Super(d) => &d.name,
        }
    }

    pub fn span(&self) -> Span {
        match self {
            Definition::Inst(d) => d.span,
            Definition::Macro(d) => d.span,
            Definition::Family(d) => d.span,
            Definition::Pseudo(d) => d.span,
            Definition::Label(d) => d.span,
            Definition::Super(d) => d.span,
        }
    }

    /// The keyword that introduced the definition (`inst`, `op`, `macro`, ...).
    pub fn kind_name(&self) -> &'static str {
        match self {
            Definition::Inst(d) => match d.kind {
                InstKind::Inst => "inst",
                InstKind::Op => "op",
                InstKind::Legacy => "inst",
            },
            Definition::Macro(_) => "macro",
            Definition::Family(_) => "family",
            Definition::Pseudo(_) => "pseudo",
            Definition::Label(_) => "label",
            Definition::Super(_) => "super",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InstKind {
    /// `inst(NAME, (in -- out)) { ... }`
    Inst,
    /// `op(NAME, (in -- out)) { ... }`
    Op,
    /// 3.12's `inst(NAME) { ... }` without a stack effect.
    Legacy,
}

/// An annotation written before `inst`/`op`. `replicate(N)` carries `arg: Some(N)`;
/// 3.15's `replicate(A:B)` carries `start: Some(A), arg: Some(B)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    pub name: String,
    pub arg: Option<u32>,
    pub start: Option<u32>,
    pub span: Span,
}

impl Annotation {
    /// The spelling CPython keeps in its annotation list (`pure`, `replicate(8)`,
    /// `replicate(1:4)`).
    pub fn text(&self) -> String {
        match (self.start, self.arg) {
            (Some(a), Some(b)) => format!("{}({a}:{b})", self.name),
            (None, Some(n)) => format!("{}({n})", self.name),
            _ => self.name.clone(),
        }
    }

    /// The opargs a `replicate` annotation makes variants for: `0..N` or `A..B`.
    pub fn replicate_range(&self) -> Option<std::ops::Range<u32>> {
        (self.name == "replicate").then(|| self.start.unwrap_or(0)..self.arg.unwrap_or(0))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstDef {
    pub kind: InstKind,
    pub annotations: Vec<Annotation>,
    pub name: Ident,
    pub inputs: Vec<InputEffect>,
    pub outputs: Vec<StackItem>,
    pub body: Body,
    /// Span of the first token of the definition (first annotation, or the keyword).
    pub span: Span,
}

impl InstDef {
    pub fn has_annotation(&self, name: &str) -> bool {
        self.annotations.iter().any(|a| a.name == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputEffect {
    Cache(CacheEffect),
    Stack(StackItem),
}

/// `name/size`: `size` code units of inline cache. Negative sizes (`rewind/-4`, 3.14 macros)
/// move the cache cursor back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheEffect {
    pub name: Ident,
    pub size: i32,
    pub span: Span,
}

/// A stack item: `x`, `x: type`, `x if (cond)`, `values[size]`, or 3.12's `PyObject *x`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackItem {
    pub name: Ident,
    /// The written type, normalised like CPython: `PyObject *` (identifier, then ` *` per star).
    pub type_: Option<String>,
    pub size: Option<CExpr>,
    pub cond: Option<CExpr>,
    pub span: Span,
}

impl StackItem {
    pub fn is_array(&self) -> bool {
        self.size.is_some()
    }
    pub fn is_unused(&self) -> bool {
        self.name.name == "unused"
    }
}

/// A C expression inside a stack effect (array size or condition).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CExpr {
    /// Tokens joined with their original spacing and stripped, as CPython's `to_text` does,
    /// e.g. `oparg & 1`, `oparg-1`, `2 + (oparg & 1)`.
    pub text: String,
    pub span: Span,
    pub tokens: Vec<Token>,
}

/// A C body from `{` to `}` inclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    /// Verbatim source text from `{` to `}`.
    pub text: String,
    /// Span of the opening `{`; `start`/`end` of the span cover only that brace, use
    /// `tokens` or `text` for the whole body.
    pub span: Span,
    /// Every token of the body including the braces, comments and preprocessor lines.
    pub tokens: Vec<Token>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MacroDef {
    pub name: Ident,
    pub parts: Vec<MacroPart>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MacroPart {
    Op(Ident),
    Cache(CacheEffect),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyDef {
    pub name: Ident,
    /// Cache size as written (`INLINE_CACHE_ENTRIES_BINARY_OP`, `0`), empty when omitted.
    pub size: String,
    pub members: Vec<Ident>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PseudoDef {
    pub name: Ident,
    /// Whether `(inputs -- outputs)` was written (3.14+); 3.12/3.13 pseudos have none.
    pub has_stack_effect: bool,
    pub inputs: Vec<StackItem>,
    pub outputs: Vec<StackItem>,
    pub flags: Vec<Ident>,
    pub targets: Vec<Ident>,
    /// `= [A, B];` (targets form a sequence) rather than `= {A, B};`.
    pub as_sequence: bool,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelDef {
    pub name: Ident,
    pub spilled: bool,
    pub body: Body,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuperDef {
    pub name: Ident,
    pub ops: Vec<Ident>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

impl Ident {
    pub fn as_str(&self) -> &str {
        &self.name
    }
}
