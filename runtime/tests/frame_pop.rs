//! `_PyEval_FrameClearAndPop` and the frame globals, against ceval.c's `clear_thread_frame`:
//! locals and stack released top first, `f_locals`/`f_funcobj`/`f_executable` cleared, the data
//! stack given back; a frame still current or owned by a generator is a violation.

use runtime::heap::Violation;
use runtime::{FrameId, Obj, StackRef, TState, Vm};

/// A caller and a callee frame; the callee has two locals, one stack item and `f_locals`.
/// Returns (vm, caller, callee, [local0, local1, item, f_locals]) with one extra reference to each
/// object held by the test.
fn two_frames() -> (Vm, FrameId, FrameId, [Obj; 4]) {
    let mut vm = Vm::new();
    let code_a = vm.simple_code(vec![0; 4], Vec::new(), &[], 0, 2);
    let caller = vm.push_frame(code_a, Obj::NULL, Obj::NULL, Obj::NULL);
    let code_b = vm.simple_code(vec![0; 4], Vec::new(), &[], 2, 2);
    let callee = vm.push_frame(code_b, Obj::NULL, Obj::NULL, Obj::NULL);
    let objs = [
        vm.new_int(1_000),
        vm.new_int(2_000),
        vm.new_int(3_000),
        vm.new_dict(),
    ];
    for o in objs {
        vm.heap.incref(o);
    }
    vm.set_local_raw(0, StackRef::owned(objs[0]));
    vm.set_local_raw(1, StackRef::owned(objs[1]));
    vm.push(StackRef::owned(objs[2]));
    vm.cur().locals = objs[3];
    vm.roots = vec![code_a, code_b];
    (vm, caller, callee, objs)
}

fn rc(vm: &Vm, o: Obj) -> i64 {
    vm.heap.slot(o).expect("object").rc
}

#[test]
fn clearing_the_unlinked_frame_releases_everything_it_owns() {
    let (mut vm, caller, callee, objs) = two_frames();
    let code_b = vm.frames[callee.0 as usize].code;
    let code_rc = rc(&vm, code_b);
    let space = vm.ts.stack_space;
    // frame = tstate->current_frame = dying->previous
    vm.set_frame_global(caller);
    assert_eq!(vm.ts_current_frame(TState), caller);
    vm.eval_frame_clear_and_pop(TState, callee);
    for o in objs {
        assert_eq!(rc(&vm, o), 1, "only the test's reference is left");
    }
    assert_eq!(rc(&vm, code_b), code_rc - 1, "f_executable released");
    let f = &vm.frames[callee.0 as usize];
    assert_eq!(f.stack_pointer, 0, "stackpointer = localsplus");
    assert!(f.locals.is_null() && f.code.is_null() && f.func.is_null());
    assert!(f.localsplus.iter().all(|r| r.is_null()));
    // co_framesize = nlocalsplus (2) + stacksize (2) + 10 words of header
    assert_eq!(vm.ts.stack_space, space + 14);
    assert!(vm.violations().is_empty(), "{:?}", vm.violations());
}

#[test]
fn clearing_the_current_or_a_generator_frame_is_a_violation() {
    let (mut vm, _, callee, objs) = two_frames();
    vm.eval_frame_clear_and_pop(TState, callee);
    assert!(vm.violations().contains(&Violation::Assertion(
        "_PyEval_FrameClearAndPop of the current frame"
    )));
    let (mut vm, caller, callee, _) = two_frames();
    vm.set_frame_global(caller);
    vm.frames[callee.0 as usize].owner = 1; // FRAME_OWNED_BY_GENERATOR
    vm.eval_frame_clear_and_pop(TState, callee);
    assert!(vm.violations().contains(&Violation::Assertion(
        "_PyEval_FrameClearAndPop of a generator frame"
    )));
    assert_eq!(rc(&vm, objs[0]), 2, "left untouched");
    vm.eval_frame_clear_and_pop(TState, FrameId::NULL);
    assert!(vm
        .violations()
        .contains(&Violation::NullDeref("_PyEval_FrameClearAndPop")));
}

#[test]
fn stack_level_and_opcode_are_the_running_frames() {
    let (mut vm, caller, _, _) = two_frames();
    assert_eq!(vm.stack_level(), 1);
    vm.set_frame_global(caller);
    assert_eq!(vm.stack_level(), 0);
    vm.set_opcode_global(0x5a);
    assert_eq!(vm.opcode_global(), 0x5a);
}
