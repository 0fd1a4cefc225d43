//! The free-threading wrappers of `pycore_pyatomic_ft_wrappers.h` and the per-object locks of
//! `ceval_macros.h`, as they are in the default (GIL) build that the model is: an
//! `FT_ATOMIC_LOAD_*` is a plain read of its argument, `LOCK_OBJECT` always succeeds and
//! `UNLOCK_OBJECT` does nothing. They are functions of values, so bodies that use them are
//! translatable; each C type an argument takes is a separate entry because C's macros are
//! type-generic and the binding table is not.

use crate::handles::{KeysRef, Obj};

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

    /// `LOCK_OBJECT(op)`: in the GIL build the critical section is free, the lock always taken
    "int LOCK_OBJECT(PyObject *op)"
    fn lock_object(&mut self, op: Obj) -> i32 { let _ = op; 1 }

    /// `UNLOCK_OBJECT(op)`: nothing to release in the GIL build
    "void UNLOCK_OBJECT(PyObject *op)"
    fn unlock_object(&mut self, op: Obj) -> () { let _ = op; }
}
