//! Python semantics of containers, iteration, subscripting, truth, comparison and attributes on
//! the modelled kinds. Like [`crate::arith`], these set the exception and return NULL / -1 on
//! failure without counting as fallible calls.

use crate::compare::{equal, hash, order};
use crate::handles::Obj;
use crate::heap::Violation;
use crate::object::{Builtin, DictEntry, IntVal, ObjData};
use crate::vm::Vm;
use crate::well_known as wk;
use std::cmp::Ordering;

/// Marker error: the operation failed and the Python exception is set in the thread state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Raised;

/// Rich comparison operators, numbered as CPython's `Py_LT` .. `Py_GE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum CmpOp {
    Lt = 0,
    Le = 1,
    Eq = 2,
    Ne = 3,
    Gt = 4,
    Ge = 5,
}

impl CmpOp {
    /// From `Py_LT`..`Py_GE`.
    pub fn from_int(v: i32) -> Option<CmpOp> {
        Some(match v {
            0 => CmpOp::Lt,
            1 => CmpOp::Le,
            2 => CmpOp::Eq,
            3 => CmpOp::Ne,
            4 => CmpOp::Gt,
            5 => CmpOp::Ge,
            _ => return None,
        })
    }

    fn symbol(self) -> &'static str {
        ["<", "<=", "==", "!=", ">", ">="][self as usize]
    }

    fn holds(self, o: Ordering) -> bool {
        match self {
            CmpOp::Lt => o == Ordering::Less,
            CmpOp::Le => o != Ordering::Greater,
            CmpOp::Eq => o == Ordering::Equal,
            CmpOp::Ne => o != Ordering::Equal,
            CmpOp::Gt => o == Ordering::Greater,
            CmpOp::Ge => o != Ordering::Less,
        }
    }
}

fn opaque_tag(vm: &Vm, o: Obj) -> u64 {
    match vm.heap.data(o) {
        ObjData::Opaque(t) => *t,
        _ => o.0 as u64,
    }
}

fn mix(a: u64, b: u64) -> u64 {
    (a ^ b.rotate_left(29)).wrapping_mul(0x2545_F491_4F6C_DD1D)
}

impl Vm {
    /// `hash(o)`, raising `TypeError` for unhashable objects.
    pub fn hash_or_raise(&mut self, o: Obj) -> Option<i64> {
        match hash(self, o) {
            Some(h) => Some(h),
            None => {
                let msg = format!("unhashable type: '{}'", self.type_name_of(o));
                self.raise(wk::EXC_TYPE_ERROR, &msg);
                None
            }
        }
    }

    /// Index of the live entry whose key equals `key` (`Err` when `key` is unhashable).
    pub fn dict_find(&mut self, d: Obj, key: Obj) -> Result<Option<usize>, Raised> {
        let h = self.hash_or_raise(key).ok_or(Raised)?;
        let ObjData::Dict(dd) = self.heap.data(d) else {
            return Ok(None);
        };
        Ok(dd.entries.iter().position(|e| {
            !e.key.is_null()
                && e.hash == h
                && (e.key == key || equal(self, e.key, key) == Some(true))
        }))
    }

    /// Inserts or replaces; steals `key` and `value`.
    pub fn dict_insert_steal(&mut self, d: Obj, key: Obj, value: Obj, h: i64) {
        let found = match self.heap.data(d) {
            ObjData::Dict(dd) => dd.entries.iter().position(|e| {
                !e.key.is_null()
                    && e.hash == h
                    && (e.key == key || equal(self, e.key, key) == Some(true))
            }),
            _ => return,
        };
        let is_str = self.heap.ty(key) == wk::UNICODE_TYPE;
        match found {
            Some(i) => {
                let old = match self.heap.data_mut(d) {
                    ObjData::Dict(dd) => std::mem::replace(&mut dd.entries[i].value, value),
                    _ => Obj::NULL,
                };
                self.heap.decref(key);
                self.heap.xdecref(old);
            }
            None => {
                if let ObjData::Dict(dd) = self.heap.data_mut(d) {
                    dd.entries.push(DictEntry {
                        key,
                        value,
                        hash: h,
                    });
                    dd.used += 1;
                    dd.keys_version = 0;
                    if !is_str {
                        dd.unicode = false;
                    }
                }
            }
        }
    }

