//! Hand-written Rust bodies (against `runtime`) for opcodes a VM author keeps manual (an
//! opt-out file: `OPCODE = "reason"`), checked by the same oracle as generated code.
//! `harness/manual.toml` lists them for `translate report`'s `manual` column; add a line there
//! with every new body (`tests/manual_list.rs` fails otherwise).
//!
//! The oracle can only check a manual body against the reference when the C body is inside the
//! subset. Written so far: the stack and local-variable opcodes every frame runs (`NOP`,
//! `POP_TOP`, `PUSH_NULL`, `LOAD_FAST`, `STORE_FAST`, `COPY`, `SWAP`), the constant load
//! (`LOAD_CONST`, which rewrites itself), the branches (`POP_JUMP_IF_FALSE/TRUE/NONE/NOT_NONE`:
//! branch history, jump, `NOT_TAKEN` skip) and the int comparison (`COMPARE_OP_INT`).
//!
//! Still to write (the opt-outs a working VM needs most, in order), each blocked because its C
//! body is outside the subset, so the reference cannot check a manual body yet (the missing
//! names, from `translate report --json`):
//! - `LOAD_SMALL_INT`: `&_PyLong_SMALL_INTS[...]` (address of an element of a static array);
//! - `BINARY_OP_SUBSCR_LIST_INT` / `_TUPLE_INT`, `STORE_SUBSCR_LIST_INT`:
//!   `PyLongObject.long_value` (`ob_digit[0]`);
//! - `LOAD_GLOBAL`: `*res` through an out-pointer in `_LOAD_GLOBAL`; `LOAD_GLOBAL_MODULE` /
//!   `_BUILTIN`: `DK_SIZE`, indexing `PyDictUnicodeEntry *`;
//! - `CALL_PY_EXACT_ARGS`: `PyInterpreterState.eval_frame` (a function pointer the table cannot
//!   type yet); `BUILD_LIST` / `BUILD_TUPLE` need no manual body: they are translated now;
//! - `BINARY_OP` (`_Py_Specialize_BinaryOp`, `LOCALS_ARRAY`, `_PyEval_BinaryOps`), `LOAD_ATTR`
//!   (`_Py_LoadAttr_StackRefSteal`), `CALL` (`_DO_CALL`: vectorcall, `DISPATCH_INLINED`),
//!   `FOR_ITER` (`tp_iternext`), `SEND`, `UNPACK_SEQUENCE` (`_PyEval_UnpackIterableStackRef`);
//! - `YIELD_VALUE` / `RETURN_GENERATOR`: generator objects (`_PyGen_GetGeneratorFromFrame`,
//!   `gi_frame_state`, `gi_exc_state`, `frame->instr_ptr++`). `RETURN_VALUE`, `EXTENDED_ARG` and
//!   `INSTRUMENTED_INSTRUCTION` need no manual body: they are translated now;

use std::sync::Arc;

use runtime::{Outcome, StackRef, Vm};

use crate::oracle::Body;
use crate::reference::Skip;

/// The CPython minor version these bodies are written for: a VM ports one version, and its
/// hand-written bodies use that version's opcode numbers and `_PyStackRef` calls. Other inputs
/// do not check them (each would be reported `not checked`, with this reason).
pub const CPYTHON_MINOR: u32 = 14;

/// A manual body: the instruction's size (for `next_instr`) and its Rust implementation.
#[derive(Debug, Clone, Copy)]
struct Manual {
    size: i64,
    f: fn(&mut Vm, u32) -> Result<Outcome, Skip>,
}

impl Body for Manual {
    fn run(&self, vm: &mut Vm, oparg: u32) -> Result<Outcome, Skip> {
        vm.next_instr = vm.this_instr.offset(self.size);
        (self.f)(vm, oparg)
    }
}

/// `stack_pointer[-k]`, as an absolute index into `localsplus`.
fn from_top(vm: &mut Vm, k: u32) -> Result<usize, Skip> {
    let f = vm.cur();
    if (k as usize) == 0 || (k as usize) > f.stack_len() {
        return Err(Skip::new("stack underflow", format!("[-{k}]")));
    }
    Ok(f.stack_pointer - k as usize)
}

