//! A canonical, comparable description of a `Vm` after a run, and a readable diff.
//!
//! Objects that existed before the run keep their handle (`#12`). Objects created during the
//! run are named by the first path that reaches them from the roots (`stack[1]`,
//! `stack[1][0]`, `local[2]`, `exception`), so two runs that allocate in a different order (C
//! leaves argument evaluation order unspecified) still produce equal snapshots. Live objects
//! created during the run that no root reaches are leaks and are listed as `leak[k]`.

use crate::handles::Obj;
use crate::heap::Violation;
use crate::object::{IntVal, ObjData};
use crate::outcome::Outcome;
use crate::stackref::StackRef;
use crate::vm::Vm;
use crate::well_known as wk;
use std::fmt::Write as _;
use std::sync::Arc;

/// The canonical name of an object.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Name {
    /// `NULL`
    Null,
    /// an object that existed before the run
    Old(u32),
    /// an immortal small int created during the run
    SmallInt(i64),
    /// an immortal interned str created during the run
    Interned(Arc<str>),
    /// an object created during the run, named by its first path from the roots
    Fresh(Arc<str>),
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Name::Null => write!(f, "NULL"),
            Name::Old(h) => match wk::name_of(Obj(*h)) {
                Some(n) => write!(f, "{n}"),
                None => write!(f, "#{h}"),
            },
            Name::SmallInt(v) => write!(f, "{v}"),
            Name::Interned(s) => write!(f, "{s:?}"),
            Name::Fresh(p) => write!(f, "new@{p}"),
        }
    }
}

/// What a stack slot / local / other reference holds.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RefItem {
    /// `PyStackRef_NULL` / `NULL`
    Null,
    /// a tagged int
    TaggedInt(i64),
    /// an object; `owned` is false for a tagged (non-owning) stackref
    Obj {
        /// the object
        name: Name,
        /// the reference owns a count
        owned: bool,
    },
}

/// An object's canonical content: type, count, and data with handles replaced by names.
#[derive(Clone, Debug)]
pub struct CanonObj {
    /// `Py_TYPE`
    pub ty: Name,
    /// reference count (`None` for immortals)
    pub rc: Option<i64>,
    /// the object's data (object handles inside are meaningless; use `children`)
    pub data: ObjData,
    /// names of the referenced objects, in [`ObjData::children`] order
    pub children: Vec<Name>,
    /// `true` if the object was freed (a dangling reference reaches it)
    pub freed: bool,
}

impl PartialEq for CanonObj {
    fn eq(&self, o: &CanonObj) -> bool {
        self.ty == o.ty
            && self.rc == o.rc
            && self.children == o.children
            && self.freed == o.freed
            && data_eq(&self.data, &o.data)
    }
}

fn data_eq(a: &ObjData, b: &ObjData) -> bool {
    match (a, b) {
        (ObjData::Float(x), ObjData::Float(y)) => x.to_bits() == y.to_bits(),
        (ObjData::Tuple(_), ObjData::Tuple(_))
        | (ObjData::List(_), ObjData::List(_))
        | (ObjData::Set(_), ObjData::Set(_)) => true,
        (ObjData::Dict(x), ObjData::Dict(y)) => {
            x.used == y.used
                && x.keys_version == y.keys_version
                && x.unicode == y.unicode
                && x.entries.len() == y.entries.len()
                && x.entries
                    .iter()
                    .zip(&y.entries)
                    .all(|(p, q)| p.hash == q.hash && p.key.is_null() == q.key.is_null())
        }
        (ObjData::Slice { .. }, ObjData::Slice { .. }) | (ObjData::Cell(_), ObjData::Cell(_)) => {
            true
        }
        (ObjData::Module(_), ObjData::Module(_))
        | (ObjData::Method { .. }, ObjData::Method { .. }) => true,
        (ObjData::SeqIter { index: i, .. }, ObjData::SeqIter { index: j, .. }) => i == j,
        (ObjData::Function(x), ObjData::Function(y)) => x.version == y.version,
        (ObjData::Code(x), ObjData::Code(y)) => {
            x.units == y.units
                && x.flags == y.flags
                && x.argcount == y.argcount
                && x.nlocalsplus == y.nlocalsplus
                && x.nfreevars == y.nfreevars
                && x.framesize == y.framesize
                && x.version == y.version
                && x.instrumentation_version == y.instrumentation_version
        }
        (ObjData::Type(x), ObjData::Type(y)) => {
            x.name == y.name
                && x.flags == y.flags
                && x.version_tag == y.version_tag
                && x.builtin == y.builtin
        }
        (ObjData::Exception { .. }, ObjData::Exception { .. }) => true,
        _ => a == b,
    }
}

