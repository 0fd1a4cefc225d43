//! Tokens and source positions shared by the lexer, the parser and later stages.

/// A source position: 1-based `line`/`col` (columns count characters, as CPython's lexer
/// does) and byte offsets `start..end` into the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Span {
    pub line: u32,
    pub col: u32,
    pub start: usize,
    pub end: usize,
}

/// Token classes, mirroring CPython's lexer: C and DSL keywords (`if`, `sizeof`, `inst`,
/// `op`, `macro`, `label`, `spilled`) are not identifiers, so a call scan that looks for
/// `IDENTIFIER (` does not mistake `if (` for a function call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    Identifier,
    Keyword,
    /// A DSL annotation word (`pure`, `specializing`, `replicate`, ...).
    Annotation,
    Number,
    String,
    Char,
    /// Operators and delimiters; the text says which.
    Punct,
    /// `// ...` or `/* ... */`.
    Comment,
    /// A preprocessor line (`#if ...`), including backslash-continued lines.
    Preprocessor,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub text: String,
    pub span: Span,
    /// Line and column just after the token's last character (1-based), used to rebuild
    /// spacing the way CPython's `to_text` does.
    pub end_line: u32,
    pub end_col: u32,
}

impl Token {
    pub fn is(&self, kind: TokenKind, text: &str) -> bool {
        self.kind == kind && self.text == text
    }
    pub fn is_punct(&self, text: &str) -> bool {
        self.is(TokenKind::Punct, text)
    }
    pub fn is_ident(&self) -> bool {
        self.kind == TokenKind::Identifier
    }
}

/// Joins tokens keeping their relative layout (newlines, then spaces up to each token's
/// column), like CPython's `lexer.to_text`; stack-effect expressions are rendered this way.
pub fn to_text(tokens: &[Token]) -> String {
    let mut out = String::new();
    let mut line = 0u32;
    let mut col = 1u32;
    for (i, t) in tokens.iter().enumerate() {
        if i == 0 {
            line = t.span.line;
        }
        while t.span.line > line {
            line += 1;
            out.push('\n');
            col = 1;
        }
        for _ in col..t.span.col {
            out.push(' ');
        }
        out.push_str(&t.text);
        line = t.end_line;
        col = t.end_col;
    }
    out
}
