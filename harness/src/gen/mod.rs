//! Fuzzed entry states for one instruction, driven by `arbitrary`.
//!
//! A [`StateSpec`] is what the bytes decode to (its `Debug` form is the readable reproducer);
//! [`materialize`] turns it into a `Vm` positioned at the instruction. Values are edge-biased
//! (0, −1, ±2^30 around the compact-int limit, ±2^63, NaN, ±inf, −0.0, empty and large
//! containers, NULL, opaque objects), and cache entries are most of the time *derived from the
//! state* (type versions, dict-keys versions, indices, objects) so that specialized bodies'
//! guards can pass instead of always deoptimizing.

mod decode;

use arbitrary::Arbitrary;
use num_bigint::BigInt;
use runtime::object::ObjData;
use runtime::well_known as wk;
use runtime::{CodePtr, FaultPlan, FunctionData, Obj, StackRef, Value, Vm};
use std::sync::Arc;
use translator::analysis::cexpr::CExpr;
use translator::analysis::{Analysis, Instruction, Part};

/// An integer, biased to the values where int fast paths change behaviour.
#[derive(Arbitrary, Debug, Clone, PartialEq)]
pub enum IntSpec {
    Zero,
    One,
    MinusOne,
    /// `2^30 - 1 + k` for k in -1..=2: around the compact (one-digit) limit
    CompactEdge(i8),
    /// `-(2^30) + k`
    NegCompactEdge(i8),
    /// `2^63 + k` (does not fit an `i64` for k >= 0)
    Pow63(i8),
    /// `-(2^63) + k`
    NegPow63(i8),
    /// a small value
    Small(i8),
    /// anything
    Any(i64),
}

impl IntSpec {
    /// The value.
    pub fn value(&self) -> BigInt {
        BigInt::from(self.value_i128())
    }

    /// The value as an `i128` (every spec fits: the extremes are about ±2^63), so building an
    /// int allocates no `BigInt` unless it does not fit an `i64`.
    pub fn value_i128(&self) -> i128 {
        let p30 = 1i128 << 30;
        let p63 = 1i128 << 63;
        match self {
            IntSpec::Zero => 0,
            IntSpec::One => 1,
            IntSpec::MinusOne => -1,
            IntSpec::CompactEdge(k) => p30 - 1 + (*k as i128).rem_euclid(4) - 1,
            IntSpec::NegCompactEdge(k) => -p30 + (*k as i128).rem_euclid(4) - 1,
            IntSpec::Pow63(k) => p63 + (*k as i128).rem_euclid(4) - 2,
            IntSpec::NegPow63(k) => -p63 + (*k as i128).rem_euclid(4) - 2,
            IntSpec::Small(v) => *v as i128,
            IntSpec::Any(v) => *v as i128,
        }
    }
}

/// A float, biased to the special values.
#[derive(Arbitrary, Debug, Clone, PartialEq)]
pub enum FloatSpec {
    Zero,
    NegZero,
    NaN,
    Inf,
    NegInf,
    Half,
    Any(f64),
}

impl FloatSpec {
    /// The value.
    pub fn value(&self) -> f64 {
        match self {
            FloatSpec::Zero => 0.0,
            FloatSpec::NegZero => -0.0,
            FloatSpec::NaN => f64::NAN,
            FloatSpec::Inf => f64::INFINITY,
            FloatSpec::NegInf => f64::NEG_INFINITY,
            FloatSpec::Half => 0.5,
            FloatSpec::Any(f) => *f,
        }
    }
}

/// Names shared by `co_names`, dict keys and attribute names, so lookups can hit.
pub const NAMES: &[&str] = &[
    "x",
    "y",
    "a",
    "__name__",
    "append",
    "__class__",
    "len",
    "None",
    // `_Py_ID(...)` names bodies look up in builtins/locals (LOAD_BUILD_CLASS,
    // SETUP_ANNOTATIONS), so those lookups can hit too.
    "__build_class__",
    "__annotations__",
];

/// A str: one of [`NAMES`] (interned, as in `co_names`), or a fresh string.
#[derive(Arbitrary, Debug, Clone, PartialEq)]
pub enum StrSpec {
    Name(u8),
    Empty,
    Fresh(u8),
}

/// A value (a new reference once materialized); containers nest at most [`MAX_DEPTH`].
#[derive(Arbitrary, Debug, Clone, PartialEq)]
pub enum Val {
    None,
    True,
    False,
    Int(IntSpec),
    Float(FloatSpec),
    Str(StrSpec),
    Bytes(u8),
    Tuple(Vec<Val>),
    List(Vec<Val>),
    /// a list of `n` small ints (large containers)
    LongList(u8),
    Dict(Vec<(StrSpec, Val)>),
    Set(Vec<IntSpec>),
    FrozenSet(Vec<IntSpec>),
    Range(i8, i8, i8),
    Slice(Box<Val>, Box<Val>),
    ListIter(Vec<Val>, u8),
    TupleIter(Vec<Val>, u8),
    RangeIter(i8, i8, u8),
    Cell(Box<Val>),
    /// an instance of a fresh heap class, or of `object`-like opaque type
    Opaque(u8),
    /// a fresh heap class
    Class(u8),
    Function(u8),
    Exception(u8),
    /// an object already built for this state (aliasing)
    Shared(u8),
    /// a builtin type object (`type`, `int`, `str`, `list`, `tuple`, `dict`, `object`) or one
    /// of `interp->callable_cache` (`len`, `isinstance`, `list.append`)
    BuiltinType(u8),
    /// `NULL` (stack items and locals only)
    Null,
    /// a code object taking `k % 3` arguments (`MAKE_FUNCTION`'s input)
    Code(u8),
}

/// An oparg, biased to small values.
#[derive(Arbitrary, Debug, Clone, PartialEq)]
pub enum OpargSpec {
    Zero,
    One,
    Small(u8),
    Byte(u8),
    Wide(u16),
}

/// One inline-cache entry: derived from the state most of the time.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq)]
pub enum CacheSpec {
    /// a value derived from any object of the state
    Derived(u8),
    /// a value derived from the stack inputs only, chosen by the entry's name
    /// ([`derived_for_entry`]); also what an entry the spec does not cover gets
    Derived2(u8),
    Derived3(u8),
    Zero,
    Raw(u16),
}

