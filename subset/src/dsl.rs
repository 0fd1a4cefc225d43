//! The DSL's own macros: names the translator lowers itself instead of through the binding
//! table, with the argument shapes the checker enforces and the CPython versions that have them.

/// What one macro argument must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DslArg {
    /// A scalar condition, type-checked like an `if` condition.
    Cond,
    /// An integer expression, type-checked.
    Int,
    /// Any expression, type-checked.
    Expr,
    /// An assignable 16-bit cache cell the macro reads and writes back
    /// (`this_instr[1].counter`, `this_instr[1].cache`).
    Counter,
    /// One of the DSL labels (`error`, ...).
    Label,
    /// The name of one of the body's stack items.
    StackItem,
    /// An identifier the macro uses as a token (an instruction or statistic name); not resolved.
    Name,
    /// A stack array item (`pieces`) or a stack view (`arguments`): `_PyStackRef *` slots of
    /// the op's inputs.
    StackArray,
    /// A new identifier the macro declares as a local.
    NewLocal,
    /// A local declared by `STACKREFS_TO_PYOBJECTS`.
    ObjectArray,
}

/// Where the macro may appear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DslPosition {
    /// As a whole expression statement: `DEOPT_IF(x);`.
    Statement,
    /// As an integer-valued object-like name: `INSTRUCTION_SIZE`.
    Value,
}

/// One DSL macro.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DslMacro {
    pub name: &'static str,
    /// Required arguments, then `optional` more from `optional_args`.
    pub args: &'static [DslArg],
    pub optional_args: &'static [DslArg],
    pub position: DslPosition,
    /// First and last CPython 3.x minor version that has it (inclusive).
    pub since: u32,
    pub until: u32,
    pub meaning: &'static str,
}

const NONE: &[DslArg] = &[];
const LATEST: u32 = u32::MAX;

use DslArg::*;
use DslPosition::*;

