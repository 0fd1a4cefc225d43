//! Snapshots, diffs (with renaming of fresh objects) and reference-count invariants, using
//! hand-written bodies in the style the generated code will have.

use runtime::handles::Destructor;
use runtime::{FaultPlan, Obj, Outcome, Snapshot, StackRef, Vm};

/// A frame with two locals and two ints (1000, 2000) on the stack; the globals dict is a
/// harness root.
fn state() -> (Vm, Obj, Obj) {
    let mut vm = Vm::new();
    let globals = vm.new_dict();
    vm.roots.push(globals);
    let code = vm.simple_code(vec![0; 4], vec![], &["x"], 2, 4);
    vm.push_frame(code, Obj::NULL, globals, globals);
    vm.heap.decref(code); // the frame owns the code
    let a = vm.new_int(1000);
    let b = vm.new_int(2000);
    vm.push_obj(a);
    vm.push_obj(b);
    let l = vm.new_list(vec![]);
    vm.set_local_raw(0, StackRef::owned(l));
    assert!(
        vm.refcount_errors().is_empty(),
        "{:?}",
        vm.refcount_errors()
    );
    (vm, a, b)
}

/// BINARY_OP_ADD_INT as generated code would run it; `right_first` changes the order of the
/// two closes (C does not fix it), `leak` forgets to close `left`.
fn add_int(vm: &mut Vm, right_first: bool, leak: bool) -> Outcome {
    let right = vm.pop();
    let left = vm.pop();
    let l = vm.stackref_as_borrow(left);
    let r = vm.stackref_as_borrow(right);
    let res = vm.long_add(l, r);
    if right_first {
        vm.stackref_close_specialized(right, Destructor::LongExact);
    }
    if !leak {
        vm.stackref_close_specialized(left, Destructor::LongExact);
    }
    if !right_first {
        vm.stackref_close_specialized(right, Destructor::LongExact);
    }
    if res.is_null() {
        return Outcome::Error {
            label: "pop_2_error",
        };
    }
    let out = vm.stackref_from_steal(res);
    vm.push(out);
    Outcome::Continue
}

fn run(plan: FaultPlan, body: impl FnOnce(&mut Vm) -> Outcome) -> (Vm, Snapshot) {
    let (mut vm, _, _) = state();
    vm.begin_run(plan);
    let out = body(&mut vm);
    let snap = Snapshot::take(&vm, Some(out));
    LAST.with(|l| l.borrow_mut().push((vm.clone(), out)));
    (vm, snap)
}

