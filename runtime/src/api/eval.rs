//! Helpers from `ceval.c` / `ceval_macros.h` / `pycore_backoff.h` that bodies call: name lookup,
//! `raise`, `except` type checks, comparison bits and adaptive backoff counters.

use crate::handles::{CodePtr, FrameId, Obj, TState};
use crate::heap::Violation;
use crate::object::ObjData;
use crate::stackref::StackRef;
use crate::well_known::{self as wk, tpflags};

/// `BACKOFF_BITS`
const BACKOFF_BITS: u16 = 4;
/// `MAX_BACKOFF`
const MAX_BACKOFF: u16 = 12;
/// `UNREACHABLE_BACKOFF`
const UNREACHABLE_BACKOFF: u16 = 15;

fn make_backoff_counter(value: u16, backoff: u16) -> u16 {
    (value << BACKOFF_BITS) | backoff
}

impl crate::vm::Vm {
    fn is_exception_class(&self, o: Obj) -> bool {
        matches!(self.heap.data(o), ObjData::Type(t) if t.flags & tpflags::BASE_EXC_SUBCLASS != 0)
    }

    fn is_exception_instance(&self, o: Obj) -> bool {
        self.type_flags(self.heap.ty(o)) & tpflags::BASE_EXC_SUBCLASS != 0
    }

    /// Looks `name` up in `globals`, then `builtins` (borrowed, NULL if missing; `Err` on error).
    fn load_global_borrowed(
        &mut self,
        globals: Obj,
        builtins: Obj,
        name: Obj,
    ) -> Result<Obj, crate::containers::Raised> {
        for d in [globals, builtins] {
            if d.is_null() {
                continue;
            }
            let v = if matches!(self.heap.data(d), ObjData::Dict(_)) {
                self.dict_get(d, name)?
            } else {
                let r = self.get_item(d, name);
                if r.is_null() {
                    if self.err_exception_matches(wk::EXC_KEY_ERROR) != 0 {
                        self.err_clear();
                        continue;
                    }
                    return Err(crate::containers::Raised);
                }
                self.heap.decref(r);
                r
            };
            if !v.is_null() {
                return Ok(v);
            }
        }
        Ok(Obj::NULL)
    }

    fn name_error(&mut self, name: Obj) {
        let n = crate::repr::str_of(self, name);
        let n: String = n.chars().take(200).collect();
        self.set_exc_msg(wk::EXC_NAME_ERROR, &format!("name '{n}' is not defined"));
    }
}

