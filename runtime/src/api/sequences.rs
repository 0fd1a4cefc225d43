//! Tuples, lists, dicts, sets and their iterators: the concrete-type API specialized bodies use.

use crate::containers::Raised;
use crate::handles::{KeysRef, Obj};
use crate::heap::Violation;
use crate::object::ObjData;
use crate::well_known as wk;

impl crate::vm::Vm {
    fn items_of(&mut self, o: Obj, what: &'static str) -> Vec<Obj> {
        match &self.heap.get(o, what).data {
            ObjData::Tuple(v) | ObjData::List(v) => v.clone(),
            _ => {
                self.violation(Violation::Assertion(what));
                Vec::new()
            }
        }
    }

    fn item_at(&mut self, o: Obj, i: i64, what: &'static str) -> Obj {
        let v = match &self.heap.get(o, what).data {
            ObjData::Tuple(v) | ObjData::List(v) => {
                if i >= 0 && (i as usize) < v.len() {
                    Some(v[i as usize])
                } else {
                    None
                }
            }
            _ => None,
        };
        v.unwrap_or_else(|| {
            self.violation(Violation::Assertion(what));
            Obj::NULL
        })
    }

    fn dict_of(&mut self, d: Obj, what: &'static str) -> bool {
        let ok = matches!(self.heap.get(d, what).data, ObjData::Dict(_));
        if !ok {
            self.violation(Violation::Assertion(what));
        }
        ok
    }
}

