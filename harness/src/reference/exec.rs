//! Evaluation of compiled bodies with C's semantics, against a `runtime::Vm`.
//!
//! Integer arithmetic happens in the common type the checker inferred (usual arithmetic
//! conversions), computed exactly in `i128` and then converted: unsigned results wrap, signed
//! overflow, division by zero and out-of-range shifts are undefined behaviour in C and end the
//! run as [`Skip`] instead of being given an arbitrary meaning.

use runtime::{ApiEntry, Outcome, StackRef, Value, Vm};

use super::ir::{Arg, ArithOp, CmpOp, Dsl, Expr, Num, Place, Stmt, UnOp};
use super::value::{CVal, IntT, Skip, Ty};

/// How a statement finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Normal,
    Break,
    Continue,
}

/// Why a body stopped before its end.
#[derive(Debug, Clone, PartialEq)]
pub enum Stop {
    /// an exit of the instruction; `pop` says whether the op's inputs are popped (ERROR_IF)
    Exit { outcome: Outcome, pop: bool },
    /// `DISPATCH()`: the op ends as if it fell off its end (outputs pushed), then dispatches
    Dispatch,
    /// `DISPATCH_GOTO()`: like `Dispatch`, into the handler of `opcode` with `oparg`
    DispatchOpcode { opcode: u8, oparg: u32 },
    /// the reference cannot go on faithfully
    Skip(Skip),
}

impl From<Skip> for Stop {
    fn from(s: Skip) -> Stop {
        Stop::Skip(s)
    }
}

/// The stack layout of one op's input item at run time.
#[derive(Debug, Clone, Copy)]
pub struct InputSlot {
    /// the variable slot (`None` for `unused`)
    pub slot: Option<u32>,
    /// absolute index into `localsplus` of the first element
    pub pos: usize,
    /// number of stack entries (0: a conditional item that is absent)
    pub len: usize,
    /// an array item
    pub array: bool,
    /// stays on the stack (`left -- left`), or a `null` item: never released by DECREF_INPUTS
    pub keep: bool,
    /// a conditional item (`XCLOSE`)
    pub cond: bool,
}

/// What `DECREF_INPUTS()` expands to, as CPython's generator writes it
/// (`generated_cases.c.h` of each version is the oracle).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecrefStyle {
    /// 3.14+: `PyStackRef_CLOSE` / `PyStackRef_XCLOSE`, top of the stack first.
    StackRefs,
    /// 3.12/3.13: `Py_DECREF` / `Py_XDECREF` in declaration order (bottom first); an array's
    /// elements last to first (`for (int _i = n; --_i >= 0;) Py_DECREF(values[_i]);`).
    Objects,
}

impl DecrefStyle {
    /// The style of CPython `3.<minor>`.
    pub fn of_minor(minor: u32) -> DecrefStyle {
        if minor >= 14 {
            DecrefStyle::StackRefs
        } else {
            DecrefStyle::Objects
        }
    }
}

/// The run-time context of one op.
#[derive(Debug)]
pub struct Ctx<'a> {
    /// the model
    pub vm: &'a mut Vm,
    /// variable values by slot
    pub vars: Vec<CVal>,
    /// the op's inputs (for DECREF_INPUTS)
    pub inputs: &'a [InputSlot],
    /// `INSTRUCTION_SIZE`
    pub inst_size: i64,
    /// bound on loop iterations (a body that does not terminate is a bug, not a hang)
    pub fuel: u64,
    /// what `DECREF_INPUTS` calls
    pub decref: DecrefStyle,
    /// where the op's inputs start on the frame's stack (absolute `localsplus` index), and the
    /// stack pointer the op started with
    pub base: usize,
    pub sp: usize,
    /// `SAVE_STACK()` ran: the inputs are off the stack, and the outputs go on top of whatever
    /// frame is running when the op ends (`RETURN_VALUE` switches frames before `RELOAD_STACK`)
    pub saved: bool,
}

type R<T> = Result<T, Stop>;

fn skip<T>(reason: &'static str, detail: impl Into<String>) -> R<T> {
    Err(Stop::Skip(Skip::new(reason, detail)))
}

