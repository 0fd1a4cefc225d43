//! The model state (`Vm`) and the Rust-level helpers that build and inspect it.
//!
//! Constructors here (`new_int`, `new_list`, ...) are for the harness and for the API
//! implementations: they never fail and never count as fallible calls. The C API itself, with
//! fault injection and C error conventions, is in [`crate::api`].

use crate::faults::FaultPlan;
use crate::frame::{Frame, ThreadState};
use crate::handles::{CodePtr, FrameId, Obj, TState};
use crate::heap::{Heap, Violation};
use crate::object::{Builtin, CodeData, DictData, FunctionData, IntVal, ObjData, TypeData};
use crate::stackref::StackRef;
use crate::well_known::{self as wk, tpflags};
use num_bigint::BigInt;
use std::sync::Arc;

/// The whole modelled state. Cheap to clone (a few `Vec`s of small values).
#[derive(Clone, Debug, PartialEq)]
pub struct Vm {
    /// all objects
    pub heap: Heap,
    /// all frames ever pushed (a `FrameId` indexes this)
    pub frames: Vec<Frame>,
    /// the frame bodies run in (`frame`)
    pub current: FrameId,
    /// `tstate`
    pub ts: ThreadState,
    /// the failure plan of the current run
    pub faults: FaultPlan,
    /// references held by the harness (e.g. a module's globals); part of the snapshot roots
    pub roots: Vec<Obj>,
    /// handles `>= fresh_from` were allocated during the current run
    pub fresh_from: u32,
    /// next `tp_version_tag` / `func_version` / `dk_version` to hand out
    pub next_version: u32,
    /// `this_instr` of the running instruction
    pub this_instr: CodePtr,
    /// `next_instr` of the running instruction
    pub next_instr: CodePtr,
    /// `_PyOpcode_Caches`: inline cache entries of each opcode (a table of the CPython version
    /// being modelled, which the harness sets from the input's analysis; zeros otherwise)
    pub opcode_caches: Arc<[u8; 256]>,
    /// the interpreter's `opcode` variable: the running instruction's opcode when it starts
    /// (the harness sets it with `this_instr`); `DISPATCH_GOTO()` dispatches on it
    pub opcode: u8,
    /// shared with the prototype (harness states start with every small int created)
    small_ints: Arc<Vec<Obj>>,
    /// shared with the prototype until a run interns a new string (clones stay one refcount)
    interned: Arc<Vec<(Arc<str>, Obj)>>,
}

impl Default for Vm {
    fn default() -> Self {
        Vm::new()
    }
}

impl Vm {
    /// A state with only the well-known objects (builtin types, exception types, singletons).
    /// Cheap: a clone of a prototype built once.
    pub fn new() -> Vm {
        static PROTO: std::sync::OnceLock<Vm> = std::sync::OnceLock::new();
        PROTO.get_or_init(Vm::build).clone()
    }

