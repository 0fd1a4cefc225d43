//! Instructions that leave their frame or dispatch without decoding (`DISPATCH_GOTO`), on hand-built states, against values
//! computed from CPython's definitions (bytecodes.c, ceval_macros.h, ceval.c), for both the
//! generated body and the reference interpreter. Skipped without a CPython 3.14.7 checkout.

use harness::generated::GeneratedBody;
use harness::oracle::Body;
use harness::targets::World;
use runtime::{CodePtr, FaultPlan, FrameId, Obj, Outcome, StackRef, Vm};

fn world() -> Option<World> {
    if translator::input::test_checkout("3.14.7").is_none() {
        println!("skipped: no CPython 3.14.7 checkout");
        return None;
    }
    Some(World::load().expect("input loads"))
}

/// Both candidates of `name`: the generated body and the reference.
fn sides(w: &World, name: &str) -> Vec<(&'static str, Box<dyn Body>)> {
    let r = w
        .reference
        .get(name)
        .unwrap_or_else(|| panic!("{name} has a reference"))
        .clone();
    assert!(
        harness::generated::names().contains(&name),
        "{name} is generated"
    );
    vec![
        ("generated", Box::new(GeneratedBody::new(name))),
        ("reference", Box::new(RefBody(r))),
    ]
}

#[derive(Debug)]
struct RefBody(std::sync::Arc<harness::reference::RefInstruction>);

impl Body for RefBody {
    fn run(&self, vm: &mut Vm, oparg: u32) -> Result<Outcome, harness::reference::Skip> {
        self.0.run(vm, oparg)
    }
}

fn rc(vm: &Vm, o: Obj) -> i64 {
    vm.heap.slot(o).expect("live object").rc
}

struct Returning {
    vm: Vm,
    caller: FrameId,
    callee: FrameId,
    caller_code: Obj,
    below: Obj,
    local: Obj,
    retval: Obj,
}

/// A caller frame that called at code unit 5 (`return_offset` 4: a `CALL`) with one item on its
/// stack, and a callee at `RETURN_VALUE` with one local and the return value on its stack.
fn returning_state(opcode: u8) -> Returning {
    let mut vm = Vm::new();
    let caller_code = vm.simple_code(vec![0; 16], Vec::new(), &[], 0, 4);
    let caller = vm.push_frame(caller_code, Obj::NULL, Obj::NULL, Obj::NULL);
    vm.cur().instr_ptr = 5;
    vm.cur().return_offset = 4;
    let below = vm.new_int(123_456);
    vm.push(StackRef::owned(below));
    let mut units = vec![0u16; 8];
    units[2] = opcode as u16;
    let callee_code = vm.simple_code(units, Vec::new(), &[], 1, 4);
    let callee = vm.push_frame(callee_code, Obj::NULL, Obj::NULL, Obj::NULL);
    let local = vm.new_int(777_777);
    vm.heap.incref(local); // the test keeps a reference to see the frame's released
    vm.set_local_raw(0, StackRef::owned(local));
    let retval = vm.new_int(1_000_001);
    vm.push(StackRef::owned(retval));
    vm.roots = vec![caller_code, callee_code, local];
    vm.this_instr = CodePtr {
        code: callee_code,
        index: 2,
    };
    vm.next_instr = vm.this_instr.offset(1);
    vm.cur().instr_ptr = 2;
    vm.opcode = opcode;
    vm.begin_run(FaultPlan::default());
    Returning {
        vm,
        caller,
        callee,
        caller_code,
        below,
        local,
        retval,
    }
}

#[test]
fn return_value_resumes_the_caller_after_its_call_with_the_result_on_its_stack() {
    let Some(w) = world() else { return };
    let opcode = w
        .program
        .analysis
        .opmap
        .get("RETURN_VALUE")
        .copied()
        .expect("RETURN_VALUE has an opcode") as u8;
    for (side, body) in sides(&w, "RETURN_VALUE") {
        let mut s = returning_state(opcode);
        let recursion = s.vm.ts.py_recursion_remaining;
        let space = s.vm.ts.stack_space;
        let o = body.run(&mut s.vm, 0).expect("runs");
        assert_eq!(o, Outcome::Continue, "{side}");
        // frame = tstate->current_frame = dying->previous
        assert_eq!(s.vm.current, s.caller, "{side}: the caller runs again");
        // LOAD_IP(frame->return_offset): the caller's instr_ptr 5 + 4
        assert_eq!(
            (s.vm.next_instr.code, s.vm.next_instr.index),
            (s.caller_code, 9),
            "{side}: next_instr"
        );
        // res = temp: the owned reference moves to the caller's stack, on top of its item
        let stack: Vec<StackRef> = s.vm.cur().stack().to_vec();
        assert_eq!(stack.len(), 2, "{side}: caller stack {stack:?}");
        assert_eq!(stack[0].obj(), s.below, "{side}");
        assert_eq!(stack[1].obj(), s.retval, "{side}");
        assert!(stack[1].refcount_on_object(), "{side}: still an owned ref");
        assert_eq!(rc(&s.vm, s.retval), 1, "{side}: no reference taken or lost");
        assert_eq!(rc(&s.vm, s.below), 1, "{side}");
        // _PyEval_FrameClearAndPop: the local is released, the frame emptied
        assert_eq!(rc(&s.vm, s.local), 1, "{side}: the frame's local released");
        let dead = &s.vm.frames[s.callee.0 as usize];
        assert_eq!(dead.stack_pointer, 0, "{side}");
        assert!(dead.code.is_null() && dead.func.is_null(), "{side}");
        assert!(dead.localsplus.iter().all(|r| r.is_null()), "{side}");
        // _Py_LeaveRecursiveCallPy; _PyThreadState_PopFrame returns co_framesize (1 + 4 + 10)
        assert_eq!(s.vm.ts.py_recursion_remaining, recursion + 1, "{side}");
        assert_eq!(s.vm.ts.stack_space, space + 15, "{side}");
        assert!(
            s.vm.violations().is_empty(),
            "{side}: {:?}",
            s.vm.violations()
        );
    }
}

