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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oracle::Verdict;
    use crate::run;
    use crate::targets::{CandidateSource, World};

    fn world() -> Option<World> {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/cpython/3.14.7");
        if std::env::var_os("CASES2RS_CPYTHON").is_none() && !dir.is_dir() {
            println!("skipped: no CPython 3.14.7 checkout");
            return None;
        }
        Some(World::load().expect("input loads"))
    }

    /// The lowering's test-only faults (`translator::Mutation`, applied in build.rs): the
    /// harness reports a mismatch, with a reproducer that replays, for each one that applies.
    fn caught(name: &str, exec: ExecFn) {
        let Some(w) = world() else { return };
        let (mut t, _) = w.targets(&[name.to_string()], CandidateSource::Reference);
        assert_eq!(t.len(), 1, "{name} has a reference");
        t[0].candidate = Arc::new(GeneratedBody::with(name, exec));
        t[0].kind = "generated mutant".into();
        let stats = run::run(&t, 500, 11, &|_| {});
        assert!(stats[0].mismatch > 0, "{name}: the mutant was not caught");
        let (_, repro) = stats[0].first.clone().expect("reproducer kept");
        let dir =
            std::env::temp_dir().join(format!("harness-gen-mut-{}-{name}", std::process::id()));
        let p = run::write_repro(&dir, &repro).unwrap();
        let data = std::fs::read(&p).unwrap();
        let (_, _, bytes) = run::read_repro(&data).unwrap();
        assert!(matches!(
            run::check_bytes(&t[0], bytes).0,
            Verdict::Mismatch(_)
        ));
        println!("{name}: caught\n{}", repro.dump);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn flipped_operator_is_caught() {
        assert_eq!(mutants::flip_operator::BUILD_ERROR, None);
        caught("BINARY_OP_ADD_INT", mutants::flip_operator::execute);
    }

    #[test]
    fn dropped_close_is_caught() {
        assert_eq!(mutants::drop_close::BUILD_ERROR, None);
        caught("POP_TOP", mutants::drop_close::execute);
    }

    #[test]
    fn shifted_cache_offset_is_caught_or_reported_inapplicable() {
        // 3.14.7 has no body inside the subset that reads a named cache entry, so the
        // translator refuses the mutation; the harness shows the same fault with its own
        // mutant on a snippet (tests/oracle.rs: a_shifted_cache_offset_is_caught).
        match mutants::shift_cache::BUILD_ERROR {
            None => {
                // every generated instruction that runs `_GUARD_TYPE_VERSION` reads the
                // shifted entry; one of them is enough
                let Some(w) = world() else { return };
                let name = names()
                    .into_iter()
                    .find(|n| {
                        w.reference
                            .get(n)
                            .is_some_and(|r| r.op_names().contains(&"_GUARD_TYPE_VERSION"))
                    })
                    .expect("a checkable instruction runs _GUARD_TYPE_VERSION");
                caught(name, mutants::shift_cache::execute);
            }
            Some(e) => assert!(e.contains("did not change anything"), "{e}"),
        }
    }
}