/// Everything a state is made of (the readable part of a reproducer).
#[derive(Arbitrary, Debug, Clone, PartialEq)]
pub struct StateSpec {
    pub oparg: OpargSpec,
    /// items below the instruction's inputs (detects over-popping)
    pub extra_below: u8,
    /// stack inputs, used cyclically to fill the declared input count
    pub stack: Vec<Val>,
    pub locals: Vec<Val>,
    pub consts: Vec<Val>,
    pub globals: Vec<(StrSpec, Val)>,
    pub builtins: Vec<(StrSpec, Val)>,
    pub cache: Vec<CacheSpec>,
    /// fail the n-th fallible call (n mod 6) when the byte is below 48 (about 1 state in 10)
    pub fault: Option<u8>,
    /// bit i set: stack input i gets the kind the instruction's name suggests (`*_INT` → int,
    /// `FOR_ITER_LIST` → list iterator, ...), so type guards of specialized instructions pass
    pub uniform: u8,
    /// the frame has a `f_locals` dict (module/class-level code)
    pub frame_locals: bool,
    pub eval_breaker: bool,
}

/// Container nesting limit.
pub const MAX_DEPTH: usize = 3;
/// Stack inputs above this count (an array of `oparg` items) make the generator shrink oparg.
pub const MAX_INPUTS: i64 = 24;

/// What the generator needs to know about an instruction.
#[derive(Debug, Clone)]
pub struct Layout {
    /// instruction name
    pub name: String,
    /// opcode number (0 when the version assigns none)
    pub opcode: u32,
    /// code units including the instruction word
    pub size: i64,
    /// inputs popped, as a C expression over `oparg`
    pub popped: Option<CExpr>,
    /// outputs pushed
    pub pushed: Option<CExpr>,
    /// (offset after the instruction word, size) of every cache entry, `unused` ones included
    pub caches: Vec<(i64, u32)>,
    /// the DSL name of each entry of `caches` (`type_version`, `keys_version`, ...)
    pub cache_names: Vec<String>,
    /// sizes of every array stack item (`values[oparg - 1]`): the oparg must keep them >= 0
    pub sizes: Vec<CExpr>,
    /// the kinds of stack input the instruction's specialization expects, bottom first (used
    /// cyclically)
    pub hint: Vec<Val>,
    /// the opcode the instruction expects right after itself (`CALL_LIST_APPEND` asserts a
    /// `POP_TOP` follows, and skips it); `None`: a zero code unit
    pub next_opcode: Option<u32>,
    /// the name promises immortal constants (`LOAD_CONST_IMMORTAL`)
    pub immortal_consts: bool,
    /// the oparg indexes `localsplus` (`*FAST*`, `*DEREF*`, `*CELL*`)
    pub indexes_locals: bool,
    /// an opcode that follows the instruction in states with an even oparg only (the
    /// `POP_JUMP_IF_*` family skips a following `NOT_TAKEN` when it does not jump), so both
    /// shapes of the code are generated
    pub next_opcode_even: Option<u32>,
    /// the instruction returns to the calling frame (`RETURN_VALUE` pops its frame and pushes
    /// the result on `frame->previous`): the state has a caller, and the items below the inputs
    /// are the caller's stack (CPython's callee frame starts with an empty stack)
    pub returns_to_caller: bool,
    /// the instruction decodes the code unit after itself (`EXTENDED_ARG` reads the next
    /// opcode and oparg byte and dispatches to it): that unit comes from the spec
    pub decodes_next: bool,
    /// `_PyOpcode_Caches` of the input, by opcode (the model's `vm.opcode_caches`)
    pub opcode_caches: Arc<[u8; 256]>,
    /// for `INSTRUMENTED_INSTRUCTION`: the opcodes the code's `per_instruction_opcodes` may hold
    /// at the instruction (every opcode of the input; empty for other instructions)
    pub replaced_opcodes: Vec<u8>,
    /// the instruction compares the code's `_co_instrumentation_version` with the global one
    /// (the `RESUME` family): states also vary the global version (the eval breaker's bits above
    /// `_PY_EVAL_EVENTS_MASK`) and whether the code is already at it
    pub checks_instrumentation: bool,
}

/// The input kinds a specialized instruction's name promises (`BINARY_OP_ADD_INT` → ints,
/// `CALL_TYPE_1` → `type`, NULL, an argument).
pub fn hint_for(name: &str) -> Vec<Val> {
    match name {
        "CALL_TYPE_1" => return vec![Val::BuiltinType(0), Val::Null, Val::Int(IntSpec::One)],
        "CALL_STR_1" => return vec![Val::BuiltinType(2), Val::Null, Val::Int(IntSpec::One)],
        "CALL_TUPLE_1" => return vec![Val::BuiltinType(4), Val::Null, Val::List(Vec::new())],
        "CALL_LEN" => return vec![Val::BuiltinType(7), Val::Null, Val::List(Vec::new())],
        "MAKE_FUNCTION" => return vec![Val::Code(1)],
        // a dict holding the names a hinted subscript is made of (else only the KeyError
        // path runs); kept as it is by `same_kind`
        "BINARY_SUBSCR_DICT" | "BINARY_OP_SUBSCR_DICT" => {
            let keys = (0..8).map(|k| (StrSpec::Name(k), Val::Int(IntSpec::One)));
            return vec![Val::Dict(keys.collect()), Val::Str(StrSpec::Name(0))];
        }
        // a sequence and an index into it (the name's `INT` alone would make both ints)
        "BINARY_OP_SUBSCR_LIST_INT" => {
            return vec![Val::List(Vec::new()), Val::Int(IntSpec::Zero)];
        }
        "BINARY_OP_SUBSCR_LIST_SLICE" => {
            let slice = Val::Slice(Box::new(Val::Int(IntSpec::Zero)), Box::new(Val::None));
            return vec![Val::List(Vec::new()), slice];
        }
        "BINARY_OP_SUBSCR_TUPLE_INT" => {
            return vec![Val::Tuple(Vec::new()), Val::Int(IntSpec::Zero)];
        }
        "STORE_SUBSCR_LIST_INT" => {
            return vec![Val::None, Val::List(Vec::new()), Val::Int(IntSpec::Zero)];
        }
        "CALL_ISINSTANCE" => {
            return vec![
                Val::BuiltinType(8),
                Val::Null,
                Val::Int(IntSpec::One),
                Val::BuiltinType(1),
            ]
        }
        "CALL_LIST_APPEND" => {
            return vec![
                Val::BuiltinType(9),
                Val::List(Vec::new()),
                Val::Int(IntSpec::One),
            ]
        }
        _ => {}
    }
    hint_kind(name).into_iter().collect()
}

