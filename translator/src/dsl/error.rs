//! The front-end's error type.

use super::token::Span;

/// An error at a source position. Display is exactly `<path>:<line>:<col>: <message>`; the
/// CLI prefixes `error: `.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}:{line}:{col}: {message}")]
pub struct DslError {
    pub path: String,
    pub line: u32,
    pub col: u32,
    pub message: String,
}

impl DslError {
    pub fn new(path: impl Into<String>, line: u32, col: u32, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            line,
            col,
            message: message.into(),
        }
    }

    pub fn at(path: &str, span: Span, message: impl Into<String>) -> Self {
        Self::new(path, span.line, span.col, message)
    }
}
