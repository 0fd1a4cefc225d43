//! The data of each modelled object kind.

use crate::handles::Obj;
use num_bigint::BigInt;
use std::sync::Arc;

/// An int value: `Small` whenever it fits an `i64`, so that the common case never allocates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IntVal {
    /// fits in an `i64`
    Small(i64),
    /// does not fit in an `i64` (always normalised: never holds a value that fits)
    Big(BigInt),
}

impl IntVal {
    /// Normalises a `BigInt` into the smallest representation.
    pub fn from_big(b: BigInt) -> IntVal {
        match i64::try_from(&b) {
            Ok(v) => IntVal::Small(v),
            Err(_) => IntVal::Big(b),
        }
    }

    /// The value as a `BigInt`.
    pub fn to_big(&self) -> BigInt {
        match self {
            IntVal::Small(v) => BigInt::from(*v),
            IntVal::Big(b) => b.clone(),
        }
    }

    /// The value if it fits an `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            IntVal::Small(v) => Some(*v),
            IntVal::Big(_) => None,
        }
    }

    /// CPython's "compact" ints: the magnitude fits one 30-bit digit.
    pub fn is_compact(&self) -> bool {
        matches!(self, IntVal::Small(v) if v.unsigned_abs() < (1u64 << 30))
    }

    /// Number of 30-bit digits of the magnitude (`_PyLong_DigitCount`); 0 for zero.
    pub fn digit_count(&self) -> i64 {
        let bits = match self {
            IntVal::Small(v) => 64 - v.unsigned_abs().leading_zeros() as u64,
            IntVal::Big(b) => b.bits(),
        };
        bits.div_ceil(30) as i64
    }

    /// Sign: -1, 0 or 1.
    pub fn sign(&self) -> i32 {
        match self {
            IntVal::Small(v) => v.signum() as i32,
            IntVal::Big(b) => match b.sign() {
                num_bigint::Sign::Minus => -1,
                num_bigint::Sign::NoSign => 0,
                num_bigint::Sign::Plus => 1,
            },
        }
    }
}

/// One entry of a dict's keys table (`PyDictKeyEntry` / `PyDictUnicodeEntry`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DictEntry {
    /// `me_key`; NULL for a deleted entry (indices of live entries never move, as in CPython)
    pub key: Obj,
    /// `me_value`
    pub value: Obj,
    /// the key's hash
    pub hash: i64,
}

/// A dict: its keys table (owned, never shared) and the watcher-visible versions.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct DictData {
    /// `dk_entries`, in insertion order, deleted entries kept as holes
    pub entries: Vec<DictEntry>,
    /// number of live entries (`ma_used`)
    pub used: usize,
    /// `dk_version`: 0 until a version is requested, reset to 0 when the set of keys changes
    pub keys_version: u32,
    /// `true` while every key ever inserted was an exact str (`DICT_KEYS_UNICODE`)
    pub unicode: bool,
}

/// A code object: the fields bodies read, and its (adaptive) bytecode.
#[derive(Clone, Debug, PartialEq)]
pub struct CodeData {
    /// `co_flags`
    pub flags: i32,
    /// `co_argcount`
    pub argcount: i32,
    /// `co_kwonlyargcount`
    pub kwonlyargcount: i32,
    /// `co_nlocalsplus`
    pub nlocalsplus: i32,
    /// `co_nlocals`
    pub nlocals: i32,
    /// `co_nfreevars`: the last `co_nfreevars` entries of `localsplus` are the free variables
    /// (`COPY_FREE_VARS` fills them from the function's closure)
    pub nfreevars: i32,
    /// `co_framesize` (localsplus + stack + frame header)
    pub framesize: i32,
    /// `co_stacksize`
    pub stacksize: i32,
    /// `co_consts` (a tuple)
    pub consts: Obj,
    /// `co_names` (a tuple of str)
    pub names: Obj,
    /// `co_localsplusnames` (a tuple of str)
    pub localsplusnames: Obj,
    /// `co_name`
    pub name: Obj,
    /// `co_version`
    pub version: u32,
    /// `co_code_adaptive`: code units including inline cache entries
    pub units: Vec<u16>,
    /// `_co_monitoring->per_instruction_opcodes`: the opcode an `INSTRUMENTED_INSTRUCTION` at
    /// each code unit replaced (empty: no instruction events are instrumented)
    pub per_instruction_opcodes: Vec<u8>,
    /// `_co_instrumentation_version`: the global instrumentation version this code was last
    /// instrumented for (0: never; the model's global version is the eval breaker's bits above
    /// `_PY_EVAL_EVENTS_MASK`, 0 unless a state sets them)
    pub instrumentation_version: u64,
}

