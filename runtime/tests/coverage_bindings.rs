//! Semantics of the bindings added to widen coverage: the GIL-build meaning of the free-threading
//! wrappers and object locks, the constants' values (from
//! `pycore_code.h` / `<limits.h>`), each against a hand-computed expectation, called both as a
//! method and by C name through the registry.

use runtime::object::ObjData;
use runtime::registry::lookup;
use runtime::value::IntoValue;
use runtime::well_known as wk;
use runtime::{FaultPlan, KeysRef, Obj, Value, Vm};

fn rc(vm: &Vm, o: Obj) -> i64 {
    vm.heap.slot(o).unwrap().rc
}

fn v<T: IntoValue>(x: T) -> Value {
    x.into_value()
}

fn call(vm: &mut Vm, name: &str, args: &mut [Value]) -> Value {
    lookup(name)
        .unwrap_or_else(|| panic!("{name}: no registry entry"))
        .invoke(vm, args)
        .unwrap_or_else(|e| panic!("{name}: {e:?}"))
}

#[test]
fn ft_atomic_loads_are_plain_reads() {
    let mut vm = Vm::new();
    assert_eq!(vm.ft_atomic_load_uint_relaxed(0xdead_beef), 0xdead_beef);
    assert_eq!(vm.ft_atomic_load_uint32_relaxed(7), 7);
    let r = call(&mut vm, "FT_ATOMIC_LOAD_UINT_RELAXED", &mut [v(u32::MAX)]);
    assert_eq!(r, v(u32::MAX));
    let r = call(&mut vm, "FT_ATOMIC_LOAD_UINT32_RELAXED", &mut [v(42u32)]);
    assert_eq!(r, v(42u32));
}

#[test]
fn ft_atomic_load_of_a_dicts_keys_is_that_keys_table() {
    let mut vm = Vm::new();
    let d = vm.new_dict();
    let keys = vm.dict_ma_keys(d);
    assert_eq!(vm.ft_atomic_load_keys_acquire(keys), keys);
    let r = call(&mut vm, "FT_ATOMIC_LOAD_PTR_ACQUIRE", &mut [v(keys)]);
    assert_eq!(r, v(KeysRef(d)));
    // the version read through the loaded pointer is the dict's (0 until one is assigned)
    let loaded = vm.ft_atomic_load_keys_acquire(keys);
    assert_eq!(vm.keys_dk_version(loaded), 0);
    assert!(vm.violations().is_empty());
}

#[test]
fn object_lock_always_succeeds_and_unlock_changes_nothing() {
    let mut vm = Vm::new();
    vm.begin_run(FaultPlan::default());
    let l = vm.new_list(vec![]);
    let before = vm.heap.slot(l).unwrap().rc;
    assert_eq!(vm.lock_object(l), 1);
    vm.unlock_object(l);
    assert_eq!(call(&mut vm, "LOCK_OBJECT", &mut [Value::Obj(l)]), v(1i32));
    assert_eq!(
        call(&mut vm, "UNLOCK_OBJECT", &mut [Value::Obj(l)]),
        Value::Void
    );
    assert_eq!(
        vm.heap.slot(l).unwrap().rc,
        before,
        "locks take no reference"
    );
    assert!(vm.violations().is_empty());
}

#[test]
fn new_constants_have_cpythons_values() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/bindings.toml"))
        .expect("bindings.toml is readable");
    let t: toml::Table = toml::from_str(&text).expect("parses");
    let value = |n: &str| t["constant"][n]["value"].as_integer().unwrap();
    // COMPARISON_UNORDERED | COMPARISON_LESS_THAN | COMPARISON_GREATER_THAN = 1 | 2 | 4
    assert_eq!(value("COMPARISON_NOT_EQUALS"), 7);
    assert_eq!(value("COMPARISON_EQUALS"), 8);
    // `_COMPARE_OP_STR` relies on this identity
    assert_eq!(
        value("COMPARISON_NOT_EQUALS") + 1,
        value("COMPARISON_EQUALS")
    );
    assert_eq!(value("INT_MAX"), i32::MAX as i64);
}