/// Every DSL macro of CPython 3.12 to 3.15.
pub const DSL_MACROS: &[DslMacro] = &[
    DslMacro {
        name: "DEOPT_IF",
        args: &[Cond],
        optional_args: &[Name],
        position: Statement,
        since: 12,
        until: LATEST,
        meaning: "if the condition holds, deoptimize: re-execute the family's generic instruction (nothing consumed or produced)",
    },
    DslMacro {
        name: "EXIT_IF",
        args: &[Cond],
        optional_args: &[Name],
        position: Statement,
        since: 13,
        until: LATEST,
        meaning: "if the condition holds, take a side exit (tier 2) / deoptimize like DEOPT_IF (tier 1)",
    },
    DslMacro {
        name: "AT_END_EXIT_IF",
        args: &[Cond],
        optional_args: NONE,
        position: Statement,
        since: 15,
        until: LATEST,
        meaning: "like EXIT_IF, but the exit happens after the instruction's outputs are pushed",
    },
    DslMacro {
        name: "ERROR_IF",
        args: &[Cond],
        optional_args: &[Label],
        position: Statement,
        since: 12,
        until: LATEST,
        meaning: "if the condition holds, pop the inputs (already released) and jump to the error label (3.12/3.13 name it as second argument)",
    },
    DslMacro {
        name: "ERROR_NO_POP",
        args: NONE,
        optional_args: NONE,
        position: Statement,
        since: 13,
        until: LATEST,
        meaning: "jump to the error label without popping the inputs",
    },
    DslMacro {
        name: "DECREF_INPUTS",
        args: NONE,
        optional_args: NONE,
        position: Statement,
        since: 12,
        until: LATEST,
        meaning: "release every input stack item (skipping `unused`, peeked and `null` items)",
    },
    DslMacro {
        name: "DEAD",
        args: &[StackItem],
        optional_args: NONE,
        position: Statement,
        since: 14,
        until: LATEST,
        meaning: "mark an input stack item as consumed (its reference was moved elsewhere)",
    },
    DslMacro {
        name: "INPUTS_DEAD",
        args: NONE,
        optional_args: NONE,
        position: Statement,
        since: 14,
        until: LATEST,
        meaning: "mark every input stack item as consumed",
    },
    DslMacro {
        name: "HANDLE_PENDING_AND_DEOPT_IF",
        args: &[Cond],
        optional_args: NONE,
        position: Statement,
        since: 15,
        until: LATEST,
        meaning: "if the condition holds, handle pending calls/signals, then deoptimize",
    },
    DslMacro {
        name: "SYNC_SP",
        args: NONE,
        optional_args: NONE,
        position: Statement,
        since: 13,
        until: LATEST,
        meaning: "write the cached stack items back and make the stack pointer exact (before an escaping call)",
    },
    DslMacro {
        name: "SAVE_STACK",
        args: NONE,
        optional_args: NONE,
        position: Statement,
        since: 14,
        until: LATEST,
        meaning: "spill the stack to the frame so a call may inspect it",
    },
    DslMacro {
        name: "RELOAD_STACK",
        args: NONE,
        optional_args: NONE,
        position: Statement,
        since: 14,
        until: LATEST,
        meaning: "reload the stack pointer after SAVE_STACK",
    },
    DslMacro {
        name: "DISPATCH",
        args: NONE,
        optional_args: NONE,
        position: Statement,
        since: 12,
        until: LATEST,
        meaning: "finish the instruction now and go to the next one",
    },
    DslMacro {
        name: "DISPATCH_SAME_OPARG",
        args: NONE,
        optional_args: NONE,
        position: Statement,
        since: 12,
        until: LATEST,
        meaning: "re-dispatch the (rewritten) current instruction with the same oparg",
    },
    DslMacro {
        name: "DISPATCH_INLINED",
        args: &[Expr],
        optional_args: NONE,
        position: Statement,
        since: 12,
        until: LATEST,
        meaning: "push the given new frame and continue executing in it",
    },
    DslMacro {
        name: "DISPATCH_GOTO",
        args: NONE,
        optional_args: NONE,
        position: Statement,
        since: 12,
        until: LATEST,
        meaning: "run the handler of the `opcode` variable with the current oparg, `next_instr` as it is (no decoding)",
    },
    DslMacro {
        name: "LOAD_IP",
        args: &[Int],
        optional_args: NONE,
        position: Statement,
        since: 13,
        until: LATEST,
        meaning: "continue at the given offset from the running frame's `instr_ptr`: `next_instr = frame->instr_ptr + offset`",
    },
    DslMacro {
        name: "JUMPBY",
        args: &[Int],
        optional_args: NONE,
        position: Statement,
        since: 12,
        until: LATEST,
        meaning: "move the next-instruction pointer by the given number of code units",
    },
    DslMacro {
        name: "ADVANCE_ADAPTIVE_COUNTER",
        args: &[Counter],
        optional_args: NONE,
        position: Statement,
        since: 13,
        until: LATEST,
        meaning: "count the adaptive backoff counter down: `c = advance_backoff_counter(c)`",
    },
    DslMacro {
        name: "PAUSE_ADAPTIVE_COUNTER",
        args: &[Counter],
        optional_args: NONE,
        position: Statement,
        since: 13,
        until: LATEST,
        meaning: "keep the adaptive counter from triggering next time: `c = pause_backoff_counter(c)`",
    },
    DslMacro {
        name: "RECORD_BRANCH_TAKEN",
        args: &[Counter, Int],
        optional_args: NONE,
        position: Statement,
        since: 14,
        until: LATEST,
        meaning: "shift the branch direction into the 16-bit history cell: the cell shifted left by one, the flag in bit 0",
    },
    DslMacro {
        name: "GO_TO_INSTRUCTION",
        args: &[Name],
        optional_args: NONE,
        position: Statement,
        since: 12,
        until: 13,
        meaning: "continue with the body of the named instruction (removed in 3.14)",
    },
    DslMacro {
        name: "CHECK_EVAL_BREAKER",
        args: NONE,
        optional_args: NONE,
        position: Statement,
        since: 12,
        until: 13,
        meaning: "handle pending calls/signals (3.12/3.13; 3.14 moved this into the _CHECK_PERIODIC op)",
    },
    DslMacro {
        name: "STAT_INC",
        args: &[Name, Name],
        optional_args: NONE,
        position: Statement,
        since: 12,
        until: LATEST,
        meaning: "statistics counter (no effect outside Py_STATS builds)",
    },
    DslMacro {
        name: "OPCODE_DEFERRED_INC",
        args: &[Name],
        optional_args: NONE,
        position: Statement,
        since: 13,
        until: LATEST,
        meaning: "statistics counter for deferred specialization (no effect outside Py_STATS builds)",
    },
    DslMacro {
        name: "CALL_STAT_INC",
        args: &[Name],
        optional_args: NONE,
        position: Statement,
        since: 13,
        until: LATEST,
        meaning: "call statistics counter (no effect outside Py_STATS builds)",
    },
    DslMacro {
        name: "EVAL_CALL_STAT_INC_IF_FUNCTION",
        args: &[Name, Expr],
        optional_args: NONE,
        position: Statement,
        since: 13,
        until: LATEST,
        meaning: "call statistics counter (no effect outside Py_STATS builds; the argument is not evaluated)",
    },
    DslMacro {
        name: "OPT_HIST",
        args: &[Name, Name],
        optional_args: NONE,
        position: Statement,
        since: 14,
        until: LATEST,
        meaning: "optimizer statistics histogram (no effect outside Py_STATS builds)",
    },
    DslMacro {
        name: "LLTRACE_RESUME_FRAME",
        args: NONE,
        optional_args: NONE,
        position: Statement,
        since: 13,
        until: LATEST,
        meaning: "trace a frame switch (no effect outside Py_DEBUG builds)",
    },
    DslMacro {
        name: "PRE_DISPATCH_GOTO",
        args: NONE,
        optional_args: NONE,
        position: Statement,
        since: 12,
        until: LATEST,
        meaning: "trace the instruction about to be dispatched (no effect outside Py_DEBUG builds)",
    },
    DslMacro {
        name: "STACKREFS_TO_PYOBJECTS",
        args: &[StackArray, Int, NewLocal],
        optional_args: NONE,
        position: Statement,
        since: 14,
        until: LATEST,
        meaning: "declare the third argument, a `PyObject **`, as the first count stack references of the array borrowed as object pointers (`PyStackRef_AsPyObjectBorrow` of each, as ceval_macros.h's `_PyObjectArray_FromStackRefArray` converts)",
    },
    DslMacro {
        name: "STACKREFS_TO_PYOBJECTS_CLEANUP",
        args: &[ObjectArray],
        optional_args: NONE,
        position: Statement,
        since: 14,
        until: LATEST,
        meaning: "free the array STACKREFS_TO_PYOBJECTS converted (its objects stay borrowed: no reference count changes)",
    },
    DslMacro {
        name: "assert",
        args: &[Cond],
        optional_args: NONE,
        position: Statement,
        since: 12,
        until: LATEST,
        meaning: "debug-build assertion; the translation checks it (debug_assert!)",
    },
    DslMacro {
        name: "INSTRUCTION_SIZE",
        args: NONE,
        optional_args: NONE,
        position: Value,
        since: 14,
        until: LATEST,
        meaning: "the instruction's size in code units (1 + its cache entries), an int",
    },
];

