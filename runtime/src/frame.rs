//! `_PyInterpreterFrame` and the thread state.

use crate::handles::{FrameId, Obj};
use crate::stackref::StackRef;

/// `_PyInterpreterFrame`: what a body can see of the frame it runs in.
#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    /// `f_executable` (strong): the code object
    pub code: Obj,
    /// `f_funcobj` (strong; NULL if none)
    pub func: Obj,
    /// `f_globals` (borrowed)
    pub globals: Obj,
    /// `f_builtins` (borrowed)
    pub builtins: Obj,
    /// `f_locals` (strong; NULL for optimized frames)
    pub locals: Obj,
    /// `localsplus`: `nlocalsplus` locals, then the value stack
    pub localsplus: Vec<StackRef>,
    /// number of locals (`co_nlocalsplus`); the stack starts here
    pub nlocalsplus: usize,
    /// absolute index into `localsplus` of the first free stack slot
    pub stack_pointer: usize,
    /// `instr_ptr`, as a code-unit index
    pub instr_ptr: i64,
    /// `return_offset`
    pub return_offset: u16,
    /// `previous`
    pub previous: FrameId,
    /// `owner` (`FRAME_OWNED_BY_THREAD` = 0)
    pub owner: u8,
}

impl Frame {
    /// Current stack depth.
    pub fn stack_len(&self) -> usize {
        self.stack_pointer.saturating_sub(self.nlocalsplus)
    }

    /// The live stack, bottom first (empty if the frame's indices are inconsistent).
    pub fn stack(&self) -> &[StackRef] {
        self.localsplus
            .get(self.nlocalsplus..self.stack_pointer)
            .unwrap_or(&[])
    }

    /// The locals (`localsplus[..nlocalsplus]`, clipped to what exists).
    pub fn locals(&self) -> &[StackRef] {
        &self.localsplus[..self.nlocalsplus.min(self.localsplus.len())]
    }

    /// Locals and live stack (`localsplus[..stack_pointer]`, clipped to what exists).
    pub fn live(&self) -> &[StackRef] {
        &self.localsplus[..self.stack_pointer.min(self.localsplus.len())]
    }
}

/// `_PyErr_StackItem`: one level of `exc_info` (the exception being handled).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExcInfo {
    /// `exc_value` (strong, NULL or None when nothing is handled)
    pub exc_value: Obj,
}

/// `PyThreadState`: the fields bodies touch.
#[derive(Clone, Debug, PartialEq)]
pub struct ThreadState {
    /// `current_exception` (strong; NULL when no exception is set)
    pub current_exception: Obj,
    /// `exc_info` stack; the last item is the current one
    pub exc_info: Vec<ExcInfo>,
    /// `eval_breaker` (of the thread state in 3.14)
    pub eval_breaker: u64,
    /// `py_recursion_remaining`
    pub py_recursion_remaining: i32,
    /// `c_recursion_remaining`
    pub c_recursion_remaining: i32,
    /// free data-stack space, in words (`_PyThreadState_HasStackSpace`)
    pub stack_space: i64,
}

impl Default for ThreadState {
    fn default() -> Self {
        ThreadState {
            current_exception: Obj::NULL,
            exc_info: vec![ExcInfo {
                exc_value: Obj::NULL,
            }],
            eval_breaker: 0,
            py_recursion_remaining: 1000,
            c_recursion_remaining: 10000,
            stack_space: 1 << 16,
        }
    }
}