fn hint_kind(name: &str) -> Option<Val> {
    let has = |w: &str| name.split('_').any(|p| p == w);
    Some(if name.starts_with("FOR_ITER_LIST") {
        Val::ListIter(vec![Val::Int(IntSpec::One)], 0)
    } else if name.starts_with("FOR_ITER_TUPLE") {
        Val::TupleIter(vec![Val::Int(IntSpec::One)], 0)
    } else if name.starts_with("FOR_ITER_RANGE") {
        Val::RangeIter(0, 1, 2)
    } else if name.ends_with("TWO_TUPLE") {
        Val::Tuple(vec![Val::Int(IntSpec::One), Val::Int(IntSpec::Zero)])
    } else if name == "UNARY_NOT"
        || name.ends_with("POP_JUMP_IF_TRUE")
        || name.ends_with("POP_JUMP_IF_FALSE")
    {
        // `assert(PyStackRef_BoolCheck(cond))`: the compiler only puts bools there.
        Val::True
    } else if name.starts_with("LOAD_ATTR_CLASS") {
        // the owner is a class (`_CHECK_ATTR_CLASS`); its metaclass is `type`
        Val::Class(0)
    } else if has("EXC") || name.contains("ASYNC_FOR") || name.contains("EXC_INFO") {
        Val::Exception(0)
    } else if has("INT") {
        Val::Int(IntSpec::Small(1))
    } else if has("FLOAT") {
        Val::Float(FloatSpec::Half)
    } else if has("UNICODE") || has("STR") {
        Val::Str(StrSpec::Name(0))
    } else if has("LIST") {
        Val::List(Vec::new())
    } else if has("TUPLE") {
        Val::Tuple(Vec::new())
    } else if has("DICT") {
        Val::Dict(Vec::new())
    } else if has("SET") {
        Val::Set(Vec::new())
    } else if has("BOOL") {
        Val::True
    } else if has("NONE") {
        Val::None
    } else {
        return None;
    })
}

impl Layout {
    /// The layout of an analysed instruction.
    pub fn of(a: &Analysis, inst: &Instruction) -> Layout {
        let mut caches = Vec::new();
        let mut cache_names = Vec::new();
        let mut sizes = Vec::new();
        let mut off = 0i64;
        for p in &inst.parts {
            match p {
                Part::Skip(n) => off += *n as i64,
                Part::Flush => {}
                Part::Uop(k) => {
                    if let Some(u) = a.uop(k) {
                        for it in u.inputs.iter().chain(&u.outputs) {
                            if let Some(e) = it.size.as_deref().and_then(|t| CExpr::parse(t).ok()) {
                                sizes.push(e);
                            }
                        }
                        for c in &u.caches {
                            if c.size > 0 {
                                caches.push((off, c.size as u32));
                                cache_names.push(c.name.clone());
                            }
                            off += c.size as i64;
                        }
                    }
                }
            }
        }
        Layout {
            name: inst.name.clone(),
            opcode: inst
                .opcode
                .or_else(|| a.opmap.get(&inst.name).copied())
                .unwrap_or(0),
            size: inst.size as i64,
            popped: CExpr::parse(&inst.popped).ok().map(folded),
            pushed: CExpr::parse(&inst.pushed).ok().map(folded),
            caches,
            cache_names,
            sizes,
            hint: hint_for(&inst.name),
            next_opcode: match inst.name.as_str() {
                "CALL_LIST_APPEND" => a.opmap.get("POP_TOP").copied(),
                _ => None,
            },
            immortal_consts: inst.name.contains("IMMORTAL"),
            indexes_locals: ["FAST", "DEREF", "CELL"]
                .iter()
                .any(|w| inst.name.contains(w)),
            next_opcode_even: if inst.name.starts_with("POP_JUMP_IF_") {
                a.opmap.get("NOT_TAKEN").copied()
            } else {
                None
            },
            returns_to_caller: [
                "RETURN_VALUE",
                "RETURN_CONST",
                "RETURN_GENERATOR",
                "YIELD_VALUE",
            ]
            .iter()
            .any(|w| inst.name.contains(w)),
            decodes_next: inst.name == "EXTENDED_ARG",
            checks_instrumentation: inst.name.contains("RESUME"),
            opcode_caches: opcode_caches(a),
            replaced_opcodes: if inst.name == "INSTRUMENTED_INSTRUCTION" {
                a.opmap
                    .values()
                    .filter_map(|&o| u8::try_from(o).ok().filter(|&o| o > 0))
                    .collect()
            } else {
                Vec::new()
            },
        }
    }

    fn count(e: &Option<CExpr>, oparg: u32) -> i64 {
        match e {
            Some(CExpr::Num(n)) => *n,
            e => e
                .as_ref()
                .and_then(|e| e.eval_oparg(oparg as i64).ok())
                .unwrap_or(0),
        }
        .max(0)
    }
}

/// `e` evaluated once when it does not depend on the oparg (most stack counts are constants:
/// evaluating them for every state was a measurable share of [`materialize`]).
fn folded(e: CExpr) -> CExpr {
    match e.eval_oparg(0) {
        Ok(n) if !e.mentions("oparg") => CExpr::Num(n),
        _ => e,
    }
}

/// A materialized state.
#[derive(Debug, Clone)]
pub struct State {
    /// the model, positioned at the instruction (`this_instr`, `next_instr`, `instr_ptr`)
    pub vm: Vm,
    /// the instruction's oparg
    pub oparg: u32,
    /// the failure plan to install at the start of the run
    pub faults: FaultPlan,
}

/// `_PyOpcode_Caches` of an input, from its analysis (the parity tests hold
/// [`translator::analysis::tables::caches`] to CPython's header).
pub fn opcode_caches(a: &Analysis) -> Arc<[u8; 256]> {
    let mut t = [0u8; 256];
    for (name, n) in translator::analysis::tables::caches(a) {
        if let Some(&op) = a.opmap.get(&name) {
            if let (Some(slot), Ok(n)) = (t.get_mut(op as usize), u8::try_from(n)) {
                *slot = n;
            }
        }
    }
    Arc::new(t)
}

/// Index of `this_instr` in the generated code object (units before it are `NOP`-like zeros).
pub const THIS_INSTR: i64 = 2;

/// `instr_ptr` of the caller frame of [`Layout::returns_to_caller`] states: the call it made.
pub const CALLER_INSTR: i64 = 3;

/// The caller's `return_offset` (the size of the call instruction: `CALL` is 4 units, `SEND`
/// 2), picked by the top two bits of [`StateSpec::extra_below`].
pub const RETURN_OFFSETS: [u16; 4] = [4, 2, 1, 0];

/// Decodes `bytes` into a spec (never fails: missing bytes decode as zeros), as the derived
/// `StateSpec::arbitrary` would ([`decode`] does it without the derive's overhead).
pub fn spec_from_bytes(bytes: &[u8]) -> StateSpec {
    decode::spec(bytes)
}

