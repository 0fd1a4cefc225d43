//! Dynamic C values for the by-name registry (the reference interpreter's view of the API).

use crate::handles::{CodePtr, Destructor, EntryPtr, FrameId, KeysRef, Obj, TState};
use crate::stackref::StackRef;

/// A C integer type: width and signedness.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IntTy {
    /// width in bits (8, 16, 32, 64)
    pub bits: u8,
    /// signed?
    pub signed: bool,
}

impl IntTy {
    /// `int`
    pub const INT: IntTy = IntTy {
        bits: 32,
        signed: true,
    };
    /// `Py_ssize_t` / `intptr_t` / `long` (LP64)
    pub const SSIZE: IntTy = IntTy {
        bits: 64,
        signed: true,
    };
    /// `size_t` / `uintptr_t` / `uint64_t`
    pub const SIZE: IntTy = IntTy {
        bits: 64,
        signed: false,
    };
    /// `uint32_t` / `unsigned int`
    pub const U32: IntTy = IntTy {
        bits: 32,
        signed: false,
    };
    /// `uint16_t`
    pub const U16: IntTy = IntTy {
        bits: 16,
        signed: false,
    };
    /// `uint8_t` / `unsigned char`
    pub const U8: IntTy = IntTy {
        bits: 8,
        signed: false,
    };
    /// `char`, `int8_t`
    pub const I8: IntTy = IntTy {
        bits: 8,
        signed: true,
    };
    /// `int16_t`
    pub const I16: IntTy = IntTy {
        bits: 16,
        signed: true,
    };
    /// C `bool` (`_Bool`): one unsigned bit, stored as 8
    pub const BOOL: IntTy = IntTy {
        bits: 8,
        signed: false,
    };

    /// Wraps `v` to this type, as a C conversion does.
    pub fn wrap(self, v: i128) -> i128 {
        let bits = self.bits as u32;
        let m = v & ((1i128 << bits) - 1);
        if self.signed && m >= 1i128 << (bits - 1) {
            m - (1i128 << bits)
        } else {
            m
        }
    }
}

/// A dynamically typed C value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    /// the result of a `void` function
    Void,
    /// an integer with its C type (the value is already wrapped to the type)
    Int(i128, IntTy),
    /// `double`
    Float(f64),
    /// `PyObject *` and every object-pointer type (`PyLongObject *`, `PyTypeObject *`, ...)
    Obj(Obj),
    /// `_PyStackRef`
    StackRef(StackRef),
    /// `_PyInterpreterFrame *`
    Frame(FrameId),
    /// `PyThreadState *`
    TState(TState),
    /// `_Py_CODEUNIT *`
    Code(CodePtr),
    /// `PyDictKeysObject *`
    Keys(KeysRef),
    /// `PyDictUnicodeEntry *` / `PyDictKeyEntry *`
    Entry(EntryPtr),
    /// `destructor`
    Destructor(Destructor),
    /// `const char *`
    CStr(CStr),
    /// `const _PyStackRef *` / `PyObject *const *` array argument: slots of the current frame
    Slots(Slots),
}

/// An array argument (`const _PyStackRef *args` with its count passed separately): `len` slots
/// of the current frame's `localsplus` from `start` on. The reference interpreter passes a stack
/// array item (`values[oparg]`) this way; the registry wrapper reads the slots and gives the
/// Rust function a slice, which is what generated code passes directly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Slots {
    /// absolute index of the first slot in `localsplus`
    pub start: u32,
    /// number of slots
    pub len: u32,
}

impl Value {
    /// An `int` value.
    pub fn int(v: i64) -> Value {
        Value::Int(v as i128, IntTy::INT)
    }

    /// A short name of the variant, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Void => "void",
            Value::Int(..) => "integer",
            Value::Float(_) => "double",
            Value::Obj(_) => "object pointer",
            Value::StackRef(_) => "_PyStackRef",
            Value::Frame(_) => "_PyInterpreterFrame *",
            Value::TState(_) => "PyThreadState *",
            Value::Code(_) => "_Py_CODEUNIT *",
            Value::Keys(_) => "PyDictKeysObject *",
            Value::Entry(_) => "PyDictUnicodeEntry *",
            Value::Destructor(_) => "destructor",
            Value::CStr(_) => "const char *",
            Value::Slots(_) => "array",
        }
    }
}

/// A registry call that cannot be made: the reference interpreter passed the wrong values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// wrong number of arguments
    #[error("{name}: expected {expected} arguments, got {got}")]
    Arity {
        /// C name
        name: &'static str,
        /// expected count (minimum for variadic functions)
        expected: usize,
        /// given count
        got: usize,
    },
    /// an argument of the wrong kind
    #[error("argument {index}: expected {expected}, got {got}")]
    Type {
        /// 0-based argument index
        index: usize,
        /// expected kind
        expected: &'static str,
        /// given kind
        got: &'static str,
    },
}

/// Conversion of a registry argument to the Rust parameter type.
pub trait FromValue: Sized {
    /// Converts, or reports the expected kind.
    fn from_value(v: Value) -> Result<Self, &'static str>;
}

/// Conversion of a Rust result back to a registry value.
pub trait IntoValue {
    /// Converts.
    fn into_value(self) -> Value;
}

