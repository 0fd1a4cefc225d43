//! C semantics of the reference interpreter, against hand-computed values.
//!
//! Each case is a tiny instruction whose body ends in `DEOPT_IF(<condition>)`: the outcome is
//! `Deopt` exactly when the condition holds, so every case is checked in both directions (the
//! expected value holds, a near miss does not).

use runtime::{Obj, Outcome, StackRef, Vm};
use subset::Bindings;
use translator::analysis::Version;
use translator::dsl::SourceFile;

use super::{Reference, Skip};
use crate::program::Program;

fn bindings() -> Bindings {
    Bindings::load(&Bindings::default_path()).expect("default binding table loads")
}

/// Builds the reference for a snippet DSL file.
fn reference(dsl: &str) -> Reference {
    reference_for(dsl, Version::V3_14)
}

/// [`reference`] for another CPython version's DSL.
fn reference_for(dsl: &str, version: Version) -> Reference {
    let src = SourceFile::new("snippet.c", dsl);
    let b = bindings();
    let p = Program::from_source(&src, "snippet", &b, Some(version)).expect("snippet loads");
    let r = Reference::build(&p, &b);
    assert!(
        r.unavailable.is_empty(),
        "snippet not runnable: {:?}",
        r.unavailable
    );
    r
}

/// A VM with a frame whose stack holds `stack` (bottom first), at code unit 0.
fn vm_with(stack: &[StackRef]) -> Vm {
    let mut vm = Vm::new();
    let code = vm.simple_code(vec![0; 8], Vec::new(), &[], 0, 8);
    vm.push_frame(code, Obj::NULL, Obj::NULL, Obj::NULL);
    for r in stack {
        vm.push(*r);
    }
    vm.begin_run(runtime::FaultPlan::default());
    vm
}

fn run_body(body: &str, oparg: u32) -> Result<Outcome, Skip> {
    run_on(
        &format!("inst(TEST_OP, (--)) {{ {body} }}"),
        "TEST_OP",
        &[],
        oparg,
    )
    .map(|(o, _)| o)
}

fn run_on(dsl: &str, name: &str, stack: &[StackRef], oparg: u32) -> Result<(Outcome, Vm), Skip> {
    let r = reference(dsl);
    let inst = r.get(name).expect("instruction compiled");
    let mut vm = vm_with(stack);
    let o = inst.run(&mut vm, oparg)?;
    Ok((o, vm))
}

/// `true` if `cond` holds after `decls`.
fn holds(decls: &str, cond: &str) -> bool {
    match run_body(&format!("{decls} DEOPT_IF({cond});"), 0) {
        Ok(Outcome::Deopt) => true,
        Ok(Outcome::Continue) => false,
        other => panic!("`{decls} {cond}`: unexpected {other:?}"),
    }
}

fn skipped(decls: &str, expr: &str) -> Skip {
    match run_body(&format!("{decls} DEOPT_IF({expr});"), 0) {
        Err(s) => s,
        other => panic!("`{decls} {expr}` should be skipped, got {other:?}"),
    }
}

#[test]
fn uint16_subtraction_promotes_to_int() {
    let d = "uint16_t a = 1; uint16_t b = 2;";
    assert!(holds(d, "a - b == -1"));
    assert!(!holds(d, "a - b == 65535"));
    assert!(holds(d, "(uint16_t)(a - b) == 65535"));
    assert!(holds(d, "a - b < 0"));
}

#[test]
fn uint32_right_shift_is_logical_int_is_arithmetic() {
    let d = "uint32_t x = 0x80000000u; int y = -32;";
    assert!(holds(d, "(x >> 4) == 0x08000000"));
    assert!(!holds(d, "(x >> 4) == 0xf8000000u"));
    assert!(holds(d, "(y >> 4) == -2"));
}

#[test]
fn minus_one_against_unsigned_compares_as_unsigned() {
    assert!(!holds("unsigned int u = 1;", "-1 < u"));
    assert!(holds("unsigned int u = 1;", "-1 > u"));
    // uint16_t promotes to int: the comparison is signed.
    assert!(holds("uint16_t w = 1;", "-1 < w"));
    assert!(holds("uint32_t z = 0;", "z - 1 == 4294967295u"));
    assert!(holds("size_t s = 0;", "s - 1 == 18446744073709551615u"));
}