/// The text of `StrSpec::Fresh(i)`: `s{i}`, built without the formatting machinery (one per
/// fresh str of a state, a hot path).
fn fresh_str_text(i: u8) -> String {
    let mut t = String::with_capacity(4);
    t.push('s');
    if i >= 100 {
        t.push(char::from(b'0' + i / 100));
    }
    if i >= 10 {
        t.push(char::from(b'0' + i / 10 % 10));
    }
    t.push(char::from(b'0' + i % 10));
    t
}

struct Builder<'a> {
    vm: &'a mut Vm,
    /// the prototype's interned names
    names: &'static ProtoNames,
    built: Vec<Obj>,
    classes: Vec<Obj>,
}

impl Builder<'_> {
    fn str(&mut self, s: &StrSpec) -> Obj {
        match s {
            StrSpec::Name(i) => self.names.names[*i as usize % NAMES.len()],
            StrSpec::Empty => wk::EMPTY_STR,
            StrSpec::Fresh(i) => {
                let t = fresh_str_text(*i);
                self.vm.new_str(&t)
            }
        }
    }

    fn int(&mut self, i: &IntSpec) -> Obj {
        // the same object `new_int_big(i.value())` makes (it stores a value that fits an `i64`
        // as a small int), without building a `BigInt` for every int of the state
        let v = i.value_i128();
        match i64::try_from(v) {
            Ok(v) => self.vm.new_int(v),
            Err(_) => self.vm.new_int_big(BigInt::from(v)),
        }
    }

    fn class(&mut self, k: u8) -> Obj {
        let i = k as usize % 3;
        while self.classes.len() <= i {
            let n = self.classes.len();
            let base = [wk::OBJECT_TYPE, wk::LONG_TYPE, wk::EXC_EXCEPTION][n];
            let name = ["C0", "C1", "C2"][n];
            let ty = self.vm.new_type(name, base, 0);
            // a class attribute, so attribute lookups through the type can hit
            if let ObjData::Type(t) = self.vm.heap.data(ty) {
                let d = t.dict;
                let key = self.names.names[n % NAMES.len()];
                let v = self.vm.new_int(n as i64);
                self.vm.dict_set(d, key, v);
                set_keys_version(self.vm, d);
            }
            self.classes.push(ty);
        }
        self.classes[i]
    }

    /// A new reference (NULL for `Val::Null`).
    fn val(&mut self, v: &Val, depth: usize) -> Obj {
        let deep = depth >= MAX_DEPTH;
        let o = match v {
            Val::Null => return Obj::NULL,
            Val::None => wk::NONE,
            Val::True => wk::TRUE,
            Val::False => wk::FALSE,
            Val::Int(i) => self.int(i),
            Val::Float(f) => self.vm.new_float(f.value()),
            Val::Str(s) => self.str(s),
            Val::Bytes(n) => {
                let b: Vec<u8> = (0..*n % 8).collect();
                self.vm.new_bytes(&b)
            }
            Val::Tuple(items) | Val::List(items) if deep => {
                let _ = items;
                wk::EMPTY_TUPLE
            }
            Val::Tuple(items) => {
                let v = self.items(items, depth);
                self.vm.new_tuple(v)
            }
            Val::List(items) => {
                let v = self.items(items, depth);
                self.vm.new_list(v)
            }
            Val::LongList(n) => {
                // `new_int(i)` for each i: the small ones are the prototype's immortals
                let len = *n as usize + 16;
                let small = &self.names.small_ints;
                let mut v = Vec::with_capacity(len);
                v.extend_from_slice(&small[..len.min(small.len())]);
                for i in small.len()..len {
                    v.push(self.vm.new_int(i as i64));
                }
                self.vm.new_list(v)
            }
            Val::Dict(kv) => {
                let d = self.vm.new_dict();
                if !deep {
                    for (k, v) in kv.iter().take(6) {
                        let k = self.str(k);
                        let v = self.val(v, depth + 1);
                        if !v.is_null() {
                            self.vm.dict_set(d, k, v);
                            self.vm.heap.decref(v);
                        }
                        self.vm.heap.decref(k);
                    }
                }
                set_keys_version(self.vm, d);
                d
            }
            Val::Set(items) | Val::FrozenSet(items) => {
                let frozen = matches!(v, Val::FrozenSet(_));
                let members = items.iter().take(6).map(|i| self.int(i)).collect();
                self.vm.new_set(members, frozen)
            }
            Val::Range(a, b, c) => {
                let step = if *c == 0 { 1 } else { *c as i64 };
                self.vm.new_range(*a as i64, *b as i64, step)
            }
            Val::Slice(a, b) => {
                let a = if deep {
                    wk::NONE
                } else {
                    self.val(a, depth + 1)
                };
                let b = if deep {
                    wk::NONE
                } else {
                    self.val(b, depth + 1)
                };
                let none = |o: Obj| if o.is_null() { wk::NONE } else { o };
                self.vm.heap.alloc(
                    wk::SLICE_TYPE,
                    ObjData::Slice {
                        start: none(a),
                        stop: none(b),
                        step: wk::NONE,
                    },
                )
            }
            Val::ListIter(items, idx) | Val::TupleIter(items, idx) => {
                let list = matches!(v, Val::ListIter(..));
                let v = if deep {
                    Vec::new()
                } else {
                    self.items(items, depth)
                };
                let seq = if list {
                    self.vm.new_list(v)
                } else {
                    self.vm.new_tuple(v)
                };
                let ty = if list {
                    wk::LISTITER_TYPE
                } else {
                    wk::TUPLEITER_TYPE
                };
                self.vm.heap.alloc(
                    ty,
                    ObjData::SeqIter {
                        seq,
                        index: (*idx % 4) as i64,
                    },
                )
            }
            Val::RangeIter(start, step, len) => self.vm.heap.alloc(
                wk::RANGEITER_TYPE,
                ObjData::RangeIter {
                    start: *start as i64,
                    step: if *step == 0 { 1 } else { *step as i64 },
                    len: (*len % 5) as i64,
                },
            ),
            Val::Cell(inner) => {
                let o = if deep {
                    Obj::NULL
                } else {
                    self.val(inner, depth + 1)
                };
                let c = self.vm.new_cell(o);
                self.vm.heap.xdecref(o);
                c
            }
            Val::Opaque(k) => {
                let ty = if k % 2 == 0 {
                    wk::OPAQUE_TYPE
                } else {
                    self.class(k / 2)
                };
                self.vm.new_opaque(ty, *k as u64)
            }
            Val::Class(k) => {
                let c = self.class(*k);
                self.vm.heap.incref(c);
                c
            }
            Val::Function(k) => self.function(*k),
            Val::Code(k) => self.code(*k),
            Val::Exception(k) => {
                let ty = [
                    wk::EXC_TYPE_ERROR,
                    wk::EXC_VALUE_ERROR,
                    wk::EXC_STOP_ITERATION,
                    wk::EXC_KEY_ERROR,
                ][*k as usize % 4];
                self.vm.new_exception(ty, wk::EMPTY_TUPLE)
            }
            Val::BuiltinType(k) => [
                wk::TYPE_TYPE,
                wk::LONG_TYPE,
                wk::UNICODE_TYPE,
                wk::LIST_TYPE,
                wk::TUPLE_TYPE,
                wk::DICT_TYPE,
                wk::OBJECT_TYPE,
                wk::BUILTIN_LEN,
                wk::BUILTIN_ISINSTANCE,
                wk::LIST_APPEND,
            ][*k as usize % 10],
            Val::Shared(k) => {
                if self.built.is_empty() {
                    wk::NONE
                } else {
                    let o = self.built[*k as usize % self.built.len()];
                    self.vm.heap.incref(o);
                    return o;
                }
            }
        };
        if !self.vm.heap.is_immortal(o) {
            self.built.push(o);
        }
        o
    }

    fn items(&mut self, items: &[Val], depth: usize) -> Vec<Obj> {
        items
            .iter()
            .take(8)
            .map(|v| {
                let o = self.val(v, depth + 1);
                if o.is_null() {
                    wk::NONE
                } else {
                    o
                }
            })
            .collect()
    }

    /// A new code object with `k % 3` positional parameters.
    fn code(&mut self, k: u8) -> Obj {
        let nargs = (k % 3) as usize;
        let n = self.names;
        let code = self.vm.code_with_names(
            vec![0; 4],
            Vec::new(),
            Vec::new(),
            &n.locals[..nargs],
            n.f,
            4,
        );
        if let ObjData::Code(c) = self.vm.heap.data_mut(code) {
            std::sync::Arc::make_mut(c).argcount = nargs as i32;
        }
        code
    }

    fn function(&mut self, k: u8) -> Obj {
        let code = self.code(k);
        let name = self.names.f;
        let version = self.vm.fresh_version();
        self.vm.new_function(FunctionData::plain(
            code,
            Obj::NULL,
            Obj::NULL,
            name,
            version,
        ))
    }
}

