//! Functions that take arrays of stack references (`const _PyStackRef *src` + a count): building
//! tuples and lists from the value stack. Generated code passes a slice of the body's stack-array
//! input; the reference interpreter passes the same stack slots as a [`crate::Slots`] value.

use crate::handles::Obj;
use crate::heap::Violation;
use crate::stackref::StackRef;

impl crate::vm::Vm {
    /// The first `n` elements of `src` as owned `PyObject *` references
    /// (`PyStackRef_AsPyObjectSteal` of each), or `None` when `n` is negative or larger than
    /// the array (C would read outside it: recorded as a violation).
    fn steal_slice(&mut self, src: &[StackRef], n: i64, what: &'static str) -> Option<Vec<Obj>> {
        if n < 0 || n as usize > src.len() {
            self.violation(Violation::Assertion(what));
            return None;
        }
        Some(
            src[..n as usize]
                .iter()
                .map(|r| self.stackref_as_steal(*r))
                .collect(),
        )
    }
}

crate::api! {
    /// `tuple(src[:n])`, stealing the `n` references only when the tuple is made; on failure
    /// (NULL, exception set) the caller still owns them. `n == 0` is the empty tuple.
    "PyObject *_PyTuple_FromStackRefStealOnSuccess(const _PyStackRef *src, Py_ssize_t n)"
    fn tuple_from_stackref_steal_on_success(&mut self, #[array] src: StackRef, n: i64) -> Obj {
        if n == 0 {
            return crate::well_known::EMPTY_TUPLE;
        }
        if self.fallible() {
            return Obj::NULL;
        }
        match self.steal_slice(src, n, "_PyTuple_FromStackRefStealOnSuccess count out of range") {
            Some(items) => self.new_tuple(items),
            None => Obj::NULL,
        }
    }

    /// `list(src[:n])`, stealing the `n` references only when the list is made.
    "PyObject *_PyList_FromStackRefStealOnSuccess(const _PyStackRef *src, Py_ssize_t n)"
    fn list_from_stackref_steal_on_success(&mut self, #[array] src: StackRef, n: i64) -> Obj {
        if self.fallible() {
            return Obj::NULL;
        }
        match self.steal_slice(src, n, "_PyList_FromStackRefStealOnSuccess count out of range") {
            Some(items) => self.new_list(items),
            None => Obj::NULL,
        }
    }
}

/// Identifier macros: `_Py_ID(name)`, `_Py_STR(name)` (a second `api!` block needs its own
/// module for its `entries()`).
pub mod ids {
    use crate::handles::Obj;
    use crate::heap::Violation;

    /// `_Py_STR(name)` literals of CPython's `pycore_global_strings.h` that bodies use, with their
    /// text. Other names are recorded as a violation (the model does not know their text).
    const GLOBAL_STR_LITERALS: &[(&str, &str)] = &[("empty", ""), ("dot", "."), ("newline", "\n")];

    crate::api! {
        /// `_Py_ID(name)`: the interned, immortal str `"name"` (the identifier is the text).
        "PyObject _Py_ID(const char *name)"
        fn py_id(&mut self, name: crate::value::CStr) -> Obj {
            let s = self.cstr(name);
            self.intern(&s)
        }

        /// `_Py_STR(name)`: the interned, immortal str literal CPython names `name` (`empty` is
        /// `""`).
        "PyObject _Py_STR(const char *name)"
        fn py_str(&mut self, name: crate::value::CStr) -> Obj {
            let s = self.cstr(name);
            match GLOBAL_STR_LITERALS.iter().find(|(n, _)| *n == s) {
                Some((_, text)) => self.intern(text),
                None => {
                    self.violation(Violation::Assertion("_Py_STR of a literal the model does not know"));
                    Obj::NULL
                }
            }
        }
    }
}

/// `interp->callable_cache`: the builtins specialized calls compare the callable with, and the
/// `SKIP_OVER` of `CALL_LIST_APPEND`.
pub mod cache {
    use crate::handles::{Obj, TState};
    use crate::well_known as wk;

