//! Objects every `Vm` starts with, at fixed handles: builtin types, exception types, singletons.
//!
//! Fixed handles make `PyExc_TypeError`, `&PyLong_Type`, `Py_None`, ... compile-time constants of
//! generated code, and make two fresh `Vm`s identical.

use crate::handles::Obj;
use crate::object::Builtin;

/// `tp_flags` bits (CPython values).
pub mod tpflags {
    #![allow(missing_docs)]
    pub const INLINE_VALUES: u64 = 1 << 2;
    pub const MANAGED_WEAKREF: u64 = 1 << 3;
    pub const MANAGED_DICT: u64 = 1 << 4;
    pub const SEQUENCE: u64 = 1 << 5;
    pub const MAPPING: u64 = 1 << 6;
    pub const DISALLOW_INSTANTIATION: u64 = 1 << 7;
    pub const IMMUTABLETYPE: u64 = 1 << 8;
    pub const HEAPTYPE: u64 = 1 << 9;
    pub const BASETYPE: u64 = 1 << 10;
    pub const HAVE_VECTORCALL: u64 = 1 << 11;
    pub const READY: u64 = 1 << 12;
    pub const HAVE_GC: u64 = 1 << 14;
    pub const METHOD_DESCRIPTOR: u64 = 1 << 17;
    pub const VALID_VERSION_TAG: u64 = 1 << 19;
    pub const IS_ABSTRACT: u64 = 1 << 20;
    pub const MATCH_SELF: u64 = 1 << 22;
    pub const ITEMS_AT_END: u64 = 1 << 23;
    pub const LONG_SUBCLASS: u64 = 1 << 24;
    pub const LIST_SUBCLASS: u64 = 1 << 25;
    pub const TUPLE_SUBCLASS: u64 = 1 << 26;
    pub const BYTES_SUBCLASS: u64 = 1 << 27;
    pub const UNICODE_SUBCLASS: u64 = 1 << 28;
    pub const DICT_SUBCLASS: u64 = 1 << 29;
    pub const BASE_EXC_SUBCLASS: u64 = 1 << 30;
    pub const TYPE_SUBCLASS: u64 = 1 << 31;
}

use tpflags::*;

const STATIC: u64 = READY | IMMUTABLETYPE | VALID_VERSION_TAG;

/// One builtin type: handle, `tp_name`, instance behaviour, base, `tp_flags`.
#[derive(Clone, Copy, Debug)]
pub struct TypeSpec {
    /// fixed handle
    pub handle: Obj,
    /// `tp_name`
    pub name: &'static str,
    /// instance behaviour
    pub builtin: Builtin,
    /// `tp_base`
    pub base: Obj,
    /// `tp_flags`
    pub flags: u64,
}

macro_rules! well_known_types {
    ($($konst:ident = $h:literal, $name:literal, $b:ident, $base:ident, $flags:expr;)*) => {
        $(
            #[doc = concat!("the type `", $name, "`")]
            pub const $konst: Obj = Obj($h);
        )*
        /// Every builtin type, in handle order.
        pub const TYPES: &[TypeSpec] = &[
            $(TypeSpec { handle: Obj($h), name: $name, builtin: Builtin::$b, base: $base, flags: $flags },)*
        ];
    };
}

const NULL: Obj = Obj::NULL;

