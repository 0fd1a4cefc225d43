//! Semantics of the modelled API against values computed by hand / by CPython 3.14.

use runtime::object::{IntVal, ObjData};
use runtime::registry::lookup;
use runtime::well_known as wk;
use runtime::{CStr, FaultPlan, IntTy, Obj, StackRef, Value, Vm};

fn int(vm: &Vm, o: Obj) -> num_bigint::BigInt {
    match vm.heap.data(o) {
        ObjData::Int(i) => i.to_big(),
        other => panic!("not an int: {other:?}"),
    }
}

fn float(vm: &Vm, o: Obj) -> f64 {
    match vm.heap.data(o) {
        ObjData::Float(f) => *f,
        other => panic!("not a float: {other:?}"),
    }
}

fn exc(vm: &Vm) -> (String, String) {
    let (t, m) = vm.current_exception_text().expect("an exception is set");
    (t.to_string(), m)
}

#[test]
fn int_add_crosses_the_compact_boundary() {
    let mut vm = Vm::new();
    let a = vm.new_int((1 << 30) - 1);
    let one = vm.new_int(1);
    assert!(vm.long_is_compact(a));
    let r = vm.long_add(a, one);
    assert_eq!(int(&vm, r), num_bigint::BigInt::from(1u64 << 30));
    assert!(!vm.long_is_compact(r), "2**30 needs two digits");
    assert_eq!(vm.long_digit_count(r), 2);
    let neg = vm.new_int(-(1 << 30) + 1);
    assert!(vm.long_is_compact(neg));
    assert!(!vm.long_is_non_negative_compact(neg));
    assert_eq!(vm.long_compact_value(neg), -(1 << 30) + 1);
}

#[test]
fn int_multiply_overflows_into_bigint() {
    let mut vm = Vm::new();
    let a = vm.new_int(i64::MAX);
    let b = vm.new_int(3);
    let r = vm.number_multiply(a, b);
    let want: num_bigint::BigInt = num_bigint::BigInt::from(i64::MAX) * 3;
    assert_eq!(int(&vm, r), want);
    assert!(matches!(vm.heap.data(r), ObjData::Int(IntVal::Big(_))));
    // 2**40 * 2**40 == 2**80 (CPython: 1208925819614629174706176)
    let p = vm.new_int(1 << 40);
    let r2 = vm.long_multiply(p, p);
    assert_eq!(int(&vm, r2).to_string(), "1208925819614629174706176");
    let s = vm.long_subtract(r2, r2);
    assert_eq!(s, vm.new_int(0), "0 is the immortal small int");
}

#[test]
fn floor_division_and_modulo_follow_python() {
    let mut vm = Vm::new();
    let m5 = vm.new_int(-5);
    let two = vm.new_int(2);
    let q = vm.number_floor_divide(m5, two);
    assert_eq!(int(&vm, q), (-3).into());
    let r = vm.number_remainder(m5, two);
    assert_eq!(int(&vm, r), 1.into());
    let mtwo = vm.new_int(-2);
    let five = vm.new_int(5);
    let r = vm.number_remainder(five, mtwo);
    assert_eq!(int(&vm, r), (-1).into());
    let zero = vm.new_int(0);
    assert!(vm.number_floor_divide(five, zero).is_null());
    assert_eq!(
        exc(&vm),
        (
            "ZeroDivisionError".into(),
            "integer division or modulo by zero".into()
        )
    );
    vm.err_clear();
    let t = vm.number_true_divide(m5, two);
    assert_eq!(float(&vm, t), -2.5);
}

