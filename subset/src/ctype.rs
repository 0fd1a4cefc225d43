//! The C types bodies use, and the conversions C applies to them.
//!
//! lang-c gives no types, yet the lowering must reproduce C's arithmetic exactly (an
//! `uint16_t - uint16_t` is an `int` that may be negative; `-1 < u` compares as unsigned), so
//! the checker infers a [`CType`] for every expression with the rules here. The target is
//! CPython's own platform model: LP64 (x86-64/aarch64 Linux and macOS), plain `char` signed.

use std::fmt;

/// Integer conversion rank (C11 6.3.1.1). Two types of the same rank and signedness are the
/// same type for arithmetic even when spelled with different typedef names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IntRank {
    Bool,
    Char,
    Short,
    Int,
    Long,
    LongLong,
}

impl IntRank {
    /// Width in bits under LP64.
    pub fn bits(self) -> u32 {
        match self {
            IntRank::Bool | IntRank::Char => 8,
            IntRank::Short => 16,
            IntRank::Int => 32,
            IntRank::Long | IntRank::LongLong => 64,
        }
    }

    /// The rank of the standard type of that width; `long` for 64 bits because every 64-bit
    /// typedef CPython uses (`int64_t`, `Py_ssize_t`, `size_t`, `uintptr_t`) is `long` on LP64.
    pub fn for_bits(bits: u32) -> Option<IntRank> {
        match bits {
            8 => Some(IntRank::Char),
            16 => Some(IntRank::Short),
            32 => Some(IntRank::Int),
            64 => Some(IntRank::Long),
            _ => None,
        }
    }
}

/// An integer type: rank + signedness, plus the typedef name it was spelled with (kept so that
/// diagnostics and the Rust mapping can say `Py_ssize_t`/`isize` rather than `long`/`i64`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IntType {
    pub rank: IntRank,
    pub signed: bool,
    /// The typedef (or `char`) spelling, if any.
    pub alias: Option<String>,
}

impl IntType {
    pub const fn new(rank: IntRank, signed: bool) -> IntType {
        IntType {
            rank,
            signed,
            alias: None,
        }
    }

    pub fn aliased(rank: IntRank, signed: bool, alias: &str) -> IntType {
        IntType {
            rank,
            signed,
            alias: Some(alias.to_string()),
        }
    }

    pub fn bits(&self) -> u32 {
        self.rank.bits()
    }

    /// Same rank and signedness: the same type as far as C arithmetic is concerned.
    pub fn same_repr(&self, other: &IntType) -> bool {
        self.rank == other.rank && self.signed == other.signed
    }

    /// Smallest and largest value (as i128 so that every 64-bit type fits).
    pub fn range(&self) -> (i128, i128) {
        if self.rank == IntRank::Bool {
            return (0, 1);
        }
        let bits = self.bits();
        if self.signed {
            (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
        } else {
            (0, (1i128 << bits) - 1)
        }
    }

    /// The standard spelling, ignoring the alias.
    pub fn standard_name(&self) -> &'static str {
        match (self.rank, self.signed) {
            (IntRank::Bool, _) => "_Bool",
            (IntRank::Char, true) => "signed char",
            (IntRank::Char, false) => "unsigned char",
            (IntRank::Short, true) => "short",
            (IntRank::Short, false) => "unsigned short",
            (IntRank::Int, true) => "int",
            (IntRank::Int, false) => "unsigned int",
            (IntRank::Long, true) => "long",
            (IntRank::Long, false) => "unsigned long",
            (IntRank::LongLong, true) => "long long",
            (IntRank::LongLong, false) => "unsigned long long",
        }
    }

    /// The Rust primitive that holds exactly this type's values.
    pub fn rust_type(&self) -> &'static str {
        match self.alias.as_deref() {
            Some("size_t") | Some("uintptr_t") => return "usize",
            Some("Py_ssize_t") | Some("ssize_t") | Some("intptr_t") | Some("ptrdiff_t") => {
                return "isize"
            }
            _ => {}
        }
        match (self.rank, self.signed) {
            (IntRank::Bool, _) => "bool",
            (IntRank::Char, true) => "i8",
            (IntRank::Char, false) => "u8",
            (IntRank::Short, true) => "i16",
            (IntRank::Short, false) => "u16",
            (IntRank::Int, true) => "i32",
            (IntRank::Int, false) => "u32",
            (IntRank::Long | IntRank::LongLong, true) => "i64",
            (IntRank::Long | IntRank::LongLong, false) => "u64",
        }
    }
}