#[test]
fn conditional_on_low_bit_and_nested_ternary() {
    assert!(holds("int x = 3; int r = (x & 1) ? 10 : 20;", "r == 10"));
    assert!(holds("int x = 4; int r = (x & 1) ? 10 : 20;", "r == 20"));
    let nested = "int r = x < 3 ? 1 : x < 6 ? 2 : 3;";
    assert!(holds(&format!("int x = 5; {nested}"), "r == 2"));
    assert!(holds(&format!("int x = 1; {nested}"), "r == 1"));
    assert!(holds(&format!("int x = 9; {nested}"), "r == 3"));
    assert!(!holds(&format!("int x = 9; {nested}"), "r == 2"));
}

#[test]
fn short_circuit_skips_side_effects() {
    let d = "int i = 0; int r = (i++ > 0) && (i++ > 0);";
    assert!(holds(d, "i == 1 && r == 0"));
    let d = "int i = 0; int r = (i++ == 0) || (i++ == 0);";
    assert!(holds(d, "i == 1 && r == 1"));
    let d = "int i = 1; int r = (i++ == 1) && (i++ == 2);";
    assert!(holds(d, "i == 3 && r == 1"));
}

#[test]
fn truncating_casts() {
    assert!(holds("int x = 300;", "(uint8_t)x == 44"));
    assert!(holds("int x = 200;", "(int8_t)x == -56"));
    assert!(holds("int x = -1;", "(uint16_t)x == 65535"));
    assert!(holds("long x = 4294967297;", "(int)x == 1"));
    assert!(holds("int x = 256;", "(bool)x == 1"));
    assert!(!holds("int x = 256;", "(uint8_t)x == 1"));
}

#[test]
fn assignment_increment_and_compound_assignment_are_expressions() {
    assert!(holds("int a; int b; a = b = 3;", "a == 3 && b == 3"));
    assert!(holds("int i = 5; int j = i--;", "j == 5 && i == 4"));
    assert!(holds("int i = 5; int j = --i;", "j == 4 && i == 4"));
    assert!(holds("uint8_t c = 250; c += 10;", "c == 4"));
    assert!(holds("uint16_t h = 0; h--;", "h == 65535"));
    assert!(holds("int q = -7;", "q / 2 == -3 && q % 2 == -1"));
}

#[test]
fn undefined_behaviour_is_skipped_not_guessed() {
    let s = skipped("uint32_t x = 1; int n = 32;", "(x << n) == 0");
    assert_eq!(s.reason, "shift count out of range (UB)");
    let s = skipped("int x = 1; int n = -1;", "(x >> n) == 0");
    assert_eq!(s.reason, "shift count out of range (UB)");
    let s = skipped("int x = 2147483647;", "x + 1 < 0");
    assert_eq!(s.reason, "signed overflow (UB)");
    let s = skipped("int x = 1; int z = 0;", "x / z == 0");
    assert_eq!(s.reason, "division by zero (UB)");
    let s = skipped("int x = -1;", "(x << 1) == -2");
    assert_eq!(s.reason, "left shift of a negative value (UB)");
    let s = skipped("int u;", "u == 0");
    assert_eq!(s.reason, "read of an uninitialized variable");
    // Unsigned wraparound is defined.
    assert!(holds("uint32_t x = 0xffffffffu;", "x + 1 == 0"));
    assert!(holds(
        "uint32_t x = 1; int n = 31;",
        "(x << n) == 0x80000000u"
    ));
}

#[test]
fn oparg_is_an_int() {
    assert_eq!(run_body("DEOPT_IF(oparg == 7);", 7), Ok(Outcome::Deopt));
    assert_eq!(run_body("DEOPT_IF(oparg == 7);", 6), Ok(Outcome::Continue));
}

#[test]
fn post_increment_inside_an_index_reads_the_old_slot() {
    let dsl = "inst(TEST_OP, (values[3] --)) { int i = 1; DEOPT_IF(PyStackRef_IsNone(values[i++]) && i == 2 && PyStackRef_IsTrue(values[i])); }";
    let stack = [StackRef::NULL, StackRef::NONE, StackRef::TRUE];
    let (o, vm) = run_on(dsl, "TEST_OP", &stack, 0).unwrap();
    assert_eq!(o, Outcome::Deopt);
    assert_eq!(vm.frames[0].stack_len(), 3, "a deopt leaves the inputs");
    let dsl =
        "inst(TEST_OP, (values[3] --)) { int i = 1; DEOPT_IF(PyStackRef_IsNone(values[++i])); }";
    let (o, vm) = run_on(dsl, "TEST_OP", &stack, 0).unwrap();
    assert_eq!(o, Outcome::Continue);
    assert_eq!(vm.frames[0].stack_len(), 0, "inputs popped at the end");
}