#[test]
fn instrumented_return_value_fires_no_event_and_returns() {
    let Some(w) = world() else { return };
    let opcode = w
        .program
        .analysis
        .opmap
        .get("INSTRUMENTED_RETURN_VALUE")
        .copied()
        .expect("opcode") as u8;
    for (side, body) in sides(&w, "INSTRUMENTED_RETURN_VALUE") {
        let mut s = returning_state(opcode);
        let o = body.run(&mut s.vm, 0).expect("runs");
        assert_eq!(o, Outcome::Continue, "{side}");
        assert_eq!(s.vm.current, s.caller, "{side}");
        assert_eq!(s.vm.next_instr.index, 9, "{side}");
        assert_eq!(s.vm.cur().stack().len(), 2, "{side}");
        assert_eq!(s.vm.cur().stack()[1].obj(), s.retval, "{side}");
    }
}

#[test]
fn extended_arg_dispatches_to_the_next_instruction_with_the_wider_oparg() {
    let Some(w) = world() else { return };
    let opmap = &w.program.analysis.opmap;
    let ext = *opmap.get("EXTENDED_ARG").expect("opcode") as u16;
    let next_op = *opmap.get("LOAD_CONST").expect("opcode") as u16;
    for (side, body) in sides(&w, "EXTENDED_ARG") {
        let mut vm = Vm::new();
        // EXTENDED_ARG 0x01; LOAD_CONST 0x34
        let units = vec![0, 0, ext | 0x01 << 8, next_op | 0x34 << 8, 0, 0];
        let code = vm.simple_code(units, Vec::new(), &[], 0, 4);
        vm.push_frame(code, Obj::NULL, Obj::NULL, Obj::NULL);
        vm.roots = vec![code];
        vm.this_instr = CodePtr { code, index: 2 };
        vm.next_instr = vm.this_instr.offset(1);
        vm.cur().instr_ptr = 2;
        vm.opcode = ext as u8;
        vm.begin_run(FaultPlan::default());
        let o = body.run(&mut vm, 0x01).expect("runs");
        // opcode = next_instr->op.code; oparg = oparg << 8 | next_instr->op.arg
        assert_eq!(
            o,
            Outcome::DispatchOpcode {
                opcode: next_op as u8,
                oparg: 0x0134
            },
            "{side}"
        );
        assert_eq!(vm.opcode, next_op as u8, "{side}: the opcode variable");
        // DISPATCH_GOTO does not decode: the handler runs at the next unit itself
        assert_eq!(vm.next_instr.index, 3, "{side}");
        assert_eq!(vm.cur().stack().len(), 0, "{side}");
    }
}

/// A code object with `INSTRUMENTED_INSTRUCTION` at unit 2, which replaced `replaced`
/// (`per_instruction_opcodes[2]`), and a counter of 0x0002 in the unit after it.
fn instrumented_state(w: &World, replaced: u8, faults: FaultPlan) -> Vm {
    let op = *w
        .program
        .analysis
        .opmap
        .get("INSTRUMENTED_INSTRUCTION")
        .expect("opcode") as u16;
    let mut vm = Vm::new();
    let code = vm.simple_code(
        vec![0, 0, op | 0x07 << 8, 0x0002, 0, 0, 0, 0],
        Vec::new(),
        &[],
        0,
        4,
    );
    if let runtime::ObjData::Code(c) = vm.heap.data_mut(code) {
        std::sync::Arc::make_mut(c).per_instruction_opcodes = vec![0, 0, replaced, 0];
    }
    vm.push_frame(code, Obj::NULL, Obj::NULL, Obj::NULL);
    vm.roots = vec![code];
    vm.this_instr = CodePtr { code, index: 2 };
    vm.next_instr = vm.this_instr.offset(1);
    vm.cur().instr_ptr = 2;
    vm.opcode = op as u8;
    vm.opcode_caches = harness::gen::opcode_caches(&w.program.analysis);
    vm.begin_run(faults);
    vm
}

