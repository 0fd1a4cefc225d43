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
            self.new_function(FunctionData::plain(code, globals, builtins, name, 0))
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

/// Calls: `PyObject_Vectorcall` on the model's callables, pushing a Python frame
/// (`_PyEvalFramePushAndInit`), and the free-threading `_Py_TryIncrefCompareStackRef`.
pub mod call {
    use crate::handles::{FrameId, Obj, TState};
    use crate::object::ObjData;
    use crate::stackref::StackRef;
    use crate::well_known as wk;

    /// `PY_VECTORCALL_ARGUMENTS_OFFSET`: the flag bit of `nargsf` (the callee may use
    /// `args[-1]`).
    pub const PY_VECTORCALL_ARGUMENTS_OFFSET: u64 = 1 << 63;

    impl crate::vm::Vm {
        /// A builtin that takes no keyword arguments, with exactly `want` positional ones.
        fn exact_args(&mut self, name: &str, nargs: usize, nkw: usize, want: usize) -> bool {
            if nkw > 0 {
                self.raise(
                    wk::EXC_TYPE_ERROR,
                    &format!("{name}() takes no keyword arguments"),
                );
                return false;
            }
            if nargs != want {
                let msg = match want {
                    1 => format!("{name}() takes exactly one argument ({nargs} given)"),
                    _ => format!("{name} expected {want} arguments, got {nargs}"),
                };
                self.raise(wk::EXC_TYPE_ERROR, &msg);
                return false;
            }
            true
        }

        /// `type(...)`/`str(...)`/`tuple(...)`/`list(...)` with positional `args`.
        fn call_builtin_type(&mut self, ty: Obj, args: &[Obj]) -> Obj {
            match (ty, args) {
                (wk::TYPE_TYPE, [x]) => {
                    let t = self.heap.ty(*x);
                    self.heap.incref(t);
                    t
                }
                (wk::UNICODE_TYPE, []) => wk::EMPTY_STR,
                (wk::UNICODE_TYPE, [x]) => self.object_str(*x),
                (wk::TUPLE_TYPE, []) => wk::EMPTY_TUPLE,
                (wk::TUPLE_TYPE, [x]) => self.sequence_tuple(*x),
                (wk::LIST_TYPE, []) => self.new_list(Vec::new()),
                (wk::LIST_TYPE, [x]) => match self.iterable_items(*x) {
                    Some(items) => self.new_list(items),
                    None => Obj::NULL,
                },
                _ => {
                    let name = self.type_name(ty);
                    let msg = format!("{name}() takes at most 1 argument ({} given)", args.len());
                    self.raise(wk::EXC_TYPE_ERROR, &msg)
                }
            }
        }
    }

