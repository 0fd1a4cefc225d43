//! `_PyEval_UnpackIterableStackRef` against CPython 3.14's Python/ceval.c: items written
//! downward from the end of the output array, the reference counts they take, and each error
//! message (with nothing left owned in the output on error).

use runtime::object::ObjData;
use runtime::well_known as wk;
use runtime::{Obj, StackRef, TState, Vm};

fn rc(vm: &Vm, o: Obj) -> i64 {
    vm.heap.slot(o).expect("live object").rc
}

fn exc(vm: &Vm) -> (String, String) {
    let (t, m) = vm.current_exception_text().expect("an exception is set");
    (t.to_string(), m)
}

/// `n` distinct mortal objects, each with one reference.
fn items(vm: &mut Vm, n: u64) -> Vec<Obj> {
    (0..n)
        .map(|i| vm.new_opaque(wk::OPAQUE_TYPE, 100 + i))
        .collect()
}

fn unpack(vm: &mut Vm, v: Obj, before: i32, after: i32, len: usize) -> (i32, Vec<StackRef>) {
    let mut out = vec![StackRef::NULL; len];
    let r = vm.eval_unpack_iterable(TState, v, before, after, &mut out);
    (r, out)
}

#[test]
fn a_tuple_is_written_from_the_top_down_with_new_references() {
    let mut vm = Vm::new();
    let xs = items(&mut vm, 3);
    let t = vm.new_tuple(xs.clone());
    let before: Vec<i64> = xs.iter().map(|&x| rc(&vm, x)).collect();
    let (r, out) = unpack(&mut vm, t, 3, -1, 3);
    assert_eq!(r, 1);
    // `*--sp` per item: the first item ends highest, so the stack pops them in order.
    assert_eq!(
        out,
        vec![
            StackRef::owned(xs[2]),
            StackRef::owned(xs[1]),
            StackRef::owned(xs[0])
        ]
    );
    for (x, b) in xs.iter().zip(before) {
        assert_eq!(rc(&vm, *x), b + 1);
    }
    assert!(vm.current_exception_text().is_none());
}

#[test]
fn too_few_items_release_what_was_written() {
    let mut vm = Vm::new();
    let xs = items(&mut vm, 2);
    let l = vm.new_list(xs.clone());
    let before: Vec<i64> = xs.iter().map(|&x| rc(&vm, x)).collect();
    let (r, out) = unpack(&mut vm, l, 3, -1, 3);
    assert_eq!(r, 0);
    assert_eq!(
        exc(&vm),
        (
            "ValueError".into(),
            "not enough values to unpack (expected 3, got 2)".into()
        )
    );
    assert!(out.iter().all(|s| s.is_null()));
    for (x, b) in xs.iter().zip(before) {
        assert_eq!(rc(&vm, *x), b);
    }
}

#[test]
fn too_many_items_name_the_length_of_lists_tuples_and_dicts_only() {
    let mut vm = Vm::new();
    let xs = items(&mut vm, 3);
    let t = vm.new_tuple(xs.clone());
    let (r, out) = unpack(&mut vm, t, 2, -1, 2);
    assert_eq!(r, 0);
    assert_eq!(
        exc(&vm),
        (
            "ValueError".into(),
            "too many values to unpack (expected 2, got 3)".into()
        )
    );
    assert!(out.iter().all(|s| s.is_null()));
    assert_eq!(
        rc(&vm, xs[0]),
        1,
        "only the tuple's reference (it stole the new one)"
    );

    let mut vm = Vm::new();
    let range = vm.new_range(0, 5, 1);
    let (r, _) = unpack(&mut vm, range, 2, -1, 2);
    assert_eq!(r, 0);
    assert_eq!(
        exc(&vm),
        (
            "ValueError".into(),
            "too many values to unpack (expected 2)".into()
        )
    );
}

