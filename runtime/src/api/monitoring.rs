//! `sys.monitoring` hooks and frame pushing. The model never has monitoring tools registered, so
//! the instrumentation calls are the "no tool" fast paths of CPython: they return 0 and change
//! nothing.

use crate::handles::{CodePtr, FrameId, Obj, TState};
use crate::object::ObjData;
use crate::stackref::StackRef;

crate::api! {
    /// Fires a monitoring event with no argument: no tools, returns 0.
    "int _Py_call_instrumentation(PyThreadState *tstate, int event, _PyInterpreterFrame *frame, _Py_CODEUNIT *instr)"
    fn call_instrumentation(&mut self, tstate: TState, event: i32, frame: FrameId, instr: CodePtr) -> i32 {
        let _ = (tstate, event, frame, instr);
        0
    }

    /// Fires a monitoring event with one argument: no tools, returns 0.
    "int _Py_call_instrumentation_arg(PyThreadState *tstate, int event, _PyInterpreterFrame *frame, _Py_CODEUNIT *instr, PyObject *arg)"
    fn call_instrumentation_arg(&mut self, tstate: TState, event: i32, frame: FrameId, instr: CodePtr, arg: Obj) -> i32 {
        let _ = (tstate, event, frame, instr, arg);
        0
    }

    /// Fires a monitoring event with two arguments: no tools, returns 0.
    "int _Py_call_instrumentation_2args(PyThreadState *tstate, int event, _PyInterpreterFrame *frame, _Py_CODEUNIT *instr, PyObject *arg0, PyObject *arg1)"
    fn call_instrumentation_2args(&mut self, tstate: TState, event: i32, frame: FrameId, instr: CodePtr, arg0: Obj, arg1: Obj) -> i32 {
        let _ = (tstate, event, frame, instr, arg0, arg1);
        0
    }

    /// `INSTRUMENTED_JUMP(src, dest, event)`: fires the JUMP/BRANCH event and continues at
    /// `dest`. CPython continues where a tool moved the frame to, or at the error label when the
    /// event fails; with no tools neither happens, so `next_instr = dest`.
    "void INSTRUMENTED_JUMP(_Py_CODEUNIT *src, _Py_CODEUNIT *dest, int event)"
    fn instrumented_jump(&mut self, src: CodePtr, dest: CodePtr, event: i32) -> () {
        let _ = (src, event);
        self.next_instr = dest;
    }

    /// The INSTRUCTION event (instrumentation.c): the opcode the `INSTRUMENTED_INSTRUCTION` at
    /// `instr` replaced, from the code's `per_instruction_opcodes` (a missing table is CPython's
    /// failed assert: a violation, 0). No tool is called, but CPython first allocates the
    /// byte offset as an int for the tools' arguments: that allocation can fail (-1).
    "int _Py_call_instrumentation_instruction(PyThreadState *tstate, _PyInterpreterFrame *frame, _Py_CODEUNIT *instr)"
    fn call_instrumentation_instruction(&mut self, tstate: TState, frame: FrameId, instr: CodePtr) -> i32 {
        let _ = tstate;
        let code = self.frame_mut(frame).code;
        let next = match self.heap.data(code) {
            ObjData::Code(c) => usize::try_from(instr.index)
                .ok()
                .and_then(|i| c.per_instruction_opcodes.get(i))
                .copied(),
            _ => None,
        };
        let Some(next) = next else {
            self.violation(crate::heap::Violation::Assertion("per_instruction_opcodes"));
            return 0;
        };
        if self.fallible() {
            return -1;
        }
        next as i32
    }

    /// `_PyOpcode_Caches[opcode]`, the table read as the function of its index (the binding
    /// table's rule for tables of values); an index outside `0..256` is a violation (0).
    "uint8_t _PyOpcode_Caches(int opcode)"
    fn opcode_caches_of(&mut self, opcode: i32) -> u8 {
        match usize::try_from(opcode).ok().and_then(|i| self.opcode_caches.get(i)) {
            Some(&n) => n,
            None => {
                self.violation(crate::heap::Violation::Assertion("_PyOpcode_Caches index"));
                0
            }
        }
    }

    /// Fires an exception event: no tools, nothing happens.
    "void _Py_call_instrumentation_exc2(PyThreadState *tstate, int event, _PyInterpreterFrame *frame, _Py_CODEUNIT *instr, PyObject *arg0, PyObject *arg1)"
    fn call_instrumentation_exc2(&mut self, tstate: TState, event: i32, frame: FrameId, instr: CodePtr, arg0: Obj, arg1: Obj) -> () {
        let _ = (tstate, event, frame, instr, arg0, arg1);
    }

    /// The RAISE monitoring event: no tools, nothing happens.
    "void _PyEval_MonitorRaise(PyThreadState *tstate, _PyInterpreterFrame *frame, _Py_CODEUNIT *instr)"
    fn eval_monitor_raise(&mut self, tstate: TState, frame: FrameId, instr: CodePtr) -> () {
        let _ = (tstate, frame, instr);
    }

    /// The RERAISE monitoring event: no tools, nothing happens.
    "void monitor_reraise(PyThreadState *tstate, _PyInterpreterFrame *frame, _Py_CODEUNIT *instr)"
    fn monitor_reraise(&mut self, tstate: TState, frame: FrameId, instr: CodePtr) -> () {
        let _ = (tstate, frame, instr);
    }

    /// Pushes a frame for the function `func` (stolen) without making it current; locals from
    /// `null_locals_from` on start as NULL. Uses `co_framesize` words of the data stack.
    "_PyInterpreterFrame *_PyFrame_PushUnchecked(PyThreadState *tstate, _PyStackRef func, int null_locals_from, _PyInterpreterFrame *previous)"
    fn frame_push_unchecked(&mut self, tstate: TState, func: StackRef, null_locals_from: i32, previous: FrameId) -> FrameId {
        let _ = (tstate, null_locals_from);
        let fo = func.obj();
        let (code, globals, builtins) = match self.heap.data(fo) {
            ObjData::Function(f) => (f.code, f.globals, f.builtins),
            _ => (Obj::NULL, Obj::NULL, Obj::NULL),
        };
        let framesize = match self.heap.data(code) {
            ObjData::Code(c) => c.framesize as i64,
            _ => 0,
        };
        let saved = (self.current, self.this_instr, self.next_instr);
        let id = self.push_frame(code, fo, globals, builtins);
        // push_frame took its own reference to the function; the stolen one is released.
        self.stackref_close(func);
        self.frames[id.0 as usize].previous = previous;
        (self.current, self.this_instr, self.next_instr) = saved;
        self.ts.stack_space -= framesize;
        id
    }

    /// Pushes `value` (ownership moves) on a frame's value stack.
    "void _PyFrame_StackPush(_PyInterpreterFrame *f, _PyStackRef value)"
    fn frame_stack_push(&mut self, f: FrameId, value: StackRef) -> () {
        let fr = self.frame_mut(f);
        if fr.stack_pointer < fr.localsplus.len() {
            fr.localsplus[fr.stack_pointer] = value;
        } else {
            fr.localsplus.push(value);
        }
        fr.stack_pointer += 1;
    }
}
