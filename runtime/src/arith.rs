//! Python semantics of the numeric and sequence operators on the modelled kinds.
//!
//! Functions here set the exception and return `Obj::NULL` on failure but do not count as
//! fallible calls: the API entry points in [`crate::api::number`] do that once per call.

use crate::handles::Obj;
use crate::object::{IntVal, ObjData};
use crate::vm::Vm;
use crate::well_known as wk;
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{Signed, ToPrimitive, Zero};

/// A binary operator, numbered as CPython's `NB_*` constants (`oparg` of `BINARY_OP`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum NbOp {
    Add,
    And,
    FloorDivide,
    Lshift,
    MatrixMultiply,
    Multiply,
    Remainder,
    Or,
    Power,
    Rshift,
    Subtract,
    TrueDivide,
    Xor,
}

impl NbOp {
    /// The operator of `NB_*` value `n` (in-place variants 13..=25 map to the same operator),
    /// with whether it is in-place.
    pub fn from_oparg(n: i64) -> Option<(NbOp, bool)> {
        use NbOp::*;
        const ALL: [NbOp; 13] = [
            Add,
            And,
            FloorDivide,
            Lshift,
            MatrixMultiply,
            Multiply,
            Remainder,
            Or,
            Power,
            Rshift,
            Subtract,
            TrueDivide,
            Xor,
        ];
        match n {
            0..=12 => Some((ALL[n as usize], false)),
            13..=25 => Some((ALL[(n - 13) as usize], true)),
            _ => None,
        }
    }

    /// The operator's symbol, as in `TypeError` messages.
    pub fn symbol(self, inplace: bool) -> &'static str {
        use NbOp::*;
        let (s, i) = match self {
            Add => ("+", "+="),
            And => ("&", "&="),
            FloorDivide => ("//", "//="),
            Lshift => ("<<", "<<="),
            MatrixMultiply => ("@", "@="),
            Multiply => ("*", "*="),
            Remainder => ("%", "%="),
            Or => ("|", "|="),
            Power => ("** or pow()", "**="),
            Rshift => (">>", ">>="),
            Subtract => ("-", "-="),
            TrueDivide => ("/", "/="),
            Xor => ("^", "^="),
        };
        if inplace {
            i
        } else {
            s
        }
    }
}

/// Results larger than this many bits are refused with `MemoryError` (keeps the model fast).
const MAX_BITS: u64 = 1 << 16;

fn int_of(vm: &Vm, o: Obj) -> Option<IntVal> {
    match vm.heap.data(o) {
        ObjData::Int(i) => Some(i.clone()),
        _ => None,
    }
}

fn float_of(vm: &Vm, o: Obj) -> Option<f64> {
    match vm.heap.data(o) {
        ObjData::Float(f) => Some(*f),
        _ => None,
    }
}

/// Converts an int to float as `int.__float__` does (`None`: too large).
pub fn int_to_f64(i: &IntVal) -> Option<f64> {
    match i {
        IntVal::Small(v) => Some(*v as f64),
        IntVal::Big(b) => b.to_f64().filter(|f| f.is_finite()),
    }
}

impl Vm {
    /// Raises `ty(msg)` and returns NULL.
    pub fn raise(&mut self, ty: Obj, msg: &str) -> Obj {
        self.set_exc_msg(ty, msg);
        Obj::NULL
    }

    fn unsupported(&mut self, op: NbOp, inplace: bool, a: Obj, b: Obj) -> Obj {
        let msg = format!(
            "unsupported operand type(s) for {}: '{}' and '{}'",
            op.symbol(inplace),
            self.type_name_of(a),
            self.type_name_of(b)
        );
        self.raise(wk::EXC_TYPE_ERROR, &msg)
    }

    fn new_int_checked(&mut self, v: BigInt) -> Obj {
        if v.bits() > MAX_BITS {
            return self.raise(wk::EXC_MEMORY_ERROR, "");
        }
        self.new_int_big(v)
    }