fn nop(_vm: &mut Vm, _oparg: u32) -> Result<Outcome, Skip> {
    Ok(Outcome::Continue)
}

fn pop_top(vm: &mut Vm, _oparg: u32) -> Result<Outcome, Skip> {
    let v = vm.pop();
    vm.stackref_close(v);
    Ok(Outcome::Continue)
}

fn push_null(vm: &mut Vm, _oparg: u32) -> Result<Outcome, Skip> {
    vm.push(StackRef::NULL);
    Ok(Outcome::Continue)
}

fn load_fast(vm: &mut Vm, oparg: u32) -> Result<Outcome, Skip> {
    let v = vm.getlocal(oparg as i32);
    let d = vm.stackref_dup(v);
    vm.push(d);
    Ok(Outcome::Continue)
}

fn store_fast(vm: &mut Vm, oparg: u32) -> Result<Outcome, Skip> {
    let value = vm.pop();
    let old = vm.getlocal(oparg as i32);
    vm.setlocal_raw(oparg as i32, value);
    vm.stackref_xclose(old);
    Ok(Outcome::Continue)
}

fn copy(vm: &mut Vm, oparg: u32) -> Result<Outcome, Skip> {
    let at = from_top(vm, oparg)?;
    let bottom = vm.cur().localsplus[at];
    let top = vm.stackref_dup(bottom);
    vm.push(top);
    Ok(Outcome::Continue)
}

fn swap(vm: &mut Vm, oparg: u32) -> Result<Outcome, Skip> {
    let at = from_top(vm, oparg)?;
    let top = from_top(vm, 1)?;
    vm.cur().localsplus.swap(at, top);
    Ok(Outcome::Continue)
}

/// 3.14 opcode numbers (`Include/opcode_ids.h`) the bodies below test or write.
const NOT_TAKEN: u8 = 28;
const LOAD_CONST: u8 = 82;
const LOAD_CONST_IMMORTAL: u8 = 190;
const LOAD_CONST_MORTAL: u8 = 191;

/// `LOAD_CONST`: push the constant; the first execution rewrites the instruction in place to
/// the variant for the constant's immortality (`LOAD_CONST_IMMORTAL` / `_MORTAL`), keeping the
/// oparg byte.
fn load_const(vm: &mut Vm, oparg: u32) -> Result<Outcome, Skip> {
    let consts = vm.frame_co_consts();
    let obj = vm.getitem_macro(consts, oparg as i64);
    let value = vm.stackref_from_new(obj);
    vm.push(value);
    let here = vm.this_instr;
    if vm.code_unit_opcode(here) == LOAD_CONST {
        let variant = if vm.py_is_immortal(obj) != 0 {
            LOAD_CONST_IMMORTAL
        } else {
            LOAD_CONST_MORTAL
        };
        vm.code_unit_set_opcode(here, variant);
    }
    Ok(Outcome::Continue)
}

/// The common tail of the `POP_JUMP_IF_*` family: shift the direction into the 16-bit branch
/// history in the cache entry, then jump by `oparg` when taken; a branch that falls through
/// steps over a `NOT_TAKEN` that follows it.
fn branch(vm: &mut Vm, oparg: u32, taken: bool) -> Result<Outcome, Skip> {
    let history = vm.this_instr.offset(1);
    let bits = vm.code_unit_cache(history);
    vm.code_unit_set_cache(history, (bits << 1) | taken as u16);
    let by = if taken {
        oparg as i64
    } else {
        let next = vm.next_instr;
        (vm.code_unit_opcode(next) == NOT_TAKEN) as i64
    };
    vm.next_instr = vm.next_instr.offset(by);
    Ok(Outcome::Continue)
}

/// `cond` is a bool (the compiler guarantees it), immortal: popped without a decref.
fn pop_jump_if_false(vm: &mut Vm, oparg: u32) -> Result<Outcome, Skip> {
    let cond = vm.pop();
    let taken = vm.stackref_is_false(cond);
    branch(vm, oparg, taken)
}

