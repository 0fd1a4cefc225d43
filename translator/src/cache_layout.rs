//! cache layout
