//! The reference interpreter: runs the ORIGINAL C body of an instruction, op by op, over its
//! lang-c tree, against `runtime::Vm`, calling the API by C name through the runtime registry.
//!
//! It shares only the DSL analysis (stack effects, cache layout), the binding table (via the
//! subset checker's name resolution and inferred types) and the runtime with the generated
//! code. Its stack discipline follows `harness/CONTRACT.md`: per op, inputs are read
//! from the top of the stack, the body runs, then inputs are popped and outputs pushed;
//! `DEOPT_IF`/`EXIT_IF` leave the op's stack untouched, `ERROR_IF` pops the op's inputs,
//! `ERROR_NO_POP` and `goto` leave them.

pub mod compile;
pub mod exec;
pub mod ir;
pub mod mutate;
pub mod value;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::sync::Arc;

use runtime::{CodePtr, Outcome, StackRef, Value, Vm};
use translator::analysis::cexpr::CExpr;
use translator::analysis::{Part, StackItem};

use crate::program::Program;
use compile::{compile_body, CompileError, CompiledBody, OPARG_SLOT};
use exec::{from_stack, to_stack, Ctx, DecrefStyle, InputSlot, Stop};
pub use mutate::Mutation;
pub use value::Skip;
use value::{CVal, IntT, Ty};

/// One stack item of an op, as declared.
#[derive(Debug, Clone)]
struct ItemDecl {
    slot: Option<u32>,
    ty: Ty,
    size: Option<CExpr>,
    cond: Option<CExpr>,
    keep: bool,
    /// `*_or_null`: may hold NULL (released with `XCLOSE`)
    or_null: bool,
}

impl ItemDecl {
    fn len(&self, oparg: i64) -> Result<(usize, bool), Skip> {
        if let Some(c) = &self.cond {
            let v = c
                .eval_oparg(oparg)
                .map_err(|e| Skip::new("stack effect expression", e.to_string()))?;
            if v == 0 {
                return Ok((0, false));
            }
        }
        match &self.size {
            None => Ok((1, false)),
            Some(s) => {
                let n = s
                    .eval_oparg(oparg)
                    .map_err(|e| Skip::new("stack effect expression", e.to_string()))?;
                if n < 0 {
                    return Err(Skip::new("negative array size", n.to_string()));
                }
                Ok((n as usize, true))
            }
        }
    }
}

/// One op of an instruction, compiled.
#[derive(Debug, Clone)]
pub struct RefOp {
    /// definition name
    pub name: String,
    body: CompiledBody,
    inputs: Vec<ItemDecl>,
    outputs: Vec<ItemDecl>,
    /// (slot, code units after the instruction word, size)
    caches: Vec<(u32, i64, u32)>,
    /// how `DECREF_INPUTS` releases (it changed with `_PyStackRef` in 3.14)
    decref: DecrefStyle,
}

/// One instruction the reference can run.
#[derive(Debug)]
pub struct RefInstruction {
    /// instruction name
    pub name: String,
    /// code units including the instruction word
    pub size: i64,
    ops: Vec<Arc<RefOp>>,
}

/// Why an instruction has no reference.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefError {
    /// the instruction is unknown
    #[error("no instruction `{0}`")]
    Unknown(String),
    /// a body did not parse or is outside the subset
    #[error("{body}: not translatable ({why})")]
    NotTranslatable {
        /// the body
        body: String,
        /// first reason
        why: String,
    },
    /// the reference cannot execute a construct of the body
    #[error("{body}: {err}")]
    Compile {
        /// the body
        body: String,
        /// what is unsupported
        err: CompileError,
    },
}

impl RefError {
    /// A short stable category for skip tables.
    pub fn category(&self) -> String {
        match self {
            RefError::Unknown(_) => "unknown instruction".into(),
            RefError::NotTranslatable { .. } => "body outside the subset".into(),
            RefError::Compile { err, .. } => format!("reference: {}", err.what),
        }
    }
}