crate::api! {
    /// `COMPARISON_BIT(x, y)`: 1 unordered, 2 less, 4 greater, 8 equal.
    "int COMPARISON_BIT(double x, double y)"
    fn comparison_bit(&mut self, x: f64, y: f64) -> i32 {
        1 << (2 * (x >= y) as i32 + (x <= y) as i32)
    }

    /// `ADAPTIVE_COUNTER_TRIGGERS(c)`: the macro on the raw cache cell, i.e.
    /// `backoff_counter_triggers(forge_backoff_counter(c))`.
    "bool ADAPTIVE_COUNTER_TRIGGERS(uint16_t counter)"
    fn adaptive_counter_triggers(&mut self, counter: u16) -> bool {
        self.backoff_counter_triggers(counter)
    }

    /// The adaptive counter reached zero (and is not the unreachable value).
    "bool backoff_counter_triggers(_Py_BackoffCounter counter)"
    fn backoff_counter_triggers(&mut self, counter: u16) -> bool {
        counter < UNREACHABLE_BACKOFF
    }

    /// Decrements the counter's value.
    "_Py_BackoffCounter advance_backoff_counter(_Py_BackoffCounter counter)"
    fn advance_backoff_counter(&mut self, counter: u16) -> u16 {
        counter.wrapping_sub(1 << BACKOFF_BITS)
    }

    /// Sets the counter so that it does not trigger on the next execution.
    "_Py_BackoffCounter pause_backoff_counter(_Py_BackoffCounter counter)"
    fn pause_backoff_counter(&mut self, counter: u16) -> u16 {
        counter | (1 << BACKOFF_BITS)
    }

    /// Restarts the counter with exponential backoff.
    "_Py_BackoffCounter restart_backoff_counter(_Py_BackoffCounter counter)"
    fn restart_backoff_counter(&mut self, counter: u16) -> u16 {
        let backoff = counter & 15;
        if backoff == UNREACHABLE_BACKOFF {
            self.violation(Violation::Assertion("restart of an unreachable backoff counter"));
        }
        if backoff < MAX_BACKOFF {
            make_backoff_counter((1 << (backoff + 1)) - 1, backoff + 1)
        } else {
            make_backoff_counter((1 << MAX_BACKOFF) - 1, MAX_BACKOFF)
        }
    }

    /// The initial `JUMP_BACKWARD` counter (4095, backoff 12).
    "_Py_BackoffCounter initial_jump_backoff_counter(void)"
    fn initial_jump_backoff_counter(&mut self) -> u16 {
        make_backoff_counter(4095, 12)
    }

    /// The initial side-exit temperature (4095, backoff 12).
    "_Py_BackoffCounter initial_temperature_backoff_counter(void)"
    fn initial_temperature_backoff_counter(&mut self) -> u16 {
        make_backoff_counter(4095, 12)
    }

    /// `p->counter` (the adaptive counter in the first cache entry)
    "_Py_BackoffCounter _Py_CODEUNIT.counter(_Py_CODEUNIT *p)" as "_Py_CODEUNIT.counter"
    fn code_unit_counter(&mut self, p: CodePtr) -> u16 {
        self.read_u16(p)
    }

    /// `p->counter = c`
    "void _Py_CODEUNIT.counter=(_Py_CODEUNIT *p, _Py_BackoffCounter c)" as "_Py_CODEUNIT.counter="
    fn code_unit_set_counter(&mut self, p: CodePtr, c: u16) -> () {
        self.write_u16(p, c)
    }

    /// The STOP_ITERATION monitoring event: no tools, returns 0.
    "int monitor_stop_iteration(PyThreadState *tstate, _PyInterpreterFrame *frame, _Py_CODEUNIT *instr, PyObject *value)"
    fn monitor_stop_iteration(&mut self, tstate: TState, frame: FrameId, instr: CodePtr, value: Obj) -> i32 {
        let _ = (tstate, frame, instr, value);
        0
    }

    /// `raise exc from cause` (both stolen, may be NULL): 1 for a bare re-raise that found an
    /// exception, 0 when an exception was set (the new one or the error raised instead).
    "int do_raise(PyThreadState *tstate, PyObject *exc, PyObject *cause)"
    fn do_raise(&mut self, tstate: TState, exc: Obj, cause: Obj) -> i32 {
        let _ = tstate;
        if exc.is_null() {
            let handled = self.ts.exc_info.last().map_or(Obj::NULL, |x| x.exc_value);
            if handled.is_null() || handled == wk::NONE {
                self.set_exc_msg(wk::EXC_RUNTIME_ERROR, "No active exception to reraise");
                return 0;
            }
            self.heap.incref(handled);
            self.set_raised(handled);
            return 1;
        }
        let value = if self.is_exception_class(exc) {
            let v = self.new_exception(exc, wk::EMPTY_TUPLE);
            self.heap.decref(exc);
            v
        } else if self.is_exception_instance(exc) {
            exc
        } else {
            self.heap.decref(exc);
            self.heap.xdecref(cause);
            self.set_exc_msg(wk::EXC_TYPE_ERROR, "exceptions must derive from BaseException");
            return 0;
        };
        if !cause.is_null() {
            let fixed = if self.is_exception_class(cause) {
                let c = self.new_exception(cause, wk::EMPTY_TUPLE);
                self.heap.decref(cause);
                c
            } else if self.is_exception_instance(cause) || cause == wk::NONE {
                cause
            } else {
                self.heap.decref(cause);
                self.heap.decref(value);
                self.set_exc_msg(wk::EXC_TYPE_ERROR, "exception causes must derive from BaseException");
                return 0;
            };
            let old = match self.heap.data_mut(value) {
                ObjData::Exception { cause, .. } => std::mem::replace(cause, fixed),
                _ => Obj::NULL,
            };
            self.heap.xdecref(old);
        }
        self.set_raised(value);
        0
    }

    /// `LOAD_NAME`'s lookup: locals, then globals, then builtins (new reference, or NULL with
    /// `NameError` / the lookup's error).
    "PyObject *_PyEval_LoadName(PyThreadState *tstate, _PyInterpreterFrame *frame, PyObject *name)"
    fn eval_load_name(&mut self, tstate: TState, frame: FrameId, name: Obj) -> Obj {
        let _ = tstate;
        if self.fallible() { return Obj::NULL; }
        let f = self.frame_mut(frame);
        let (locals, globals, builtins) = (f.locals, f.globals, f.builtins);
        if locals.is_null() {
            let msg = format!("no locals found when loading {}", crate::repr::repr(self, name));
            self.set_exc_msg(wk::EXC_SYSTEM_ERROR, &msg);
            return Obj::NULL;
        }
        let mut v = Obj::NULL;
        if self.mapping_get_optional_item(locals, name, &mut v) < 0 {
            return Obj::NULL;
        }
        if !v.is_null() {
            return v;
        }
        match self.load_global_borrowed(globals, builtins, name) {
            Ok(v) if !v.is_null() => {
                self.heap.incref(v);
                v
            }
            Ok(_) => {
                self.name_error(name);
                Obj::NULL
            }
            Err(_) => Obj::NULL,
        }
    }

    /// `LOAD_GLOBAL`'s lookup into `*writeto` (a new reference, or NULL with `NameError` or
    /// the lookup's error set).
    "void _PyEval_LoadGlobalStackRef(PyObject *globals, PyObject *builtins, PyObject *name, _PyStackRef *writeto)"
    fn eval_load_global_stackref(&mut self, globals: Obj, builtins: Obj, name: Obj, #[out] writeto: StackRef) -> () {
        *writeto = StackRef::NULL;
        if self.fallible() { return; }
        match self.load_global_borrowed(globals, builtins, name) {
            Ok(v) if !v.is_null() => *writeto = self.stackref_from_new(v),
            Ok(_) => self.name_error(name),
            Err(_) => {}
        }
    }

    /// Looks `key` up in `globals`, then `builtins`: a new reference, or NULL (no exception
    /// when missing).
    "PyObject *_PyDict_LoadGlobal(PyDictObject *globals, PyDictObject *builtins, PyObject *key)"
    fn dict_load_global(&mut self, globals: Obj, builtins: Obj, key: Obj) -> Obj {
        match self.load_global_borrowed(globals, builtins, key) {
            Ok(v) => {
                self.heap.xincref(v);
                v
            }
            Err(_) => Obj::NULL,
        }
    }

    /// `except T:` accepts exception classes and tuples of them: 0, or -1 with `TypeError`.
    "int _PyEval_CheckExceptTypeValid(PyThreadState *tstate, PyObject *right)"
    fn eval_check_except_type_valid(&mut self, tstate: TState, right: Obj) -> i32 {
        let _ = tstate;
        let ok = match self.heap.data(right) {
            ObjData::Tuple(items) => items.iter().all(|t| self.is_exception_class(*t)),
            _ => self.is_exception_class(right),
        };
        if ok {
            0
        } else {
            self.set_exc_msg(wk::EXC_TYPE_ERROR, "catching classes that do not inherit from BaseException is not allowed");
            -1
        }
    }
}