/// A place whose sub-expressions have been evaluated (each evaluated exactly once).
enum RPlace {
    Var(u32, Ty),
    Field {
        set: &'static ApiEntry,
        get: &'static ApiEntry,
        base: Value,
        ty: Ty,
    },
    Global {
        set: &'static ApiEntry,
        get: &'static ApiEntry,
        ty: Ty,
    },
    Elem(usize, Ty),
    Call {
        set: &'static ApiEntry,
        get: &'static ApiEntry,
        args: Vec<Value>,
        ty: Ty,
    },
}

impl RPlace {
    fn ty(&self) -> Ty {
        match self {
            RPlace::Var(_, t)
            | RPlace::Field { ty: t, .. }
            | RPlace::Global { ty: t, .. }
            | RPlace::Elem(_, t)
            | RPlace::Call { ty: t, .. } => *t,
        }
    }
}

fn call_entry(vm: &mut Vm, f: &'static ApiEntry, args: &mut [Value]) -> R<Value> {
    f.invoke(vm, args)
        .map_err(|e| Stop::Skip(Skip::new("registry call error", format!("{}: {e}", f.name))))
}

/// The value a stack slot holds, as a variable of type `ty` (`PyObject *` items of 3.12/3.13
/// see the object).
pub fn from_stack(r: StackRef, ty: Ty) -> CVal {
    match ty {
        Ty::Obj => CVal::Rt(Value::Obj(r.obj())),
        _ => CVal::Rt(Value::StackRef(r)),
    }
}

/// The stack entry a variable's value becomes.
pub fn to_stack(vm: &Vm, v: CVal) -> Result<StackRef, Skip> {
    match v {
        CVal::Rt(Value::StackRef(r)) => Ok(r),
        CVal::Rt(Value::Obj(o)) if o.is_null() => Ok(StackRef::NULL),
        CVal::Rt(Value::Obj(o)) => Ok(vm.stackref_steal(o)),
        CVal::Int(0, _) => Ok(StackRef::NULL),
        CVal::Uninit => Err(Skip::new("output not assigned", "")),
        other => Err(Skip::new(
            "non-reference value on the stack",
            format!("{other:?}"),
        )),
    }
}

fn stack_get(vm: &mut Vm, pos: usize) -> R<StackRef> {
    let f = vm.cur();
    match f.localsplus.get(pos) {
        Some(r) => Ok(*r),
        None => skip("stack index out of range", format!("{pos}")),
    }
}

fn stack_set(vm: &mut Vm, pos: usize, r: StackRef) -> R<()> {
    let f = vm.cur();
    match f.localsplus.get_mut(pos) {
        Some(slot) => {
            *slot = r;
            Ok(())
        }
        None => skip("stack index out of range", format!("{pos}")),
    }
}