crate::api! {
    /// Number of items of a tuple.
    "Py_ssize_t PyTuple_GET_SIZE(PyObject *op)"
    fn tuple_get_size(&mut self, op: Obj) -> i64 {
        self.items_of(op, "PyTuple_GET_SIZE of a non-tuple").len() as i64
    }

    /// Item `i` of a tuple (borrowed, unchecked index).
    "PyObject *PyTuple_GET_ITEM(PyObject *op, Py_ssize_t i)"
    fn tuple_get_item_unchecked(&mut self, op: Obj, i: i64) -> Obj {
        self.item_at(op, i, "PyTuple_GET_ITEM index out of range")
    }

    /// Item `i` of a tuple (borrowed; NULL with `IndexError` when out of range).
    "PyObject *PyTuple_GetItem(PyObject *op, Py_ssize_t i)"
    fn tuple_get_item(&mut self, op: Obj, i: i64) -> Obj {
        let v = match self.heap.get(op, "PyTuple_GetItem").data {
            ObjData::Tuple(ref v) => v.get(i.max(-1) as usize).copied().filter(|_| i >= 0),
            _ => {
                self.bad_internal_call("PyTuple_GetItem of a non-tuple");
                return Obj::NULL;
            }
        };
        match v {
            Some(x) => x,
            None => self.raise(wk::EXC_INDEX_ERROR, "tuple index out of range"),
        }
    }

    /// Number of items of a list.
    "Py_ssize_t PyList_GET_SIZE(PyObject *op)"
    fn list_get_size(&mut self, op: Obj) -> i64 {
        self.items_of(op, "PyList_GET_SIZE of a non-list").len() as i64
    }

    /// Item `i` of a list (borrowed, unchecked index).
    "PyObject *PyList_GET_ITEM(PyObject *op, Py_ssize_t i)"
    fn list_get_item_unchecked(&mut self, op: Obj, i: i64) -> Obj {
        self.item_at(op, i, "PyList_GET_ITEM index out of range")
    }

    /// Stores `v` (stolen) at index `i` without releasing the old item.
    "void PyList_SET_ITEM(PyObject *op, Py_ssize_t i, PyObject *v)"
    fn list_set_item_unchecked(&mut self, op: Obj, i: i64, v: Obj) -> () {
        self.heap.get(op, "PyList_SET_ITEM");
        match self.heap.data_mut(op) {
            ObjData::List(l) if i >= 0 && (i as usize) < l.len() => l[i as usize] = v,
            _ => self.violation(Violation::Assertion("PyList_SET_ITEM index out of range")),
        }
    }

    /// A new reference to item `i`, or NULL (no exception) when out of range.
    "PyObject *_PyList_GetItemRef(PyListObject *op, Py_ssize_t i)"
    fn list_get_item_ref(&mut self, op: Obj, i: i64) -> Obj {
        let v = match self.heap.get(op, "_PyList_GetItemRef").data {
            ObjData::List(ref v) if i >= 0 => v.get(i as usize).copied().unwrap_or(Obj::NULL),
            _ => Obj::NULL,
        };
        self.heap.xincref(v);
        v
    }

    /// A new empty list of `size` NULL items (filled with `PyList_SET_ITEM`).
    "PyObject *PyList_New(Py_ssize_t size)"
    fn list_new(&mut self, size: i64) -> Obj {
        if self.fallible() { return Obj::NULL; }
        if size < 0 {
            self.bad_internal_call("PyList_New with a negative size");
            return Obj::NULL;
        }
        if size > 1 << 20 {
            // Larger lists are refused like a failed allocation (keeps the model small).
            return self.err_no_memory();
        }
        self.new_list(vec![Obj::NULL; size as usize])
    }

    /// `list.append(v)` (new reference taken): 0 or -1.
    "int PyList_Append(PyObject *list, PyObject *v)"
    fn list_append(&mut self, list: Obj, v: Obj) -> i32 {
        self.heap.incref(v);
        self.list_append_take_ref(list, v)
    }

    /// `list.append(v)`, stealing `v` (also on failure): 0 or -1.
    "int _PyList_AppendTakeRef(PyListObject *list, PyObject *v)"
    fn list_append_take_ref(&mut self, list: Obj, v: Obj) -> i32 {
        if self.fallible() {
            self.heap.decref(v);
            return -1;
        }
        self.heap.get(list, "_PyList_AppendTakeRef");
        match self.heap.data_mut(list) {
            ObjData::List(l) => {
                l.push(v);
                0
            }
            _ => {
                self.heap.decref(v);
                self.bad_internal_call("_PyList_AppendTakeRef of a non-list");
                -1
            }
        }
    }

    /// `list.extend(iterable)`: returns None (new reference) or NULL.
    "PyObject *_PyList_Extend(PyListObject *list, PyObject *iterable)"
    fn list_extend(&mut self, list: Obj, iterable: Obj) -> Obj {
        if self.fallible() { return Obj::NULL; }
        let Some(items) = self.iterable_items(iterable) else {
            return Obj::NULL;
        };
        if let ObjData::List(l) = self.heap.data_mut(list) {
            l.extend(items);
        }
        wk::NONE
    }

    /// `tuple(list)`
    "PyObject *PyList_AsTuple(PyObject *list)"
    fn list_as_tuple(&mut self, list: Obj) -> Obj {
        if self.fallible() { return Obj::NULL; }
        let items = self.items_of(list, "PyList_AsTuple of a non-list");
        for i in &items {
            self.heap.incref(*i);
        }
        self.new_tuple(items)
    }

    /// `list[slice]` (`list_slice_wrap` after `PySlice_Unpack`): a new list; TypeError for
    /// non-integer bounds, ValueError for a zero step. The caller guarantees an exact list and a
    /// slice (C asserts); anything else is a violation.
    "PyObject *_PyList_SliceSubscript(PyObject *list, PyObject *item)"
    fn list_slice_subscript(&mut self, list: Obj, item: Obj) -> Obj {
        let is_list = matches!(self.heap.get(list, "_PyList_SliceSubscript").data, ObjData::List(_));
        let is_slice = matches!(self.heap.get(item, "_PyList_SliceSubscript").data, ObjData::Slice { .. });
        if !(is_list && is_slice) {
            self.violation(Violation::Assertion("_PyList_SliceSubscript of a non-list or non-slice"));
            return Obj::NULL;
        }
        if self.fallible() { return Obj::NULL; }
        self.get_item(list, item)
    }

    /// A new empty dict.
    "PyObject *PyDict_New(void)"
    fn dict_new(&mut self) -> Obj {
        if self.fallible() { return Obj::NULL; }
        self.new_dict()
    }

    /// A new dict of `length` items: key `i` is `keys[i * keys_offset]`, its value
    /// `values[i * values_offset]` (Objects/dictobject.c; `BUILD_MAP` passes the stack's
    /// alternating keys and values with offsets 2). Items are inserted in order, so a repeated
    /// key keeps its first key object and its last value; an unhashable key is the
    /// `TypeError` of `PyDict_SetItem` and releases the dict. Keys and values stay borrowed.
    "PyObject *_PyDict_FromItems(PyObject *const *keys, Py_ssize_t keys_offset, PyObject *const *values, Py_ssize_t values_offset, Py_ssize_t length)"
    fn dict_from_items(&mut self, #[array] keys: Obj, keys_offset: i64, #[array] values: Obj, values_offset: i64, length: i64) -> Obj {
        let at = |arr: &[Obj], step: i64, i: i64| -> Option<Obj> {
            usize::try_from(i.checked_mul(step)?).ok().and_then(|k| arr.get(k).copied())
        };
        let mut items = Vec::new();
        for i in 0..length.max(0) {
            match (at(keys, keys_offset, i), at(values, values_offset, i)) {
                (Some(k), Some(v)) => items.push((k, v)),
                _ => {
                    self.violation(Violation::Assertion("_PyDict_FromItems reads beyond its arrays"));
                    return Obj::NULL;
                }
            }
        }
        if self.fallible() {
            return Obj::NULL;
        }
        let d = self.new_dict();
        for (k, v) in items {
            if self.dict_set(d, k, v) < 0 {
                self.heap.decref(d);
                return Obj::NULL;
            }
        }
        d
    }

    /// `d[key] = value` (new references taken): 0 or -1.
    "int PyDict_SetItem(PyObject *d, PyObject *key, PyObject *value)"
    fn dict_set_item(&mut self, d: Obj, key: Obj, value: Obj) -> i32 {
        if self.fallible() { return -1; }
        if !self.dict_of(d, "PyDict_SetItem of a non-dict") {
            self.bad_internal_call("PyDict_SetItem of a non-dict");
            return -1;
        }
        self.dict_set(d, key, value)
    }

    /// `d[key] = value`, stealing both (also on failure): 0 or -1.
    "int _PyDict_SetItem_Take2(PyDictObject *d, PyObject *key, PyObject *value)"
    fn dict_set_item_take2(&mut self, d: Obj, key: Obj, value: Obj) -> i32 {
        let r = self.dict_set_item(d, key, value);
        self.heap.decref(key);
        self.heap.decref(value);
        r
    }

    /// `del d[key]`: 0 or -1 (`KeyError`).
    "int PyDict_DelItem(PyObject *d, PyObject *key)"
    fn dict_del_item(&mut self, d: Obj, key: Obj) -> i32 {
        if self.fallible() { return -1; }
        self.dict_of(d, "PyDict_DelItem of a non-dict");
        self.dict_del(d, key)
    }

    /// `d[key]` into `*result` (new reference): 1 found, 0 missing, -1 error.
    "int PyDict_GetItemRef(PyObject *d, PyObject *key, PyObject **result)"
    fn dict_get_item_ref(&mut self, d: Obj, key: Obj, #[out] result: Obj) -> i32 {
        *result = Obj::NULL;
        if self.fallible() { return -1; }
        self.dict_of(d, "PyDict_GetItemRef of a non-dict");
        match self.dict_get(d, key) {
            Ok(v) if !v.is_null() => {
                self.heap.incref(v);
                *result = v;
                1
            }
            Ok(_) => 0,
            Err(Raised) => -1,
        }
    }

    /// `key in d`: 1, 0, -1.
    "int PyDict_Contains(PyObject *d, PyObject *key)"
    fn dict_contains(&mut self, d: Obj, key: Obj) -> i32 {
        self.dict_of(d, "PyDict_Contains of a non-dict");
        match self.dict_find(d, key) {
            Ok(f) => f.is_some() as i32,
            Err(Raised) => -1,
        }
    }

    /// `d.pop(key)` into `*result` (may be NULL-ignored): 1 removed, 0 missing, -1 error.
    "int PyDict_Pop(PyObject *d, PyObject *key, PyObject **result)"
    fn dict_pop(&mut self, d: Obj, key: Obj, #[out] result: Obj) -> i32 {
        *result = Obj::NULL;
        if self.fallible() { return -1; }
        let v = match self.dict_get(d, key) {
            Ok(v) => v,
            Err(Raised) => return -1,
        };
        if v.is_null() {
            return 0;
        }
        self.heap.incref(v);
        self.dict_del(d, key);
        *result = v;
        1
    }

    /// `a.update(b)` for a mapping `b` (dicts; other objects: `TypeError`): 0 or -1.
    "int PyDict_Update(PyObject *a, PyObject *b)"
    fn dict_update(&mut self, a: Obj, b: Obj) -> i32 {
        if self.fallible() { return -1; }
        let entries = match self.heap.data(b) {
            ObjData::Dict(dd) => dd.entries.clone(),
            _ => {
                let msg = format!("'{}' object is not a mapping", self.type_name_of(b));
                self.raise(wk::EXC_TYPE_ERROR, &msg);
                return -1;
            }
        };
        for e in entries.iter().filter(|e| !e.key.is_null()) {
            self.heap.incref(e.key);
            self.heap.incref(e.value);
            self.dict_insert_steal(a, e.key, e.value, e.hash);
        }
        0
    }

    /// `d->ma_keys`
    "PyDictKeysObject *PyDictObject.ma_keys(PyDictObject *d)" as "PyDictObject.ma_keys"
    fn dict_ma_keys(&mut self, d: Obj) -> KeysRef {
        self.dict_of(d, "ma_keys of a non-dict");
        KeysRef(d)
    }

    /// `d->ma_used`
    "Py_ssize_t PyDictObject.ma_used(PyDictObject *d)" as "PyDictObject.ma_used"
    fn dict_ma_used(&mut self, d: Obj) -> i64 {
        match self.heap.get(d, "ma_used").data {
            ObjData::Dict(ref dd) => dd.used as i64,
            _ => 0,
        }
    }

    /// `keys->dk_version`
    "uint32_t PyDictKeysObject.dk_version(PyDictKeysObject *k)" as "PyDictKeysObject.dk_version"
    fn keys_dk_version(&mut self, k: KeysRef) -> u32 {
        match self.heap.get(k.0, "dk_version").data {
            ObjData::Dict(ref dd) => dd.keys_version,
            _ => 0,
        }
    }

    /// `keys->dk_nentries`
    "Py_ssize_t PyDictKeysObject.dk_nentries(PyDictKeysObject *k)" as "PyDictKeysObject.dk_nentries"
    fn keys_dk_nentries(&mut self, k: KeysRef) -> i64 {
        match self.heap.get(k.0, "dk_nentries").data {
            ObjData::Dict(ref dd) => dd.entries.len() as i64,
            _ => 0,
        }
    }

    /// `DK_IS_UNICODE(keys)`: every key is an exact str.
    "int DK_IS_UNICODE(PyDictKeysObject *k)"
    fn dk_is_unicode(&mut self, k: KeysRef) -> i32 {
        match self.heap.get(k.0, "DK_IS_UNICODE").data {
            ObjData::Dict(ref dd) => dd.unicode as i32,
            _ => 0,
        }
    }

    /// The keys version, assigning a fresh one if it was reset (0 when versions ran out).
    "uint32_t _PyDictKeys_GetVersionForCurrentState(PyInterpreterState *interp, PyDictKeysObject *k)"
    fn dict_keys_get_version(&mut self, interp: crate::handles::TState, k: KeysRef) -> u32 {
        let _ = interp;
        let cur = match self.heap.get(k.0, "_PyDictKeys_GetVersionForCurrentState").data {
            ObjData::Dict(ref dd) => dd.keys_version,
            _ => return 0,
        };
        if cur != 0 {
            return cur;
        }
        let v = self.fresh_version();
        if let ObjData::Dict(dd) = self.heap.data_mut(k.0) {
            dd.keys_version = v;
        }
        v
    }

    /// A new set from an iterable (NULL: empty).
    "PyObject *PySet_New(PyObject *iterable)"
    fn set_new(&mut self, iterable: Obj) -> Obj {
        if self.fallible() { return Obj::NULL; }
        if iterable.is_null() {
            return self.new_set(Vec::new(), false);
        }
        match self.iterable_items(iterable) {
            Some(items) => {
                for i in &items {
                    if self.hash_or_raise(*i).is_none() {
                        for j in &items { self.heap.decref(*j); }
                        return Obj::NULL;
                    }
                }
                self.new_set(items, false)
            }
            None => Obj::NULL,
        }
    }

    /// `set.add(key)` (new reference taken): 0 or -1.
    "int PySet_Add(PyObject *set, PyObject *key)"
    fn set_add(&mut self, set: Obj, key: Obj) -> i32 {
        self.heap.incref(key);
        self.set_add_take_ref(set, key)
    }

    /// `set.add(key)`, stealing `key` (also on failure): 0 or -1.
    "int _PySet_AddTakeRef(PySetObject *set, PyObject *key)"
    fn set_add_take_ref(&mut self, set: Obj, key: Obj) -> i32 {
        if self.fallible() || self.hash_or_raise(key).is_none() {
            self.heap.decref(key);
            return -1;
        }
        self.set_add_steal(set, key);
        0
    }

    /// `key in set`: 1, 0, -1.
    "int _PySet_Contains(PySetObject *set, PyObject *key)"
    fn set_contains_internal(&mut self, set: Obj, key: Obj) -> i32 {
        self.contains(set, key)
    }

    /// `key in set`: 1, 0, -1.
    "int PySet_Contains(PyObject *set, PyObject *key)"
    fn set_contains(&mut self, set: Obj, key: Obj) -> i32 {
        self.contains(set, key)
    }

    /// `set.update(iterable)`: 0 or -1.
    "int _PySet_Update(PyObject *set, PyObject *iterable)"
    fn set_update(&mut self, set: Obj, iterable: Obj) -> i32 {
        if self.fallible() { return -1; }
        let Some(items) = self.iterable_items(iterable) else { return -1 };
        for i in items {
            if self.hash_or_raise(i).is_none() {
                self.heap.decref(i);
                return -1;
            }
            self.set_add_steal(set, i);
        }
        0
    }

    /// `it->it_seq` of a list/tuple iterator (borrowed; NULL when exhausted).
    "PyObject *_PyListIterObject.it_seq(_PyListIterObject *it)" as "_PyListIterObject.it_seq"
    fn listiter_it_seq(&mut self, it: Obj) -> Obj {
        match self.heap.get(it, "it_seq").data {
            ObjData::SeqIter { seq, .. } => seq,
            _ => Obj::NULL,
        }
    }

    /// `it->it_seq = v` (raw store: the caller manages references).
    "void _PyListIterObject.it_seq=(_PyListIterObject *it, PyObject *v)" as "_PyListIterObject.it_seq="
    fn listiter_set_it_seq(&mut self, it: Obj, v: Obj) -> () {
        self.heap.get(it, "it_seq");
        if let ObjData::SeqIter { seq, .. } = self.heap.data_mut(it) {
            *seq = v;
        }
    }

    /// `it->it_index`
    "Py_ssize_t _PyListIterObject.it_index(_PyListIterObject *it)" as "_PyListIterObject.it_index"
    fn listiter_it_index(&mut self, it: Obj) -> i64 {
        match self.heap.get(it, "it_index").data {
            ObjData::SeqIter { index, .. } => index,
            _ => 0,
        }
    }

    /// `it->it_index = v`
    "void _PyListIterObject.it_index=(_PyListIterObject *it, Py_ssize_t v)" as "_PyListIterObject.it_index="
    fn listiter_set_it_index(&mut self, it: Obj, v: i64) -> () {
        self.heap.get(it, "it_index");
        if let ObjData::SeqIter { index, .. } = self.heap.data_mut(it) {
            *index = v;
        }
    }

    /// `it->it_seq` of a tuple iterator.
    "PyObject *_PyTupleIterObject.it_seq(_PyTupleIterObject *it)" as "_PyTupleIterObject.it_seq"
    fn tupleiter_it_seq(&mut self, it: Obj) -> Obj {
        self.listiter_it_seq(it)
    }

    /// `it->it_seq = v` of a tuple iterator.
    "void _PyTupleIterObject.it_seq=(_PyTupleIterObject *it, PyObject *v)" as "_PyTupleIterObject.it_seq="
    fn tupleiter_set_it_seq(&mut self, it: Obj, v: Obj) -> () {
        self.listiter_set_it_seq(it, v)
    }

    /// `it->it_index` of a tuple iterator.
    "Py_ssize_t _PyTupleIterObject.it_index(_PyTupleIterObject *it)" as "_PyTupleIterObject.it_index"
    fn tupleiter_it_index(&mut self, it: Obj) -> i64 {
        self.listiter_it_index(it)
    }

    /// `it->it_index = v` of a tuple iterator.
    "void _PyTupleIterObject.it_index=(_PyTupleIterObject *it, Py_ssize_t v)" as "_PyTupleIterObject.it_index="
    fn tupleiter_set_it_index(&mut self, it: Obj, v: i64) -> () {
        self.listiter_set_it_index(it, v)
    }

    /// `r->len` of a range iterator.
    "long _PyRangeIterObject.len(_PyRangeIterObject *r)" as "_PyRangeIterObject.len"
    fn rangeiter_len(&mut self, r: Obj) -> i64 {
        match self.heap.get(r, "len").data {
            ObjData::RangeIter { len, .. } => len,
            _ => 0,
        }
    }

    /// `r->len = v`
    "void _PyRangeIterObject.len=(_PyRangeIterObject *r, long v)" as "_PyRangeIterObject.len="
    fn rangeiter_set_len(&mut self, r: Obj, v: i64) -> () {
        self.heap.get(r, "len");
        if let ObjData::RangeIter { len, .. } = self.heap.data_mut(r) {
            *len = v;
        }
    }

    /// `r->start`
    "long _PyRangeIterObject.start(_PyRangeIterObject *r)" as "_PyRangeIterObject.start"
    fn rangeiter_start(&mut self, r: Obj) -> i64 {
        match self.heap.get(r, "start").data {
            ObjData::RangeIter { start, .. } => start,
            _ => 0,
        }
    }

    /// `r->start = v`
    "void _PyRangeIterObject.start=(_PyRangeIterObject *r, long v)" as "_PyRangeIterObject.start="
    fn rangeiter_set_start(&mut self, r: Obj, v: i64) -> () {
        self.heap.get(r, "start");
        if let ObjData::RangeIter { start, .. } = self.heap.data_mut(r) {
            *start = v;
        }
    }

    /// `r->step`
    "long _PyRangeIterObject.step(_PyRangeIterObject *r)" as "_PyRangeIterObject.step"
    fn rangeiter_step(&mut self, r: Obj) -> i64 {
        match self.heap.get(r, "step").data {
            ObjData::RangeIter { step, .. } => step,
            _ => 0,
        }
    }
}