/// `v` turned into a value of the same kind as `like` (values differ by position `i`).
fn same_kind(like: &Val, v: &Val, i: usize) -> Val {
    let k = i as i8;
    match (like, v) {
        (Val::Dict(l), _) if !l.is_empty() => like.clone(),
        (Val::Int(_), Val::Int(_))
        | (Val::Float(_), Val::Float(_))
        | (Val::Str(_), Val::Str(_))
        | (Val::List(_), Val::List(_))
        | (Val::Tuple(_), Val::Tuple(_))
        | (Val::Dict(_), Val::Dict(_))
        | (Val::Set(_), Val::Set(_))
        | (Val::True | Val::False, Val::True | Val::False) => v.clone(),
        (Val::ListIter(..), Val::List(items)) => Val::ListIter(items.clone(), k as u8),
        (Val::TupleIter(..), Val::Tuple(items)) => Val::TupleIter(items.clone(), k as u8),
        (Val::RangeIter(..), Val::Range(a, _, c)) => Val::RangeIter(*a, *c, k as u8),
        (Val::True, _) => Val::False,
        (Val::Tuple(l), _) if l.len() == 2 => {
            Val::Tuple(vec![Val::Int(IntSpec::Small(k)), v.clone()])
        }
        (Val::Null, _) => Val::Null,
        // an index hint (`*_SUBSCR_*_INT`) stays an index the hinted sequence has
        (Val::Int(IntSpec::Zero), _) => Val::Int(IntSpec::Zero),
        (Val::BuiltinType(t), _) => Val::BuiltinType(*t),
        (Val::Int(_), _) => Val::Int(IntSpec::Small(k)),
        (Val::Float(_), _) => Val::Float(FloatSpec::Any(k as f64 * 1.5)),
        (Val::Str(_), _) => Val::Str(StrSpec::Name(i as u8)),
        (Val::List(_), _) => Val::List(vec![Val::Int(IntSpec::Small(k))]),
        (Val::Tuple(_), _) => Val::Tuple(vec![Val::Int(IntSpec::Small(k))]),
        (Val::Dict(_), _) => Val::Dict(vec![(StrSpec::Name(i as u8), Val::None)]),
        (Val::Set(_), _) => Val::Set(vec![IntSpec::Small(k)]),
        _ => like.clone(),
    }
}

/// Gives a dict a valid keys version, as `_PyDictKeys_GetVersionForCurrentState` would.
fn set_keys_version(vm: &mut Vm, d: Obj) {
    let v = vm.fresh_version();
    if let ObjData::Dict(dd) = vm.heap.data_mut(d) {
        dd.keys_version = v;
    }
}

fn oparg_of(s: &OpargSpec) -> u32 {
    match s {
        OpargSpec::Zero => 0,
        OpargSpec::One => 1,
        OpargSpec::Small(v) => (*v % 8) as u32,
        OpargSpec::Byte(v) => *v as u32,
        OpargSpec::Wide(v) => *v as u32,
    }
}

/// Candidate cache values derived from the state: versions, indices, small counts.
fn derived_u32(vm: &Vm, objs: &[Obj]) -> Vec<u32> {
    let mut v = Vec::with_capacity(3 + 4 * objs.len());
    v.extend([0, 1, 2]);
    for &o in objs {
        if o.is_null() {
            continue;
        }
        let ty = vm.heap.ty(o);
        if let ObjData::Type(t) = vm.heap.data(ty) {
            v.push(t.version_tag);
        }
        match vm.heap.data(o) {
            ObjData::Type(t) => {
                v.push(t.version_tag);
                if let ObjData::Dict(d) = vm.heap.data(t.dict) {
                    v.push(d.keys_version);
                }
            }
            ObjData::Dict(d) => {
                v.push(d.keys_version);
                v.push(d.entries.len().saturating_sub(1) as u32);
            }
            ObjData::Function(f) => {
                v.push(f.version);
                if let ObjData::Code(c) = vm.heap.data(f.code) {
                    v.push(c.version);
                }
            }
            ObjData::Code(c) => v.push(c.version),
            ObjData::Tuple(t) | ObjData::List(t) => v.push(t.len() as u32),
            _ => {}
        }
    }
    v
}

