//! C values as the reference interpreter sees them, and C's conversions between them.
//!
//! Integers carry their C type so that every operator can apply C's rules exactly: values are
//! held in an `i128` (wide enough for every 64-bit type, signed or not) and wrapped to the type
//! after each conversion. Undefined behaviour is never guessed: it becomes [`Skip`].

use runtime::{IntTy, Obj, Value};
use subset::{CType, IntRank};

/// A run the reference cannot complete faithfully: counted as skipped, with a reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}{}", if detail.is_empty() { String::new() } else { format!(": {detail}") })]
pub struct Skip {
    /// A stable category (the skip table groups by it).
    pub reason: &'static str,
    /// Details for the reproducer.
    pub detail: String,
}

impl Skip {
    /// A skip with a category and details.
    pub fn new(reason: &'static str, detail: impl Into<String>) -> Skip {
        Skip {
            reason,
            detail: detail.into(),
        }
    }
}

/// A C integer type: width, signedness, and whether it is `_Bool` (conversion to `_Bool` is
/// "compare with 0", not truncation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IntT {
    /// width in bits
    pub bits: u8,
    /// signed?
    pub signed: bool,
    /// `_Bool` / `bool`
    pub boolean: bool,
}

impl IntT {
    /// `int`
    pub const INT: IntT = IntT {
        bits: 32,
        signed: true,
        boolean: false,
    };
    /// `long` (LP64)
    pub const LONG: IntT = IntT {
        bits: 64,
        signed: true,
        boolean: false,
    };
    /// `unsigned int`
    pub const UINT: IntT = IntT {
        bits: 32,
        signed: false,
        boolean: false,
    };

    /// The type of a checker integer type.
    pub fn of(t: &subset::IntType) -> IntT {
        IntT {
            bits: t.bits() as u8,
            signed: t.signed && t.rank != IntRank::Bool,
            boolean: t.rank == IntRank::Bool,
        }
    }

    /// The runtime's view of the type (for registry arguments).
    pub fn rt(self) -> IntTy {
        if self.boolean {
            IntTy::BOOL
        } else {
            IntTy {
                bits: self.bits,
                signed: self.signed,
            }
        }
    }

    /// The type of a runtime integer (a registry result whose C type is unknown here).
    pub fn from_rt(t: IntTy) -> IntT {
        IntT {
            bits: t.bits,
            signed: t.signed,
            boolean: false,
        }
    }

    /// C's conversion of an integer value to this type (C11 6.3.1.2, 6.3.1.3; the
    /// implementation-defined signed case wraps, as on every platform CPython supports).
    pub fn convert(self, v: i128) -> i128 {
        if self.boolean {
            return (v != 0) as i128;
        }
        let bits = self.bits as u32;
        let m = v & ((1i128 << bits) - 1);
        if self.signed && m >= 1i128 << (bits - 1) {
            m - (1i128 << bits)
        } else {
            m
        }
    }

    /// `true` if `v` is representable (no wrap needed).
    pub fn contains(self, v: i128) -> bool {
        self.convert(v) == v
    }

    /// Integer promotion (C11 6.3.1.1): everything narrower than `int` becomes `int`.
    pub fn promote(self) -> IntT {
        if self.bits < 32 || self.boolean {
            IntT::INT
        } else {
            self
        }
    }
}

/// How a value is converted when stored into / passed as a given C type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// an integer type
    Int(IntT),
    /// `double` / `float` (the model has only doubles)
    Float,
    /// `PyObject *` and the other object pointers (`NULL` becomes the null handle)
    Obj,
    /// any other pointer or struct type: no conversion
    Other,
    /// `void`
    Void,
}

impl Ty {
    /// The conversion class of a checker type.
    pub fn of(t: &CType, is_obj_ptr: &dyn Fn(&CType) -> bool) -> Ty {
        match t {
            CType::Int(i) => Ty::Int(IntT::of(i)),
            CType::Float(_) => Ty::Float,
            CType::Void => Ty::Void,
            t if is_obj_ptr(t) => Ty::Obj,
            _ => Ty::Other,
        }
    }
}