/// Dict keys-table entries (`DK_UNICODE_ENTRIES(keys)[i].me_value`, ...).
pub mod entries {
    use crate::handles::{EntryPtr, KeysRef, Obj};
    use crate::heap::Violation;
    use crate::object::ObjData;

    impl crate::vm::Vm {
        fn entry(&mut self, e: EntryPtr) -> Option<crate::object::DictEntry> {
            self.heap.get(e.dict, "dict entry");
            let r = match self.heap.data(e.dict) {
                ObjData::Dict(d) if e.index >= 0 => d.entries.get(e.index as usize).copied(),
                _ => None,
            };
            if r.is_none() {
                self.violation(Violation::Assertion("dict entry index out of range"));
            }
            r
        }

        fn entry_mut(&mut self, e: EntryPtr) -> Option<&mut crate::object::DictEntry> {
            match self.heap.data_mut(e.dict) {
                ObjData::Dict(d) if e.index >= 0 => d.entries.get_mut(e.index as usize),
                _ => None,
            }
        }
    }

    crate::api! {
        /// The entries of a unicode-keys table.
        "PyDictUnicodeEntry *DK_UNICODE_ENTRIES(PyDictKeysObject *k)"
        fn dk_unicode_entries(&mut self, k: KeysRef) -> EntryPtr {
            if self.dk_is_unicode(k) == 0 {
                self.violation(Violation::Assertion("DK_UNICODE_ENTRIES of a general keys table"));
            }
            EntryPtr { dict: k.0, index: 0 }
        }

        /// The entries of a general keys table.
        "PyDictKeyEntry *DK_ENTRIES(PyDictKeysObject *k)"
        fn dk_entries(&mut self, k: KeysRef) -> EntryPtr {
            EntryPtr { dict: k.0, index: 0 }
        }

        /// `entry->me_key` (borrowed; NULL for a deleted entry)
        "PyObject *PyDictUnicodeEntry.me_key(PyDictUnicodeEntry *e)" as "PyDictUnicodeEntry.me_key"
        fn entry_me_key(&mut self, e: EntryPtr) -> Obj {
            self.entry(e).map_or(Obj::NULL, |x| x.key)
        }

        /// `entry->me_value` (borrowed)
        "PyObject *PyDictUnicodeEntry.me_value(PyDictUnicodeEntry *e)" as "PyDictUnicodeEntry.me_value"
        fn entry_me_value(&mut self, e: EntryPtr) -> Obj {
            self.entry(e).map_or(Obj::NULL, |x| x.value)
        }

        /// `entry->me_value = v` (raw store: the caller manages references)
        "void PyDictUnicodeEntry.me_value=(PyDictUnicodeEntry *e, PyObject *v)" as "PyDictUnicodeEntry.me_value="
        fn entry_set_me_value(&mut self, e: EntryPtr, v: Obj) -> () {
            if self.entry(e).is_some() {
                if let Some(x) = self.entry_mut(e) {
                    x.value = v;
                }
            }
        }

        /// `entry->me_key` of a general entry
        "PyObject *PyDictKeyEntry.me_key(PyDictKeyEntry *e)" as "PyDictKeyEntry.me_key"
        fn key_entry_me_key(&mut self, e: EntryPtr) -> Obj {
            self.entry_me_key(e)
        }

        /// `entry->me_value` of a general entry
        "PyObject *PyDictKeyEntry.me_value(PyDictKeyEntry *e)" as "PyDictKeyEntry.me_value"
        fn key_entry_me_value(&mut self, e: EntryPtr) -> Obj {
            self.entry_me_value(e)
        }

        /// `entry->me_hash` of a general entry
        "Py_hash_t PyDictKeyEntry.me_hash(PyDictKeyEntry *e)" as "PyDictKeyEntry.me_hash"
        fn key_entry_me_hash(&mut self, e: EntryPtr) -> i64 {
            self.entry(e).map_or(0, |x| x.hash)
        }
    }
}
