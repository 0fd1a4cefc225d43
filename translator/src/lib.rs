//! cases2rs translator: reads CPython's instruction DSL, analyses it, and (later) lowers C bodies to Rust.

pub mod analysis;
pub mod builder;
pub mod cache_layout;
pub mod cbody;
pub mod dsl;
pub mod emit;
pub mod input;
pub mod lower;
pub mod oracle;
pub mod report;

pub use builder::{Builder, Generated};
pub use lower::Mutation;
