//! The adaptive specializers. The model never specializes: every call takes CPython's failure
//! path (`unspecialize`): the opcode stays generic and the adaptive counter in the first cache
//! entry restarts with exponential backoff. That is a behaviour CPython really exhibits (for
//! operand types it cannot specialize), so both executions of a body agree on it.

use crate::handles::{CodePtr, Obj};
use crate::stackref::StackRef;

impl crate::vm::Vm {
    /// `unspecialize(instr)`: restarts the counter at `instr + 1`.
    fn specialization_failed(&mut self, instr: CodePtr) {
        let counter = instr.offset(1);
        let c = self.read_u16(counter);
        let next = self.restart_backoff_counter(c);
        self.write_u16(counter, next);
    }
}

crate::api! {
    /// Specialization attempt for `LOAD_SUPER_ATTR`: fails, restarting the counter.
    "void _Py_Specialize_LoadSuperAttr(_PyStackRef global_super, _PyStackRef cls, _Py_CODEUNIT *instr, int load_method)"
    fn specialize_load_super_attr(&mut self, global_super: StackRef, cls: StackRef, instr: CodePtr, load_method: i32) -> () {
        let _ = (global_super, cls, load_method);
        self.specialization_failed(instr)
    }

    /// Specialization attempt for `LOAD_ATTR`: fails, restarting the counter.
    "void _Py_Specialize_LoadAttr(_PyStackRef owner, _Py_CODEUNIT *instr, PyObject *name)"
    fn specialize_load_attr(&mut self, owner: StackRef, instr: CodePtr, name: Obj) -> () {
        let _ = (owner, name);
        self.specialization_failed(instr)
    }

    /// Specialization attempt for `STORE_ATTR`: fails, restarting the counter.
    "void _Py_Specialize_StoreAttr(_PyStackRef owner, _Py_CODEUNIT *instr, PyObject *name)"
    fn specialize_store_attr(&mut self, owner: StackRef, instr: CodePtr, name: Obj) -> () {
        let _ = (owner, name);
        self.specialization_failed(instr)
    }

    /// Specialization attempt for `LOAD_GLOBAL`: fails, restarting the counter.
    "void _Py_Specialize_LoadGlobal(PyObject *globals, PyObject *builtins, _Py_CODEUNIT *instr, PyObject *name)"
    fn specialize_load_global(&mut self, globals: Obj, builtins: Obj, instr: CodePtr, name: Obj) -> () {
        let _ = (globals, builtins, name);
        self.specialization_failed(instr)
    }

    /// Specialization attempt for `STORE_SUBSCR`: fails, restarting the counter.
    "void _Py_Specialize_StoreSubscr(_PyStackRef container, _PyStackRef sub, _Py_CODEUNIT *instr)"
    fn specialize_store_subscr(&mut self, container: StackRef, sub: StackRef, instr: CodePtr) -> () {
        let _ = (container, sub);
        self.specialization_failed(instr)
    }

    /// Specialization attempt for `CALL`: fails, restarting the counter.
    "void _Py_Specialize_Call(_PyStackRef callable, _Py_CODEUNIT *instr, int nargs)"
    fn specialize_call(&mut self, callable: StackRef, instr: CodePtr, nargs: i32) -> () {
        let _ = (callable, nargs);
        self.specialization_failed(instr)
    }

    /// Specialization attempt for `CALL_KW`: fails, restarting the counter.
    "void _Py_Specialize_CallKw(_PyStackRef callable, _Py_CODEUNIT *instr, int nargs)"
    fn specialize_call_kw(&mut self, callable: StackRef, instr: CodePtr, nargs: i32) -> () {
        let _ = (callable, nargs);
        self.specialization_failed(instr)
    }

    /// Specialization attempt for `COMPARE_OP`: fails, restarting the counter.
    "void _Py_Specialize_CompareOp(_PyStackRef lhs, _PyStackRef rhs, _Py_CODEUNIT *instr, int oparg)"
    fn specialize_compare_op(&mut self, lhs: StackRef, rhs: StackRef, instr: CodePtr, oparg: i32) -> () {
        let _ = (lhs, rhs, oparg);
        self.specialization_failed(instr)
    }

    /// Specialization attempt for `UNPACK_SEQUENCE`: fails, restarting the counter.
    "void _Py_Specialize_UnpackSequence(_PyStackRef seq, _Py_CODEUNIT *instr, int oparg)"
    fn specialize_unpack_sequence(&mut self, seq: StackRef, instr: CodePtr, oparg: i32) -> () {
        let _ = (seq, oparg);
        self.specialization_failed(instr)
    }

    /// Specialization attempt for `FOR_ITER`: fails, restarting the counter.
    "void _Py_Specialize_ForIter(_PyStackRef iter, _Py_CODEUNIT *instr, int oparg)"
    fn specialize_for_iter(&mut self, iter: StackRef, instr: CodePtr, oparg: i32) -> () {
        let _ = (iter, oparg);
        self.specialization_failed(instr)
    }

    /// Specialization attempt for `SEND`: fails, restarting the counter.
    "void _Py_Specialize_Send(_PyStackRef receiver, _Py_CODEUNIT *instr)"
    fn specialize_send(&mut self, receiver: StackRef, instr: CodePtr) -> () {
        let _ = receiver;
        self.specialization_failed(instr)
    }

    /// Specialization attempt for `TO_BOOL`: fails, restarting the counter.
    "void _Py_Specialize_ToBool(_PyStackRef value, _Py_CODEUNIT *instr)"
    fn specialize_to_bool(&mut self, value: StackRef, instr: CodePtr) -> () {
        let _ = value;
        self.specialization_failed(instr)
    }

    /// Specialization attempt for `CONTAINS_OP`: fails, restarting the counter.
    "void _Py_Specialize_ContainsOp(_PyStackRef value, _Py_CODEUNIT *instr)"
    fn specialize_contains_op(&mut self, value: StackRef, instr: CodePtr) -> () {
        let _ = value;
        self.specialization_failed(instr)
    }

    /// `GET_ITER` statistics (no effect).
    "void _Py_GatherStats_GetIter(_PyStackRef iterable)"
    fn gather_stats_get_iter(&mut self, iterable: StackRef) -> () {
        let _ = iterable;
    }
}