fn compile_items(
    items: &[StackItem],
    body: &CompiledBody,
    is_input: bool,
    other: &[StackItem],
) -> Result<Vec<ItemDecl>, CompileError> {
    let mut out = Vec::new();
    for (k, it) in items.iter().enumerate() {
        let slot = if it.name == "unused" {
            None
        } else {
            body.slots.stack.get(&it.name).copied()
        };
        let ty = slot.map_or(Ty::Other, |s| body.slots.types[s as usize]);
        let parse = |t: &Option<String>| -> Result<Option<CExpr>, CompileError> {
            match t {
                None => Ok(None),
                Some(t) => CExpr::parse(t).map(Some).map_err(|e| CompileError {
                    what: format!("stack effect `{t}`: {e}"),
                }),
            }
        };
        // Same name at the same position in inputs and outputs: the value stays in place.
        let keep = it.peek
            || it.name == "null"
            || (is_input && other.get(k).is_some_and(|o| o.name == it.name));
        out.push(ItemDecl {
            slot,
            ty: if it.size.is_some() { Ty::Other } else { ty },
            size: parse(&it.size)?,
            cond: parse(&it.cond)?,
            keep,
            or_null: it.name.ends_with("_or_null"),
        });
    }
    Ok(out)
}

/// Every instruction of a program the reference can run, plus why the others cannot.
#[derive(Debug, Default)]
pub struct Reference {
    /// runnable instructions by name
    pub instructions: BTreeMap<String, Arc<RefInstruction>>,
    /// instructions without a reference, with the reason
    pub unavailable: BTreeMap<String, RefError>,
}

impl Reference {
    /// Compiles every instruction of `program` that is inside the subset.
    pub fn build(program: &Program, bindings: &subset::Bindings) -> Reference {
        let mut ops: BTreeMap<String, Result<Arc<RefOp>, RefError>> = BTreeMap::new();
        let mut r = Reference::default();
        for inst in &program.analysis.instructions {
            match build_instruction(program, bindings, inst, &mut ops) {
                Ok(i) => {
                    r.instructions.insert(inst.name.clone(), Arc::new(i));
                }
                Err(e) => {
                    r.unavailable.insert(inst.name.clone(), e);
                }
            }
        }
        r
    }

    /// The instruction by name.
    pub fn get(&self, name: &str) -> Option<&Arc<RefInstruction>> {
        self.instructions.get(name)
    }
}

fn build_op(
    program: &Program,
    bindings: &subset::Bindings,
    key: &str,
) -> Result<Arc<RefOp>, RefError> {
    let uop = program
        .analysis
        .uop(key)
        .ok_or_else(|| RefError::Unknown(key.to_string()))?;
    let body = program
        .body_of_uop(key)
        .ok_or_else(|| RefError::Unknown(key.to_string()))?;
    let nt = |why: String| RefError::NotTranslatable {
        body: body.name.clone(),
        why,
    };
    let ast = body.ast.as_ref().map_err(|e| nt(e.clone()))?;
    let typing = match &body.verdict {
        Some(subset::Verdict::Translatable { typing }) => typing,
        // The GIL build's free-threading atomics are plain loads and stores, and a few header
        // constants have fixed values; the reference gives them that meaning even where the
        // checker's catalogue or the binding table does not have them yet.
        Some(subset::Verdict::Bail { reasons, typing })
            if reasons.iter().all(|r| {
                r.message.starts_with("unbound function FT_ATOMIC_LOAD_")
                    || r.message.starts_with("unbound function FT_ATOMIC_STORE_")
                    || r.message
                        .strip_prefix("unbound identifier ")
                        .is_some_and(|n| compile::reference_constant(n).is_some())
            }) =>
        {
            typing
        }
        Some(subset::Verdict::Bail { reasons, .. }) => {
            return Err(nt(reasons
                .first()
                .map(|r| format!("{}: {}", r.rule.id(), r.message))
                .unwrap_or_default()))
        }
        None => return Err(nt("no verdict".into())),
    };
    let ce = |err: CompileError| RefError::Compile {
        body: body.name.clone(),
        err,
    };
    let compiled = compile_body(ast, &body.env, typing, bindings).map_err(ce)?;
    let inputs = compile_items(&uop.inputs, &compiled, true, &uop.outputs).map_err(ce)?;
    let outputs = compile_items(&uop.outputs, &compiled, false, &uop.inputs).map_err(ce)?;
    Ok(Arc::new(RefOp {
        name: body.name.clone(),
        body: compiled,
        inputs,
        outputs,
        caches: Vec::new(),
        decref: DecrefStyle::of_minor(program.minor),
    }))
}