#[test]
fn float_operations() {
    let mut vm = Vm::new();
    let a = vm.new_float(0.1);
    let b = vm.new_float(0.2);
    let s = vm.number_add(a, b);
    assert_eq!(float(&vm, s), 0.30000000000000004);
    assert_eq!(runtime::repr::repr(&vm, s), "0.30000000000000004");
    let m = vm.new_float(-7.5);
    let two = vm.new_int(2);
    let q = vm.number_floor_divide(m, two);
    assert_eq!(float(&vm, q), -4.0);
    let r = vm.number_remainder(m, two);
    assert_eq!(float(&vm, r), 0.5);
    let zero = vm.new_float(0.0);
    assert!(vm.number_true_divide(a, zero).is_null());
    assert_eq!(exc(&vm).0, "ZeroDivisionError");
    vm.err_clear();
    let p = vm.number_power(two, m, wk::NONE);
    assert_eq!(float(&vm, p), 2f64.powf(-7.5));
    let big = vm.new_float(1e100);
    assert_eq!(runtime::repr::repr(&vm, big), "1e+100");
    // int + float is a float
    let three = vm.new_int(3);
    let f = vm.number_add(three, a);
    assert_eq!(float(&vm, f), 3.1);
}

#[test]
fn str_concat_and_errors() {
    let mut vm = Vm::new();
    let a = vm.new_str("ab");
    let b = vm.new_str("cd");
    let c = vm.unicode_concat(a, b);
    assert!(matches!(vm.heap.data(c), ObjData::Str(s) if &**s == "abcd"));
    assert_eq!(vm.unicode_get_length(c), 4);
    assert_eq!(vm.unicode_read_char(c, 2), 'c' as u32);
    let one = vm.new_int(1);
    assert!(vm.number_add(a, one).is_null());
    assert_eq!(
        exc(&vm),
        (
            "TypeError".into(),
            "can only concatenate str (not \"int\") to str".into()
        )
    );
    vm.err_clear();
    assert!(vm.number_subtract(a, one).is_null());
    assert_eq!(
        exc(&vm).1,
        "unsupported operand type(s) for -: 'str' and 'int'"
    );
    vm.err_clear();
    let mut p = a;
    vm.heap.incref(a);
    vm.unicode_append(&mut p, b);
    assert!(matches!(vm.heap.data(p), ObjData::Str(s) if &**s == "abcd"));
    assert_eq!(
        vm.heap.slot(a).unwrap().rc,
        1,
        "append released one reference to the left operand"
    );
}

#[test]
fn dict_versions_reset_when_the_keys_change() {
    let mut vm = Vm::new();
    let d = vm.new_dict();
    let k = vm.intern("x");
    let v1 = vm.new_int(1);
    assert_eq!(vm.dict_set_item(d, k, v1), 0);
    let keys = vm.dict_ma_keys(d);
    assert_eq!(
        vm.keys_dk_version(keys),
        0,
        "no version until one is requested"
    );
    let ver = vm.dict_keys_get_version(runtime::TState, keys);
    assert_ne!(ver, 0);
    assert_eq!(
        vm.dict_keys_get_version(runtime::TState, keys),
        ver,
        "stable while keys are unchanged"
    );
    // replacing a value keeps the keys version
    let v2 = vm.new_int(2);
    vm.dict_set_item(d, k, v2);
    assert_eq!(vm.keys_dk_version(keys), ver);
    assert_eq!(vm.dk_is_unicode(keys), 1);
    // a new key resets it
    let k2 = vm.intern("y");
    vm.dict_set_item(d, k2, v2);
    assert_eq!(vm.keys_dk_version(keys), 0);
    let ver2 = vm.dict_keys_get_version(runtime::TState, keys);
    assert!(ver2 > ver);
    // a non-str key makes the table general
    let ik = vm.new_int(7);
    vm.dict_set_item(d, ik, v2);
    assert_eq!(vm.dk_is_unicode(keys), 0);
    // entries are addressable by index, as DK_UNICODE_ENTRIES(keys)[i]
    let e = runtime::EntryPtr { dict: d, index: 1 };
    assert_eq!(vm.entry_me_key(e), k2);
    assert_eq!(vm.entry_me_value(e), v2);
    // missing key
    let mut out = Obj::NULL;
    let missing = vm.intern("zz");
    assert_eq!(vm.dict_get_item_ref(d, missing, &mut out), 0);
    assert!(out.is_null() && vm.ts.current_exception.is_null());
    assert!(vm.object_get_item(d, missing).is_null());
    assert_eq!(exc(&vm), ("KeyError".into(), "'zz'".into()));
}

