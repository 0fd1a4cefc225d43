//! The object-valued globals bodies name: builtin type objects (`&PyLong_Type`), exception
//! classes (`PyExc_TypeError`), singletons (`Py_None`) and exact deallocators.

use crate::handles::{Destructor, Obj};
use crate::well_known as wk;

crate::api! {
    /// `&PyBaseObject_Type`
    "PyTypeObject *PyBaseObject_Type(void)"
    fn g_object_type(&mut self) -> Obj { wk::OBJECT_TYPE }

    /// `&PyType_Type`
    "PyTypeObject *PyType_Type(void)"
    fn g_type_type(&mut self) -> Obj { wk::TYPE_TYPE }

    /// `&_PyNone_Type`
    "PyTypeObject *_PyNone_Type(void)"
    fn g_none_type(&mut self) -> Obj { wk::NONE_TYPE }

    /// `&_PyNotImplemented_Type`
    "PyTypeObject *_PyNotImplemented_Type(void)"
    fn g_notimpl_type(&mut self) -> Obj { wk::NOTIMPL_TYPE }

    /// `&PyEllipsis_Type`
    "PyTypeObject *PyEllipsis_Type(void)"
    fn g_ellipsis_type(&mut self) -> Obj { wk::ELLIPSIS_TYPE }

    /// `&PyLong_Type`
    "PyTypeObject *PyLong_Type(void)"
    fn g_long_type(&mut self) -> Obj { wk::LONG_TYPE }

    /// `&PyBool_Type`
    "PyTypeObject *PyBool_Type(void)"
    fn g_bool_type(&mut self) -> Obj { wk::BOOL_TYPE }

    /// `&PyFloat_Type`
    "PyTypeObject *PyFloat_Type(void)"
    fn g_float_type(&mut self) -> Obj { wk::FLOAT_TYPE }

    /// `&PyUnicode_Type`
    "PyTypeObject *PyUnicode_Type(void)"
    fn g_unicode_type(&mut self) -> Obj { wk::UNICODE_TYPE }

    /// `&PyBytes_Type`
    "PyTypeObject *PyBytes_Type(void)"
    fn g_bytes_type(&mut self) -> Obj { wk::BYTES_TYPE }

    /// `&PyTuple_Type`
    "PyTypeObject *PyTuple_Type(void)"
    fn g_tuple_type(&mut self) -> Obj { wk::TUPLE_TYPE }

    /// `&PyList_Type`
    "PyTypeObject *PyList_Type(void)"
    fn g_list_type(&mut self) -> Obj { wk::LIST_TYPE }

    /// `&PyDict_Type`
    "PyTypeObject *PyDict_Type(void)"
    fn g_dict_type(&mut self) -> Obj { wk::DICT_TYPE }

    /// `&PySet_Type`
    "PyTypeObject *PySet_Type(void)"
    fn g_set_type(&mut self) -> Obj { wk::SET_TYPE }

    /// `&PyFrozenSet_Type`
    "PyTypeObject *PyFrozenSet_Type(void)"
    fn g_frozenset_type(&mut self) -> Obj { wk::FROZENSET_TYPE }

    /// `&PySlice_Type`
    "PyTypeObject *PySlice_Type(void)"
    fn g_slice_type(&mut self) -> Obj { wk::SLICE_TYPE }

    /// `&PyRange_Type`
    "PyTypeObject *PyRange_Type(void)"
    fn g_range_type(&mut self) -> Obj { wk::RANGE_TYPE }

    /// `&PyListIter_Type`
    "PyTypeObject *PyListIter_Type(void)"
    fn g_listiter_type(&mut self) -> Obj { wk::LISTITER_TYPE }

    /// `&PyTupleIter_Type`
    "PyTypeObject *PyTupleIter_Type(void)"
    fn g_tupleiter_type(&mut self) -> Obj { wk::TUPLEITER_TYPE }

    /// `&PyRangeIter_Type`
    "PyTypeObject *PyRangeIter_Type(void)"
    fn g_rangeiter_type(&mut self) -> Obj { wk::RANGEITER_TYPE }

    /// `&PyCell_Type`
    "PyTypeObject *PyCell_Type(void)"
    fn g_cell_type(&mut self) -> Obj { wk::CELL_TYPE }

    /// `&PyFunction_Type`
    "PyTypeObject *PyFunction_Type(void)"
    fn g_function_type(&mut self) -> Obj { wk::FUNCTION_TYPE }

    /// `&PyCode_Type`
    "PyTypeObject *PyCode_Type(void)"
    fn g_code_type(&mut self) -> Obj { wk::CODE_TYPE }

    /// `&PyModule_Type`
    "PyTypeObject *PyModule_Type(void)"
    fn g_module_type(&mut self) -> Obj { wk::MODULE_TYPE }

    /// `PyExc_BaseException`
    "PyObject *PyExc_BaseException(void)"
    fn g_exc_base_exception(&mut self) -> Obj { wk::EXC_BASE_EXCEPTION }

    /// `PyExc_Exception`
    "PyObject *PyExc_Exception(void)"
    fn g_exc_exception(&mut self) -> Obj { wk::EXC_EXCEPTION }

    /// `PyExc_TypeError`
    "PyObject *PyExc_TypeError(void)"
    fn g_exc_type_error(&mut self) -> Obj { wk::EXC_TYPE_ERROR }

    /// `PyExc_ValueError`
    "PyObject *PyExc_ValueError(void)"
    fn g_exc_value_error(&mut self) -> Obj { wk::EXC_VALUE_ERROR }

    /// `PyExc_ArithmeticError`
    "PyObject *PyExc_ArithmeticError(void)"
    fn g_exc_arithmetic_error(&mut self) -> Obj { wk::EXC_ARITHMETIC_ERROR }

    /// `PyExc_ZeroDivisionError`
    "PyObject *PyExc_ZeroDivisionError(void)"
    fn g_exc_zero_division_error(&mut self) -> Obj { wk::EXC_ZERO_DIVISION_ERROR }

    /// `PyExc_OverflowError`
    "PyObject *PyExc_OverflowError(void)"
    fn g_exc_overflow_error(&mut self) -> Obj { wk::EXC_OVERFLOW_ERROR }

    /// `PyExc_LookupError`
    "PyObject *PyExc_LookupError(void)"
    fn g_exc_lookup_error(&mut self) -> Obj { wk::EXC_LOOKUP_ERROR }

    /// `PyExc_KeyError`
    "PyObject *PyExc_KeyError(void)"
    fn g_exc_key_error(&mut self) -> Obj { wk::EXC_KEY_ERROR }

    /// `PyExc_IndexError`
    "PyObject *PyExc_IndexError(void)"
    fn g_exc_index_error(&mut self) -> Obj { wk::EXC_INDEX_ERROR }

    /// `PyExc_AttributeError`
    "PyObject *PyExc_AttributeError(void)"
    fn g_exc_attribute_error(&mut self) -> Obj { wk::EXC_ATTRIBUTE_ERROR }

    /// `PyExc_NameError`
    "PyObject *PyExc_NameError(void)"
    fn g_exc_name_error(&mut self) -> Obj { wk::EXC_NAME_ERROR }

    /// `PyExc_UnboundLocalError`
    "PyObject *PyExc_UnboundLocalError(void)"
    fn g_exc_unbound_local_error(&mut self) -> Obj { wk::EXC_UNBOUND_LOCAL_ERROR }

    /// `PyExc_MemoryError`
    "PyObject *PyExc_MemoryError(void)"
    fn g_exc_memory_error(&mut self) -> Obj { wk::EXC_MEMORY_ERROR }

    /// `PyExc_StopIteration`
    "PyObject *PyExc_StopIteration(void)"
    fn g_exc_stop_iteration(&mut self) -> Obj { wk::EXC_STOP_ITERATION }

    /// `PyExc_StopAsyncIteration`
    "PyObject *PyExc_StopAsyncIteration(void)"
    fn g_exc_stop_async_iteration(&mut self) -> Obj { wk::EXC_STOP_ASYNC_ITERATION }

    /// `PyExc_SystemError`
    "PyObject *PyExc_SystemError(void)"
    fn g_exc_system_error(&mut self) -> Obj { wk::EXC_SYSTEM_ERROR }

    /// `PyExc_RuntimeError`
    "PyObject *PyExc_RuntimeError(void)"
    fn g_exc_runtime_error(&mut self) -> Obj { wk::EXC_RUNTIME_ERROR }

    /// `PyExc_RecursionError`
    "PyObject *PyExc_RecursionError(void)"
    fn g_exc_recursion_error(&mut self) -> Obj { wk::EXC_RECURSION_ERROR }

    /// `PyExc_NotImplementedError`
    "PyObject *PyExc_NotImplementedError(void)"
    fn g_exc_not_implemented_error(&mut self) -> Obj { wk::EXC_NOT_IMPLEMENTED_ERROR }

    /// `PyExc_AssertionError`
    "PyObject *PyExc_AssertionError(void)"
    fn g_exc_assertion_error(&mut self) -> Obj { wk::EXC_ASSERTION_ERROR }

    /// `PyExc_ImportError`
    "PyObject *PyExc_ImportError(void)"
    fn g_exc_import_error(&mut self) -> Obj { wk::EXC_IMPORT_ERROR }

    /// `&PyMethod_Type`
    "PyTypeObject *PyMethod_Type(void)"
    fn g_method_type(&mut self) -> Obj { wk::METHOD_TYPE }

    /// `&PyGen_Type`
    "PyTypeObject *PyGen_Type(void)"
    fn g_gen_type(&mut self) -> Obj { wk::GEN_TYPE }

    /// `&PyCoro_Type`
    "PyTypeObject *PyCoro_Type(void)"
    fn g_coro_type(&mut self) -> Obj { wk::CORO_TYPE }

    /// `&PySuper_Type`
    "PyTypeObject *PySuper_Type(void)"
    fn g_super_type(&mut self) -> Obj { wk::SUPER_TYPE }

    /// `&PyMethodDescr_Type`
    "PyTypeObject *PyMethodDescr_Type(void)"
    fn g_method_descr_type(&mut self) -> Obj { wk::METHOD_DESCR_TYPE }

    /// `&PyCFunction_Type`
    "PyTypeObject *PyCFunction_Type(void)"
    fn g_cfunction_type(&mut self) -> Obj { wk::CFUNCTION_TYPE }

    /// `Py_None`
    "PyObject *Py_None(void)"
    fn g_none(&mut self) -> Obj { wk::NONE }

    /// `Py_True`
    "PyObject *Py_True(void)"
    fn g_true(&mut self) -> Obj { wk::TRUE }

    /// `Py_False`
    "PyObject *Py_False(void)"
    fn g_false(&mut self) -> Obj { wk::FALSE }

    /// `Py_NotImplemented`
    "PyObject *Py_NotImplemented(void)"
    fn g_not_implemented(&mut self) -> Obj { wk::NOT_IMPLEMENTED }

    /// `Py_Ellipsis`
    "PyObject *Py_Ellipsis(void)"
    fn g_ellipsis(&mut self) -> Obj { wk::ELLIPSIS }

    /// `_PyInstrumentation_MISSING`
    "PyObject *_PyInstrumentation_MISSING(void)"
    fn g_instrumentation_missing(&mut self) -> Obj { wk::INSTRUMENTATION_MISSING }

    /// `_PyLong_ExactDealloc` as a `destructor` value
    "destructor _PyLong_ExactDealloc(void)"
    fn g_pylong_exactdealloc(&mut self) -> Destructor { Destructor::LongExact }

    /// `_PyFloat_ExactDealloc` as a `destructor` value
    "destructor _PyFloat_ExactDealloc(void)"
    fn g_pyfloat_exactdealloc(&mut self) -> Destructor { Destructor::FloatExact }

    /// `_PyUnicode_ExactDealloc` as a `destructor` value
    "destructor _PyUnicode_ExactDealloc(void)"
    fn g_pyunicode_exactdealloc(&mut self) -> Destructor { Destructor::UnicodeExact }

    /// `PyObject_Free` as a `destructor` value
    "destructor PyObject_Free(void)"
    fn g_pyobject_free(&mut self) -> Destructor { Destructor::Generic }

}