    fn build() -> Vm {
        let mut heap = Heap::default();
        for (i, t) in wk::TYPES.iter().enumerate() {
            let h = heap.alloc_immortal(
                wk::TYPE_TYPE,
                ObjData::Type(Arc::new(TypeData {
                    name: Arc::from(t.name),
                    flags: t.flags,
                    version_tag: i as u32 + 1,
                    base: t.base,
                    dict: Obj::NULL,
                    builtin: t.builtin,
                })),
            );
            debug_assert_eq!(h, t.handle);
        }
        let singletons: [(Obj, Obj, ObjData); 12] = [
            (wk::NONE, wk::NONE_TYPE, ObjData::None),
            (
                wk::NOT_IMPLEMENTED,
                wk::NOTIMPL_TYPE,
                ObjData::NotImplemented,
            ),
            (wk::ELLIPSIS, wk::ELLIPSIS_TYPE, ObjData::Ellipsis),
            (wk::FALSE, wk::BOOL_TYPE, ObjData::Int(IntVal::Small(0))),
            (wk::TRUE, wk::BOOL_TYPE, ObjData::Int(IntVal::Small(1))),
            (wk::EMPTY_TUPLE, wk::TUPLE_TYPE, ObjData::Tuple(Vec::new())),
            (wk::EMPTY_STR, wk::UNICODE_TYPE, ObjData::Str(Arc::from(""))),
            (
                wk::EMPTY_BYTES,
                wk::BYTES_TYPE,
                ObjData::Bytes(Arc::from(&b""[..])),
            ),
            (
                wk::INSTRUMENTATION_MISSING,
                wk::OPAQUE_TYPE,
                ObjData::Opaque(0),
            ),
            // `callable_cache`: told apart by handle (calls dispatch on it).
            (wk::BUILTIN_LEN, wk::CFUNCTION_TYPE, ObjData::Opaque(1)),
            (
                wk::BUILTIN_ISINSTANCE,
                wk::CFUNCTION_TYPE,
                ObjData::Opaque(2),
            ),
            (wk::LIST_APPEND, wk::METHOD_DESCR_TYPE, ObjData::Opaque(3)),
        ];
        for (want, ty, data) in singletons {
            let h = heap.alloc_immortal(ty, data);
            debug_assert_eq!(h, want);
        }
        heap.freeze();
        let n_types = wk::TYPES.len() as u32;
        Vm {
            heap,
            frames: Vec::new(),
            current: FrameId::NULL,
            ts: ThreadState::default(),
            faults: FaultPlan::default(),
            roots: Vec::new(),
            fresh_from: wk::FIRST_DYNAMIC,
            next_version: n_types + 1,
            this_instr: CodePtr::NULL,
            next_instr: CodePtr::NULL,
            opcode: 0,
            opcode_caches: Arc::new([0; 256]),
            small_ints: Arc::new(vec![
                Obj::NULL;
                (wk::SMALL_INT_MAX - wk::SMALL_INT_MIN + 1) as usize
            ]),
            interned: Arc::new(vec![(Arc::from(""), wk::EMPTY_STR)]),
        }
    }

    /// Marks the start of a run: objects allocated from now on are "fresh" (renamed in
    /// snapshots), the fault plan is installed and the violation log cleared.
    pub fn begin_run(&mut self, faults: FaultPlan) {
        self.fresh_from = self.heap.len() as u32;
        self.faults = faults;
        self.heap.violations.clear();
    }

    /// Marks this state as the common origin of the copies about to be made (both sides of a
    /// check): [`crate::snapshot::quick_equal`] then visits only the objects either copy wrote.
    pub fn fork_point(&mut self) {
        self.heap.fork();
    }

    /// Counts one fallible call against the failure plan; when it is the planned failure, sets
    /// the plan's exception (`MemoryError`) and returns `true` (the caller then fails C-style).
    pub fn fallible(&mut self) -> bool {
        if self.faults.tick() {
            let ty = self.faults.exc_type;
            self.set_exc_msg(ty, "");
            true
        } else {
            false
        }
    }

    /// Records a violated API precondition (a failed C `assert`).
    pub fn violation(&mut self, v: Violation) {
        self.heap.violations.push(v);
    }

    /// Memory-safety / precondition violations seen in this run.
    pub fn violations(&self) -> &[Violation] {
        &self.heap.violations
    }

    // ---- object construction -------------------------------------------------------------

    /// A new reference to an int (small ints are the immortal cached objects).
    #[inline]
    pub fn new_int(&mut self, v: i64) -> Obj {
        if (wk::SMALL_INT_MIN..=wk::SMALL_INT_MAX).contains(&v) {
            let i = (v - wk::SMALL_INT_MIN) as usize;
            if let Some(&o) = self.small_ints.get(i).filter(|o| !o.is_null()) {
                return o;
            }
            if self.small_ints[i].is_null() {
                let o = self
                    .heap
                    .alloc_immortal(wk::LONG_TYPE, ObjData::Int(IntVal::Small(v)));
                Arc::make_mut(&mut self.small_ints)[i] = o;
            }
            return self.small_ints[i];
        }
        self.heap
            .alloc(wk::LONG_TYPE, ObjData::Int(IntVal::Small(v)))
    }

    /// A new reference to an int of any size.
    pub fn new_int_val(&mut self, v: IntVal) -> Obj {
        match v {
            IntVal::Small(i) => self.new_int(i),
            big => self.heap.alloc(wk::LONG_TYPE, ObjData::Int(big)),
        }
    }

    /// A new reference to an int from a `BigInt`.
    pub fn new_int_big(&mut self, v: BigInt) -> Obj {
        self.new_int_val(IntVal::from_big(v))
    }

    /// `Py_True` / `Py_False` (immortal: no reference to take).
    pub fn new_bool(&self, b: bool) -> Obj {
        if b {
            wk::TRUE
        } else {
            wk::FALSE
        }
    }