/// Values for the cache entry `name` derived from the stack inputs `objs`, in the order the
/// specialized bodies read them when entries are not given: a type object's own version comes
/// before its metaclass's (`LOAD_ATTR_CLASS_WITH_METACLASS_CHECK` reads the class's version at
/// its first `type_version`, the metaclass's at its second), an instance's type's version alone
/// otherwise. Empty when the name says nothing the inputs carry.
fn derived_for_entry(vm: &Vm, name: &str, objs: &[Obj]) -> Vec<u32> {
    // An adaptive instruction's backoff counter: 0 fires `ADAPTIVE_COUNTER_TRIGGERS` (the
    // specialize-and-redispatch path), 17 (value 1, backoff 1) does not, so the instruction's
    // own body runs; both pycore_backoff.h layouts (3.13, 3.14) read them so.
    if name == "counter" {
        return vec![0, 17];
    }
    let mut v = Vec::new();
    let type_version = |vm: &Vm, t: Obj| match vm.heap.data(t) {
        ObjData::Type(t) => Some(t.version_tag),
        _ => None,
    };
    for &o in objs.iter().rev().filter(|o| !o.is_null()) {
        let ty = vm.heap.ty(o);
        if name.contains("type_version") {
            v.extend(type_version(vm, o));
            v.extend(type_version(vm, ty));
        } else if name.contains("keys_version") {
            for t in [o, ty] {
                if let ObjData::Type(t) = vm.heap.data(t) {
                    if let ObjData::Dict(d) = vm.heap.data(t.dict) {
                        v.push(d.keys_version);
                    }
                }
            }
            if let ObjData::Dict(d) = vm.heap.data(o) {
                v.push(d.keys_version);
            }
        } else if name.contains("version") {
            match vm.heap.data(o) {
                ObjData::Function(f) => v.push(f.version),
                ObjData::Code(c) => v.push(c.version),
                _ => {}
            }
        }
    }
    if v.is_empty() && !name.contains("version") {
        v = derived_u32(vm, objs);
    }
    v
}

/// The empty state every generated state starts from: [`Vm::new`] plus the immortals almost
/// every state creates anyway (the small ints, the interned [`NAMES`] and the names of
/// [`Vm::simple_code`]), built once and frozen into the heap's shared prefix. Creating them per
/// state cost more than half of `materialize`; both sides of a check still see the same objects.
fn prototype() -> &'static (Vm, ProtoNames) {
    static PROTO: std::sync::OnceLock<(Vm, ProtoNames)> = std::sync::OnceLock::new();
    PROTO.get_or_init(|| {
        let mut vm = Vm::new();
        for v in wk::SMALL_INT_MIN..=wk::SMALL_INT_MAX {
            vm.new_int(v);
        }
        let names = ProtoNames {
            small_ints: (0..=wk::SMALL_INT_MAX).map(|v| vm.new_int(v)).collect(),
            names: NAMES.iter().map(|n| vm.intern(n)).collect(),
            f: vm.intern("f"),
            locals: ["l0", "l1", "l2", "l3"].map(|n| vm.intern(n)),
        };
        vm.heap.freeze();
        // Room for the objects a state creates: every copy starts with it, so the arena does
        // not grow (and move) while the state is built.
        vm.heap.reserve(64);
        (vm, names)
    })
}

/// The interned names of the prototype, as [`Vm::simple_code`] would look them up (every
/// state's code objects use them: [`Vm::code_with_names`] takes them as they are).
struct ProtoNames {
    /// [`NAMES`]
    names: Vec<Obj>,
    /// the code and function name `f`
    f: Obj,
    /// `l0`..`l3` (a state has at most 4 locals)
    locals: [Obj; 4],
    /// the immortal small ints `0..=SMALL_INT_MAX`, by value (`Val::LongList` is made of them)
    small_ints: Vec<Obj>,
}

/// Builds stack item `i` of the state (items `extra..` are the instruction's inputs) and pushes
/// it on the running frame; returns the object (NULL for a NULL slot).
fn stack_item(b: &mut Builder, spec: &StateSpec, layout: &Layout, extra: usize, i: usize) -> Obj {
    // The hint applies to an input whether or not the bytes described any stack values: with
    // an empty stack spec (about half of all states) the hinted kind's default is used, else
    // those states would only ever exercise the guards' failure paths.
    let k = i.wrapping_sub(extra);
    let hinted = i >= extra && !layout.hint.is_empty() && spec.uniform & (1 << (k % 8)) != 0;
    let o = if hinted {
        let like = &layout.hint[k % layout.hint.len()];
        let v = spec
            .stack
            .get(i % spec.stack.len().max(1))
            .unwrap_or(&Val::None);
        b.val(&same_kind(like, v, i), 0)
    } else if spec.stack.is_empty() {
        wk::NONE
    } else {
        b.val(&spec.stack[i % spec.stack.len()], 0)
    };
    let r = if o.is_null() {
        StackRef::NULL
    } else {
        b.vm.stackref_steal(o)
    };
    b.vm.push(r);
    o
}

/// The argument count a specialized call over `args[oparg]` promises (the count its `DEOPT_IF`
/// checks). `CALL_LEN`, `CALL_TYPE_1`, ... declare a single `arg` and need none.
fn call_arity(name: &str) -> Option<u32> {
    match name {
        "CALL_ISINSTANCE" => Some(2),
        _ => None,
    }
}