    /// `d[key] = value` (new references taken); -1 on an unhashable key.
    pub fn dict_set(&mut self, d: Obj, key: Obj, value: Obj) -> i32 {
        let Some(h) = self.hash_or_raise(key) else {
            return -1;
        };
        self.heap.incref(key);
        self.heap.incref(value);
        self.dict_insert_steal(d, key, value, h);
        0
    }

    /// `del d[key]`; -1 with `KeyError` if missing.
    pub fn dict_del(&mut self, d: Obj, key: Obj) -> i32 {
        let Ok(found) = self.dict_find(d, key) else {
            return -1;
        };
        let Some(i) = found else {
            self.err_set_key_error(key);
            return -1;
        };
        let (k, v) = match self.heap.data_mut(d) {
            ObjData::Dict(dd) => {
                let e = &mut dd.entries[i];
                let kv = (e.key, e.value);
                e.key = Obj::NULL;
                e.value = Obj::NULL;
                dd.used -= 1;
                dd.keys_version = 0;
                kv
            }
            _ => return -1,
        };
        self.heap.decref(k);
        self.heap.decref(v);
        0
    }

    /// The value for `key` (borrowed) or NULL; `Err` when unhashable.
    pub fn dict_get(&mut self, d: Obj, key: Obj) -> Result<Obj, Raised> {
        let i = self.dict_find(d, key)?;
        Ok(match (i, self.heap.data(d)) {
            (Some(i), ObjData::Dict(dd)) => dd.entries[i].value,
            _ => Obj::NULL,
        })
    }

    /// A new dict with the same items.
    pub fn dict_copy(&mut self, d: Obj) -> Obj {
        let entries = match self.heap.data(d) {
            ObjData::Dict(dd) => dd.entries.clone(),
            _ => Vec::new(),
        };
        let n = self.new_dict();
        for e in entries.iter().filter(|e| !e.key.is_null()) {
            self.heap.incref(e.key);
            self.heap.incref(e.value);
            self.dict_insert_steal(n, e.key, e.value, e.hash);
        }
        n
    }

    /// All items an iteration over `o` produces, as new references (consumes iterators);
    /// `None` with `TypeError` if `o` is not iterable.
    pub fn iterable_items(&mut self, o: Obj) -> Option<Vec<Obj>> {
        let items: Vec<Obj> = match self.heap.data(o).clone() {
            ObjData::List(v) | ObjData::Tuple(v) | ObjData::Set(v) => v,
            ObjData::Dict(d) => d
                .entries
                .iter()
                .filter(|e| !e.key.is_null())
                .map(|e| e.key)
                .collect(),
            ObjData::Str(s) => {
                let chars: Vec<String> = s.chars().map(String::from).collect();
                return Some(chars.iter().map(|c| self.new_str(c)).collect());
            }
            ObjData::Bytes(b) => return Some(b.iter().map(|x| self.new_int(*x as i64)).collect()),
            ObjData::Range { .. } | ObjData::SeqIter { .. } | ObjData::RangeIter { .. } => {
                let it = self.get_iter(o);
                if it.is_null() {
                    return None;
                }
                let mut out = Vec::new();
                loop {
                    let x = self.iter_next(it);
                    if x.is_null() {
                        break;
                    }
                    out.push(x);
                    if out.len() > 1 << 20 {
                        break;
                    }
                }
                self.heap.decref(it);
                return Some(out);
            }
            _ => {
                let msg = format!("'{}' object is not iterable", self.type_name_of(o));
                self.raise(wk::EXC_TYPE_ERROR, &msg);
                return None;
            }
        };
        for i in &items {
            self.heap.incref(*i);
        }
        Some(items)
    }

