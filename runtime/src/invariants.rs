//! Reference-count bookkeeping check: every live mortal object's count equals the number of
//! owning references to it (from other objects, frames, the thread state and harness roots).

use crate::handles::Obj;
use crate::vm::Vm;

/// One object whose count disagrees with the references that own it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefcountError {
    /// the object
    pub obj: Obj,
    /// its `ob_refcnt`
    pub rc: i64,
    /// owning references found
    pub owners: i64,
}

impl std::fmt::Display for RefcountError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "#{}: refcount {} but {} owning references",
            self.obj.0, self.rc, self.owners
        )
    }
}

impl Vm {
    /// Counts owning references and compares them with every live mortal object's count.
    /// An object with more count than owners is leaked; with fewer, it will be freed too early.
    pub fn refcount_errors(&self) -> Vec<RefcountError> {
        let n = self.heap.len();
        let mut owners = vec![0i64; n];
        let mut add = |o: Obj| {
            if !o.is_null() && (o.0 as usize) < n {
                owners[o.0 as usize] += 1;
            }
        };
        let mut kids = Vec::new();
        for (_, s) in self.heap.iter().skip(1) {
            if !s.freed {
                kids.clear();
                s.data.children(&mut kids);
                kids.iter().for_each(|k| add(*k));
            }
        }
        for f in &self.frames {
            for r in f.live() {
                if !r.is_null() && !r.is_tagged_int() && r.refcount_on_object() {
                    add(r.obj());
                }
            }
            add(f.code);
            add(f.func);
            add(f.locals);
        }
        add(self.ts.current_exception);
        for x in &self.ts.exc_info {
            add(x.exc_value);
        }
        self.roots.iter().for_each(|r| add(*r));
        let mut errs = Vec::new();
        for (i, s) in self.heap.iter().skip(1) {
            if !s.immortal && !s.freed && s.rc != owners[i] {
                errs.push(RefcountError {
                    obj: Obj(i as u32),
                    rc: s.rc,
                    owners: owners[i],
                });
            }
        }
        errs
    }
}
