// cases2rs C-body prelude: the type names opcode bodies use, declared so that lang-c knows they are
// types. Without a name here lang-c parses `(uint16_t)(x)` as a call and `PyObject *o;` as a
// multiplication (the lint in lint.rs turns those shapes into errors). Only the declared *names*
// matter to parsing; the C types, their Rust mapping and their semantics live in the binding table.
// One `typedef ... NAME;` per line, using no other prelude name (so any line can be removed).
// Written by hand for cases2rs; not taken from CPython headers.

typedef _Bool bool;
typedef signed char int8_t;
typedef short int16_t;
typedef int int32_t;
typedef long long int64_t;
typedef unsigned char uint8_t;
typedef unsigned short uint16_t;
typedef unsigned int uint32_t;
typedef unsigned long long uint64_t;
typedef unsigned long size_t;
typedef long ptrdiff_t;
typedef long intptr_t;
typedef unsigned long uintptr_t;
typedef long Py_ssize_t;
typedef long Py_hash_t;
typedef unsigned int Py_UCS4;

typedef struct _object PyObject;
typedef struct _typeobject PyTypeObject;
typedef struct PyHeapTypeObject PyHeapTypeObject;
typedef struct PyLongObject PyLongObject;
typedef struct PyFloatObject PyFloatObject;
typedef struct PyTupleObject PyTupleObject;
typedef struct PyListObject PyListObject;
typedef struct PyDictObject PyDictObject;
typedef struct PyDictKeysObject PyDictKeysObject;
typedef struct PyDictValues PyDictValues;
typedef struct PyDictKeyEntry PyDictKeyEntry;
typedef struct PyDictUnicodeEntry PyDictUnicodeEntry;
typedef struct PySetObject PySetObject;
typedef struct PyCodeObject PyCodeObject;
typedef struct PyFunctionObject PyFunctionObject;
typedef struct PyMethodObject PyMethodObject;
typedef struct PyMethodDescrObject PyMethodDescrObject;
typedef struct PyMethodDef PyMethodDef;
typedef struct PyCFunctionObject PyCFunctionObject;
typedef struct PyCellObject PyCellObject;
typedef struct PyGenObject PyGenObject;
typedef struct PyModuleObject PyModuleObject;
typedef struct PyFrameObject PyFrameObject;
typedef struct PyStopIterationObject PyStopIterationObject;
typedef struct PyBaseExceptionObject PyBaseExceptionObject;
typedef struct PyInterpreterState PyInterpreterState;
typedef struct PyThreadState PyThreadState;
typedef struct _PyThreadStateImpl _PyThreadStateImpl;
typedef struct _PyInterpreterFrame _PyInterpreterFrame;
typedef struct _PyStackRef _PyStackRef;
typedef struct _PyCStackRef _PyCStackRef;
typedef struct _PyErr_StackItem _PyErr_StackItem;
typedef unsigned short _Py_CODEUNIT;
typedef struct _Py_BackoffCounter _Py_BackoffCounter;
typedef struct _PyRangeIterObject _PyRangeIterObject;
typedef struct _PyListIterObject _PyListIterObject;
typedef struct _PyTupleIterObject _PyTupleIterObject;
typedef struct _PyExecutorObject _PyExecutorObject;
typedef struct _PyExitData _PyExitData;
typedef struct _PyCounterOptimizerObject _PyCounterOptimizerObject;
typedef struct _PyCallCache _PyCallCache;
typedef struct _PyBinaryOpCache _PyBinaryOpCache;
typedef struct _PyBinaryOpSpecializationDescr _PyBinaryOpSpecializationDescr;
typedef struct _PyBinarySubscrCache _PyBinarySubscrCache;
typedef struct _PyStoreSubscrCache _PyStoreSubscrCache;
typedef struct _PySendCache _PySendCache;
typedef struct _PyUnpackSequenceCache _PyUnpackSequenceCache;
typedef struct _PyAttrCache _PyAttrCache;
typedef struct _PyLoadGlobalCache _PyLoadGlobalCache;
typedef struct _PySuperAttrCache _PySuperAttrCache;
typedef struct _PyCompareOpCache _PyCompareOpCache;
typedef struct _PyForIterCache _PyForIterCache;
typedef struct _PyLoadMethodCache _PyLoadMethodCache;
typedef struct PyDictOrValues PyDictOrValues;

typedef struct _object *(*unaryfunc)(struct _object *);
typedef struct _object *(*binaryfunc)(struct _object *, struct _object *);
typedef struct _object *(*iternextfunc)(struct _object *);
typedef struct _object *(*getter)(struct _object *, void *);
typedef struct _object *(*PyCFunction)(struct _object *, struct _object *);
typedef struct _object *(*PyCFunctionFast)(struct _object *, struct _object *const *, long);
typedef struct _object *(*PyCFunctionFastWithKeywords)(struct _object *, struct _object *const *, long, struct _object *);
typedef struct _object *(*_PyCFunctionFast)(struct _object *, struct _object *const *, long);
typedef struct _object *(*_PyCFunctionFastWithKeywords)(struct _object *, struct _object *const *, long, struct _object *);
typedef struct _object *(*PyCFunctionWithKeywords)(struct _object *, struct _object *, struct _object *);
typedef struct _object *(*vectorcallfunc)(struct _object *, struct _object *const *, unsigned long, struct _object *);
typedef void (*destructor)(struct _object *);
typedef struct _object *(*conversion_func)(struct _object *);