/// A value of the running body.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CVal {
    /// a local declared without initializer and not yet assigned
    Uninit,
    /// the result of a `void` call
    Void,
    /// an integer of a C type (already converted to it)
    Int(i128, IntT),
    /// a double
    Float(f64),
    /// any runtime value that is not a number (`PyObject *`, `_PyStackRef`, frames, ...)
    Rt(Value),
    /// a pointer into the current frame's `localsplus` (a stack array item `values[oparg]`):
    /// first slot and length
    StackArr(usize, usize),
    /// an array of `PyObject *` converted from stack slots (`STACKREFS_TO_PYOBJECTS`): the
    /// first slot and the element count; element `i` is slot `first + i` borrowed
    ObjArr(usize, usize),
}

impl CVal {
    /// C's truth test of a scalar (`if (x)`, `!x`, `&&`).
    pub fn truthy(self) -> Result<bool, Skip> {
        Ok(match self {
            CVal::Int(v, _) => v != 0,
            CVal::Float(f) => f != 0.0,
            CVal::Rt(v) => match v {
                Value::Obj(o) => !o.is_null(),
                Value::Frame(f) => !f.is_null(),
                Value::Code(p) => !p.code.is_null(),
                Value::Keys(k) => !k.0.is_null(),
                Value::Entry(e) => !e.dict.is_null(),
                Value::CStr(s) => s != runtime::CStr::Null,
                Value::TState(_) | Value::Destructor(_) | Value::Slots(_) => true,
                Value::Int(i, _) => i != 0,
                Value::Float(f) => f != 0.0,
                Value::StackRef(_) | Value::Void => {
                    return Err(Skip::new("non-scalar condition", format!("{v:?}")))
                }
            },
            CVal::StackArr(..) | CVal::ObjArr(..) => true,
            CVal::Uninit => return Err(Skip::new("read of an uninitialized variable", "")),
            CVal::Void => return Err(Skip::new("void value used", "")),
        })
    }

    /// Identity of a pointer value, for `==`/`!=` between pointers (`NULL` is `(0, 0, 0)`).
    pub fn ptr_key(self) -> Result<(u8, i64, i64), Skip> {
        Ok(match self {
            CVal::Int(0, _) => (0, 0, 0),
            CVal::Rt(v) => match v {
                Value::Obj(o) if o.is_null() => (0, 0, 0),
                Value::Obj(o) => (1, o.0 as i64, 0),
                Value::Frame(f) if f.is_null() => (0, 0, 0),
                Value::Frame(f) => (2, f.0 as i64, 0),
                Value::Code(p) if p.code.is_null() => (0, 0, 0),
                Value::Code(p) => (3, p.code.0 as i64, p.index),
                Value::Keys(k) if k.0.is_null() => (0, 0, 0),
                Value::Keys(k) => (4, k.0 .0 as i64, 0),
                Value::Entry(e) if e.dict.is_null() => (0, 0, 0),
                Value::Entry(e) => (5, e.dict.0 as i64, e.index),
                Value::TState(_) => (6, 0, 0),
                Value::CStr(runtime::CStr::Null) => (0, 0, 0),
                Value::Int(0, _) => (0, 0, 0),
                other => return Err(Skip::new("pointer comparison", format!("{other:?}"))),
            },
            CVal::StackArr(i, _) => (7, i as i64, 0),
            CVal::ObjArr(i, _) => (8, i as i64, 0),
            CVal::Uninit => return Err(Skip::new("read of an uninitialized variable", "")),
            other => return Err(Skip::new("pointer comparison", format!("{other:?}"))),
        })
    }

