//! The DSL front-end: lexer, parser and syntax tree for CPython's `bytecodes.c`.

pub mod ast;
pub mod error;
pub mod lexer;
pub mod overrides;
pub mod parser;
pub mod token;

pub use ast::*;
pub use error::DslError;
pub use lexer::tokenize;
pub use overrides::apply_overrides;
pub use parser::{parse, BEGIN_MARKER, END_MARKER};
pub use token::{to_text, Span, Token, TokenKind};
