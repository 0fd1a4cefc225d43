//! Type queries: `Py_TYPE`, `Py_IS_TYPE`, `*_Check`, `*_CheckExact`, `PyType_HasFeature`, ...
//!
//! Kinds the model does not have (generators, coroutines, bound methods, C functions) exist only
//! as opaque objects, so their checks are `false` for every object of the model.

use crate::handles::Obj;
use crate::object::{Builtin, ObjData};
use crate::well_known::{self as wk, tpflags};

impl crate::vm::Vm {
    fn exact(&mut self, o: Obj, ty: Obj, what: &'static str) -> i32 {
        (self.heap.get(o, what).ty == ty) as i32
    }

    fn flagged(&mut self, o: Obj, flag: u64, what: &'static str) -> i32 {
        let t = self.heap.get(o, what).ty;
        (self.type_flags(t) & flag != 0) as i32
    }

    fn builtin_is(&mut self, o: Obj, b: &[Builtin], what: &'static str) -> i32 {
        self.heap.get(o, what);
        b.contains(&self.builtin_of(o)) as i32
    }
}

crate::api! {
    /// `ob_type`
    "PyTypeObject *Py_TYPE(PyObject *ob)"
    fn py_type(&mut self, ob: Obj) -> Obj {
        self.heap.get(ob, "Py_TYPE").ty
    }

    /// `Py_TYPE(ob) == type`
    "int Py_IS_TYPE(PyObject *ob, PyTypeObject *type)"
    fn py_is_type(&mut self, ob: Obj, ty: Obj) -> i32 {
        self.exact(ob, ty, "Py_IS_TYPE")
    }

    /// `ob_size` of a variable-size object (ints: signed digit count). A str has no `ob_size`
    /// of its own, but `PyASCIIObject.length` (code points) sits where `ob_size` would, so
    /// `Py_SIZE(str)` is its length: `_TO_BOOL_STR` asserts it non-zero for a non-empty str.
    "Py_ssize_t Py_SIZE(PyObject *ob)"
    fn py_size(&mut self, ob: Obj) -> i64 {
        self.heap.get(ob, "Py_SIZE");
        match self.heap.data(ob) {
            ObjData::Tuple(v) | ObjData::List(v) => v.len() as i64,
            ObjData::Bytes(b) => b.len() as i64,
            ObjData::Str(t) => t.chars().count() as i64,
            ObjData::Int(i) => i.digit_count() * i.sign() as i64,
            _ => 0,
        }
    }

    /// Identity.
    "int Py_Is(PyObject *x, PyObject *y)"
    fn py_is(&mut self, x: Obj, y: Obj) -> i32 {
        (x == y) as i32
    }

    /// `x == Py_None`
    "int Py_IsNone(PyObject *x)"
    fn py_is_none(&mut self, x: Obj) -> i32 {
        (x == wk::NONE) as i32
    }

    /// `x == Py_True`
    "int Py_IsTrue(PyObject *x)"
    fn py_is_true(&mut self, x: Obj) -> i32 {
        (x == wk::TRUE) as i32
    }

    /// `x == Py_False`
    "int Py_IsFalse(PyObject *x)"
    fn py_is_false(&mut self, x: Obj) -> i32 {
        (x == wk::FALSE) as i32
    }

    /// exact int
    "int PyLong_CheckExact(PyObject *op)"
    fn long_check_exact(&mut self, op: Obj) -> i32 {
        self.exact(op, wk::LONG_TYPE, "PyLong_CheckExact")
    }

    /// int or subclass (bool included)
    "int PyLong_Check(PyObject *op)"
    fn long_check(&mut self, op: Obj) -> i32 {
        self.flagged(op, tpflags::LONG_SUBCLASS, "PyLong_Check")
    }

    /// exactly `bool`
    "int PyBool_Check(PyObject *op)"
    fn bool_check(&mut self, op: Obj) -> i32 {
        self.exact(op, wk::BOOL_TYPE, "PyBool_Check")
    }

    /// exact float
    "int PyFloat_CheckExact(PyObject *op)"
    fn float_check_exact(&mut self, op: Obj) -> i32 {
        self.exact(op, wk::FLOAT_TYPE, "PyFloat_CheckExact")
    }

    /// float or subclass
    "int PyFloat_Check(PyObject *op)"
    fn float_check(&mut self, op: Obj) -> i32 {
        self.builtin_is(op, &[Builtin::Float], "PyFloat_Check")
    }

    /// exact str
    "int PyUnicode_CheckExact(PyObject *op)"
    fn unicode_check_exact(&mut self, op: Obj) -> i32 {
        self.exact(op, wk::UNICODE_TYPE, "PyUnicode_CheckExact")
    }

    /// str or subclass
    "int PyUnicode_Check(PyObject *op)"
    fn unicode_check(&mut self, op: Obj) -> i32 {
        self.flagged(op, tpflags::UNICODE_SUBCLASS, "PyUnicode_Check")
    }

    /// bytes or subclass
    "int PyBytes_Check(PyObject *op)"
    fn bytes_check(&mut self, op: Obj) -> i32 {
        self.flagged(op, tpflags::BYTES_SUBCLASS, "PyBytes_Check")
    }

    /// exact tuple
    "int PyTuple_CheckExact(PyObject *op)"
    fn tuple_check_exact(&mut self, op: Obj) -> i32 {
        self.exact(op, wk::TUPLE_TYPE, "PyTuple_CheckExact")
    }

    /// tuple or subclass
    "int PyTuple_Check(PyObject *op)"
    fn tuple_check(&mut self, op: Obj) -> i32 {
        self.flagged(op, tpflags::TUPLE_SUBCLASS, "PyTuple_Check")
    }

    /// exact list
    "int PyList_CheckExact(PyObject *op)"
    fn list_check_exact(&mut self, op: Obj) -> i32 {
        self.exact(op, wk::LIST_TYPE, "PyList_CheckExact")
    }

    /// list or subclass
    "int PyList_Check(PyObject *op)"
    fn list_check(&mut self, op: Obj) -> i32 {
        self.flagged(op, tpflags::LIST_SUBCLASS, "PyList_Check")
    }

    /// exact dict
    "int PyDict_CheckExact(PyObject *op)"
    fn dict_check_exact(&mut self, op: Obj) -> i32 {
        self.exact(op, wk::DICT_TYPE, "PyDict_CheckExact")
    }

    /// dict or subclass
    "int PyDict_Check(PyObject *op)"
    fn dict_check(&mut self, op: Obj) -> i32 {
        self.flagged(op, tpflags::DICT_SUBCLASS, "PyDict_Check")
    }

    /// set or frozenset, exactly
    "int PyAnySet_CheckExact(PyObject *op)"
    fn any_set_check_exact(&mut self, op: Obj) -> i32 {
        let t = self.heap.get(op, "PyAnySet_CheckExact").ty;
        (t == wk::SET_TYPE || t == wk::FROZENSET_TYPE) as i32
    }

    /// set, frozenset or subclass
    "int PyAnySet_Check(PyObject *op)"
    fn any_set_check(&mut self, op: Obj) -> i32 {
        self.builtin_is(op, &[Builtin::Set, Builtin::FrozenSet], "PyAnySet_Check")
    }

    /// set or subclass
    "int PySet_Check(PyObject *op)"
    fn set_check(&mut self, op: Obj) -> i32 {
        self.builtin_is(op, &[Builtin::Set], "PySet_Check")
    }

    /// frozenset, exactly
    "int PyFrozenSet_CheckExact(PyObject *op)"
    fn frozenset_check_exact(&mut self, op: Obj) -> i32 {
        self.exact(op, wk::FROZENSET_TYPE, "PyFrozenSet_CheckExact")
    }

    /// slice
    "int PySlice_Check(PyObject *op)"
    fn slice_check(&mut self, op: Obj) -> i32 {
        self.exact(op, wk::SLICE_TYPE, "PySlice_Check")
    }

    /// function (no subclasses exist)
    "int PyFunction_Check(PyObject *op)"
    fn function_check(&mut self, op: Obj) -> i32 {
        self.exact(op, wk::FUNCTION_TYPE, "PyFunction_Check")
    }

    /// code object
    "int PyCode_Check(PyObject *op)"
    fn code_check(&mut self, op: Obj) -> i32 {
        self.exact(op, wk::CODE_TYPE, "PyCode_Check")
    }

    /// cell object
    "int PyCell_Check(PyObject *op)"
    fn cell_check(&mut self, op: Obj) -> i32 {
        self.exact(op, wk::CELL_TYPE, "PyCell_Check")
    }

    /// a type object (type or metatype instance)
    "int PyType_Check(PyObject *op)"
    fn type_check_api(&mut self, op: Obj) -> i32 {
        self.flagged(op, tpflags::TYPE_SUBCLASS, "PyType_Check")
    }

    /// exactly `type`
    "int PyType_CheckExact(PyObject *op)"
    fn type_check_exact(&mut self, op: Obj) -> i32 {
        self.exact(op, wk::TYPE_TYPE, "PyType_CheckExact")
    }

    /// module or subclass
    "int PyModule_CheckExact(PyObject *op)"
    fn module_check_exact(&mut self, op: Obj) -> i32 {
        self.exact(op, wk::MODULE_TYPE, "PyModule_CheckExact")
    }

    /// an exception instance
    "int PyExceptionInstance_Check(PyObject *op)"
    fn exception_instance_check(&mut self, op: Obj) -> i32 {
        self.flagged(op, tpflags::BASE_EXC_SUBCLASS, "PyExceptionInstance_Check")
    }

    /// a type that derives from BaseException
    "int PyExceptionClass_Check(PyObject *op)"
    fn exception_class_check(&mut self, op: Obj) -> i32 {
        let is_type = self.flagged(op, tpflags::TYPE_SUBCLASS, "PyExceptionClass_Check") != 0;
        (is_type && self.type_flags(op) & tpflags::BASE_EXC_SUBCLASS != 0) as i32
    }

    /// `Py_TYPE` of an exception instance, as `PyObject *`
    "PyObject *PyExceptionInstance_Class(PyObject *op)"
    fn exception_instance_class(&mut self, op: Obj) -> Obj {
        self.heap.get(op, "PyExceptionInstance_Class").ty
    }

    /// bound method (`PyMethod_Type` has no subclasses)
    "int PyMethod_Check(PyObject *op)"
    fn method_check(&mut self, op: Obj) -> i32 {
        matches!(self.heap.get(op, "PyMethod_Check").data, ObjData::Method { .. }) as i32
    }

    /// builtin C function (not modelled: never)
    "int PyCFunction_CheckExact(PyObject *op)"
    fn cfunction_check_exact(&mut self, op: Obj) -> i32 {
        self.heap.get(op, "PyCFunction_CheckExact");
        0
    }

    /// generator (not modelled: never)
    "int PyGen_Check(PyObject *op)"
    fn gen_check(&mut self, op: Obj) -> i32 {
        self.heap.get(op, "PyGen_Check");
        0
    }

    /// generator (not modelled: never)
    "int PyGen_CheckExact(PyObject *op)"
    fn gen_check_exact(&mut self, op: Obj) -> i32 {
        self.heap.get(op, "PyGen_CheckExact");
        0
    }

    /// coroutine (not modelled: never)
    "int PyCoro_CheckExact(PyObject *op)"
    fn coro_check_exact(&mut self, op: Obj) -> i32 {
        self.heap.get(op, "PyCoro_CheckExact");
        0
    }

    /// has `tp_iternext` (the modelled iterators)
    "int PyIter_Check(PyObject *op)"
    fn iter_check(&mut self, op: Obj) -> i32 {
        self.builtin_is(op, &[Builtin::ListIter, Builtin::TupleIter, Builtin::RangeIter], "PyIter_Check")
    }

    /// supports the sequence protocol (`sq_item`), dicts excluded
    "int PySequence_Check(PyObject *op)"
    fn sequence_check(&mut self, op: Obj) -> i32 {
        self.builtin_is(op, &[Builtin::List, Builtin::Tuple, Builtin::Str, Builtin::Bytes, Builtin::Range], "PySequence_Check")
    }

    /// `(tp_flags & feature) != 0`
    "int PyType_HasFeature(PyTypeObject *type, unsigned long feature)"
    fn type_has_feature(&mut self, ty: Obj, feature: u64) -> i32 {
        self.heap.get(ty, "PyType_HasFeature");
        (self.type_flags(ty) & feature != 0) as i32
    }

    /// `(tp_flags & feature) != 0`
    "int _PyType_HasFeature(PyTypeObject *type, unsigned long feature)"
    fn type_has_feature_internal(&mut self, ty: Obj, feature: u64) -> i32 {
        self.type_has_feature(ty, feature)
    }

    /// `PyType_IsSubtype`
    "int PyType_IsSubtype(PyTypeObject *a, PyTypeObject *b)"
    fn type_is_subtype(&mut self, a: Obj, b: Obj) -> i32 {
        self.heap.get(a, "PyType_IsSubtype");
        self.is_subtype(a, b) as i32
    }

    /// `PyObject_TypeCheck`
    "int PyObject_TypeCheck(PyObject *ob, PyTypeObject *type)"
    fn object_type_check(&mut self, ob: Obj, ty: Obj) -> i32 {
        let t = self.heap.get(ob, "PyObject_TypeCheck").ty;
        self.is_subtype(t, ty) as i32
    }
}