/// A key of a snapshot entry.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    /// the outcome of the run
    Outcome,
    /// a stack slot of the current frame, bottom = 0
    Stack(usize),
    /// a local of the current frame
    Local(usize),
    /// a scalar field of the frame / thread state / run
    Field(&'static str),
    /// a code unit of the current frame's code object
    CodeUnit(usize),
    /// `tstate->current_exception`
    Exception,
    /// `exc_info` level `i`
    ExcInfo(usize),
    /// slot `slot` of `localsplus` (locals, then stack) of another frame than the current one
    FrameSlot {
        /// the frame's index
        frame: u32,
        /// index into `localsplus`
        slot: usize,
    },
    /// a field of another frame than the current one
    FrameField {
        /// the frame's index
        frame: u32,
        /// which field
        field: &'static str,
    },
    /// a harness root
    Root(usize),
    /// an object's content
    Object(Name),
    /// a live object created during the run that no root reaches
    Leak(usize),
    /// the `i`th invariant violation
    Violation(usize),
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Key::Outcome => write!(f, "outcome"),
            Key::Stack(i) => write!(f, "stack[{i}]"),
            Key::Local(i) => write!(f, "local[{i}]"),
            Key::Field(n) => write!(f, "{n}"),
            Key::CodeUnit(i) => write!(f, "code[{i}]"),
            Key::Exception => write!(f, "exception"),
            Key::ExcInfo(i) => write!(f, "exc_info[{i}]"),
            Key::FrameSlot { frame, slot } => write!(f, "frames[{frame}].localsplus[{slot}]"),
            Key::FrameField { frame, field } => write!(f, "frames[{frame}].{field}"),
            Key::Root(i) => write!(f, "root[{i}]"),
            Key::Object(Name::Fresh(p)) => write!(f, "{p}"),
            Key::Object(n) => write!(f, "object {n}"),
            Key::Leak(i) => write!(f, "leak[{i}]"),
            Key::Violation(i) => write!(f, "violation[{i}]"),
        }
    }
}

/// The value of a snapshot entry.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// the outcome
    Outcome(Option<Outcome>),
    /// a reference
    Ref(RefItem),
    /// an integer field
    Int(i64),
    /// an object's content
    Obj(CanonObj),
    /// a violation
    Violation(Violation),
}

/// The comparable state after a run. Two snapshots are equal when their diff is empty.
#[derive(Clone, Debug)]
pub struct Snapshot {
    /// entries in discovery order (deterministic for a given state)
    pub entries: Vec<(Key, Item)>,
}

impl PartialEq for Snapshot {
    fn eq(&self, other: &Snapshot) -> bool {
        // Equal states list their entries in the same order; otherwise compare as sets.
        self.entries == other.entries || self.diff(other).is_empty()
    }
}

/// The differences between two snapshots, one readable line each.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SnapshotDiff {
    /// `"<key>: <left> vs <right>"`
    pub lines: Vec<String>,
}

impl SnapshotDiff {
    /// No differences.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

impl std::fmt::Display for SnapshotDiff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for l in &self.lines {
            writeln!(f, "{l}")?;
        }
        Ok(())
    }
}

struct Namer<'a> {
    vm: &'a Vm,
    /// canonical name per handle (indexed by handle; `None`: not reached yet)
    names: Vec<Option<Name>>,
    /// objects to describe, with the path that reached them (only built for fresh objects)
    queue: Vec<(Obj, Option<Arc<str>>)>,
}

impl Namer<'_> {
    fn name(&mut self, o: Obj, path: &dyn Fn() -> String) -> Name {
        if o.is_null() {
            return Name::Null;
        }
        let i = o.0 as usize;
        if i >= self.names.len() {
            return Name::Old(o.0);
        }
        if let Some(n) = &self.names[i] {
            return n.clone();
        }
        let vm = self.vm;
        let (n, p) = if o.0 < vm.fresh_from {
            (Name::Old(o.0), None)
        } else if vm.heap.is_immortal(o) {
            let n = match vm.heap.data(o) {
                ObjData::Int(IntVal::Small(v)) => Name::SmallInt(*v),
                ObjData::Str(s) => Name::Interned(s.clone()),
                _ => Name::Old(o.0),
            };
            (n, None)
        } else {
            let p: Arc<str> = Arc::from(path());
            (Name::Fresh(p.clone()), Some(p))
        };
        self.names[i] = Some(n.clone());
        self.queue.push((o, p));
        n
    }
}

fn ref_item(namer: &mut Namer, r: StackRef, path: &dyn Fn() -> String) -> RefItem {
    if r.is_null() {
        RefItem::Null
    } else if r.is_tagged_int() {
        RefItem::TaggedInt(r.untag_int())
    } else {
        let immortal = namer.vm.heap.is_immortal(r.obj());
        RefItem::Obj {
            name: namer.name(r.obj(), path),
            // References to immortals are always tagged; ownership only matters for mortals.
            owned: r.refcount_on_object() && !immortal,
        }
    }
}

