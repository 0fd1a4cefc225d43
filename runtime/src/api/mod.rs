//! The C API opcode bodies call, as methods on [`crate::Vm`] with CPython's conventions: fallible
//! functions return `NULL` / `-1` and set the current exception in the thread state.
//!
//! Each submodule defines its functions with [`crate::api!`], which also yields the registry
//! entries collected by [`all_entries`].

pub mod atomics;
pub mod calls;
pub mod errors;
pub mod eval;
pub mod frames;
pub mod globals;
pub mod monitoring;
pub mod number;
pub mod objects;
pub mod refcount;
pub mod sequences;
pub mod specialize;
pub mod stackrefs;
pub mod typecheck;
pub mod unpack;

use crate::registry::RawEntry;

/// Every registry entry of every API module.
pub fn all_entries() -> Vec<RawEntry> {
    let mut v = Vec::new();
    v.extend(atomics::entries());
    v.extend(refcount::entries());
    v.extend(stackrefs::entries());
    v.extend(typecheck::entries());
    v.extend(unpack::entries());
    v.extend(errors::entries());
    v.extend(eval::entries());
    v.extend(number::entries());
    v.extend(objects::entries());
    v.extend(sequences::entries());
    v.extend(specialize::entries());
    v.extend(frames::entries());
    v.extend(globals::entries());
    v.extend(monitoring::entries());
    v.extend(calls::entries());
    v.extend(calls::ids::entries());
    v.extend(calls::cache::entries());
    v.extend(calls::make::entries());
    v.extend(calls::call::entries());
    v.extend(calls::arrays::entries());
    v.extend(sequences::entries::entries());
    v
}