/// Floating types (`long double` is outside the subset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FloatKind {
    Float,
    Double,
}

/// A function type, as reached through a function pointer (bound tables such as
/// `_PyEval_BinaryOps`) or a binding's prototype.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FnType {
    pub ret: CType,
    pub params: Vec<CType>,
    pub variadic: bool,
}

/// The C type model. Qualifiers (`const`, `volatile`, `restrict`) are dropped: they never
/// change the value a body computes, and Rust expresses mutability differently anyway.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CType {
    Void,
    Int(IntType),
    Float(FloatKind),
    Pointer(Box<CType>),
    /// A struct/typedef name from the binding table that is not an arithmetic type: object
    /// structs (`PyObject`), `_PyStackRef`, opaque runtime structs (`_PyInterpreterFrame`).
    Named(String),
    /// `T[n]`; `None` for `T[]` completed by an initializer or of unknown length.
    Array(Box<CType>, Option<u64>),
    Function(Box<FnType>),
}

impl CType {
    pub const INT: CType = CType::Int(IntType::new(IntRank::Int, true));
    pub const UINT: CType = CType::Int(IntType::new(IntRank::Int, false));
    pub const LONG: CType = CType::Int(IntType::new(IntRank::Long, true));
    pub const ULONG: CType = CType::Int(IntType::new(IntRank::Long, false));
    pub const LONGLONG: CType = CType::Int(IntType::new(IntRank::LongLong, true));
    pub const ULONGLONG: CType = CType::Int(IntType::new(IntRank::LongLong, false));
    pub const BOOL: CType = CType::Int(IntType::new(IntRank::Bool, false));
    pub const DOUBLE: CType = CType::Float(FloatKind::Double);

    pub fn int(rank: IntRank, signed: bool) -> CType {
        CType::Int(IntType::new(rank, signed))
    }

    pub fn aliased_int(rank: IntRank, signed: bool, alias: &str) -> CType {
        CType::Int(IntType::aliased(rank, signed, alias))
    }

    pub fn named(name: &str) -> CType {
        CType::Named(name.to_string())
    }

    pub fn ptr(self) -> CType {
        CType::Pointer(Box::new(self))
    }

    /// The typedef-free integer types plus the fixed-width and CPython typedefs every table
    /// may use without declaring them.
    pub fn builtin(name: &str) -> Option<CType> {
        use IntRank::*;
        let (rank, signed) = match name {
            "bool" => return Some(CType::aliased_int(Bool, false, "bool")),
            "int8_t" => (Char, true),
            "uint8_t" => (Char, false),
            "int16_t" => (Short, true),
            "uint16_t" => (Short, false),
            "int32_t" => (Int, true),
            "uint32_t" => (Int, false),
            "int64_t" | "intptr_t" | "ssize_t" | "ptrdiff_t" | "Py_ssize_t" | "Py_hash_t" => {
                (Long, true)
            }
            "uint64_t" | "uintptr_t" | "size_t" | "Py_uhash_t" => (Long, false),
            _ => return None,
        };
        Some(CType::aliased_int(rank, signed, name))
    }

