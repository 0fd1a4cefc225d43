//! The fixed part of every emitted file: how the generated functions end (`Exit`), how stack
//! items move between the frame and variables, and the inline-cache readers. It is written
//! against `runtime::Vm` only, and is the same for every CPython version.

/// Source of the support items (parsed and formatted with the generated code).
pub const SUPPORT: &str = r#"
/// Whether the bodies' C `assert(...)`s are checked (panicking when one fails). Off, as in
/// CPython's release build: an assert is a debugging aid, not part of the semantics.
pub const C_ASSERTS: bool = false;

/// How a generated body ended; the composed instruction turns it into a `runtime::Outcome`
/// after fixing the stack as the execution contract says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Fell off the end: outputs valid.
    Continue,
    /// `DISPATCH()`: outputs valid, the instruction ends here.
    Dispatch,
    /// `DISPATCH_GOTO()`: outputs valid, the handler of this opcode runs next with this oparg.
    DispatchOpcode(u8, u32),
    /// `DEOPT_IF`: nothing consumed or produced.
    Deopt,
    /// `EXIT_IF`: nothing consumed or produced.
    SideExit,
    /// `ERROR_IF` / `goto error`: the inputs were released and are popped.
    Error(&'static str),
    /// `ERROR_NO_POP`: the inputs stay on the stack.
    ErrorNoPop(&'static str),
    /// `goto LABEL` to a label that is not an error exit.
    Label(&'static str),
}

/// A value that lives in a stack slot: `_PyStackRef` (3.14+) or `PyObject *` (3.12, 3.13).
pub trait Item: Copy {
    /// The slot's value as this type.
    fn from_slot(r: runtime::StackRef) -> Self;
    /// This value as a slot (a new `PyObject *` becomes an owned reference).
    fn into_slot(self, vm: &runtime::Vm) -> runtime::StackRef;
}

impl Item for runtime::StackRef {
    fn from_slot(r: runtime::StackRef) -> Self {
        r
    }
    fn into_slot(self, _vm: &runtime::Vm) -> runtime::StackRef {
        self
    }
}

impl Item for runtime::Obj {
    fn from_slot(r: runtime::StackRef) -> Self {
        if r.is_null() { runtime::Obj::NULL } else { r.obj() }
    }
    fn into_slot(self, vm: &runtime::Vm) -> runtime::StackRef {
        if self.is_null() { runtime::StackRef::NULL } else { vm.stackref_steal(self) }
    }
}

/// Start of an instruction: `next_instr` points past its inline cache.
pub fn enter_instruction(vm: &mut runtime::Vm, size: i64) {
    vm.next_instr = vm.this_instr.offset(size);
}

/// `LOAD_IP(offset)`: `next_instr = frame->instr_ptr + offset`.
pub fn load_ip(vm: &mut runtime::Vm, offset: i64) {
    let f = vm.frame();
    vm.next_instr = vm.frame_instr_ptr(f).offset(offset);
}

/// `JUMPBY(n)`.
pub fn jumpby(vm: &mut runtime::Vm, n: i64) {
    vm.next_instr = vm.next_instr.offset(n);
}

/// The stack item `depth` slots below the top (0 = top).
pub fn peek_item<T: Item>(vm: &mut runtime::Vm, depth: usize) -> T {
    T::from_slot(vm.peek(depth))
}

/// `n` stack items ending `depth` slots below the top, bottom first.
pub fn peek_items<T: Item>(vm: &mut runtime::Vm, depth: usize, n: usize) -> Vec<T> {
    (0..n).rev().map(|k| T::from_slot(vm.peek(depth + k))).collect()
}

/// Removes the top `n` slots (their references now live in the body's variables), bottom first.
pub fn pop_slots(vm: &mut runtime::Vm, n: usize) -> Vec<runtime::StackRef> {
    let mut v: Vec<runtime::StackRef> = (0..n).map(|_| vm.pop()).collect();
    v.reverse();
    v
}

/// Pushes one output.
pub fn push_item<T: Item>(vm: &mut runtime::Vm, v: T) {
    let r = v.into_slot(vm);
    vm.push(r);
}

/// Pushes an array output, bottom first.
pub fn push_items<T: Item>(vm: &mut runtime::Vm, v: Vec<T>) {
    for x in v {
        push_item(vm, x);
    }
}

/// Pushes back `n` slots of the popped inputs from position `pos` (an `unused` output keeps
/// what was there).
pub fn keep_slots(vm: &mut runtime::Vm, old: &[runtime::StackRef], pos: usize, n: usize) {
    for k in pos..pos + n {
        vm.push(old.get(k).copied().unwrap_or(runtime::StackRef::NULL));
    }
}

/// The outcome of an op that ends the instruction early, after fixing the stack: an error
/// exit pops the op's `inputs` slots, every other early exit leaves them.
pub fn settle(vm: &mut runtime::Vm, exit: Exit, inputs: usize) -> Option<runtime::Outcome> {
    match exit {
        Exit::Continue | Exit::Dispatch | Exit::DispatchOpcode(..) => None,
        Exit::Deopt => Some(runtime::Outcome::Deopt),
        Exit::SideExit => Some(runtime::Outcome::SideExit),
        Exit::Error(label) => {
            pop_slots(vm, inputs);
            Some(runtime::Outcome::Error { label })
        }
        Exit::ErrorNoPop(label) => Some(runtime::Outcome::Error { label }),
        Exit::Label(label) => Some(runtime::Outcome::Label { label }),
    }
}

/// A one-unit inline-cache entry, `offset` units after the instruction word.
pub fn cache_u16(vm: &mut runtime::Vm, offset: i64) -> u16 {
    let p = vm.this_instr.offset(1 + offset);
    vm.read_u16(p)
}

/// A two-unit inline-cache entry.
pub fn cache_u32(vm: &mut runtime::Vm, offset: i64) -> u32 {
    let p = vm.this_instr.offset(1 + offset);
    vm.read_u32(p)
}

/// A four-unit inline-cache entry holding an object pointer.
pub fn cache_obj(vm: &mut runtime::Vm, offset: i64) -> runtime::Obj {
    let p = vm.this_instr.offset(1 + offset);
    vm.read_obj(p)
}

/// A generated instruction or body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Generated {
    /// The DSL name.
    pub name: &'static str,
    /// `instruction`, `inst`, `op` or `label`.
    pub kind: &'static str,
    /// The opcode (instructions only).
    pub opcode: Option<u32>,
    /// Line of the definition in `bytecodes.c`.
    pub line: u32,
    /// The generated function.
    pub function: &'static str,
}

/// Metadata of one instruction of the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InstructionMeta {
    pub name: &'static str,
    pub opcode: Option<u32>,
    /// Code units including the inline cache.
    pub size: u32,
    /// CPython's `HAS_*_FLAG` names.
    pub flags: &'static [&'static str],
    /// Whether `execute` runs it.
    pub generated: bool,
}
"#;

/// Names the support items take in the generated namespace (C locals with these names get a
/// `_` suffix).
pub const SUPPORT_NAMES: &[&str] = &[
    "C_ASSERTS",
    "Exit",
    "Item",
    "enter_instruction",
    "jumpby",
    "load_ip",
    "peek_item",
    "peek_items",
    "pop_slots",
    "push_item",
    "push_items",
    "keep_slots",
    "settle",
    "cache_u16",
    "cache_u32",
    "cache_obj",
    "Generated",
    "InstructionMeta",
];