    crate::api! {
        /// `PY_VECTORCALL_ARGUMENTS_OFFSET` (Include/cpython/abstract.h): the top bit of
        /// `size_t`, a name the binding table gives as a global because the value does not fit
        /// a TOML integer
        "size_t PY_VECTORCALL_ARGUMENTS_OFFSET(void)"
        fn vectorcall_arguments_offset(&mut self) -> u64 {
            PY_VECTORCALL_ARGUMENTS_OFFSET
        }

        /// `callable(*args[:n], **kw)` with `n = nargsf & ~PY_VECTORCALL_ARGUMENTS_OFFSET` and the
        /// keyword names' values after the positional ones. Arguments are borrowed. The model
        /// follows CPython for `len`, `isinstance`, `list.append`, and `type`/`str`/`tuple`/`list`
        /// of at most one argument; a function, class or other callable returns `None`
        /// (its code is not run: an opaque, deterministic result); anything else is not
        /// callable (`TypeError`).
        "PyObject *PyObject_Vectorcall(PyObject *callable, PyObject *const *args, size_t nargsf, PyObject *kwnames)"
        fn object_vectorcall(&mut self, callable: Obj, #[array] args: Obj, nargsf: u64, kwnames: Obj) -> Obj {
            let nargs = (nargsf & !PY_VECTORCALL_ARGUMENTS_OFFSET) as usize;
            let nkw = if kwnames.is_null() { 0 } else { self.tuple_get_size(kwnames).max(0) as usize };
            if nargs.saturating_add(nkw) > args.len() {
                self.violation(crate::heap::Violation::Assertion("PyObject_Vectorcall count beyond the array"));
                return Obj::NULL;
            }
            if self.fallible() {
                return Obj::NULL;
            }
            let pos = &args[..nargs];
            match callable {
                wk::BUILTIN_LEN => {
                    if !self.exact_args("len", nargs, nkw, 1) {
                        return Obj::NULL;
                    }
                    let n = self.object_length(pos[0]);
                    if n < 0 { Obj::NULL } else { self.new_int(n) }
                }
                wk::BUILTIN_ISINSTANCE => {
                    if !self.exact_args("isinstance", nargs, nkw, 2) {
                        return Obj::NULL;
                    }
                    match self.object_is_instance(pos[0], pos[1]) {
                        r if r < 0 => Obj::NULL,
                        0 => wk::FALSE,
                        _ => wk::TRUE,
                    }
                }
                wk::LIST_APPEND => {
                    let Some((&this, rest)) = pos.split_first() else {
                        return self.raise(wk::EXC_TYPE_ERROR, "unbound method list.append() needs an argument");
                    };
                    if !self.type_check(this, wk::LIST_TYPE) {
                        let msg = format!(
                            "descriptor 'append' for 'list' objects doesn't apply to a '{}' object",
                            self.type_name_of(this)
                        );
                        return self.raise(wk::EXC_TYPE_ERROR, &msg);
                    }
                    if !self.exact_args("list.append", rest.len(), nkw, 1) {
                        return Obj::NULL;
                    }
                    if self.list_append(this, rest[0]) < 0 { Obj::NULL } else { wk::NONE }
                }
                _ if nkw == 0 && matches!(
                    callable,
                    wk::TYPE_TYPE | wk::UNICODE_TYPE | wk::TUPLE_TYPE | wk::LIST_TYPE
                ) => self.call_builtin_type(callable, pos),
                _ => {
                    let callable_kind = matches!(
                        self.heap.get(callable, "PyObject_Vectorcall").data,
                        ObjData::Function(_) | ObjData::Type(_)
                    ) || [wk::METHOD_TYPE, wk::CFUNCTION_TYPE, wk::METHOD_DESCR_TYPE]
                        .contains(&self.heap.ty(callable));
                    if callable_kind {
                        wk::NONE
                    } else {
                        let msg = format!("'{}' object is not callable", self.type_name_of(callable));
                        self.raise(wk::EXC_TYPE_ERROR, &msg)
                    }
                }
            }
        }

        /// Pushes a frame for `func` (a function; stolen) with `locals` (stolen, may be NULL) and
        /// the `argcount` positional arguments (stolen, also on failure) as its first locals,
        /// linked to `previous`; the current frame stays current. Positional-only binding:
        /// a count other than `co_argcount`, or keyword names, is CPython's `TypeError` and
        /// releases everything.
        "_PyInterpreterFrame *_PyEvalFramePushAndInit(PyThreadState *tstate, _PyStackRef func, PyObject *locals, const _PyStackRef *args, size_t argcount, PyObject *kwnames, _PyInterpreterFrame *previous)"
        fn eval_frame_push_and_init(&mut self, tstate: TState, func: StackRef, locals: Obj, #[array] args: StackRef, argcount: u64, kwnames: Obj, previous: FrameId) -> FrameId {
            let _ = tstate;
            let f = func.obj();
            let data = match self.heap.get(f, "_PyEvalFramePushAndInit").data {
                ObjData::Function(ref d) => Some(d.clone()),
                _ => None,
            };
            let argcount = argcount as usize;
            let nkw = if kwnames.is_null() { 0 } else { self.tuple_get_size(kwnames).max(0) as usize };
            let given = &args[..(argcount + nkw).min(args.len())];
            let release = |vm: &mut Self| {
                vm.stackref_close(func);
                vm.heap.xdecref(locals);
                for r in given {
                    vm.stackref_close(*r);
                }
            };
            let Some(data) = data else {
                release(self);
                self.bad_internal_call("_PyEvalFramePushAndInit of a non-function");
                return FrameId::NULL;
            };
            let want = match self.heap.data(data.code) {
                ObjData::Code(c) => c.argcount.max(0) as usize,
                _ => 0,
            };
            if self.fallible() {
                release(self);
                return FrameId::NULL;
            }
            if nkw > 0 || argcount != want || given.len() < argcount {
                release(self);
                let name = crate::repr::str_of(self, data.qualname);
                let msg = if nkw > 0 {
                    format!("{name}() got an unexpected keyword argument")
                } else if argcount > want {
                    let s = if want == 1 { "" } else { "s" };
                    let w = if argcount == 1 { "was" } else { "were" };
                    format!("{name}() takes {want} positional argument{s} but {argcount} {w} given")
                } else {
                    let missing = want - argcount;
                    let s = if missing == 1 { "" } else { "s" };
                    format!("{name}() missing {missing} required positional argument{s}")
                };
                self.raise(wk::EXC_TYPE_ERROR, &msg);
                return FrameId::NULL;
            }
            let caller = self.current;
            let id = self.push_frame(data.code, f, data.globals, data.builtins);
            // push_frame took its own reference to the function; the stolen one goes too.
            self.stackref_close(func);
            let fr = self.frame_mut(id);
            fr.locals = locals;
            fr.previous = previous;
            for (slot, r) in fr.localsplus.iter_mut().zip(given) {
                *slot = *r;
            }
            self.current = caller;
            id
        }

        /// Free-threading: a new reference to `op` into `*out` if `*src` still holds `op`
        /// (1), else 0. Objects with deferred refcounts (immortals in the model) give a
        /// deferred reference without touching the count.
        "int _Py_TryIncrefCompareStackRef(PyObject **src, PyObject *op, _PyStackRef *out)"
        fn try_incref_compare_stackref(&mut self, #[out] src: Obj, op: Obj, #[out] out: StackRef) -> i32 {
            if self.heap.is_immortal(op) {
                *out = StackRef::deferred(op);
                return 1;
            }
            if *src != op {
                return 0;
            }
            self.heap.incref(op);
            *out = StackRef::owned(op);
            1
        }
    }
}