#[test]
fn list_iterator_exhaustion_drops_the_sequence() {
    let mut vm = Vm::new();
    let a = vm.new_int(10);
    let b = vm.new_int(20);
    let l = vm.new_list(vec![a, b]);
    let it = vm.object_get_iter(l);
    assert_eq!(
        vm.heap.slot(l).unwrap().rc,
        2,
        "the iterator holds the list"
    );
    assert_eq!(vm.listiter_it_index(it), 0);
    let x = vm.iter_next(it);
    assert_eq!(int(&vm, x), 10.into());
    let y = vm.iter_next(it);
    assert_eq!(int(&vm, y), 20.into());
    assert_eq!(vm.listiter_it_index(it), 2);
    assert!(vm.iter_next(it).is_null());
    assert!(
        vm.ts.current_exception.is_null(),
        "exhaustion sets no exception"
    );
    assert!(vm.listiter_it_seq(it).is_null(), "it_seq is cleared");
    assert_eq!(vm.heap.slot(l).unwrap().rc, 1, "and the list released");
    let r = vm.new_range(0, 10, 3);
    let ri = vm.object_get_iter(r);
    assert_eq!(vm.rangeiter_len(ri), 4);
    let v: Vec<i64> = std::iter::from_fn(|| {
        let o = vm.iter_next(ri);
        (!o.is_null()).then(|| match vm.heap.data(o) {
            ObjData::Int(IntVal::Small(v)) => *v,
            _ => -1,
        })
    })
    .collect();
    assert_eq!(v, vec![0, 3, 6, 9]);
}

#[test]
fn rich_compare_across_kinds() {
    let mut vm = Vm::new();
    let i = vm.new_int(1);
    let f = vm.new_float(1.0);
    let s = vm.new_str("1");
    let half = vm.new_float(0.5);
    let cmp = |vm: &mut Vm, a, b, op| {
        let r = vm.object_rich_compare(a, b, op);
        assert!(!r.is_null());
        r == wk::TRUE
    };
    assert!(cmp(&mut vm, i, f, 2), "1 == 1.0");
    assert!(!cmp(&mut vm, i, s, 2), "1 != '1'");
    assert!(cmp(&mut vm, i, s, 3));
    assert!(cmp(&mut vm, half, i, 0), "0.5 < 1");
    let big = vm.new_int_big(num_bigint::BigInt::from(1u128 << 100));
    let fb = vm.new_float(2f64.powi(100));
    assert!(cmp(&mut vm, big, fb, 2), "2**100 == 2.0**100");
    let a = vm.new_str("abc");
    let b = vm.new_str("abd");
    assert!(cmp(&mut vm, a, b, 0));
    assert!(vm.object_rich_compare(i, s, 0).is_null());
    assert_eq!(
        exc(&vm),
        (
            "TypeError".into(),
            "'<' not supported between instances of 'int' and 'str'".into()
        )
    );
    vm.err_clear();
    let nan = vm.new_float(f64::NAN);
    let nan2 = vm.new_float(f64::NAN);
    assert!(!cmp(&mut vm, nan, nan2, 2), "nan != nan");
    assert!(!cmp(&mut vm, nan, i, 0), "nan < 1 is false");
    assert_eq!(
        vm.object_rich_compare_bool(nan, nan, 2),
        1,
        "identity implies equality"
    );
}