impl Ctx<'_> {
    fn tick(&mut self) -> R<()> {
        if self.fuel == 0 {
            return skip("loop iteration limit", "");
        }
        self.fuel -= 1;
        Ok(())
    }

    /// Runs a statement.
    pub fn stmt(&mut self, s: &Stmt) -> R<Flow> {
        match s {
            Stmt::Nop => Ok(Flow::Normal),
            Stmt::Expr(e) => {
                self.expr(e)?;
                Ok(Flow::Normal)
            }
            Stmt::Decl(slot, ty, init) => {
                let v = match init {
                    Some(e) => self.expr(e)?.convert(*ty)?,
                    None => CVal::Uninit,
                };
                self.vars[*slot as usize] = v;
                Ok(Flow::Normal)
            }
            Stmt::Block(v) => {
                for s in v {
                    let f = self.stmt(s)?;
                    if f != Flow::Normal {
                        return Ok(f);
                    }
                }
                Ok(Flow::Normal)
            }
            Stmt::If(c, t, e) => {
                if self.cond(c)? {
                    self.stmt(t)
                } else if let Some(e) = e {
                    self.stmt(e)
                } else {
                    Ok(Flow::Normal)
                }
            }
            Stmt::While(c, body) => {
                while self.cond(c)? {
                    self.tick()?;
                    if self.stmt(body)? == Flow::Break {
                        break;
                    }
                }
                Ok(Flow::Normal)
            }
            Stmt::For(init, c, step, body) => {
                self.stmt(init)?;
                loop {
                    if let Some(c) = c {
                        if !self.cond(c)? {
                            break;
                        }
                    }
                    self.tick()?;
                    if self.stmt(body)? == Flow::Break {
                        break;
                    }
                    if let Some(s) = step {
                        self.expr(s)?;
                    }
                }
                Ok(Flow::Normal)
            }
            Stmt::Break => Ok(Flow::Break),
            Stmt::Continue => Ok(Flow::Continue),
            Stmt::Goto(label) => {
                let outcome = label_outcome(label);
                Err(Stop::Exit {
                    pop: matches!(outcome, Outcome::Error { .. }),
                    outcome,
                })
            }
            Stmt::Dsl(d) => self.dsl(d),
        }
    }

    fn dsl(&mut self, d: &Dsl) -> R<Flow> {
        match d {
            Dsl::DeoptIf(c) => {
                if self.cond(c)? {
                    return Err(Stop::Exit {
                        outcome: Outcome::Deopt,
                        pop: false,
                    });
                }
            }
            Dsl::ExitIf(c) => {
                if self.cond(c)? {
                    return Err(Stop::Exit {
                        outcome: Outcome::SideExit,
                        pop: false,
                    });
                }
            }
            Dsl::ErrorIf(c, label) => {
                if self.cond(c)? {
                    return Err(Stop::Exit {
                        outcome: Outcome::Error { label },
                        pop: true,
                    });
                }
            }
            Dsl::ErrorNoPop => {
                return Err(Stop::Exit {
                    outcome: Outcome::Error { label: "error" },
                    pop: false,
                })
            }
            Dsl::DecrefInputs => self.decref_inputs()?,
            Dsl::Assert(c) => {
                let faults = self.vm.faults;
                let nviol = self.vm.heap.violations.len();
                let ok = self.cond(c);
                let bad = self.vm.heap.violations.len() > nviol;
                self.vm.faults = faults;
                self.vm.heap.violations.truncate(nviol);
                if bad || !ok? {
                    return skip("assert failed (state outside the body's preconditions)", "");
                }
            }
            Dsl::Dispatch => return Err(Stop::Dispatch),
            Dsl::DispatchGoto => {
                let f = runtime::lookup("opcode")
                    .ok_or_else(|| Skip::new("no registry entry", "opcode"))?;
                let opcode = match call_entry(self.vm, f, &mut [])? {
                    Value::Int(v, _) => v as u8,
                    other => return skip("opcode is not an integer", format!("{other:?}")),
                };
                let oparg = match self.vars[super::compile::OPARG_SLOT as usize] {
                    CVal::Int(v, _) => v as u32,
                    other => return skip("oparg is not an integer", format!("{other:?}")),
                };
                return Err(Stop::DispatchOpcode { opcode, oparg });
            }
            Dsl::LoadIp(n) => {
                // `next_instr = frame->instr_ptr + (OFFSET)`, each name by its C meaning.
                let n = self.int(n)?;
                let entry = |name: &'static str| {
                    runtime::lookup(name).ok_or_else(|| Skip::new("no registry entry", name))
                };
                let (frame, instr_ptr, set_next) = (
                    entry("frame")?,
                    entry("_PyInterpreterFrame.instr_ptr")?,
                    entry("next_instr=")?,
                );
                let f = call_entry(self.vm, frame, &mut [])?;
                let p = match call_entry(self.vm, instr_ptr, &mut [f])? {
                    Value::Code(p) => p,
                    other => return skip("instr_ptr is not a code pointer", format!("{other:?}")),
                };
                let Ok(n) = i64::try_from(n) else {
                    return skip("LOAD_IP offset out of range", n.to_string());
                };
                call_entry(self.vm, set_next, &mut [Value::Code(p.offset(n))])?;
            }
            Dsl::SaveStack => {
                if !self.saved {
                    let f = self.vm.cur();
                    for i in self.base..self.sp.min(f.localsplus.len()) {
                        f.localsplus[i] = StackRef::NULL;
                    }
                    f.stack_pointer = self.base;
                    self.saved = true;
                }
            }
            Dsl::JumpBy(n) => {
                let n = self.int(n)?;
                self.vm.next_instr = self.vm.next_instr.offset(n as i64);
            }
            Dsl::CheckEvalBreaker => {
                // `_PY_EVAL_EVENTS_MASK`: the low 8 bits of the eval breaker are events.
                if self.vm.ts.eval_breaker & 0xff != 0 {
                    let f = runtime::lookup("_Py_HandlePending")
                        .ok_or_else(|| Skip::new("no registry entry", "_Py_HandlePending"))?;
                    let mut args = [Value::TState(runtime::TState)];
                    let r = call_entry(self.vm, f, &mut args)?;
                    if matches!(r, Value::Int(v, _) if v != 0) {
                        return Err(Stop::Exit {
                            outcome: Outcome::Error { label: "error" },
                            pop: false,
                        });
                    }
                }
            }
        }
        Ok(Flow::Normal)
    }

    fn decref_inputs(&mut self) -> R<()> {
        let (close, xclose) = match self.decref {
            DecrefStyle::StackRefs => ("PyStackRef_CLOSE", "PyStackRef_XCLOSE"),
            DecrefStyle::Objects => ("Py_DECREF", "Py_XDECREF"),
        };
        let entry = |name: &'static str| {
            runtime::lookup(name).ok_or_else(|| Skip::new("no registry entry", name))
        };
        let (close, xclose) = (entry(close)?, entry(xclose)?);
        let order: Vec<InputSlot> = match self.decref {
            DecrefStyle::StackRefs => self.inputs.iter().rev().copied().collect(),
            DecrefStyle::Objects => self.inputs.to_vec(),
        };
        for it in order {
            let Some(slot) = it.slot else { continue };
            if it.keep || it.len == 0 {
                continue;
            }
            let f = if it.cond { xclose } else { close };
            let style = self.decref;
            let arg = |r: StackRef| match style {
                DecrefStyle::StackRefs => Value::StackRef(r),
                DecrefStyle::Objects => Value::Obj(r.obj()),
            };
            if it.array {
                for k in (0..it.len).rev() {
                    let r = stack_get(self.vm, it.pos + k)?;
                    call_entry(self.vm, f, &mut [arg(r)])?;
                }
            } else {
                let a = match (self.vars[slot as usize], self.decref) {
                    (CVal::Rt(Value::StackRef(r)), _) => arg(r),
                    (CVal::Rt(Value::Obj(o)), DecrefStyle::Objects) => Value::Obj(o),
                    (CVal::Rt(Value::Obj(o)), DecrefStyle::StackRefs) => {
                        Value::StackRef(self.vm.stackref_steal(o))
                    }
                    (other, _) => {
                        return skip("DECREF_INPUTS on a non-reference", format!("{other:?}"))
                    }
                };
                call_entry(self.vm, f, &mut [a])?;
            }
        }
        Ok(())
    }

    fn cond(&mut self, e: &Expr) -> R<bool> {
        Ok(self.expr(e)?.truthy()?)
    }

    fn int(&mut self, e: &Expr) -> R<i128> {
        match self.expr(e)? {
            CVal::Int(v, _) => Ok(v),
            other => skip("integer expected", format!("{other:?}")),
        }
    }

    fn resolve(&mut self, p: &Place) -> R<RPlace> {
        Ok(match p {
            Place::Var(s, t) => RPlace::Var(*s, *t),
            Place::Field { set, get, base, ty } => RPlace::Field {
                set,
                get,
                base: self.expr(base)?.to_value()?,
                ty: *ty,
            },
            Place::Global { set, get, ty } => RPlace::Global { set, get, ty: *ty },
            Place::Elem { base, idx, ty } => {
                let b = self.expr(base)?;
                let i = self.int(idx)?;
                match b {
                    CVal::StackArr(pos, len) => {
                        if i < 0 || i >= len as i128 {
                            return skip("array index out of bounds (UB)", format!("{i} of {len}"));
                        }
                        RPlace::Elem(pos + i as usize, *ty)
                    }
                    other => return skip("indexing a non-array", format!("{other:?}")),
                }
            }
            Place::Call { set, get, args, ty } => {
                let mut v = Vec::with_capacity(args.len());
                for a in args {
                    v.push(self.expr(a)?.to_value()?);
                }
                RPlace::Call {
                    set,
                    get,
                    args: v,
                    ty: *ty,
                }
            }
        })
    }

    fn load(&mut self, p: &RPlace) -> R<CVal> {
        Ok(match p {
            RPlace::Var(s, _) => self.vars[*s as usize],
            RPlace::Field { get, base, ty, .. } => {
                CVal::from_value(call_entry(self.vm, get, &mut [*base])?, *ty)
            }
            RPlace::Global { get, ty, .. } => {
                CVal::from_value(call_entry(self.vm, get, &mut [])?, *ty)
            }
            RPlace::Elem(pos, ty) => from_stack(stack_get(self.vm, *pos)?, *ty),
            RPlace::Call { get, args, ty, .. } => {
                let mut a = args.clone();
                CVal::from_value(call_entry(self.vm, get, &mut a)?, *ty)
            }
        })
    }

    /// Stores `v` (already converted to the place's type).
    fn store(&mut self, p: &RPlace, v: CVal) -> R<()> {
        match p {
            RPlace::Var(s, _) => self.vars[*s as usize] = v,
            RPlace::Field { set, base, .. } => {
                call_entry(self.vm, set, &mut [*base, v.to_value()?])?;
            }
            RPlace::Global { set, .. } => {
                call_entry(self.vm, set, &mut [v.to_value()?])?;
            }
            RPlace::Elem(pos, _) => {
                let r = to_stack(self.vm, v)?;
                stack_set(self.vm, *pos, r)?;
            }
            RPlace::Call { set, args, .. } => {
                let mut a = args.clone();
                a.push(v.to_value()?);
                call_entry(self.vm, set, &mut a)?;
            }
        }
        Ok(())
    }

    /// Evaluates an expression.
    pub fn expr(&mut self, e: &Expr) -> R<CVal> {
        match e {
            Expr::Lit(v) => Ok(*v),
            Expr::Var(s) => match self.vars[*s as usize] {
                CVal::Uninit => skip("read of an uninitialized variable", format!("slot {s}")),
                v => Ok(v),
            },
            Expr::InstructionSize => Ok(CVal::Int(self.inst_size as i128, IntT::INT)),
            Expr::Call { f, args, ret } => self.call(f, args, *ret),
            Expr::Unary { op, e, ty } => {
                let v = self.expr(e)?;
                unary(*op, v, *ty)
            }
            Expr::Not(e) => {
                let b = self.cond(e)?;
                Ok(CVal::Int((!b) as i128, IntT::INT))
            }
            Expr::Arith { op, l, r, ty } => {
                let a = self.expr(l)?;
                let b = self.expr(r)?;
                arith(*op, a, b, *ty)
            }
            Expr::Cmp { op, l, r, ty } => {
                let a = self.expr(l)?;
                let b = self.expr(r)?;
                compare(*op, a, b, *ty)
            }
            Expr::And(l, r) => {
                let v = self.cond(l)? && self.cond(r)?;
                Ok(CVal::Int(v as i128, IntT::INT))
            }
            Expr::Or(l, r) => {
                let v = self.cond(l)? || self.cond(r)?;
                Ok(CVal::Int(v as i128, IntT::INT))
            }
            Expr::Cond { c, t, f, ty } => {
                let v = if self.cond(c)? {
                    self.expr(t)?
                } else {
                    self.expr(f)?
                };
                Ok(v.convert(*ty)?)
            }
            Expr::Assign { place, value } => {
                let p = self.resolve(place)?;
                let v = self.expr(value)?.convert(p.ty())?;
                self.store(&p, v)?;
                Ok(v)
            }
            Expr::OpAssign {
                place,
                op,
                value,
                common,
            } => {
                let p = self.resolve(place)?;
                let old = self.load(&p)?;
                let rhs = self.expr(value)?;
                let v = arith(*op, old, rhs, *common)?.convert(p.ty())?;
                self.store(&p, v)?;
                Ok(v)
            }
            Expr::IncDec { place, pre, delta } => {
                let p = self.resolve(place)?;
                let old = self.load(&p)?;
                if let CVal::StackArr(pos, len) = old {
                    // A stack view (`arguments--`): it stays inside the op's inputs, which is
                    // all the generated code can index (C could reach further down the
                    // frame's `localsplus`; such states are skipped, not guessed).
                    let lo = self.inputs.iter().map(|i| i.pos).min().unwrap_or(pos);
                    let new_pos = pos as i128 + *delta as i128;
                    let new_len = len as i128 - *delta as i128;
                    if new_pos < lo as i128 || new_len < 0 {
                        return skip(
                            "stack view moved outside the op's inputs",
                            format!("{new_pos} (inputs from {lo})"),
                        );
                    }
                    let new = CVal::StackArr(new_pos as usize, new_len as usize);
                    self.store(&p, new)?;
                    return Ok(if *pre { new } else { old });
                }
                let common = match p.ty() {
                    Ty::Int(t) => Num::Int(t.promote()),
                    Ty::Float => Num::Float,
                    other => return skip("increment of a non-number", format!("{other:?}")),
                };
                let new = arith(
                    ArithOp::Add,
                    old,
                    CVal::Int(*delta as i128, IntT::INT),
                    common,
                )?
                .convert(p.ty())?;
                self.store(&p, new)?;
                Ok(if *pre { new } else { old })
            }
            Expr::Cast { e, to } => {
                let v = self.expr(e)?;
                Ok(v.convert(*to)?)
            }
            Expr::ObjArray { arr, count } => {
                let CVal::StackArr(pos, len) = self.expr(arr)? else {
                    return skip("STACKREFS_TO_PYOBJECTS of a non-array", "");
                };
                let n = self.int(count)?;
                if n < 0 || n > len as i128 {
                    return skip(
                        "array index out of bounds (UB)",
                        format!("STACKREFS_TO_PYOBJECTS of {n} of {len}"),
                    );
                }
                // C converts every element now (`_PyObjectArray_FromStackRefArray`): a slot
                // that has no object is caught here, where CPython would read it.
                let Some(borrow) = runtime::registry::lookup("PyStackRef_AsPyObjectBorrow") else {
                    return skip("no registry entry", "PyStackRef_AsPyObjectBorrow");
                };
                for i in 0..n as usize {
                    let r = stack_get(self.vm, pos + i)?;
                    call_entry(self.vm, borrow, &mut [Value::StackRef(r)])?;
                }
                Ok(CVal::ObjArr(pos, n as usize))
            }
            Expr::BelowTop(top) => {
                let CVal::StackArr(pos, 0) = self.expr(top)? else {
                    return skip("written array that is not an empty stack array", "");
                };
                if pos < self.base {
                    return skip("written array below the op's outputs", format!("{pos}"));
                }
                Ok(CVal::StackArr(self.base, pos - self.base))
            }
            Expr::ObjArrayOffset { base, off } => {
                let CVal::ObjArr(pos, len) = self.expr(base)? else {
                    return skip("offset of a non-array", "");
                };
                let n = self.int(off)?;
                if n < 0 {
                    return skip("pointer arithmetic before the array (UB)", format!("{n}"));
                }
                // CPython converts into a scratch array of at least eleven pointers, so
                // `values_o + 1` of an empty conversion still points into it (BUILD_MAP with
                // oparg 0). Nothing past the converted elements may be read: the callee's
                // bounds check sees an empty remainder.
                let n = (n as usize).min(len);
                Ok(CVal::ObjArr(pos + n, len - n))
            }
            Expr::CodeArith { sub, l, r, ty } => {
                let a = self.expr(l)?;
                let b = self.expr(r)?;
                match (a, b) {
                    (CVal::Rt(Value::Code(p)), CVal::Rt(Value::Code(q))) if *sub => {
                        if p.code != q.code {
                            return skip(
                                "subtraction of pointers into different arrays (UB)",
                                format!("{p:?} - {q:?}"),
                            );
                        }
                        Ok(CVal::Int(p.distance(q) as i128, IntT::LONG).convert(*ty)?)
                    }
                    (CVal::Rt(Value::Code(p)), CVal::Int(n, _)) => {
                        let n = if *sub { -n } else { n };
                        Ok(CVal::Rt(Value::Code(p.offset(n as i64))))
                    }
                    (CVal::Int(n, _), CVal::Rt(Value::Code(p))) if !*sub => {
                        Ok(CVal::Rt(Value::Code(p.offset(n as i64))))
                    }
                    (a, b) => skip(
                        "pointer arithmetic on other values",
                        format!("{a:?}, {b:?}"),
                    ),
                }
            }
            Expr::Index { base, idx, ty } => {
                let b = self.expr(base)?;
                let i = self.int(idx)?;
                match b {
                    CVal::StackArr(pos, len) => {
                        if i < 0 || i >= len as i128 {
                            return skip("array index out of bounds (UB)", format!("{i} of {len}"));
                        }
                        Ok(from_stack(stack_get(self.vm, pos + i as usize)?, *ty))
                    }
                    // `this_instr[1]`: the code unit at that index (its fields are read
                    // through the registry, which checks the range).
                    CVal::Rt(Value::Code(p)) => Ok(CVal::Rt(Value::Code(p.offset(i as i64)))),
                    other => skip("indexing a non-array", format!("{other:?}")),
                }
            }
        }
    }

    fn call(&mut self, f: &'static ApiEntry, args: &[Arg], ret: Ty) -> R<CVal> {
        // Most calls take a few arguments: they live on the stack, not in a new vector.
        let mut small = [Value::Obj(runtime::Obj::NULL); 6];
        let mut big = Vec::new();
        let mut n = 0usize;
        let mut push = |v: Value| {
            if args.len() <= small.len() {
                small[n] = v;
            } else {
                big.push(v);
            }
            n += 1;
        };
        let mut outs: Vec<(usize, RPlace)> = Vec::new();
        for (i, a) in args.iter().enumerate() {
            match a {
                Arg::Val(e, ty) => push(self.expr(e)?.convert(*ty)?.to_value()?),
                Arg::Out(p) => {
                    let rp = self.resolve(p)?;
                    let cur = match self.load(&rp)? {
                        CVal::Uninit => match f.c_params.get(i).map(|p| p.class) {
                            Some(runtime::ctype::CClass::OutStackRef) => {
                                Value::StackRef(StackRef::NULL)
                            }
                            _ => Value::Obj(runtime::Obj::NULL),
                        },
                        v => v.to_value()?,
                    };
                    push(cur);
                    outs.push((i, rp));
                }
            }
        }
        let vals = if args.len() <= small.len() {
            &mut small[..n]
        } else {
            &mut big[..]
        };
        let r = call_entry(self.vm, f, vals)?;
        for (i, rp) in outs {
            let v = CVal::from_value(vals[i], rp.ty());
            self.store(&rp, v)?;
        }
        Ok(CVal::from_value(r, ret))
    }
}