#[test]
fn stack_discipline_outputs_error_if_and_macros() {
    let dsl = "inst(TEST_OP, (a -- res, b)) { res = a; b = PyStackRef_None; }";
    let (o, vm) = run_on(dsl, "TEST_OP", &[StackRef::TRUE], 0).unwrap();
    assert_eq!(o, Outcome::Continue);
    assert_eq!(vm.frames[0].stack(), &[StackRef::TRUE, StackRef::NONE]);

    let dsl = "inst(TEST_OP, (a, b -- c)) { ERROR_IF(oparg); c = a; }";
    let (o, vm) = run_on(dsl, "TEST_OP", &[StackRef::TRUE, StackRef::NONE], 1).unwrap();
    assert_eq!(o, Outcome::Error { label: "error" });
    assert_eq!(vm.frames[0].stack_len(), 0, "ERROR_IF pops the inputs");
    let (o, vm) = run_on(dsl, "TEST_OP", &[StackRef::TRUE, StackRef::NONE], 0).unwrap();
    assert_eq!(o, Outcome::Continue);
    assert_eq!(vm.frames[0].stack(), &[StackRef::TRUE]);

    // Deopt in the second op: the first op's effect stays, the second's inputs are intact.
    let dsl = "op(_A, (x -- x, y)) { y = PyStackRef_None; }\n\
               op(_B, (p, q -- r)) { DEOPT_IF(oparg); r = p; }\n\
               macro(M) = _A + _B;";
    let (o, vm) = run_on(dsl, "M", &[StackRef::TRUE], 1).unwrap();
    assert_eq!(o, Outcome::Deopt);
    assert_eq!(vm.frames[0].stack(), &[StackRef::TRUE, StackRef::NONE]);
    let (o, vm) = run_on(dsl, "M", &[StackRef::TRUE], 0).unwrap();
    assert_eq!(o, Outcome::Continue);
    assert_eq!(vm.frames[0].stack(), &[StackRef::TRUE]);
}

#[test]
fn conditional_items_and_array_sizes_follow_oparg() {
    let dsl = "inst(TEST_OP, (a, extra if (oparg & 1) -- res)) { res = PyStackRef_IsNull(extra) ? PyStackRef_False : PyStackRef_True; }";
    let (_, vm) = run_on(dsl, "TEST_OP", &[StackRef::NONE, StackRef::NONE], 1).unwrap();
    assert_eq!(vm.frames[0].stack(), &[StackRef::TRUE]);
    let (_, vm) = run_on(dsl, "TEST_OP", &[StackRef::NONE, StackRef::NONE], 0).unwrap();
    assert_eq!(vm.frames[0].stack(), &[StackRef::NONE, StackRef::FALSE]);
}

#[test]
fn free_threading_atomics_and_header_constants() {
    let d = "uint8_t x = 0; FT_ATOMIC_STORE_UINT8_RELAXED(x, 259);";
    assert!(holds(d, "FT_ATOMIC_LOAD_UINT8(x) == 3"));
    assert!(!holds(d, "FT_ATOMIC_LOAD_UINT8(x) == 259"));
    // `FT_ATOMIC_STORE_PTR_RELEASE(dst, v)` is `dst = v` in the default build
    let d = "PyObject *p = NULL; FT_ATOMIC_STORE_PTR_RELEASE(p, Py_None);";
    assert!(holds(d, "p == Py_None"));
    assert!(!holds(d, "p == NULL"));
    assert!(holds(
        "int m = COMPARISON_NOT_EQUALS + 1;",
        "m == COMPARISON_EQUALS"
    ));
}

/// Runs `dsl`'s `name` at code unit 0 of `units`, with an empty stack.
fn run_in_code(dsl: &str, name: &str, units: Vec<u16>, oparg: u32) -> (Outcome, Vm) {
    let r = reference(dsl);
    let inst = r.get(name).expect("instruction compiled");
    let mut vm = Vm::new();
    let code = vm.simple_code(units, Vec::new(), &[], 0, 4);
    vm.push_frame(code, Obj::NULL, Obj::NULL, Obj::NULL);
    vm.begin_run(runtime::FaultPlan::default());
    let o = inst.run(&mut vm, oparg).expect("runs");
    (o, vm)
}