    /// A new float.
    pub fn new_float(&mut self, v: f64) -> Obj {
        self.heap.alloc(wk::FLOAT_TYPE, ObjData::Float(v))
    }

    /// A new (not interned) str; the empty string is the immortal singleton.
    pub fn new_str(&mut self, s: &str) -> Obj {
        if s.is_empty() {
            return wk::EMPTY_STR;
        }
        self.heap
            .alloc(wk::UNICODE_TYPE, ObjData::Str(Arc::from(s)))
    }

    /// The interned, immortal str with this value (`_Py_ID`, names in `co_names`).
    pub fn intern(&mut self, s: &str) -> Obj {
        // Length and first byte first: most entries differ there, and the full comparison is a
        // `memcmp` call (`simple_code` interns a dozen names per state).
        let (len, first) = (s.len(), s.as_bytes().first());
        if let Some((_, o)) = self
            .interned
            .iter()
            .find(|(k, _)| k.len() == len && k.as_bytes().first() == first && &**k == s)
        {
            return *o;
        }
        let o = self
            .heap
            .alloc_immortal(wk::UNICODE_TYPE, ObjData::Str(Arc::from(s)));
        Arc::make_mut(&mut self.interned).push((Arc::from(s), o));
        o
    }

    /// A new bytes object.
    pub fn new_bytes(&mut self, b: &[u8]) -> Obj {
        if b.is_empty() {
            return wk::EMPTY_BYTES;
        }
        self.heap
            .alloc(wk::BYTES_TYPE, ObjData::Bytes(Arc::from(b)))
    }

    /// A new tuple; steals the references in `items`. `()` is the immortal singleton.
    pub fn new_tuple(&mut self, items: Vec<Obj>) -> Obj {
        if items.is_empty() {
            return wk::EMPTY_TUPLE;
        }
        self.heap.alloc(wk::TUPLE_TYPE, ObjData::Tuple(items))
    }

    /// A new list; steals the references in `items`.
    pub fn new_list(&mut self, items: Vec<Obj>) -> Obj {
        self.heap.alloc(wk::LIST_TYPE, ObjData::List(items))
    }

    /// A new empty dict.
    pub fn new_dict(&mut self) -> Obj {
        self.heap.alloc(
            wk::DICT_TYPE,
            ObjData::Dict(DictData {
                unicode: true,
                ..DictData::default()
            }),
        )
    }

    /// A new set (or frozenset) from new references (duplicates are released).
    pub fn new_set(&mut self, items: Vec<Obj>, frozen: bool) -> Obj {
        let ty = if frozen {
            wk::FROZENSET_TYPE
        } else {
            wk::SET_TYPE
        };
        let s = self.heap.alloc(ty, ObjData::Set(Vec::new()));
        for it in items {
            self.set_add_steal(s, it);
        }
        s
    }

    /// A new range object.
    pub fn new_range(&mut self, start: i64, stop: i64, step: i64) -> Obj {
        self.heap
            .alloc(wk::RANGE_TYPE, ObjData::Range { start, stop, step })
    }

    /// A new cell holding a new reference to `v` (may be NULL).
    pub fn new_cell(&mut self, v: Obj) -> Obj {
        self.heap.xincref(v);
        self.heap.alloc(wk::CELL_TYPE, ObjData::Cell(v))
    }

    /// A new bound method of `func` to `self_` with new references to both (`PyMethod_New`).
    pub fn new_method(&mut self, func: Obj, self_: Obj) -> Obj {
        self.heap.incref(func);
        self.heap.incref(self_);
        self.heap
            .alloc(wk::METHOD_TYPE, ObjData::Method { func, self_ })
    }

    /// A new opaque object of type `ty` whose behaviour is derived from `tag`.
    pub fn new_opaque(&mut self, ty: Obj, tag: u64) -> Obj {
        self.heap.alloc(ty, ObjData::Opaque(tag))
    }

