//! `_PyStackRef`, bit-compatible with CPython 3.14's default (GIL) build.
//!
//! The bits are `handle << 2 | tag`: tag `1` (`Py_TAG_REFCNT`) means the reference does not own a
//! count on the object (immortals, borrows), tag `3` is a tagged int, tag `0` owns a count.
//! `NULL` is the bit pattern `1`, exactly as in CPython, so `PyStackRef_IsNull`,
//! `PyStackRef_Is` and `PyStackRef_IsNone` behave the same way on the same references.

use crate::handles::Obj;

/// `_PyStackRef`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct StackRef {
    /// the raw bits (see the module documentation)
    pub bits: u64,
}

/// `Py_TAG_REFCNT`
pub const TAG_REFCNT: u64 = 1;
/// `Py_INT_TAG`
pub const INT_TAG: u64 = 3;
/// `Py_TAG_BITS`
pub const TAG_BITS: u64 = 3;

impl StackRef {
    /// `PyStackRef_NULL`
    pub const NULL: StackRef = StackRef { bits: TAG_REFCNT };

    /// A reference that owns a count on `o` (tag 0).
    pub fn owned(o: Obj) -> StackRef {
        StackRef {
            bits: (o.0 as u64) << 2,
        }
    }

    /// A reference that does not own a count on `o` (`Py_TAG_REFCNT`).
    pub fn deferred(o: Obj) -> StackRef {
        StackRef {
            bits: ((o.0 as u64) << 2) | TAG_REFCNT,
        }
    }

    /// `PyStackRef_TagInt`: ints are stored shifted by two bits, as in CPython.
    pub fn tag_int(i: i64) -> StackRef {
        StackRef {
            bits: ((i as u64) << 2) | INT_TAG,
        }
    }

    /// `PyStackRef_IsNull`
    pub fn is_null(self) -> bool {
        self.bits == TAG_REFCNT
    }

    /// `PyStackRef_IsTaggedInt`
    pub fn is_tagged_int(self) -> bool {
        self.bits & INT_TAG == INT_TAG
    }

    /// `PyStackRef_UntagInt` (arithmetic shift)
    pub fn untag_int(self) -> i64 {
        (self.bits as i64) >> 2
    }

    /// `PyStackRef_RefcountOnObject`: the reference owns a count on its object.
    pub fn refcount_on_object(self) -> bool {
        self.bits & TAG_REFCNT == 0
    }

    /// `PyStackRef_AsPyObjectBorrow`: the object (NULL for NULL; a tagged int has no object).
    pub fn obj(self) -> Obj {
        if self.is_tagged_int() {
            Obj::NULL
        } else {
            Obj((self.bits >> 2) as u32)
        }
    }

    /// `PyStackRef_Is`: same object, ignoring the ownership tag.
    pub fn same(self, other: StackRef) -> bool {
        (self.bits & !TAG_REFCNT) == (other.bits & !TAG_REFCNT)
    }
}

impl std::fmt::Debug for StackRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_null() {
            write!(f, "StackRef(NULL)")
        } else if self.is_tagged_int() {
            write!(f, "StackRef(int {})", self.untag_int())
        } else if self.refcount_on_object() {
            write!(f, "StackRef(#{})", self.obj().0)
        } else {
            write!(f, "StackRef(#{} borrowed)", self.obj().0)
        }
    }
}

impl Default for StackRef {
    fn default() -> Self {
        StackRef::NULL
    }
}

impl StackRef {
    /// `PyStackRef_None`
    pub const NONE: StackRef = StackRef {
        bits: ((crate::well_known::NONE.0 as u64) << 2) | TAG_REFCNT,
    };
    /// `PyStackRef_True`
    pub const TRUE: StackRef = StackRef {
        bits: ((crate::well_known::TRUE.0 as u64) << 2) | TAG_REFCNT,
    };
    /// `PyStackRef_False`
    pub const FALSE: StackRef = StackRef {
        bits: ((crate::well_known::FALSE.0 as u64) << 2) | TAG_REFCNT,
    };
}
