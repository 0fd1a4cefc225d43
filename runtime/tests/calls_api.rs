//! The call family's API: functions with array parameters (`const _PyStackRef *src` + count,
//! steal-on-success semantics with hand-computed refcounts, the registry reading the frame's
//! slots) and the identifier macros `_Py_ID` / `_Py_STR`.

use runtime::object::ObjData;
use runtime::registry::lookup;
use runtime::well_known as wk;
use runtime::{FaultPlan, Obj, Slots, StackRef, Value, Vm};

fn rc(vm: &Vm, o: Obj) -> i64 {
    vm.heap.slot(o).expect("live object").rc
}

fn items(vm: &Vm, o: Obj) -> Vec<Obj> {
    match vm.heap.data(o) {
        ObjData::Tuple(v) | ObjData::List(v) => v.clone(),
        other => panic!("not a sequence: {other:?}"),
    }
}

#[test]
fn tuple_from_stackrefs_steals_owned_and_increfs_deferred_on_success() {
    let mut vm = Vm::new();
    let a = vm.new_int(1000);
    let b = vm.new_int(2000);
    assert_eq!((rc(&vm, a), rc(&vm, b)), (1, 1));
    // `a` is owned by the stack slot; `b` is a borrowed (deferred) reference.
    let src = [StackRef::owned(a), StackRef::deferred(b), StackRef::NONE];
    let t = vm.tuple_from_stackref_steal_on_success(&src, 2);
    assert_eq!(items(&vm, t), vec![a, b], "only the first n elements");
    // The owned reference moved into the tuple (count unchanged); the deferred one was
    // turned into a new reference (PyStackRef_AsPyObjectSteal of a borrow).
    assert_eq!(rc(&vm, a), 1);
    assert_eq!(rc(&vm, b), 2);
    assert_eq!(rc(&vm, t), 1);
    assert_eq!(vm.heap.ty(t), wk::TUPLE_TYPE);
}

#[test]
fn tuple_from_zero_stackrefs_is_the_empty_tuple() {
    let mut vm = Vm::new();
    assert_eq!(
        vm.tuple_from_stackref_steal_on_success(&[], 0),
        wk::EMPTY_TUPLE
    );
}

#[test]
fn failed_allocation_steals_nothing() {
    let mut vm = Vm::new();
    let a = vm.new_int(1000);
    vm.begin_run(FaultPlan::fail_nth(0));
    let t = vm.tuple_from_stackref_steal_on_success(&[StackRef::owned(a)], 1);
    assert!(t.is_null());
    assert_eq!(rc(&vm, a), 1, "the caller still owns its reference");
    assert_eq!(
        vm.current_exception_text().map(|(t, _)| t.to_string()),
        Some("MemoryError".into())
    );
    vm.err_clear();
    vm.begin_run(FaultPlan::fail_nth(0));
    let l = vm.list_from_stackref_steal_on_success(&[StackRef::deferred(a)], 1);
    assert!(l.is_null());
    assert_eq!(rc(&vm, a), 1, "no new reference was made for a failed list");
}

#[test]
fn list_from_stackrefs_builds_a_fresh_list_even_when_empty() {
    let mut vm = Vm::new();
    let a = vm.new_int(7000);
    let l = vm.list_from_stackref_steal_on_success(&[StackRef::owned(a)], 1);
    assert_eq!(items(&vm, l), vec![a]);
    assert_eq!(rc(&vm, a), 1);
    let e1 = vm.list_from_stackref_steal_on_success(&[], 0);
    let e2 = vm.list_from_stackref_steal_on_success(&[], 0);
    assert_ne!(e1, e2, "lists are never shared");
    assert!(items(&vm, e1).is_empty());
}

#[test]
fn count_larger_than_the_array_is_a_violation_not_a_read() {
    let mut vm = Vm::new();
    let a = vm.new_int(1000);
    let t = vm.tuple_from_stackref_steal_on_success(&[StackRef::owned(a)], 2);
    assert!(t.is_null());
    assert_eq!(rc(&vm, a), 1);
    assert!(!vm.heap.violations.is_empty());
}

