//! The allowed C subset: rule ids, the binding table, and the checker (see SUBSET.md).
//!
//! `translator` parses each opcode body with lang-c, describes its environment in a
//! [`BodyEnv`](env::BodyEnv), and asks [`check_body`](check::check_body) for a verdict; the
//! lowering and the reference interpreter reuse the checker's inferred C types.

pub mod bindings;
pub mod cdecl;
pub mod ctype;
pub mod dsl;
pub mod env;
pub mod rules;

pub use bindings::{Bindings, BindingsError, Kind};
pub use ctype::{CType, FloatKind, FnType, IntRank, IntType};
pub use dsl::{DslArg, DslMacro, DslPosition};
pub use env::{BodyEnv, CacheEntry, StackItem, StackRole};
pub use rules::Rule;
pub mod check;

pub use check::{check_body, ExprInfo, NameRef, Reason, SpanKey, Typing, Verdict};