fn unit(vm: &mut Vm, i: i64) -> u16 {
    let p = vm.this_instr.offset(i);
    vm.read_u16(p)
}

#[test]
fn code_unit_pointers_index_the_code_and_jumps_move_next_instr() {
    // `this_instr + k`, `next_instr - 1`, `next_instr - this_instr` on a 2-unit instruction
    // (one cache entry): next_instr starts at index 2.
    let dsl = "inst(TEST_OP, (counter/1 --)) {\n\
               DEOPT_IF(next_instr - this_instr != 2);\n\
               DEOPT_IF((next_instr - 1)->cache != 0x1234);\n\
               DEOPT_IF((this_instr + 3)->op.code != 0x34 || this_instr[3].op.arg != 0x12);\n\
               JUMPBY(oparg);\n}";
    let (o, vm) = run_in_code(dsl, "TEST_OP", vec![0, 0x1234, 0, 0x1234, 0, 0], 3);
    assert_eq!(o, Outcome::Continue);
    assert_eq!(vm.next_instr.index, 2 + 3, "JUMPBY(3) from next_instr = 2");
    let (o, _) = run_in_code(dsl, "TEST_OP", vec![0, 0x1235, 0, 0x1234, 0, 0], 3);
    assert_eq!(
        o,
        Outcome::Deopt,
        "the cache cell read through next_instr - 1"
    );
}

#[test]
fn adaptive_counter_macros_follow_the_backoff_arithmetic() {
    // value_and_backoff = value << 4 | backoff (pycore_backoff.h).
    let dsl = "inst(TEST_OP, (counter/1 --)) {\n\
               if (ADAPTIVE_COUNTER_TRIGGERS(counter)) { DISPATCH_SAME_OPARG(); }\n\
               ADVANCE_ADAPTIVE_COUNTER(this_instr[1].counter);\n}";
    // value 1, backoff 2 (0x0012): does not trigger; advances to value 0 (0x0002).
    let (o, mut vm) = run_in_code(dsl, "TEST_OP", vec![0, 0x0012, 0], 0);
    assert_eq!(o, Outcome::Continue);
    assert_eq!(unit(&mut vm, 1), 0x0002);
    // value 0, backoff 2: triggers (0x0002 < UNREACHABLE_BACKOFF = 15), counter untouched.
    let (o, mut vm) = run_in_code(dsl, "TEST_OP", vec![0, 0x0002, 0], 0);
    assert_eq!(o, Outcome::Dispatch);
    assert_eq!(unit(&mut vm, 1), 0x0002);
    // value 0 with the unreachable backoff 15 (0x000f) does not trigger; advancing subtracts
    // 1 << 4 from the whole word: 0x000f - 0x0010 wraps to 0xffff.
    let (o, mut vm) = run_in_code(dsl, "TEST_OP", vec![0, 0x000f, 0], 0);
    assert_eq!(o, Outcome::Continue);
    assert_eq!(unit(&mut vm, 1), 0xffff);
    // PAUSE sets the lowest value bit: 0x0002 | 0x0010 = 0x0012.
    let dsl = "inst(TEST_OP, (counter/1 --)) { PAUSE_ADAPTIVE_COUNTER(this_instr[1].counter); }";
    let (_, mut vm) = run_in_code(dsl, "TEST_OP", vec![0, 0x0002, 0], 0);
    assert_eq!(unit(&mut vm, 1), 0x0012);
}