#[test]
fn registry_reads_array_arguments_from_the_frame_slots() {
    let mut vm = Vm::new();
    let code = vm.simple_code(Vec::new(), Vec::new(), &[], 0, 8);
    vm.push_frame(code, Obj::NULL, Obj::NULL, Obj::NULL);
    let a = vm.new_int(1000);
    let b = vm.new_int(2000);
    vm.push(StackRef::owned(a));
    vm.push(StackRef::owned(b));
    let base = vm.cur().nlocalsplus as u32;
    let f = lookup("_PyTuple_FromStackRefStealOnSuccess").expect("registry entry");
    let r = f
        .invoke(
            &mut vm,
            &mut [
                Value::Slots(Slots {
                    start: base,
                    len: 2,
                }),
                Value::from(2i64),
            ],
        )
        .expect("call");
    let Value::Obj(t) = r else { panic!("{r:?}") };
    assert_eq!(items(&vm, t), vec![a, b], "bottom of the stack first");
    // A plain object pointer is not an array.
    let bad = f.invoke(&mut vm, &mut [Value::Obj(a), Value::from(1i64)]);
    assert!(bad.is_err());
}

#[test]
fn py_id_is_the_interned_immortal_str_of_the_identifier() {
    let mut vm = Vm::new();
    let a = vm.py_id(runtime::CStr::Lit("__build_class__"));
    let b = vm.py_id(runtime::CStr::Lit("__build_class__"));
    assert_eq!(a, b, "one object per identifier");
    assert_eq!(
        vm.intern("__build_class__"),
        a,
        "the same interned str as co_names use"
    );
    assert!(vm.heap.slot(a).unwrap().immortal);
    assert!(matches!(vm.heap.data(a), ObjData::Str(s) if &**s == "__build_class__"));
    assert_eq!(vm.py_str(runtime::CStr::Lit("empty")), wk::EMPTY_STR);
    assert!(vm.heap.violations.is_empty());
    assert!(vm.py_str(runtime::CStr::Lit("no_such_literal")).is_null());
    assert!(!vm.heap.violations.is_empty());
}

#[test]
fn callable_cache_names_immortal_builtins_of_the_right_types() {
    let mut vm = Vm::new();
    let ts = vm.tstate();
    let interp = vm.ts_interp(ts);
    let len = vm.callable_cache_len(interp);
    let isinstance = vm.callable_cache_isinstance(interp);
    let append = vm.callable_cache_list_append(interp);
    assert_eq!(
        (len, isinstance, append),
        (wk::BUILTIN_LEN, wk::BUILTIN_ISINSTANCE, wk::LIST_APPEND)
    );
    assert_eq!(vm.heap.ty(len), wk::CFUNCTION_TYPE);
    assert_eq!(vm.heap.ty(isinstance), wk::CFUNCTION_TYPE);
    assert_eq!(vm.heap.ty(append), wk::METHOD_DESCR_TYPE);
    assert!(wk::CALLABLE_CACHE
        .iter()
        .all(|o| vm.heap.slot(*o).unwrap().immortal));
    // Dynamic objects start after them.
    let fresh = vm.new_list(Vec::new());
    assert!(fresh.0 >= wk::FIRST_DYNAMIC);
}

#[test]
fn skip_over_moves_next_instr_by_code_units() {
    let mut vm = Vm::new();
    let code = vm.simple_code(vec![0; 8], Vec::new(), &[], 0, 4);
    vm.push_frame(code, Obj::NULL, Obj::NULL, Obj::NULL);
    let start = vm.next_instr;
    vm.skip_over(1);
    assert_eq!(vm.next_instr.distance(start), 1);
    vm.skip_over(3);
    assert_eq!(vm.next_instr.distance(start), 4);
}