    /// `int op int` with Python semantics.
    pub fn int_binop(&mut self, op: NbOp, x: &IntVal, y: &IntVal) -> Obj {
        use NbOp::*;
        if let (IntVal::Small(a), IntVal::Small(b)) = (x, y) {
            let (a, b) = (*a, *b);
            let fast = match op {
                Add => a.checked_add(b),
                Subtract => a.checked_sub(b),
                Multiply => a.checked_mul(b),
                And => Some(a & b),
                Or => Some(a | b),
                Xor => Some(a ^ b),
                FloorDivide if b != 0 && !(a == i64::MIN && b == -1) => {
                    Some(Integer::div_floor(&a, &b))
                }
                Remainder if b != 0 && b != -1 => Some(Integer::mod_floor(&a, &b)),
                _ => None,
            };
            if let Some(v) = fast {
                return self.new_int(v);
            }
        }
        let (a, b) = (x.to_big(), y.to_big());
        match op {
            Add => self.new_int_checked(a + b),
            Subtract => self.new_int_checked(a - b),
            Multiply => {
                if a.bits() + b.bits() > MAX_BITS {
                    return self.raise(wk::EXC_MEMORY_ERROR, "");
                }
                self.new_int_checked(a * b)
            }
            And => self.new_int_checked(a & b),
            Or => self.new_int_checked(a | b),
            Xor => self.new_int_checked(a ^ b),
            FloorDivide => {
                if b.is_zero() {
                    return self.raise(
                        wk::EXC_ZERO_DIVISION_ERROR,
                        "integer division or modulo by zero",
                    );
                }
                self.new_int_checked(a.div_floor(&b))
            }
            Remainder => {
                if b.is_zero() {
                    return self.raise(wk::EXC_ZERO_DIVISION_ERROR, "integer modulo by zero");
                }
                self.new_int_checked(a.mod_floor(&b))
            }
            TrueDivide => {
                if b.is_zero() {
                    return self.raise(wk::EXC_ZERO_DIVISION_ERROR, "division by zero");
                }
                match (a.to_f64(), b.to_f64()) {
                    (Some(p), Some(q)) if p.is_finite() && q.is_finite() => self.new_float(p / q),
                    _ => self.raise(
                        wk::EXC_OVERFLOW_ERROR,
                        "integer division result too large for a float",
                    ),
                }
            }
            Lshift | Rshift => {
                if b.is_negative() {
                    return self.raise(wk::EXC_VALUE_ERROR, "negative shift count");
                }
                let n = b.to_u64().unwrap_or(u64::MAX);
                if op == Rshift {
                    if n > a.bits() {
                        return self.new_int(if a.is_negative() { -1 } else { 0 });
                    }
                    return self.new_int_checked(a >> n as usize);
                }
                if a.is_zero() {
                    return self.new_int(0);
                }
                if a.bits().saturating_add(n) > MAX_BITS {
                    return self.raise(wk::EXC_MEMORY_ERROR, "");
                }
                self.new_int_checked(a << n as usize)
            }
            Power => {
                if b.is_negative() {
                    if a.is_zero() {
                        return self.raise(wk::EXC_ZERO_DIVISION_ERROR, "zero to a negative power");
                    }
                    let p = a.to_f64().unwrap_or(f64::INFINITY);
                    let q = b.to_f64().unwrap_or(f64::NEG_INFINITY);
                    return self.new_float(p.powf(q));
                }
                let n = b.to_u64().unwrap_or(u64::MAX);
                let base_bits = a.magnitude().bits();
                if base_bits > 1 && base_bits.saturating_mul(n) > MAX_BITS {
                    return self.raise(wk::EXC_MEMORY_ERROR, "");
                }
                self.new_int_checked(num_traits::pow::Pow::pow(&a, n))
            }
            MatrixMultiply => Obj::NULL,
        }
    }

    /// `float op float` with Python semantics.
    pub fn float_binop(&mut self, op: NbOp, a: f64, b: f64) -> Obj {
        use NbOp::*;
        let r = match op {
            Add => a + b,
            Subtract => a - b,
            Multiply => a * b,
            TrueDivide => {
                if b == 0.0 {
                    return self.raise(wk::EXC_ZERO_DIVISION_ERROR, "division by zero");
                }
                a / b
            }
            FloorDivide | Remainder => {
                if b == 0.0 {
                    let m = if op == FloorDivide {
                        "float floor division by zero"
                    } else {
                        "float modulo by zero"
                    };
                    return self.raise(wk::EXC_ZERO_DIVISION_ERROR, m);
                }
                let (div, m) = float_divmod(a, b);
                if op == FloorDivide {
                    div
                } else {
                    m
                }
            }
            Power => {
                if a == 0.0 && b < 0.0 {
                    return self.raise(wk::EXC_ZERO_DIVISION_ERROR, "zero to a negative power");
                }
                if a < 0.0 && b.fract() != 0.0 && b.is_finite() {
                    // Python returns a complex number here; complex is not modelled.
                    let tag = a.to_bits() ^ b.to_bits().rotate_left(17);
                    return self.new_opaque(wk::OPAQUE_TYPE, tag);
                }
                let r = a.powf(b);
                if r.is_infinite() && a.is_finite() && b.is_finite() {
                    return self.raise(
                        wk::EXC_OVERFLOW_ERROR,
                        "(34, 'Numerical result out of range')",
                    );
                }
                r
            }
            _ => return Obj::NULL,
        };
        self.new_float(r)
    }