    /// A new heap type (`class name(base)`) with its own empty dict.
    pub fn new_type(&mut self, name: &str, base: Obj, extra_flags: u64) -> Obj {
        let (builtin, base_flags) = match self.heap.data(base) {
            ObjData::Type(t) => (t.builtin, t.flags),
            _ => (Builtin::Object, 0),
        };
        let inherited = base_flags
            & (tpflags::LONG_SUBCLASS
                | tpflags::LIST_SUBCLASS
                | tpflags::TUPLE_SUBCLASS
                | tpflags::BYTES_SUBCLASS
                | tpflags::UNICODE_SUBCLASS
                | tpflags::DICT_SUBCLASS
                | tpflags::BASE_EXC_SUBCLASS
                | tpflags::TYPE_SUBCLASS
                | tpflags::HAVE_GC);
        let dict = self.new_dict();
        let version_tag = self.fresh_version();
        self.heap.incref(base);
        self.heap.alloc(
            wk::TYPE_TYPE,
            ObjData::Type(Arc::new(TypeData {
                name: Arc::from(name),
                flags: tpflags::READY
                    | tpflags::HEAPTYPE
                    | tpflags::BASETYPE
                    | tpflags::VALID_VERSION_TAG
                    | inherited
                    | extra_flags,
                version_tag,
                base,
                dict,
                builtin: if builtin == Builtin::Object {
                    Builtin::Opaque
                } else {
                    builtin
                },
            })),
        )
    }

    /// A new code object. `consts`, `names` and `localsplusnames` are stolen tuples.
    pub fn new_code(&mut self, data: CodeData) -> Obj {
        self.heap
            .alloc(wk::CODE_TYPE, ObjData::Code(Arc::new(data)))
    }

    /// A new function object; steals the references in `data`.
    pub fn new_function(&mut self, data: FunctionData) -> Obj {
        self.heap
            .alloc(wk::FUNCTION_TYPE, ObjData::Function(Arc::new(data)))
    }

    /// A new module whose `md_dict` is `dict` (stolen).
    pub fn new_module(&mut self, dict: Obj) -> Obj {
        self.heap.alloc(wk::MODULE_TYPE, ObjData::Module(dict))
    }

    /// A new exception instance of type `ty` with `args` (stolen tuple).
    pub fn new_exception(&mut self, ty: Obj, args: Obj) -> Obj {
        self.heap.alloc(
            ty,
            ObjData::Exception {
                args,
                traceback: Obj::NULL,
                cause: Obj::NULL,
                context: Obj::NULL,
            },
        )
    }

    /// A fresh version number (type versions, function versions, dict-keys versions share one
    /// counter, which is enough for a model: a version is never reused).
    pub fn fresh_version(&mut self) -> u32 {
        let v = self.next_version;
        self.next_version += 1;
        v
    }

    // ---- frames -------------------------------------------------------------------------

    /// Pushes a frame running `code` and makes it current. Takes new references to `code` and
    /// `func` (may be NULL); `globals`/`builtins` are borrowed. `instr_ptr`, `this_instr` and
    /// `next_instr` start at code unit 0.
    pub fn push_frame(&mut self, code: Obj, func: Obj, globals: Obj, builtins: Obj) -> FrameId {
        let (nlocalsplus, stacksize) = match self.heap.data(code) {
            ObjData::Code(c) => (c.nlocalsplus.max(0) as usize, c.stacksize.max(0) as usize),
            _ => (0, 0),
        };
        self.heap.incref(code);
        self.heap.xincref(func);
        let id = FrameId(self.frames.len() as u32);
        self.frames.push(Frame {
            code,
            func,
            globals,
            builtins,
            locals: Obj::NULL,
            localsplus: vec![StackRef::NULL; nlocalsplus + stacksize],
            nlocalsplus,
            stack_pointer: nlocalsplus,
            instr_ptr: 0,
            return_offset: 0,
            previous: self.current,
            owner: 0,
        });
        self.current = id;
        self.this_instr = CodePtr { code, index: 0 };
        self.next_instr = CodePtr { code, index: 1 };
        id
    }

    /// A code object with `nlocals` locals, room for `stacksize` stack items, and `units` as
    /// bytecode; consts and names are stolen lists of new references.
    pub fn simple_code(
        &mut self,
        units: Vec<u16>,
        consts: Vec<Obj>,
        names: &[&str],
        nlocals: usize,
        stacksize: usize,
    ) -> Obj {
        let names: Vec<Obj> = names.iter().map(|n| self.intern(n)).collect();
        const LOCAL_NAMES: [&str; 8] = ["l0", "l1", "l2", "l3", "l4", "l5", "l6", "l7"];
        let local_names: Vec<Obj> = (0..nlocals)
            .map(|i| match LOCAL_NAMES.get(i) {
                Some(n) => self.intern(n),
                None => self.intern(&format!("l{i}")),
            })
            .collect();
        let name = self.intern("f");
        self.code_with_names(units, consts, names, &local_names, name, stacksize)
    }

