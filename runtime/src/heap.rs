//! The object arena: explicit reference counts, immortals, deterministic deallocation.

use crate::handles::Obj;
use crate::object::ObjData;
use std::sync::Arc;

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
///
/// The first slots (the well-known objects of [`crate::Vm::new`]) live in a shared prefix, so
/// cloning a heap copies only the objects the harness and the run created. A write to a prefix
/// slot copies that one slot into `patched` (copy-on-write per slot, not per prefix: a body that
/// writes a builtin type's version tag must not copy hundreds of immortals).
///
/// The objects that exist at a [`Heap::fork`] become a second shared layer: the copies made
/// after the fork (the two sides of a check) share them, and a copy that writes one of them
/// gets a private copy of that slot only (`own`). Copying a forked state then copies no object,
/// and the layer is dropped once instead of once per copy.
#[derive(Debug)]
pub struct Heap {
    base: Arc<Vec<Slot>>,
    /// private copies of prefix slots written since the last freeze, by handle index (few:
    /// searched linearly)
    patched: Vec<(u32, Slot)>,
    /// slots `base.len()..base.len() + shared.len()`: the objects of the last fork
    shared: Arc<Vec<Slot>>,
    /// for each slot of `shared`: the index in `own` of this copy's private version of it, or
    /// [`NOT_OWN`]; empty until this copy writes a shared slot
    own_ix: Vec<u32>,
    /// this copy's private versions of the `shared` slots it wrote
    own: Vec<Slot>,
    /// the slots after the shared layer, this heap's alone
    rest: Vec<Slot>,
    /// every slot of `base` was immortal when it was frozen
    base_immortal: bool,
    /// identity of the last [`Heap::fork`] this heap descends from (0: none); copies share it
    fork: u64,
    /// `len()` at the fork
    fork_len: u32,
    /// handles below `fork_len` written since the fork (may repeat)
    dirty: Vec<u32>,
    /// invariant violations seen so far, in order
    pub violations: Vec<Violation>,
}

/// `own_ix` entry of a shared slot this copy has not written.
const NOT_OWN: u32 = u32::MAX;

/// Objects a copy may allocate before its arena has to grow (and move every slot).
const CLONE_HEADROOM: usize = 16;

impl Clone for Heap {
    fn clone(&self) -> Heap {
        // A copy has at least the room its original reserved (a frozen prototype reserves what
        // a state needs, so its copies never grow the arena while the state is built). A heap
        // that reserved nothing (a state just forked: its objects are in the shared layer) gets
        // no room either: most runs allocate nothing.
        let room = if self.rest.capacity() == 0 {
            0
        } else {
            (self.rest.len() + CLONE_HEADROOM).max(self.rest.capacity())
        };
        let mut rest = Vec::with_capacity(room);
        rest.extend(self.rest.iter().cloned());
        Heap {
            base: self.base.clone(),
            patched: self.patched.clone(),
            shared: self.shared.clone(),
            own_ix: self.own_ix.clone(),
            own: self.own.clone(),
            rest,
            base_immortal: self.base_immortal,
            fork: self.fork,
            fork_len: self.fork_len,
            dirty: self.dirty.clone(),
            violations: self.violations.clone(),
        }
    }
}

impl PartialEq for Heap {
    fn eq(&self, o: &Heap) -> bool {
        self.len() == o.len()
            && self.violations == o.violations
            && self.iter().zip(o.iter()).all(|((_, x), (_, y))| x == y)
    }
}

impl Default for Heap {
    fn default() -> Self {
        Heap {
            base: Arc::new(vec![Slot {
                ty: Obj::NULL,
                rc: 0,
                immortal: true,
                freed: false,
                data: ObjData::None,
            }]),
            patched: Vec::new(),
            shared: Arc::new(Vec::new()),
            own_ix: Vec::new(),
            own: Vec::new(),
            rest: Vec::new(),
            base_immortal: true,
            fork: 0,
            fork_len: 0,
            dirty: Vec::new(),
            violations: Vec::new(),
        }
    }
}

impl Heap {
    /// Moves every slot allocated so far into the shared prefix. Only sensible for objects that
    /// are rarely written (immortals): the prefix is copied once here.
    pub fn freeze(&mut self) {
        let tail = self.take_tail();
        let patched = std::mem::take(&mut self.patched);
        let base = Arc::make_mut(&mut self.base);
        for (i, s) in patched {
            base[i as usize] = s;
        }
        base.extend(tail);
        self.base_immortal = self.base.iter().all(|s| s.immortal && !s.freed);
        self.fork = 0;
        self.dirty.clear();
    }

    /// Marks this heap as the common origin of the copies about to be made: from now on every
    /// slot written is recorded, and two heaps with the same fork know that any older slot
    /// neither wrote is still identical in both (see [`crate::snapshot::quick_equal`]). The
    /// objects that exist now become the layer the copies share.
    pub fn fork(&mut self) {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let tail = self.take_tail();
        self.shared = Arc::new(tail);
        self.fork = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.fork_len = self.len() as u32;
        self.dirty.clear();
    }