#[test]
fn bound_method_fields_are_its_function_and_self() {
    let mut vm = Vm::new();
    vm.begin_run(FaultPlan::default());
    // any callable will do as im_func; the model only carries the reference
    let f = vm.new_opaque(wk::OPAQUE_TYPE, 7);
    let s = vm.new_int(1234);
    let (f_rc, s_rc) = (rc(&vm, f), rc(&vm, s));
    let m = vm.new_method(f, s);
    // PyMethod_New takes a new reference to both
    assert_eq!(rc(&vm, f), f_rc + 1);
    assert_eq!(rc(&vm, s), s_rc + 1);
    assert_eq!(vm.py_type(m), wk::METHOD_TYPE);
    assert_eq!(vm.method_check(m), 1);
    assert_eq!(vm.method_check(f), 0);
    assert_eq!(vm.method_im_func(m), f);
    assert_eq!(vm.method_im_self(m), s);
    assert_eq!(
        call(&mut vm, "PyMethodObject.im_func", &mut [Value::Obj(m)]),
        Value::Obj(f)
    );
    assert_eq!(
        call(&mut vm, "PyMethodObject.im_self", &mut [Value::Obj(m)]),
        Value::Obj(s)
    );
    // the fields are borrowed: reading them changes no count
    assert_eq!(rc(&vm, f), f_rc + 1);
    assert!(vm.violations().is_empty());
    // dropping the method releases both references
    vm.heap.decref(m);
    assert_eq!((rc(&vm, f), rc(&vm, s)), (f_rc, s_rc));
}

#[test]
fn method_fields_of_a_non_method_are_a_violation() {
    let mut vm = Vm::new();
    vm.begin_run(FaultPlan::default());
    let l = vm.new_list(vec![]);
    assert_eq!(vm.method_im_func(l), Obj::NULL);
    assert_eq!(vm.violations().len(), 1);
    assert_eq!(vm.method_im_self(l), Obj::NULL);
    assert_eq!(vm.violations().len(), 2);
}

/// `1 << 2**70`: the shift count does not fit 64 bits; the model raises its "result too large"
/// error instead of overflowing while sizing the result (found by the robustness test once the
/// registry grew).
#[test]
fn lshift_by_a_count_beyond_64_bits_raises() {
    let mut vm = Vm::new();
    vm.begin_run(FaultPlan::default());
    let one = vm.new_int(1);
    let huge = vm.new_int_big(num_bigint::BigInt::from(1) << 70);
    let r = vm.number_lshift(one, huge);
    assert!(r.is_null());
    let (t, _) = vm.current_exception_text().expect("an exception is set");
    assert_eq!(t.to_string(), "MemoryError");
}

/// `[10, 11, 12, 13, 14][slice(-1, 0, -2)]` is `[14, 12]` and `[...][slice(1, None)]` is
/// `[11, 12, 13, 14]` (CPython 3.14); a zero step is a ValueError, a str bound a TypeError.
#[test]
fn list_slice_subscript_as_cpython() {
    let mut vm = Vm::new();
    vm.begin_run(FaultPlan::default());
    let items: Vec<Obj> = (10..15).map(|i| vm.new_int(i)).collect();
    let list = vm.new_list(items);
    let ints = |vm: &Vm, o: Obj| -> Vec<i64> {
        match vm.heap.data(o) {
            ObjData::List(v) => v
                .iter()
                .map(|&x| match vm.heap.data(x) {
                    ObjData::Int(i) => i.as_i64().unwrap(),
                    other => panic!("{other:?}"),
                })
                .collect(),
            other => panic!("not a list: {other:?}"),
        }
    };
    let (m1, zero, m2, one, two) = (
        vm.new_int(-1),
        vm.new_int(0),
        vm.new_int(-2),
        vm.new_int(1),
        vm.new_int(2),
    );
    let s = vm.slice_new(m1, zero, m2);
    let r = vm.list_slice_subscript(list, s);
    assert_eq!(ints(&vm, r), vec![14, 12]);
    let s2 = vm.slice_new(one, wk::NONE, wk::NONE);
    let r2 = call(
        &mut vm,
        "_PyList_SliceSubscript",
        &mut [Value::Obj(list), Value::Obj(s2)],
    );
    let Value::Obj(r2) = r2 else { panic!("{r2:?}") };
    assert_eq!(ints(&vm, r2), vec![11, 12, 13, 14]);
    assert_ne!(r2, list, "a new list");
    let bad_step = vm.slice_new(one, two, zero);
    assert!(vm.list_slice_subscript(list, bad_step).is_null());
    let (t, m) = vm.current_exception_text().expect("raised");
    assert_eq!(
        (t.to_string(), m.as_str()),
        ("ValueError".to_string(), "slice step cannot be zero")
    );
    vm.err_clear();
    let word = vm.new_str("a");
    let bad_bound = vm.slice_new(word, wk::NONE, wk::NONE);
    assert!(vm.list_slice_subscript(list, bad_bound).is_null());
    assert_eq!(
        vm.current_exception_text().unwrap().0.to_string(),
        "TypeError"
    );
    assert!(vm.violations().is_empty());
    // a non-slice key is outside the function's contract
    assert!(vm.list_slice_subscript(list, one).is_null());
    assert_eq!(vm.violations().len(), 1);
}
