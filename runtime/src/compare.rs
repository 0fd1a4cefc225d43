//! Value equality, ordering and hashing of the builtin kinds, shared by dict/set lookup and
//! `PyObject_RichCompare`.

use crate::handles::Obj;
use crate::object::{IntVal, ObjData};
use crate::vm::Vm;
use num_bigint::BigInt;
use num_traits::ToPrimitive;
use std::cmp::Ordering;

/// A numeric value for mixed int/float comparison.
enum Num<'a> {
    I(&'a IntVal),
    F(f64),
}

fn num(vm: &Vm, o: Obj) -> Option<Num<'_>> {
    match vm.heap.data(o) {
        ObjData::Int(i) => Some(Num::I(i)),
        ObjData::Float(f) => Some(Num::F(*f)),
        _ => None,
    }
}

fn cmp_int_float(i: &IntVal, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    if f.is_infinite() {
        return Some(if f > 0.0 {
            Ordering::Less
        } else {
            Ordering::Greater
        });
    }
    // Compare exactly: floor(f) as a BigInt, then the fractional part.
    let fl = f.floor();
    let fi = BigInt::from(fl as i128);
    let fi = if fl.abs() < 1e38 {
        fi
    } else {
        num_bigint::BigInt::parse_bytes(format!("{fl:.0}").as_bytes(), 10).unwrap_or(fi)
    };
    let ib = i.to_big();
    match ib.cmp(&fi) {
        Ordering::Equal if f > fl => Some(Ordering::Less),
        o => Some(o),
    }
}

/// Numeric ordering of two int/float objects (`None`: not numbers, or NaN involved).
pub fn num_cmp(vm: &Vm, a: Obj, b: Obj) -> Option<Ordering> {
    match (num(vm, a)?, num(vm, b)?) {
        (Num::I(x), Num::I(y)) => Some(match (x, y) {
            (IntVal::Small(p), IntVal::Small(q)) => p.cmp(q),
            _ => x.to_big().cmp(&y.to_big()),
        }),
        (Num::F(x), Num::F(y)) => x.partial_cmp(&y),
        (Num::I(x), Num::F(y)) => cmp_int_float(x, y),
        (Num::F(x), Num::I(y)) => cmp_int_float(y, x).map(Ordering::reverse),
    }
}

/// `true` if `o` is an int or float (including bool).
pub fn is_number(vm: &Vm, o: Obj) -> bool {
    matches!(vm.heap.data(o), ObjData::Int(_) | ObjData::Float(_))
}

/// `a == b` for the builtin kinds. `None` when the kinds have no value equality (the caller
/// falls back to identity, as `object.__eq__` does).
pub fn equal(vm: &Vm, a: Obj, b: Obj) -> Option<bool> {
    if a == b {
        return Some(true);
    }
    let (da, db) = (vm.heap.data(a), vm.heap.data(b));
    // two small ints (bools included): what `num_cmp` would answer, without its lookups (set
    // and dict building compares ints member by member)
    if let (ObjData::Int(IntVal::Small(x)), ObjData::Int(IntVal::Small(y))) = (da, db) {
        return Some(x == y);
    }
    let is_num = |d: &ObjData| matches!(d, ObjData::Int(_) | ObjData::Float(_));
    if is_num(da) && is_num(db) {
        return Some(num_cmp(vm, a, b) == Some(Ordering::Equal));
    }
    match (da, db) {
        (ObjData::Str(x), ObjData::Str(y)) => Some(x == y),
        (ObjData::Bytes(x), ObjData::Bytes(y)) => Some(x == y),
        (ObjData::Tuple(x), ObjData::Tuple(y)) | (ObjData::List(x), ObjData::List(y)) => {
            if vm.heap.ty(a) != vm.heap.ty(b) && !(is_seq_pair(vm, a, b)) {
                return Some(false);
            }
            if x.len() != y.len() {
                return Some(false);
            }
            for (p, q) in x.iter().zip(y.iter()) {
                if !equal(vm, *p, *q).unwrap_or(p == q) {
                    return Some(false);
                }
            }
            Some(true)
        }
        (ObjData::Range { .. }, ObjData::Range { .. }) => Some(range_eq(vm, a, b)),
        (ObjData::Set(x), ObjData::Set(y)) => Some(
            x.len() == y.len()
                && x.iter()
                    .all(|p| y.iter().any(|q| equal(vm, *p, *q).unwrap_or(p == q))),
        ),
        (ObjData::Dict(x), ObjData::Dict(y)) => {
            if x.used != y.used {
                return Some(false);
            }
            for e in x.entries.iter().filter(|e| !e.key.is_null()) {
                let found = y.entries.iter().find(|f| {
                    !f.key.is_null() && equal(vm, e.key, f.key).unwrap_or(e.key == f.key)
                });
                match found {
                    Some(f) if equal(vm, e.value, f.value).unwrap_or(e.value == f.value) => {}
                    _ => return Some(false),
                }
            }
            Some(true)
        }
        (ObjData::None, _)
        | (_, ObjData::None)
        | (ObjData::Opaque(_), _)
        | (_, ObjData::Opaque(_)) => None,
        _ => {
            // Different builtin kinds compare unequal (e.g. 1 == "1").
            if vm.builtin_of(a) != vm.builtin_of(b) {
                Some(false)
            } else {
                None
            }
        }
    }
}