    /// `iter(o)` (new reference or NULL).
    pub fn get_iter(&mut self, o: Obj) -> Obj {
        match self.heap.data(o).clone() {
            ObjData::List(_) => {
                self.heap.incref(o);
                self.heap
                    .alloc(wk::LISTITER_TYPE, ObjData::SeqIter { seq: o, index: 0 })
            }
            ObjData::Tuple(_) => {
                self.heap.incref(o);
                self.heap
                    .alloc(wk::TUPLEITER_TYPE, ObjData::SeqIter { seq: o, index: 0 })
            }
            ObjData::Range { start, stop, step } => {
                let len = range_len(start, stop, step);
                self.heap
                    .alloc(wk::RANGEITER_TYPE, ObjData::RangeIter { start, step, len })
            }
            ObjData::SeqIter { .. } | ObjData::RangeIter { .. } => {
                self.heap.incref(o);
                o
            }
            ObjData::Dict(_) | ObjData::Set(_) | ObjData::Str(_) | ObjData::Bytes(_) => {
                let Some(items) = self.iterable_items(o) else {
                    return Obj::NULL;
                };
                let t = self.new_tuple(items);
                self.heap
                    .alloc(wk::TUPLEITER_TYPE, ObjData::SeqIter { seq: t, index: 0 })
            }
            _ => {
                let msg = format!("'{}' object is not iterable", self.type_name_of(o));
                self.raise(wk::EXC_TYPE_ERROR, &msg)
            }
        }
    }

    /// `tp_iternext`: the next item (new reference), or NULL without an exception when
    /// exhausted (exhausted list/tuple iterators drop `it_seq`, as in CPython).
    pub fn iter_next(&mut self, it: Obj) -> Obj {
        match self.heap.data(it).clone() {
            ObjData::SeqIter { seq, index } => {
                if seq.is_null() {
                    return Obj::NULL;
                }
                let item = match self.heap.data(seq) {
                    ObjData::List(v) | ObjData::Tuple(v) => v.get(index as usize).copied(),
                    _ => None,
                };
                match item {
                    Some(x) => {
                        self.heap.incref(x);
                        if let ObjData::SeqIter { index, .. } = self.heap.data_mut(it) {
                            *index += 1;
                        }
                        x
                    }
                    None => {
                        if let ObjData::SeqIter { seq, .. } = self.heap.data_mut(it) {
                            *seq = Obj::NULL;
                        }
                        self.heap.decref(seq);
                        Obj::NULL
                    }
                }
            }
            ObjData::RangeIter { start, step, len } => {
                if len <= 0 {
                    return Obj::NULL;
                }
                if let ObjData::RangeIter {
                    start: s, len: l, ..
                } = self.heap.data_mut(it)
                {
                    *s = start.wrapping_add(step);
                    *l = len - 1;
                }
                self.new_int(start)
            }
            _ => {
                let msg = format!("'{}' object is not an iterator", self.type_name_of(it));
                self.raise(wk::EXC_TYPE_ERROR, &msg)
            }
        }
    }

    /// `len(o)`, -1 with `TypeError` for objects without a length.
    pub fn length(&mut self, o: Obj) -> i64 {
        match self.heap.data(o) {
            ObjData::List(v) | ObjData::Tuple(v) | ObjData::Set(v) => v.len() as i64,
            ObjData::Dict(d) => d.used as i64,
            ObjData::Str(s) => s.chars().count() as i64,
            ObjData::Bytes(b) => b.len() as i64,
            ObjData::Range { start, stop, step } => range_len(*start, *stop, *step),
            _ => {
                let msg = format!("object of type '{}' has no len()", self.type_name_of(o));
                self.raise(wk::EXC_TYPE_ERROR, &msg);
                -1
            }
        }
    }

