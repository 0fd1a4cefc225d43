//! How one body (or one whole instruction) ended. Generated code and the reference interpreter
//! return the same type, so the harness compares them with `==`.

/// The result of running a body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Fell off the end of the body: outputs pushed, the stack effect applied.
    Continue,
    /// `DISPATCH()` / `DISPATCH_SAME_OPARG()` / `DISPATCH_INLINED()` / `GO_TO_INSTRUCTION`:
    /// continue with the instruction at `next_instr` (or the new frame).
    Dispatch,
    /// `DISPATCH_GOTO()`: continue with the handler of `opcode` (the interpreter's `opcode`
    /// variable, which the body may have set) and `oparg` at `next_instr`, without decoding the
    /// code unit there (`INSTRUMENTED_INSTRUCTION` runs the original instruction this way).
    DispatchOpcode {
        /// the handler dispatched to (C `uint8_t opcode`)
        opcode: u8,
        /// the `oparg` it runs with
        oparg: u32,
    },
    /// `DEOPT_IF` fired: re-execute as the generic (unspecialized) instruction.
    Deopt,
    /// `EXIT_IF` fired: leave the trace through a side exit.
    SideExit,
    /// An error exit (`ERROR_IF`, `ERROR_NO_POP`, `goto error`): the exception is set in the thread
    /// state; `label` is the label jumped to (`"error"`, `"pop_1_error"`, `"exception_unwind"`, ...).
    Error {
        /// target label
        label: &'static str,
    },
    /// A non-error jump to a label (`goto resume_frame`, `JUMP_TO_LABEL(...)`).
    Label {
        /// target label
        label: &'static str,
    },
}