    /// Names accepted by [`CType::builtin`], for typedef preludes.
    pub const BUILTIN_NAMES: &'static [&'static str] = &[
        "bool",
        "int8_t",
        "uint8_t",
        "int16_t",
        "uint16_t",
        "int32_t",
        "uint32_t",
        "int64_t",
        "uint64_t",
        "intptr_t",
        "uintptr_t",
        "ssize_t",
        "ptrdiff_t",
        "size_t",
        "Py_ssize_t",
        "Py_hash_t",
        "Py_uhash_t",
    ];

    pub fn is_integer(&self) -> bool {
        matches!(self, CType::Int(_))
    }

    pub fn is_arithmetic(&self) -> bool {
        matches!(self, CType::Int(_) | CType::Float(_))
    }

    pub fn is_pointer(&self) -> bool {
        matches!(self, CType::Pointer(_))
    }

    /// Scalar: usable as a condition (`if (p)`, `!x`, `&&`).
    pub fn is_scalar(&self) -> bool {
        matches!(self, CType::Int(_) | CType::Float(_) | CType::Pointer(_))
    }

    pub fn pointee(&self) -> Option<&CType> {
        match self {
            CType::Pointer(t) => Some(t),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<&IntType> {
        match self {
            CType::Int(i) => Some(i),
            _ => None,
        }
    }

    /// `char *`, `signed char *`, `unsigned char *` (and `uint8_t *`, the same type): the
    /// pointers C code uses for byte-offset arithmetic.
    pub fn is_char_pointer(&self) -> bool {
        matches!(self.pointee(), Some(CType::Int(i)) if i.rank == IntRank::Char)
    }

    /// The type after array-to-pointer and function-to-pointer decay (C11 6.3.2.1).
    pub fn decay(&self) -> CType {
        match self {
            CType::Array(elem, _) => CType::Pointer(elem.clone()),
            CType::Function(_) => CType::Pointer(Box::new(self.clone())),
            other => other.clone(),
        }
    }

    /// Integer promotions (C11 6.3.1.1p2): every type of rank below `int` becomes `int`
    /// (all their values fit in `int` under LP64); other types are unchanged.
    pub fn promote(&self) -> CType {
        match self {
            CType::Int(i) if i.rank < IntRank::Int => CType::INT,
            other => other.clone(),
        }
    }

    /// Usual arithmetic conversions (C11 6.3.1.8): the common type both operands of a binary
    /// arithmetic or comparison operator are converted to. `None` when either is not arithmetic.
    pub fn usual_arithmetic(a: &CType, b: &CType) -> Option<CType> {
        match (a, b) {
            (CType::Float(x), CType::Float(y)) => Some(CType::Float(
                if *x == FloatKind::Double || *y == FloatKind::Double {
                    FloatKind::Double
                } else {
                    FloatKind::Float
                },
            )),
            (CType::Float(f), CType::Int(_)) | (CType::Int(_), CType::Float(f)) => {
                Some(CType::Float(*f))
            }
            (CType::Int(_), CType::Int(_)) => {
                let (CType::Int(x), CType::Int(y)) = (a.promote(), b.promote()) else {
                    return None;
                };
                Some(CType::Int(common_int(x, y)))
            }
            _ => None,
        }
    }

    /// The Rust spelling of arithmetic types; other types map through the binding table.
    pub fn rust_primitive(&self) -> Option<&'static str> {
        match self {
            CType::Int(i) => Some(i.rust_type()),
            CType::Float(FloatKind::Float) => Some("f32"),
            CType::Float(FloatKind::Double) => Some("f64"),
            CType::Void => Some("()"),
            _ => None,
        }
    }
}

fn common_int(x: IntType, y: IntType) -> IntType {
    if x.same_repr(&y) {
        // Same type: keep a typedef spelling only when both sides agree on it.
        return if x.alias == y.alias {
            x
        } else {
            IntType::new(x.rank, x.signed)
        };
    }
    if x.signed == y.signed {
        return if x.rank >= y.rank { x } else { y };
    }
    let (u, s) = if x.signed { (y, x) } else { (x, y) };
    if u.rank >= s.rank {
        u
    } else if s.bits() > u.bits() {
        s
    } else {
        IntType::new(s.rank, false)
    }
}

impl fmt::Display for CType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CType::Void => f.write_str("void"),
            CType::Int(i) => f.write_str(i.alias.as_deref().unwrap_or(i.standard_name())),
            CType::Float(FloatKind::Float) => f.write_str("float"),
            CType::Float(FloatKind::Double) => f.write_str("double"),
            CType::Named(n) => f.write_str(n),
            CType::Pointer(t) => match &**t {
                CType::Function(ft) => write!(f, "{} (*)({})", ft.ret, ParamList(ft)),
                inner @ CType::Pointer(_) => write!(f, "{inner}*"),
                inner => write!(f, "{inner} *"),
            },
            CType::Array(t, Some(n)) => write!(f, "{t}[{n}]"),
            CType::Array(t, None) => write!(f, "{t}[]"),
            CType::Function(ft) => write!(f, "{} ({})", ft.ret, ParamList(ft)),
        }
    }
}

struct ParamList<'a>(&'a FnType);