/// Builds the state for `layout` from `spec`.
pub fn materialize(layout: &Layout, spec: &StateSpec) -> State {
    let (proto, names) = prototype();
    let mut vm = proto.clone();
    let mut oparg = oparg_of(&spec.oparg);
    // A call specialized for one argument count (`CALL_ISINSTANCE`: `isinstance(o, cls)`)
    // deopts on any other; in half the states (bit 5 of `uniform`) the oparg is that count,
    // with the hint's NULL `self_or_null`.
    if spec.uniform & 0x20 != 0 {
        if let Some(n) = call_arity(&layout.name) {
            oparg = n;
        }
    }
    let first = oparg;
    let mut popped = Layout::count(&layout.popped, oparg);
    let mut pushed = Layout::count(&layout.pushed, oparg);
    if popped > MAX_INPUTS || pushed > MAX_INPUTS {
        oparg %= 4;
    }
    // CPython's compiler never emits an oparg that makes an array size negative (`COPY 0`).
    for _ in 0..4 {
        let negative = layout
            .sizes
            .iter()
            .any(|e| e.eval_oparg(oparg as i64).is_ok_and(|n| n < 0));
        if !negative {
            break;
        }
        oparg += 1;
    }
    // the counts are recomputed only when the oparg changed
    if oparg != first {
        popped = Layout::count(&layout.popped, oparg);
        pushed = Layout::count(&layout.pushed, oparg);
    }
    let (popped, pushed) = (popped as usize, pushed as usize);
    let extra = (spec.extra_below % 3) as usize;
    let mut b = Builder {
        vm: &mut vm,
        names,
        built: Vec::with_capacity(16),
        classes: Vec::new(),
    };
    // globals / builtins (interned names, so `co_names` lookups hit)
    let globals = b.vm.new_dict();
    let builtins = b.vm.new_dict();
    for (d, items) in [(globals, &spec.globals), (builtins, &spec.builtins)] {
        for (k, v) in items.iter().take(4) {
            let k = b.str(k);
            let v = b.val(v, 1);
            if !v.is_null() {
                b.vm.dict_set(d, k, v);
                b.vm.heap.decref(v);
            }
            b.vm.heap.decref(k);
        }
        set_keys_version(b.vm, d);
    }
    let immortal_consts = layout.immortal_consts && spec.uniform & 1 != 0;
    let consts: Vec<Obj> = spec
        .consts
        .iter()
        .take(4)
        .map(|v| {
            let o = b.val(v, 1);
            if o.is_null() {
                wk::NONE
            } else if immortal_consts && !b.vm.heap.is_immortal(o) {
                b.vm.heap.decref(o);
                wk::NONE
            } else {
                o
            }
        })
        .collect();
    let nlocals = spec.locals.len().min(4);
    // Local-variable opcodes index `localsplus` with their oparg.
    if layout.indexes_locals && nlocals > 0 && !matches!(spec.oparg, OpargSpec::Wide(_)) {
        let hi = (oparg >> 4) % nlocals as u32;
        let lo = (oparg & 0xf) % nlocals as u32;
        oparg = (hi << 4) | lo;
    }
    // `COPY_FREE_VARS` asserts `oparg == co_nfreevars`: the code's last `oparg` locals are its
    // free variables (below), so the oparg is at most the number of locals.
    let free_vars = layout.name == "COPY_FREE_VARS";
    if free_vars {
        oparg %= nlocals as u32 + 1;
    }
    // `COMPARE_OP_STR` asserts what CPython's compiler emits for it: `==` or `!=`
    // (`(oparg >> 5)` is Py_EQ 2 or Py_NE 3) with that comparison's COMPARISON_* mask in the low
    // four bits (EQUALS 8, NOT_EQUALS 7, pycore_code.h); bit 16 (convert to bool) stays free.
    // Any other oparg only ever fails the assert, so the state would be a skip.
    // `UNPACK_SEQUENCE_TWO_TUPLE` asserts `oparg == 2` (the compiler specializes only
    // `a, b = ...` to it).
    if layout.name == "UNPACK_SEQUENCE_TWO_TUPLE" {
        oparg = 2;
    }
    if layout.name == "COMPARE_OP_STR" {
        let (cmp, mask) = if oparg & 1 == 0 { (2, 8) } else { (3, 7) };
        oparg = (cmp << 5) | mask | (oparg & 16);
    }
    let stacksize = extra + popped.max(pushed) + 8;
    let mut units = vec![0u16; THIS_INSTR as usize + layout.size as usize + 8];
    units[THIS_INSTR as usize] = (layout.opcode as u16 & 0xff) | (((oparg & 0xff) as u16) << 8);
    if let Some(op) = layout.next_opcode {
        units[THIS_INSTR as usize + layout.size as usize] = op as u16 & 0xff;
    }
    if let (Some(op), true) = (layout.next_opcode_even, oparg % 2 == 0) {
        units[THIS_INSTR as usize + layout.size as usize] = op as u16 & 0xff;
    }
    if layout.decodes_next {
        // any opcode byte, and an oparg byte that is not the oparg's own
        units[THIS_INSTR as usize + layout.size as usize] =
            spec.uniform as u16 | (spec.extra_below.rotate_left(3) as u16) << 8;
    }
    let code = b.vm.code_with_names(
        units,
        consts,
        names.names.clone(),
        &names.locals[..nlocals],
        names.f,
        stacksize,
    );
    // the inputs and the objects built are what cache entries derive from: kept only when the
    // instruction has cache entries
    let has_caches = !layout.caches.is_empty();
    let mut pushed_objs = Vec::with_capacity(if has_caches { extra + popped } else { 0 });
    let mut caller_code = None;
    if layout.returns_to_caller {
        let cc = b.vm.code_with_names(
            vec![0u16; 16],
            Vec::new(),
            names.names.clone(),
            &[],
            names.f,
            extra + 4,
        );
        b.vm.push_frame(cc, Obj::NULL, globals, builtins);
        let f = b.vm.cur();
        f.instr_ptr = CALLER_INSTR;
        f.return_offset = RETURN_OFFSETS[(spec.extra_below >> 6) as usize];
        for i in 0..extra {
            let o = stack_item(&mut b, spec, layout, extra, i);
            if has_caches {
                pushed_objs.push(o);
            }
        }
        caller_code = Some(cc);
    }
    let func = b.function(0);
    let nfree = if free_vars { oparg as usize } else { 0 };
    if free_vars {
        // the function's closure: one cell per free variable (the compiler's invariant)
        let cells = (0..nfree)
            .map(|i| {
                let v = b.vm.new_int(i as i64);
                let c = b.vm.new_cell(v);
                b.vm.heap.decref(v);
                c
            })
            .collect();
        let closure = b.vm.new_tuple(cells);
        if let ObjData::Code(c) = b.vm.heap.data_mut(code) {
            std::sync::Arc::make_mut(c).nfreevars = nfree as i32;
        }
        if let ObjData::Function(f) = b.vm.heap.data_mut(func) {
            std::sync::Arc::make_mut(f).closure = closure;
        }
    }
    b.vm.push_frame(code, func, globals, builtins);
    b.vm.heap.decref(func);
    b.vm.roots = vec![code, globals, builtins];
    b.vm.roots.extend(caller_code);
    if spec.frame_locals {
        // the frame owns its `f_locals`; share the globals' contents so names resolve
        let d = b.vm.dict_copy(globals);
        set_keys_version(b.vm, d);
        b.vm.cur().locals = d;
    }
    // (free variables are NULL until `COPY_FREE_VARS` fills them)
    for (i, v) in spec.locals.iter().take(nlocals - nfree).enumerate() {
        let o = b.val(v, 1);
        if !o.is_null() {
            let r = b.vm.stackref_steal(o);
            b.vm.set_local_raw(i, r);
        }
    }
    let first_input = if layout.returns_to_caller { extra } else { 0 };
    for i in first_input..extra + popped {
        let o = stack_item(&mut b, spec, layout, extra, i);
        if has_caches {
            pushed_objs.push(o);
        }
    }
    let built = std::mem::take(&mut b.built);
    // inline cache
    let this = CodePtr {
        code,
        index: THIS_INSTR,
    };
    let mut pool_objs = Vec::new();
    if has_caches {
        pool_objs.reserve_exact(pushed_objs.len() + 2 + built.len());
        pool_objs.extend(pushed_objs.iter().copied());
        pool_objs.extend([globals, builtins]);
        pool_objs.extend(built.iter().copied());
    }
    // computed on first use (most instructions have no cache entry to derive); nothing below
    // changes what it reads (cache writes touch the code units only)
    let mut pool: Option<Vec<u32>> = None;
    let write = |vm: &mut Vm, name: &str, args: &mut [Value]| {
        if let Some(f) = runtime::lookup(name) {
            let _ = f.invoke(vm, args);
        }
    };
    for (k, &(off, size)) in layout.caches.iter().enumerate() {
        let at = Value::Code(this.offset(1 + off));
        let name = layout.cache_names.get(k).map_or("", String::as_str);
        // an entry the spec does not cover is derived by its name; a backoff counter's choice
        // (fire or not) then comes from bit 4 of `uniform`, not from the entry's index
        let default = if name == "counter" {
            (spec.uniform >> 4) & 1
        } else {
            k as u8
        };
        let spec_k = spec
            .cache
            .get(k)
            .copied()
            .unwrap_or(CacheSpec::Derived2(default));
        let raw: u64 = match spec_k {
            CacheSpec::Derived(i) | CacheSpec::Derived2(i) | CacheSpec::Derived3(i) => {
                if size == 4 {
                    let objs: Vec<Obj> =
                        pool_objs.iter().copied().filter(|o| !o.is_null()).collect();
                    let o = objs.get(i as usize % objs.len().max(1)).copied();
                    write(
                        &mut vm,
                        "write_obj",
                        &mut [at, Value::Obj(o.unwrap_or(wk::NONE))],
                    );
                    continue;
                }
                // (a backoff counter is derived by its name from any spec: the pool's small
                // values would nearly always fire it)
                let named = if matches!(spec_k, CacheSpec::Derived2(_)) || name == "counter" {
                    derived_for_entry(&vm, name, &pushed_objs)
                } else {
                    Vec::new()
                };
                match named.len() {
                    0 => {
                        let pool = pool.get_or_insert_with(|| derived_u32(&vm, &pool_objs));
                        pool[i as usize % pool.len()] as u64
                    }
                    n => named[i as usize % n] as u64,
                }
            }
            CacheSpec::Zero => 0,
            CacheSpec::Raw(v) => v as u64,
        };
        match size {
            1 => write(
                &mut vm,
                "write_u16",
                &mut [at, Value::from(raw as u32 as i32 & 0xffff)],
            ),
            2 => write(&mut vm, "write_u32", &mut [at, Value::from(raw as u32)]),
            _ => write(
                &mut vm,
                "write_u64",
                &mut [at, Value::Int(raw as i128, runtime::IntTy::SIZE)],
            ),
        }
    }
    vm.this_instr = this;
    vm.next_instr = this.offset(layout.size);
    vm.opcode = layout.opcode as u8;
    vm.opcode_caches = layout.opcode_caches.clone();
    if !layout.replaced_opcodes.is_empty() {
        // the instruction CPython's monitoring replaced by INSTRUMENTED_INSTRUCTION here
        let k = spec.uniform as usize % layout.replaced_opcodes.len();
        let mut table = vec![0u8; THIS_INSTR as usize + layout.size as usize + 8];
        table[THIS_INSTR as usize] = layout.replaced_opcodes[k];
        if let ObjData::Code(c) = vm.heap.data_mut(code) {
            Arc::make_mut(c).per_instruction_opcodes = table;
        }
    }
    vm.cur().instr_ptr = THIS_INSTR;
    if spec.eval_breaker {
        vm.ts.eval_breaker = 1;
    }
    // Bits 7 and 6 of `uniform` (a RESUME has no stack inputs for them to shape): a global
    // instrumentation version 1 (monitoring was switched on at some point), and the code
    // already instrumented for it. Otherwise both are 0.
    if layout.checks_instrumentation && spec.uniform & 0x80 != 0 {
        let global = 1u64 << 8;
        vm.ts.eval_breaker |= global;
        if spec.uniform & 0x40 != 0 {
            if let ObjData::Code(c) = vm.heap.data_mut(code) {
                Arc::make_mut(c).instrumentation_version = global;
            }
        }
    }
    let faults = match spec.fault {
        Some(n) if n < 48 => FaultPlan::fail_nth((n % 6) as u32),
        _ => FaultPlan::default(),
    };
    State { vm, oparg, faults }
}