#[test]
fn exceptions_have_the_right_type_and_message() {
    let mut vm = Vm::new();
    let name = vm.intern("spam");
    vm.eval_format_exc_check_arg(
        runtime::TState,
        wk::EXC_NAME_ERROR,
        runtime::api::errors::NAME_ERROR_MSG,
        name,
    );
    assert_eq!(
        exc(&vm),
        ("NameError".into(), "name 'spam' is not defined".into())
    );
    assert_eq!(vm.err_exception_matches(wk::EXC_EXCEPTION), 1);
    assert_eq!(vm.err_exception_matches(wk::EXC_TYPE_ERROR), 0);
    assert_eq!(vm.err_occurred(), wk::EXC_NAME_ERROR);
    let e = vm.err_get_raised_exception();
    assert!(vm.err_occurred().is_null());
    vm.err_set_raised_exception(e);
    assert_eq!(vm.err_occurred(), wk::EXC_NAME_ERROR);
    let seven = vm.new_int(7);
    vm.err_format(
        wk::EXC_TYPE_ERROR,
        CStr::Lit("%.3s got %d: %R / %T"),
        &[
            Value::CStr(CStr::Lit("abcdef")),
            Value::Int(42, IntTy::INT),
            Value::Obj(name),
            Value::Obj(seven),
        ],
    );
    assert_eq!(
        exc(&vm),
        ("TypeError".into(), "abc got 42: 'spam' / int".into())
    );
    let l = vm.new_list(vec![]);
    assert!(vm.object_get_attr(l, name).is_null());
    assert_eq!(
        exc(&vm),
        (
            "AttributeError".into(),
            "'list' object has no attribute 'spam'".into()
        )
    );
    assert!(vm.object_get_item(l, seven).is_null());
    assert_eq!(
        exc(&vm),
        ("IndexError".into(), "list index out of range".into())
    );
    vm.err_clear();
    assert!(vm.ts.current_exception.is_null());
}

#[test]
fn registry_calls_the_same_implementation() {
    let mut vm = Vm::new();
    let a = vm.new_int(40);
    let b = vm.new_int(2);
    let add = lookup("PyNumber_Add").expect("registered");
    assert_eq!(add.c_params.len(), 2);
    let r = add
        .invoke(&mut vm, &mut [Value::Obj(a), Value::Obj(b)])
        .unwrap();
    let Value::Obj(r) = r else { panic!("{r:?}") };
    assert_eq!(int(&vm, r), 42.into());
    // out-parameters are written back into the argument slice
    let d = vm.new_dict();
    let k = vm.intern("k");
    vm.dict_set_item(d, k, a);
    let mut args = [Value::Obj(d), Value::Obj(k), Value::Obj(Obj::NULL)];
    let got = lookup("PyDict_GetItemRef")
        .unwrap()
        .invoke(&mut vm, &mut args)
        .unwrap();
    assert_eq!(got, Value::Int(1, IntTy::INT));
    assert_eq!(args[2], Value::Obj(a));
    // variadic tail
    let mut args = [
        Value::Obj(wk::EXC_VALUE_ERROR),
        Value::CStr(CStr::Lit("x=%d")),
        Value::Int(5, IntTy::INT),
    ];
    lookup("PyErr_Format")
        .unwrap()
        .invoke(&mut vm, &mut args)
        .unwrap();
    assert_eq!(exc(&vm), ("ValueError".into(), "x=5".into()));
    // arity and type errors are reported, not panics
    assert!(add.invoke(&mut vm, &mut [Value::Obj(a)]).is_err());
    assert!(add
        .invoke(&mut vm, &mut [Value::Obj(a), Value::Float(1.0)])
        .is_err());
    // field accessors are keyed "Type.field"
    let ty = lookup("PyTypeObject.tp_version_tag").unwrap();
    assert!(
        matches!(ty.invoke(&mut vm, &mut [Value::Obj(wk::LONG_TYPE)]).unwrap(), Value::Int(v, _) if v > 0)
    );
}

#[test]
fn fault_injection_fails_the_planned_call() {
    let mut vm = Vm::new();
    let a = vm.new_int(1);
    let b = vm.new_int(2);
    vm.begin_run(FaultPlan::fail_nth(1));
    let r0 = vm.number_add(a, b);
    assert!(!r0.is_null(), "call 0 succeeds");
    let r1 = vm.number_add(a, b);
    assert!(r1.is_null(), "call 1 fails");
    assert_eq!(exc(&vm).0, "MemoryError");
    assert!(vm.faults.fired);
    vm.err_clear();
    let r2 = vm.number_add(a, b);
    assert!(!r2.is_null(), "only the planned call fails");
    assert_eq!(vm.faults.calls, 3);
    // a failing steal-on-failure API still consumes its argument
    vm.begin_run(FaultPlan::fail_nth(0));
    let l = vm.new_list(vec![]);
    let x = vm.new_int(1000);
    assert_eq!(vm.list_append_take_ref(l, x), -1);
    assert!(vm.heap.slot(x).unwrap().freed);
}