    /// Every slot after the prefix (the shared layer as this copy sees it, then `rest`) as one
    /// vector of this heap's own; the shared layer is left empty.
    fn take_tail(&mut self) -> Vec<Slot> {
        if self.shared.is_empty() {
            // no layer yet (a state's first fork): `rest` is the whole tail, and keeps its room
            return std::mem::take(&mut self.rest);
        }
        let shared = std::mem::replace(&mut self.shared, Arc::new(Vec::new()));
        let mut tail = Arc::try_unwrap(shared).unwrap_or_else(|a| (*a).clone());
        let mut own = std::mem::take(&mut self.own);
        for (j, k) in std::mem::take(&mut self.own_ix).into_iter().enumerate() {
            if let Some(s) = own.get_mut(k as usize) {
                std::mem::swap(&mut tail[j], s);
            }
        }
        tail.append(&mut self.rest);
        tail
    }

    /// The identity of the fork this heap descends from (0: none).
    pub fn fork_id(&self) -> u64 {
        self.fork
    }

    /// Number of slots at the fork: later handles are all new since then.
    pub fn fork_len(&self) -> u32 {
        self.fork_len
    }

    /// Handles below [`Heap::fork_len`] written since the fork (unordered, may repeat).
    pub fn dirty(&self) -> &[u32] {
        &self.dirty
    }

    fn touch(&mut self, i: usize) {
        if self.fork != 0 && i < self.fork_len as usize && self.dirty.last() != Some(&(i as u32)) {
            self.dirty.push(i as u32);
        }
    }

    /// Handles below this index are immortal objects of the shared prefix (`1` when a written
    /// prefix slot is no longer immortal): comparisons need not visit them one by one, since
    /// immortals are compared by identity.
    pub fn immortal_prefix(&self) -> usize {
        if self.base_immortal && self.patched.iter().all(|(_, s)| s.immortal && !s.freed) {
            self.base.len()
        } else {
            1
        }
    }

    #[inline]
    fn at(&self, i: usize) -> Option<&Slot> {
        let b = self.base.len();
        if i < b {
            if !self.patched.is_empty() {
                if let Some((_, s)) = self.patched.iter().find(|(j, _)| *j as usize == i) {
                    return Some(s);
                }
            }
            return self.base.get(i);
        }
        let j = i - b;
        match self.shared.get(j) {
            Some(s) => match self.own_ix.get(j) {
                Some(&k) if k != NOT_OWN => self.own.get(k as usize),
                _ => Some(s),
            },
            None => self.rest.get(j - self.shared.len()),
        }
    }

    fn at_mut(&mut self, i: usize) -> Option<&mut Slot> {
        if i < self.len() {
            Some(self.at_in_range(i))
        } else {
            None
        }
    }

    /// The private copy of prefix slot `i < base.len()`, made on first write.
    #[cold]
    fn patch(&mut self, i: usize) -> &mut Slot {
        let k = match self.patched.iter().position(|(j, _)| *j as usize == i) {
            Some(k) => k,
            None => {
                self.patched.push((i as u32, self.base[i].clone()));
                self.patched.len() - 1
            }
        };
        &mut self.patched[k].1
    }

    /// This copy's private version of shared slot `j < shared.len()`, made on first write.
    #[inline]
    fn own_slot(&mut self, j: usize) -> &mut Slot {
        let k = match self.own_ix.get(j) {
            Some(&k) if k != NOT_OWN => k as usize,
            _ => self.make_own(j),
        };
        &mut self.own[k]
    }

    /// Copies shared slot `j` into `own`; returns its index there.
    #[cold]
    fn make_own(&mut self, j: usize) -> usize {
        if self.own_ix.is_empty() {
            self.own_ix = vec![NOT_OWN; self.shared.len()];
        }
        self.own.push(self.shared[j].clone());
        let k = self.own.len() - 1;
        self.own_ix[j] = k as u32;
        k
    }

    #[inline]
    fn sentinel(&self) -> &Slot {
        self.at(0).unwrap_or(&self.base[0])
    }

    /// Every slot with its handle index (index 0 is the NULL sentinel).
    pub fn iter(&self) -> impl Iterator<Item = (usize, &Slot)> {
        (0..self.len()).filter_map(move |i| self.at(i).map(|s| (i, s)))
    }

    /// Makes room for `n` more objects without growing the arena.
    pub fn reserve(&mut self, n: usize) {
        self.rest.reserve(n);
    }