/// The outcome of jumping to a label: error labels (`error`, `pop_N_error`,
/// `exception_unwind`, `exit_unwind`, ...) are errors, the rest are plain jumps.
pub fn label_outcome(label: &'static str) -> Outcome {
    let error = label.contains("error") || label.contains("unwind");
    if error {
        Outcome::Error { label }
    } else {
        Outcome::Label { label }
    }
}

fn num_operands(a: CVal, b: CVal, ty: Num) -> R<(CVal, CVal)> {
    let t = match ty {
        Num::Int(t) => Ty::Int(t),
        Num::Float => Ty::Float,
    };
    Ok((a.convert(t)?, b.convert(t)?))
}

/// C's unary `+`, `-`, `~` in the promoted type.
pub fn unary(op: UnOp, v: CVal, ty: Num) -> R<CVal> {
    match ty {
        Num::Float => {
            let CVal::Float(f) = v.convert(Ty::Float)? else {
                return skip("unary operator", "");
            };
            match op {
                UnOp::Plus => Ok(CVal::Float(f)),
                UnOp::Neg => Ok(CVal::Float(-f)),
                UnOp::Compl => skip("~ on a double", ""),
            }
        }
        Num::Int(t) => {
            let CVal::Int(x, _) = v.convert(Ty::Int(t))? else {
                return skip("unary operator", "");
            };
            let r = match op {
                UnOp::Plus => x,
                UnOp::Neg => -x,
                UnOp::Compl => !x,
            };
            if t.signed && op == UnOp::Neg && !t.contains(r) {
                return skip("signed overflow (UB)", format!("-({x})"));
            }
            Ok(CVal::Int(t.convert(r), t))
        }
    }
}