#[test]
fn function_new_holds_code_globals_and_name() {
    let mut vm = Vm::new();
    let code = vm.simple_code(vec![0; 4], Vec::new(), &[], 1, 4);
    let globals = vm.new_dict();
    let (rc_code, rc_globals) = (rc(&vm, code), rc(&vm, globals));
    let f = vm.function_new(code, globals);
    assert_eq!(vm.heap.ty(f), wk::FUNCTION_TYPE);
    let ObjData::Function(fd) = vm.heap.data(f).clone() else {
        panic!("not a function")
    };
    assert_eq!((fd.code, fd.globals, fd.version), (code, globals, 0));
    assert_eq!(
        rc(&vm, code),
        rc_code + 1,
        "the function holds a new reference"
    );
    assert_eq!(rc(&vm, globals), rc_globals + 1);
    // A non-code object is refused with SystemError, not dereferenced.
    let g = vm.function_new(globals, globals);
    assert!(g.is_null());
    assert_eq!(
        vm.current_exception_text().map(|(t, _)| t.to_string()),
        Some("SystemError".into())
    );
}

#[test]
fn check_args_iterable_accepts_iterables_and_words_the_error_like_cpython() {
    let mut vm = Vm::new();
    let ts = vm.tstate();
    let code = vm.simple_code(vec![0; 4], Vec::new(), &[], 0, 4);
    let globals = vm.new_dict();
    let f = vm.function_new(code, globals);
    let l = vm.new_list(Vec::new());
    assert_eq!(vm.check_args_iterable(ts, f, l), 0);
    assert_eq!(vm.check_args_iterable(ts, f, wk::EMPTY_STR), 0);
    let five = vm.new_int(5);
    assert_eq!(vm.check_args_iterable(ts, f, five), -1);
    // CPython 3.14: `def f(): pass; f(*5)` -> "f() argument after * must be an iterable, not int"
    // (the model's simple code objects are named "f").
    let (t, m) = vm.current_exception_text().expect("TypeError set");
    assert_eq!(&*t, "TypeError");
    assert_eq!(m, "f() argument after * must be an iterable, not int");
}

/// `PY_VECTORCALL_ARGUMENTS_OFFSET` (`(size_t)1 << 63` on LP64).
const OFFSET: u64 = 1 << 63;

#[test]
fn vectorcall_len_isinstance_and_list_append_follow_cpython() {
    let mut vm = Vm::new();
    let a = vm.new_int(1000);
    let l = vm.new_list(vec![]);
    // len([]) == 0, with the ARGUMENTS_OFFSET flag ignored in the count.
    let r = vm.object_vectorcall(wk::BUILTIN_LEN, &[l], 1 | OFFSET, Obj::NULL);
    assert_eq!(r, vm.new_int(0));
    // isinstance(1000, int) is True; arguments are borrowed.
    let rc_a = rc(&vm, a);
    let r = vm.object_vectorcall(
        wk::BUILTIN_ISINSTANCE,
        &[a, wk::LONG_TYPE],
        2 | OFFSET,
        Obj::NULL,
    );
    assert_eq!(r, wk::TRUE);
    assert_eq!(rc(&vm, a), rc_a);
    // list.append(l, 1000) -> None, the list holds a new reference.
    let r = vm.object_vectorcall(wk::LIST_APPEND, &[l, a], 2, Obj::NULL);
    assert_eq!(r, wk::NONE);
    assert_eq!(items(&vm, l), vec![a]);
    assert_eq!(rc(&vm, a), rc_a + 1);
    // Only the first n elements are arguments: len(l) with a second element present.
    let r = vm.object_vectorcall(wk::BUILTIN_LEN, &[l, a], 1, Obj::NULL);
    assert_eq!(r, vm.new_int(1));
}