well_known_types! {
    OBJECT_TYPE = 1, "object", Object, NULL, STATIC | BASETYPE;
    TYPE_TYPE = 2, "type", Type, OBJECT_TYPE, STATIC | BASETYPE | TYPE_SUBCLASS | HAVE_GC;
    NONE_TYPE = 3, "NoneType", NoneType, OBJECT_TYPE, STATIC;
    NOTIMPL_TYPE = 4, "NotImplementedType", NotImplementedType, OBJECT_TYPE, STATIC;
    ELLIPSIS_TYPE = 5, "ellipsis", Ellipsis, OBJECT_TYPE, STATIC;
    LONG_TYPE = 6, "int", Int, OBJECT_TYPE, STATIC | BASETYPE | LONG_SUBCLASS;
    BOOL_TYPE = 7, "bool", Bool, LONG_TYPE, STATIC | LONG_SUBCLASS;
    FLOAT_TYPE = 8, "float", Float, OBJECT_TYPE, STATIC | BASETYPE;
    UNICODE_TYPE = 9, "str", Str, OBJECT_TYPE, STATIC | BASETYPE | UNICODE_SUBCLASS;
    BYTES_TYPE = 10, "bytes", Bytes, OBJECT_TYPE, STATIC | BASETYPE | BYTES_SUBCLASS;
    TUPLE_TYPE = 11, "tuple", Tuple, OBJECT_TYPE, STATIC | BASETYPE | TUPLE_SUBCLASS | SEQUENCE | HAVE_GC;
    LIST_TYPE = 12, "list", List, OBJECT_TYPE, STATIC | BASETYPE | LIST_SUBCLASS | SEQUENCE | HAVE_GC;
    DICT_TYPE = 13, "dict", Dict, OBJECT_TYPE, STATIC | BASETYPE | DICT_SUBCLASS | MAPPING | HAVE_GC;
    SET_TYPE = 14, "set", Set, OBJECT_TYPE, STATIC | BASETYPE | HAVE_GC;
    FROZENSET_TYPE = 15, "frozenset", FrozenSet, OBJECT_TYPE, STATIC | BASETYPE | HAVE_GC;
    SLICE_TYPE = 16, "slice", Slice, OBJECT_TYPE, STATIC;
    RANGE_TYPE = 17, "range", Range, OBJECT_TYPE, STATIC | SEQUENCE;
    LISTITER_TYPE = 18, "list_iterator", ListIter, OBJECT_TYPE, STATIC | HAVE_GC;
    TUPLEITER_TYPE = 19, "tuple_iterator", TupleIter, OBJECT_TYPE, STATIC | HAVE_GC;
    RANGEITER_TYPE = 20, "range_iterator", RangeIter, OBJECT_TYPE, STATIC;
    CELL_TYPE = 21, "cell", Cell, OBJECT_TYPE, STATIC | HAVE_GC;
    FUNCTION_TYPE = 22, "function", Function, OBJECT_TYPE, STATIC | HAVE_GC | METHOD_DESCRIPTOR | HAVE_VECTORCALL;
    CODE_TYPE = 23, "code", Code, OBJECT_TYPE, STATIC;
    MODULE_TYPE = 24, "module", Module, OBJECT_TYPE, STATIC | BASETYPE | HAVE_GC;
    OPAQUE_TYPE = 25, "opaque", Opaque, OBJECT_TYPE, READY | HEAPTYPE | BASETYPE | VALID_VERSION_TAG;
    EXC_BASE_EXCEPTION = 26, "BaseException", Exception, OBJECT_TYPE, STATIC | BASETYPE | BASE_EXC_SUBCLASS | HAVE_GC;
    EXC_EXCEPTION = 27, "Exception", Exception, EXC_BASE_EXCEPTION, STATIC | BASETYPE | BASE_EXC_SUBCLASS | HAVE_GC;
    EXC_TYPE_ERROR = 28, "TypeError", Exception, EXC_EXCEPTION, STATIC | BASETYPE | BASE_EXC_SUBCLASS | HAVE_GC;
    EXC_VALUE_ERROR = 29, "ValueError", Exception, EXC_EXCEPTION, STATIC | BASETYPE | BASE_EXC_SUBCLASS | HAVE_GC;
    EXC_ARITHMETIC_ERROR = 30, "ArithmeticError", Exception, EXC_EXCEPTION, STATIC | BASETYPE | BASE_EXC_SUBCLASS | HAVE_GC;
    EXC_ZERO_DIVISION_ERROR = 31, "ZeroDivisionError", Exception, EXC_ARITHMETIC_ERROR, STATIC | BASETYPE | BASE_EXC_SUBCLASS | HAVE_GC;
    EXC_OVERFLOW_ERROR = 32, "OverflowError", Exception, EXC_ARITHMETIC_ERROR, STATIC | BASETYPE | BASE_EXC_SUBCLASS | HAVE_GC;
    EXC_LOOKUP_ERROR = 33, "LookupError", Exception, EXC_EXCEPTION, STATIC | BASETYPE | BASE_EXC_SUBCLASS | HAVE_GC;
    EXC_KEY_ERROR = 34, "KeyError", Exception, EXC_LOOKUP_ERROR, STATIC | BASETYPE | BASE_EXC_SUBCLASS | HAVE_GC;
    EXC_INDEX_ERROR = 35, "IndexError", Exception, EXC_LOOKUP_ERROR, STATIC | BASETYPE | BASE_EXC_SUBCLASS | HAVE_GC;
    EXC_ATTRIBUTE_ERROR = 36, "AttributeError", Exception, EXC_EXCEPTION, STATIC | BASETYPE | BASE_EXC_SUBCLASS | HAVE_GC;
    EXC_NAME_ERROR = 37, "NameError", Exception, EXC_EXCEPTION, STATIC | BASETYPE | BASE_EXC_SUBCLASS | HAVE_GC;
    EXC_UNBOUND_LOCAL_ERROR = 38, "UnboundLocalError", Exception, EXC_NAME_ERROR, STATIC | BASETYPE | BASE_EXC_SUBCLASS | HAVE_GC;
    EXC_MEMORY_ERROR = 39, "MemoryError", Exception, EXC_EXCEPTION, STATIC | BASETYPE | BASE_EXC_SUBCLASS | HAVE_GC;
    EXC_STOP_ITERATION = 40, "StopIteration", Exception, EXC_EXCEPTION, STATIC | BASETYPE | BASE_EXC_SUBCLASS | HAVE_GC;
    EXC_STOP_ASYNC_ITERATION = 41, "StopAsyncIteration", Exception, EXC_EXCEPTION, STATIC | BASETYPE | BASE_EXC_SUBCLASS | HAVE_GC;
    EXC_SYSTEM_ERROR = 42, "SystemError", Exception, EXC_EXCEPTION, STATIC | BASETYPE | BASE_EXC_SUBCLASS | HAVE_GC;
    EXC_RUNTIME_ERROR = 43, "RuntimeError", Exception, EXC_EXCEPTION, STATIC | BASETYPE | BASE_EXC_SUBCLASS | HAVE_GC;
    EXC_RECURSION_ERROR = 44, "RecursionError", Exception, EXC_RUNTIME_ERROR, STATIC | BASETYPE | BASE_EXC_SUBCLASS | HAVE_GC;
    EXC_NOT_IMPLEMENTED_ERROR = 45, "NotImplementedError", Exception, EXC_RUNTIME_ERROR, STATIC | BASETYPE | BASE_EXC_SUBCLASS | HAVE_GC;
    EXC_ASSERTION_ERROR = 46, "AssertionError", Exception, EXC_EXCEPTION, STATIC | BASETYPE | BASE_EXC_SUBCLASS | HAVE_GC;
    EXC_IMPORT_ERROR = 47, "ImportError", Exception, EXC_EXCEPTION, STATIC | BASETYPE | BASE_EXC_SUBCLASS | HAVE_GC;
    METHOD_TYPE = 48, "method", Opaque, OBJECT_TYPE, STATIC | HAVE_GC | HAVE_VECTORCALL;
    GEN_TYPE = 49, "generator", Opaque, OBJECT_TYPE, STATIC | HAVE_GC;
    CORO_TYPE = 50, "coroutine", Opaque, OBJECT_TYPE, STATIC | HAVE_GC;
    SUPER_TYPE = 51, "super", Opaque, OBJECT_TYPE, STATIC | BASETYPE | HAVE_GC;
    METHOD_DESCR_TYPE = 52, "method_descriptor", Opaque, OBJECT_TYPE, STATIC | HAVE_GC | METHOD_DESCRIPTOR | HAVE_VECTORCALL;
    CFUNCTION_TYPE = 53, "builtin_function_or_method", Opaque, OBJECT_TYPE, STATIC | HAVE_GC | HAVE_VECTORCALL;
}