fn is_seq_pair(vm: &Vm, a: Obj, b: Obj) -> bool {
    // Subclass instances of the same builtin sequence compare by value.
    vm.builtin_of(a) == vm.builtin_of(b)
}

/// `range == range` as CPython defines it: same length, and (if non-empty) same first item,
/// and (if longer than one) same step.
fn range_eq(vm: &Vm, a: Obj, b: Obj) -> bool {
    let key = |o: Obj| match vm.heap.data(o) {
        ObjData::Range { start, stop, step } => {
            let len = crate::containers::range_len(*start, *stop, *step);
            Some((len, *start, *step))
        }
        _ => None,
    };
    match (key(a), key(b)) {
        (Some((la, sa, pa)), Some((lb, sb, pb))) => {
            la == lb && (la == 0 || (sa == sb && (la == 1 || pa == pb)))
        }
        _ => false,
    }
}

/// CPython's modulus for numeric hashing (`_PyHASH_MODULUS`).
const HASH_MODULUS: i128 = (1i128 << 61) - 1;

fn hash_int(i: &IntVal) -> i64 {
    let b = i.to_big();
    let m = BigInt::from(HASH_MODULUS);
    let mut r = (&b % &m).to_i128().unwrap_or(0);
    if b.sign() == num_bigint::Sign::Minus && r != 0 {
        // CPython hashes -x as -(hash(x)), with |x| reduced first.
        r = -((-b % &m).to_i128().unwrap_or(0));
    }
    let r = r as i64;
    if r == -1 {
        -2
    } else {
        r
    }
}

/// `PyObject_Hash` for hashable builtin kinds (`None`: unhashable). Equal numbers hash equal;
/// strings use FNV-1a (deterministic, unlike CPython's randomised siphash).
pub fn hash(vm: &Vm, o: Obj) -> Option<i64> {
    Some(match vm.heap.data(o) {
        ObjData::Int(i) => hash_int(i),
        ObjData::Float(f) => {
            if f.fract() == 0.0 && f.is_finite() {
                hash_int(&IntVal::from_big(BigInt::from(*f as i128)))
            } else if f.is_nan() {
                o.0 as i64
            } else {
                (f.to_bits() as i64) & 0x0fff_ffff_ffff_ffff
            }
        }
        ObjData::Str(s) => fnv(s.as_bytes()),
        ObjData::Bytes(b) => fnv(b),
        ObjData::Tuple(items) => {
            let mut h: i64 = 0x345678;
            for it in items {
                h = h.wrapping_mul(1_000_003) ^ hash(vm, *it)?;
            }
            if h == -1 {
                -2
            } else {
                h
            }
        }
        ObjData::List(_) | ObjData::Dict(_) | ObjData::Slice { .. } => return None,
        ObjData::Set(_) if vm.heap.ty(o) == crate::well_known::SET_TYPE => return None,
        _ => o.0 as i64,
    })
}

fn fnv(b: &[u8]) -> i64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for &x in b {
        h ^= x as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    let h = (h >> 1) as i64;
    if h == -1 {
        -2
    } else {
        h
    }
}

/// Ordering for `<`, `<=`, `>`, `>=` between builtin kinds (`None`: unorderable).
pub fn order(vm: &Vm, a: Obj, b: Obj) -> Option<Ordering> {
    if is_number(vm, a) && is_number(vm, b) {
        return num_cmp(vm, a, b);
    }
    match (vm.heap.data(a), vm.heap.data(b)) {
        (ObjData::Str(x), ObjData::Str(y)) => Some(x.chars().cmp(y.chars())),
        (ObjData::Bytes(x), ObjData::Bytes(y)) => Some(x.cmp(y)),
        (ObjData::Tuple(x), ObjData::Tuple(y)) | (ObjData::List(x), ObjData::List(y))
            if vm.builtin_of(a) == vm.builtin_of(b) =>
        {
            for (p, q) in x.iter().zip(y.iter()) {
                if equal(vm, *p, *q).unwrap_or(p == q) {
                    continue;
                }
                return order(vm, *p, *q);
            }
            Some(x.len().cmp(&y.len()))
        }
        _ => None,
    }
}
