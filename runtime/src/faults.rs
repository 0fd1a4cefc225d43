//! Deterministic fault injection: "the Nth fallible API call of this run fails".

use crate::handles::Obj;
use crate::well_known;

/// The failure plan of one run. Fallible API functions call [`crate::Vm::fallible`] once on entry;
/// the call whose 0-based index equals `fail_at` fails with `exc_type` instead of doing its work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FaultPlan {
    /// index of the fallible call that fails (`None`: nothing fails)
    pub fail_at: Option<u32>,
    /// the exception type raised by the failing call (default `MemoryError`)
    pub exc_type: Obj,
    /// fallible calls made so far in this run
    pub calls: u32,
    /// `true` once the planned failure happened
    pub fired: bool,
}

impl Default for FaultPlan {
    fn default() -> Self {
        FaultPlan {
            fail_at: None,
            exc_type: well_known::EXC_MEMORY_ERROR,
            calls: 0,
            fired: false,
        }
    }
}

impl FaultPlan {
    /// A plan where the `n`th (0-based) fallible call fails with `MemoryError`.
    pub fn fail_nth(n: u32) -> FaultPlan {
        FaultPlan {
            fail_at: Some(n),
            ..FaultPlan::default()
        }
    }

    /// Counts one fallible call; `true` if it must fail.
    pub fn tick(&mut self) -> bool {
        let n = self.calls;
        self.calls += 1;
        if self.fail_at == Some(n) {
            self.fired = true;
            true
        } else {
            false
        }
    }
}