fn build_instruction(
    program: &Program,
    bindings: &subset::Bindings,
    inst: &translator::analysis::Instruction,
    cache: &mut BTreeMap<String, Result<Arc<RefOp>, RefError>>,
) -> Result<RefInstruction, RefError> {
    let mut ops = Vec::new();
    let mut offset: i64 = 0;
    for p in &inst.parts {
        match p {
            Part::Skip(n) => offset += *n as i64,
            Part::Flush => {}
            Part::Uop(key) => {
                let op = cache
                    .entry(key.clone())
                    .or_insert_with(|| build_op(program, bindings, key))
                    .clone()?;
                let uop = program.analysis.uop(key).expect("built above");
                let mut caches = Vec::new();
                for c in &uop.caches {
                    if c.name != "unused" {
                        if let Some(&slot) = op.body.slots.caches.get(&c.name) {
                            caches.push((slot, offset, c.size as u32));
                        }
                    }
                    offset += c.size as i64;
                }
                let mut op = RefOp {
                    name: op.name.clone(),
                    body: op.body.clone(),
                    inputs: op.inputs.clone(),
                    outputs: op.outputs.clone(),
                    caches,
                    decref: op.decref,
                };
                op.caches.shrink_to_fit();
                ops.push(Arc::new(op));
            }
        }
    }
    Ok(RefInstruction {
        name: inst.name.clone(),
        size: inst.size as i64,
        ops,
    })
}

/// Upper bound on loop iterations per op.
const FUEL: u64 = 100_000;

impl RefInstruction {
    /// Runs the instruction: `vm.this_instr` must point at it; sets `next_instr` past its
    /// caches, then runs each op.
    pub fn run(&self, vm: &mut Vm, oparg: u32) -> Result<Outcome, Skip> {
        vm.next_instr = vm.this_instr.offset(self.size);
        for op in &self.ops {
            match op.run(vm, oparg, self.size)? {
                Outcome::Continue => {}
                other => return Ok(other),
            }
        }
        Ok(Outcome::Continue)
    }

    /// Names of the ops, in order.
    pub fn op_names(&self) -> Vec<&str> {
        self.ops.iter().map(|o| o.name.as_str()).collect()
    }
}

fn read_cache(vm: &mut Vm, at: CodePtr, size: u32, ty: Ty) -> Result<CVal, Skip> {
    let name = match size {
        1 => "read_u16",
        2 => "read_u32",
        4 => "read_obj",
        _ => return Err(Skip::new("cache entry size", size.to_string())),
    };
    let f = runtime::lookup(name).ok_or_else(|| Skip::new("no registry entry", name))?;
    let v = f
        .invoke(vm, &mut [Value::Code(at)])
        .map_err(|e| Skip::new("registry call error", e.to_string()))?;
    Ok(CVal::from_value(v, ty))
}

/// The buffers one op run works in. An op runs once per check, tens of thousands of times a
/// second: each thread keeps one set and lends it to the op it runs (a nested run, if any, finds
/// the slot empty and makes its own).
#[derive(Default)]
struct Scratch {
    inputs: Vec<InputSlot>,
    vars: Vec<CVal>,
    out_lens: Vec<(usize, usize, bool)>,
    writes: Vec<(usize, StackRef)>,
}

thread_local! {
    static SCRATCH: std::cell::Cell<Option<Box<Scratch>>> = const { std::cell::Cell::new(None) };
}

impl RefOp {
    fn run(&self, vm: &mut Vm, oparg: u32, inst_size: i64) -> Result<Outcome, Skip> {
        let mut sc = SCRATCH.take().unwrap_or_default();
        let r = self.run_in(vm, oparg, inst_size, &mut sc);
        SCRATCH.set(Some(sc));
        r
    }