#[test]
fn opcode_caches_is_cpythons_table() {
    let Some(w) = world() else { return };
    let t = harness::gen::opcode_caches(&w.program.analysis);
    let op = |n: &str| *w.program.analysis.opmap.get(n).expect("opcode") as usize;
    // pycore_opcode_metadata.h of 3.14: family heads with caches; specialized forms and
    // instructions without caches are 0
    assert_eq!(t[op("BINARY_OP")], 5);
    assert_eq!(t[op("LOAD_ATTR")], 9);
    assert_eq!(t[op("TO_BOOL")], 3);
    assert_eq!(t[op("CALL")], 3);
    assert_eq!(t[op("BINARY_OP_ADD_INT")], 0);
    assert_eq!(t[op("NOP")], 0);
    assert_eq!(t.iter().filter(|&&n| n != 0).count(), 19);
}

#[test]
fn instrumented_instruction_runs_the_replaced_opcode_in_place() {
    let Some(w) = world() else { return };
    let opmap = &w.program.analysis.opmap;
    let binary_op = *opmap.get("BINARY_OP").expect("opcode") as u8;
    let nop = *opmap.get("NOP").expect("opcode") as u8;
    for (side, body) in sides(&w, "INSTRUMENTED_INSTRUCTION") {
        // BINARY_OP has caches: its counter is paused (value_and_backoff | 1 << 4)
        let mut vm = instrumented_state(&w, binary_op, FaultPlan::default());
        let o = body.run(&mut vm, 0x07).expect("runs");
        assert_eq!(
            o,
            Outcome::DispatchOpcode {
                opcode: binary_op,
                oparg: 0x07
            },
            "{side}"
        );
        assert_eq!(vm.next_instr.index, 2, "{side}: next_instr = this_instr");
        assert_eq!(vm.opcode, binary_op, "{side}");
        let code = vm.this_instr.code;
        let unit = |vm: &Vm| match vm.heap.data(code) {
            runtime::ObjData::Code(c) => c.units[3],
            _ => panic!("code object"),
        };
        assert_eq!(unit(&vm), 0x0012, "{side}: PAUSE_ADAPTIVE_COUNTER");
        // NOP has none: the unit after stays as it was
        let mut vm = instrumented_state(&w, nop, FaultPlan::default());
        let o = body.run(&mut vm, 0x07).expect("runs");
        assert_eq!(
            o,
            Outcome::DispatchOpcode {
                opcode: nop,
                oparg: 0x07
            },
            "{side}"
        );
        assert_eq!(unit(&vm), 0x0002, "{side}");
        // the event's int allocation fails: ERROR_IF(next_opcode < 0), nothing dispatched
        let mut vm = instrumented_state(&w, nop, FaultPlan::fail_nth(0));
        let o = body.run(&mut vm, 0x07).expect("runs");
        assert_eq!(o, Outcome::Error { label: "error" }, "{side}");
        assert_eq!(vm.next_instr.index, 3, "{side}: next_instr untouched");
        assert!(
            vm.ts.current_exception != Obj::NULL,
            "{side}: MemoryError set"
        );
    }
}

/// A candidate that runs the generated body, then breaks one thing `fault` names.
#[derive(Debug)]
struct Faulty {
    inner: GeneratedBody,
    fault: &'static str,
}

impl Body for Faulty {
    fn run(&self, vm: &mut Vm, oparg: u32) -> Result<Outcome, harness::reference::Skip> {
        let o = self.inner.run(vm, oparg)?;
        match (self.fault, o) {
            // LOAD_IP off by one
            ("next_instr", _) => vm.next_instr = vm.next_instr.offset(1),
            // the result left one reference short on the caller's stack
            ("borrowed result", _) => {
                if let Some(r) = vm.cur().stack().last().copied() {
                    vm.stackref_close(r);
                }
            }
            // dispatch to the opcode the body did not choose
            ("opcode", Outcome::DispatchOpcode { opcode, oparg }) => {
                return Ok(Outcome::DispatchOpcode {
                    opcode: opcode ^ 1,
                    oparg,
                })
            }
            _ => {}
        }
        Ok(o)
    }
}

#[test]
fn the_oracle_catches_a_wrong_return_point_result_or_dispatch() {
    let Some(w) = world() else { return };
    // A missing reference shows only on mortal results (immortals ignore refcounts: None,
    // small ints, ...), a wrong return point or opcode on every state that returns or dispatches.
    for (name, fault, at_least) in [
        ("RETURN_VALUE", "next_instr", 290),
        ("RETURN_VALUE", "borrowed result", 60),
        ("INSTRUMENTED_INSTRUCTION", "opcode", 250),
        ("EXTENDED_ARG", "opcode", 290),
    ] {
        let (mut t, _) = w.targets(
            &[name.to_string()],
            harness::targets::CandidateSource::Reference,
        );
        assert_eq!(t.len(), 1, "{name}");
        t[0].candidate = std::sync::Arc::new(Faulty {
            inner: GeneratedBody::new(name),
            fault,
        });
        let stats = harness::run::run(&t, 300, 5, &|_| {});
        assert!(
            stats[0].mismatch >= at_least,
            "{name} with a wrong {fault}: {} of 300 caught",
            stats[0].mismatch
        );
    }
}