#[test]
fn subscript_slices_and_containment() {
    let mut vm = Vm::new();
    let items: Vec<Obj> = (0..5).map(|i| vm.new_int(i)).collect();
    let t = vm.new_tuple(items);
    let one = vm.new_int(1);
    let four = vm.new_int(4);
    let sl = vm.slice_new(one, four, Obj::NULL);
    let r = vm.object_get_item(t, sl);
    assert_eq!(runtime::repr::repr(&vm, r), "(1, 2, 3)");
    let m1 = vm.new_int(-1);
    let last = vm.object_get_item(t, m1);
    assert_eq!(int(&vm, last), 4.into());
    assert_eq!(vm.sequence_contains(t, four), 1);
    let s = vm.new_str("hello");
    let ell = vm.new_str("ell");
    assert_eq!(vm.sequence_contains(s, ell), 1);
    let l = vm.new_list(vec![]);
    let st = vm.set_new(Obj::NULL);
    assert_eq!(vm.set_add(st, l), -1, "lists are unhashable");
    assert_eq!(
        exc(&vm),
        ("TypeError".into(), "unhashable type: 'list'".into())
    );
}

#[test]
fn raise_lookup_and_counters() {
    let mut vm = Vm::new();
    // raise TypeError from ValueError(): instance built from the class, cause attached
    let cause = vm.new_exception(wk::EXC_VALUE_ERROR, wk::EMPTY_TUPLE);
    assert_eq!(vm.do_raise(runtime::TState, wk::EXC_TYPE_ERROR, cause), 0);
    let e = vm.ts.current_exception;
    assert_eq!(vm.type_of(e), wk::EXC_TYPE_ERROR);
    assert!(matches!(vm.heap.data(e), ObjData::Exception { cause: c, .. } if *c == cause));
    vm.err_clear();
    // bare raise without a handled exception
    assert_eq!(vm.do_raise(runtime::TState, Obj::NULL, Obj::NULL), 0);
    assert_eq!(
        exc(&vm),
        (
            "RuntimeError".into(),
            "No active exception to reraise".into()
        )
    );
    vm.err_clear();
    // raise 42
    let n = vm.new_int(42);
    assert_eq!(vm.do_raise(runtime::TState, n, Obj::NULL), 0);
    assert_eq!(
        exc(&vm),
        (
            "TypeError".into(),
            "exceptions must derive from BaseException".into()
        )
    );
    vm.err_clear();

    // LOAD_GLOBAL: globals shadow builtins; missing names raise NameError
    let g = vm.new_dict();
    let b = vm.new_dict();
    let x = vm.intern("x");
    let len = vm.intern("len");
    let one = vm.new_int(1);
    let two = vm.new_int(2);
    vm.dict_set_item(b, x, one);
    vm.dict_set_item(b, len, two);
    vm.dict_set_item(g, x, two);
    let mut out = StackRef::NULL;
    vm.eval_load_global_stackref(g, b, x, &mut out);
    assert_eq!(out.obj(), two);
    vm.eval_load_global_stackref(g, b, len, &mut out);
    assert_eq!(out.obj(), two);
    let nope = vm.intern("nope");
    vm.eval_load_global_stackref(g, b, nope, &mut out);
    assert!(out.is_null());
    assert_eq!(
        exc(&vm),
        ("NameError".into(), "name 'nope' is not defined".into())
    );
    vm.err_clear();
    assert_eq!(vm.dict_load_global(g, b, len), two);
    assert!(vm.dict_load_global(g, b, nope).is_null());
    assert!(vm.ts.current_exception.is_null());

    // COMPARISON_BIT: 2 less, 4 greater, 8 equal, 1 unordered
    assert_eq!(vm.comparison_bit(1.0, 2.0), 2);
    assert_eq!(vm.comparison_bit(2.0, 1.0), 4);
    assert_eq!(vm.comparison_bit(2.0, 2.0), 8);
    assert_eq!(vm.comparison_bit(f64::NAN, 1.0), 1);

    // backoff counters: value in the top 12 bits, backoff in the low 4
    let c = vm.initial_jump_backoff_counter();
    assert_eq!(c, (4095 << 4) | 12);
    assert!(!vm.backoff_counter_triggers(c));
    let zero = vm.restart_backoff_counter(0);
    assert_eq!(
        zero,
        (1 << 4) | 1,
        "backoff 0 restarts at value 1, backoff 1"
    );
    let z = vm.advance_backoff_counter(zero);
    assert!(vm.backoff_counter_triggers(z));
    let paused = vm.pause_backoff_counter(z);
    assert!(!vm.backoff_counter_triggers(paused));

    // except T: needs exception classes
    assert_eq!(
        vm.eval_check_except_type_valid(runtime::TState, wk::EXC_KEY_ERROR),
        0
    );
    assert_eq!(
        vm.eval_check_except_type_valid(runtime::TState, wk::LONG_TYPE),
        -1
    );
    assert_eq!(exc(&vm).0, "TypeError");
}