#[test]
fn record_branch_taken_shifts_into_sixteen_bits_and_pop_jump_targets() {
    // _POP_JUMP_IF_FALSE's shape: record the direction, then jump by oparg when taken, else
    // skip a NOT_TAKEN (opcode 28 in 3.14, written as the number: the snippet has no opcode
    // table) that follows.
    let dsl = "inst(TEST_OP, (unused/1, cond --)) {\n\
               int flag = PyStackRef_IsFalse(cond);\n\
               RECORD_BRANCH_TAKEN(this_instr[1].cache, flag);\n\
               JUMPBY(flag ? oparg : next_instr->op.code == 28);\n}";
    let r = reference(dsl);
    let inst = r.get("TEST_OP").expect("compiled");
    for (cond, cache, next_op, oparg, bits, target) in [
        // taken: 0x8001 << 1 | 1 truncated to 16 bits; next_instr 2 + oparg 7
        (StackRef::FALSE, 0x8001u16, 0u16, 7u32, 0x0003u16, 9i64),
        // not taken, a NOT_TAKEN follows: skip it
        (StackRef::TRUE, 0x0001, 28, 7, 0x0002, 3),
        // not taken, something else follows: stay
        (StackRef::TRUE, 0x0001, 1, 7, 0x0002, 2),
    ] {
        let mut vm = Vm::new();
        let code = vm.simple_code(vec![0, cache, next_op, 0], Vec::new(), &[], 0, 4);
        vm.push_frame(code, Obj::NULL, Obj::NULL, Obj::NULL);
        vm.push(cond);
        vm.begin_run(runtime::FaultPlan::default());
        let o = inst.run(&mut vm, oparg).expect("runs");
        assert_eq!(o, Outcome::Continue);
        assert_eq!(unit(&mut vm, 1), bits);
        assert_eq!(vm.next_instr.index, target);
    }
}

#[test]
fn instrumented_jumps_land_on_their_destination_without_tools() {
    // No monitoring tool is registered in the model: the event fires into nothing and the jump
    // goes to `dest` (forward from next_instr = 1 by oparg; `prev_instr` as a source is unused).
    let dsl = "inst(TEST_OP, (--)) {\n\
               INSTRUMENTED_JUMP(this_instr, next_instr + oparg, PY_MONITORING_EVENT_JUMP);\n}\n\
               inst(TEST_BACK, (--)) {\n\
               INSTRUMENTED_JUMP(prev_instr, next_instr - oparg, PY_MONITORING_EVENT_JUMP);\n}";
    let (o, vm) = run_in_code(dsl, "TEST_OP", vec![0; 8], 5);
    assert_eq!(o, Outcome::Continue);
    assert_eq!(vm.next_instr.index, 1 + 5);
    let (_, vm) = run_in_code(dsl, "TEST_BACK", vec![0; 8], 1);
    assert_eq!(vm.next_instr.index, 0);
}

/// `DECREF_INPUTS()` is what each version's generator writes (`generated_cases.c.h`): 3.14
/// closes `_PyStackRef`s with `PyStackRef_CLOSE`, 3.13 calls `Py_DECREF` on `PyObject *`s; both
/// release every input, arrays included, and leave `null`/peeked items alone.
#[test]
fn decref_inputs_follows_each_versions_generator() {
    let dsl = "inst(TEST_OP, (a, values[oparg] --)) { DECREF_INPUTS(); }";
    for (version, close) in [
        (Version::V3_14, "PyStackRef_CLOSE"),
        (Version::V3_13, "Py_DECREF"),
    ] {
        let r = reference_for(dsl, version);
        let inst = r.get("TEST_OP").expect("compiled");
        // three mortal objects owned only by the stack: all freed
        let mut vm = vm_with(&[]);
        let objs: Vec<Obj> = (0..3).map(|k| vm.new_int(1_000_000 + k)).collect();
        for &o in &objs {
            let s = vm.stackref_steal(o);
            vm.push(s);
        }
        assert_eq!(inst.run(&mut vm, 2), Ok(Outcome::Continue), "{version:?}");
        assert_eq!(vm.frames[0].stack_len(), 0, "{version:?}");
        for &o in &objs {
            assert!(!vm.heap.is_live(o), "{version:?}: {o:?} not freed");
        }
        assert!(
            vm.violations().is_empty(),
            "{version:?}: {:?}",
            vm.violations()
        );
        // a NULL input: the call the version's generator writes reports it
        let mut vm = vm_with(&[StackRef::NULL]);
        let _ = inst.run(&mut vm, 0);
        assert_eq!(
            vm.violations(),
            &[runtime::Violation::NullDeref(close)],
            "{version:?}"
        );
    }
}

#[test]
fn read_through_argument_reads_the_place_at_the_call() {
    // `_Py_atomic_load_uintptr_relaxed(&tstate->eval_breaker)`: the value of the field now.
    let dsl = "inst(TEST_OP, (--)) { uintptr_t b = _Py_atomic_load_uintptr_relaxed(&tstate->eval_breaker); DEOPT_IF(b == 0x1ff); }";
    let r = reference(dsl);
    let inst = r.get("TEST_OP").expect("instruction compiled");
    let mut vm = vm_with(&[]);
    vm.ts.eval_breaker = 0x1ff;
    assert_eq!(inst.run(&mut vm, 0), Ok(Outcome::Deopt));
    vm.ts.eval_breaker = 0x100;
    assert_eq!(inst.run(&mut vm, 0), Ok(Outcome::Continue));
    // A local's address: the value it holds when the call happens, masked like CPython's
    // `& _PY_EVAL_EVENTS_MASK` (255).
    assert!(holds(
        "uintptr_t x = 0x2ff; x = x + 1;",
        "(_Py_atomic_load_uintptr_relaxed(&x) & _PY_EVAL_EVENTS_MASK) == 0"
    ));
}