#[test]
fn a_str_unpacks_into_its_characters() {
    let mut vm = Vm::new();
    let s = vm.new_str("ab");
    let (r, out) = unpack(&mut vm, s, 2, -1, 2);
    assert_eq!(r, 1);
    let text = |vm: &Vm, r: StackRef| match vm.heap.data(r.obj()) {
        ObjData::Str(s) => s.to_string(),
        other => panic!("not a str: {other:?}"),
    };
    assert_eq!(text(&vm, out[1]), "a");
    assert_eq!(text(&vm, out[0]), "b");
}

#[test]
fn a_non_iterable_gets_the_unpack_wording() {
    let mut vm = Vm::new();
    let o = vm.new_opaque(wk::OPAQUE_TYPE, 7);
    let (r, out) = unpack(&mut vm, o, 2, -1, 2);
    assert_eq!(r, 0);
    assert_eq!(
        exc(&vm),
        (
            "TypeError".into(),
            "cannot unpack non-iterable opaque object".into()
        )
    );
    assert!(out.iter().all(|s| s.is_null()));
}

#[test]
fn a_starred_target_gets_a_list_of_the_middle_items() {
    // `a, *b, c, d = [x0, x1, x2, x3, x4]`: UNPACK_EX with 1 before and 2 after.
    let mut vm = Vm::new();
    let xs = items(&mut vm, 5);
    let l = vm.new_list(xs.clone());
    let (r, out) = unpack(&mut vm, l, 1, 2, 4);
    assert_eq!(r, 1);
    assert_eq!(out[3], StackRef::owned(xs[0]));
    match vm.heap.data(out[2].obj()) {
        ObjData::List(v) => assert_eq!(v, &vec![xs[1], xs[2]]),
        other => panic!("not a list: {other:?}"),
    }
    assert_eq!(out[1], StackRef::owned(xs[3]));
    assert_eq!(out[0], StackRef::owned(xs[4]));
    // every item: the source list's reference (stolen at creation) and one on the stack or in `b`
    for &x in &xs {
        assert_eq!(rc(&vm, x), 2);
    }
}

#[test]
fn a_starred_target_short_of_items_reports_at_least() {
    let mut vm = Vm::new();
    let xs = items(&mut vm, 2);
    let t = vm.new_tuple(xs.clone());
    // Short after the star: the count includes the items before it.
    let (r, out) = unpack(&mut vm, t, 1, 2, 4);
    assert_eq!(r, 0);
    assert_eq!(
        exc(&vm),
        (
            "ValueError".into(),
            "not enough values to unpack (expected at least 3, got 2)".into()
        )
    );
    assert!(out.iter().all(|s| s.is_null()));
    assert_eq!(rc(&vm, xs[0]), 1);
    assert_eq!(rc(&vm, xs[1]), 1);

    // Short before the star: `got` counts the items iterated.
    let mut vm = Vm::new();
    let xs = items(&mut vm, 2);
    let t = vm.new_tuple(xs.clone());
    let (r, _) = unpack(&mut vm, t, 3, 1, 5);
    assert_eq!(r, 0);
    assert_eq!(
        exc(&vm),
        (
            "ValueError".into(),
            "not enough values to unpack (expected at least 4, got 2)".into()
        )
    );
    assert_eq!(rc(&vm, xs[0]), 1);
}

#[test]
fn a_dict_unpacks_its_keys_and_names_its_size() {
    let mut vm = Vm::new();
    let d = vm.new_dict();
    let ks: Vec<Obj> = ["k0", "k1", "k2"].iter().map(|k| vm.new_str(k)).collect();
    let v = vm.new_opaque(wk::OPAQUE_TYPE, 1);
    for &k in &ks {
        assert_eq!(vm.dict_set_item(d, k, v), 0);
    }
    let (r, _) = unpack(&mut vm, d, 2, -1, 2);
    assert_eq!(r, 0);
    assert_eq!(
        exc(&vm),
        (
            "ValueError".into(),
            "too many values to unpack (expected 2, got 3)".into()
        )
    );
    vm.err_clear();
    let (r, out) = unpack(&mut vm, d, 3, -1, 3);
    assert_eq!(r, 1);
    assert_eq!(
        out,
        vec![
            StackRef::owned(ks[2]),
            StackRef::owned(ks[1]),
            StackRef::owned(ks[0])
        ]
    );
}