#[test]
fn specializers_take_the_failure_path() {
    let mut vm = Vm::new();
    // TO_BOOL at unit 0 with its counter (value 0, backoff 1: triggered) at unit 1
    let code = vm.simple_code(vec![0x0031, 1, 0, 0], vec![], &[], 0, 2);
    vm.push_frame(code, Obj::NULL, Obj::NULL, Obj::NULL);
    let instr = runtime::CodePtr { code, index: 0 };
    let before = vm.read_u16(instr.offset(1));
    assert!(vm.backoff_counter_triggers(before));
    vm.specialize_to_bool(StackRef::NONE, instr);
    assert_eq!(
        vm.read_u16(instr.offset(1)),
        (3 << 4) | 2,
        "backoff 1 restarts at value 3, backoff 2"
    );
    assert_eq!(vm.read_u16(instr), 0x0031, "the opcode stays generic");
    // a counter past the end of the bytecode is a violation, not a crash
    let end = runtime::CodePtr { code, index: 3 };
    vm.specialize_contains_op(StackRef::NONE, end);
    assert_eq!(vm.violations().len(), 2, "{:?}", vm.violations());
}

#[test]
fn repeating_an_empty_sequence_a_huge_number_of_times_is_empty_and_quick() {
    let mut vm = Vm::new();
    let l = vm.new_list(Vec::new());
    let huge = vm.new_int(i64::MAX);
    let r = vm.number_multiply(l, huge);
    assert!(matches!(vm.heap.data(r), ObjData::List(v) if v.is_empty()));
    let t = vm.number_multiply(wk::EMPTY_TUPLE, huge);
    assert_eq!(t, wk::EMPTY_TUPLE);
}

/// Interning returns one immortal object per distinct text, whatever prefix texts share (long
/// names that agree on their first bytes, a name and its extension) and however many are
/// interned.
#[test]
fn intern_is_one_object_per_text() {
    let mut vm = Vm::new();
    assert_eq!(vm.intern(""), wk::EMPTY_STR);
    let texts = [
        "x",
        "xy",
        "x\0",
        "abcdefg",
        "abcdefgh",
        "abcdefgh1",
        "abcdefgh2",
        "abcdefgX1",
    ];
    let objs: Vec<Obj> = texts.iter().map(|t| vm.intern(t)).collect();
    for (i, t) in texts.iter().enumerate() {
        assert_eq!(vm.intern(t), objs[i], "{t:?} interned twice");
        assert!(vm.heap.is_immortal(objs[i]));
        match vm.heap.data(objs[i]) {
            ObjData::Str(s) => assert_eq!(&**s, *t),
            other => panic!("{t:?}: {other:?}"),
        }
        for (j, u) in texts.iter().enumerate() {
            assert_eq!(objs[i] == objs[j], i == j, "{t:?} vs {u:?}");
        }
    }
    let long = "n".repeat(300);
    let a = vm.intern(&long);
    assert_eq!(vm.intern(&long), a);
    assert_ne!(vm.intern(&"n".repeat(301)), a);
}