impl Snapshot {
    /// Takes the snapshot of `vm` after a run that ended with `outcome`.
    pub fn take(vm: &Vm, outcome: Option<Outcome>) -> Snapshot {
        let mut e: Vec<(Key, Item)> = Vec::with_capacity(64);
        e.push((Key::Outcome, Item::Outcome(outcome)));
        let mut namer = Namer {
            vm,
            names: vec![None; vm.heap.len()],
            queue: Vec::new(),
        };
        if let Some(f) = vm.frames.get(vm.current.0 as usize) {
            for (i, r) in f.stack().iter().enumerate() {
                let it = ref_item(&mut namer, *r, &|| format!("stack[{i}]"));
                e.push((Key::Stack(i), Item::Ref(it)));
            }
            for (i, r) in f.locals().iter().enumerate() {
                let it = ref_item(&mut namer, *r, &|| format!("local[{i}]"));
                e.push((Key::Local(i), Item::Ref(it)));
            }
            for (k, o) in [
                ("frame.f_executable", f.code),
                ("frame.f_funcobj", f.func),
                ("frame.f_globals", f.globals),
                ("frame.f_builtins", f.builtins),
                ("frame.f_locals", f.locals),
            ] {
                let n = namer.name(o, &|| k.to_string());
                let it = RefItem::Obj {
                    name: n,
                    owned: true,
                };
                e.push((Key::Field(k), Item::Ref(it)));
            }
            e.push((Key::Field("frame.instr_ptr"), Item::Int(f.instr_ptr)));
            e.push((
                Key::Field("frame.return_offset"),
                Item::Int(f.return_offset as i64),
            ));
            e.push((
                Key::Field("frame.stack_depth"),
                Item::Int(f.stack_len() as i64),
            ));
            if let ObjData::Code(c) = vm.heap.data(f.code) {
                for (i, u) in c.units.iter().enumerate() {
                    e.push((Key::CodeUnit(i), Item::Int(*u as i64)));
                }
            }
        }
        e.push((Key::Field("current_frame"), Item::Int(vm.current.0 as i64)));
        e.push((Key::Field("frames"), Item::Int(vm.frames.len() as i64)));
        for (fi, f) in vm.frames.iter().enumerate() {
            if fi == vm.current.0 as usize {
                continue;
            }
            let frame = fi as u32;
            for (slot, r) in f.live().iter().enumerate() {
                let it = ref_item(&mut namer, *r, &|| {
                    format!("frames[{fi}].localsplus[{slot}]")
                });
                e.push((Key::FrameSlot { frame, slot }, Item::Ref(it)));
            }
            for (field, o) in [
                ("f_executable", f.code),
                ("f_funcobj", f.func),
                ("f_locals", f.locals),
            ] {
                let name = namer.name(o, &|| format!("frames[{fi}].{field}"));
                e.push((
                    Key::FrameField { frame, field },
                    Item::Ref(RefItem::Obj { name, owned: true }),
                ));
            }
            e.push((
                Key::FrameField {
                    frame,
                    field: "stack_pointer",
                },
                Item::Int(f.stack_pointer as i64),
            ));
            e.push((
                Key::FrameField {
                    frame,
                    field: "instr_ptr",
                },
                Item::Int(f.instr_ptr),
            ));
            e.push((
                Key::FrameField {
                    frame,
                    field: "previous",
                },
                Item::Int(f.previous.0 as i64),
            ));
        }
        e.push((Key::Field("next_instr"), Item::Int(vm.next_instr.index)));
        e.push((Key::Field("opcode"), Item::Int(vm.opcode as i64)));
        e.push((
            Key::Field("tstate.eval_breaker"),
            Item::Int(vm.ts.eval_breaker as i64),
        ));
        e.push((
            Key::Field("tstate.py_recursion_remaining"),
            Item::Int(vm.ts.py_recursion_remaining as i64),
        ));
        e.push((
            Key::Field("fallible_calls"),
            Item::Int(vm.faults.calls as i64),
        ));
        let exc = namer.name(vm.ts.current_exception, &|| "exception".to_string());
        e.push((
            Key::Exception,
            Item::Ref(RefItem::Obj {
                name: exc,
                owned: true,
            }),
        ));
        for (i, x) in vm.ts.exc_info.iter().enumerate() {
            let n = namer.name(x.exc_value, &|| format!("exc_info[{i}]"));
            e.push((
                Key::ExcInfo(i),
                Item::Ref(RefItem::Obj {
                    name: n,
                    owned: true,
                }),
            ));
        }
        for (i, r) in vm.roots.iter().enumerate() {
            let n = namer.name(*r, &|| format!("root[{i}]"));
            e.push((
                Key::Root(i),
                Item::Ref(RefItem::Obj {
                    name: n,
                    owned: true,
                }),
            ));
        }
        // Every live object from before the run, so that count changes on objects no root
        // reaches any more are still seen.
        for h in 1..vm.fresh_from.min(vm.heap.len() as u32) {
            let Some(s) = vm.heap.slot(Obj(h)) else {
                continue;
            };
            if !s.immortal && !s.freed {
                namer.name(Obj(h), &String::new);
            }
        }
        let mut objs = Vec::new();
        let mut qi = 0;
        let mut kids = Vec::new();
        while qi < namer.queue.len() {
            let (o, path) = namer.queue[qi].clone();
            qi += 1;
            let Some(s) = vm.heap.slot(o) else { continue };
            // Immortal objects never change (their names carry their value).
            if s.immortal {
                continue;
            }
            let here = || match &path {
                Some(p) => p.to_string(),
                None => format!("#{}", o.0),
            };
            kids.clear();
            s.data.children(&mut kids);
            let mut children = Vec::with_capacity(kids.len());
            for (ci, k) in kids.iter().enumerate() {
                children.push(namer.name(*k, &|| format!("{}[{ci}]", here())));
            }
            let ty = namer.name(s.ty, &|| format!("{}.type", here()));
            let n = namer.names[o.0 as usize].clone().unwrap_or(Name::Old(o.0));
            // Container contents are compared through `children`; do not copy them.
            let data = match &s.data {
                ObjData::Tuple(_) => ObjData::Tuple(Vec::new()),
                ObjData::List(_) => ObjData::List(Vec::new()),
                ObjData::Set(_) => ObjData::Set(Vec::new()),
                d => d.clone(),
            };
            objs.push((
                Key::Object(n),
                Item::Obj(CanonObj {
                    ty,
                    rc: if s.immortal { None } else { Some(s.rc) },
                    data,
                    children,
                    freed: s.freed,
                }),
            ));
        }
        let mut leaks = 0;
        for h in vm.fresh_from..vm.heap.len() as u32 {
            let Some(s) = vm.heap.slot(Obj(h)) else {
                continue;
            };
            if !s.immortal && !s.freed && namer.names[h as usize].is_none() {
                let mut kids = Vec::new();
                s.data.children(&mut kids);
                let children = kids
                    .iter()
                    .map(|k| namer.name(*k, &|| format!("leak[{leaks}]")))
                    .collect();
                let ty = namer.name(s.ty, &String::new);
                objs.push((
                    Key::Leak(leaks),
                    Item::Obj(CanonObj {
                        ty,
                        rc: Some(s.rc),
                        data: s.data.clone(),
                        children,
                        freed: false,
                    }),
                ));
                leaks += 1;
            }
        }
        e.extend(objs);
        for (i, v) in vm.heap.violations.iter().enumerate() {
            e.push((Key::Violation(i), Item::Violation(v.clone())));
        }
        Snapshot { entries: e }
    }