fn pop_jump_if_true(vm: &mut Vm, oparg: u32) -> Result<Outcome, Skip> {
    let cond = vm.pop();
    let taken = vm.stackref_is_true(cond);
    branch(vm, oparg, taken)
}

/// `None` is immortal; any other value is released.
fn pop_none_test(vm: &mut Vm) -> bool {
    let value = vm.pop();
    let none = vm.stackref_is_none(value);
    if !none {
        vm.stackref_close(value);
    }
    none
}

fn pop_jump_if_none(vm: &mut Vm, oparg: u32) -> Result<Outcome, Skip> {
    let none = pop_none_test(vm);
    branch(vm, oparg, none)
}

fn pop_jump_if_not_none(vm: &mut Vm, oparg: u32) -> Result<Outcome, Skip> {
    let none = pop_none_test(vm);
    branch(vm, oparg, !none)
}

/// `COMPARE_OP_INT`: both operands exact ints (else a side exit, top of stack checked first)
/// and compact (else deopt); the low four bits of `oparg` select the outcomes that are true
/// (2 less, 4 greater, 8 equal).
fn compare_op_int(vm: &mut Vm, oparg: u32) -> Result<Outcome, Skip> {
    let right = vm.peek(0);
    let left = vm.peek(1);
    let (l, r) = (vm.stackref_as_borrow(left), vm.stackref_as_borrow(right));
    if vm.long_check_exact(r) == 0 || vm.long_check_exact(l) == 0 {
        return Ok(Outcome::SideExit);
    }
    if !vm.long_is_compact(l) || !vm.long_is_compact(r) {
        return Ok(Outcome::Deopt);
    }
    let (a, b) = (vm.long_compact_value(l), vm.long_compact_value(r));
    let bit = match a.cmp(&b) {
        std::cmp::Ordering::Less => 2,
        std::cmp::Ordering::Greater => 4,
        std::cmp::Ordering::Equal => 8,
    };
    vm.pop();
    vm.pop();
    vm.stackref_close_specialized(left, runtime::Destructor::LongExact);
    vm.stackref_close_specialized(right, runtime::Destructor::LongExact);
    vm.push(if bit & oparg != 0 {
        StackRef::TRUE
    } else {
        StackRef::FALSE
    });
    Ok(Outcome::Continue)
}

const BODIES: &[(&str, Manual)] = &[
    (
        "COMPARE_OP_INT",
        Manual {
            size: 2,
            f: compare_op_int,
        },
    ),
    ("COPY", Manual { size: 1, f: copy }),
    (
        "LOAD_CONST",
        Manual {
            size: 1,
            f: load_const,
        },
    ),
    (
        "LOAD_FAST",
        Manual {
            size: 1,
            f: load_fast,
        },
    ),
    ("NOP", Manual { size: 1, f: nop }),
    (
        "POP_TOP",
        Manual {
            size: 1,
            f: pop_top,
        },
    ),
    (
        "POP_JUMP_IF_FALSE",
        Manual {
            size: 2,
            f: pop_jump_if_false,
        },
    ),
    (
        "POP_JUMP_IF_NONE",
        Manual {
            size: 2,
            f: pop_jump_if_none,
        },
    ),
    (
        "POP_JUMP_IF_NOT_NONE",
        Manual {
            size: 2,
            f: pop_jump_if_not_none,
        },
    ),
    (
        "POP_JUMP_IF_TRUE",
        Manual {
            size: 2,
            f: pop_jump_if_true,
        },
    ),
    (
        "PUSH_NULL",
        Manual {
            size: 1,
            f: push_null,
        },
    ),
    (
        "STORE_FAST",
        Manual {
            size: 1,
            f: store_fast,
        },
    ),
    ("SWAP", Manual { size: 1, f: swap }),
];

/// Names of the opcodes with a manual body.
pub fn names() -> Vec<&'static str> {
    BODIES.iter().map(|(n, _)| *n).collect()
}

/// The manual body of an opcode.
pub fn body(name: &str) -> Option<Arc<dyn Body>> {
    BODIES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, m)| Arc::new(*m) as Arc<dyn Body>)
}