/// `Py_None`
pub const NONE: Obj = Obj(54);
/// `Py_NotImplemented`
pub const NOT_IMPLEMENTED: Obj = Obj(55);
/// `Py_Ellipsis`
pub const ELLIPSIS: Obj = Obj(56);
/// `Py_False`
pub const FALSE: Obj = Obj(57);
/// `Py_True`
pub const TRUE: Obj = Obj(58);
/// the empty tuple singleton
pub const EMPTY_TUPLE: Obj = Obj(59);
/// the empty str singleton (`&_Py_STR(empty)`)
pub const EMPTY_STR: Obj = Obj(60);
/// the empty bytes singleton
pub const EMPTY_BYTES: Obj = Obj(61);
/// `_PyInstrumentation_MISSING`: the "no argument" sentinel of monitoring calls
pub const INSTRUMENTATION_MISSING: Obj = Obj(62);
/// the builtin function `len` (`interp->callable_cache.len`)
pub const BUILTIN_LEN: Obj = Obj(63);
/// the builtin function `isinstance` (`interp->callable_cache.isinstance`)
pub const BUILTIN_ISINSTANCE: Obj = Obj(64);
/// the method descriptor `list.append` (`interp->callable_cache.list_append`)
pub const LIST_APPEND: Obj = Obj(65);
/// The objects of `PyInterpreterState.callable_cache` that bodies compare callables with.
pub const CALLABLE_CACHE: &[Obj] = &[BUILTIN_LEN, BUILTIN_ISINSTANCE, LIST_APPEND];
/// first handle after the well-known objects
pub const FIRST_DYNAMIC: u32 = 66;

/// Smallest cached small int (`_PY_NSMALLNEGINTS`).
pub const SMALL_INT_MIN: i64 = -5;
/// Largest cached small int (`_PY_NSMALLPOSINTS - 1`).
pub const SMALL_INT_MAX: i64 = 256;

/// A readable name for a well-known handle (`None`, `True`, `type int`, ...).
pub fn name_of(o: Obj) -> Option<String> {
    if let Some(t) = TYPES.iter().find(|t| t.handle == o) {
        return Some(format!("type {}", t.name));
    }
    let n = match o {
        NONE => "None",
        NOT_IMPLEMENTED => "NotImplemented",
        ELLIPSIS => "Ellipsis",
        FALSE => "False",
        TRUE => "True",
        EMPTY_TUPLE => "()",
        EMPTY_STR => "''",
        EMPTY_BYTES => "b''",
        INSTRUMENTATION_MISSING => "_PyInstrumentation_MISSING",
        BUILTIN_LEN => "builtin len",
        BUILTIN_ISINSTANCE => "builtin isinstance",
        LIST_APPEND => "list.append",
        _ => return None,
    };
    Some(n.to_string())
}