/// `ob_digit[i]` is digit `i` of the magnitude in base 2^30 (CPython's `PYLONG_BITS_IN_DIGIT`),
/// least significant first; a negative int stores its magnitude.
#[test]
fn long_ob_digit_reads_base_2_30_digits_of_the_magnitude() {
    let mut vm = Vm::new();
    let zero = vm.new_int(0);
    let five = vm.new_int(5);
    let neg = vm.new_int(-7);
    // 2^30 + 3 = digits [3, 1]
    let two = vm.new_int((1 << 30) + 3);
    // 2^63 = 2^(2*30 + 3): digits [0, 0, 8]
    let big = vm.new_int_big(num_bigint::BigInt::from(1u64 << 63));
    assert_eq!(vm.long_ob_digit(zero, 0), 0);
    assert_eq!(vm.long_ob_digit(five, 0), 5);
    assert_eq!(vm.long_ob_digit(neg, 0), 7);
    assert_eq!(vm.long_ob_digit(two, 0), 3);
    assert_eq!(vm.long_ob_digit(two, 1), 1);
    assert_eq!(vm.long_ob_digit(big, 0), 0);
    assert_eq!(vm.long_ob_digit(big, 2), 8);
    assert!(vm.violations().is_empty());
    // the registry getter takes the base and the index, like `p->long_value.ob_digit[i]`
    let get = lookup("PyLongObject.long_value.ob_digit").expect("registered");
    let r = get
        .invoke(&mut vm, &mut [Value::Obj(two), Value::Int(1, IntTy::SSIZE)])
        .unwrap();
    assert_eq!(r, Value::Int(1, IntTy::U32));
    // past the allocated digits (5 has one) is undefined behaviour: a violation
    vm.long_ob_digit(five, 1);
    assert_eq!(vm.violations().len(), 1);
}

/// `f->localsplus[i]` of a frame: locals then the value stack; a plain store (the old value is
/// not released), and an index past the frame's slots is a violation.
#[test]
fn frame_localsplus_reads_and_writes_slots_of_any_frame() {
    let mut vm = Vm::new();
    let code = vm.simple_code(vec![0; 4], Vec::new(), &[], 1, 2);
    vm.push_frame(code, Obj::NULL, Obj::NULL, Obj::NULL);
    let f = vm.frame();
    vm.frame_set_localsplus(f, 2, StackRef::NONE);
    assert_eq!(vm.frame_localsplus(f, 2), StackRef::NONE);
    assert_eq!(vm.frame_localsplus(f, 0), StackRef::NULL);
    assert!(vm.violations().is_empty());
    // 1 local + 2 stack slots: index 3 is past them
    vm.frame_set_localsplus(f, 3, StackRef::NONE);
    assert_eq!(vm.frame_localsplus(f, -1), StackRef::NULL);
    assert_eq!(vm.violations().len(), 2);
}

#[test]
fn py_size_of_a_str_is_its_length_in_code_points() {
    // `PyASCIIObject.length` overlays `ob_size`: CPython's `Py_SIZE("abc")` is 3, and
    // `_TO_BOOL_STR` relies on it (`assert(Py_SIZE(value_o))` for every non-empty str).
    let mut vm = Vm::new();
    let abc = vm.new_str("abc");
    let accented = vm.new_str("h\u{e9}");
    let empty = vm.new_str("");
    let one = vm.new_int(1);
    let two = vm.new_int(2);
    let pair = vm.new_tuple(vec![one, two]);
    assert_eq!(vm.py_size(abc), 3);
    assert_eq!(vm.py_size(accented), 2);
    assert_eq!(vm.py_size(empty), 0);
    assert_eq!(vm.py_size(pair), 2);
}
