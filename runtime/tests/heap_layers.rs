//! The heap's copy-on-write layers: copies made after a fork share the objects of the fork, and
//! a write in one copy (reference count, contents, freeing) is seen by that copy only — a copy
//! reads exactly what a deep copy would.

use runtime::heap::{Heap, Slot};
use runtime::well_known as wk;
use runtime::{IntVal, Obj, ObjData};

/// Every slot of the heap, by value (what a deep copy would hold).
fn contents(h: &Heap) -> Vec<Slot> {
    h.iter().map(|(_, s)| s.clone()).collect()
}

fn int(h: &Heap, o: Obj) -> Option<i64> {
    match h.data(o) {
        ObjData::Int(IntVal::Small(v)) => Some(*v),
        _ => None,
    }
}

/// A heap with a list holding two ints, as (heap, list, first int, second int).
fn small_heap() -> (Heap, Obj, Obj, Obj) {
    let mut h = Heap::default();
    let x = h.alloc(wk::LONG_TYPE, ObjData::Int(IntVal::Small(10)));
    let y = h.alloc(wk::LONG_TYPE, ObjData::Int(IntVal::Small(20)));
    let l = h.alloc(wk::LIST_TYPE, ObjData::List(vec![x, y]));
    (h, l, x, y)
}

#[test]
fn a_write_after_the_fork_is_seen_by_the_writing_copy_only() {
    let (mut h, l, x, y) = small_heap();
    h.fork();
    let before = contents(&h);
    let mut b = h.clone();
    // contents, reference count and a new object, all in `b`
    *b.data_mut(x) = ObjData::Int(IntVal::Small(11));
    b.incref(y);
    let z = b.alloc(wk::LONG_TYPE, ObjData::Int(IntVal::Small(30)));
    if let ObjData::List(items) = b.data_mut(l) {
        items.push(z);
    }
    assert_eq!(contents(&h), before, "the original is untouched");
    assert_eq!(h.len(), b.len() - 1);
    assert_eq!((int(&h, x), int(&b, x)), (Some(10), Some(11)));
    assert_eq!(h.slot(y).map(|s| s.rc), Some(1));
    assert_eq!(b.slot(y).map(|s| s.rc), Some(2));
    assert_eq!(h.data(l), &ObjData::List(vec![x, y]));
    assert_eq!(b.data(l), &ObjData::List(vec![x, y, z]));
    // a second copy of the original shares nothing `b` wrote
    let c = h.clone();
    assert_eq!(contents(&c), before);
}

#[test]
fn freeing_in_one_copy_leaves_the_other_copy_whole() {
    let (mut h, l, x, y) = small_heap();
    h.fork();
    let mut b = h.clone();
    b.decref(l);
    for o in [l, x, y] {
        assert!(!b.is_live(o), "{o:?} freed with the list in the copy");
        assert!(h.is_live(o), "{o:?} still live in the original");
    }
    assert!(b.violations.is_empty() && h.violations.is_empty());
}

#[test]
fn a_second_fork_keeps_the_writes_and_objects_of_the_first() {
    let (mut h, l, x, _) = small_heap();
    h.fork();
    *h.data_mut(x) = ObjData::Int(IntVal::Small(12));
    let z = h.alloc(wk::LONG_TYPE, ObjData::Int(IntVal::Small(30)));
    let after_writes = contents(&h);
    // the old layer is still shared with this copy, so the second fork must copy, not move it
    let sibling = h.clone();
    h.fork();
    assert_eq!(contents(&h), after_writes);
    assert_eq!(contents(&sibling), after_writes);
    let mut b = h.clone();
    b.decref(z);
    *b.data_mut(x) = ObjData::Int(IntVal::Small(13));
    assert_eq!(contents(&h), after_writes);
    assert_eq!((int(&h, x), int(&b, x)), (Some(12), Some(13)));
    assert!(h.is_live(z) && !b.is_live(z));
    assert!(h.is_live(l));
}

#[test]
fn freezing_a_forked_heap_keeps_every_slot() {
    let (mut h, _, x, _) = small_heap();
    h.fork();
    h.incref(x);
    let z = h.alloc(wk::LONG_TYPE, ObjData::Int(IntVal::Small(30)));
    let before = contents(&h);
    h.freeze();
    assert_eq!(contents(&h), before);
    assert_eq!(h.slot(x).map(|s| s.rc), Some(2));
    assert_eq!(int(&h, z), Some(30));
    // frozen slots are the copy-on-write prefix now: a copy's write stays in the copy
    let mut b = h.clone();
    b.incref(x);
    assert_eq!(h.slot(x).map(|s| s.rc), Some(2));
    assert_eq!(b.slot(x).map(|s| s.rc), Some(3));
}

#[test]
fn copies_of_a_fork_compare_equal_to_deep_copies() {
    let (mut h, l, x, y) = small_heap();
    h.fork();
    let mut b = h.clone();
    b.incref(x);
    b.decref(x);
    if let ObjData::List(items) = b.data_mut(l) {
        items.reverse();
        items.reverse();
    }
    // written slots hold the same values again: the heaps compare equal slot by slot
    assert!(h == b);
    b.incref(y);
    assert!(h != b);
}