/// A function object.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionData {
    /// `func_code`
    pub code: Obj,
    /// `func_globals`
    pub globals: Obj,
    /// `func_builtins`
    pub builtins: Obj,
    /// `func_name`
    pub name: Obj,
    /// `func_qualname`
    pub qualname: Obj,
    /// `func_defaults` (tuple or NULL)
    pub defaults: Obj,
    /// `func_kwdefaults` (dict or NULL)
    pub kwdefaults: Obj,
    /// `func_closure` (tuple of cells or NULL)
    pub closure: Obj,
    /// `func_annotate` (NULL unless set)
    pub annotate: Obj,
    /// `func_version` (0: no valid version)
    pub version: u32,
}

impl FunctionData {
    /// A function as `PyFunction_New` makes it: qualname = name, no defaults, keyword
    /// defaults, closure or annotations. Takes the references it is given.
    pub fn plain(code: Obj, globals: Obj, builtins: Obj, name: Obj, version: u32) -> FunctionData {
        FunctionData {
            code,
            globals,
            builtins,
            name,
            qualname: name,
            defaults: Obj::NULL,
            kwdefaults: Obj::NULL,
            closure: Obj::NULL,
            annotate: Obj::NULL,
            version,
        }
    }
}

/// A type object.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeData {
    /// `tp_name`
    pub name: Arc<str>,
    /// `tp_flags`
    pub flags: u64,
    /// `tp_version_tag` (0: unassigned)
    pub version_tag: u32,
    /// `tp_base` (NULL for object)
    pub base: Obj,
    /// `tp_dict` (a dict, or NULL for builtin types whose dict is not modelled)
    pub dict: Obj,
    /// which builtin behaviour the instances have
    pub builtin: Builtin,
}

/// The builtin behaviour of a type's instances (for subclasses: of its nearest builtin base).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Builtin {
    Object,
    Type,
    NoneType,
    NotImplementedType,
    Ellipsis,
    Int,
    Bool,
    Float,
    Str,
    Bytes,
    Tuple,
    List,
    Dict,
    Set,
    FrozenSet,
    Slice,
    Range,
    ListIter,
    TupleIter,
    RangeIter,
    Cell,
    Function,
    Code,
    Module,
    Exception,
    Opaque,
}