/// C's binary arithmetic in the common type `ty`.
pub fn arith(op: ArithOp, a: CVal, b: CVal, ty: Num) -> R<CVal> {
    if let Num::Int(t) = ty {
        if matches!(op, ArithOp::Shl | ArithOp::Shr) {
            return shift(op, a, b, t);
        }
    }
    let (a, b) = num_operands(a, b, ty)?;
    match (a, b, ty) {
        (CVal::Float(x), CVal::Float(y), Num::Float) => Ok(CVal::Float(match op {
            ArithOp::Add => x + y,
            ArithOp::Sub => x - y,
            ArithOp::Mul => x * y,
            ArithOp::Div => x / y,
            _ => return skip("bitwise operator on a double", ""),
        })),
        (CVal::Int(x, _), CVal::Int(y, _), Num::Int(t)) => {
            let exact = match op {
                ArithOp::Add => x + y,
                ArithOp::Sub => x - y,
                ArithOp::Mul => x.wrapping_mul(y),
                ArithOp::Div | ArithOp::Mod => {
                    if y == 0 {
                        return skip("division by zero (UB)", format!("{x} / 0"));
                    }
                    if op == ArithOp::Div {
                        x / y
                    } else {
                        x % y
                    }
                }
                ArithOp::And => x & y,
                ArithOp::Or => x | y,
                ArithOp::Xor => x ^ y,
                ArithOp::Shl | ArithOp::Shr => unreachable_shift()?,
            };
            if t.signed {
                let fits = match op {
                    ArithOp::Mul => x.checked_mul(y).is_some_and(|p| t.contains(p)),
                    _ => t.contains(exact),
                };
                if !fits {
                    return skip(
                        "signed overflow (UB)",
                        format!("{x} {op:?} {y} in {} bits", t.bits),
                    );
                }
            }
            Ok(CVal::Int(t.convert(exact), t))
        }
        (a, b, _) => skip("arithmetic on non-numbers", format!("{a:?} {op:?} {b:?}")),
    }
}