    /// Converts to a C type, as an assignment, initialization, argument or cast does.
    pub fn convert(self, to: Ty) -> Result<CVal, Skip> {
        Ok(match (to, self) {
            (_, CVal::Uninit) => return Err(Skip::new("read of an uninitialized variable", "")),
            (Ty::Int(t), CVal::Int(v, _)) => CVal::Int(t.convert(v), t),
            (Ty::Int(t), CVal::Rt(Value::Int(v, _))) => CVal::Int(t.convert(v), t),
            (Ty::Int(t), CVal::Float(f)) => {
                if t.boolean {
                    return Ok(CVal::Int((f != 0.0) as i128, t));
                }
                // C11 6.3.1.4: the truncated value must be representable, else UB.
                let tr = f.trunc();
                if !tr.is_finite() || tr.abs() > 1e38 || !t.contains(tr as i128) {
                    return Err(Skip::new(
                        "float to integer out of range (UB)",
                        format!("{f}"),
                    ));
                }
                CVal::Int(tr as i128, t)
            }
            (Ty::Int(t), v) if t.boolean => CVal::Int(v.truthy()? as i128, t),
            (Ty::Int(_), v) => {
                return Err(Skip::new("pointer to integer conversion", format!("{v:?}")))
            }
            (Ty::Float, CVal::Int(v, _)) => CVal::Float(v as f64),
            (Ty::Float, CVal::Float(f)) => CVal::Float(f),
            (Ty::Float, CVal::Rt(Value::Float(f))) => CVal::Float(f),
            (Ty::Float, v) => return Err(Skip::new("conversion to double", format!("{v:?}"))),
            (Ty::Obj, CVal::Int(0, _)) => CVal::Rt(Value::Obj(Obj::NULL)),
            (Ty::Void, _) => CVal::Void,
            (_, v) => v,
        })
    }

    /// The value as a registry argument.
    pub fn to_value(self) -> Result<Value, Skip> {
        Ok(match self {
            CVal::Int(v, t) => Value::Int(v, t.rt()),
            CVal::Float(f) => Value::Float(f),
            CVal::Rt(v) => v,
            CVal::Void => Value::Void,
            // An array argument (`const _PyStackRef *src`): the registry reads the slots.
            CVal::StackArr(start, len) => Value::Slots(runtime::Slots {
                start: start as u32,
                len: len as u32,
            }),
            // An object array argument (`PyObject *const *args`): the registry borrows each
            // slot's object, as the conversion did.
            CVal::ObjArr(start, len) => Value::Slots(runtime::Slots {
                start: start as u32,
                len: len as u32,
            }),
            CVal::Uninit => return Err(Skip::new("read of an uninitialized variable", "")),
        })
    }

    /// A registry result (or out-parameter) as a value of C type `ty`.
    pub fn from_value(v: Value, ty: Ty) -> CVal {
        match (v, ty) {
            (Value::Int(i, _), Ty::Int(t)) => CVal::Int(t.convert(i), t),
            (Value::Int(i, rt), _) => CVal::Int(i, IntT::from_rt(rt)),
            (Value::Float(f), _) => CVal::Float(f),
            (Value::Void, _) => CVal::Void,
            (v, _) => CVal::Rt(v),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const U16: IntT = IntT {
        bits: 16,
        signed: false,
        boolean: false,
    };
    const I8: IntT = IntT {
        bits: 8,
        signed: true,
        boolean: false,
    };
    const BOOL: IntT = IntT {
        bits: 8,
        signed: false,
        boolean: true,
    };

    #[test]
    fn conversions_wrap_like_c() {
        assert_eq!(U16.convert(-1), 65535);
        assert_eq!(U16.convert(65536 + 7), 7);
        assert_eq!(I8.convert(200), -56);
        assert_eq!(IntT::UINT.convert(-1), 4294967295);
        assert_eq!(
            BOOL.convert(256),
            1,
            "_Bool is a comparison with 0, not a truncation"
        );
        assert_eq!(BOOL.convert(0), 0);
        assert_eq!(U16.promote(), IntT::INT);
        assert_eq!(IntT::UINT.promote(), IntT::UINT);
    }

    #[test]
    fn float_to_int_out_of_range_is_skipped_not_guessed() {
        assert_eq!(
            CVal::Float(3.9).convert(Ty::Int(IntT::INT)),
            Ok(CVal::Int(3, IntT::INT))
        );
        assert_eq!(
            CVal::Float(-3.9).convert(Ty::Int(IntT::INT)),
            Ok(CVal::Int(-3, IntT::INT))
        );
        assert!(CVal::Float(1e20).convert(Ty::Int(IntT::INT)).is_err());
        assert!(CVal::Float(f64::NAN).convert(Ty::Int(IntT::LONG)).is_err());
    }
}