/// The data of one object.
#[derive(Clone, Debug, PartialEq)]
#[allow(missing_docs)]
pub enum ObjData {
    None,
    NotImplemented,
    Ellipsis,
    /// an int, or a bool (`True`/`False` are ints of type bool)
    Int(IntVal),
    Float(f64),
    Str(Arc<str>),
    Bytes(Arc<[u8]>),
    Tuple(Vec<Obj>),
    List(Vec<Obj>),
    Dict(DictData),
    /// set or frozenset (the type says which); members in insertion order
    Set(Vec<Obj>),
    Slice {
        start: Obj,
        stop: Obj,
        step: Obj,
    },
    Range {
        start: i64,
        stop: i64,
        step: i64,
    },
    /// list/tuple iterator (`it_seq` is NULL once exhausted, as in CPython)
    SeqIter {
        seq: Obj,
        index: i64,
    },
    /// `_PyRangeIterObject`: `start`, `step`, `len` remaining
    RangeIter {
        start: i64,
        step: i64,
        len: i64,
    },
    Cell(Obj),
    /// shared until written (`Arc::make_mut`), so cloning a `Vm` does not copy it
    Function(Arc<FunctionData>),
    /// shared until written (cache writes copy it once per run)
    Code(Arc<CodeData>),
    /// shared until written
    Type(Arc<TypeData>),
    /// a module: `md_dict`
    Module(Obj),
    /// a bound method (`PyMethodObject`): `im_func` called with `im_self` prepended
    Method {
        func: Obj,
        self_: Obj,
    },
    /// an exception instance: `args` tuple, plus `__traceback__`, `__cause__`, `__context__`
    Exception {
        args: Obj,
        traceback: Obj,
        cause: Obj,
        context: Obj,
    },
    /// anything else: only its identity tag matters
    Opaque(u64),
}

impl ObjData {
    /// `true` when [`ObjData::children`] is empty (freeing the object releases nothing else).
    pub fn owns_nothing(&self) -> bool {
        match self {
            ObjData::Tuple(v) | ObjData::List(v) | ObjData::Set(v) => v.iter().all(|o| o.is_null()),
            ObjData::Dict(d) => d
                .entries
                .iter()
                .all(|e| e.key.is_null() && e.value.is_null()),
            ObjData::None
            | ObjData::NotImplemented
            | ObjData::Ellipsis
            | ObjData::Int(_)
            | ObjData::Float(_)
            | ObjData::Str(_)
            | ObjData::Bytes(_)
            | ObjData::Range { .. }
            | ObjData::RangeIter { .. }
            | ObjData::Opaque(_) => true,
            ObjData::SeqIter { seq, .. } => seq.is_null(),
            ObjData::Cell(o) | ObjData::Module(o) => o.is_null(),
            _ => false,
        }
    }

    /// Object handles this object owns a reference to, in a fixed order.
    pub fn children(&self, out: &mut Vec<Obj>) {
        let mut push = |o: Obj| {
            if !o.is_null() {
                out.push(o)
            }
        };
        match self {
            ObjData::Tuple(v) | ObjData::List(v) | ObjData::Set(v) => {
                v.iter().for_each(|&o| push(o))
            }
            ObjData::Dict(d) => {
                for e in &d.entries {
                    push(e.key);
                    push(e.value);
                }
            }
            ObjData::Slice { start, stop, step } => {
                push(*start);
                push(*stop);
                push(*step);
            }
            ObjData::SeqIter { seq, .. } => push(*seq),
            ObjData::Cell(o) | ObjData::Module(o) => push(*o),
            ObjData::Function(f) => {
                for o in [
                    f.code,
                    f.globals,
                    f.builtins,
                    f.name,
                    f.qualname,
                    f.defaults,
                    f.kwdefaults,
                    f.closure,
                    f.annotate,
                ] {
                    push(o)
                }
            }
            ObjData::Code(c) => {
                for o in [c.consts, c.names, c.localsplusnames, c.name] {
                    push(o)
                }
            }
            ObjData::Type(t) => {
                push(t.base);
                push(t.dict);
            }
            ObjData::Method { func, self_ } => {
                push(*func);
                push(*self_);
            }
            ObjData::Exception {
                args,
                traceback,
                cause,
                context,
            } => {
                for o in [*args, *traceback, *cause, *context] {
                    push(o)
                }
            }
            ObjData::None
            | ObjData::NotImplemented
            | ObjData::Ellipsis
            | ObjData::Int(_)
            | ObjData::Float(_)
            | ObjData::Str(_)
            | ObjData::Bytes(_)
            | ObjData::Range { .. }
            | ObjData::RangeIter { .. }
            | ObjData::Opaque(_) => {}
        }
    }
}