/// 3.12/3.13: building tuples and lists from `PyObject *` stack arrays, stealing always.
pub mod arrays {
    use crate::handles::Obj;
    use crate::heap::Violation;
    use crate::well_known as wk;

    impl crate::vm::Vm {
        /// The first `n` elements of `src`, or `None` (a violation) when `n` does not fit.
        fn first_n(&mut self, src: &[Obj], n: i64, what: &'static str) -> Option<Vec<Obj>> {
            if n < 0 || n as usize > src.len() {
                self.violation(Violation::Assertion(what));
                return None;
            }
            Some(src[..n as usize].to_vec())
        }
    }

    crate::api! {
        /// `tuple(src[:n])`, stealing the `n` references; on failure they are released.
        "PyObject *_PyTuple_FromArraySteal(PyObject *const *src, Py_ssize_t n)"
        fn tuple_from_array_steal(&mut self, #[array] src: Obj, n: i64) -> Obj {
            let Some(items) = self.first_n(src, n, "_PyTuple_FromArraySteal count out of range") else {
                return Obj::NULL;
            };
            if items.is_empty() {
                return wk::EMPTY_TUPLE;
            }
            if self.fallible() {
                for o in items {
                    self.heap.decref(o);
                }
                return Obj::NULL;
            }
            self.new_tuple(items)
        }

        /// `list(src[:n])`, stealing the `n` references; on failure they are released.
        "PyObject *_PyList_FromArraySteal(PyObject *const *src, Py_ssize_t n)"
        fn list_from_array_steal(&mut self, #[array] src: Obj, n: i64) -> Obj {
            let Some(items) = self.first_n(src, n, "_PyList_FromArraySteal count out of range") else {
                return Obj::NULL;
            };
            if self.fallible() {
                for o in items {
                    self.heap.decref(o);
                }
                return Obj::NULL;
            }
            self.new_list(items)
        }
    }
}
