//! Assembling what to check: the loaded input, its reference, and a candidate per opcode.

use std::sync::Arc;

use crate::gen::Layout;
use crate::generated;
use crate::manual;
use crate::oracle::Body;
use crate::program::{LoadError, Program};
use crate::reference::{Mutation, Reference};
use crate::run::Target;

/// Where candidates come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CandidateSource {
    /// the translator's output for the configured input (`build.rs`)
    Generated,
    /// the reference against itself (checks the harness: must always agree)
    Reference,
    /// a deliberately faulty reference (must produce mismatches)
    Mutant(Mutation),
    /// the hand-written bodies of opted-out opcodes
    Manual,
}

impl CandidateSource {
    /// The source a reproducer's candidate kind names (`reference`, `manual`,
    /// `mutant FlipOperator`); `None` for kinds this build cannot produce.
    pub fn from_kind(kind: &str) -> Option<CandidateSource> {
        Some(match kind {
            "generated" => CandidateSource::Generated,
            "reference" => CandidateSource::Reference,
            "manual" => CandidateSource::Manual,
            k => {
                let m = k.strip_prefix("mutant ")?;
                CandidateSource::Mutant(Mutation::ALL.into_iter().find(|x| format!("{x:?}") == m)?)
            }
        })
    }
}

/// The loaded input and its reference.
#[derive(Debug)]
pub struct World {
    /// the input
    pub program: Program,
    /// the reference of every instruction it can run
    pub reference: Reference,
}

impl World {
    /// Loads the default input (env `CASES2RS_CPYTHON`, `../shared/cpython/3.14.7`, else the
    /// embedded demo) with the default binding table.
    pub fn load() -> Result<World, LoadError> {
        let bindings = subset::Bindings::load(&subset::Bindings::default_path())?;
        let program = Program::load_default()?;
        let reference = Reference::build(&program, &bindings);
        Ok(World { program, reference })
    }

    /// The generator layout of an instruction.
    pub fn layout(&self, name: &str) -> Option<Layout> {
        self.program
            .analysis
            .instruction(name)
            .map(|i| Layout::of(&self.program.analysis, i))
    }

    /// Targets for `names` (all referenced instructions when empty) from one source; the
    /// second list holds names that have no target, with the reason.
    pub fn targets(
        &self,
        names: &[String],
        source: CandidateSource,
    ) -> (Vec<Target>, Vec<(String, String)>) {
        let all: Vec<String> = if names.is_empty() {
            match source {
                CandidateSource::Manual => manual::names().iter().map(|s| s.to_string()).collect(),
                CandidateSource::Generated => {
                    generated::names().iter().map(|s| s.to_string()).collect()
                }
                _ => self.reference.instructions.keys().cloned().collect(),
            }
        } else {
            names.to_vec()
        };
        let mut out = Vec::new();
        let mut missing = Vec::new();
        for n in all {
            let Some(r) = self.reference.get(&n) else {
                let why = match self.reference.unavailable.get(&n) {
                    Some(e) => e.to_string(),
                    None => "no such instruction".to_string(),
                };
                missing.push((n, why));
                continue;
            };
            let Some(layout) = self.layout(&n) else {
                missing.push((n, "no analysis".into()));
                continue;
            };
            let (candidate, kind): (Arc<dyn Body>, String) = match source {
                CandidateSource::Reference => (r.clone(), "reference".into()),
                CandidateSource::Generated => match generated::body(&n) {
                    Some(b) => (b, "generated".into()),
                    None => {
                        missing.push((n, "not generated".into()));
                        continue;
                    }
                },
                CandidateSource::Mutant(m) => match r.mutated(m) {
                    Some(x) => (Arc::new(x), format!("mutant {m:?}")),
                    None => {
                        missing.push((n, format!("nothing to mutate ({m:?})")));
                        continue;
                    }
                },
                CandidateSource::Manual if self.program.minor != manual::CPYTHON_MINOR => {
                    missing.push((
                        n,
                        format!(
                            "the manual bodies are written for CPython 3.{} (the input is 3.{})",
                            manual::CPYTHON_MINOR,
                            self.program.minor
                        ),
                    ));
                    continue;
                }
                CandidateSource::Manual => match manual::body(&n) {
                    Some(b) => (b, "manual".into()),
                    None => {
                        missing.push((n, "no manual body".into()));
                        continue;
                    }
                },
            };
            out.push(Target {
                name: n,
                kind,
                candidate,
                reference: r.clone(),
                layout,
            });
        }
        (out, missing)
    }

    /// `true` for a specialized family member (its success path must be reached).
    pub fn is_specialized(&self, name: &str) -> bool {
        self.program
            .analysis
            .instruction(name)
            .and_then(|i| i.family.as_deref())
            .is_some_and(|f| f != name)
    }
}
