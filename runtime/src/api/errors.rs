//! Exceptions: setting, testing and clearing the current exception; C-style formatting of
//! messages (`PyUnicode_FromFormat` conversions).

use crate::handles::{Obj, TState};
use crate::object::ObjData;
use crate::repr::{repr, str_of};
use crate::value::{CStr, Value};
use crate::well_known as wk;

/// `NAME_ERROR_MSG`
pub const NAME_ERROR_MSG: CStr = CStr::Lit("name '%.200s' is not defined");
/// `UNBOUNDLOCAL_ERROR_MSG`
pub const UNBOUNDLOCAL_ERROR_MSG: CStr =
    CStr::Lit("cannot access local variable '%s' where it is not associated with a value");
/// `UNBOUNDFREE_ERROR_MSG`
pub const UNBOUNDFREE_ERROR_MSG: CStr = CStr::Lit(
    "cannot access free variable '%s' where it is not associated with a value in enclosing scope",
);

impl crate::vm::Vm {
    /// The text of a `const char *`.
    pub fn cstr(&self, c: CStr) -> String {
        match c {
            CStr::Null => String::new(),
            CStr::Lit(s) => s.to_string(),
            CStr::TypeName(t) => self.type_name(t).to_string(),
            CStr::Utf8(o) => str_of(self, o),
        }
    }

    /// `PyUnicode_FromFormat`-style formatting of `fmt` with C arguments.
    pub fn format_c(&self, fmt: &str, args: &[Value]) -> String {
        let mut out = String::new();
        let mut it = args.iter();
        let mut chars = fmt.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '%' {
                out.push(c);
                continue;
            }
            // flags, width, precision, length modifiers
            let mut prec: Option<usize> = None;
            let mut spec = String::new();
            while let Some(&d) = chars.peek() {
                if d.is_ascii_digit() || d == '-' || d == '#' || d == '0' {
                    spec.push(d);
                    chars.next();
                } else {
                    break;
                }
            }
            if chars.peek() == Some(&'.') {
                chars.next();
                let mut p = String::new();
                while let Some(&d) = chars.peek() {
                    if d.is_ascii_digit() {
                        p.push(d);
                        chars.next();
                    } else {
                        break;
                    }
                }
                prec = p.parse().ok();
            }
            while let Some(&d) = chars.peek() {
                if matches!(d, 'l' | 'z' | 'h' | 'j' | 't') {
                    chars.next();
                } else {
                    break;
                }
            }
            let conv = chars.next().unwrap_or('%');
            let text = match conv {
                '%' => "%".to_string(),
                'd' | 'i' | 'u' => match it.next() {
                    Some(Value::Int(v, _)) => v.to_string(),
                    Some(v) => format!("<{}>", v.kind()),
                    None => String::new(),
                },
                'x' => match it.next() {
                    Some(Value::Int(v, _)) => format!("{v:x}"),
                    _ => String::new(),
                },
                'c' => match it.next() {
                    Some(Value::Int(v, _)) => char::from_u32(*v as u32)
                        .map(String::from)
                        .unwrap_or_default(),
                    _ => String::new(),
                },
                's' => match it.next() {
                    Some(Value::CStr(s)) => self.cstr(*s),
                    Some(Value::Obj(o)) => str_of(self, *o),
                    _ => String::new(),
                },
                'U' | 'S' | 'V' => match it.next() {
                    Some(Value::Obj(o)) if !o.is_null() => str_of(self, *o),
                    Some(Value::Obj(_)) if conv == 'V' => match it.next() {
                        Some(Value::CStr(s)) => self.cstr(*s),
                        _ => String::new(),
                    },
                    Some(Value::CStr(s)) => self.cstr(*s),
                    _ => "<NULL>".to_string(),
                },
                'R' | 'A' => match it.next() {
                    Some(Value::Obj(o)) => repr(self, *o),
                    _ => String::new(),
                },
                'T' => match it.next() {
                    Some(Value::Obj(o)) => self.type_name_of(*o).to_string(),
                    _ => String::new(),
                },
                'N' => match it.next() {
                    Some(Value::Obj(o)) => self.type_name(*o).to_string(),
                    _ => String::new(),
                },
                'p' => match it.next() {
                    Some(Value::Obj(o)) => format!("#{}", o.0),
                    _ => String::new(),
                },
                other => format!("%{other}"),
            };
            match prec {
                Some(p) if matches!(conv, 's' | 'U' | 'S' | 'R' | 'A' | 'V' | 'T' | 'N') => {
                    out.extend(text.chars().take(p))
                }
                _ => out.push_str(&text),
            }
        }
        out
    }

    /// `PyErr_GivenExceptionMatches` for one class (tuples of classes handled by the caller).
    fn exc_matches_one(&self, given: Obj, exc: Obj) -> bool {
        let given_ty = if matches!(self.heap.data(given), ObjData::Type(_)) {
            given
        } else {
            self.heap.ty(given)
        };
        self.is_subtype(given_ty, exc)
    }
}