    /// [`Vm::simple_code`] with its names already interned (`names`: `co_names`,
    /// `local_names`: `l0`, `l1`, ... — their count is `nlocals` —, `name`: `f`). A generator
    /// that builds a code object per state interns them once instead of looking up a dozen
    /// names each time; the objects created (and so the heap) are the same.
    pub fn code_with_names(
        &mut self,
        units: Vec<u16>,
        consts: Vec<Obj>,
        names: Vec<Obj>,
        local_names: &[Obj],
        name: Obj,
        stacksize: usize,
    ) -> Obj {
        let consts = self.new_tuple(consts);
        let names = self.new_tuple(names);
        let localsplusnames = self.new_tuple(local_names.to_vec());
        let nlocals = local_names.len();
        self.code_object(
            units,
            consts,
            names,
            localsplusnames,
            name,
            nlocals,
            stacksize,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn code_object(
        &mut self,
        units: Vec<u16>,
        consts: Obj,
        names: Obj,
        localsplusnames: Obj,
        name: Obj,
        nlocals: usize,
        stacksize: usize,
    ) -> Obj {
        self.new_code(CodeData {
            flags: 0,
            argcount: 0,
            kwonlyargcount: 0,
            nlocalsplus: nlocals as i32,
            nlocals: nlocals as i32,
            nfreevars: 0,
            framesize: (nlocals + stacksize + 10) as i32,
            stacksize: stacksize as i32,
            consts,
            names,
            localsplusnames,
            name,
            version: 1,
            units,
            per_instruction_opcodes: Vec::new(),
            instrumentation_version: 0,
        })
    }

    /// The current frame (`frame`).
    pub fn frame(&self) -> FrameId {
        self.current
    }

    /// `tstate`
    pub fn tstate(&self) -> TState {
        TState
    }

    /// The current frame's data. Without one (a harness bug), an empty frame is pushed and the
    /// missing frame is recorded as a violation.
    #[inline]
    pub fn cur(&mut self) -> &mut Frame {
        if self.current.is_null() {
            self.violation(Violation::NullDeref("frame"));
            let code = self.simple_code(Vec::new(), Vec::new(), &[], 0, 16);
            self.push_frame(code, Obj::NULL, Obj::NULL, Obj::NULL);
            self.heap.decref(code);
        }
        let i = self.current.0 as usize;
        &mut self.frames[i]
    }

    /// Frame data by handle (the current frame for an invalid handle, recorded as a violation).
    pub fn frame_mut(&mut self, f: FrameId) -> &mut Frame {
        if (f.0 as usize) < self.frames.len() {
            &mut self.frames[f.0 as usize]
        } else {
            self.heap
                .violations
                .push(Violation::NullDeref("_PyInterpreterFrame"));
            self.cur()
        }
    }

    /// Pushes a stack reference onto the current frame's value stack (ownership moves to it).
    #[inline]
    pub fn push(&mut self, r: StackRef) {
        let f = self.cur();
        if f.stack_pointer < f.localsplus.len() {
            f.localsplus[f.stack_pointer] = r;
        } else {
            f.localsplus.push(r);
        }
        f.stack_pointer += 1;
    }

    /// Pushes a new owned reference to `o` (the caller's reference is transferred).
    pub fn push_obj(&mut self, o: Obj) {
        let r = self.stackref_steal(o);
        self.push(r);
    }

    /// Pops the top of the current value stack (NULL if empty, recorded as a violation).
    #[inline]
    pub fn pop(&mut self) -> StackRef {
        let f = self.cur();
        if f.stack_pointer <= f.nlocalsplus || f.stack_pointer > f.localsplus.len() {
            self.violation(Violation::Assertion("pop from empty stack"));
            return StackRef::NULL;
        }
        f.stack_pointer -= 1;
        std::mem::replace(&mut f.localsplus[f.stack_pointer], StackRef::NULL)
    }

    /// Stack item `i` counted from the top (0 = top).
    pub fn peek(&mut self, i: usize) -> StackRef {
        let f = self.cur();
        if i < f.stack_len() {
            f.localsplus
                .get(f.stack_pointer - 1 - i)
                .copied()
                .unwrap_or(StackRef::NULL)
        } else {
            StackRef::NULL
        }
    }

    /// Sets local `i` (the old value is not released).
    pub fn set_local_raw(&mut self, i: usize, r: StackRef) {
        let f = self.cur();
        if i < f.localsplus.len() {
            f.localsplus[i] = r;
        }
    }

    /// `PyStackRef_FromPyObjectSteal` without a run-time check (harness helper).
    #[inline]
    pub fn stackref_steal(&self, o: Obj) -> StackRef {
        if self.heap.is_immortal(o) {
            StackRef::deferred(o)
        } else {
            StackRef::owned(o)
        }
    }

    // ---- type queries ---------------------------------------------------------------------

    /// `Py_TYPE` without checks.
    #[inline]
    pub fn type_of(&self, o: Obj) -> Obj {
        self.heap.ty(o)
    }

    /// The builtin behaviour of `o`'s type.
    pub fn builtin_of(&self, o: Obj) -> Builtin {
        match self.heap.data(self.heap.ty(o)) {
            ObjData::Type(t) => t.builtin,
            _ => Builtin::Opaque,
        }
    }

    /// `tp_flags` of a type (0 if `ty` is not a type).
    pub fn type_flags(&self, ty: Obj) -> u64 {
        match self.heap.data(ty) {
            ObjData::Type(t) => t.flags,
            _ => 0,
        }
    }

    /// `tp_name` of a type.
    pub fn type_name(&self, ty: Obj) -> Arc<str> {
        match self.heap.data(ty) {
            ObjData::Type(t) => t.name.clone(),
            _ => Arc::from("?"),
        }
    }

    /// `Py_TYPE(o)->tp_name`.
    pub fn type_name_of(&self, o: Obj) -> Arc<str> {
        self.type_name(self.heap.ty(o))
    }

    /// `PyType_IsSubtype`: walks `tp_base`.
    pub fn is_subtype(&self, mut a: Obj, b: Obj) -> bool {
        let mut guard = 0;
        while !a.is_null() && guard < 64 {
            if a == b {
                return true;
            }
            a = match self.heap.data(a) {
                ObjData::Type(t) => t.base,
                _ => Obj::NULL,
            };
            guard += 1;
        }
        b == wk::OBJECT_TYPE
    }

    /// `PyObject_TypeCheck`.
    pub fn type_check(&self, o: Obj, ty: Obj) -> bool {
        self.is_subtype(self.heap.ty(o), ty)
    }

    // ---- errors -------------------------------------------------------------------------

    /// Replaces the current exception with a new instance of `ty` whose single arg is `msg`
    /// (no args when `msg` is empty, as `PyErr_SetNone`).
    pub fn set_exc_msg(&mut self, ty: Obj, msg: &str) {
        let args = if msg.is_empty() {
            wk::EMPTY_TUPLE
        } else {
            let m = self.new_str(msg);
            self.new_tuple(vec![m])
        };
        let exc = self.new_exception(ty, args);
        self.set_raised(exc);
    }

    /// Replaces the current exception with the object `exc` (reference stolen).
    pub fn set_raised(&mut self, exc: Obj) {
        let old = std::mem::replace(&mut self.ts.current_exception, exc);
        self.heap.xdecref(old);
    }

    /// Type and message of the current exception, for tests and diagnostics.
    pub fn current_exception_text(&self) -> Option<(Arc<str>, String)> {
        let e = self.ts.current_exception;
        if e.is_null() {
            return None;
        }
        let ty = self.type_name_of(e);
        let msg = crate::repr::str_of(self, e);
        Some((ty, msg))
    }

    // ---- internal helpers used by the API --------------------------------------------------

    /// Adds `item` (new reference, stolen) to the set `s` unless an equal member exists.
    pub(crate) fn set_add_steal(&mut self, s: Obj, item: Obj) {
        // `equal` reads the heap only, so the members are compared in place (no copy of them)
        let present = match self.heap.data(s) {
            ObjData::Set(m) => m
                .iter()
                .any(|&m| crate::compare::equal(self, m, item) == Some(true)),
            _ => return,
        };
        if present {
            self.heap.decref(item);
            return;
        }
        if let ObjData::Set(m) = self.heap.data_mut(s) {
            m.push(item)
        }
    }
}