    crate::api! {
        /// `interp->callable_cache.len`: the builtin `len`.
        "PyObject *PyInterpreterState.callable_cache.len(PyInterpreterState *interp)" as "PyInterpreterState.callable_cache.len"
        fn callable_cache_len(&mut self, interp: TState) -> Obj { let _ = interp; wk::BUILTIN_LEN }

        /// `interp->callable_cache.isinstance`: the builtin `isinstance`.
        "PyObject *PyInterpreterState.callable_cache.isinstance(PyInterpreterState *interp)" as "PyInterpreterState.callable_cache.isinstance"
        fn callable_cache_isinstance(&mut self, interp: TState) -> Obj { let _ = interp; wk::BUILTIN_ISINSTANCE }

        /// `interp->callable_cache.list_append`: the method descriptor `list.append`.
        "PyObject *PyInterpreterState.callable_cache.list_append(PyInterpreterState *interp)" as "PyInterpreterState.callable_cache.list_append"
        fn callable_cache_list_append(&mut self, interp: TState) -> Obj { let _ = interp; wk::LIST_APPEND }

        /// `SKIP_OVER(n)` (tier one): `next_instr += n`, skipping the following instructions.
        "void SKIP_OVER(int n)"
        fn skip_over(&mut self, n: i32) -> () { self.next_instr = self.next_instr.offset(n as i64) }
    }
}

/// Making functions and checking call arguments: `MAKE_FUNCTION`, `CALL_FUNCTION_EX`.
pub mod make {
    use crate::handles::{Obj, TState};
    use crate::object::{FunctionData, ObjData};
    use crate::well_known as wk;

    crate::api! {
        /// `PyFunction_New(code, globals)`: a new function of `code` with `globals`; its builtins
        /// are the current frame's (CPython reads `globals["__builtins__"]`, which the model's
        /// states do not set), name and qualname are `co_name`, version unset (0).
        "PyObject *PyFunction_New(PyObject *code, PyObject *globals)"
        fn function_new(&mut self, code: Obj, globals: Obj) -> Obj {
            let name = match self.heap.get(code, "PyFunction_New").data {
                ObjData::Code(ref c) => c.name,
                _ => {
                    self.bad_internal_call("PyFunction_New of a non-code object");
                    return Obj::NULL;
                }
            };
            if self.fallible() {
                return Obj::NULL;
            }
            let builtins = if self.frame().is_null() { Obj::NULL } else { self.cur().builtins };
            for o in [code, globals, builtins, name, name] {
                self.heap.xincref(o);
            }
            self.new_function(FunctionData {
                code,
                globals,
                builtins,
                name,
                qualname: name,
                defaults: Obj::NULL,
                kwdefaults: Obj::NULL,
                closure: Obj::NULL,
                annotate: Obj::NULL,
                version: 0,
            })
        }

        /// `f(*args)` check: 0 when `args` is iterable or a sequence, else -1 with CPython's
        /// `TypeError` ("f() argument after * must be an iterable, not int"), any live exception
        /// cleared first.
        "int _Py_Check_ArgsIterable(PyThreadState *tstate, PyObject *func, PyObject *args)"
        fn check_args_iterable(&mut self, tstate: TState, func: Obj, args: Obj) -> i32 {
            let _ = tstate;
            let iterable = matches!(
                self.heap.get(args, "_Py_Check_ArgsIterable").data,
                ObjData::List(_)
                    | ObjData::Tuple(_)
                    | ObjData::Dict(_)
                    | ObjData::Set(_)
                    | ObjData::Str(_)
                    | ObjData::Bytes(_)
                    | ObjData::Range { .. }
                    | ObjData::SeqIter { .. }
                    | ObjData::RangeIter { .. }
            );
            if iterable {
                return 0;
            }
            self.err_clear();
            // `_PyObject_FunctionStr`: `qualname()` for functions, else `str(func)`.
            let fstr = match self.heap.data(func) {
                ObjData::Function(f) => format!("{}()", crate::repr::str_of(self, f.qualname)),
                _ => crate::repr::str_of(self, func),
            };
            let msg = format!(
                "{fstr} argument after * must be an iterable, not {}",
                self.type_name_of(args)
            );
            self.raise(wk::EXC_TYPE_ERROR, &msg);
            -1
        }
    }
}