    /// `bool(o)`: 1, 0, or -1 with an exception.
    pub fn truth(&mut self, o: Obj) -> i32 {
        match self.heap.data(o) {
            ObjData::None => 0,
            ObjData::Int(i) => (i.sign() != 0) as i32,
            ObjData::Float(f) => (*f != 0.0) as i32,
            ObjData::Str(s) => (!s.is_empty()) as i32,
            ObjData::Bytes(b) => (!b.is_empty()) as i32,
            ObjData::List(v) | ObjData::Tuple(v) | ObjData::Set(v) => (!v.is_empty()) as i32,
            ObjData::Dict(d) => (d.used != 0) as i32,
            ObjData::Range { start, stop, step } => (range_len(*start, *stop, *step) != 0) as i32,
            ObjData::Opaque(t) => match t % 5 {
                0 => {
                    let msg = format!(
                        "'{}' object cannot be interpreted as a bool",
                        self.type_name_of(o)
                    );
                    self.raise(wk::EXC_TYPE_ERROR, &msg);
                    -1
                }
                1 | 2 => 1,
                _ => 0,
            },
            _ => 1,
        }
    }

    /// `a <op> b` as an object (new reference or NULL).
    pub fn rich_compare(&mut self, a: Obj, b: Obj, op: CmpOp) -> Obj {
        match self.rich_compare_bool_inner(a, b, op) {
            Some(Ok(r)) => self.new_bool(r),
            Some(Err(Raised)) => Obj::NULL,
            None => {
                // Opaque operands: a deterministic object (or error) from their identities.
                let m = mix(opaque_tag(self, a), opaque_tag(self, b)) ^ op as u64;
                match m % 6 {
                    0 => {
                        let msg = format!(
                            "'{}' not supported between instances of '{}' and '{}'",
                            op.symbol(),
                            self.type_name_of(a),
                            self.type_name_of(b)
                        );
                        self.raise(wk::EXC_TYPE_ERROR, &msg)
                    }
                    1 => self.new_opaque(wk::OPAQUE_TYPE, m),
                    k => self.new_bool(k % 2 == 0),
                }
            }
        }
    }

    /// Comparison of modelled kinds: `None` when an opaque object is involved.
    fn rich_compare_bool_inner(
        &mut self,
        a: Obj,
        b: Obj,
        op: CmpOp,
    ) -> Option<Result<bool, Raised>> {
        let opaque = matches!(self.heap.data(a), ObjData::Opaque(_))
            || matches!(self.heap.data(b), ObjData::Opaque(_));
        if matches!(op, CmpOp::Eq | CmpOp::Ne) {
            if opaque && a != b {
                return None;
            }
            let eq = equal(self, a, b).unwrap_or(a == b);
            return Some(Ok(if op == CmpOp::Eq { eq } else { !eq }));
        }
        if opaque {
            return None;
        }
        match order(self, a, b) {
            Some(o) => Some(Ok(op.holds(o))),
            None if crate::compare::is_number(self, a) && crate::compare::is_number(self, b) => {
                Some(Ok(false)) // NaN
            }
            None => {
                let msg = format!(
                    "'{}' not supported between instances of '{}' and '{}'",
                    op.symbol(),
                    self.type_name_of(a),
                    self.type_name_of(b)
                );
                self.raise(wk::EXC_TYPE_ERROR, &msg);
                Some(Err(Raised))
            }
        }
    }

