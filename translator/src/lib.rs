//! cases2rs translator: reads CPython's instruction DSL, analyses it, and (later) lowers C bodies to Rust.

pub mod analysis;
pub mod cache_layout;
pub mod cbody;
pub mod dsl;
pub mod input;
pub mod oracle;