    fn find(&self, k: &Key) -> Option<&Item> {
        self.entries.iter().find(|(x, _)| x == k).map(|(_, it)| it)
    }

    /// The differences from `self` (left) to `other` (right).
    pub fn diff(&self, other: &Snapshot) -> SnapshotDiff {
        let mut lines = Vec::new();
        let (mut i, mut j) = (0, 0);
        // Entries are kept in discovery order (cheap to build); the diff walks them sorted.
        let mut a: Vec<&(Key, Item)> = self.entries.iter().collect();
        let mut b: Vec<&(Key, Item)> = other.entries.iter().collect();
        a.sort_by(|x, y| x.0.cmp(&y.0));
        b.sort_by(|x, y| x.0.cmp(&y.0));
        while i < a.len() || j < b.len() {
            let ord = match (a.get(i), b.get(j)) {
                (Some(x), Some(y)) => x.0.cmp(&y.0),
                (Some(_), None) => std::cmp::Ordering::Less,
                _ => std::cmp::Ordering::Greater,
            };
            match ord {
                std::cmp::Ordering::Equal => {
                    if a[i].1 != b[j].1 {
                        lines.push(format!(
                            "{}: {} vs {}",
                            self.label(&a[i].0),
                            self.render(&a[i].1),
                            other.render(&b[j].1)
                        ));
                    }
                    i += 1;
                    j += 1;
                }
                std::cmp::Ordering::Less => {
                    // A fresh object present on one side only was already shown inline on the
                    // root line that reaches it.
                    if !shown_inline(&a[i].0, &lines) {
                        lines.push(format!("{}: {} vs <absent>", a[i].0, self.render(&a[i].1)));
                    }
                    i += 1;
                }
                std::cmp::Ordering::Greater => {
                    if !shown_inline(&b[j].0, &lines) {
                        lines.push(format!("{}: <absent> vs {}", b[j].0, other.render(&b[j].1)));
                    }
                    j += 1;
                }
            }
        }
        SnapshotDiff { lines }
    }