impl fmt::Display for ParamList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.params.is_empty() && !self.0.variadic {
            return f.write_str("void");
        }
        for (i, p) in self.0.params.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{p}")?;
        }
        if self.0.variadic {
            f.write_str(if self.0.params.is_empty() {
                "..."
            } else {
                ", ..."
            })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(name: &str) -> CType {
        CType::builtin(name).unwrap()
    }

    #[test]
    fn small_types_promote_to_int() {
        assert_eq!(b("uint16_t").promote(), CType::INT);
        assert_eq!(b("int8_t").promote(), CType::INT);
        assert_eq!(b("bool").promote(), CType::INT);
        assert_eq!(b("uint32_t").promote(), b("uint32_t"));
    }

    #[test]
    fn usual_arithmetic_conversions_lp64() {
        // uint16_t - uint16_t: both promote to int.
        assert_eq!(
            CType::usual_arithmetic(&b("uint16_t"), &b("uint16_t")),
            Some(CType::INT)
        );
        // unsigned int + long: long holds every unsigned int value.
        assert_eq!(
            CType::usual_arithmetic(&CType::UINT, &CType::LONG),
            Some(CType::LONG)
        );
        // int vs unsigned int: same rank, the unsigned one wins.
        assert_eq!(
            CType::usual_arithmetic(&CType::INT, &CType::UINT),
            Some(CType::UINT)
        );
        // unsigned long + long long: long long cannot hold every unsigned long.
        assert_eq!(
            CType::usual_arithmetic(&CType::ULONG, &CType::LONGLONG),
            Some(CType::ULONGLONG)
        );
        // Py_ssize_t + int keeps the typedef.
        let r = CType::usual_arithmetic(&b("Py_ssize_t"), &CType::INT).unwrap();
        assert_eq!(r, b("Py_ssize_t"));
        assert_eq!(r.to_string(), "Py_ssize_t");
        assert_eq!(r.as_int().unwrap().rank, IntRank::Long);
        // int64_t + Py_ssize_t: both long, the spelling is dropped.
        assert_eq!(
            CType::usual_arithmetic(&b("int64_t"), &b("Py_ssize_t")),
            Some(CType::LONG)
        );
        // size_t + Py_ssize_t: same rank, unsigned wins.
        assert_eq!(
            CType::usual_arithmetic(&b("Py_ssize_t"), &b("size_t")),
            Some(b("size_t"))
        );
        assert_eq!(
            CType::usual_arithmetic(&CType::DOUBLE, &CType::LONG),
            Some(CType::DOUBLE)
        );
        assert_eq!(
            CType::usual_arithmetic(&CType::named("PyObject").ptr(), &CType::INT),
            None
        );
    }

    #[test]
    fn rust_mapping_of_integer_typedefs() {
        assert_eq!(b("Py_ssize_t").rust_primitive(), Some("isize"));
        assert_eq!(b("size_t").rust_primitive(), Some("usize"));
        assert_eq!(b("uint16_t").rust_primitive(), Some("u16"));
        assert_eq!(b("int64_t").rust_primitive(), Some("i64"));
        assert_eq!(b("bool").rust_primitive(), Some("bool"));
        assert_eq!(CType::UINT.rust_primitive(), Some("u32"));
    }

    #[test]
    fn ranges() {
        assert_eq!(b("uint16_t").as_int().unwrap().range(), (0, 65535));
        assert_eq!(
            CType::INT.as_int().unwrap().range(),
            (i32::MIN as i128, i32::MAX as i128)
        );
        assert_eq!(
            CType::ULONG.as_int().unwrap().range(),
            (0, u64::MAX as i128)
        );
    }

    #[test]
    fn display() {
        let fp = CType::Pointer(Box::new(CType::Function(Box::new(FnType {
            ret: CType::named("PyObject").ptr(),
            params: vec![CType::named("PyObject").ptr(), CType::INT],
            variadic: false,
        }))));
        assert_eq!(fp.to_string(), "PyObject * (*)(PyObject *, int)");
        assert_eq!(
            CType::named("PyObject").ptr().ptr().to_string(),
            "PyObject **"
        );
        assert_eq!(
            CType::Array(Box::new(CType::named("PyObject").ptr()), Some(2)).to_string(),
            "PyObject *[2]"
        );
    }
}
