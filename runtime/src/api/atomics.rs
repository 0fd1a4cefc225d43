//! The free-threading wrappers of `pycore_pyatomic_ft_wrappers.h` and the per-object locks of
//! `ceval_macros.h`, as they are in the default (GIL) build that the model is: an
//! `FT_ATOMIC_LOAD_*` is a plain read of its argument, `LOCK_OBJECT` always succeeds and
//! `UNLOCK_OBJECT` does nothing. They are functions of values, so bodies that use them are
//! translatable; each C type an argument takes is a separate entry because C's macros are
//! type-generic and the binding table is not. The free-threading hooks that do nothing in the
//! GIL build (`QSBR_QUIESCENT_STATE`) are here too.

use crate::handles::{KeysRef, Obj, TState};

crate::api! {
    /// `FT_ATOMIC_LOAD_UINT_RELAXED(v)`: `v` without `Py_GIL_DISABLED`
    "unsigned int FT_ATOMIC_LOAD_UINT_RELAXED(unsigned int v)"
    fn ft_atomic_load_uint_relaxed(&mut self, v: u32) -> u32 { v }

    /// `FT_ATOMIC_LOAD_UINT32_RELAXED(v)`: `v` without `Py_GIL_DISABLED`
    "uint32_t FT_ATOMIC_LOAD_UINT32_RELAXED(uint32_t v)"
    fn ft_atomic_load_uint32_relaxed(&mut self, v: u32) -> u32 { v }

    /// `FT_ATOMIC_LOAD_PTR_ACQUIRE(p)`: `p` without `Py_GIL_DISABLED`; bodies load a dict's
    /// keys table with it (`dict->ma_keys`), so the binding is typed for that pointer
    "PyDictKeysObject *FT_ATOMIC_LOAD_PTR_ACQUIRE(PyDictKeysObject *p)"
    fn ft_atomic_load_keys_acquire(&mut self, p: KeysRef) -> KeysRef { p }

    /// `FT_ATOMIC_LOAD_PTR_RELAXED(p)`: `p` without `Py_GIL_DISABLED`; bodies read a dict
    /// entry's value or key with it, so the binding is typed for `PyObject *`
    "PyObject *FT_ATOMIC_LOAD_PTR_RELAXED(PyObject *p)"
    fn ft_atomic_load_ptr_relaxed(&mut self, p: Obj) -> Obj { p }

    /// `FT_ATOMIC_LOAD_UINTPTR_ACQUIRE(v)`: `v` without `Py_GIL_DISABLED`
    "uintptr_t FT_ATOMIC_LOAD_UINTPTR_ACQUIRE(uintptr_t v)"
    fn ft_atomic_load_uintptr_acquire(&mut self, v: u64) -> u64 { v }

    /// `_Py_atomic_load_uintptr_relaxed(&place)`: a load through the pointer. The binding
    /// table marks the parameter `addr = [0]`: callers pass `&place` and the function receives
    /// the place's value (what the load reads), so the model needs no pointer to the field.
    "uintptr_t _Py_atomic_load_uintptr_relaxed(const uintptr_t *obj)"
    fn atomic_load_uintptr_relaxed(&mut self, obj: u64) -> u64 { obj }

    /// `FT_ATOMIC_STORE_PTR_RELEASE(dst, v)`: `dst = v` without `Py_GIL_DISABLED` (a plain
    /// store; the old value is overwritten, not released). Bodies store list items and dict
    /// entry values with it, so the binding is typed for `PyObject *`.
    "void FT_ATOMIC_STORE_PTR_RELEASE(PyObject **dst, PyObject *v)"
    fn ft_atomic_store_ptr_release(&mut self, #[out] dst: Obj, v: Obj) -> () { *dst = v; }

    /// `FT_ATOMIC_STORE_UINT8_RELAXED(dst, v)`: `dst = v` without `Py_GIL_DISABLED`; bodies
    /// rewrite an instruction's opcode with it (`this_instr->op.code`)
    "void FT_ATOMIC_STORE_UINT8_RELAXED(uint8_t *dst, uint8_t v)"
    fn ft_atomic_store_uint8_relaxed(&mut self, #[out] dst: u8, v: u8) -> () { *dst = v; }

    /// `QSBR_QUIESCENT_STATE(tstate)`: reports a quiescent state to the free-threading
    /// memory reclaimer; empty without `Py_GIL_DISABLED`
    "void QSBR_QUIESCENT_STATE(PyThreadState *tstate)"
    fn qsbr_quiescent_state(&mut self, tstate: TState) -> () { let _ = tstate; }

    /// `_Py_CHECK_EMSCRIPTEN_SIGNALS_PERIODICALLY()`: polls signals on Emscripten only;
    /// empty on every other platform, which the model is
    "void _Py_CHECK_EMSCRIPTEN_SIGNALS_PERIODICALLY(void)"
    fn check_emscripten_signals_periodically(&mut self) -> () {}

    /// `LOCK_OBJECT(op)`: in the GIL build the critical section is free, the lock always taken
    "int LOCK_OBJECT(PyObject *op)"
    fn lock_object(&mut self, op: Obj) -> i32 { let _ = op; 1 }

    /// `UNLOCK_OBJECT(op)`: nothing to release in the GIL build
    "void UNLOCK_OBJECT(PyObject *op)"
    fn unlock_object(&mut self, op: Obj) -> () { let _ = op; }
}