    /// `x in container`: 1, 0 or -1.
    pub fn contains(&mut self, container: Obj, x: Obj) -> i32 {
        match self.heap.data(container).clone() {
            ObjData::List(v) | ObjData::Tuple(v) => {
                v.iter().any(|i| equal(self, *i, x).unwrap_or(*i == x)) as i32
            }
            ObjData::Set(_) | ObjData::Dict(_) if hash(self, x).is_none() => {
                self.hash_or_raise(x);
                -1
            }
            ObjData::Set(v) => v.iter().any(|i| equal(self, *i, x).unwrap_or(*i == x)) as i32,
            ObjData::Dict(_) => match self.dict_find(container, x) {
                Ok(f) => f.is_some() as i32,
                Err(Raised) => -1,
            },
            ObjData::Str(s) => match self.heap.data(x) {
                ObjData::Str(n) => s.contains(&**n) as i32,
                _ => {
                    let msg = format!(
                        "'in <string>' requires string as left operand, not {}",
                        self.type_name_of(x)
                    );
                    self.raise(wk::EXC_TYPE_ERROR, &msg);
                    -1
                }
            },
            ObjData::Range { start, stop, step } => match self.heap.data(x) {
                ObjData::Int(IntVal::Small(v)) => {
                    let v = *v;
                    let inside = if step > 0 {
                        v >= start && v < stop
                    } else {
                        v <= start && v > stop
                    };
                    (step != 0 && inside && (v as i128 - start as i128) % step as i128 == 0) as i32
                }
                _ => 0,
            },
            _ => {
                let msg = format!(
                    "argument of type '{}' is not a container or iterable",
                    self.type_name_of(container)
                );
                self.raise(wk::EXC_TYPE_ERROR, &msg);
                -1
            }
        }
    }

    /// Normalises a sequence index (negative from the end); `None` with `IndexError`.
    fn seq_index(&mut self, idx: Obj, len: usize, what: &str) -> Option<usize> {
        let i = match self.heap.data(idx) {
            ObjData::Int(IntVal::Small(i)) => *i,
            ObjData::Int(IntVal::Big(_)) => {
                self.raise(
                    wk::EXC_INDEX_ERROR,
                    "cannot fit 'int' into an index-sized integer",
                );
                return None;
            }
            _ => {
                let msg = format!(
                    "{what} indices must be integers or slices, not {}",
                    self.type_name_of(idx)
                );
                self.raise(wk::EXC_TYPE_ERROR, &msg);
                return None;
            }
        };
        let j = if i < 0 {
            i.saturating_add(len as i64)
        } else {
            i
        };
        if j < 0 || j >= len as i64 {
            self.raise(wk::EXC_INDEX_ERROR, &format!("{what} index out of range"));
            return None;
        }
        Some(j as usize)
    }

    /// The indices a slice selects from a sequence of length `len`.
    pub fn slice_indices(&mut self, sl: Obj, len: i64) -> Option<Vec<usize>> {
        let ObjData::Slice { start, stop, step } = self.heap.data(sl).clone() else {
            return None;
        };
        let get = |vm: &mut Vm, o: Obj| -> Result<Option<i64>, Raised> {
            match vm.heap.data(o) {
                ObjData::None => Ok(None),
                ObjData::Int(IntVal::Small(v)) => Ok(Some(*v)),
                ObjData::Int(IntVal::Big(b)) => Ok(Some(if b.sign() == num_bigint::Sign::Minus {
                    i64::MIN / 2
                } else {
                    i64::MAX / 2
                })),
                _ => {
                    vm.raise(
                        wk::EXC_TYPE_ERROR,
                        "slice indices must be integers or None or have an __index__ method",
                    );
                    Err(Raised)
                }
            }
        };
        let step = get(self, step).ok()?.unwrap_or(1);
        if step == 0 {
            self.raise(wk::EXC_VALUE_ERROR, "slice step cannot be zero");
            return None;
        }
        let (lo, hi) = if step > 0 { (0, len) } else { (-1, len - 1) };
        let norm = |v: Option<i64>, dflt: i64| -> i64 {
            match v {
                None => dflt,
                Some(v) if v < 0 => v.saturating_add(len).max(lo),
                Some(v) => v.min(hi),
            }
        };
        let start = norm(get(self, start).ok()?, if step > 0 { lo } else { hi });
        let stop = norm(get(self, stop).ok()?, if step > 0 { hi } else { lo });
        let mut out = Vec::new();
        let mut i = start;
        while (step > 0 && i < stop) || (step < 0 && i > stop) {
            out.push(i as usize);
            match i.checked_add(step) {
                Some(n) => i = n,
                None => break,
            }
        }
        Some(out)
    }

