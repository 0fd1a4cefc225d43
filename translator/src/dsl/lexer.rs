//! C tokenizer for the whole DSL file. Like CPython's `lexer.py` it tokenizes everything —
//! definitions and C bodies alike — so the analysis can inspect body tokens, and it records
//! a 1-based line/column and byte range for every token. Unlike CPython's regex, it never
//! silently drops input: anything it cannot classify is an error with its position.

use super::error::DslError;
use super::token::{Span, Token, TokenKind};

/// C keywords plus the DSL words CPython's lexer treats as keywords.
pub fn is_keyword(word: &str) -> bool {
    matches!(
        word,
        "auto"
            | "break"
            | "case"
            | "char"
            | "const"
            | "continue"
            | "default"
            | "do"
            | "double"
            | "else"
            | "enum"
            | "extern"
            | "float"
            | "for"
            | "goto"
            | "if"
            | "inline"
            | "int"
            | "long"
            | "offsetof"
            | "restrict"
            | "return"
            | "short"
            | "signed"
            | "sizeof"
            | "static"
            | "struct"
            | "switch"
            | "typedef"
            | "union"
            | "unsigned"
            | "void"
            | "volatile"
            | "while"
            | "inst"
            | "op"
            | "macro"
            | "label"
            | "spilled"
    )
}

/// Words CPython's lexer gives the ANNOTATION kind (union over 3.12–3.15).
pub const ANNOTATION_WORDS: &[&str] = &[
    "specializing",
    "override",
    "register",
    "replaced",
    "pure",
    "split",
    "replicate",
    "tier1",
    "tier2",
    "no_save_ip",
];

/// Length of the operator or delimiter starting `rest` (maximal munch: `<<=` over `<<` over
/// `<`), or `None` if `rest` does not start with one.
fn punct_len(rest: &[u8]) -> Option<usize> {
    let b0 = *rest.first()?;
    let b1 = rest.get(1).copied().unwrap_or(0);
    let b2 = rest.get(2).copied().unwrap_or(0);
    let len = match (b0, b1, b2) {
        (b'.', b'.', b'.') | (b'<', b'<', b'=') | (b'>', b'>', b'=') => 3,
        (b'+', b'+', _)
        | (b'-', b'-' | b'>' | b'=', _)
        | (b'*' | b'/' | b'%' | b'+' | b'&' | b'|' | b'^' | b'<' | b'>' | b'=' | b'!', b'=', _)
        | (b'|', b'|', _)
        | (b'&', b'&', _)
        | (b'<', b'<', _)
        | (b'>', b'>', _) => 2,
        (
            b'+' | b'-' | b'*' | b'/' | b'%' | b'~' | b'^' | b'<' | b'>' | b'!' | b'|' | b'&'
            | b'=' | b'?' | b'(' | b')' | b'[' | b']' | b'{' | b'}' | b',' | b'.' | b';' | b':'
            | b'\\',
            _,
            _,
        ) => 1,
        _ => return None,
    };
    Some(len)
}

struct Lexer<'a> {
    path: &'a str,
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    line: u32,
    line_start: usize,
    /// Last column computed on the current line, as (byte offset, column), so columns are
    /// counted incrementally rather than from the line start for every token.
    col_mark: (usize, u32),
    tokens: Vec<Token>,
}

