//! Copyable handles into the model: objects, frames, the thread state and code-unit pointers.
//!
//! Handles are plain indices so that a whole `Vm` can be cloned with a few `memcpy`s and so that
//! two executions starting from the same state allocate the same handles in the same order.

/// A `PyObject *`: an index into the heap. Index 0 is `NULL`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Obj(pub u32);

impl Obj {
    /// The C `NULL` object pointer.
    pub const NULL: Obj = Obj(0);

    /// `true` for the `NULL` pointer.
    pub fn is_null(self) -> bool {
        self.0 == 0
    }
}

/// A `_PyInterpreterFrame *`: an index into the frame stack of the `Vm` (`u32::MAX` is `NULL`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FrameId(pub u32);

impl FrameId {
    /// The C `NULL` frame pointer.
    pub const NULL: FrameId = FrameId(u32::MAX);

    /// `true` for the `NULL` pointer.
    pub fn is_null(self) -> bool {
        self.0 == u32::MAX
    }
}

/// A `PyThreadState *`. The model has exactly one thread state; the handle exists so that the
/// C signatures that take `tstate` keep their arity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct TState;

/// A `_Py_CODEUNIT *`: a code unit of the bytecode of a code object.
///
/// `this_instr`, `next_instr` and the inline-cache pointers are all of this type; pointer
/// arithmetic (`this_instr + 1`, `next_instr[-1]`) is [`CodePtr::offset`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CodePtr {
    /// The code object whose `co_code_adaptive` this points into (`NULL` for a `NULL` pointer).
    pub code: Obj,
    /// Index of the code unit (may be one past the end, as in C).
    pub index: i64,
}

impl CodePtr {
    /// The C `NULL` code-unit pointer.
    pub const NULL: CodePtr = CodePtr {
        code: Obj::NULL,
        index: 0,
    };

    /// C pointer arithmetic: `ptr + n`.
    pub fn offset(self, n: i64) -> CodePtr {
        CodePtr {
            code: self.code,
            index: self.index.wrapping_add(n),
        }
    }

    /// C pointer subtraction: `self - base`, in code units.
    pub fn distance(self, base: CodePtr) -> i64 {
        self.index.wrapping_sub(base.index)
    }
}

/// A `PyDictKeysObject *`. Every modelled dict owns its keys table, so the dict handle names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeysRef(pub Obj);

/// A C destructor passed to `PyStackRef_CLOSE_SPECIALIZED` / `Py_DECREF_SPECIALIZED`.
///
/// The model frees every object the same way; the value is kept so that a wrong destructor for
/// the object's type is reported as a violation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Destructor {
    /// `_PyLong_ExactDealloc`
    LongExact,
    /// `_PyFloat_ExactDealloc`
    FloatExact,
    /// `_PyUnicode_ExactDealloc`
    UnicodeExact,
    /// `PyObject_Free` and any other generic deallocator
    Generic,
}

/// A `PyDictUnicodeEntry *` / `PyDictKeyEntry *`: entry `index` of a dict's keys table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EntryPtr {
    /// the dict owning the keys table
    pub dict: Obj,
    /// entry index (may be out of range, as a C pointer may)
    pub index: i64,
}

impl EntryPtr {
    /// C pointer arithmetic: `entries + n` (also `&entries[n]`).
    pub fn offset(self, n: i64) -> EntryPtr {
        EntryPtr {
            dict: self.dict,
            index: self.index.wrapping_add(n),
        }
    }
}
