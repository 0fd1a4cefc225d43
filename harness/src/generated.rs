//! The translator's output for the configured input (written by `build.rs` into `OUT_DIR`),
//! wrapped as oracle candidates. The mutated translations exist only for the mutation test.

use std::sync::Arc;

use runtime::{Outcome, Vm};

use crate::oracle::Body;
use crate::reference::Skip;

#[allow(
    clippy::all,
    unused,
    missing_docs,
    missing_debug_implementations,
    non_snake_case
)]
mod cases {
    include!(concat!(env!("OUT_DIR"), "/cases.rs"));
}

/// The deliberately faulty translations (see `build.rs`); compiled for the unit tests only.
#[cfg(test)]
#[allow(
    clippy::all,
    unused,
    missing_docs,
    missing_debug_implementations,
    non_snake_case
)]
pub mod mutants {
    /// `_BINARY_OP_ADD_INT`'s first operator flipped.
    pub mod flip_operator {
        include!(concat!(env!("OUT_DIR"), "/cases_flip_operator.rs"));
    }
    /// `POP_TOP`'s `PyStackRef_CLOSE` dropped.
    pub mod drop_close {
        include!(concat!(env!("OUT_DIR"), "/cases_drop_close.rs"));
    }
    /// `_GUARD_TYPE_VERSION`'s cache read one unit too far.
    pub mod shift_cache {
        include!(concat!(env!("OUT_DIR"), "/cases_shift_cache.rs"));
    }
}

/// The generated dispatcher's shape.
pub type ExecFn = fn(&mut Vm, &str, u32) -> Option<Outcome>;

/// Why the translation of the configured input failed (`None`: generated code is available).
pub fn build_error() -> Option<&'static str> {
    cases::BUILD_ERROR
}

/// Names of the generated instructions.
pub fn names() -> Vec<&'static str> {
    cases::GENERATED_INSTRUCTIONS
        .iter()
        .map(|g| g.name)
        .collect()
}

/// A generated instruction as an oracle candidate.
#[derive(Debug, Clone)]
pub struct GeneratedBody {
    /// instruction name
    pub name: String,
    exec: ExecFn,
}

impl GeneratedBody {
    /// The generated body of `name` (the real translation).
    pub fn new(name: &str) -> GeneratedBody {
        GeneratedBody::with(name, cases::execute)
    }

    /// The body of `name` from a given dispatcher (a mutant's).
    pub fn with(name: &str, exec: ExecFn) -> GeneratedBody {
        GeneratedBody {
            name: name.to_string(),
            exec,
        }
    }
}

impl Body for GeneratedBody {
    fn run(&self, vm: &mut Vm, oparg: u32) -> Result<Outcome, Skip> {
        (self.exec)(vm, &self.name, oparg)
            .ok_or_else(|| Skip::new("not generated", self.name.clone()))
    }
}

/// The generated candidate of `name`, if the translator generated it.
pub fn body(name: &str) -> Option<Arc<dyn Body>> {
    names()
        .contains(&name)
        .then(|| Arc::new(GeneratedBody::new(name)) as Arc<dyn Body>)
}