    /// `o[key]` (new reference or NULL).
    pub fn get_item(&mut self, o: Obj, key: Obj) -> Obj {
        let is_slice = matches!(self.heap.data(key), ObjData::Slice { .. });
        match self.heap.data(o).clone() {
            ObjData::List(v) | ObjData::Tuple(v) => {
                let list = matches!(self.heap.data(o), ObjData::List(_));
                let what = if list { "list" } else { "tuple" };
                if is_slice {
                    let Some(ix) = self.slice_indices(key, v.len() as i64) else {
                        return Obj::NULL;
                    };
                    let items: Vec<Obj> = ix.iter().map(|i| v[*i]).collect();
                    for i in &items {
                        self.heap.incref(*i);
                    }
                    return if list {
                        self.new_list(items)
                    } else {
                        self.new_tuple(items)
                    };
                }
                match self.seq_index(key, v.len(), what) {
                    Some(i) => {
                        self.heap.incref(v[i]);
                        v[i]
                    }
                    None => Obj::NULL,
                }
            }
            ObjData::Str(s) => {
                let chars: Vec<char> = s.chars().collect();
                if is_slice {
                    let Some(ix) = self.slice_indices(key, chars.len() as i64) else {
                        return Obj::NULL;
                    };
                    let t: String = ix.iter().map(|i| chars[*i]).collect();
                    return self.new_str(&t);
                }
                match self.seq_index(key, chars.len(), "string") {
                    Some(i) => self.new_str(&chars[i].to_string()),
                    None => Obj::NULL,
                }
            }
            ObjData::Bytes(b) => {
                if is_slice {
                    let Some(ix) = self.slice_indices(key, b.len() as i64) else {
                        return Obj::NULL;
                    };
                    let t: Vec<u8> = ix.iter().map(|i| b[*i]).collect();
                    return self.new_bytes(&t);
                }
                match self.seq_index(key, b.len(), "index") {
                    Some(i) => self.new_int(b[i] as i64),
                    None => Obj::NULL,
                }
            }
            ObjData::Range { start, stop, step } => {
                let len = range_len(start, stop, step);
                match self.seq_index(key, len as usize, "range object") {
                    Some(i) => self.new_int_big(
                        num_bigint::BigInt::from(start) + num_bigint::BigInt::from(step) * i,
                    ),
                    None => Obj::NULL,
                }
            }
            ObjData::Dict(_) => match self.dict_get(o, key) {
                Ok(v) if !v.is_null() => {
                    self.heap.incref(v);
                    v
                }
                Ok(_) => {
                    self.err_set_key_error(key);
                    Obj::NULL
                }
                Err(Raised) => Obj::NULL,
            },
            ObjData::Opaque(t) => {
                let m = mix(t, opaque_tag(self, key));
                if m % 4 == 0 {
                    self.raise(wk::EXC_KEY_ERROR, "opaque lookup failed")
                } else {
                    let ty = self.heap.ty(o);
                    self.new_opaque(ty, m)
                }
            }
            _ => {
                let msg = format!("'{}' object is not subscriptable", self.type_name_of(o));
                self.raise(wk::EXC_TYPE_ERROR, &msg)
            }
        }
    }

    /// `o[key] = v`: 0 or -1.
    pub fn set_item(&mut self, o: Obj, key: Obj, v: Obj) -> i32 {
        match self.heap.data(o).clone() {
            ObjData::List(items) => {
                let Some(i) = self.seq_index(key, items.len(), "list assignment") else {
                    return -1;
                };
                self.heap.incref(v);
                let old = match self.heap.data_mut(o) {
                    ObjData::List(l) => std::mem::replace(&mut l[i], v),
                    _ => Obj::NULL,
                };
                self.heap.decref(old);
                0
            }
            ObjData::Dict(_) => self.dict_set(o, key, v),
            ObjData::Opaque(t) if mix(t, opaque_tag(self, key)) % 4 != 0 => 0,
            _ => {
                let msg = format!(
                    "'{}' object does not support item assignment",
                    self.type_name_of(o)
                );
                self.raise(wk::EXC_TYPE_ERROR, &msg);
                -1
            }
        }
    }