#[test]
fn vectorcall_errors_are_cpythons_type_errors() {
    let mut vm = Vm::new();
    let a = vm.new_int(1000);
    let msg = |vm: &mut Vm| {
        let (t, m) = vm.current_exception_text().expect("exception set");
        vm.err_clear();
        format!("{t}: {m}")
    };
    assert!(vm
        .object_vectorcall(wk::BUILTIN_LEN, &[a, a], 2, Obj::NULL)
        .is_null());
    assert_eq!(
        msg(&mut vm),
        "TypeError: len() takes exactly one argument (2 given)"
    );
    assert!(vm
        .object_vectorcall(wk::BUILTIN_ISINSTANCE, &[a], 1, Obj::NULL)
        .is_null());
    assert_eq!(
        msg(&mut vm),
        "TypeError: isinstance expected 2 arguments, got 1"
    );
    assert!(vm
        .object_vectorcall(wk::BUILTIN_LEN, &[a], 1, Obj::NULL)
        .is_null());
    assert_eq!(msg(&mut vm), "TypeError: object of type 'int' has no len()");
    assert!(vm
        .object_vectorcall(wk::LIST_APPEND, &[a, a], 2, Obj::NULL)
        .is_null());
    assert_eq!(
        msg(&mut vm),
        "TypeError: descriptor 'append' for 'list' objects doesn't apply to a 'int' object"
    );
    assert!(vm.object_vectorcall(a, &[], 0, Obj::NULL).is_null());
    assert_eq!(msg(&mut vm), "TypeError: 'int' object is not callable");
    // type(x) / str(x) / tuple(x) of one argument.
    assert_eq!(
        vm.object_vectorcall(wk::TYPE_TYPE, &[a], 1, Obj::NULL),
        wk::LONG_TYPE
    );
    let s = vm.object_vectorcall(wk::UNICODE_TYPE, &[a], 1, Obj::NULL);
    assert!(matches!(vm.heap.data(s), ObjData::Str(t) if &**t == "1000"));
}

#[test]
fn frame_push_steals_the_function_and_arguments() {
    let mut vm = Vm::new();
    let code = vm.simple_code(vec![0; 4], Vec::new(), &[], 1, 4);
    if let ObjData::Code(c) = vm.heap.data_mut(code) {
        std::sync::Arc::make_mut(c).argcount = 1;
    }
    let globals = vm.new_dict();
    vm.push_frame(code, Obj::NULL, globals, globals);
    let caller = vm.frame();
    let f = vm.function_new(code, globals);
    let a = vm.new_int(1000);
    let rc_f = rc(&vm, f);
    let ts = vm.tstate();
    let id = vm.eval_frame_push_and_init(
        ts,
        StackRef::owned(f),
        Obj::NULL,
        &[StackRef::owned(a)],
        1,
        Obj::NULL,
        caller,
    );
    assert!(!id.is_null());
    assert_eq!(vm.frame(), caller, "the new frame is not current yet");
    let fr = vm.frames[id.0 as usize].clone();
    assert_eq!((fr.code, fr.func, fr.previous), (code, f, caller));
    assert_eq!(
        fr.localsplus[0],
        StackRef::owned(a),
        "the argument moved in"
    );
    assert_eq!(rc(&vm, a), 1);
    assert_eq!(rc(&vm, f), rc_f, "the stolen reference is the frame's");
    // Two arguments for one parameter: TypeError, and both references released.
    let b = vm.new_int(2000);
    let c = vm.new_int(3000);
    let f2 = vm.function_new(code, globals);
    let id = vm.eval_frame_push_and_init(
        ts,
        StackRef::owned(f2),
        Obj::NULL,
        &[StackRef::owned(b), StackRef::owned(c)],
        2,
        Obj::NULL,
        caller,
    );
    assert!(id.is_null());
    assert!(vm.heap.slot(b).unwrap().freed && vm.heap.slot(c).unwrap().freed);
    assert!(vm.heap.slot(f2).unwrap().freed);
    let (t, m) = vm.current_exception_text().unwrap();
    assert_eq!(
        format!("{t}: {m}"),
        "TypeError: f() takes 1 positional argument but 2 were given"
    );
}

#[test]
fn try_incref_compare_gives_a_reference_only_while_the_slot_holds_the_object() {
    let mut vm = Vm::new();
    let a = vm.new_int(1000);
    let b = vm.new_int(2000);
    let mut out = StackRef::NULL;
    let mut slot = a;
    assert_eq!(vm.try_incref_compare_stackref(&mut slot, a, &mut out), 1);
    assert_eq!(out, StackRef::owned(a));
    assert_eq!(rc(&vm, a), 2);
    let mut out2 = StackRef::NULL;
    assert_eq!(vm.try_incref_compare_stackref(&mut slot, b, &mut out2), 0);
    assert_eq!(
        (out2, rc(&vm, b)),
        (StackRef::NULL, 1),
        "slot changed: nothing taken"
    );
    // An immortal gets a deferred reference, count untouched.
    assert_eq!(
        vm.try_incref_compare_stackref(&mut slot, wk::NONE, &mut out2),
        1
    );
    assert_eq!(out2, StackRef::deferred(wk::NONE));
}

