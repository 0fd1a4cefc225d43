//! The abstract object protocol: attributes, items, comparison, truth, iteration, str/repr,
//! plus str, slice and cell operations.

use crate::containers::CmpOp;
use crate::handles::{CodePtr, Obj};
use crate::heap::Violation;
use crate::object::ObjData;
use crate::stackref::StackRef;
use crate::well_known as wk;

impl crate::vm::Vm {
    fn str_text(&mut self, o: Obj, what: &'static str) -> Option<std::sync::Arc<str>> {
        match &self.heap.get(o, what).data {
            ObjData::Str(s) => Some(s.clone()),
            _ => {
                self.violation(Violation::Assertion(what));
                None
            }
        }
    }
}

crate::api! {
    /// `o.name`
    "PyObject *PyObject_GetAttr(PyObject *o, PyObject *name)"
    fn object_get_attr(&mut self, o: Obj, name: Obj) -> Obj {
        if self.fallible() { return Obj::NULL; }
        self.heap.get(o, "PyObject_GetAttr");
        self.get_attr(o, name)
    }

    /// `o.name` into `*result`: 1 found, 0 missing (no exception), -1 error.
    "int PyObject_GetOptionalAttr(PyObject *o, PyObject *name, PyObject **result)"
    fn object_get_optional_attr(&mut self, o: Obj, name: Obj, #[out] result: Obj) -> i32 {
        if self.fallible() { *result = Obj::NULL; return -1; }
        let r = self.get_attr(o, name);
        *result = r;
        if !r.is_null() {
            return 1;
        }
        if self.err_exception_matches(wk::EXC_ATTRIBUTE_ERROR) != 0 {
            self.err_clear();
            return 0;
        }
        -1
    }

    /// `o.name = v`
    "int PyObject_SetAttr(PyObject *o, PyObject *name, PyObject *v)"
    fn object_set_attr(&mut self, o: Obj, name: Obj, v: Obj) -> i32 {
        if self.fallible() { return -1; }
        self.heap.get(o, "PyObject_SetAttr");
        self.set_attr(o, name, v)
    }

    /// `del o.name`
    "int PyObject_DelAttr(PyObject *o, PyObject *name)"
    fn object_del_attr(&mut self, o: Obj, name: Obj) -> i32 {
        if self.fallible() { return -1; }
        self.set_attr(o, name, Obj::NULL)
    }

    /// `o[key]`
    "PyObject *PyObject_GetItem(PyObject *o, PyObject *key)"
    fn object_get_item(&mut self, o: Obj, key: Obj) -> Obj {
        if self.fallible() { return Obj::NULL; }
        self.heap.get(o, "PyObject_GetItem");
        self.get_item(o, key)
    }

    /// `o[key] = v`
    "int PyObject_SetItem(PyObject *o, PyObject *key, PyObject *v)"
    fn object_set_item(&mut self, o: Obj, key: Obj, v: Obj) -> i32 {
        if self.fallible() { return -1; }
        self.heap.get(o, "PyObject_SetItem");
        self.set_item(o, key, v)
    }

    /// `del o[key]`
    "int PyObject_DelItem(PyObject *o, PyObject *key)"
    fn object_del_item(&mut self, o: Obj, key: Obj) -> i32 {
        if self.fallible() { return -1; }
        self.del_item(o, key)
    }

    /// `o[key]` into `*result`: 1 found, 0 missing (`KeyError` swallowed), -1 error.
    "int PyMapping_GetOptionalItem(PyObject *o, PyObject *key, PyObject **result)"
    fn mapping_get_optional_item(&mut self, o: Obj, key: Obj, #[out] result: Obj) -> i32 {
        if self.fallible() { *result = Obj::NULL; return -1; }
        let r = self.get_item(o, key);
        *result = r;
        if !r.is_null() {
            return 1;
        }
        if self.err_exception_matches(wk::EXC_KEY_ERROR) != 0 {
            self.err_clear();
            return 0;
        }
        -1
    }

    /// `a <op> b` (`op`: `Py_LT`..`Py_GE`)
    "PyObject *PyObject_RichCompare(PyObject *a, PyObject *b, int op)"
    fn object_rich_compare(&mut self, a: Obj, b: Obj, op: i32) -> Obj {
        if self.fallible() { return Obj::NULL; }
        let Some(op) = CmpOp::from_int(op) else {
            self.bad_internal_call("PyObject_RichCompare: bad op");
            return Obj::NULL;
        };
        self.heap.get(a, "PyObject_RichCompare");
        self.heap.get(b, "PyObject_RichCompare");
        self.rich_compare(a, b, op)
    }

    /// `a <op> b` as 1/0/-1 (identity implies equality, as in CPython).
    "int PyObject_RichCompareBool(PyObject *a, PyObject *b, int op)"
    fn object_rich_compare_bool(&mut self, a: Obj, b: Obj, op: i32) -> i32 {
        if a == b && (op == 2 || op == 3) {
            return (op == 2) as i32;
        }
        let r = self.object_rich_compare(a, b, op);
        if r.is_null() {
            return -1;
        }
        let t = self.truth(r);
        self.heap.decref(r);
        t
    }

    /// `bool(o)`: 1, 0, -1.
    "int PyObject_IsTrue(PyObject *o)"
    fn object_is_true(&mut self, o: Obj) -> i32 {
        if o == wk::TRUE { return 1; }
        if o == wk::FALSE || o == wk::NONE { return 0; }
        if self.fallible() { return -1; }
        self.heap.get(o, "PyObject_IsTrue");
        self.truth(o)
    }

    /// `not o`: 1, 0, -1.
    "int PyObject_Not(PyObject *o)"
    fn object_not(&mut self, o: Obj) -> i32 {
        let t = self.object_is_true(o);
        if t < 0 { -1 } else { (t == 0) as i32 }
    }

    /// `iter(o)`
    "PyObject *PyObject_GetIter(PyObject *o)"
    fn object_get_iter(&mut self, o: Obj) -> Obj {
        if self.fallible() { return Obj::NULL; }
        self.heap.get(o, "PyObject_GetIter");
        self.get_iter(o)
    }

    /// `next(it)` without `StopIteration`: NULL when exhausted (no exception) or on error.
    "PyObject *PyIter_Next(PyObject *it)"
    fn iter_next_api(&mut self, it: Obj) -> Obj {
        if self.fallible() { return Obj::NULL; }
        self.iter_next(it)
    }

    /// `str(o)`
    "PyObject *PyObject_Str(PyObject *o)"
    fn object_str(&mut self, o: Obj) -> Obj {
        if self.heap.ty(o) == wk::UNICODE_TYPE {
            self.heap.incref(o);
            return o;
        }
        if self.fallible() { return Obj::NULL; }
        let s = crate::repr::str_of(self, o);
        self.new_str(&s)
    }

    /// `repr(o)`
    "PyObject *PyObject_Repr(PyObject *o)"
    fn object_repr(&mut self, o: Obj) -> Obj {
        if self.fallible() { return Obj::NULL; }
        let s = crate::repr::repr(self, o);
        self.new_str(&s)
    }

    /// `format(o, spec)`; only the empty spec is modelled beyond `str(o)`.
    "PyObject *PyObject_Format(PyObject *o, PyObject *spec)"
    fn object_format(&mut self, o: Obj, spec: Obj) -> Obj {
        if self.fallible() { return Obj::NULL; }
        let empty = spec.is_null() || matches!(self.heap.data(spec), ObjData::Str(s) if s.is_empty());
        if !empty && !matches!(self.heap.data(o), ObjData::Opaque(_)) {
            let sp = crate::repr::str_of(self, spec);
            let msg = format!("Invalid format specifier '{sp}' for object of type '{}'", self.type_name_of(o));
            return self.raise(wk::EXC_VALUE_ERROR, &msg);
        }
        if self.heap.ty(o) == wk::UNICODE_TYPE {
            self.heap.incref(o);
            return o;
        }
        let s = crate::repr::str_of(self, o);
        self.new_str(&s)
    }

    /// `hash(o)` (-1 with `TypeError` if unhashable).
    "Py_hash_t PyObject_Hash(PyObject *o)"
    fn object_hash(&mut self, o: Obj) -> i64 {
        self.hash_or_raise(o).unwrap_or(-1)
    }

    /// `len(o)`
    "Py_ssize_t PyObject_Length(PyObject *o)"
    fn object_length(&mut self, o: Obj) -> i64 {
        self.heap.get(o, "PyObject_Length");
        self.length(o)
    }

    /// `len(o)`
    "Py_ssize_t PyObject_Size(PyObject *o)"
    fn object_size(&mut self, o: Obj) -> i64 {
        self.heap.get(o, "PyObject_Size");
        self.length(o)
    }

    /// `value in seq`: 1, 0, -1.
    "int PySequence_Contains(PyObject *seq, PyObject *value)"
    fn sequence_contains(&mut self, seq: Obj, value: Obj) -> i32 {
        if self.fallible() { return -1; }
        self.contains(seq, value)
    }

    /// `tuple(o)`
    "PyObject *PySequence_Tuple(PyObject *o)"
    fn sequence_tuple(&mut self, o: Obj) -> Obj {
        if self.fallible() { return Obj::NULL; }
        if self.heap.ty(o) == wk::TUPLE_TYPE {
            self.heap.incref(o);
            return o;
        }
        match self.iterable_items(o) {
            Some(items) => self.new_tuple(items),
            None => Obj::NULL,
        }
    }

    /// `isinstance(inst, cls)` for a class or tuple of classes: 1, 0, -1.
    "int PyObject_IsInstance(PyObject *inst, PyObject *cls)"
    fn object_is_instance(&mut self, inst: Obj, cls: Obj) -> i32 {
        if let ObjData::Tuple(items) = self.heap.data(cls).clone() {
            return items.iter().any(|c| self.type_check(inst, *c)) as i32;
        }
        if !matches!(self.heap.data(cls), ObjData::Type(_)) {
            self.raise(wk::EXC_TYPE_ERROR, "isinstance() arg 2 must be a type, a tuple of types, or a union");
            return -1;
        }
        self.type_check(inst, cls) as i32
    }

    /// `left + right` for two str.
    "PyObject *PyUnicode_Concat(PyObject *left, PyObject *right)"
    fn unicode_concat(&mut self, left: Obj, right: Obj) -> Obj {
        if self.fallible() { return Obj::NULL; }
        if self.heap.ty(left) != wk::UNICODE_TYPE && !matches!(self.heap.data(left), ObjData::Str(_)) {
            let msg = format!("must be str, not {}", self.type_name_of(left));
            return self.raise(wk::EXC_TYPE_ERROR, &msg);
        }
        self.binop(crate::arith::NbOp::Add, false, left, right)
    }

    /// `separator.join(items[:seqlen])` (Objects/unicodeobject.c): no items is the empty
    /// string; one exact str is returned itself (a new reference); otherwise every item must be
    /// a str (subclasses too), else `TypeError: sequence item i: expected str instance, T
    /// found`, and the result is a new str (the empty singleton when it has no characters).
    /// The items stay borrowed.
    "PyObject *_PyUnicode_JoinArray(PyObject *separator, PyObject *const *items, Py_ssize_t seqlen)"
    fn unicode_join_array(&mut self, separator: Obj, #[array] items: Obj, seqlen: i64) -> Obj {
        if seqlen < 0 || seqlen as usize > items.len() {
            self.violation(Violation::Assertion("_PyUnicode_JoinArray count beyond the array"));
            return Obj::NULL;
        }
        let items = &items[..seqlen as usize];
        match items {
            [] => return wk::EMPTY_STR,
            [one] if self.heap.ty(*one) == wk::UNICODE_TYPE => {
                self.heap.incref(*one);
                return *one;
            }
            _ => {}
        }
        let sep = if items.len() == 1 {
            std::sync::Arc::from("")
        } else {
            match self.str_text(separator, "_PyUnicode_JoinArray separator is not a str") {
                Some(s) => s,
                None => return Obj::NULL,
            }
        };
        let mut out = String::new();
        for (i, &item) in items.iter().enumerate() {
            if !self.type_check(item, wk::UNICODE_TYPE) {
                let msg = format!(
                    "sequence item {i}: expected str instance, {} found",
                    self.type_name_of(item)
                );
                return self.raise(wk::EXC_TYPE_ERROR, &msg);
            }
            let Some(text) = self.str_text(item, "str instance without text") else {
                return Obj::NULL;
            };
            if i != 0 {
                out.push_str(&sep);
            }
            out.push_str(&text);
        }
        // `PyUnicode_New(0, ..)` is the empty singleton; a longer result is an allocation.
        if !out.is_empty() && self.fallible() {
            return Obj::NULL;
        }
        self.new_str(&out)
    }

    /// `*p += right` for str: replaces `*p` with the concatenation (NULL on error); the old
    /// reference in `*p` is released.
    "void PyUnicode_Append(PyObject **p, PyObject *right)"
    fn unicode_append(&mut self, #[out] p: Obj, right: Obj) -> () {
        let left = *p;
        if left.is_null() {
            return;
        }
        let r = self.unicode_concat(left, right);
        self.heap.decref(left);
        *p = r;
    }

    /// Number of code points.
    "Py_ssize_t PyUnicode_GET_LENGTH(PyObject *op)"
    fn unicode_get_length(&mut self, op: Obj) -> i64 {
        self.str_text(op, "PyUnicode_GET_LENGTH of a non-str").map_or(0, |s| s.chars().count() as i64)
    }

    /// The code point at `index`.
    "Py_UCS4 PyUnicode_READ_CHAR(PyObject *op, Py_ssize_t index)"
    fn unicode_read_char(&mut self, op: Obj, index: i64) -> u32 {
        let s = self.str_text(op, "PyUnicode_READ_CHAR of a non-str");
        match s.and_then(|s| s.chars().nth(index.max(0) as usize)) {
            Some(c) => c as u32,
            None => {
                self.violation(Violation::Assertion("PyUnicode_READ_CHAR index out of range"));
                0
            }
        }
    }

    /// Equality of two str (no exception).
    "int _PyUnicode_Equal(PyObject *a, PyObject *b)"
    fn unicode_equal(&mut self, a: Obj, b: Obj) -> i32 {
        let x = self.str_text(a, "_PyUnicode_Equal of a non-str");
        let y = self.str_text(b, "_PyUnicode_Equal of a non-str");
        (x == y) as i32
    }

    /// A new str from a format string.
    "PyObject *PyUnicode_FromFormat(const char *format, ...)"
    fn unicode_from_format(&mut self, format: crate::value::CStr | rest) -> Obj {
        if self.fallible() { return Obj::NULL; }
        let f = self.cstr(format);
        let s = self.format_c(&f, rest);
        self.new_str(&s)
    }

    /// A new slice (`step` may be NULL: None). New references are taken.
    "PyObject *PySlice_New(PyObject *start, PyObject *stop, PyObject *step)"
    fn slice_new(&mut self, start: Obj, stop: Obj, step: Obj) -> Obj {
        if self.fallible() { return Obj::NULL; }
        let f = |o: Obj| if o.is_null() { wk::NONE } else { o };
        let (start, stop, step) = (f(start), f(stop), f(step));
        for o in [start, stop, step] {
            self.heap.incref(o);
        }
        self.heap.alloc(wk::SLICE_TYPE, ObjData::Slice { start, stop, step })
    }

    /// A new slice; steals `start` and `stop` (also on failure).
    "PyObject *_PyBuildSlice_ConsumeRefs(PyObject *start, PyObject *stop)"
    fn build_slice_consume_refs(&mut self, start: Obj, stop: Obj) -> Obj {
        let r = self.slice_new(start, stop, Obj::NULL);
        self.heap.decref(start);
        self.heap.decref(stop);
        r
    }

    /// A new cell holding `ob` (may be NULL).
    "PyObject *PyCell_New(PyObject *ob)"
    fn cell_new(&mut self, ob: Obj) -> Obj {
        if self.fallible() { return Obj::NULL; }
        self.new_cell(ob)
    }

    /// A new reference to the cell's content (or NULL, no exception).
    "PyObject *PyCell_GetRef(PyCellObject *cell)"
    fn cell_get_ref(&mut self, cell: Obj) -> Obj {
        let v = match self.heap.get(cell, "PyCell_GetRef").data {
            ObjData::Cell(v) => v,
            _ => Obj::NULL,
        };
        self.heap.xincref(v);
        v
    }

    /// The cell's content as a new stackref (NULL if empty).
    "_PyStackRef _PyCell_GetStackRef(PyCellObject *cell)"
    fn cell_get_stackref(&mut self, cell: Obj) -> StackRef {
        let v = self.cell_get_ref(cell);
        if v.is_null() { StackRef::NULL } else { self.stackref_steal(v) }
    }

    /// Stores `value` (stolen) in the cell; releases the old content.
    "void PyCell_SetTakeRef(PyCellObject *cell, PyObject *value)"
    fn cell_set_take_ref(&mut self, cell: Obj, value: Obj) -> () {
        let old = self.cell_swap_take_ref(cell, value);
        self.heap.xdecref(old);
    }

    /// Stores `value` (stolen) in the cell; returns the old content (a reference).
    "PyObject *PyCell_SwapTakeRef(PyCellObject *cell, PyObject *value)"
    fn cell_swap_take_ref(&mut self, cell: Obj, value: Obj) -> Obj {
        self.heap.get(cell, "PyCell_SwapTakeRef");
        match self.heap.data_mut(cell) {
            ObjData::Cell(v) => std::mem::replace(v, value),
            _ => Obj::NULL,
        }
    }

    /// The code unit at `p` (`p->cache`).
    "uint16_t _Py_CODEUNIT.cache(_Py_CODEUNIT *p)" as "_Py_CODEUNIT.cache"
    fn code_unit_cache(&mut self, p: CodePtr) -> u16 {
        self.read_u16(p)
    }
}