    /// `del o[key]`: 0 or -1.
    pub fn del_item(&mut self, o: Obj, key: Obj) -> i32 {
        match self.heap.data(o).clone() {
            ObjData::List(items) => {
                let Some(i) = self.seq_index(key, items.len(), "list assignment") else {
                    return -1;
                };
                let old = match self.heap.data_mut(o) {
                    ObjData::List(l) => l.remove(i),
                    _ => Obj::NULL,
                };
                self.heap.decref(old);
                0
            }
            ObjData::Dict(_) => self.dict_del(o, key),
            _ => {
                let msg = format!(
                    "'{}' object does not support item deletion",
                    self.type_name_of(o)
                );
                self.raise(wk::EXC_TYPE_ERROR, &msg);
                -1
            }
        }
    }

    /// Looks `name` up along the `tp_base` chain's dicts (borrowed, or NULL).
    pub fn type_lookup(&mut self, ty: Obj, name: Obj) -> Obj {
        let mut t = ty;
        for _ in 0..64 {
            let (dict, base) = match self.heap.data(t) {
                ObjData::Type(td) => (td.dict, td.base),
                _ => return Obj::NULL,
            };
            if !dict.is_null() {
                if let Ok(v) = self.dict_get(dict, name) {
                    if !v.is_null() {
                        return v;
                    }
                }
            }
            if base.is_null() {
                break;
            }
            t = base;
        }
        Obj::NULL
    }

    /// `o.name` (new reference or NULL with `AttributeError`).
    pub fn get_attr(&mut self, o: Obj, name: Obj) -> Obj {
        if self.heap.ty(name) != wk::UNICODE_TYPE {
            let msg = format!(
                "attribute name must be string, not '{}'",
                self.type_name_of(name)
            );
            return self.raise(wk::EXC_TYPE_ERROR, &msg);
        }
        let n = crate::repr::str_of(self, name);
        match self.heap.data(o).clone() {
            ObjData::Module(d) => {
                if let Ok(v) = self.dict_get(d, name) {
                    if !v.is_null() {
                        self.heap.incref(v);
                        return v;
                    }
                }
                let mname = self.intern("__name__");
                let modname = match self.dict_get(d, mname) {
                    Ok(m) if !m.is_null() => crate::repr::str_of(self, m),
                    _ => "?".into(),
                };
                let msg = format!("module '{modname}' has no attribute '{n}'");
                self.raise(wk::EXC_ATTRIBUTE_ERROR, &msg)
            }
            ObjData::Type(_) => {
                let v = self.type_lookup(o, name);
                if !v.is_null() {
                    self.heap.incref(v);
                    return v;
                }
                if n == "__name__" {
                    let t = self.type_name(o);
                    return self.new_str(&t);
                }
                let msg = format!("type object '{}' has no attribute '{n}'", self.type_name(o));
                self.raise(wk::EXC_ATTRIBUTE_ERROR, &msg)
            }
            ObjData::Exception { args, .. } if n == "args" => {
                self.heap.incref(args);
                args
            }
            ObjData::Function(f) if n == "__code__" => {
                self.heap.incref(f.code);
                f.code
            }
            ObjData::Function(f) if n == "__name__" => {
                self.heap.incref(f.name);
                f.name
            }
            ObjData::Cell(_) | ObjData::Function(_) | ObjData::Code(_) => self.no_attr(o, &n),
            ObjData::Opaque(t) => {
                let ty = self.heap.ty(o);
                let v = self.type_lookup(ty, name);
                if !v.is_null() {
                    self.heap.incref(v);
                    return v;
                }
                let m = mix(t, crate::compare::hash(self, name).unwrap_or(0) as u64);
                if m % 4 == 0 {
                    return self.no_attr(o, &n);
                }
                self.new_opaque(wk::OPAQUE_TYPE, m)
            }
            ObjData::Int(i) if n == "real" || n == "numerator" => self.new_int_val(i),
            ObjData::Int(_) if n == "imag" => self.new_int(0),
            ObjData::Int(_) if n == "denominator" => self.new_int(1),
            ObjData::Float(f) if n == "real" => self.new_float(f),
            ObjData::Float(_) if n == "imag" => self.new_float(0.0),
            _ => {
                let ty = self.heap.ty(o);
                let v = self.type_lookup(ty, name);
                if !v.is_null() {
                    self.heap.incref(v);
                    return v;
                }
                self.no_attr(o, &n)
            }
        }
    }