    /// The deterministic result of an operation involving an opaque object: a new opaque object
    /// or a `TypeError`, chosen by the operands' identity tags.
    pub fn opaque_binop(&mut self, op: NbOp, inplace: bool, a: Obj, b: Obj) -> Obj {
        let tag = |vm: &Vm, o: Obj| match vm.heap.data(o) {
            ObjData::Opaque(t) => *t,
            _ => o.0 as u64,
        };
        let mix = tag(self, a)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(7)
            ^ tag(self, b).wrapping_add(op as u64 + 1);
        if mix % 4 == 0 {
            return self.unsupported(op, inplace, a, b);
        }
        let ty = if matches!(self.heap.data(a), ObjData::Opaque(_)) {
            self.heap.ty(a)
        } else {
            self.heap.ty(b)
        };
        self.new_opaque(ty, mix)
    }

    /// `a op b` (`PyNumber_*` / `binary_ops[oparg]`), NULL + exception on failure.
    pub fn binop(&mut self, op: NbOp, inplace: bool, a: Obj, b: Obj) -> Obj {
        use NbOp::*;
        if a.is_null() || b.is_null() {
            self.violation(crate::heap::Violation::NullDeref("binary operation"));
            return self.raise(wk::EXC_SYSTEM_ERROR, "null argument to internal routine");
        }
        let (ia, ib) = (int_of(self, a), int_of(self, b));
        if let (Some(x), Some(y)) = (&ia, &ib) {
            if op == MatrixMultiply {
                return self.unsupported(op, inplace, a, b);
            }
            let both_bool = self.heap.ty(a) == wk::BOOL_TYPE && self.heap.ty(b) == wk::BOOL_TYPE;
            if both_bool && matches!(op, And | Or | Xor) {
                let r = self.int_binop(op, x, y);
                let t = matches!(self.heap.data(r), ObjData::Int(v) if v.sign() != 0);
                return self.new_bool(t);
            }
            return self.int_binop(op, x, y);
        }
        let fa = float_of(self, a).or_else(|| ia.as_ref().and_then(int_to_f64));
        let fb = float_of(self, b).or_else(|| ib.as_ref().and_then(int_to_f64));
        let a_num = ia.is_some() || float_of(self, a).is_some();
        let b_num = ib.is_some() || float_of(self, b).is_some();
        if a_num
            && b_num
            && matches!(
                op,
                Add | Subtract | Multiply | TrueDivide | FloorDivide | Remainder | Power
            )
        {
            return match (fa, fb) {
                (Some(x), Some(y)) => self.float_binop(op, x, y),
                _ => self.raise(wk::EXC_OVERFLOW_ERROR, "int too large to convert to float"),
            };
        }
        let da = self.heap.data(a).clone();
        let db = self.heap.data(b).clone();
        match (op, &da, &db) {
            (Add, ObjData::Str(x), ObjData::Str(y)) => {
                let s = format!("{x}{y}");
                self.new_str(&s)
            }
            (Add, ObjData::Str(_), _) => {
                let msg = format!(
                    "can only concatenate str (not \"{}\") to str",
                    self.type_name_of(b)
                );
                self.raise(wk::EXC_TYPE_ERROR, &msg)
            }
            (Add, ObjData::Bytes(x), ObjData::Bytes(y)) => {
                let v: Vec<u8> = x.iter().chain(y.iter()).copied().collect();
                self.new_bytes(&v)
            }
            (Add, ObjData::List(x), ObjData::List(y)) => {
                if inplace {
                    for o in y {
                        self.heap.incref(*o);
                    }
                    if let ObjData::List(v) = self.heap.data_mut(a) {
                        v.extend(y.iter().copied());
                    }
                    self.heap.incref(a);
                    return a;
                }
                let v: Vec<Obj> = x.iter().chain(y.iter()).copied().collect();
                for o in &v {
                    self.heap.incref(*o);
                }
                self.new_list(v)
            }
            (Add, ObjData::List(_), _) if !matches!(db, ObjData::Opaque(_)) => {
                if inplace {
                    if let Some(items) = self.iterable_items(b) {
                        if let ObjData::List(v) = self.heap.data_mut(a) {
                            v.extend(items);
                        }
                        self.heap.incref(a);
                        return a;
                    }
                    return Obj::NULL;
                }
                let msg = format!(
                    "can only concatenate list (not \"{}\") to list",
                    self.type_name_of(b)
                );
                self.raise(wk::EXC_TYPE_ERROR, &msg)
            }
            (Add, ObjData::Tuple(x), ObjData::Tuple(y)) => {
                let v: Vec<Obj> = x.iter().chain(y.iter()).copied().collect();
                for o in &v {
                    self.heap.incref(*o);
                }
                self.new_tuple(v)
            }
            (Add, ObjData::Tuple(_), _) if !matches!(db, ObjData::Opaque(_)) => {
                let msg = format!(
                    "can only concatenate tuple (not \"{}\") to tuple",
                    self.type_name_of(b)
                );
                self.raise(wk::EXC_TYPE_ERROR, &msg)
            }
            (
                Multiply,
                ObjData::Str(_) | ObjData::Bytes(_) | ObjData::List(_) | ObjData::Tuple(_),
                ObjData::Int(n),
            ) => self.repeat(a, n, inplace),
            (
                Multiply,
                ObjData::Int(n),
                ObjData::Str(_) | ObjData::Bytes(_) | ObjData::List(_) | ObjData::Tuple(_),
            ) => self.repeat(b, n, false),
            (Or, ObjData::Dict(_), ObjData::Dict(y)) => {
                let target = if inplace {
                    self.heap.incref(a);
                    a
                } else {
                    self.dict_copy(a)
                };
                for e in y.entries.iter().filter(|e| !e.key.is_null()) {
                    self.heap.incref(e.key);
                    self.heap.incref(e.value);
                    self.dict_insert_steal(target, e.key, e.value, e.hash);
                }
                target
            }
            (And | Or | Xor | Subtract, ObjData::Set(x), ObjData::Set(y)) => {
                let keep: Vec<Obj> = match op {
                    And => x
                        .iter()
                        .filter(|p| self.contains_eq(y, **p))
                        .copied()
                        .collect(),
                    Subtract => x
                        .iter()
                        .filter(|p| !self.contains_eq(y, **p))
                        .copied()
                        .collect(),
                    Or => x.iter().chain(y.iter()).copied().collect(),
                    _ => x
                        .iter()
                        .filter(|p| !self.contains_eq(y, **p))
                        .chain(y.iter().filter(|q| !self.contains_eq(x, **q)))
                        .copied()
                        .collect(),
                };
                for o in &keep {
                    self.heap.incref(*o);
                }
                let frozen = self.heap.ty(a) == wk::FROZENSET_TYPE;
                self.new_set(keep, frozen)
            }
            (Remainder, ObjData::Str(f), _) => {
                let args: Vec<Obj> = match &db {
                    ObjData::Tuple(v) => v.clone(),
                    _ => vec![b],
                };
                self.str_percent(f, &args)
            }
            _ if matches!(da, ObjData::Opaque(_)) || matches!(db, ObjData::Opaque(_)) => {
                self.opaque_binop(op, inplace, a, b)
            }
            _ => self.unsupported(op, inplace, a, b),
        }
    }