#[test]
fn save_stack_frame_switch_and_load_ip_return_to_the_caller() {
    // RETURN_VALUE's shape: the input leaves the dying frame at SAVE_STACK, the output lands on
    // the caller's stack, LOAD_IP resumes return_offset units after the caller's instr_ptr.
    let dsl = "inst(TEST_OP, (retval -- res)) {\n\
               _PyStackRef temp = retval;\n\
               DEAD(retval);\n\
               SAVE_STACK();\n\
               _PyInterpreterFrame *dying = frame;\n\
               frame = tstate->current_frame = dying->previous;\n\
               _PyEval_FrameClearAndPop(tstate, dying);\n\
               RELOAD_STACK();\n\
               LOAD_IP(frame->return_offset);\n\
               res = temp;\n}";
    let r = reference(dsl);
    let inst = r.get("TEST_OP").expect("instruction compiled");
    let mut vm = Vm::new();
    let caller_code = vm.simple_code(vec![0; 8], Vec::new(), &[], 0, 4);
    let caller = vm.push_frame(caller_code, Obj::NULL, Obj::NULL, Obj::NULL);
    vm.cur().instr_ptr = 1;
    vm.cur().return_offset = 4;
    let callee_code = vm.simple_code(vec![0; 8], Vec::new(), &[], 0, 4);
    let callee = vm.push_frame(callee_code, Obj::NULL, Obj::NULL, Obj::NULL);
    let v = vm.new_int(5_000);
    vm.push(StackRef::owned(v));
    vm.begin_run(runtime::FaultPlan::default());
    assert_eq!(inst.run(&mut vm, 0), Ok(Outcome::Continue));
    assert_eq!(vm.current, caller);
    assert_eq!(vm.next_instr.index, 1 + 4);
    assert_eq!(vm.cur().stack(), &[StackRef::owned(v)][..]);
    assert_eq!(vm.heap.slot(v).map(|s| s.rc), Some(1));
    assert_eq!(vm.frames[callee.0 as usize].stack_pointer, 0);
    assert!(vm.violations().is_empty(), "{:?}", vm.violations());
}

#[test]
fn dispatch_goto_runs_the_opcode_variable_with_the_oparg_as_left() {
    let dsl = "inst(TEST_OP, (--)) {\n\
               opcode = next_instr->op.code;\n\
               oparg = oparg << 8 | next_instr->op.arg;\n\
               PRE_DISPATCH_GOTO();\n\
               DISPATCH_GOTO();\n}";
    // this_instr at 0; the unit after it: opcode 0x2a, arg 0x07
    let (o, vm) = run_in_code(dsl, "TEST_OP", vec![0, 0x072a, 0], 3);
    assert_eq!(
        o,
        Outcome::DispatchOpcode {
            opcode: 0x2a,
            oparg: 0x0307
        }
    );
    assert_eq!(vm.opcode, 0x2a);
    assert_eq!(vm.next_instr.index, 1, "next_instr is not advanced");
}

const BUILD_STRING_LIKE: &str = "inst(TEST_OP, (pieces[oparg] -- str)) { STACKREFS_TO_PYOBJECTS(pieces, oparg, pieces_o); if (CONVERSION_FAILED(pieces_o)) { DECREF_INPUTS(); ERROR_IF(true); } PyObject *str_o = _PyUnicode_JoinArray(&_Py_STR(empty), pieces_o, oparg); STACKREFS_TO_PYOBJECTS_CLEANUP(pieces_o); DECREF_INPUTS(); ERROR_IF(str_o == NULL); str = PyStackRef_FromPyObjectSteal(str_o); }";

fn str_text(vm: &Vm, o: Obj) -> String {
    match vm.heap.data(o) {
        runtime::object::ObjData::Str(s) => s.to_string(),
        other => panic!("not a str: {other:?}"),
    }
}

