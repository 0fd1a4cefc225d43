//! `_PyStackRef` operations, with 3.14 (GIL build) semantics: references to immortal objects and
//! borrowed references carry `Py_TAG_REFCNT` and never touch the count.

use crate::handles::{Destructor, Obj};
use crate::heap::Violation;
use crate::object::Builtin;
use crate::stackref::{StackRef, TAG_REFCNT};
use crate::well_known as wk;

impl crate::vm::Vm {
    fn sr_obj(&mut self, r: StackRef, what: &'static str) -> Obj {
        if r.is_tagged_int() {
            self.violation(Violation::Assertion(what));
            return Obj::NULL;
        }
        r.obj()
    }
}

crate::api! {
    /// `CONVERSION_FAILED(name)`: whether `STACKREFS_TO_PYOBJECTS` could not convert the
    /// array (`name == NULL`). CPython only fails there when `PyMem_Malloc` of more than ten
    /// pointers fails; the model's allocator does not, so the conversion always succeeds.
    "int CONVERSION_FAILED(PyObject *const *name)"
    fn conversion_failed(&mut self, #[array] name: Obj) -> i32 { let _ = name; 0 }

    /// The object, without changing ownership.
    "PyObject *PyStackRef_AsPyObjectBorrow(_PyStackRef ref)"
    fn stackref_as_borrow(&mut self, r: StackRef) -> Obj {
        self.sr_obj(r, "PyStackRef_AsPyObjectBorrow of a tagged int")
    }

    /// Transfers ownership to a `PyObject *` (a new reference if the stackref did not own one).
    "PyObject *PyStackRef_AsPyObjectSteal(_PyStackRef ref)"
    fn stackref_as_steal(&mut self, r: StackRef) -> Obj {
        let o = self.sr_obj(r, "PyStackRef_AsPyObjectSteal of a tagged int");
        if !r.refcount_on_object() {
            self.heap.incref(o);
        }
        o
    }

    /// A new `PyObject *` reference; the stackref is unchanged.
    "PyObject *PyStackRef_AsPyObjectNew(_PyStackRef ref)"
    fn stackref_as_new(&mut self, r: StackRef) -> Obj {
        let o = self.sr_obj(r, "PyStackRef_AsPyObjectNew of a tagged int");
        self.heap.incref(o);
        o
    }

    /// Takes ownership of a `PyObject *` reference.
    "_PyStackRef PyStackRef_FromPyObjectSteal(PyObject *obj)"
    fn stackref_from_steal(&mut self, obj: Obj) -> StackRef {
        if obj.is_null() {
            self.violation(Violation::NullDeref("PyStackRef_FromPyObjectSteal"));
        }
        self.stackref_steal(obj)
    }

    /// Takes ownership of a reference to a mortal object.
    "_PyStackRef PyStackRef_FromPyObjectStealMortal(PyObject *obj)"
    fn stackref_from_steal_mortal(&mut self, obj: Obj) -> StackRef {
        if self.heap.get(obj, "PyStackRef_FromPyObjectStealMortal").immortal {
            self.violation(Violation::Assertion("PyStackRef_FromPyObjectStealMortal of an immortal"));
        }
        StackRef::owned(obj)
    }

    /// A new reference (immortals: a tagged reference without a count).
    "_PyStackRef PyStackRef_FromPyObjectNew(PyObject *obj)"
    fn stackref_from_new(&mut self, obj: Obj) -> StackRef {
        if self.heap.get(obj, "PyStackRef_FromPyObjectNew").immortal {
            StackRef::deferred(obj)
        } else {
            self.heap.incref(obj);
            StackRef::owned(obj)
        }
    }

    /// A new owned reference to a mortal object.
    "_PyStackRef PyStackRef_FromPyObjectNewMortal(PyObject *obj)"
    fn stackref_from_new_mortal(&mut self, obj: Obj) -> StackRef {
        self.heap.incref(obj);
        StackRef::owned(obj)
    }

    /// A tagged reference to an immortal object.
    "_PyStackRef PyStackRef_FromPyObjectImmortal(PyObject *obj)"
    fn stackref_from_immortal(&mut self, obj: Obj) -> StackRef {
        if !self.heap.get(obj, "PyStackRef_FromPyObjectImmortal").immortal {
            self.violation(Violation::Assertion("PyStackRef_FromPyObjectImmortal of a mortal"));
        }
        StackRef::deferred(obj)
    }

    /// A borrowed (tagged) reference (`PyStackRef_FromPyObjectBorrow`).
    "_PyStackRef PyStackRef_FromPyObjectBorrow(PyObject *obj)"
    fn stackref_from_borrow(&mut self, obj: Obj) -> StackRef {
        StackRef::deferred(obj)
    }

    /// Drops the reference.
    "void PyStackRef_CLOSE(_PyStackRef ref)"
    fn stackref_close(&mut self, r: StackRef) -> () {
        if r.is_null() {
            self.violation(Violation::NullDeref("PyStackRef_CLOSE"));
            return;
        }
        if r.refcount_on_object() {
            self.heap.decref(r.obj())
        }
    }

    /// Drops the reference with a type-specific deallocator.
    "void PyStackRef_CLOSE_SPECIALIZED(_PyStackRef ref, destructor destruct)"
    fn stackref_close_specialized(&mut self, r: StackRef, destruct: Destructor) -> () {
        if r.is_null() {
            self.violation(Violation::NullDeref("PyStackRef_CLOSE_SPECIALIZED"));
            return;
        }
        if r.refcount_on_object() {
            self.check_destructor(r.obj(), destruct);
            self.heap.decref(r.obj())
        }
    }

    /// Drops the reference unless NULL.
    "void PyStackRef_XCLOSE(_PyStackRef ref)"
    fn stackref_xclose(&mut self, r: StackRef) -> () {
        if r.refcount_on_object() {
            self.heap.decref(r.obj())
        }
    }

    /// `PyStackRef_CLEAR(ref)`: sets the variable to NULL, then drops the old reference.
    "void PyStackRef_CLEAR(_PyStackRef *ref)"
    fn stackref_clear(&mut self, #[out] r: StackRef) -> () {
        let old = std::mem::replace(r, StackRef::NULL);
        self.stackref_xclose(old)
    }

    /// A new reference to the same object.
    "_PyStackRef PyStackRef_DUP(_PyStackRef ref)"
    fn stackref_dup(&mut self, r: StackRef) -> StackRef {
        if r.is_null() {
            self.violation(Violation::NullDeref("PyStackRef_DUP"));
        } else if r.refcount_on_object() {
            self.heap.incref(r.obj());
        }
        r
    }

    /// A borrowed copy (tagged, owns nothing).
    "_PyStackRef PyStackRef_Borrow(_PyStackRef ref)"
    fn stackref_borrow(&mut self, r: StackRef) -> StackRef {
        StackRef { bits: r.bits | TAG_REFCNT }
    }

    /// The reference may be stored in the heap (it owns a count, or needs none).
    "bool PyStackRef_IsHeapSafe(_PyStackRef ref)"
    fn stackref_is_heap_safe(&mut self, r: StackRef) -> bool {
        r.refcount_on_object() || r.is_null() || self.heap.is_immortal(r.obj())
    }

    /// An owned reference if this one is a borrow of a mortal object.
    "_PyStackRef PyStackRef_MakeHeapSafe(_PyStackRef ref)"
    fn stackref_make_heap_safe(&mut self, r: StackRef) -> StackRef {
        if self.stackref_is_heap_safe(r) {
            return r;
        }
        self.heap.incref(r.obj());
        StackRef::owned(r.obj())
    }

    /// `PyStackRef_IsNull`
    "bool PyStackRef_IsNull(_PyStackRef ref)"
    fn stackref_is_null(&mut self, r: StackRef) -> bool {
        r.is_null()
    }

    /// `PyStackRef_IsNone` (bit comparison, as in CPython)
    "bool PyStackRef_IsNone(_PyStackRef ref)"
    fn stackref_is_none(&mut self, r: StackRef) -> bool {
        r == StackRef::NONE
    }

    /// `PyStackRef_IsTrue`
    "bool PyStackRef_IsTrue(_PyStackRef ref)"
    fn stackref_is_true(&mut self, r: StackRef) -> bool {
        r == StackRef::TRUE
    }

    /// `PyStackRef_IsFalse`
    "bool PyStackRef_IsFalse(_PyStackRef ref)"
    fn stackref_is_false(&mut self, r: StackRef) -> bool {
        r == StackRef::FALSE
    }

    /// Same object, ignoring ownership.
    "bool PyStackRef_Is(_PyStackRef a, _PyStackRef b)"
    fn stackref_is(&mut self, a: StackRef, b: StackRef) -> bool {
        a.same(b)
    }

    /// `Py_TYPE` of the referenced object.
    "PyTypeObject *PyStackRef_TYPE(_PyStackRef ref)"
    fn stackref_type(&mut self, r: StackRef) -> Obj {
        let o = self.sr_obj(r, "PyStackRef_TYPE of a tagged int");
        self.heap.get(o, "PyStackRef_TYPE").ty
    }

    /// `PyBool_Check` of the referenced object.
    "bool PyStackRef_BoolCheck(_PyStackRef ref)"
    fn stackref_bool_check(&mut self, r: StackRef) -> bool {
        let o = self.sr_obj(r, "PyStackRef_BoolCheck of a tagged int");
        self.heap.get(o, "PyStackRef_BoolCheck").ty == wk::BOOL_TYPE
    }

    /// `PyLong_Check` of the referenced object.
    "bool PyStackRef_LongCheck(_PyStackRef ref)"
    fn stackref_long_check(&mut self, r: StackRef) -> bool {
        let o = self.sr_obj(r, "PyStackRef_LongCheck of a tagged int");
        self.type_check(o, wk::LONG_TYPE)
    }

    /// `PyFunction_Check` of the referenced object.
    "bool PyStackRef_FunctionCheck(_PyStackRef ref)"
    fn stackref_function_check(&mut self, r: StackRef) -> bool {
        let o = self.sr_obj(r, "PyStackRef_FunctionCheck of a tagged int");
        self.heap.get(o, "PyStackRef_FunctionCheck").ty == wk::FUNCTION_TYPE
    }

    /// `PyCode_Check` of the referenced object.
    "bool PyStackRef_CodeCheck(_PyStackRef ref)"
    fn stackref_code_check(&mut self, r: StackRef) -> bool {
        let o = self.sr_obj(r, "PyStackRef_CodeCheck of a tagged int");
        self.heap.get(o, "PyStackRef_CodeCheck").ty == wk::CODE_TYPE
    }

    /// `PyGen_Check` of the referenced object (generators are not modelled: always false).
    "bool PyStackRef_GenCheck(_PyStackRef ref)"
    fn stackref_gen_check(&mut self, r: StackRef) -> bool {
        let o = self.sr_obj(r, "PyStackRef_GenCheck of a tagged int");
        self.heap.get(o, "PyStackRef_GenCheck");
        false
    }

    /// `PyExceptionInstance_Check` of the referenced object.
    "bool PyStackRef_ExceptionInstanceCheck(_PyStackRef ref)"
    fn stackref_exception_instance_check(&mut self, r: StackRef) -> bool {
        let o = self.sr_obj(r, "PyStackRef_ExceptionInstanceCheck of a tagged int");
        self.heap.get(o, "PyStackRef_ExceptionInstanceCheck");
        self.builtin_of(o) == Builtin::Exception
    }

    /// `PyStackRef_TagInt`
    "_PyStackRef PyStackRef_TagInt(intptr_t i)"
    fn stackref_tag_int(&mut self, i: i64) -> StackRef {
        if (i << 2) >> 2 != i {
            self.violation(Violation::Assertion("PyStackRef_TagInt overflow"));
        }
        StackRef::tag_int(i)
    }

    /// `PyStackRef_UntagInt`
    "intptr_t PyStackRef_UntagInt(_PyStackRef ref)"
    fn stackref_untag_int(&mut self, r: StackRef) -> i64 {
        if !r.is_tagged_int() {
            self.violation(Violation::Assertion("PyStackRef_UntagInt of an object"));
        }
        r.untag_int()
    }

    /// `PyStackRef_IsTaggedInt`
    "bool PyStackRef_IsTaggedInt(_PyStackRef ref)"
    fn stackref_is_tagged_int(&mut self, r: StackRef) -> bool {
        r.is_tagged_int()
    }

    /// `PyStackRef_IsNullOrInt`
    "bool PyStackRef_IsNullOrInt(_PyStackRef ref)"
    fn stackref_is_null_or_int(&mut self, r: StackRef) -> bool {
        r.is_null() || r.is_tagged_int()
    }

    /// `PyStackRef_IncrementTaggedIntNoOverflow`
    "_PyStackRef PyStackRef_IncrementTaggedIntNoOverflow(_PyStackRef ref)"
    fn stackref_increment_tagged_int(&mut self, r: StackRef) -> StackRef {
        if !r.is_tagged_int() {
            self.violation(Violation::Assertion("increment of a non-int stackref"));
        }
        StackRef { bits: r.bits.wrapping_add(4) }
    }

    /// `PyStackRef_NULL`
    "_PyStackRef PyStackRef_NULL(void)"
    fn stackref_null(&mut self) -> StackRef {
        StackRef::NULL
    }

    /// `PyStackRef_None`
    "_PyStackRef PyStackRef_None(void)"
    fn stackref_none(&mut self) -> StackRef {
        StackRef::NONE
    }

    /// `PyStackRef_True`
    "_PyStackRef PyStackRef_True(void)"
    fn stackref_true(&mut self) -> StackRef {
        StackRef::TRUE
    }

    /// `PyStackRef_False`
    "_PyStackRef PyStackRef_False(void)"
    fn stackref_false(&mut self) -> StackRef {
        StackRef::FALSE
    }
}
