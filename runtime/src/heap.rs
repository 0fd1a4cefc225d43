//! The object arena: explicit reference counts, immortals, deterministic deallocation.

use crate::handles::Obj;
use crate::object::ObjData;

/// One heap slot. Freed slots keep their data so that a use after free reads deterministic
/// contents (and is reported as a [`Violation`]) instead of crashing.
#[derive(Clone, Debug, PartialEq)]
pub struct Slot {
    /// `ob_type`
    pub ty: Obj,
    /// `ob_refcnt` (not changed by incref/decref while `immortal`)
    pub rc: i64,
    /// immortal objects ignore incref/decref, as in CPython
    pub immortal: bool,
    /// the object was deallocated
    pub freed: bool,
    /// kind-specific contents
    pub data: ObjData,
}

/// A broken memory-safety invariant observed while running a body: in CPython each of these is
/// undefined behaviour or a crash, here it is recorded and becomes part of the snapshot.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Violation {
    /// an API dereferenced `NULL`
    NullDeref(&'static str),
    /// an object was used after its last reference was dropped
    UseAfterFree(Obj),
    /// a reference was dropped more often than taken
    DecrefFreed(Obj),
    /// a handle that was never allocated
    BadHandle(Obj),
    /// a C-level precondition (`assert`) of an API did not hold
    Assertion(&'static str),
}

/// The object arena. Slot 0 is the `NULL` sentinel.
#[derive(Clone, Debug, PartialEq)]
pub struct Heap {
    pub(crate) slots: Vec<Slot>,
    /// invariant violations seen so far, in order
    pub violations: Vec<Violation>,
}

impl Default for Heap {
    fn default() -> Self {
        Heap {
            slots: vec![Slot {
                ty: Obj::NULL,
                rc: 0,
                immortal: true,
                freed: false,
                data: ObjData::None,
            }],
            violations: Vec::new(),
        }
    }
}

impl Heap {
    /// Allocates a new object with reference count 1.
    pub fn alloc(&mut self, ty: Obj, data: ObjData) -> Obj {
        let h = Obj(self.slots.len() as u32);
        self.slots.push(Slot {
            ty,
            rc: 1,
            immortal: false,
            freed: false,
            data,
        });
        h
    }

    /// Allocates an immortal object.
    pub fn alloc_immortal(&mut self, ty: Obj, data: ObjData) -> Obj {
        let h = self.alloc(ty, data);
        self.slots[h.0 as usize].immortal = true;
        h
    }

    /// Number of slots ever allocated (handles are `1..len`).
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// `true` when only the NULL sentinel exists.
    pub fn is_empty(&self) -> bool {
        self.slots.len() <= 1
    }

    /// The slot of a handle, without any check (for inspection: snapshots, tests).
    pub fn slot(&self, o: Obj) -> Option<&Slot> {
        if o.is_null() {
            None
        } else {
            self.slots.get(o.0 as usize)
        }
    }

    /// Checked access for API code: NULL, out-of-range and freed handles are violations.
    /// Returns the NULL sentinel's slot (data `None`) for NULL/out-of-range handles.
    pub fn get(&mut self, o: Obj, what: &'static str) -> &Slot {
        let i = o.0 as usize;
        if o.is_null() {
            self.violations.push(Violation::NullDeref(what));
            return &self.slots[0];
        }
        if i >= self.slots.len() {
            self.violations.push(Violation::BadHandle(o));
            return &self.slots[0];
        }
        if self.slots[i].freed {
            self.violations.push(Violation::UseAfterFree(o));
        }
        &self.slots[i]
    }

    /// Checked mutable access (see [`Heap::get`]).
    pub fn get_mut(&mut self, o: Obj, what: &'static str) -> &mut Slot {
        let i = o.0 as usize;
        if o.is_null() || i >= self.slots.len() {
            self.violations.push(if o.is_null() {
                Violation::NullDeref(what)
            } else {
                Violation::BadHandle(o)
            });
            return &mut self.slots[0];
        }
        if self.slots[i].freed {
            self.violations.push(Violation::UseAfterFree(o));
        }
        &mut self.slots[i]
    }

    /// Unchecked read of the data (for handles the runtime itself just validated).
    pub fn data(&self, o: Obj) -> &ObjData {
        &self.slots.get(o.0 as usize).unwrap_or(&self.slots[0]).data
    }

    /// Unchecked mutable data access (see [`Heap::data`]).
    pub fn data_mut(&mut self, o: Obj) -> &mut ObjData {
        let i = if (o.0 as usize) < self.slots.len() {
            o.0 as usize
        } else {
            0
        };
        &mut self.slots[i].data
    }

    /// `ob_type`, unchecked.
    pub fn ty(&self, o: Obj) -> Obj {
        self.slots.get(o.0 as usize).map_or(Obj::NULL, |s| s.ty)
    }

    /// `_Py_IsImmortal`.
    pub fn is_immortal(&self, o: Obj) -> bool {
        self.slots.get(o.0 as usize).is_some_and(|s| s.immortal)
    }

    /// `Py_INCREF`.
    pub fn incref(&mut self, o: Obj) {
        let s = self.get_mut(o, "Py_INCREF");
        if !s.immortal {
            s.rc += 1;
        }
    }

    /// `Py_XINCREF`.
    pub fn xincref(&mut self, o: Obj) {
        if !o.is_null() {
            self.incref(o)
        }
    }

    /// `Py_DECREF`: frees the object (and drops the references it owns) when the count hits 0.
    pub fn decref(&mut self, o: Obj) {
        let mut work = vec![o];
        let mut kids = Vec::new();
        while let Some(o) = work.pop() {
            let i = o.0 as usize;
            if o.is_null() || i >= self.slots.len() {
                self.violations.push(if o.is_null() {
                    Violation::NullDeref("Py_DECREF")
                } else {
                    Violation::BadHandle(o)
                });
                continue;
            }
            let s = &mut self.slots[i];
            if s.immortal {
                continue;
            }
            if s.freed {
                self.violations.push(Violation::DecrefFreed(o));
                continue;
            }
            s.rc -= 1;
            if s.rc == 0 {
                s.freed = true;
                kids.clear();
                s.data.children(&mut kids);
                // Children are released in reverse so that the first child is freed first.
                work.extend(kids.iter().rev());
            }
        }
    }

    /// `Py_XDECREF`.
    pub fn xdecref(&mut self, o: Obj) {
        if !o.is_null() {
            self.decref(o)
        }
    }

    /// `true` if the object was allocated and not yet freed.
    pub fn is_live(&self, o: Obj) -> bool {
        !o.is_null() && self.slots.get(o.0 as usize).is_some_and(|s| !s.freed)
    }
}