impl DslMacro {
    /// The macro named `name` in the whole catalogue (any version).
    pub fn find(name: &str) -> Option<&'static DslMacro> {
        DSL_MACROS.iter().find(|m| m.name == name)
    }

    /// The macros CPython 3.`minor` has.
    pub fn for_version(minor: u32) -> Vec<&'static DslMacro> {
        DSL_MACROS
            .iter()
            .filter(|m| m.since <= minor && minor <= m.until)
            .collect()
    }

    pub fn accepts_arity(&self, n: usize) -> bool {
        n >= self.args.len() && n <= self.args.len() + self.optional_args.len()
    }

    /// Kind of argument `i`.
    pub fn arg(&self, i: usize) -> Option<DslArg> {
        self.args
            .get(i)
            .or_else(|| self.optional_args.get(i - self.args.len().min(i)))
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_select_the_right_macros() {
        let v13: Vec<_> = DslMacro::for_version(13).iter().map(|m| m.name).collect();
        let v14: Vec<_> = DslMacro::for_version(14).iter().map(|m| m.name).collect();
        assert!(v13.contains(&"GO_TO_INSTRUCTION") && !v14.contains(&"GO_TO_INSTRUCTION"));
        assert!(!v13.contains(&"DEAD") && v14.contains(&"DEAD"));
        assert!(v14.contains(&"ERROR_IF") && v14.contains(&"assert"));
        assert!(!v14.contains(&"AT_END_EXIT_IF"));
    }

    #[test]
    fn arity_and_argument_kinds() {
        let e = DslMacro::find("ERROR_IF").unwrap();
        assert!(
            e.accepts_arity(1) && e.accepts_arity(2) && !e.accepts_arity(0) && !e.accepts_arity(3)
        );
        assert_eq!(e.arg(0), Some(DslArg::Cond));
        assert_eq!(e.arg(1), Some(DslArg::Label));
        assert_eq!(e.arg(2), None);
        let s = DslMacro::find("STAT_INC").unwrap();
        assert_eq!(s.arg(1), Some(DslArg::Name));
        assert!(DslMacro::find("PyNumber_Add").is_none());
    }
}