    fn contains_eq(&self, items: &[Obj], x: Obj) -> bool {
        items
            .iter()
            .any(|i| crate::compare::equal(self, *i, x).unwrap_or(*i == x))
    }

    fn repeat(&mut self, seq: Obj, n: &IntVal, inplace: bool) -> Obj {
        let n = match n {
            IntVal::Small(v) => (*v).max(0) as usize,
            IntVal::Big(b) if b.is_negative() => 0,
            IntVal::Big(_) => return self.raise(wk::EXC_MEMORY_ERROR, ""),
        };
        let data = self.heap.data(seq).clone();
        let len = match &data {
            ObjData::Str(s) => s.len(),
            ObjData::Bytes(b) => b.len(),
            ObjData::List(v) | ObjData::Tuple(v) => v.len(),
            _ => 0,
        };
        if len.saturating_mul(n) > 1 << 20 {
            return self.raise(wk::EXC_MEMORY_ERROR, "");
        }
        // `[] * (2**62)` is `[]`: without this, building the items walks all `n` (empty)
        // copies.
        let n = if len == 0 { 0 } else { n };
        match data {
            ObjData::Str(s) => {
                let r = s.repeat(n);
                self.new_str(&r)
            }
            ObjData::Bytes(b) => {
                let r = b.repeat(n);
                self.new_bytes(&r)
            }
            ObjData::List(v) | ObjData::Tuple(v) => {
                let items: Vec<Obj> = (0..n).flat_map(|_| v.iter().copied()).collect();
                for o in &items {
                    self.heap.incref(*o);
                }
                if matches!(self.heap.data(seq), ObjData::List(_)) {
                    if inplace {
                        for o in &v {
                            self.heap.decref(*o);
                        }
                        if let ObjData::List(l) = self.heap.data_mut(seq) {
                            *l = items;
                        }
                        self.heap.incref(seq);
                        return seq;
                    }
                    self.new_list(items)
                } else {
                    self.new_tuple(items)
                }
            }
            _ => Obj::NULL,
        }
    }