    /// How a key is shown in a diff: an object that existed before the run is shown by the first
    /// root that refers to it (`stack[1] (#57)`), so diffs read like the examples.
    fn label(&self, k: &Key) -> String {
        if let Key::Object(n @ Name::Old(_)) = k {
            for (rk, it) in &self.entries {
                if let Item::Ref(RefItem::Obj { name, .. }) = it {
                    if name == n {
                        return format!("{rk} ({n})");
                    }
                }
            }
        }
        k.to_string()
    }

    /// Renders an item; references show the referenced object's content inline.
    pub fn render(&self, it: &Item) -> String {
        match it {
            Item::Outcome(o) => format!("{o:?}"),
            Item::Int(v) => v.to_string(),
            Item::Violation(v) => format!("{v:?}"),
            Item::Obj(c) => render_obj(c),
            Item::Ref(RefItem::Null) => "NULL".into(),
            Item::Ref(RefItem::TaggedInt(v)) => format!("tagged int {v}"),
            Item::Ref(RefItem::Obj { name, owned }) => {
                let borrowed = if *owned { "" } else { " [borrowed]" };
                match self.find(&Key::Object(name.clone())) {
                    Some(Item::Obj(c)) => format!("{}{borrowed}", render_obj(c)),
                    // no content entry: an immortal, whose ownership is irrelevant
                    _ => name.to_string(),
                }
            }
        }
    }
}

/// `true` for a fresh object's key whose path already has a diff line.
fn shown_inline(k: &Key, lines: &[String]) -> bool {
    match k {
        Key::Object(Name::Fresh(p)) => lines.iter().any(|l| l.starts_with(&format!("{p}: "))),
        _ => false,
    }
}

fn list(children: &[Name]) -> String {
    let v: Vec<String> = children.iter().map(|c| c.to_string()).collect();
    v.join(", ")
}

/// `int 3 (rc 2)`, `list [#5, new@stack[0][1]] (rc 1)`, ...
pub fn render_obj(c: &CanonObj) -> String {
    let mut s = String::new();
    let ty = &c.ty;
    match &c.data {
        ObjData::None => s.push_str("None"),
        ObjData::NotImplemented => s.push_str("NotImplemented"),
        ObjData::Ellipsis => s.push_str("Ellipsis"),
        ObjData::Int(IntVal::Small(v)) if *ty == Name::Old(wk::BOOL_TYPE.0) => {
            let _ = write!(s, "bool {}", *v != 0);
        }
        ObjData::Int(IntVal::Small(v)) => {
            let _ = write!(s, "int {v}");
        }
        ObjData::Int(IntVal::Big(b)) => {
            let _ = write!(s, "int {b}");
        }
        ObjData::Float(f) => {
            let _ = write!(s, "float {}", crate::repr::float_repr(*f));
        }
        ObjData::Str(t) => {
            let _ = write!(s, "str {t:?}");
        }
        ObjData::Bytes(b) => {
            let _ = write!(s, "bytes {b:?}");
        }
        ObjData::Tuple(_) => {
            let _ = write!(s, "tuple ({})", list(&c.children));
        }
        ObjData::List(_) => {
            let _ = write!(s, "list [{}]", list(&c.children));
        }
        ObjData::Set(_) => {
            let _ = write!(s, "set {{{}}}", list(&c.children));
        }
        ObjData::Dict(d) => {
            let _ = write!(
                s,
                "dict {{{}}} version {} unicode {}",
                list(&c.children),
                d.keys_version,
                d.unicode
            );
        }
        ObjData::Slice { .. } => {
            let _ = write!(s, "slice({})", list(&c.children));
        }
        ObjData::Range { start, stop, step } => {
            let _ = write!(s, "range({start}, {stop}, {step})");
        }
        ObjData::SeqIter { index, .. } => {
            let _ = write!(s, "iterator index {index} over [{}]", list(&c.children));
        }
        ObjData::RangeIter { start, step, len } => {
            let _ = write!(s, "range_iterator start {start} step {step} len {len}");
        }
        ObjData::Cell(_) => {
            let _ = write!(s, "cell [{}]", list(&c.children));
        }
        ObjData::Function(f) => {
            let _ = write!(s, "function version {} [{}]", f.version, list(&c.children));
        }
        ObjData::Code(k) => {
            let _ = write!(
                s,
                "code flags {} instrumentation version {} units {:?}",
                k.flags, k.instrumentation_version, k.units
            );
        }
        ObjData::Type(t) => {
            let _ = write!(
                s,
                "type {} flags {:#x} version {}",
                t.name, t.flags, t.version_tag
            );
        }
        ObjData::Module(_) => {
            let _ = write!(s, "module [{}]", list(&c.children));
        }
        ObjData::Method { .. } => {
            let _ = write!(s, "method [{}]", list(&c.children));
        }
        ObjData::Exception { .. } => {
            let t = ty.to_string();
            let t = t.strip_prefix("type ").unwrap_or(&t);
            let _ = write!(s, "{t} exception [{}]", list(&c.children));
        }
        ObjData::Opaque(t) => {
            let _ = write!(s, "opaque {t} of {ty}");
        }
    }
    if c.freed {
        s.push_str(" (freed)");
    } else if let Some(rc) = c.rc {
        let _ = write!(s, " (rc {rc})");
    }
    s
}

