//! Reference counting: `Py_INCREF`, `Py_DECREF`, `Py_NewRef`, ...

use crate::handles::{Destructor, Obj};
use crate::heap::Violation;
use crate::object::ObjData;

impl crate::vm::Vm {
    /// Records a violation when `d` is not the right exact deallocator for `o`.
    pub(crate) fn check_destructor(&mut self, o: Obj, d: Destructor) {
        let ok = match d {
            Destructor::LongExact => matches!(self.heap.data(o), ObjData::Int(_)),
            Destructor::FloatExact => matches!(self.heap.data(o), ObjData::Float(_)),
            Destructor::UnicodeExact => matches!(self.heap.data(o), ObjData::Str(_)),
            Destructor::Generic => true,
        };
        if !ok {
            self.violation(Violation::Assertion(
                "destructor does not match the object's type",
            ));
        }
    }
}

crate::api! {
    /// Takes a new reference.
    "void Py_INCREF(PyObject *op)"
    fn py_incref(&mut self, op: Obj) -> () {
        self.heap.incref(op)
    }

    /// Drops a reference, freeing the object at zero.
    "void Py_DECREF(PyObject *op)"
    fn py_decref(&mut self, op: Obj) -> () {
        self.heap.decref(op)
    }

    /// `Py_INCREF` unless NULL.
    "void Py_XINCREF(PyObject *op)"
    fn py_xincref(&mut self, op: Obj) -> () {
        self.heap.xincref(op)
    }

    /// `Py_DECREF` unless NULL.
    "void Py_XDECREF(PyObject *op)"
    fn py_xdecref(&mut self, op: Obj) -> () {
        self.heap.xdecref(op)
    }

    /// Increments and returns the object.
    "PyObject *Py_NewRef(PyObject *op)"
    fn py_new_ref(&mut self, op: Obj) -> Obj {
        self.heap.incref(op);
        op
    }

    /// `Py_NewRef` unless NULL.
    "PyObject *Py_XNewRef(PyObject *op)"
    fn py_xnew_ref(&mut self, op: Obj) -> Obj {
        self.heap.xincref(op);
        op
    }

    /// Drops a reference with a type-specific deallocator.
    "void Py_DECREF_SPECIALIZED(PyObject *op, destructor destruct)"
    fn py_decref_specialized(&mut self, op: Obj, destruct: Destructor) -> () {
        self.check_destructor(op, destruct);
        self.heap.decref(op)
    }

    /// `_Py_DECREF_NO_DEALLOC`: the caller knows the count does not reach zero.
    "void _Py_DECREF_NO_DEALLOC(PyObject *op)"
    fn py_decref_no_dealloc(&mut self, op: Obj) -> () {
        if self.heap.slot(op).is_some_and(|s| !s.immortal && s.rc <= 1) {
            self.violation(Violation::Assertion("_Py_DECREF_NO_DEALLOC would deallocate"));
        }
        self.heap.decref(op)
    }

    /// The reference count (immortals report CPython's immortal refcount).
    "Py_ssize_t Py_REFCNT(PyObject *op)"
    fn py_refcnt(&mut self, op: Obj) -> i64 {
        let s = self.heap.get(op, "Py_REFCNT");
        if s.immortal {
            3 << 30
        } else {
            s.rc
        }
    }

    /// `_Py_IsImmortal`
    "int _Py_IsImmortal(PyObject *op)"
    fn py_is_immortal(&mut self, op: Obj) -> i32 {
        self.heap.get(op, "_Py_IsImmortal").immortal as i32
    }

    /// `_PyObject_IsUniquelyReferenced`: the count is exactly one (never true for immortals).
    "int _PyObject_IsUniquelyReferenced(PyObject *op)"
    fn object_is_uniquely_referenced(&mut self, op: Obj) -> i32 {
        let s = self.heap.get(op, "_PyObject_IsUniquelyReferenced");
        (!s.immortal && s.rc == 1) as i32
    }

    /// `Py_CLEAR(op)`: sets the variable to NULL, then drops the old reference.
    "void Py_CLEAR(PyObject **op)"
    fn py_clear(&mut self, #[out] op: Obj) -> () {
        let old = std::mem::replace(op, Obj::NULL);
        self.heap.xdecref(old)
    }

    /// `Py_SETREF(dst, src)`: stores `src` (stolen) into the variable, drops the old value.
    "void Py_SETREF(PyObject **dst, PyObject *src)"
    fn py_setref(&mut self, #[out] dst: Obj, src: Obj) -> () {
        let old = std::mem::replace(dst, src);
        self.heap.decref(old)
    }

    /// `Py_XSETREF(dst, src)`: like `Py_SETREF` but the old value may be NULL.
    "void Py_XSETREF(PyObject **dst, PyObject *src)"
    fn py_xsetref(&mut self, #[out] dst: Obj, src: Obj) -> () {
        let old = std::mem::replace(dst, src);
        self.heap.xdecref(old)
    }
}