    fn no_attr(&mut self, o: Obj, n: &str) -> Obj {
        let msg = format!("'{}' object has no attribute '{n}'", self.type_name_of(o));
        self.raise(wk::EXC_ATTRIBUTE_ERROR, &msg)
    }

    /// `o.name = v` (`v` NULL: `del o.name`): 0 or -1.
    pub fn set_attr(&mut self, o: Obj, name: Obj, v: Obj) -> i32 {
        if self.heap.ty(name) != wk::UNICODE_TYPE {
            let msg = format!(
                "attribute name must be string, not '{}'",
                self.type_name_of(name)
            );
            self.raise(wk::EXC_TYPE_ERROR, &msg);
            return -1;
        }
        let n = crate::repr::str_of(self, name);
        let target_dict = match self.heap.data(o) {
            ObjData::Module(d) => Some(*d),
            ObjData::Type(t) if t.flags & crate::well_known::tpflags::IMMUTABLETYPE == 0 => {
                // PyType_Modified: the version tag is invalidated.
                let d = t.dict;
                if let ObjData::Type(t) = self.heap.data_mut(o) {
                    let t = std::sync::Arc::make_mut(t);
                    t.version_tag = 0;
                    t.flags &= !crate::well_known::tpflags::VALID_VERSION_TAG;
                }
                Some(d)
            }
            ObjData::Type(_) => {
                let msg = format!(
                    "cannot set '{n}' attribute of immutable type '{}'",
                    self.type_name(o)
                );
                self.raise(wk::EXC_TYPE_ERROR, &msg);
                return -1;
            }
            ObjData::Opaque(_) => return 0,
            _ => None,
        };
        match target_dict {
            Some(d) if !d.is_null() => {
                if v.is_null() {
                    if self.dict_del(d, name) < 0 {
                        self.err_clear();
                        self.no_attr(o, &n);
                        return -1;
                    }
                    0
                } else {
                    self.dict_set(d, name, v)
                }
            }
            _ => {
                self.no_attr(o, &n);
                -1
            }
        }
    }

    /// Records a violation and raises `SystemError` (a C-level precondition failed).
    pub fn bad_internal_call(&mut self, what: &'static str) {
        self.violation(Violation::Assertion(what));
        self.set_exc_msg(wk::EXC_SYSTEM_ERROR, "bad argument to internal function");
    }

    /// `true` if `o` behaves like the builtin `b`.
    pub fn is_builtin(&self, o: Obj, b: Builtin) -> bool {
        self.builtin_of(o) == b
    }
}

/// `len(range(start, stop, step))`.
pub fn range_len(start: i64, stop: i64, step: i64) -> i64 {
    if step > 0 && start < stop {
        ((stop as i128 - start as i128 - 1) / step as i128 + 1) as i64
    } else if step < 0 && start > stop {
        ((start as i128 - stop as i128 - 1) / (-(step as i128)) + 1) as i64
    } else {
        0
    }
}