#[test]
fn array_steal_takes_the_references_and_releases_them_on_failure() {
    let mut vm = Vm::new();
    let a = vm.new_int(1000);
    let b = vm.new_int(2000);
    let t = vm.tuple_from_array_steal(&[a, b], 2);
    assert_eq!(items(&vm, t), vec![a, b]);
    assert_eq!((rc(&vm, a), rc(&vm, b)), (1, 1), "moved, not copied");
    assert_eq!(vm.tuple_from_array_steal(&[], 0), wk::EMPTY_TUPLE);
    let c = vm.new_int(3000);
    vm.begin_run(FaultPlan::fail_nth(0));
    assert!(vm.list_from_array_steal(&[c], 1).is_null());
    assert!(
        vm.heap.slot(c).unwrap().freed,
        "released on failure (3.13 semantics)"
    );
}

fn text(vm: &Vm, o: Obj) -> String {
    match vm.heap.data(o) {
        ObjData::Str(s) => s.to_string(),
        other => panic!("not a str: {other:?}"),
    }
}

#[test]
fn join_array_concatenates_strs_and_borrows_the_items() {
    let mut vm = Vm::new();
    let (a, b, c) = (vm.new_str("ab"), vm.new_str("c"), vm.new_str("def"));
    // BUILD_STRING's separator is `_Py_STR(empty)`.
    let j = vm.unicode_join_array(wk::EMPTY_STR, &[a, wk::EMPTY_STR, b, c], 4);
    assert_eq!(text(&vm, j), "abcdef");
    assert_eq!(
        (rc(&vm, j), rc(&vm, a), rc(&vm, b), rc(&vm, c)),
        (1, 1, 1, 1)
    );
    // With a separator, between items only: "ab" + "-" + "c".
    let dash = vm.new_str("-");
    let j2 = vm.unicode_join_array(dash, &[a, b], 2);
    assert_eq!(text(&vm, j2), "ab-c");
    // Only the first `seqlen` items are joined.
    let j3 = vm.unicode_join_array(dash, &[a, b, c], 2);
    assert_eq!(text(&vm, j3), "ab-c");
}

#[test]
fn join_array_of_one_str_is_that_str_and_of_none_the_empty_singleton() {
    let mut vm = Vm::new();
    let a = vm.new_str("solo");
    let j = vm.unicode_join_array(wk::EMPTY_STR, &[a], 1);
    assert_eq!(j, a, "one exact str: the object itself");
    assert_eq!(rc(&vm, a), 2, "as a new reference");
    assert_eq!(vm.unicode_join_array(wk::EMPTY_STR, &[], 0), wk::EMPTY_STR);
    // Strings that join to nothing give the empty singleton too (`PyUnicode_New(0, ..)`).
    let j = vm.unicode_join_array(wk::EMPTY_STR, &[wk::EMPTY_STR, wk::EMPTY_STR], 2);
    assert_eq!(j, wk::EMPTY_STR);
}

#[test]
fn join_array_rejects_a_non_str_item_by_its_index() {
    let mut vm = Vm::new();
    let a = vm.new_str("x");
    let n = vm.new_int(7);
    let j = vm.unicode_join_array(wk::EMPTY_STR, &[a, n], 2);
    assert!(j.is_null());
    assert_eq!(
        vm.current_exception_text().map(|(t, m)| (t.to_string(), m)),
        Some((
            "TypeError".into(),
            "sequence item 1: expected str instance, int found".into()
        ))
    );
    assert_eq!((rc(&vm, a), rc(&vm, n)), (1, 1), "items stay borrowed");
}

fn dict_pairs(vm: &Vm, d: Obj) -> Vec<(Obj, Obj)> {
    match vm.heap.data(d) {
        ObjData::Dict(dd) => dd
            .entries
            .iter()
            .filter(|e| !e.key.is_null())
            .map(|e| (e.key, e.value))
            .collect(),
        other => panic!("not a dict: {other:?}"),
    }
}