/// Tokenizes `src`; `path` is only used in error messages.
pub fn tokenize(path: &str, src: &str) -> Result<Vec<Token>, DslError> {
    let mut lx = Lexer {
        path,
        src,
        bytes: src.as_bytes(),
        pos: 0,
        line: 1,
        line_start: 0,
        col_mark: (0, 1),
        tokens: Vec::with_capacity(src.len() / 6),
    };
    lx.run()?;
    Ok(lx.tokens)
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl Lexer<'_> {
    /// Column (1-based, in characters) of byte offset `pos` on the current line.
    fn col_of(&self, pos: usize) -> u32 {
        let (from, base) = if self.col_mark.0 >= self.line_start && self.col_mark.0 <= pos {
            self.col_mark
        } else {
            (self.line_start, 1)
        };
        let chars = self.bytes[from..pos]
            .iter()
            .filter(|&&b| (b & 0xC0) != 0x80)
            .count();
        base + chars as u32
    }

    fn error_here(&self, pos: usize, message: String) -> DslError {
        DslError::new(self.path, self.line, self.col_of(pos), message)
    }

    fn run(&mut self) -> Result<(), DslError> {
        while self.pos < self.bytes.len() {
            let b = self.bytes[self.pos];
            match b {
                b'\n' => {
                    self.pos += 1;
                    self.line += 1;
                    self.line_start = self.pos;
                }
                b' ' | b'\t' | b'\r' | 0x0b | 0x0c => self.pos += 1,
                b'/' if self.peek_at(1) == Some(b'/') => {
                    let end = self.find_line_end(self.pos);
                    self.push(TokenKind::Comment, self.pos, end);
                }
                b'/' if self.peek_at(1) == Some(b'*') => {
                    let Some(rel) = self.src[self.pos + 2..].find("*/") else {
                        return Err(self.error_here(self.pos, "unterminated comment".into()));
                    };
                    let end = self.pos + 2 + rel + 2;
                    self.push(TokenKind::Comment, self.pos, end);
                }
                b'#' => {
                    let mut end = self.find_line_end(self.pos);
                    // A backslash before the newline continues the directive.
                    while end < self.bytes.len()
                        && self.src[self.pos..end]
                            .trim_end_matches('\r')
                            .ends_with('\\')
                    {
                        end = self.find_line_end(end + 1);
                    }
                    self.push(TokenKind::Preprocessor, self.pos, end);
                }
                b'"' | b'\'' => self.quoted(b)?,
                b if is_ident_start(b) => {
                    let mut end = self.pos + 1;
                    while end < self.bytes.len() && is_ident_continue(self.bytes[end]) {
                        end += 1;
                    }
                    let word = &self.src[self.pos..end];
                    let kind = if is_keyword(word) {
                        TokenKind::Keyword
                    } else if ANNOTATION_WORDS.contains(&word) {
                        TokenKind::Annotation
                    } else {
                        TokenKind::Identifier
                    };
                    self.push(kind, self.pos, end);
                }
                b if b.is_ascii_digit()
                    || (b == b'.' && self.peek_at(1).is_some_and(|c| c.is_ascii_digit())) =>
                {
                    // A C preprocessing number: digits, letters, `.`, `_` and signed exponents.
                    let mut end = self.pos + 1;
                    while end < self.bytes.len() {
                        let c = self.bytes[end];
                        let signed_exponent = (c == b'+' || c == b'-')
                            && matches!(self.bytes[end - 1], b'e' | b'E' | b'p' | b'P')
                            && !self.src[self.pos..end].starts_with("0x")
                            && !self.src[self.pos..end].starts_with("0X");
                        if signed_exponent || is_ident_continue(c) || c == b'.' {
                            end += 1;
                        } else {
                            break;
                        }
                    }
                    self.push(TokenKind::Number, self.pos, end);
                }
                _ => match punct_len(&self.bytes[self.pos..]) {
                    Some(len) => {
                        let end = self.pos + len;
                        self.push(TokenKind::Punct, self.pos, end);
                    }
                    None => {
                        let ch = self.src[self.pos..].chars().next().unwrap_or('?');
                        return Err(
                            self.error_here(self.pos, format!("unexpected character {ch:?}"))
                        );
                    }
                },
            }
        }
        Ok(())
    }

    fn peek_at(&self, off: usize) -> Option<u8> {
        self.bytes.get(self.pos + off).copied()
    }

    /// Byte offset of the next `\n` at or after `from` (or the end of input).
    fn find_line_end(&self, from: usize) -> usize {
        self.src[from..]
            .find('\n')
            .map_or(self.bytes.len(), |i| from + i)
    }

    fn quoted(&mut self, quote: u8) -> Result<(), DslError> {
        let what = if quote == b'"' {
            "string literal"
        } else {
            "character literal"
        };
        let mut end = self.pos + 1;
        loop {
            match self.bytes.get(end) {
                None | Some(b'\n') => {
                    return Err(self.error_here(self.pos, format!("unterminated {what}")));
                }
                Some(b'\\') => {
                    // An escape may not swallow the end of the line.
                    match self.bytes.get(end + 1) {
                        None | Some(b'\n') => {
                            return Err(self.error_here(self.pos, format!("unterminated {what}")))
                        }
                        Some(_) => end += 2,
                    }
                }
                Some(&c) if c == quote => {
                    end += 1;
                    break;
                }
                Some(_) => end += 1,
            }
        }
        // Skip to a char boundary in case the escape consumed the first byte of a UTF-8 char.
        while !self.src.is_char_boundary(end) {
            end += 1;
        }
        let kind = if quote == b'"' {
            TokenKind::String
        } else {
            TokenKind::Char
        };
        self.push(kind, self.pos, end);
        Ok(())
    }

    /// Records the token `start..end` and advances past it, following any newlines inside.
    fn push(&mut self, kind: TokenKind, start: usize, end: usize) {
        let line = self.line;
        let col = self.col_of(start);
        let text = &self.src[start..end];
        let mut end_line = line;
        let end_col;
        let multiline = matches!(kind, TokenKind::Comment | TokenKind::Preprocessor)
            && text.as_bytes().contains(&b'\n');
        if multiline {
            let last_nl = text.rfind('\n').unwrap_or(0);
            end_line += text.bytes().filter(|&b| b == b'\n').count() as u32;
            self.line = end_line;
            self.line_start = start + last_nl + 1;
            end_col = self.col_of(end);
        } else {
            let chars = text.bytes().filter(|&b| (b & 0xC0) != 0x80).count();
            end_col = col + chars as u32;
        }
        self.col_mark = (end, end_col);
        self.tokens.push(Token {
            kind,
            text: text.to_owned(),
            span: Span {
                line,
                col,
                start,
                end,
            },
            end_line,
            end_col,
        });
        self.pos = end;
    }
}