    /// `str % args` for `%s`, `%r`, `%d`/`%i` and `%%`.
    fn str_percent(&mut self, f: &str, args: &[Obj]) -> Obj {
        let mut out = String::new();
        let mut it = args.iter();
        let mut chars = f.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('%') => out.push('%'),
                Some(k @ ('s' | 'r' | 'd' | 'i')) => {
                    let Some(&o) = it.next() else {
                        return self
                            .raise(wk::EXC_TYPE_ERROR, "not enough arguments for format string");
                    };
                    match k {
                        's' => out.push_str(&crate::repr::str_of(self, o)),
                        'r' => out.push_str(&crate::repr::repr(self, o)),
                        _ => match self.heap.data(o) {
                            ObjData::Int(i) => out.push_str(&i.to_big().to_string()),
                            ObjData::Float(x) => out.push_str(&format!("{}", x.trunc() as i128)),
                            _ => {
                                let msg = format!(
                                    "%{k} format: a real number is required, not {}",
                                    self.type_name_of(o)
                                );
                                return self.raise(wk::EXC_TYPE_ERROR, &msg);
                            }
                        },
                    }
                }
                _ => return self.raise(wk::EXC_VALUE_ERROR, "unsupported format character"),
            }
        }
        if it.next().is_some() {
            return self.raise(
                wk::EXC_TYPE_ERROR,
                "not all arguments converted during string formatting",
            );
        }
        self.new_str(&out)
    }

    /// Unary `-x`, `+x`, `~x`, `abs(x)`.
    pub fn unary(&mut self, which: char, a: Obj) -> Obj {
        match self.heap.data(a).clone() {
            ObjData::Int(i) => {
                let b = i.to_big();
                let r = match which {
                    '-' => -b,
                    '+' => b,
                    '~' => -b - 1,
                    _ => b.abs(),
                };
                self.new_int_checked(r)
            }
            ObjData::Float(f) if which != '~' => {
                let r = match which {
                    '-' => -f,
                    '+' => f,
                    _ => f.abs(),
                };
                self.new_float(r)
            }
            ObjData::Opaque(t) => {
                let mix = t.rotate_left(which as u32) ^ 0x5bd1_e995;
                if mix % 4 == 0 {
                    let msg = format!(
                        "bad operand type for unary {which}: '{}'",
                        self.type_name_of(a)
                    );
                    return self.raise(wk::EXC_TYPE_ERROR, &msg);
                }
                let ty = self.heap.ty(a);
                self.new_opaque(ty, mix)
            }
            _ => {
                let op = match which {
                    '-' => "unary -",
                    '+' => "unary +",
                    '~' => "unary ~",
                    _ => "abs()",
                };
                let msg = format!("bad operand type for {op}: '{}'", self.type_name_of(a));
                self.raise(wk::EXC_TYPE_ERROR, &msg)
            }
        }
    }
}

/// Python's float `divmod`.
pub fn float_divmod(a: f64, b: f64) -> (f64, f64) {
    let mut m = a % b;
    let mut div = (a - m) / b;
    if m != 0.0 {
        if (b < 0.0) != (m < 0.0) {
            m += b;
            div -= 1.0;
        }
    } else {
        m = 0.0f64.copysign(b);
    }
    let floordiv = if div != 0.0 {
        let f = div.floor();
        if div - f > 0.5 {
            f + 1.0
        } else {
            f
        }
    } else {
        0.0f64.copysign(a / b)
    };
    (floordiv, m)
}