/// Fast path for the harness: `true` means the two states' snapshots are equal, without
/// building them (no allocation beyond two handle maps). `false` means "maybe different":
/// build both snapshots and [`Snapshot::diff`] them, which is also what explains the difference.
///
/// When both states are copies of one [`Vm::fork_point`] (the oracle's two sides), only the old
/// objects either copy wrote since the fork, and what they and the frames reach, are visited:
/// an old object neither wrote is identical in both. Otherwise every live old object is.
pub fn quick_equal(a: &Vm, oa: Option<Outcome>, b: &Vm, ob: Option<Outcome>) -> bool {
    if oa != ob
        || a.fresh_from != b.fresh_from
        || a.current != b.current
        || a.frames.len() != b.frames.len()
        || a.next_instr.index != b.next_instr.index
        || a.opcode != b.opcode
        || a.ts.eval_breaker != b.ts.eval_breaker
        || a.ts.py_recursion_remaining != b.ts.py_recursion_remaining
        || a.faults.calls != b.faults.calls
        || a.ts.exc_info.len() != b.ts.exc_info.len()
        || a.roots.len() != b.roots.len()
        || a.heap.violations != b.heap.violations
    {
        return false;
    }
    // Immortal prefix slots from before the run are never live mortals and match only
    // themselves: the maps need not cover them.
    let lo = a
        .heap
        .immortal_prefix()
        .min(b.heap.immortal_prefix())
        .min(a.fresh_from as usize)
        .min(b.fresh_from as usize)
        .max(1);
    // Copies of one fork: an old object neither side wrote is identical in both, so only the
    // written ones (and whatever they reach) need a visit.
    let old_end = a.fresh_from.min(a.heap.len() as u32).max(lo as u32);
    let siblings = a.heap.fork_id() != 0 && a.heap.fork_id() == b.heap.fork_id();
    let mut m = Matcher::with_buffers(a, b);
    (m.siblings, m.old_end, m.lo) = (siblings, old_end, lo as u32);
    let mut dirty = std::mem::take(&mut m.buf.dirty);
    dirty.clear();
    if siblings {
        dirty.resize((old_end - lo as u32) as usize, false);
        for &h in a.heap.dirty().iter().chain(b.heap.dirty()) {
            if (lo as u32..old_end).contains(&h) {
                dirty[(h - lo as u32) as usize] = true;
            }
        }
        let since = a.heap.fork_len().min(b.heap.fork_len()).max(lo as u32);
        for h in since..old_end {
            dirty[(h - lo as u32) as usize] = true;
        }
    }
    m.buf.dirty = dirty;
    m.buf.ab.clear();
    m.buf.ab.resize(a.heap.len().saturating_sub(lo), u32::MAX);
    m.buf.ba.clear();
    m.buf.ba.resize(b.heap.len().saturating_sub(lo), u32::MAX);
    m.buf.queue.clear();
    if let (Some(fa), Some(fb)) = (
        a.frames.get(a.current.0 as usize),
        b.frames.get(b.current.0 as usize),
    ) {
        if fa.stack_pointer != fb.stack_pointer
            || fa.nlocalsplus != fb.nlocalsplus
            || fa.instr_ptr != fb.instr_ptr
            || fa.return_offset != fb.return_offset
        {
            return false;
        }
        if fa.live().len() != fb.live().len() {
            return false;
        }
        for (x, y) in fa.live().iter().zip(fb.live()) {
            if !m.stackref(*x, *y) {
                return false;
            }
        }
        for (x, y) in [
            (fa.code, fb.code),
            (fa.func, fb.func),
            (fa.globals, fb.globals),
            (fa.builtins, fb.builtins),
            (fa.locals, fb.locals),
        ] {
            if !m.link(x, y) {
                return false;
            }
        }
    } else if a.frames.get(a.current.0 as usize).is_some()
        != b.frames.get(b.current.0 as usize).is_some()
    {
        return false;
    }
    for (fi, (fa, fb)) in a.frames.iter().zip(&b.frames).enumerate() {
        if fi == a.current.0 as usize {
            continue;
        }
        if fa.live().len() != fb.live().len()
            || fa.stack_pointer != fb.stack_pointer
            || fa.instr_ptr != fb.instr_ptr
            || fa.previous != fb.previous
        {
            return false;
        }
        for (x, y) in fa.live().iter().zip(fb.live()) {
            if !m.stackref(*x, *y) {
                return false;
            }
        }
        for (x, y) in [
            (fa.code, fb.code),
            (fa.func, fb.func),
            (fa.locals, fb.locals),
        ] {
            if !m.link(x, y) {
                return false;
            }
        }
    }
    if !m.link(a.ts.current_exception, b.ts.current_exception) {
        return false;
    }
    for (x, y) in a.ts.exc_info.iter().zip(&b.ts.exc_info) {
        if !m.link(x.exc_value, y.exc_value) {
            return false;
        }
    }
    for (x, y) in a.roots.iter().zip(&b.roots) {
        if !m.link(*x, *y) {
            return false;
        }
    }
    if siblings {
        // Every written old object is compared (freed ones too: more than the snapshot shows,
        // which can only turn an "equal" into a "maybe different").
        for h in lo as u32..old_end {
            if m.buf.dirty[(h - lo as u32) as usize] && !m.link(Obj(h), Obj(h)) {
                return false;
            }
        }
    }
    // Immortal prefix slots are never live mortals, so the loop would do nothing there.
    for h in lo as u32..a.fresh_from.min(a.heap.len() as u32) {
        if siblings && !m.buf.dirty[(h - lo as u32) as usize] {
            continue;
        }
        let (sa, sb) = (a.heap.slot(Obj(h)), b.heap.slot(Obj(h)));
        let live = |s: Option<&crate::heap::Slot>| s.is_some_and(|s| !s.immortal && !s.freed);
        if live(sa) != live(sb) {
            return false;
        }
        if live(sa) && !m.link(Obj(h), Obj(h)) {
            return false;
        }
    }
    let mut ka = std::mem::take(&mut m.buf.ka);
    let mut kb = std::mem::take(&mut m.buf.kb);
    let equal = m.drain(&mut ka, &mut kb);
    (m.buf.ka, m.buf.kb) = (ka, kb);
    if !equal {
        return false;
    }
    // Leaks (live fresh mortal objects no root reaches) are left to the full comparison.
    let leaked = |vm: &Vm, map: &[u32]| {
        (vm.fresh_from as usize..vm.heap.len()).any(|h| {
            map[h - lo] == u32::MAX
                && vm
                    .heap
                    .slot(Obj(h as u32))
                    .is_some_and(|s| !s.immortal && !s.freed)
        })
    };
    !leaked(a, &m.buf.ab) && !leaked(b, &m.buf.ba)
}