fn unreachable_shift() -> R<i128> {
    skip("internal: shift dispatched as arithmetic", "")
}

/// Shifts: the result has the promoted left type; a count that is negative or not less than
/// the width is UB, as is shifting a negative value left or overflowing a signed one.
fn shift(op: ArithOp, a: CVal, b: CVal, t: IntT) -> R<CVal> {
    let CVal::Int(x, _) = a.convert(Ty::Int(t))? else {
        return skip("shift of a non-integer", "");
    };
    let n = match b {
        CVal::Int(n, _) => n,
        other => return skip("shift count not an integer", format!("{other:?}")),
    };
    if n < 0 || n >= t.bits as i128 {
        return skip(
            "shift count out of range (UB)",
            format!("{x} shifted by {n} in {} bits", t.bits),
        );
    }
    let r = if op == ArithOp::Shl {
        if t.signed && x < 0 {
            return skip("left shift of a negative value (UB)", format!("{x} << {n}"));
        }
        let r = x << n;
        if t.signed && !t.contains(r) {
            return skip("signed overflow (UB)", format!("{x} << {n}"));
        }
        r
    } else {
        // Right shift of a negative value is implementation-defined; every compiler CPython
        // supports shifts arithmetically.
        x >> n
    };
    Ok(CVal::Int(t.convert(r), t))
}

