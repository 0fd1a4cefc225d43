//! The frame, the thread state, the code object and its inline caches: globals (`frame`,
//! `tstate`, `this_instr`, `next_instr`), local/const/name access macros, struct fields.

use crate::handles::{CodePtr, FrameId, Obj, TState};
use crate::heap::Violation;
use crate::object::ObjData;
use crate::stackref::StackRef;

impl crate::vm::Vm {
    fn units_len(&self, code: Obj) -> usize {
        match self.heap.data(code) {
            ObjData::Code(c) => c.units.len(),
            _ => 0,
        }
    }

    fn unit(&mut self, p: CodePtr, k: i64) -> u16 {
        let i = p.index.wrapping_add(k);
        match self.heap.data(p.code) {
            ObjData::Code(c) if i >= 0 && (i as usize) < c.units.len() => c.units[i as usize],
            _ => {
                self.violation(Violation::Assertion("code unit read out of range"));
                0
            }
        }
    }

    fn set_unit(&mut self, p: CodePtr, k: i64, v: u16) {
        let i = p.index.wrapping_add(k);
        let n = self.units_len(p.code);
        if i >= 0 && (i as usize) < n {
            if let ObjData::Code(c) = self.heap.data_mut(p.code) {
                if c.units[i as usize] != v {
                    std::sync::Arc::make_mut(c).units[i as usize] = v;
                }
            }
        } else {
            self.violation(Violation::Assertion("code unit write out of range"));
        }
    }

    fn code_data(&mut self, co: Obj, what: &'static str) -> Option<&crate::object::CodeData> {
        self.heap.get(co, what);
        match self.heap.data(co) {
            ObjData::Code(c) => Some(c),
            _ => None,
        }
    }

    fn func_data(
        &mut self,
        f: Obj,
        what: &'static str,
    ) -> Option<&mut crate::object::FunctionData> {
        self.heap.get(f, what);
        match self.heap.data_mut(f) {
            ObjData::Function(fd) => Some(std::sync::Arc::make_mut(fd)),
            _ => None,
        }
    }

    /// `(im_func, im_self)` of a bound method; NULLs and a violation for anything else.
    fn method_parts(&mut self, m: Obj, what: &'static str) -> (Obj, Obj) {
        match self.heap.get(m, what).data {
            ObjData::Method { func, self_ } => (func, self_),
            _ => {
                if self.heap.is_live(m) {
                    self.violation(Violation::Assertion(what));
                }
                (Obj::NULL, Obj::NULL)
            }
        }
    }

    fn type_data(&mut self, t: Obj, what: &'static str) -> Option<&mut crate::object::TypeData> {
        self.heap.get(t, what);
        match self.heap.data_mut(t) {
            ObjData::Type(td) => Some(std::sync::Arc::make_mut(td)),
            _ => None,
        }
    }
}