thread_local! {
    /// Every run of the current test, so the fast comparison can be checked against snapshots.
    static LAST: std::cell::RefCell<Vec<(Vm, Outcome)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// `quick_equal` agrees with snapshot equality on every pair of runs of the current test
/// (it may only say "equal" when the snapshots are equal).
fn check_quick_equal() {
    LAST.with(|l| {
        let runs = l.borrow();
        for (va, oa) in runs.iter() {
            for (vb, ob) in runs.iter() {
                let sa = Snapshot::take(va, Some(*oa));
                let sb = Snapshot::take(vb, Some(*ob));
                let quick = runtime::snapshot::quick_equal(va, Some(*oa), vb, Some(*ob));
                if quick {
                    assert!(sa == sb, "quick_equal said equal but: {}", sa.diff(&sb));
                }
                if sa == sb
                    && sa
                        .entries
                        .iter()
                        .all(|(k, _)| !matches!(k, runtime::snapshot::Key::Leak(_)))
                {
                    assert!(quick, "equal snapshots without leaks must be quick-equal");
                }
            }
        }
    });
}

#[test]
fn equal_runs_have_equal_snapshots() {
    let (vm, a) = run(FaultPlan::default(), |vm| add_int(vm, false, false));
    let (_, b) = run(FaultPlan::default(), |vm| add_int(vm, true, false));
    assert!(a.diff(&b).is_empty(), "{}", a.diff(&b));
    assert_eq!(a, b);
    assert!(
        vm.refcount_errors().is_empty(),
        "{:?}",
        vm.refcount_errors()
    );
    assert!(vm.violations().is_empty());
    // the inputs were freed, the result is on the stack
    let top = vm.frames[0].stack()[0];
    assert!(matches!(
        vm.heap.data(top.obj()),
        runtime::ObjData::Int(runtime::IntVal::Small(3000))
    ));
    check_quick_equal();
}

#[test]
fn a_leaked_reference_is_caught() {
    let (good_vm, good) = run(FaultPlan::default(), |vm| add_int(vm, false, false));
    let (bad_vm, bad) = run(FaultPlan::default(), |vm| add_int(vm, false, true));
    let d = good.diff(&bad);
    assert!(!d.is_empty());
    let text = d.to_string();
    assert!(text.contains("<absent> vs int 1000 (rc 1)"), "{text}");
    assert!(good_vm.refcount_errors().is_empty());
    let errs = bad_vm.refcount_errors();
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!((errs[0].rc, errs[0].owners), (1, 0));
    check_quick_equal();
}

#[test]
fn a_missing_incref_shows_on_the_stack_line() {
    // COPY 1: push a new reference to the top of the stack.
    let copy = |vm: &mut Vm, dup: bool| {
        let top = vm.peek(0);
        let r = if dup { vm.stackref_dup(top) } else { top };
        vm.push(r);
        Outcome::Continue
    };
    let (_, good) = run(FaultPlan::default(), |vm| copy(vm, true));
    let (bad_vm, bad) = run(FaultPlan::default(), |vm| copy(vm, false));
    let d = good.diff(&bad);
    let h = bad_vm.frames[0].stack()[1].obj().0;
    assert_eq!(
        d.lines,
        vec![format!(
            "stack[1] (#{h}): int 2000 (rc 2) vs int 2000 (rc 1)"
        )]
    );
    assert_eq!(bad_vm.refcount_errors().len(), 1);
    check_quick_equal();
}

#[test]
fn fresh_objects_are_renamed_by_position() {
    let make = |vm: &mut Vm, float_first: bool| {
        let (x, y) = if float_first {
            let y = vm.new_float(1.5);
            (vm.new_int(5000), y)
        } else {
            let x = vm.new_int(5000);
            (x, vm.new_float(1.5))
        };
        let t = vm.new_tuple(vec![x, y]);
        vm.push_obj(t);
        Outcome::Continue
    };
    let (va, a) = run(FaultPlan::default(), |vm| make(vm, false));
    let (vb, b) = run(FaultPlan::default(), |vm| make(vm, true));
    let ta = va.frames[0].stack()[2].obj();
    let tb = vb.frames[0].stack()[2].obj();
    assert_ne!(va.heap.data(ta), vb.heap.data(tb), "handles inside differ");
    assert!(a.diff(&b).is_empty(), "{}", a.diff(&b));
    // a different value in a fresh object is reported at its path
    let (_, c) = run(FaultPlan::default(), |vm| {
        let x = vm.new_int(5001);
        let y = vm.new_float(1.5);
        let t = vm.new_tuple(vec![x, y]);
        vm.push_obj(t);
        Outcome::Continue
    });
    assert_eq!(
        a.diff(&c).lines,
        vec!["stack[2][0]: int 5000 (rc 1) vs int 5001 (rc 1)".to_string()]
    );
    check_quick_equal();
}

#[test]
fn injected_failures_follow_the_error_path_in_both_runs() {
    let (vm, a) = run(FaultPlan::fail_nth(0), |vm| add_int(vm, false, false));
    let (_, b) = run(FaultPlan::fail_nth(0), |vm| add_int(vm, true, false));
    assert!(a.diff(&b).is_empty(), "{}", a.diff(&b));
    assert_eq!(
        vm.current_exception_text().unwrap().0.as_ref(),
        "MemoryError"
    );
    assert!(
        vm.refcount_errors().is_empty(),
        "{:?}",
        vm.refcount_errors()
    );
    let (_, ok) = run(FaultPlan::default(), |vm| add_int(vm, false, false));
    let d = a.diff(&ok).to_string();
    assert!(
        d.contains("outcome: Some(Error { label: \"pop_2_error\" }) vs Some(Continue)"),
        "{d}"
    );
    assert!(
        d.contains("exception: MemoryError exception [()] (rc 1) vs NULL"),
        "{d}"
    );
    assert_eq!(
        d.lines().filter(|l| l.starts_with("stack[0]")).count(),
        1,
        "{d}"
    );
    check_quick_equal();
}

#[test]
fn double_close_is_a_violation_in_the_snapshot() {
    let (_, good) = run(FaultPlan::default(), |vm| {
        let r = vm.pop();
        vm.stackref_close(r);
        Outcome::Continue
    });
    let (vm, bad) = run(FaultPlan::default(), |vm| {
        let r = vm.pop();
        vm.stackref_close(r);
        vm.stackref_close(r);
        Outcome::Continue
    });
    assert_eq!(vm.violations().len(), 1);
    let d = good.diff(&bad).to_string();
    assert!(d.contains("violation[0]: <absent> vs DecrefFreed"), "{d}");
    check_quick_equal();
}

#[test]
fn every_created_object_is_reachable_or_freed_across_the_api() {
    let (mut vm, a, b) = state();
    vm.begin_run(FaultPlan::default());
    let globals = vm.roots[0];
    // a mix of API calls, each result either stored (dict/list) or released
    let s = vm.number_add(a, b);
    let k = vm.intern("total");
    vm.dict_set_item(globals, k, s);
    vm.py_decref(s);
    let l = vm.getlocal(0).obj();
    let f = vm.new_float(2.5);
    vm.list_append(l, f);
    vm.py_decref(f);
    let it = vm.object_get_iter(l);
    let x = vm.iter_next(it);
    vm.py_decref(x);
    vm.py_decref(it);
    let t = vm.sequence_tuple(l);
    let r = vm.object_rich_compare(t, t, 2);
    vm.py_decref(r);
    vm.py_decref(t);
    let e = vm.object_get_item(globals, a);
    assert!(e.is_null());
    let snap = Snapshot::take(&vm, None);
    assert!(
        vm.refcount_errors().is_empty(),
        "{:?}",
        vm.refcount_errors()
    );
    assert!(snap
        .entries
        .iter()
        .all(|(k, _)| !matches!(k, runtime::snapshot::Key::Leak(_))));
    assert!(vm.violations().is_empty(), "{:?}", vm.violations());
}

#[test]
fn pushed_frames_are_part_of_the_snapshot() {
    let push = |vm: &mut Vm, extra_arg: bool| {
        let globals = vm.roots[0];
        let code = vm.simple_code(vec![0; 2], vec![], &[], 1, 2);
        let name = vm.intern("g");
        vm.heap.incref(globals);
        vm.heap.incref(globals);
        let func = vm.new_function(runtime::FunctionData::plain(
            code, globals, globals, name, 1,
        ));
        let cur = vm.frame();
        let f = vm.frame_push_unchecked(runtime::TState, StackRef::owned(func), 0, cur);
        let arg = vm.pop();
        vm.frame_stack_push(f, arg);
        if extra_arg {
            vm.frame_stack_push(f, StackRef::NONE);
        }
        Outcome::Dispatch
    };
    let (va, a) = run(FaultPlan::default(), |vm| push(vm, false));
    let (_, b) = run(FaultPlan::default(), |vm| push(vm, false));
    assert!(a.diff(&b).is_empty(), "{}", a.diff(&b));
    assert!(
        va.refcount_errors().is_empty(),
        "{:?}",
        va.refcount_errors()
    );
    let (_, c) = run(FaultPlan::default(), |vm| push(vm, true));
    let d = a.diff(&c).to_string();
    assert!(
        d.contains("frames[1].localsplus[2]: <absent> vs None"),
        "{d}"
    );
    assert!(d.contains("frames[1].stack_pointer: 2 vs 3"), "{d}");
    check_quick_equal();
}

/// A state whose old objects nest: local 0 is a list holding a dict `{"k": 1000}` and a second
/// list; so a body can write an old object that only an unwritten old object refers to.
fn nested_state() -> (Vm, Obj, Obj, Obj) {
    let (mut vm, _, _) = state();
    let d = vm.new_dict();
    let k = vm.intern("k");
    let v = vm.new_int(1000);
    vm.dict_set(d, k, v);
    vm.heap.decref(v);
    let inner = vm.new_list(vec![]);
    let outer = vm.new_list(vec![d, inner]);
    vm.set_local_raw(1, StackRef::owned(outer));
    (vm, outer, d, inner)
}

/// Copies of one fork ([`Vm::fork_point`]) are compared by visiting only what either wrote.
/// That shortcut must never call two states equal when their snapshots differ, and must
/// agree with the full comparison (copies that do not share a fork) on these runs.
#[test]
fn forked_copies_compare_only_written_objects_and_agree_with_the_full_comparison() {
    type Body = fn(&mut Vm, Obj, Obj, Obj) -> Outcome;
    let bodies: [(&str, Body); 7] = [
        ("nothing", |_, _, _, _| Outcome::Continue),
        ("nothing again", |_, _, _, _| Outcome::Continue),
        ("dict value 7", |vm, _, d, _| {
            let k = vm.intern("k");
            let v = vm.new_int(7);
            vm.dict_set(d, k, v);
            vm.heap.decref(v);
            Outcome::Continue
        }),
        ("dict value 8", |vm, _, d, _| {
            let k = vm.intern("k");
            let v = vm.new_int(8);
            vm.dict_set(d, k, v);
            vm.heap.decref(v);
            Outcome::Continue
        }),
        ("inner gets a fresh list", |vm, _, _, inner| {
            let l = vm.new_list(vec![]);
            if let runtime::ObjData::List(items) = vm.heap.data_mut(inner) {
                items.push(l);
            }
            Outcome::Continue
        }),
        ("inner gets a fresh dict", |vm, _, _, inner| {
            let l = vm.new_dict();
            if let runtime::ObjData::List(items) = vm.heap.data_mut(inner) {
                items.push(l);
            }
            Outcome::Continue
        }),
        ("extra count on the dict", |vm, _, d, _| {
            vm.heap.incref(d);
            Outcome::Continue
        }),
    ];
    let (mut origin, outer, d, inner) = nested_state();
    origin.fork_point();
    let runs: Vec<(&str, Vm, Outcome)> = bodies
        .iter()
        .map(|(name, body)| {
            let mut vm = origin.clone();
            vm.begin_run(FaultPlan::default());
            let out = body(&mut vm, outer, d, inner);
            (*name, vm, out)
        })
        .collect();
    let mut shortcut_equal = 0;
    for (na, va, oa) in &runs {
        for (nb, vb, ob) in &runs {
            let quick = runtime::snapshot::quick_equal(va, Some(*oa), vb, Some(*ob));
            let (sa, sb) = (Snapshot::take(va, Some(*oa)), Snapshot::take(vb, Some(*ob)));
            if quick {
                assert!(
                    sa == sb,
                    "{na} vs {nb}: equal by the shortcut but: {}",
                    sa.diff(&sb)
                );
                shortcut_equal += 1;
            }
            // The same states, no longer known to share a fork: the full comparison.
            let mut vb2 = vb.clone();
            vb2.fork_point();
            let full = runtime::snapshot::quick_equal(va, Some(*oa), &vb2, Some(*ob));
            assert_eq!(quick, full, "{na} vs {nb}");
            assert_eq!(quick, sa == sb, "{na} vs {nb}");
        }
    }
    // 7 runs compared with themselves, plus "nothing" with "nothing again" both ways.
    assert_eq!(shortcut_equal, 9);
}