#[cfg(test)]
mod tests {
    use super::{fresh_str_text, IntSpec};
    use num_bigint::BigInt;

    #[test]
    fn int_spec_values_are_the_edges_around_2_30_and_2_63() {
        let p63 = BigInt::from(1u64 << 63);
        for (spec, want) in [
            (IntSpec::CompactEdge(0), BigInt::from((1i64 << 30) - 2)),
            (IntSpec::CompactEdge(-1), BigInt::from((1i64 << 30) + 1)),
            (IntSpec::NegCompactEdge(1), BigInt::from(-(1i64 << 30))),
            (IntSpec::Pow63(-1), &p63 + 1),
            (IntSpec::Pow63(0), &p63 - 2),
            (IntSpec::NegPow63(0), -&p63 - 2),
            (IntSpec::NegPow63(2), -&p63),
            (IntSpec::Any(i64::MIN), BigInt::from(i64::MIN)),
            (IntSpec::Small(-7), BigInt::from(-7)),
        ] {
            assert_eq!(spec.value(), want, "{spec:?}");
            assert_eq!(BigInt::from(spec.value_i128()), want, "{spec:?}");
        }
    }

    #[test]
    fn fresh_str_text_is_s_then_the_decimal_index() {
        for (i, want) in [
            (0, "s0"),
            (7, "s7"),
            (10, "s10"),
            (99, "s99"),
            (105, "s105"),
        ] {
            assert_eq!(fresh_str_text(i), want);
        }
        assert_eq!(fresh_str_text(200), "s200");
        assert_eq!(fresh_str_text(255), "s255");
    }
}