/// The buffers of a [`Matcher`], kept per thread between comparisons (one per check: allocating
/// them each time was a measurable share of it).
#[derive(Default)]
struct MatchBuffers {
    /// per old handle from `lo`: written by either copy since the fork (siblings only)
    dirty: Vec<bool>,
    /// a-handle -> b-handle and back (`u32::MAX`: not matched yet), from `lo`
    ab: Vec<u32>,
    ba: Vec<u32>,
    /// pairs linked but not compared yet
    queue: Vec<(Obj, Obj)>,
    /// children of the pair being compared (a side, b side)
    ka: Vec<Obj>,
    kb: Vec<Obj>,
}

thread_local! {
    static MATCH_BUFFERS: std::cell::Cell<Option<MatchBuffers>> =
        const { std::cell::Cell::new(None) };
}

impl<'a> Matcher<'a> {
    /// A matcher of `a` and `b` working in this thread's buffers (contents unspecified: the
    /// caller sizes and clears them); dropping it gives them back.
    fn with_buffers(a: &'a Vm, b: &'a Vm) -> Matcher<'a> {
        Matcher {
            a,
            b,
            lo: 1,
            siblings: false,
            old_end: 0,
            buf: MATCH_BUFFERS.take().unwrap_or_default(),
        }
    }

    /// Compares the queued pairs and everything they reach; `false` at the first difference.
    fn drain(&mut self, ka: &mut Vec<Obj>, kb: &mut Vec<Obj>) -> bool {
        let (a, b) = (self.a, self.b);
        let m = self;
        while let Some((x, y)) = m.buf.queue.pop() {
            let (Some(sx), Some(sy)) = (a.heap.slot(x), b.heap.slot(y)) else {
                return false;
            };
            if sx.immortal != sy.immortal {
                return false;
            }
            if sx.immortal {
                continue;
            }
            if sx.rc != sy.rc
                || sx.freed != sy.freed
                || !data_eq(&sx.data, &sy.data)
                || !m.link(sx.ty, sy.ty)
            {
                return false;
            }
            // Sequences: link the items in place (the common case, no copy into `ka`/`kb`).
            match (&sx.data, &sy.data) {
                (ObjData::Tuple(p), ObjData::Tuple(q))
                | (ObjData::List(p), ObjData::List(q))
                | (ObjData::Set(p), ObjData::Set(q)) => {
                    let live = |v: &Vec<Obj>| v.iter().filter(|o| !o.is_null()).count();
                    let dense = !p.iter().chain(q).any(|o| o.is_null());
                    if dense {
                        if p.len() != q.len() {
                            return false;
                        }
                        for (x, y) in p.iter().zip(q) {
                            if !m.link(*x, *y) {
                                return false;
                            }
                        }
                        continue;
                    }
                    if live(p) != live(q) {
                        return false;
                    }
                }
                _ => {}
            }
            ka.clear();
            kb.clear();
            sx.data.children(ka);
            sy.data.children(kb);
            if ka.len() != kb.len() {
                return false;
            }
            for (p, q) in ka.iter().zip(kb.iter()) {
                if !m.link(*p, *q) {
                    return false;
                }
            }
        }
        true
    }
}

