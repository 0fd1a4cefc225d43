//! Hand-written Rust bodies (against `runtime`) for opcodes a VM author keeps manual (an
//! opt-out file: `OPCODE = "reason"`), checked by the same oracle as generated code.
//! `harness/manual.toml` lists them for `translate report`'s `manual` column; add a line there
//! with every new body (`tests/manual_list.rs` fails otherwise).
//!
//! The oracle can only check a manual body against the reference when the C body is inside the
//! subset. Written so far: the stack and local-variable opcodes every frame runs (`NOP`,
//! `POP_TOP`, `PUSH_NULL`, `LOAD_FAST`, `STORE_FAST`, `COPY`, `SWAP`).
//!
//! Still to write (the opt-outs a working VM needs most, in order) — their C bodies are outside
//! the subset today, so the reference must first learn their missing names (listed) before a
//! manual body can be checked: `LOAD_CONST` (`_Py_CODEUNIT.op.code=`), `LOAD_SMALL_INT`
//! (`_PyLong_SMALL_INTS`), `POP_JUMP_IF_FALSE/TRUE/NONE/NOT_NONE` (`RECORD_BRANCH_TAKEN`),
//! `RETURN_VALUE` (`STACK_LEVEL`, frame pop), `BUILD_LIST`/`BUILD_TUPLE`
//! (`_PyList_FromStackRefStealOnSuccess`), `COMPARE_OP_INT/FLOAT` (`COMPARISON_BIT`),
//! `LOAD_GLOBAL_MODULE/BUILTIN` (`FT_ATOMIC_LOAD_PTR_ACQUIRE`), `CALL_PY_EXACT_ARGS`
//! (`PyInterpreterState.eval_frame`), `BINARY_OP` / `COMPARE_OP` / `LOAD_ATTR` / `CALL` (the
//! adaptive `_SPECIALIZE_*` ops: `ADAPTIVE_COUNTER_TRIGGERS`).

use std::sync::Arc;

use runtime::{Outcome, StackRef, Vm};

use crate::oracle::Body;
use crate::reference::Skip;

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

const BODIES: &[(&str, Manual)] = &[
    ("COPY", Manual { size: 1, f: copy }),
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