    fn run_in(
        &self,
        vm: &mut Vm,
        oparg: u32,
        inst_size: i64,
        sc: &mut Scratch,
    ) -> Result<Outcome, Skip> {
        let op = oparg as i64;
        let sp = vm.cur().stack_pointer;
        let base_min = vm.cur().nlocalsplus;
        // One pass sizes the inputs (positions relative to the first input), a second places
        // them: no per-op vector besides the slots themselves.
        let inputs = &mut sc.inputs;
        inputs.clear();
        let mut total_in = 0usize;
        for it in &self.inputs {
            let (n, arr) = it.len(op)?;
            inputs.push(InputSlot {
                slot: it.slot,
                pos: total_in,
                len: n,
                array: arr,
                keep: it.keep,
                cond: it.cond.is_some() || it.or_null,
            });
            total_in += n;
        }
        if sp < base_min + total_in {
            return Err(Skip::new(
                "stack underflow",
                format!("{} needs {total_in}", self.name),
            ));
        }
        let base = sp - total_in;
        let mut vars = std::mem::take(&mut sc.vars);
        vars.clear();
        vars.resize(self.body.slots.types.len(), CVal::Uninit);
        vars[OPARG_SLOT as usize] = CVal::Int(IntT::INT.convert(oparg as i128), IntT::INT);
        for (it, inp) in self.inputs.iter().zip(inputs.iter_mut()) {
            inp.pos += base;
            if let Some(s) = it.slot {
                vars[s as usize] = if inp.array {
                    CVal::StackArr(inp.pos, inp.len)
                } else if inp.len == 0 {
                    from_stack(StackRef::NULL, it.ty)
                } else {
                    from_stack(vm.cur().localsplus[inp.pos], it.ty)
                };
            }
        }
        let out_lens = &mut sc.out_lens;
        out_lens.clear();
        let mut pos = base;
        for it in &self.outputs {
            let (n, arr) = it.len(op)?;
            if let Some(s) = it.slot {
                if arr {
                    vars[s as usize] = CVal::StackArr(pos, n);
                }
            }
            out_lens.push((pos, n, arr));
            pos += n;
        }
        let top = pos;
        if top > vm.cur().localsplus.len() {
            return Err(Skip::new(
                "stack overflow",
                format!("{} needs {top}", self.name),
            ));
        }
        for &(slot, off, size) in &self.caches {
            let at = vm.this_instr.offset(1 + off);
            let ty = self.body.slots.types[slot as usize];
            vars[slot as usize] = read_cache(vm, at, size, ty)?;
        }
        let mut ctx = Ctx {
            vm,
            vars,
            inputs,
            inst_size,
            fuel: FUEL,
            decref: self.decref,
            base,
            sp,
            saved: false,
        };
        let stop = ctx.stmt(&self.body.body).err();
        let Ctx {
            vm, vars, saved, ..
        } = ctx;
        sc.vars = vars;
        let (vars, out_lens) = (&sc.vars, &sc.out_lens);
        match stop {
            Some(Stop::Skip(s)) => Err(s),
            Some(Stop::Exit { outcome, pop }) => {
                // After SAVE_STACK() the inputs are already off the stack.
                if pop && !saved {
                    set_sp(vm, base, sp);
                }
                Ok(outcome)
            }
            Some(Stop::Dispatch | Stop::DispatchOpcode { .. }) | None => {
                let outcome = match stop {
                    Some(Stop::Dispatch) => Outcome::Dispatch,
                    Some(Stop::DispatchOpcode { opcode, oparg }) => {
                        Outcome::DispatchOpcode { opcode, oparg }
                    }
                    _ => Outcome::Continue,
                };
                if saved {
                    return push_saved_outputs(vm, &self.outputs, out_lens, vars).map(|()| outcome);
                }
                let writes = &mut sc.writes;
                writes.clear();
                for (it, &(p, n, arr)) in self.outputs.iter().zip(out_lens) {
                    if arr || n == 0 {
                        continue;
                    }
                    let r = match it.slot {
                        Some(s) => to_stack(vm, vars[s as usize])?,
                        // an `unused` output keeps what the stack held there
                        None => vm.cur().localsplus[p],
                    };
                    writes.push((p, r));
                }
                for &(p, r) in writes.iter() {
                    vm.cur().localsplus[p] = r;
                }
                set_sp(vm, top, sp.max(top));
                Ok(outcome)
            }
        }
    }
}

/// The outputs of an op that saved its stack: pushed on the stack of the frame running now
/// (after a frame switch, the caller's), bottom first.
fn push_saved_outputs(
    vm: &mut Vm,
    outputs: &[ItemDecl],
    lens: &[(usize, usize, bool)],
    vars: &[CVal],
) -> Result<(), Skip> {
    for (it, &(_, n, arr)) in outputs.iter().zip(lens) {
        if n == 0 {
            continue;
        }
        let Some(s) = it.slot.filter(|_| !arr) else {
            return Err(Skip::new(
                "output after SAVE_STACK",
                "array or unused output of a body that saves its stack",
            ));
        };
        let r = to_stack(vm, vars[s as usize])?;
        let f = vm.cur();
        if f.stack_pointer < f.localsplus.len() {
            f.localsplus[f.stack_pointer] = r;
        } else {
            return Err(Skip::new("stack overflow", "output after SAVE_STACK"));
        }
        f.stack_pointer += 1;
    }
    Ok(())
}

/// Sets the stack pointer to `new_sp`, clearing the slots up to `old_top`.
fn set_sp(vm: &mut Vm, new_sp: usize, old_top: usize) {
    let f = vm.cur();
    for i in new_sp..old_top.min(f.localsplus.len()) {
        f.localsplus[i] = StackRef::NULL;
    }
    f.stack_pointer = new_sp;
}