impl Drop for Matcher<'_> {
    fn drop(&mut self) {
        MATCH_BUFFERS.set(Some(std::mem::take(&mut self.buf)));
    }
}

struct Matcher<'a> {
    a: &'a Vm,
    b: &'a Vm,
    /// handles below `lo` are immortals of both shared prefixes; the maps start at `lo`
    lo: u32,
    /// both states are copies of one fork ([`Vm::fork_point`])
    siblings: bool,
    /// end of the old handles `dirty` covers
    old_end: u32,
    /// the maps, queue and scratch vectors, reused per thread
    buf: MatchBuffers,
}

impl Matcher<'_> {
    fn stackref(&mut self, x: StackRef, y: StackRef) -> bool {
        if x.is_null() || y.is_null() || x.is_tagged_int() || y.is_tagged_int() {
            return x == y;
        }
        let owned = |vm: &Vm, r: StackRef| r.refcount_on_object() && !vm.heap.is_immortal(r.obj());
        owned(self.a, x) == owned(self.b, y) && self.link(x.obj(), y.obj())
    }

    fn link(&mut self, x: Obj, y: Obj) -> bool {
        if x.is_null() || y.is_null() {
            return x.is_null() && y.is_null();
        }
        let (a, b) = (self.a, self.b);
        // Old objects match only themselves; an old immortal has nothing more to compare (its
        // data is not part of the snapshot), so it needs no entry in the maps.
        if x.0 < a.fresh_from || y.0 < b.fresh_from {
            if x != y {
                return false;
            }
            if x.0 < self.lo || (a.heap.is_immortal(x) && b.heap.is_immortal(y)) {
                return true;
            }
            // Unwritten since the fork: identical in both, and so is everything it refers to
            // that nobody wrote (written objects are all visited on their own).
            if self.siblings && x.0 < self.old_end && !self.buf.dirty[(x.0 - self.lo) as usize] {
                return true;
            }
        }
        if x.0 < self.lo || y.0 < self.lo {
            return x == y;
        }
        let (xi, yi) = ((x.0 - self.lo) as usize, (y.0 - self.lo) as usize);
        if xi >= self.buf.ab.len() || yi >= self.buf.ba.len() {
            return x == y;
        }
        if self.buf.ab[xi] != u32::MAX || self.buf.ba[yi] != u32::MAX {
            return self.buf.ab[xi] == y.0 && self.buf.ba[yi] == x.0;
        }
        let x_old = x.0 < a.fresh_from;
        let y_old = y.0 < b.fresh_from;
        if !(x_old || y_old) && (a.heap.is_immortal(x) || b.heap.is_immortal(y)) {
            // Immortals created during the run (small ints, interned str) match by value.
            let same = a.heap.is_immortal(x)
                && b.heap.is_immortal(y)
                && match (a.heap.data(x), b.heap.data(y)) {
                    (ObjData::Int(p), ObjData::Int(q)) => p == q,
                    (ObjData::Str(p), ObjData::Str(q)) => p == q,
                    _ => false,
                };
            if !same {
                return false;
            }
        }
        self.buf.ab[xi] = y.0;
        self.buf.ba[yi] = x.0;
        self.buf.queue.push((x, y));
        true
    }
}