macro_rules! int_value {
    ($($t:ty => $ity:expr),*) => {$(
        impl FromValue for $t {
            fn from_value(v: Value) -> Result<Self, &'static str> {
                match v {
                    Value::Int(i, _) => Ok(i as $t),
                    _ => Err(stringify!($t)),
                }
            }
        }
        impl IntoValue for $t {
            fn into_value(self) -> Value {
                Value::Int(self as i128, $ity)
            }
        }
    )*};
}

int_value!(i32 => IntTy::INT, i64 => IntTy::SSIZE, u64 => IntTy::SIZE, u32 => IntTy::U32,
    u16 => IntTy::U16, u8 => IntTy::U8, i8 => IntTy::I8, i16 => IntTy::I16);

impl FromValue for bool {
    fn from_value(v: Value) -> Result<Self, &'static str> {
        match v {
            Value::Int(i, _) => Ok(i != 0),
            _ => Err("bool"),
        }
    }
}

impl IntoValue for bool {
    fn into_value(self) -> Value {
        Value::Int(self as i128, IntTy::BOOL)
    }
}

impl FromValue for f64 {
    fn from_value(v: Value) -> Result<Self, &'static str> {
        match v {
            Value::Float(f) => Ok(f),
            Value::Int(i, _) => Ok(i as f64),
            _ => Err("double"),
        }
    }
}

impl IntoValue for f64 {
    fn into_value(self) -> Value {
        Value::Float(self)
    }
}

impl IntoValue for () {
    fn into_value(self) -> Value {
        Value::Void
    }
}

macro_rules! ptr_value {
    ($($t:ty, $variant:ident, $null:expr, $name:literal;)*) => {$(
        impl FromValue for $t {
            fn from_value(v: Value) -> Result<Self, &'static str> {
                match v {
                    Value::$variant(x) => Ok(x),
                    Value::Int(0, _) => Ok($null),
                    _ => Err($name),
                }
            }
        }
        impl IntoValue for $t {
            fn into_value(self) -> Value {
                Value::$variant(self)
            }
        }
    )*};
}

ptr_value! {
    Obj, Obj, Obj::NULL, "object pointer";
    FrameId, Frame, FrameId::NULL, "_PyInterpreterFrame *";
    CodePtr, Code, CodePtr::NULL, "_Py_CODEUNIT *";
    KeysRef, Keys, KeysRef(Obj::NULL), "PyDictKeysObject *";
    TState, TState, TState, "PyThreadState *";
    EntryPtr, Entry, EntryPtr { dict: Obj::NULL, index: 0 }, "PyDictUnicodeEntry *";
}

impl FromValue for StackRef {
    fn from_value(v: Value) -> Result<Self, &'static str> {
        match v {
            Value::StackRef(s) => Ok(s),
            _ => Err("_PyStackRef"),
        }
    }
}

impl IntoValue for StackRef {
    fn into_value(self) -> Value {
        Value::StackRef(self)
    }
}

impl FromValue for Destructor {
    fn from_value(v: Value) -> Result<Self, &'static str> {
        match v {
            Value::Destructor(d) => Ok(d),
            _ => Err("destructor"),
        }
    }
}

impl IntoValue for Destructor {
    fn into_value(self) -> Value {
        Value::Destructor(self)
    }
}

impl FromValue for CStr {
    fn from_value(v: Value) -> Result<Self, &'static str> {
        match v {
            Value::CStr(s) => Ok(s),
            Value::Int(0, _) => Ok(CStr::Null),
            _ => Err("const char *"),
        }
    }
}

impl IntoValue for CStr {
    fn into_value(self) -> Value {
        Value::CStr(self)
    }
}

impl From<Obj> for Value {
    fn from(o: Obj) -> Value {
        Value::Obj(o)
    }
}

impl From<i32> for Value {
    fn from(v: i32) -> Value {
        Value::Int(v as i128, IntTy::INT)
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::Int(v as i128, IntTy::SSIZE)
    }
}

impl From<u32> for Value {
    fn from(v: u32) -> Value {
        Value::Int(v as i128, IntTy::U32)
    }
}

impl From<&'static str> for Value {
    fn from(v: &'static str) -> Value {
        Value::CStr(CStr::Lit(v))
    }
}

impl From<CStr> for Value {
    fn from(v: CStr) -> Value {
        Value::CStr(v)
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Value {
        Value::Int(v as i128, IntTy::BOOL)
    }
}

impl From<StackRef> for Value {
    fn from(v: StackRef) -> Value {
        Value::StackRef(v)
    }
}

/// A `const char *`: a string literal, or text owned by an object (`tp_name`,
/// `PyUnicode_AsUTF8`). Copyable, so `Value` stays `Copy`; resolve with [`crate::Vm::cstr`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CStr {
    /// `NULL`
    Null,
    /// a literal (the reference interpreter interns its literals to get `'static`)
    Lit(&'static str),
    /// `tp_name` of a type object
    TypeName(Obj),
    /// the UTF-8 text of a str object
    Utf8(Obj),
}

impl From<&'static str> for CStr {
    fn from(s: &'static str) -> CStr {
        CStr::Lit(s)
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Value {
        Value::Float(v)
    }
}
