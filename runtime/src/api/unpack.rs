//! `_PyEval_UnpackIterableStackRef`: the iteration `UNPACK_SEQUENCE` and `UNPACK_EX` share.
//!
//! C writes the items downward from a pointer one past the output array (`*--sp`); here the
//! output array is a slice and the items go from its end towards its start, so `out[len - 1]`
//! is the first item of the iteration. On error every item already written is released and
//! its slot reset to NULL, so no stack slot is left owning a reference (C leaves the closed
//! references behind, above the stack pointer, where nothing reads them again).

use crate::handles::{Obj, TState};
use crate::stackref::StackRef;
use crate::well_known as wk;

crate::api! {
    /// Unpacks `v` into `sp` (`argcnt` items, or with `argcntafter >= 0` a starred target:
    /// `argcnt` items, a list of the rest, `argcntafter` items). Returns 1 on success, 0 with
    /// an exception set. `v` is borrowed. `sp` must hold `argcnt` items (plain form) or
    /// `argcnt + 1 + argcntafter` (starred form); a shorter slice is a violated precondition.
    "int _PyEval_UnpackIterableStackRef(PyThreadState *tstate, PyObject *v, int argcnt, int argcntafter, _PyStackRef *sp)"
    fn eval_unpack_iterable(&mut self, tstate: TState, v: Obj, argcnt: i32, argcntafter: i32, #[out_array] sp: StackRef) -> i32 {
        let _ = tstate;
        self.unpack_iterable(v, argcnt, argcntafter, sp)
    }
}

impl crate::vm::Vm {
    /// [`Vm::eval_unpack_iterable`] without the thread state.
    pub fn unpack_iterable(
        &mut self,
        v: Obj,
        argcnt: i32,
        argcntafter: i32,
        out: &mut [StackRef],
    ) -> i32 {
        let needed = if argcntafter < 0 {
            argcnt as i64
        } else {
            argcnt as i64 + 1 + argcntafter as i64
        };
        if argcnt < 0 || needed > out.len() as i64 {
            self.violation(crate::heap::Violation::Assertion(
                "_PyEval_UnpackIterableStackRef output array too short",
            ));
            return 0;
        }
        let it = self.get_iter(v);
        if it.is_null() {
            // The model's iterables all have `tp_iter`; every other object has neither
            // `tp_iter` nor the sequence protocol, so a TypeError here gets the unpack wording.
            if self.err_occurred() == wk::EXC_TYPE_ERROR {
                let msg = format!(
                    "cannot unpack non-iterable {} object",
                    truncate200(&self.type_name_of(v))
                );
                self.raise(wk::EXC_TYPE_ERROR, &msg);
            }
            return 0;
        }
        let mut sp = out.len();
        let mut written = 0usize;
        let ok = self.unpack_into(v, it, argcnt, argcntafter, out, &mut sp, &mut written);
        if !ok {
            for slot in &mut out[sp..sp + written] {
                let r = std::mem::replace(slot, StackRef::NULL);
                if r.refcount_on_object() {
                    self.heap.decref(r.obj());
                }
            }
        }
        self.heap.decref(it);
        i32::from(ok)
    }

    #[allow(clippy::too_many_arguments)]
    fn unpack_into(
        &mut self,
        v: Obj,
        it: Obj,
        argcnt: i32,
        argcntafter: i32,
        out: &mut [StackRef],
        sp: &mut usize,
        written: &mut usize,
    ) -> bool {
        for i in 0..argcnt {
            let w = self.iter_next(it);
            if w.is_null() {
                if self.err_occurred().is_null() {
                    let msg = if argcntafter == -1 {
                        format!("not enough values to unpack (expected {argcnt}, got {i})")
                    } else {
                        format!(
                            "not enough values to unpack (expected at least {}, got {i})",
                            argcnt + argcntafter
                        )
                    };
                    self.raise(wk::EXC_VALUE_ERROR, &msg);
                }
                return false;
            }
            *sp -= 1;
            out[*sp] = StackRef::owned(w);
            *written += 1;
        }
        if argcntafter == -1 {
            let w = self.iter_next(it);
            if w.is_null() {
                return self.err_occurred().is_null();
            }
            self.heap.decref(w);
            let ty = self.heap.ty(v);
            let ll = if ty == wk::LIST_TYPE || ty == wk::TUPLE_TYPE || ty == wk::DICT_TYPE {
                Some(self.length(v))
            } else {
                None
            };
            let msg = match ll {
                Some(ll) if ll > argcnt as i64 => {
                    format!("too many values to unpack (expected {argcnt}, got {ll})")
                }
                _ => format!("too many values to unpack (expected {argcnt})"),
            };
            self.raise(wk::EXC_VALUE_ERROR, &msg);
            return false;
        }
        // `PySequence_List(it)`: the rest of the iteration, in a new list.
        let mut rest = Vec::new();
        loop {
            let w = self.iter_next(it);
            if w.is_null() {
                break;
            }
            rest.push(w);
        }
        if !self.err_occurred().is_null() || self.fallible() {
            for o in rest {
                self.heap.decref(o);
            }
            return false;
        }
        let ll = rest.len() as i64;
        let tail = if ll >= argcntafter as i64 {
            rest.split_off(rest.len() - argcntafter as usize)
        } else {
            Vec::new()
        };
        let l = self.new_list(rest);
        *sp -= 1;
        out[*sp] = StackRef::owned(l);
        *written += 1;
        if ll < argcntafter as i64 {
            let msg = format!(
                "not enough values to unpack (expected at least {}, got {})",
                argcnt + argcntafter,
                argcnt as i64 + ll
            );
            self.raise(wk::EXC_VALUE_ERROR, &msg);
            return false;
        }
        // The list's last `argcntafter` items, in list order, moved out of it (C steals them
        // and shrinks the list with `Py_SET_SIZE`).
        for w in tail {
            *sp -= 1;
            out[*sp] = StackRef::owned(w);
            *written += 1;
        }
        true
    }
}

/// `%.200s`: at most 200 bytes, cut on a character boundary.
fn truncate200(s: &str) -> &str {
    if s.len() <= 200 {
        return s;
    }
    let mut end = 200;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}