    /// Allocates a new object with reference count 1.
    pub fn alloc(&mut self, ty: Obj, data: ObjData) -> Obj {
        let h = Obj(self.len() as u32);
        self.rest.push(Slot {
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
        if let Some(s) = self.rest.last_mut() {
            s.immortal = true;
        }
        h
    }

    /// Number of slots ever allocated (handles are `1..len`).
    #[inline]
    pub fn len(&self) -> usize {
        self.base.len() + self.shared.len() + self.rest.len()
    }

    /// `true` when only the NULL sentinel exists.
    pub fn is_empty(&self) -> bool {
        self.len() <= 1
    }

    /// The slot of a handle, without any check (for inspection: snapshots, tests).
    #[inline]
    pub fn slot(&self, o: Obj) -> Option<&Slot> {
        if o.is_null() {
            None
        } else {
            self.at(o.0 as usize)
        }
    }

    /// Checked access for API code: NULL, out-of-range and freed handles are violations.
    /// Returns the NULL sentinel's slot (data `None`) for NULL/out-of-range handles.
    pub fn get(&mut self, o: Obj, what: &'static str) -> &Slot {
        let i = o.0 as usize;
        if o.is_null() {
            self.violations.push(Violation::NullDeref(what));
            return self.sentinel();
        }
        let freed = match self.at(i) {
            None => {
                self.violations.push(Violation::BadHandle(o));
                return self.sentinel();
            }
            Some(s) => s.freed,
        };
        if freed {
            self.violations.push(Violation::UseAfterFree(o));
        }
        self.at(i).unwrap_or(&self.base[0])
    }

    /// Checked mutable access (see [`Heap::get`]). NULL and bad handles get a scratch slot whose
    /// writes are discarded.
    pub fn get_mut(&mut self, o: Obj, what: &'static str) -> &mut Slot {
        let i = o.0 as usize;
        if o.is_null() || i >= self.len() {
            self.violations.push(if o.is_null() {
                Violation::NullDeref(what)
            } else {
                Violation::BadHandle(o)
            });
            return self.scratch();
        }
        if self.at(i).is_some_and(|s| s.freed) {
            self.violations.push(Violation::UseAfterFree(o));
        }
        self.at_in_range(i)
    }

    /// Mutable slot `i`; the caller checked `i < self.len()`.
    #[inline]
    fn at_in_range(&mut self, i: usize) -> &mut Slot {
        self.touch(i);
        let b = self.base.len();
        if i < b {
            return self.patch(i);
        }
        let j = i - b;
        let s = self.shared.len();
        if j < s {
            self.own_slot(j)
        } else {
            &mut self.rest[j - s]
        }
    }

    fn scratch(&mut self) -> &mut Slot {
        // The sentinel is immortal and its data is reset on every use, so a stray write through
        // a NULL handle cannot leak into later reads.
        let s = self.patch(0);
        s.data = ObjData::None;
        s.immortal = true;
        s
    }

    /// Unchecked read of the data (for handles the runtime itself just validated).
    #[inline]
    pub fn data(&self, o: Obj) -> &ObjData {
        &self
            .at(o.0 as usize)
            .unwrap_or_else(|| self.sentinel())
            .data
    }

    /// Unchecked mutable data access (see [`Heap::data`]).
    pub fn data_mut(&mut self, o: Obj) -> &mut ObjData {
        let i = o.0 as usize;
        if i == 0 || i >= self.len() {
            return &mut self.scratch().data;
        }
        &mut self.at_in_range(i).data
    }

    /// `ob_type`, unchecked.
    #[inline]
    pub fn ty(&self, o: Obj) -> Obj {
        self.at(o.0 as usize).map_or(Obj::NULL, |s| s.ty)
    }

    /// `_Py_IsImmortal`.
    #[inline]
    pub fn is_immortal(&self, o: Obj) -> bool {
        self.at(o.0 as usize).is_some_and(|s| s.immortal)
    }

    /// `Py_INCREF`.
    pub fn incref(&mut self, o: Obj) {
        // the common cases with one lookup: an immortal, or a live object (what `get_mut`
        // would find with no violation to record)
        let i = o.0 as usize;
        if !o.is_null() {
            match self.at(i) {
                Some(s) if s.immortal => return,
                Some(s) if !s.freed => {
                    self.at_in_range(i).rc += 1;
                    return;
                }
                _ => {}
            }
        }
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
        // Most decrefs free nothing, and most frees release no other object: no work list (an
        // allocation) for those.
        let i = o.0 as usize;
        if let Some(s) = self.at(i).filter(|_| !o.is_null()) {
            if s.immortal {
                return;
            }
            if !s.freed && (s.rc > 1 || (s.rc == 1 && s.data.owns_nothing())) {
                let s = self.at_in_range(i);
                s.rc -= 1;
                s.freed = s.rc == 0;
                return;
            }
        }
        let mut work = vec![o];
        let mut kids = Vec::new();
        while let Some(o) = work.pop() {
            let i = o.0 as usize;
            if o.is_null() || i >= self.len() {
                self.violations.push(if o.is_null() {
                    Violation::NullDeref("Py_DECREF")
                } else {
                    Violation::BadHandle(o)
                });
                continue;
            }
            if self.is_immortal(o) {
                continue;
            }
            let Some(s) = self.at_mut(i) else { continue };
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
    #[inline]
    pub fn is_live(&self, o: Obj) -> bool {
        !o.is_null() && self.at(o.0 as usize).is_some_and(|s| !s.freed)
    }
}