#[test]
fn dict_from_items_reads_keys_and_values_with_their_offsets() {
    let mut vm = Vm::new();
    let (k1, v1, k2, v2) = (
        vm.new_str("a"),
        vm.new_int(1000),
        vm.new_str("b"),
        vm.new_int(2000),
    );
    // BUILD_MAP: the stack holds k1 v1 k2 v2; keys from element 0, values from element 1,
    // both every second element.
    let stack = [k1, v1, k2, v2];
    let d = vm.dict_from_items(&stack, 2, &stack[1..], 2, 2);
    assert_eq!(dict_pairs(&vm, d), vec![(k1, v1), (k2, v2)]);
    // The dict holds a new reference to each; the stack keeps its own.
    for o in [k1, v1, k2, v2] {
        assert_eq!(rc(&vm, o), 2);
    }
    assert_eq!(rc(&vm, d), 1);
    // Zero items: an empty dict, nothing read past the arrays.
    let e = vm.dict_from_items(&[], 2, &[], 2, 0);
    assert_eq!(dict_pairs(&vm, e), vec![]);
}

#[test]
fn dict_from_items_keeps_the_first_key_and_the_last_value_of_a_repeat() {
    let mut vm = Vm::new();
    let (k, k_again) = (vm.new_str("same"), vm.new_str("same"));
    let (v1, v2) = (vm.new_int(1000), vm.new_int(2000));
    let stack = [k, v1, k_again, v2];
    let d = vm.dict_from_items(&stack, 2, &stack[1..], 2, 2);
    assert_eq!(dict_pairs(&vm, d), vec![(k, v2)]);
    assert_eq!((rc(&vm, k), rc(&vm, k_again)), (2, 1));
    assert_eq!(
        (rc(&vm, v1), rc(&vm, v2)),
        (1, 2),
        "the replaced value was released"
    );
}

#[test]
fn dict_from_items_with_an_unhashable_key_fails_and_releases_the_dict() {
    let mut vm = Vm::new();
    let (k, v) = (vm.new_str("ok"), vm.new_int(1000));
    let bad = vm.new_list(Vec::new());
    let v2 = vm.new_int(2000);
    let stack = [k, v, bad, v2];
    let d = vm.dict_from_items(&stack, 2, &stack[1..], 2, 2);
    assert!(d.is_null());
    assert_eq!(
        vm.current_exception_text().map(|(t, m)| (t.to_string(), m)),
        Some(("TypeError".into(), "unhashable type: 'list'".into()))
    );
    // The dict that held `k` and `v` is gone, and with it its references.
    for o in [k, v, bad, v2] {
        assert_eq!(rc(&vm, o), 1);
    }
}

fn instrumentation_version(vm: &Vm, code: Obj) -> u64 {
    match vm.heap.data(code) {
        ObjData::Code(c) => c.instrumentation_version,
        other => panic!("not code: {other:?}"),
    }
}

#[test]
fn instrument_brings_the_code_to_the_global_version_of_the_eval_breaker() {
    let mut vm = Vm::new();
    let code = vm.simple_code(vec![0; 4], Vec::new(), &[], 0, 2);
    assert_eq!(instrumentation_version(&vm, code), 0, "never instrumented");
    // Global version 3 (bits above the 8 event bits), with an event pending: the events are
    // not part of the version.
    vm.ts.eval_breaker = (3 << 8) | 1;
    assert_eq!(vm.instrument(code, runtime::TState), 0);
    assert_eq!(instrumentation_version(&vm, code), 3 << 8);
    // A failure (CPython's allocation of the monitoring data) changes nothing.
    vm.ts.eval_breaker = 5 << 8;
    vm.begin_run(FaultPlan::fail_nth(0));
    assert_eq!(vm.instrument(code, runtime::TState), -1);
    assert_eq!(instrumentation_version(&vm, code), 3 << 8);
    assert!(vm.current_exception_text().is_some());
}

#[test]
fn free_threading_byte_store_assigns_in_the_gil_build() {
    let mut vm = Vm::new();
    let mut op = 128u8;
    vm.ft_atomic_store_uint8_relaxed(&mut op, 7);
    assert_eq!(op, 7);
    assert_eq!(vm.ft_atomic_load_uintptr_acquire(1 << 8), 1 << 8);
}