crate::api! {
    /// The current frame.
    "_PyInterpreterFrame *frame(void)"
    fn frame_global(&mut self) -> FrameId { self.frame() }

    /// `frame = f`: the running frame changes (`RETURN_VALUE` returns to `dying->previous`).
    /// The model has one "current frame" for both `frame` and `tstate->current_frame`: CPython
    /// always assigns the two together (`frame = tstate->current_frame = ...`).
    "void frame=(_PyInterpreterFrame *f)"
    fn set_frame_global(&mut self, f: FrameId) -> () { self.current = f; }

    /// The interpreter's `opcode` variable (`uint8_t` in 3.14's `_PyEval_EvalFrameDefault`).
    "uint8_t opcode(void)"
    fn opcode_global(&mut self) -> u8 { self.opcode }

    /// `opcode = v` (`INSTRUMENTED_INSTRUCTION` sets the original opcode before `DISPATCH_GOTO()`).
    "void opcode=(uint8_t v)"
    fn set_opcode_global(&mut self, v: u8) -> () { self.opcode = v; }

    /// `STACK_LEVEL()`: `stack_pointer - _PyFrame_Stackbase(frame)`, the running frame's stack
    /// depth (the model keeps the stack pointer in the frame, so SAVE_STACK/RELOAD_STACK need
    /// no copy).
    "int STACK_LEVEL(void)"
    fn stack_level(&mut self) -> i32 { self.cur().stack_len() as i32 }

    /// `_PyEval_FrameClearAndPop` of a thread-owned frame (ceval.c `clear_thread_frame`):
    /// `_PyFrame_ClearLocals` closes `localsplus[0..stackpointer]` top first and sets the stack
    /// pointer to the start of `localsplus`, then `f_locals`, `f_funcobj` and `f_executable` are
    /// cleared and `_PyThreadState_PopFrame` gives `co_framesize` words back to the data stack.
    /// The frame must already be unlinked (`tstate->current_frame != frame`); generator-owned
    /// frames (`clear_gen_frame`) are not modelled and are a violation, left untouched.
    "void _PyEval_FrameClearAndPop(PyThreadState *tstate, _PyInterpreterFrame *frame)"
    fn eval_frame_clear_and_pop(&mut self, tstate: TState, f: FrameId) -> () {
        let _ = tstate;
        let i = f.0 as usize;
        if f.is_null() || i >= self.frames.len() {
            self.violation(Violation::NullDeref("_PyEval_FrameClearAndPop"));
            return;
        }
        if self.current == f {
            self.violation(Violation::Assertion("_PyEval_FrameClearAndPop of the current frame"));
        }
        if self.frames[i].owner != 0 {
            self.violation(Violation::Assertion("_PyEval_FrameClearAndPop of a generator frame"));
            return;
        }
        let fr = &mut self.frames[i];
        let sp = fr.stack_pointer.min(fr.localsplus.len());
        let live: Vec<StackRef> = fr.localsplus[..sp]
            .iter_mut()
            .map(|r| std::mem::replace(r, StackRef::NULL))
            .collect();
        fr.stack_pointer = 0;
        for r in live.into_iter().rev() {
            self.stackref_xclose(r);
        }
        let fr = &mut self.frames[i];
        let locals = std::mem::replace(&mut fr.locals, Obj::NULL);
        let func = std::mem::replace(&mut fr.func, Obj::NULL);
        let code = std::mem::replace(&mut fr.code, Obj::NULL);
        self.heap.xdecref(locals);
        self.heap.xdecref(func);
        let framesize = match self.heap.data(code) {
            ObjData::Code(c) => c.framesize as i64,
            _ => 0,
        };
        self.heap.xdecref(code);
        self.ts.stack_space += framesize;
    }

    /// The thread state.
    "PyThreadState *tstate(void)"
    fn tstate_global(&mut self) -> TState { TState }

    /// The first code unit of the running instruction.
    "_Py_CODEUNIT *this_instr(void)"
    fn this_instr_global(&mut self) -> CodePtr { self.this_instr }

    /// `prev_instr`, which CPython's generator declares as `frame->instr_ptr` at the start of
    /// the instrumented instructions that use it.
    "_Py_CODEUNIT *prev_instr(void)"
    fn prev_instr_global(&mut self) -> CodePtr {
        let f = self.frame();
        self.frame_instr_ptr(f)
    }

    /// The code unit after the running instruction and its caches.
    "_Py_CODEUNIT *next_instr(void)"
    fn next_instr_global(&mut self) -> CodePtr { self.next_instr }

    /// Sets `next_instr` (jumps).
    "void next_instr=(_Py_CODEUNIT *p)"
    fn set_next_instr(&mut self, p: CodePtr) -> () { self.next_instr = p; }

    /// `frame->localsplus[i]`
    "_PyStackRef GETLOCAL(int i)"
    fn getlocal(&mut self, i: i32) -> StackRef {
        let f = self.cur();
        match f.localsplus.get(i.max(0) as usize) {
            Some(r) if (i as usize) < f.nlocalsplus && i >= 0 => *r,
            _ => {
                self.violation(Violation::Assertion("GETLOCAL index out of range"));
                StackRef::NULL
            }
        }
    }

    /// `GETLOCAL(i) = value` (the old value is not released).
    "void GETLOCAL=(int i, _PyStackRef value)"
    fn setlocal_raw(&mut self, i: i32, value: StackRef) -> () {
        let f = self.cur();
        let slot = if i >= 0 && (i as usize) < f.nlocalsplus {
            f.localsplus.get_mut(i as usize)
        } else {
            None
        };
        if let Some(slot) = slot {
            *slot = value;
        } else {
            self.violation(Violation::Assertion("GETLOCAL index out of range"));
        }
    }

    /// `f->localsplus[i]` of any frame: locals, then the value stack (declared
    /// `_PyStackRef localsplus[1]`, allocated `co_framesize` long; past the slots is UB).
    "_PyStackRef _PyInterpreterFrame.localsplus(_PyInterpreterFrame *f, Py_ssize_t i)" as "_PyInterpreterFrame.localsplus"
    fn frame_localsplus(&mut self, f: FrameId, i: i64) -> StackRef {
        let slot = usize::try_from(i).ok().and_then(|i| self.frame_mut(f).localsplus.get(i).copied());
        slot.unwrap_or_else(|| {
            self.violation(Violation::Assertion("localsplus index out of range"));
            StackRef::NULL
        })
    }

    /// `f->localsplus[i] = value` (a plain store: the old value is not released).
    "void _PyInterpreterFrame.localsplus=(_PyInterpreterFrame *f, Py_ssize_t i, _PyStackRef value)" as "_PyInterpreterFrame.localsplus="
    fn frame_set_localsplus(&mut self, f: FrameId, i: i64, value: StackRef) -> () {
        let slot = usize::try_from(i).ok().and_then(|i| self.frame_mut(f).localsplus.get_mut(i));
        match slot {
            Some(s) => *s = value,
            None => self.violation(Violation::Assertion("localsplus index out of range")),
        }
    }

    /// Stores `value` in local `i` and then releases the old value.
    "void SETLOCAL(int i, _PyStackRef value)"
    fn setlocal(&mut self, i: i32, value: StackRef) -> () {
        let old = self.getlocal(i);
        self.setlocal_raw(i, value);
        self.stackref_xclose(old);
    }

    /// `PyTuple_GET_ITEM(v, i)` (borrowed).
    "PyObject *GETITEM(PyObject *v, Py_ssize_t i)"
    fn getitem_macro(&mut self, v: Obj, i: i64) -> Obj {
        self.tuple_get_item_unchecked(v, i)
    }

    /// `co_consts` of the current frame's code.
    "PyObject *FRAME_CO_CONSTS(void)"
    fn frame_co_consts(&mut self) -> Obj {
        let code = self.cur().code;
        self.code_data(code, "FRAME_CO_CONSTS").map_or(Obj::NULL, |c| c.consts)
    }

    /// `co_names` of the current frame's code.
    "PyObject *FRAME_CO_NAMES(void)"
    fn frame_co_names(&mut self) -> Obj {
        let code = self.cur().code;
        self.code_data(code, "FRAME_CO_NAMES").map_or(Obj::NULL, |c| c.names)
    }

    /// `frame->f_globals`
    "PyObject *GLOBALS(void)"
    fn globals_macro(&mut self) -> Obj { self.cur().globals }

    /// `frame->f_builtins`
    "PyObject *BUILTINS(void)"
    fn builtins_macro(&mut self) -> Obj { self.cur().builtins }

    /// `frame->f_locals`
    "PyObject *LOCALS(void)"
    fn locals_macro(&mut self) -> Obj { self.cur().locals }

    /// The code object a frame executes.
    "PyCodeObject *_PyFrame_GetCode(_PyInterpreterFrame *f)"
    fn frame_get_code(&mut self, f: FrameId) -> Obj { self.frame_mut(f).code }

    /// The first code unit of a frame's bytecode.
    "_Py_CODEUNIT *_PyFrame_GetBytecode(_PyInterpreterFrame *f)"
    fn frame_get_bytecode(&mut self, f: FrameId) -> CodePtr {
        CodePtr { code: self.frame_mut(f).code, index: 0 }
    }

    /// The function object a frame runs (borrowed; NULL if none).
    "PyFunctionObject *_PyFrame_GetFunction(_PyInterpreterFrame *f)"
    fn frame_get_function(&mut self, f: FrameId) -> Obj { self.frame_mut(f).func }

    /// `next_instr - _PyFrame_GetBytecode(frame)`
    "int INSTR_OFFSET(void)"
    fn instr_offset(&mut self) -> i32 { self.next_instr.index as i32 }

    /// `frame->instr_ptr`
    "_Py_CODEUNIT *_PyInterpreterFrame.instr_ptr(_PyInterpreterFrame *f)" as "_PyInterpreterFrame.instr_ptr"
    fn frame_instr_ptr(&mut self, f: FrameId) -> CodePtr {
        let fr = self.frame_mut(f);
        CodePtr { code: fr.code, index: fr.instr_ptr }
    }

    /// `frame->instr_ptr = p`
    "void _PyInterpreterFrame.instr_ptr=(_PyInterpreterFrame *f, _Py_CODEUNIT *p)" as "_PyInterpreterFrame.instr_ptr="
    fn frame_set_instr_ptr(&mut self, f: FrameId, p: CodePtr) -> () { self.frame_mut(f).instr_ptr = p.index; }

    /// `frame->return_offset`
    "uint16_t _PyInterpreterFrame.return_offset(_PyInterpreterFrame *f)" as "_PyInterpreterFrame.return_offset"
    fn frame_return_offset(&mut self, f: FrameId) -> u16 { self.frame_mut(f).return_offset }

    /// `frame->return_offset = v`
    "void _PyInterpreterFrame.return_offset=(_PyInterpreterFrame *f, uint16_t v)" as "_PyInterpreterFrame.return_offset="
    fn frame_set_return_offset(&mut self, f: FrameId, v: u16) -> () { self.frame_mut(f).return_offset = v; }

    /// `frame->previous`
    "_PyInterpreterFrame *_PyInterpreterFrame.previous(_PyInterpreterFrame *f)" as "_PyInterpreterFrame.previous"
    fn frame_previous(&mut self, f: FrameId) -> FrameId { self.frame_mut(f).previous }

    /// `frame->f_globals`
    "PyObject *_PyInterpreterFrame.f_globals(_PyInterpreterFrame *f)" as "_PyInterpreterFrame.f_globals"
    fn frame_f_globals(&mut self, f: FrameId) -> Obj { self.frame_mut(f).globals }

    /// `frame->f_builtins`
    "PyObject *_PyInterpreterFrame.f_builtins(_PyInterpreterFrame *f)" as "_PyInterpreterFrame.f_builtins"
    fn frame_f_builtins(&mut self, f: FrameId) -> Obj { self.frame_mut(f).builtins }

    /// `frame->f_locals`
    "PyObject *_PyInterpreterFrame.f_locals(_PyInterpreterFrame *f)" as "_PyInterpreterFrame.f_locals"
    fn frame_f_locals(&mut self, f: FrameId) -> Obj { self.frame_mut(f).locals }

    /// `frame->f_funcobj` (a stackref in 3.14)
    "_PyStackRef _PyInterpreterFrame.f_funcobj(_PyInterpreterFrame *f)" as "_PyInterpreterFrame.f_funcobj"
    fn frame_f_funcobj(&mut self, f: FrameId) -> StackRef {
        let o = self.frame_mut(f).func;
        if o.is_null() { StackRef::NULL } else { StackRef::owned(o) }
    }

    /// `frame->f_executable` (a stackref in 3.14)
    "_PyStackRef _PyInterpreterFrame.f_executable(_PyInterpreterFrame *f)" as "_PyInterpreterFrame.f_executable"
    fn frame_f_executable(&mut self, f: FrameId) -> StackRef {
        StackRef::owned(self.frame_mut(f).code)
    }

    /// `frame->owner`
    "char _PyInterpreterFrame.owner(_PyInterpreterFrame *f)" as "_PyInterpreterFrame.owner"
    fn frame_owner(&mut self, f: FrameId) -> i8 { self.frame_mut(f).owner as i8 }

    /// `tstate->current_frame`
    "_PyInterpreterFrame *PyThreadState.current_frame(PyThreadState *t)" as "PyThreadState.current_frame"
    fn ts_current_frame(&mut self, t: TState) -> FrameId { let _ = t; self.current }

    /// `tstate->current_frame = f` (the same model variable as `frame`, see `frame=`)
    "void PyThreadState.current_frame=(PyThreadState *t, _PyInterpreterFrame *f)" as "PyThreadState.current_frame="
    fn ts_set_current_frame(&mut self, t: TState, f: FrameId) -> () { let _ = t; self.current = f; }

    /// `tstate->interp` (the model has one interpreter; it is named by the thread state)
    "PyInterpreterState *PyThreadState.interp(PyThreadState *t)" as "PyThreadState.interp"
    fn ts_interp(&mut self, t: TState) -> TState { t }

    /// `tstate->tracing`: the model never runs a trace function (no `sys.settrace`, no
    /// monitoring tools), so it is never inside one
    "int PyThreadState.tracing(PyThreadState *t)" as "PyThreadState.tracing"
    fn ts_tracing(&mut self, t: TState) -> i32 { let _ = t; 0 }

    /// `tstate->eval_breaker`
    "uintptr_t PyThreadState.eval_breaker(PyThreadState *t)" as "PyThreadState.eval_breaker"
    fn ts_eval_breaker(&mut self, t: TState) -> u64 { let _ = t; self.ts.eval_breaker }

    /// `tstate->py_recursion_remaining`
    "int PyThreadState.py_recursion_remaining(PyThreadState *t)" as "PyThreadState.py_recursion_remaining"
    fn ts_py_recursion_remaining(&mut self, t: TState) -> i32 { let _ = t; self.ts.py_recursion_remaining }

    /// `tstate->py_recursion_remaining = v`
    "void PyThreadState.py_recursion_remaining=(PyThreadState *t, int v)" as "PyThreadState.py_recursion_remaining="
    fn ts_set_py_recursion_remaining(&mut self, t: TState, v: i32) -> () { let _ = t; self.ts.py_recursion_remaining = v; }

    /// `tstate->exc_info` (the model names the current `_PyErr_StackItem` by the thread state)
    "_PyErr_StackItem *PyThreadState.exc_info(PyThreadState *t)" as "PyThreadState.exc_info"
    fn ts_exc_info(&mut self, t: TState) -> TState { t }

    /// `exc_info->exc_value` (borrowed)
    "PyObject *_PyErr_StackItem.exc_value(_PyErr_StackItem *e)" as "_PyErr_StackItem.exc_value"
    fn exc_info_value(&mut self, e: TState) -> Obj {
        let _ = e;
        self.ts.exc_info.last().map_or(Obj::NULL, |x| x.exc_value)
    }

    /// `exc_info->exc_value = v` (raw store: the caller manages references)
    "void _PyErr_StackItem.exc_value=(_PyErr_StackItem *e, PyObject *v)" as "_PyErr_StackItem.exc_value="
    fn exc_info_set_value(&mut self, e: TState, v: Obj) -> () {
        let _ = e;
        if let Some(x) = self.ts.exc_info.last_mut() {
            x.exc_value = v;
        }
    }

    /// Room for a frame of `size` words on the data stack.
    "int _PyThreadState_HasStackSpace(PyThreadState *t, int size)"
    fn ts_has_stack_space(&mut self, t: TState, size: i32) -> i32 {
        let _ = t;
        (self.ts.stack_space >= size as i64) as i32
    }

    /// Handles pending eval-breaker events: the model has none to run; clears the flags.
    "int _Py_HandlePending(PyThreadState *t)"
    fn handle_pending(&mut self, t: TState) -> i32 {
        let _ = t;
        if self.fallible() { return -1; }
        self.ts.eval_breaker &= !0xff;
        0
    }

    /// The Python recursion limit would be exceeded by one more call.
    "int _Py_ReachedRecursionLimit(PyThreadState *t)"
    fn reached_recursion_limit(&mut self, t: TState) -> i32 {
        let _ = t;
        (self.ts.c_recursion_remaining <= 0) as i32
    }

    /// Enters a Python call: -1 with `RecursionError` at the limit.
    "int _Py_EnterRecursivePy(PyThreadState *t)"
    fn enter_recursive_py(&mut self, t: TState) -> i32 {
        let _ = t;
        self.ts.py_recursion_remaining -= 1;
        if self.ts.py_recursion_remaining < 0 {
            self.set_exc_msg(crate::well_known::EXC_RECURSION_ERROR, "maximum recursion depth exceeded");
            return -1;
        }
        0
    }

    /// Leaves a Python call.
    "void _Py_LeaveRecursiveCallPy(PyThreadState *t)"
    fn leave_recursive_call_py(&mut self, t: TState) -> () { let _ = t; self.ts.py_recursion_remaining += 1; }

    /// Leaves a C call.
    "void _Py_LeaveRecursiveCallTstate(PyThreadState *t)"
    fn leave_recursive_call_tstate(&mut self, t: TState) -> () { let _ = t; self.ts.c_recursion_remaining += 1; }

    /// Enters a C call: -1 with `RecursionError` at the limit.
    "int _Py_EnterRecursiveCallTstate(PyThreadState *t, const char *where)"
    fn enter_recursive_call_tstate(&mut self, t: TState, place: crate::value::CStr) -> i32 {
        let _ = t;
        self.ts.c_recursion_remaining -= 1;
        if self.ts.c_recursion_remaining < 0 {
            let w = self.cstr(place);
            self.set_exc_msg(crate::well_known::EXC_RECURSION_ERROR, &format!("maximum recursion depth exceeded{w}"));
            return -1;
        }
        0
    }

    /// One inline-cache code unit.
    "uint16_t read_u16(uint16_t *p)"
    fn read_u16(&mut self, p: CodePtr) -> u16 { self.unit(p, 0) }

    /// Two cache units, little-endian (as `read_u32`).
    "uint32_t read_u32(uint16_t *p)"
    fn read_u32(&mut self, p: CodePtr) -> u32 {
        self.unit(p, 0) as u32 | (self.unit(p, 1) as u32) << 16
    }

    /// Four cache units, little-endian (as `read_u64`).
    "uint64_t read_u64(uint16_t *p)"
    fn read_u64(&mut self, p: CodePtr) -> u64 {
        (0..4).fold(0u64, |acc, k| acc | (self.unit(p, k) as u64) << (16 * k))
    }

    /// An object pointer stored in four cache units (the model stores the handle).
    "PyObject *read_obj(uint16_t *p)"
    fn read_obj(&mut self, p: CodePtr) -> Obj { Obj(self.read_u64(p) as u32) }

    /// Writes one cache unit.
    "void write_u16(uint16_t *p, uint16_t val)"
    fn write_u16(&mut self, p: CodePtr, val: u16) -> () { self.set_unit(p, 0, val) }

    /// Writes two cache units.
    "void write_u32(uint16_t *p, uint32_t val)"
    fn write_u32(&mut self, p: CodePtr, val: u32) -> () {
        self.set_unit(p, 0, val as u16);
        self.set_unit(p, 1, (val >> 16) as u16);
    }

    /// Writes four cache units.
    "void write_u64(uint16_t *p, uint64_t val)"
    fn write_u64(&mut self, p: CodePtr, val: u64) -> () {
        for k in 0..4 {
            self.set_unit(p, k, (val >> (16 * k)) as u16);
        }
    }

    /// Stores an object pointer in four cache units.
    "void write_obj(uint16_t *p, PyObject *val)"
    fn write_obj(&mut self, p: CodePtr, val: Obj) -> () { self.write_u64(p, val.0 as u64) }

    /// `p->cache = v`
    "void _Py_CODEUNIT.cache=(_Py_CODEUNIT *p, uint16_t v)" as "_Py_CODEUNIT.cache="
    fn code_unit_set_cache(&mut self, p: CodePtr, v: u16) -> () { self.set_unit(p, 0, v) }

    /// `p->op.code`
    "uint8_t _Py_CODEUNIT.op.code(_Py_CODEUNIT *p)" as "_Py_CODEUNIT.op.code"
    fn code_unit_opcode(&mut self, p: CodePtr) -> u8 { (self.unit(p, 0) & 0xff) as u8 }

    /// `p->op.code = v` (instruction rewriting: `LOAD_CONST` becomes `LOAD_CONST_IMMORTAL`);
    /// the oparg byte is kept.
    "void _Py_CODEUNIT.op.code=(_Py_CODEUNIT *p, uint8_t v)" as "_Py_CODEUNIT.op.code="
    fn code_unit_set_opcode(&mut self, p: CodePtr, v: u8) -> () {
        let unit = self.unit(p, 0);
        self.set_unit(p, 0, (unit & 0xff00) | v as u16)
    }

    /// `p->op.arg`
    "uint8_t _Py_CODEUNIT.op.arg(_Py_CODEUNIT *p)" as "_Py_CODEUNIT.op.arg"
    fn code_unit_oparg(&mut self, p: CodePtr) -> u8 { (self.unit(p, 0) >> 8) as u8 }

    /// `co->co_flags`
    "int PyCodeObject.co_flags(PyCodeObject *co)" as "PyCodeObject.co_flags"
    fn code_co_flags(&mut self, co: Obj) -> i32 { self.code_data(co, "co_flags").map_or(0, |c| c.flags) }

    /// `co->co_argcount`
    "int PyCodeObject.co_argcount(PyCodeObject *co)" as "PyCodeObject.co_argcount"
    fn code_co_argcount(&mut self, co: Obj) -> i32 { self.code_data(co, "co_argcount").map_or(0, |c| c.argcount) }

    /// `co->co_kwonlyargcount`
    "int PyCodeObject.co_kwonlyargcount(PyCodeObject *co)" as "PyCodeObject.co_kwonlyargcount"
    fn code_co_kwonlyargcount(&mut self, co: Obj) -> i32 { self.code_data(co, "co_kwonlyargcount").map_or(0, |c| c.kwonlyargcount) }

    /// `co->co_framesize`
    "int PyCodeObject.co_framesize(PyCodeObject *co)" as "PyCodeObject.co_framesize"
    fn code_co_framesize(&mut self, co: Obj) -> i32 { self.code_data(co, "co_framesize").map_or(0, |c| c.framesize) }

    /// `co->co_nlocalsplus`
    "int PyCodeObject.co_nlocalsplus(PyCodeObject *co)" as "PyCodeObject.co_nlocalsplus"
    fn code_co_nlocalsplus(&mut self, co: Obj) -> i32 { self.code_data(co, "co_nlocalsplus").map_or(0, |c| c.nlocalsplus) }

    /// `co->co_nfreevars`
    "int PyCodeObject.co_nfreevars(PyCodeObject *co)" as "PyCodeObject.co_nfreevars"
    fn code_co_nfreevars(&mut self, co: Obj) -> i32 { self.code_data(co, "co_nfreevars").map_or(0, |c| c.nfreevars) }

    /// `co->co_nlocals`
    "int PyCodeObject.co_nlocals(PyCodeObject *co)" as "PyCodeObject.co_nlocals"
    fn code_co_nlocals(&mut self, co: Obj) -> i32 { self.code_data(co, "co_nlocals").map_or(0, |c| c.nlocals) }

    /// `co->co_version`
    "uint32_t PyCodeObject.co_version(PyCodeObject *co)" as "PyCodeObject.co_version"
    fn code_co_version(&mut self, co: Obj) -> u32 { self.code_data(co, "co_version").map_or(0, |c| c.version) }

    /// `co->_co_instrumentation_version`
    "uintptr_t PyCodeObject._co_instrumentation_version(PyCodeObject *co)" as "PyCodeObject._co_instrumentation_version"
    fn code_instrumentation_version(&mut self, co: Obj) -> u64 {
        self.code_data(co, "_co_instrumentation_version").map_or(0, |c| c.instrumentation_version)
    }

    /// `_Py_Instrument(code, interp)` (Python/instrumentation.c): brings the code up to the
    /// global instrumentation version. The model has no monitoring tools, so there are no
    /// instructions to rewrite: the code's `_co_instrumentation_version` becomes the global
    /// version (the eval breaker's bits above `_PY_EVAL_EVENTS_MASK`). CPython allocates the
    /// code's monitoring data first: one fallible step, -1 with the exception set.
    "int _Py_Instrument(PyCodeObject *code, PyInterpreterState *interp)"
    fn instrument(&mut self, code: Obj, interp: TState) -> i32 {
        let _ = interp;
        if self.code_data(code, "_Py_Instrument of a non-code").is_none() {
            return -1;
        }
        if self.fallible() {
            return -1;
        }
        let global = self.ts.eval_breaker & !0xff;
        if let ObjData::Code(c) = self.heap.data_mut(code) {
            if c.instrumentation_version != global {
                std::sync::Arc::make_mut(c).instrumentation_version = global;
            }
        }
        0
    }

    /// `co->co_consts`
    "PyObject *PyCodeObject.co_consts(PyCodeObject *co)" as "PyCodeObject.co_consts"
    fn code_co_consts(&mut self, co: Obj) -> Obj { self.code_data(co, "co_consts").map_or(Obj::NULL, |c| c.consts) }

    /// `co->co_names`
    "PyObject *PyCodeObject.co_names(PyCodeObject *co)" as "PyCodeObject.co_names"
    fn code_co_names(&mut self, co: Obj) -> Obj { self.code_data(co, "co_names").map_or(Obj::NULL, |c| c.names) }

    /// `co->co_localsplusnames`
    "PyObject *PyCodeObject.co_localsplusnames(PyCodeObject *co)" as "PyCodeObject.co_localsplusnames"
    fn code_co_localsplusnames(&mut self, co: Obj) -> Obj { self.code_data(co, "co_localsplusnames").map_or(Obj::NULL, |c| c.localsplusnames) }

    /// `((PyMethodObject *)m)->im_func` (borrowed); reading it from anything but a bound method is
    /// a type confusion in C, recorded as a violation (NULL result)
    "PyObject *PyMethodObject.im_func(PyMethodObject *m)" as "PyMethodObject.im_func"
    fn method_im_func(&mut self, m: Obj) -> Obj { self.method_parts(m, "im_func of a non-method").0 }

    /// `((PyMethodObject *)m)->im_self` (borrowed)
    "PyObject *PyMethodObject.im_self(PyMethodObject *m)" as "PyMethodObject.im_self"
    fn method_im_self(&mut self, m: Obj) -> Obj { self.method_parts(m, "im_self of a non-method").1 }

    /// `func->func_version`
    "uint32_t PyFunctionObject.func_version(PyFunctionObject *f)" as "PyFunctionObject.func_version"
    fn func_version(&mut self, f: Obj) -> u32 { self.func_data(f, "func_version").map_or(0, |d| d.version) }

    /// `func->func_code`
    "PyObject *PyFunctionObject.func_code(PyFunctionObject *f)" as "PyFunctionObject.func_code"
    fn func_code(&mut self, f: Obj) -> Obj { self.func_data(f, "func_code").map_or(Obj::NULL, |d| d.code) }

    /// `func->func_globals`
    "PyObject *PyFunctionObject.func_globals(PyFunctionObject *f)" as "PyFunctionObject.func_globals"
    fn func_globals(&mut self, f: Obj) -> Obj { self.func_data(f, "func_globals").map_or(Obj::NULL, |d| d.globals) }

    /// `func->func_builtins`
    "PyObject *PyFunctionObject.func_builtins(PyFunctionObject *f)" as "PyFunctionObject.func_builtins"
    fn func_builtins(&mut self, f: Obj) -> Obj { self.func_data(f, "func_builtins").map_or(Obj::NULL, |d| d.builtins) }

    /// `func->func_closure`
    "PyObject *PyFunctionObject.func_closure(PyFunctionObject *f)" as "PyFunctionObject.func_closure"
    fn func_closure(&mut self, f: Obj) -> Obj { self.func_data(f, "func_closure").map_or(Obj::NULL, |d| d.closure) }

    /// `func->func_defaults`
    "PyObject *PyFunctionObject.func_defaults(PyFunctionObject *f)" as "PyFunctionObject.func_defaults"
    fn func_defaults(&mut self, f: Obj) -> Obj { self.func_data(f, "func_defaults").map_or(Obj::NULL, |d| d.defaults) }

    /// `PyFunction_GET_CODE(f)` (borrowed)
    "PyObject *PyFunction_GET_CODE(PyObject *f)"
    fn function_get_code(&mut self, f: Obj) -> Obj { self.func_code(f) }

    /// `PyFunction_GET_GLOBALS(f)` (borrowed)
    "PyObject *PyFunction_GET_GLOBALS(PyObject *f)"
    fn function_get_globals(&mut self, f: Obj) -> Obj { self.func_globals(f) }

    /// `PyFunction_GET_BUILTINS(f)` (borrowed)
    "PyObject *PyFunction_GET_BUILTINS(PyObject *f)"
    fn function_get_builtins(&mut self, f: Obj) -> Obj { self.func_builtins(f) }

    /// `PyFunction_GET_CLOSURE(f)` (borrowed)
    "PyObject *PyFunction_GET_CLOSURE(PyObject *f)"
    fn function_get_closure(&mut self, f: Obj) -> Obj { self.func_closure(f) }

    /// `PyFunction_GET_DEFAULTS(f)` (borrowed)
    "PyObject *PyFunction_GET_DEFAULTS(PyObject *f)"
    fn function_get_defaults(&mut self, f: Obj) -> Obj { self.func_defaults(f) }

    /// Sets `func_version`.
    "void _PyFunction_SetVersion(PyFunctionObject *f, uint32_t version)"
    fn function_set_version(&mut self, f: Obj, version: u32) -> () {
        if let Some(d) = self.func_data(f, "_PyFunction_SetVersion") {
            d.version = version;
        }
    }

    /// `type->tp_flags`
    "unsigned long PyTypeObject.tp_flags(PyTypeObject *t)" as "PyTypeObject.tp_flags"
    fn type_tp_flags(&mut self, t: Obj) -> u64 { self.type_data(t, "tp_flags").map_or(0, |d| d.flags) }

    /// `type->tp_version_tag`
    "unsigned int PyTypeObject.tp_version_tag(PyTypeObject *t)" as "PyTypeObject.tp_version_tag"
    fn type_tp_version_tag(&mut self, t: Obj) -> u32 { self.type_data(t, "tp_version_tag").map_or(0, |d| d.version_tag) }

    /// `type->tp_version_tag = v`
    "void PyTypeObject.tp_version_tag=(PyTypeObject *t, unsigned int v)" as "PyTypeObject.tp_version_tag="
    fn type_set_tp_version_tag(&mut self, t: Obj, v: u32) -> () {
        if let Some(d) = self.type_data(t, "tp_version_tag") {
            d.version_tag = v;
        }
    }

    /// `type->tp_name`
    "const char *PyTypeObject.tp_name(PyTypeObject *t)" as "PyTypeObject.tp_name"
    fn type_tp_name(&mut self, t: Obj) -> crate::value::CStr {
        self.heap.get(t, "tp_name");
        crate::value::CStr::TypeName(t)
    }

    /// `type->tp_base` (borrowed)
    "PyTypeObject *PyTypeObject.tp_base(PyTypeObject *t)" as "PyTypeObject.tp_base"
    fn type_tp_base(&mut self, t: Obj) -> Obj { self.type_data(t, "tp_base").map_or(Obj::NULL, |d| d.base) }

    /// `type->tp_dictoffset` (instances never have a `__dict__` at an offset in the model)
    "Py_ssize_t PyTypeObject.tp_dictoffset(PyTypeObject *t)" as "PyTypeObject.tp_dictoffset"
    fn type_tp_dictoffset(&mut self, t: Obj) -> i64 { self.type_data(t, "tp_dictoffset"); 0 }

    /// `PyType_Modified`: invalidates the version tag.
    "void PyType_Modified(PyTypeObject *t)"
    fn type_modified(&mut self, t: Obj) -> () {
        if let Some(d) = self.type_data(t, "PyType_Modified") {
            d.version_tag = 0;
            d.flags &= !crate::well_known::tpflags::VALID_VERSION_TAG;
        }
    }

    /// `op->ob_fval`
    "double PyFloatObject.ob_fval(PyFloatObject *op)" as "PyFloatObject.ob_fval"
    fn float_ob_fval(&mut self, op: Obj) -> f64 { self.float_as_double(op) }

    /// `m->md_dict` (borrowed)
    "PyObject *PyModuleObject.md_dict(PyModuleObject *m)" as "PyModuleObject.md_dict"
    fn module_md_dict(&mut self, m: Obj) -> Obj {
        match self.heap.get(m, "md_dict").data {
            ObjData::Module(d) => d,
            _ => Obj::NULL,
        }
    }
}