#[test]
fn stackrefs_to_pyobjects_lends_the_slots_to_array_functions() {
    let r = reference(BUILD_STRING_LIKE);
    let inst = r.get("TEST_OP").expect("instruction compiled");
    let mut vm = vm_with(&[]);
    let (a, b) = (vm.new_str("ab"), vm.new_str("c"));
    // Each slot owns one reference; the test keeps another to look at afterwards.
    vm.heap.incref(a);
    vm.heap.incref(b);
    vm.push(StackRef::owned(a));
    vm.push(StackRef::owned(b));
    assert_eq!(inst.run(&mut vm, 2), Ok(Outcome::Continue));
    let top = vm.frames[0].stack()[0];
    assert_eq!(str_text(&vm, top.obj()), "abc");
    assert_eq!(vm.frames[0].stack_len(), 1);
    // The conversion borrowed: DECREF_INPUTS released exactly the slots' references.
    assert_eq!(vm.heap.slot(a).map(|s| s.rc), Some(1));
    assert_eq!(vm.heap.slot(b).map(|s| s.rc), Some(1));
    // A piece that is not a str: the join's TypeError, the inputs released all the same.
    let mut vm = vm_with(&[StackRef::NONE]);
    let e = inst.run(&mut vm, 1);
    assert!(matches!(e, Ok(Outcome::Error { .. })), "{e:?}");
}

#[test]
fn an_object_array_from_its_second_element_on() {
    // BUILD_MAP: keys at even, values at odd positions of the same converted array.
    let dsl = "inst(TEST_OP, (values[oparg*2] -- map)) { STACKREFS_TO_PYOBJECTS(values, oparg*2, values_o); PyObject *map_o = _PyDict_FromItems(values_o, 2, values_o+1, 2, oparg); STACKREFS_TO_PYOBJECTS_CLEANUP(values_o); DECREF_INPUTS(); ERROR_IF(map_o == NULL); map = PyStackRef_FromPyObjectStealMortal(map_o); }";
    let r = reference(dsl);
    let inst = r.get("TEST_OP").expect("instruction compiled");
    let mut vm = vm_with(&[]);
    let (k, v) = (vm.new_str("k"), vm.new_int(1000));
    vm.push(StackRef::owned(k));
    vm.push(StackRef::owned(v));
    assert_eq!(inst.run(&mut vm, 1), Ok(Outcome::Continue));
    let d = vm.frames[0].stack()[0].obj();
    match vm.heap.data(d) {
        runtime::object::ObjData::Dict(dd) => {
            let pairs: Vec<(Obj, Obj)> = dd.entries.iter().map(|e| (e.key, e.value)).collect();
            assert_eq!(pairs, vec![(k, v)]);
        }
        other => panic!("not a dict: {other:?}"),
    }
    // The dict's references replaced the stack's: one each.
    assert_eq!(vm.heap.slot(k).map(|s| s.rc), Some(1));
    assert_eq!(vm.heap.slot(v).map(|s| s.rc), Some(1));
    // oparg 0: `values_o + 1` of an empty conversion is still inside CPython's scratch array.
    let mut vm = vm_with(&[]);
    assert_eq!(inst.run(&mut vm, 0), Ok(Outcome::Continue));
}

#[test]
fn resume_check_compares_the_eval_breaker_with_the_code_s_instrumentation_version() {
    // RESUME_CHECK's test: a new code object was never instrumented (version 0), so only an
    // eval breaker of 0 (no events, global version 0) lets it continue.
    let dsl = "inst(TEST_OP, (--)) { uintptr_t eval_breaker = _Py_atomic_load_uintptr_relaxed(&tstate->eval_breaker); uintptr_t version = FT_ATOMIC_LOAD_UINTPTR_ACQUIRE(_PyFrame_GetCode(frame)->_co_instrumentation_version); DEOPT_IF(eval_breaker != version); }";
    let r = reference(dsl);
    let inst = r.get("TEST_OP").expect("instruction compiled");
    let mut vm = vm_with(&[]);
    assert_eq!(inst.run(&mut vm, 0), Ok(Outcome::Continue));
    vm.ts.eval_breaker = 1;
    assert_eq!(inst.run(&mut vm, 0), Ok(Outcome::Deopt));
    vm.ts.eval_breaker = 1 << 8;
    assert_eq!(inst.run(&mut vm, 0), Ok(Outcome::Deopt));
}