crate::api! {
    /// The type of the current exception (borrowed), or NULL.
    "PyObject *_PyErr_Occurred(PyThreadState *tstate)"
    fn err_occurred_ts(&mut self, tstate: TState) -> Obj {
        let _ = tstate;
        self.err_occurred()
    }

    /// The type of the current exception (borrowed), or NULL.
    "PyObject *PyErr_Occurred(void)"
    fn err_occurred(&mut self) -> Obj {
        let e = self.ts.current_exception;
        if e.is_null() {
            Obj::NULL
        } else {
            self.heap.ty(e)
        }
    }

    /// Sets `exc(msg)` as the current exception.
    "void _PyErr_SetString(PyThreadState *tstate, PyObject *exception, const char *string)"
    fn err_set_string_ts(&mut self, tstate: TState, exception: Obj, string: CStr) -> () {
        let _ = tstate;
        self.err_set_string(exception, string)
    }

    /// Sets `exc(msg)` as the current exception.
    "void PyErr_SetString(PyObject *exception, const char *string)"
    fn err_set_string(&mut self, exception: Obj, string: CStr) -> () {
        let msg = self.cstr(string);
        self.set_exc_msg(exception, &msg)
    }

    /// Sets `exc()` as the current exception.
    "void PyErr_SetNone(PyObject *exception)"
    fn err_set_none(&mut self, exception: Obj) -> () {
        self.set_exc_msg(exception, "")
    }

    /// Sets `exc(value)` as the current exception.
    "void _PyErr_SetObject(PyThreadState *tstate, PyObject *exception, PyObject *value)"
    fn err_set_object_ts(&mut self, tstate: TState, exception: Obj, value: Obj) -> () {
        let _ = tstate;
        self.heap.incref(value);
        let args = self.new_tuple(vec![value]);
        let e = self.new_exception(exception, args);
        self.set_raised(e)
    }

    /// Sets `exc(fmt % args)` as the current exception; returns NULL.
    "PyObject *_PyErr_Format(PyThreadState *tstate, PyObject *exception, const char *format, ...)"
    fn err_format_ts(&mut self, tstate: TState, exception: Obj, format: CStr | rest) -> Obj {
        let _ = tstate;
        self.err_format(exception, format, rest)
    }

    /// Sets `exc(fmt % args)` as the current exception; returns NULL.
    "PyObject *PyErr_Format(PyObject *exception, const char *format, ...)"
    fn err_format(&mut self, exception: Obj, format: CStr | rest) -> Obj {
        let f = self.cstr(format);
        let msg = self.format_c(&f, rest);
        self.set_exc_msg(exception, &msg);
        Obj::NULL
    }

    /// `_PyEval_FormatExcCheckArg`: `NameError`/`UnboundLocalError` with the name.
    "void _PyEval_FormatExcCheckArg(PyThreadState *tstate, PyObject *exc, const char *format_str, PyObject *obj)"
    fn eval_format_exc_check_arg(&mut self, tstate: TState, exc: Obj, format_str: CStr, obj: Obj) -> () {
        let _ = tstate;
        if obj.is_null() {
            return;
        }
        let f = self.cstr(format_str);
        let name = str_of(self, obj);
        let msg = self.format_c(&f, &[Value::CStr(CStr::Utf8(obj))]);
        let _ = name;
        self.set_exc_msg(exc, &msg)
    }

    /// `_PyEval_FormatExcUnbound`: the unbound local/free variable `oparg` of `co`.
    "void _PyEval_FormatExcUnbound(PyThreadState *tstate, PyCodeObject *co, int oparg)"
    fn eval_format_exc_unbound(&mut self, tstate: TState, co: Obj, oparg: i32) -> () {
        let _ = tstate;
        if !self.ts.current_exception.is_null() {
            return;
        }
        let names = match self.heap.data(co) {
            ObjData::Code(c) => c.localsplusnames,
            _ => Obj::NULL,
        };
        let name = match self.heap.data(names) {
            ObjData::Tuple(v) => v.get(oparg.max(0) as usize).copied().unwrap_or(Obj::NULL),
            _ => Obj::NULL,
        };
        let msg = self.format_c(
            match UNBOUNDFREE_ERROR_MSG { CStr::Lit(s) => s, _ => "" },
            &[Value::Obj(name)],
        );
        self.set_exc_msg(wk::EXC_NAME_ERROR, &msg)
    }

    /// Clears the current exception.
    "void _PyErr_Clear(PyThreadState *tstate)"
    fn err_clear_ts(&mut self, tstate: TState) -> () {
        let _ = tstate;
        self.err_clear()
    }

    /// Clears the current exception.
    "void PyErr_Clear(void)"
    fn err_clear(&mut self) -> () {
        self.set_raised(Obj::NULL)
    }

    /// The current exception matches `exc` (a class or tuple of classes).
    "int _PyErr_ExceptionMatches(PyThreadState *tstate, PyObject *exc)"
    fn err_exception_matches_ts(&mut self, tstate: TState, exc: Obj) -> i32 {
        let _ = tstate;
        self.err_exception_matches(exc)
    }

    /// The current exception matches `exc`.
    "int PyErr_ExceptionMatches(PyObject *exc)"
    fn err_exception_matches(&mut self, exc: Obj) -> i32 {
        let cur = self.ts.current_exception;
        self.err_given_exception_matches(cur, exc)
    }

    /// `given` (instance or class) matches `exc` (class or tuple of classes).
    "int PyErr_GivenExceptionMatches(PyObject *given, PyObject *exc)"
    fn err_given_exception_matches(&mut self, given: Obj, exc: Obj) -> i32 {
        if given.is_null() || exc.is_null() {
            return 0;
        }
        if let ObjData::Tuple(items) = self.heap.data(exc) {
            let items = items.clone();
            return items.iter().any(|e| self.exc_matches_one(given, *e)) as i32;
        }
        self.exc_matches_one(given, exc) as i32
    }

    /// Installs `exc` (stolen, may be NULL) as the current exception.
    "void _PyErr_SetRaisedException(PyThreadState *tstate, PyObject *exc)"
    fn err_set_raised_exception_ts(&mut self, tstate: TState, exc: Obj) -> () {
        let _ = tstate;
        self.set_raised(exc)
    }

    /// Installs `exc` (stolen) as the current exception.
    "void PyErr_SetRaisedException(PyObject *exc)"
    fn err_set_raised_exception(&mut self, exc: Obj) -> () {
        self.set_raised(exc)
    }

    /// Takes the current exception (new reference) and clears it.
    "PyObject *_PyErr_GetRaisedException(PyThreadState *tstate)"
    fn err_get_raised_exception_ts(&mut self, tstate: TState) -> Obj {
        let _ = tstate;
        self.err_get_raised_exception()
    }

    /// Takes the current exception (new reference) and clears it.
    "PyObject *PyErr_GetRaisedException(void)"
    fn err_get_raised_exception(&mut self) -> Obj {
        std::mem::replace(&mut self.ts.current_exception, Obj::NULL)
    }

    /// `KeyError(key)`.
    "void _PyErr_SetKeyError(PyObject *key)"
    fn err_set_key_error(&mut self, key: Obj) -> () {
        self.heap.incref(key);
        let args = self.new_tuple(vec![key]);
        let e = self.new_exception(wk::EXC_KEY_ERROR, args);
        self.set_raised(e)
    }

    /// `MemoryError()`; returns NULL.
    "PyObject *PyErr_NoMemory(void)"
    fn err_no_memory(&mut self) -> Obj {
        self.set_exc_msg(wk::EXC_MEMORY_ERROR, "");
        Obj::NULL
    }

    /// Sets `exc_info->exc_value` (new reference to `exc`, may be NULL/None).
    "void PyErr_SetHandledException(PyObject *exc)"
    fn err_set_handled_exception(&mut self, exc: Obj) -> () {
        self.heap.xincref(exc);
        let slot = self.ts.exc_info.last_mut().map(|x| std::mem::replace(&mut x.exc_value, exc));
        if let Some(old) = slot {
            self.heap.xdecref(old)
        }
    }

    /// `__traceback__` of an exception instance (new reference; None if unset).
    "PyObject *PyException_GetTraceback(PyObject *exc)"
    fn exception_get_traceback(&mut self, exc: Obj) -> Obj {
        self.heap.get(exc, "PyException_GetTraceback");
        let tb = match self.heap.data(exc) {
            ObjData::Exception { traceback, .. } => *traceback,
            _ => Obj::NULL,
        };
        self.heap.xincref(tb);
        tb
    }

    /// `NAME_ERROR_MSG`
    "const char *NAME_ERROR_MSG(void)"
    fn name_error_msg(&mut self) -> CStr {
        NAME_ERROR_MSG
    }

    /// `UNBOUNDLOCAL_ERROR_MSG`
    "const char *UNBOUNDLOCAL_ERROR_MSG(void)"
    fn unboundlocal_error_msg(&mut self) -> CStr {
        UNBOUNDLOCAL_ERROR_MSG
    }

    /// `UNBOUNDFREE_ERROR_MSG`
    "const char *UNBOUNDFREE_ERROR_MSG(void)"
    fn unboundfree_error_msg(&mut self) -> CStr {
        UNBOUNDFREE_ERROR_MSG
    }

    /// A fatal error: CPython aborts; the model records a violation and continues.
    "void Py_FatalError(const char *message)"
    fn fatal_error(&mut self, message: CStr) -> () {
        let _ = message;
        self.violation(crate::heap::Violation::Assertion("Py_FatalError"));
    }
}