/// Comparisons: in the common type for numbers, by identity for pointers.
pub fn compare(op: CmpOp, a: CVal, b: CVal, ty: Option<Num>) -> R<CVal> {
    let r = match ty {
        Some(ty) => {
            let (a, b) = num_operands(a, b, ty)?;
            match (a, b) {
                (CVal::Int(x, _), CVal::Int(y, _)) => ord(op, x.partial_cmp(&y)),
                (CVal::Float(x), CVal::Float(y)) => ord(op, x.partial_cmp(&y)),
                _ => return skip("comparison of non-numbers", ""),
            }
        }
        None => {
            let (x, y) = (a.ptr_key()?, b.ptr_key()?);
            match op {
                CmpOp::Eq => x == y,
                CmpOp::Ne => x != y,
                _ => return skip("relational comparison of pointers", ""),
            }
        }
    };
    Ok(CVal::Int(r as i128, IntT::INT))
}

fn ord(op: CmpOp, o: Option<std::cmp::Ordering>) -> bool {
    use std::cmp::Ordering::*;
    match (op, o) {
        (CmpOp::Ne, None) => true,
        (_, None) => false,
        (CmpOp::Lt, Some(o)) => o == Less,
        (CmpOp::Gt, Some(o)) => o == Greater,
        (CmpOp::Le, Some(o)) => o != Greater,
        (CmpOp::Ge, Some(o)) => o != Less,
        (CmpOp::Eq, Some(o)) => o == Equal,
        (CmpOp::Ne, Some(o)) => o != Equal,
    }
}