/// `p->long_value.ob_digit[i]` (an array-typed field) is the registry getter of the base and
/// the index: 2^30 + 3 has digits [3, 1] in base 2^30.
#[test]
fn array_field_elements_are_read_by_index() {
    let dsl =
        "inst(TEST_OP, (sub_st -- sub_st)) { PyObject *sub = PyStackRef_AsPyObjectBorrow(sub_st); \
               Py_ssize_t lo = ((PyLongObject*)sub)->long_value.ob_digit[0]; \
               Py_ssize_t hi = ((PyLongObject*)sub)->long_value.ob_digit[oparg]; \
               DEOPT_IF(lo != 3 || hi != 1); }";
    let r = reference(dsl);
    let inst = r.get("TEST_OP").expect("instruction compiled");
    for (v, oparg, expected) in [
        ((1i64 << 30) + 3, 1, Outcome::Continue),
        ((1i64 << 30) + 4, 1, Outcome::Deopt),
        // digit 0 read twice: 3 != 1
        ((1i64 << 30) + 3, 0, Outcome::Deopt),
    ] {
        let mut vm = vm_with(&[]);
        let o = vm.new_int(v);
        let s = vm.stackref_steal(o);
        vm.push(s);
        assert_eq!(inst.run(&mut vm, oparg).unwrap(), expected, "{v} [{oparg}]");
        assert!(vm.violations().is_empty());
    }
}

/// `frame->localsplus[i] = v` is the array field's registry setter of the base, the index and
/// the value (a plain store), and `frame->localsplus[i]` its getter.
#[test]
fn array_field_elements_are_stored_by_index() {
    let dsl = "inst(TEST_OP, (--)) { frame->localsplus[oparg] = PyStackRef_None; \
               DEOPT_IF(!PyStackRef_IsNone(frame->localsplus[oparg])); }";
    let r = reference(dsl);
    let inst = r.get("TEST_OP").expect("instruction compiled");
    let mut vm = vm_with(&[]);
    assert_eq!(inst.run(&mut vm, 2).unwrap(), Outcome::Continue);
    assert_eq!(vm.frames[0].localsplus[2], StackRef::NONE);
    assert_eq!(vm.frames[0].localsplus[1], StackRef::NULL);
    assert!(vm.violations().is_empty());
    // past the frame's slots (no locals, 8 stack slots): a violation, not a write elsewhere
    let mut vm = vm_with(&[]);
    inst.run(&mut vm, 8).unwrap();
    assert!(!vm.violations().is_empty());
}

/// `top` of `unused[n], top[0]` passed as a written array (`out_array`): the registry entry
/// writes the op's output slots below it, first item highest, and the unused outputs keep them.
#[test]
fn a_written_array_fills_the_unused_outputs_below_top() {
    let dsl = "inst(TEST_OP, (seq -- unused[oparg], top[0])) { PyObject *seq_o = PyStackRef_AsPyObjectSteal(seq); int res = _PyEval_UnpackIterableStackRef(tstate, seq_o, oparg, -1, top); Py_DECREF(seq_o); ERROR_IF(res == 0); }";
    let r = reference(dsl);
    let inst = r.get("TEST_OP").expect("instruction compiled");
    let mut vm = vm_with(&[]);
    let (a, b, c) = (vm.new_str("a"), vm.new_str("b"), vm.new_str("c"));
    let t = vm.new_tuple(vec![a, b, c]);
    vm.push(StackRef::owned(t));
    assert_eq!(inst.run(&mut vm, 3), Ok(Outcome::Continue));
    assert_eq!(vm.frames[0].stack_len(), 3);
    let s = vm.frames[0].stack();
    // `a, b, c = t`: the stack holds c, b, a bottom first, so STORE_FAST pops a first.
    assert_eq!(
        [s[0], s[1], s[2]],
        [StackRef::owned(c), StackRef::owned(b), StackRef::owned(a)]
    );
    // Too few items: the error leaves nothing pushed.
    let mut vm = vm_with(&[]);
    let x = vm.new_str("x");
    let t = vm.new_tuple(vec![x]);
    vm.push(StackRef::owned(t));
    let e = inst.run(&mut vm, 2);
    assert!(matches!(e, Ok(Outcome::Error { .. })), "{e:?}");
    assert_eq!(vm.frames[0].stack_len(), 0);
    assert_eq!(
        vm.current_exception_text().map(|(_, m)| m),
        Some("not enough values to unpack (expected 2, got 1)".to_string())
    );
}
