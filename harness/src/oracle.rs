//! The oracle: run a candidate body (generated or manual) and the reference on identical copies
//! of a state and compare everything observable — outcome, stack, locals, cache code units,
//! exception state, refcounts and reachable heap — through the runtime's snapshot diff.
//!
//! Three-valued: agree, mismatch (with the diff), or skipped (with a reason that the caller
//! counts; a skip is never an agreement).

use std::fmt;

use runtime::snapshot::quick_equal;
use runtime::{Outcome, Snapshot, SnapshotDiff, Vm};

use crate::gen::State;
use crate::reference::{RefInstruction, Skip};

/// Something that executes one instruction under the execution contract.
pub trait Body: Send + Sync + fmt::Debug {
    /// Runs the instruction on `vm` (positioned at it, with its inputs on the stack).
    fn run(&self, vm: &mut Vm, oparg: u32) -> Result<Outcome, Skip>;
}

impl Body for RefInstruction {
    fn run(&self, vm: &mut Vm, oparg: u32) -> Result<Outcome, Skip> {
        RefInstruction::run(self, vm, oparg)
    }
}

/// A disagreement between candidate and reference.
#[derive(Debug, Clone)]
pub struct Mismatch {
    /// the candidate's outcome (`None`: it panicked)
    pub candidate: Option<Outcome>,
    /// the reference's outcome
    pub reference: Outcome,
    /// `<key>: <candidate> vs <reference>`, one line per difference
    pub diff: SnapshotDiff,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "candidate {:?} vs reference {:?}",
            self.candidate, self.reference
        )?;
        write!(f, "{}", self.diff)
    }
}

/// The oracle's answer for one state.
#[derive(Debug, Clone)]
pub enum Verdict {
    /// same snapshot; the (common) outcome
    Agree(Outcome),
    /// different snapshots
    Mismatch(Box<Mismatch>),
    /// one side could not run the state faithfully
    Skipped(String),
}

/// Runs both sides on identical copies of the state (the reference on a clone, the candidate
/// on the state itself) with the state's failure plan.
pub fn check(candidate: &dyn Body, reference: &dyn Body, mut state: State) -> Verdict {
    // Both copies descend from this point: the comparison then skips what neither wrote.
    state.vm.fork_point();
    let mut b = state.vm.clone();
    b.begin_run(state.faults);
    let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        reference.run(&mut b, state.oparg)
    }));
    let ob = match ran {
        Ok(Ok(o)) => o,
        Ok(Err(s)) => return Verdict::Skipped(format!("reference: {}", s.reason)),
        Err(_) => return Verdict::Skipped("reference panicked".into()),
    };
    let mut a = state.vm;
    a.begin_run(state.faults);
    let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        candidate.run(&mut a, state.oparg)
    }));
    let oa = match ran {
        Ok(Ok(o)) => o,
        Ok(Err(s)) => return Verdict::Skipped(format!("candidate: {}", s.reason)),
        Err(payload) => {
            let msg = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "(no message)".into());
            return Verdict::Mismatch(Box::new(Mismatch {
                candidate: None,
                reference: ob,
                diff: SnapshotDiff {
                    lines: vec![format!("candidate panicked: {msg}")],
                },
            }));
        }
    };
    if quick_equal(&a, Some(oa), &b, Some(ob)) {
        return Verdict::Agree(ob);
    }
    let diff = Snapshot::take(&a, Some(oa)).diff(&Snapshot::take(&b, Some(ob)));
    if diff.is_empty() {
        Verdict::Agree(ob)
    } else {
        Verdict::Mismatch(Box::new(Mismatch {
            candidate: Some(oa),
            reference: ob,
            diff,
        }))
    }
}

/// Outcome classes for the coverage table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OutcomeClass {
    Continue,
    Deopt,
    Exit,
    Error,
    Jump,
}

impl OutcomeClass {
    /// The class of an outcome.
    pub fn of(o: Outcome) -> OutcomeClass {
        match o {
            Outcome::Continue => OutcomeClass::Continue,
            Outcome::Deopt => OutcomeClass::Deopt,
            Outcome::SideExit => OutcomeClass::Exit,
            Outcome::Error { .. } => OutcomeClass::Error,
            Outcome::Dispatch | Outcome::DispatchOpcode { .. } | Outcome::Label { .. } => {
                OutcomeClass::Jump
            }
        }
    }

    /// All classes, in table order.
    pub const ALL: [OutcomeClass; 5] = [
        OutcomeClass::Continue,
        OutcomeClass::Deopt,
        OutcomeClass::Exit,
        OutcomeClass::Error,
        OutcomeClass::Jump,
    ];

    /// Column name.
    pub fn name(self) -> &'static str {
        match self {
            OutcomeClass::Continue => "continue",
            OutcomeClass::Deopt => "deopt",
            OutcomeClass::Exit => "exit",
            OutcomeClass::Error => "error",
            OutcomeClass::Jump => "jump",
        }
    }
}
