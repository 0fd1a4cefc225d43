//! One body (an `inst`, `op` or `label`) as one Rust function.
//!
//! The signature comes from the DSL: `vm`, `oparg`, the named cache entries as typed values, the
//! stack inputs as parameters (arrays as `Vec`s), and the outputs as the second half of the
//! result. The body runs inside a labelled block; every DSL exit (`DEOPT_IF`, `ERROR_IF`,
//! `goto error`, ...) breaks out of it with the exit kind, so the function always returns the
//! outputs assigned so far together with how the body ended.

use std::collections::HashSet;

use lang_c::ast::{BinaryOperator, Expression, Statement};
use lang_c::span::Node;
use quote::{format_ident, quote};
use subset::{Bindings, BodyEnv, CType, Typing};
use syn::{parse_quote, Expr, Stmt};

use super::build;
use super::mutation::Mutation;
use super::rtype::rust_type;
use super::sig::{BodySig, SigItem};

/// A loop the lowering is inside, for `break`/`continue`.
#[derive(Debug)]
pub struct Loop {
    pub break_label: Option<syn::Lifetime>,
    pub continue_label: Option<syn::Lifetime>,
    pub break_used: bool,
    pub continue_used: bool,
}

impl Loop {
    pub fn plain() -> Loop {
        Loop {
            break_label: None,
            continue_label: None,
            break_used: false,
            continue_used: false,
        }
    }

    pub fn labeled(b: syn::Lifetime, c: syn::Lifetime) -> Loop {
        Loop {
            break_label: Some(b),
            continue_label: Some(c),
            break_used: false,
            continue_used: false,
        }
    }
}

/// How a body leaves early.
#[derive(Debug)]
pub enum ExitKind {
    Deopt,
    SideExit,
    /// `ERROR_IF`: the inputs are popped (their references were released).
    Error(String),
    /// `ERROR_NO_POP`: the inputs stay on the stack.
    ErrorNoPop(String),
    Dispatch,
    /// `DISPATCH_GOTO()`: the handler of the `opcode` variable, with the current oparg.
    DispatchOpcode,
    /// `goto LABEL`.
    Goto(String),
}

/// Whether a label is an error exit (the inputs are popped, an exception is set).
pub fn is_error_label(l: &str) -> bool {
    l.contains("error") || l.contains("unwind")
}

/// The lowering state of one body.
#[derive(Debug)]
pub struct BodyCx<'a> {
    pub b: &'a Bindings,
    pub typing: &'a Typing,
    pub env: &'a BodyEnv,
    pub sig: &'a BodySig,
    pub loops: Vec<Loop>,
    pub tmp: usize,
    /// Rust names of variables that are assigned somewhere (they need `mut`).
    pub assigned: HashSet<String>,
    pub uses_oparg: bool,
    pub oparg_assigned: bool,
    pub exits: bool,
    pub may_dispatch: bool,
    /// `SAVE_STACK()` was lowered: the op's inputs leave the frame's stack there.
    pub saves_stack: bool,
    /// An exit other than a dispatch follows `SAVE_STACK()` (not lowered: the composition
    /// would pop or restore inputs that are no longer on the stack).
    pub exit_after_save: bool,
    /// The size of every instruction that runs this body, when they agree.
    pub instruction_size: Option<i32>,
    pub mutation: Option<Mutation>,
    pub mutation_applied: bool,
    /// Binary operators seen so far (for [`Mutation::FlipOperator`]).
    pub operators_seen: usize,
}

const RUST_KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen", "vm", "oparg",
    "exit_", "support", "runtime",
];

/// The Rust identifier of a C variable (keywords and generated names get a `_` suffix).
pub fn var_name(name: &str) -> syn::Ident {
    if RUST_KEYWORDS.contains(&name) || crate::emit::support::SUPPORT_NAMES.contains(&name) {
        format_ident!("{}_", name)
    } else {
        format_ident!("{}", name)
    }
}

impl<'a> BodyCx<'a> {
    pub fn new(
        b: &'a Bindings,
        typing: &'a Typing,
        env: &'a BodyEnv,
        sig: &'a BodySig,
    ) -> BodyCx<'a> {
        BodyCx {
            b,
            typing,
            env,
            sig,
            loops: Vec::new(),
            tmp: 0,
            assigned: HashSet::new(),
            uses_oparg: false,
            oparg_assigned: false,
            exits: false,
            may_dispatch: false,
            saves_stack: false,
            exit_after_save: false,
            instruction_size: None,
            mutation: None,
            mutation_applied: false,
            operators_seen: 0,
        }
    }

    pub fn var_ident(&self, name: &str) -> syn::Ident {
        var_name(name)
    }

    pub fn declare_local(&mut self, name: &str) -> syn::Ident {
        var_name(name)
    }

    /// `break 'body Exit::...;`
    pub fn exit_stmt(&mut self, kind: ExitKind) -> Stmt {
        self.exits = true;
        if self.saves_stack && !matches!(kind, ExitKind::Dispatch | ExitKind::DispatchOpcode) {
            self.exit_after_save = true;
        }
        let e: Expr = match kind {
            ExitKind::Deopt => parse_quote!(Exit::Deopt),
            ExitKind::SideExit => parse_quote!(Exit::SideExit),
            ExitKind::Error(l) => parse_quote!(Exit::Error(#l)),
            ExitKind::ErrorNoPop(l) => parse_quote!(Exit::ErrorNoPop(#l)),
            ExitKind::Dispatch => {
                self.may_dispatch = true;
                parse_quote!(Exit::Dispatch)
            }
            ExitKind::DispatchOpcode => {
                self.may_dispatch = true;
                self.uses_oparg = true;
                parse_quote!(Exit::DispatchOpcode(vm.opcode, oparg as u32))
            }
            ExitKind::Goto(l) if is_error_label(&l) => parse_quote!(Exit::Error(#l)),
            ExitKind::Goto(l) => parse_quote!(Exit::Label(#l)),
        };
        build::semi(Expr::Break(syn::ExprBreak {
            attrs: Vec::new(),
            break_token: Default::default(),
            label: Some(syn::Lifetime::new("'body", proc_macro2::Span::call_site())),
            expr: Some(Box::new(e)),
        }))
    }

    fn conditional_exit(
        &mut self,
        cond: &Node<Expression>,
        kind: ExitKind,
    ) -> Result<Vec<Stmt>, String> {
        let c = self.condition(cond)?;
        let s = self.exit_stmt(kind);
        Ok(vec![build::bare(build::if_expr(
            c,
            build::block(vec![s]),
            None,
        ))])
    }

    /// The DSL macro replacement table: what each macro statement becomes.
    pub fn dsl_macro(
        &mut self,
        name: &str,
        args: &[Node<Expression>],
    ) -> Result<Vec<Stmt>, String> {
        let label_arg = |i: usize| -> Option<String> {
            match args.get(i).map(|a| &a.node) {
                Some(Expression::Identifier(id)) => Some(id.node.name.clone()),
                _ => None,
            }
        };
        match name {
            "DEOPT_IF" => self.conditional_exit(&args[0], ExitKind::Deopt),
            "EXIT_IF" => self.conditional_exit(&args[0], ExitKind::SideExit),
            "ERROR_IF" => {
                let l = label_arg(1).unwrap_or_else(|| "error".to_string());
                self.conditional_exit(&args[0], ExitKind::Error(l))
            }
            "ERROR_NO_POP" => Ok(vec![self.exit_stmt(ExitKind::ErrorNoPop("error".into()))]),
            "DISPATCH" | "DISPATCH_SAME_OPARG" => Ok(vec![self.exit_stmt(ExitKind::Dispatch)]),
            "DISPATCH_GOTO" => Ok(vec![self.exit_stmt(ExitKind::DispatchOpcode)]),
            // Liveness and stack-pointer bookkeeping: the generated code keeps the values in
            // variables, so there is nothing to do at run time.
            "DEAD" | "INPUTS_DEAD" | "SYNC_SP" | "RELOAD_STACK" => Ok(Vec::new()),
            // The model keeps the stack pointer in the frame: saving the stack is taking the
            // op's inputs (dead by then in every body that saves) off it, so that a frame switch
            // before `RELOAD_STACK()` (RETURN_VALUE) leaves them neither on the dying frame nor
            // for the composition to pop from the caller's stack.
            "SAVE_STACK" => {
                let sizes = super::compose::sizes(&self.sig.inputs)?;
                let n = super::compose::sum(&sizes);
                if self.sig.inputs.iter().any(|i| i.mentions_oparg()) {
                    self.uses_oparg = true;
                }
                self.saves_stack = true;
                Ok(vec![parse_quote!(pop_slots(vm, #n);)])
            }
            // ceval_macros.h / ceval.c `_PyObjectArray_FromStackRefArray`: the first COUNT
            // stack references from ARRAY on, each borrowed as an object pointer, in a new local.
            "STACKREFS_TO_PYOBJECTS" => {
                let Expression::Identifier(id) = &args[2].node else {
                    return Err("STACKREFS_TO_PYOBJECTS name is not an identifier".into());
                };
                let name = var_name(&id.node.name);
                let start = self.view_init(&args[0])?;
                let n = self.expr(&args[1])?;
                let n = self.convert(n, &CType::LONG)?;
                let layout = self.view_layout()?;
                let borrow = self
                    .b
                    .function("PyStackRef_AsPyObjectBorrow")
                    .ok_or("no binding for PyStackRef_AsPyObjectBorrow")?;
                let r: Expr = parse_quote!(*r);
                let each = super::template::expand_args(
                    &borrow.rust,
                    &[r],
                    borrow.ty.params.len(),
                    None,
                    None,
                )?;
                let count = self.fresh("count");
                Ok(vec![
                    parse_quote!(let #count: i64 = #n;),
                    parse_quote!(let #name: Vec<runtime::Obj> = #layout[(#start) as usize..][..#count as usize].iter().map(|r| #each).collect();),
                ])
            }
            // The converted array is a copy of borrowed pointers: nothing to release.
            "STACKREFS_TO_PYOBJECTS_CLEANUP" => {
                let v = self.expr(&args[0])?;
                let v = super::expr::paren(v.expr);
                Ok(vec![parse_quote!(let _ = &#v;)])
            }
            // ceval_macros.h: `next_instr = frame->instr_ptr + (OFFSET)`.
            "LOAD_IP" => {
                let v = self.expr(&args[0])?;
                let n = self.convert(v, &CType::LONG)?;
                let t = self.fresh("offset");
                Ok(vec![
                    parse_quote!(let #t: i64 = #n;),
                    parse_quote!(load_ip(vm, #t);),
                ])
            }
            // Statistics exist only in Py_STATS builds, frame tracing only in Py_DEBUG builds.
            "STAT_INC"
            | "OPCODE_DEFERRED_INC"
            | "CALL_STAT_INC"
            | "EVAL_CALL_STAT_INC_IF_FUNCTION"
            | "OPT_HIST"
            | "LLTRACE_RESUME_FRAME"
            | "PRE_DISPATCH_GOTO" => Ok(Vec::new()),
            "DECREF_INPUTS" => self.decref_inputs(),
            "ADVANCE_ADAPTIVE_COUNTER" => self.counter_update(&args[0], "advance_backoff_counter"),
            "PAUSE_ADAPTIVE_COUNTER" => self.counter_update(&args[0], "pause_backoff_counter"),
            "RECORD_BRANCH_TAKEN" => {
                // `bits = (bits << 1) | flag`: `bits` (uint16_t) promotes to int, the result is
                // truncated back to 16 bits by the store.
                let place = self.place(&args[0])?;
                let cur = super::expr::paren(self.place_read(&place));
                let flag = self.expr(&args[1])?;
                let flag = super::expr::paren(self.convert(flag, &CType::INT)?);
                let v: syn::Expr = parse_quote!((((#cur as i32) << 1) | #flag) as u16);
                Ok(vec![build::semi(self.place_store(&place, v)?)])
            }
            "JUMPBY" => {
                let v = self.expr(&args[0])?;
                let n = self.convert(v, &CType::LONG)?;
                // The count is computed first: it may read the VM (`next_instr->op.code`).
                let t = self.fresh("jump");
                Ok(vec![
                    parse_quote!(let #t: i64 = #n;),
                    parse_quote!(jumpby(vm, #t);),
                ])
            }
            "CHECK_EVAL_BREAKER" => self.check_eval_breaker(),
            "assert" => {
                // Checked only when the emitted `C_ASSERTS` is true: CPython's release build
                // (NDEBUG) and the reference interpreter skip asserts, so by default a failing
                // one must not end the run either. The condition still type-checks.
                let c = self.condition(&args[0])?;
                Ok(match c {
                    Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Bool(b),
                        ..
                    }) => {
                        if b.value {
                            Vec::new()
                        } else {
                            vec![parse_quote!(if C_ASSERTS {
                                panic!("C assert(0) reached");
                            })]
                        }
                    }
                    c => vec![parse_quote!(if C_ASSERTS {
                        assert!(#c);
                    })],
                })
            }
            other => Err(format!("DSL macro {other} has no lowering")),
        }
    }

    /// `ADVANCE_ADAPTIVE_COUNTER(c)` / `PAUSE_ADAPTIVE_COUNTER(c)`, as `ceval_macros.h`
    /// defines them: `c = f(c)` with the binding table's backoff-counter function `f`.
    fn counter_update(&mut self, arg: &Node<Expression>, f: &str) -> Result<Vec<Stmt>, String> {
        let fb = self
            .b
            .function(f)
            .ok_or_else(|| format!("the adaptive counter macros need a binding for {f}"))?
            .rust
            .clone();
        let place = self.place(arg)?;
        let cur = self.place_read(&place);
        let v = super::template::expand_args(&fb, &[cur], 1, None, None)?;
        Ok(vec![build::semi(self.place_store(&place, v)?)])
    }

    /// `CHECK_EVAL_BREAKER()` (3.12/3.13), as `ceval_macros.h` defines it: when an event bit of
    /// `tstate->eval_breaker` is set, `_Py_HandlePending(tstate)`, and `goto error` if that
    /// fails. Built from the binding table's entries for those names.
    fn check_eval_breaker(&mut self) -> Result<Vec<Stmt>, String> {
        use super::expr::{int_lit, paren};
        use syn::BinOp;
        let b = self.b;
        let need = |what: &str| format!("CHECK_EVAL_BREAKER needs a binding for {what}");
        let ts = b.global("tstate").ok_or_else(|| need("tstate"))?;
        let field = b
            .field("PyThreadState", "eval_breaker")
            .ok_or_else(|| need("PyThreadState.eval_breaker"))?;
        let mask = b
            .constant("_PY_EVAL_EVENTS_MASK")
            .ok_or_else(|| need("_PY_EVAL_EVENTS_MASK"))?;
        let handle = b
            .function("_Py_HandlePending")
            .ok_or_else(|| need("_Py_HandlePending"))?;
        let ft = field.c.as_int().ok_or("eval_breaker is not an integer")?;
        let rt = handle
            .ty
            .ret
            .as_int()
            .ok_or("_Py_HandlePending does not return an int")?;
        let ts_expr = super::template::expand(&ts.rust, &[], None, None)?;
        let ev = super::template::expand(&field.get, &[], Some(ts_expr.clone()), None)?;
        let masked = build::binary(
            paren(ev),
            BinOp::BitAnd(Default::default()),
            int_lit(mask.value as i128, ft),
        );
        let pending = build::binary(paren(masked), BinOp::Ne(Default::default()), int_lit(0, ft));
        let call = super::template::expand_args(&handle.rust, &[ts_expr], 1, None, None)?;
        let failed = build::binary(paren(call), BinOp::Ne(Default::default()), int_lit(0, rt));
        let exit = self.exit_stmt(ExitKind::Goto("error".into()));
        let inner = build::bare(build::if_expr(failed, build::block(vec![exit]), None));
        Ok(vec![build::bare(build::if_expr(
            pending,
            build::block(vec![inner]),
            None,
        ))])
    }

    /// `DECREF_INPUTS()`: release every input but `unused` ones, as CPython's generator does
    /// (3.14+: top of stack first, with `PyStackRef_CLOSE`; before: in order, `Py_DECREF`, an
    /// array's elements last to first in both).
    fn decref_inputs(&mut self) -> Result<Vec<Stmt>, String> {
        let stackref = self.env.minor >= 14;
        // Peeked items (same name at the same position in the outputs) stay on the stack.
        let peeked =
            |k: usize, it: &SigItem| self.sig.outputs.get(k).is_some_and(|o| o.name == it.name);
        let mut items: Vec<&SigItem> = self
            .sig
            .inputs
            .iter()
            .enumerate()
            .filter(|(k, i)| !i.unused && !peeked(*k, i))
            .map(|(_, i)| i)
            .collect();
        if stackref {
            items.reverse();
        }
        let mut out = Vec::new();
        for it in items {
            if it.name == "null" {
                continue;
            }
            let maybe_null = it.name.ends_with("_or_null") || it.cond.is_some();
            let fname = match (stackref, maybe_null) {
                (true, false) => "PyStackRef_CLOSE",
                (true, true) => "PyStackRef_XCLOSE",
                (false, false) => "Py_DECREF",
                (false, true) => "Py_XDECREF",
            };
            let f = self
                .b
                .function(fname)
                .ok_or_else(|| format!("DECREF_INPUTS needs a binding for {fname}"))?
                .clone();
            let v = var_name(&it.name);
            if it.array.is_some() {
                let call =
                    super::template::expand_args(&f.rust, &[parse_quote!(*item)], 1, None, None)?;
                let call = self.mutate_call(fname, call);
                if matches!(&call, Expr::Tuple(t) if t.elems.is_empty()) {
                    // Dropped by a test-only mutation: no loop over nothing.
                    continue;
                }
                out.push(parse_quote!(for item in #v.iter().rev() { #call; }));
            } else {
                let call =
                    super::template::expand_args(&f.rust, &[parse_quote!(#v)], 1, None, None)?;
                let call = self.mutate_call(fname, call);
                if !matches!(&call, Expr::Tuple(t) if t.elems.is_empty()) {
                    out.push(Stmt::Expr(call, Some(Default::default())));
                }
            }
        }
        Ok(out)
    }

    /// The operator to emit for the next binary operator (flipped once under
    /// [`Mutation::FlipOperator`]).
    pub fn mutate_op(&mut self, op: &BinaryOperator) -> BinaryOperator {
        use BinaryOperator::*;
        let n = self.operators_seen;
        self.operators_seen += 1;
        if let Some(Mutation::FlipOperator { nth, .. }) = &self.mutation {
            if *nth == n {
                self.mutation_applied = true;
                return match op {
                    Plus => Minus,
                    Minus => Plus,
                    Multiply => Plus,
                    Divide => Multiply,
                    Modulo => BitwiseAnd,
                    Less => GreaterOrEqual,
                    GreaterOrEqual => Less,
                    Greater => LessOrEqual,
                    LessOrEqual => Greater,
                    Equals => NotEquals,
                    NotEquals => Equals,
                    BitwiseAnd => BitwiseOr,
                    BitwiseOr => BitwiseAnd,
                    BitwiseXor => BitwiseAnd,
                    ShiftLeft => ShiftRight,
                    ShiftRight => ShiftLeft,
                    LogicalAnd => LogicalOr,
                    LogicalOr => LogicalAnd,
                    other => other.clone(),
                };
            }
        }
        op.clone()
    }

    /// A call, or nothing for the first reference-releasing call under
    /// [`Mutation::DropClose`].
    pub fn mutate_call(&mut self, name: &str, call: Expr) -> Expr {
        if let Some(Mutation::DropClose { .. }) = &self.mutation {
            let release = matches!(
                name,
                "PyStackRef_CLOSE"
                    | "PyStackRef_XCLOSE"
                    | "PyStackRef_CLOSE_SPECIALIZED"
                    | "Py_DECREF"
                    | "Py_XDECREF"
                    | "Py_DecRef"
            );
            if release && !self.mutation_applied {
                self.mutation_applied = true;
                return parse_quote!(());
            }
        }
        call
    }
}

/// The lowered body: a function and what the composition needs to call it.
#[derive(Debug, Clone)]
pub struct LoweredFn {
    pub ident: syn::Ident,
    pub item: syn::ItemFn,
    pub may_dispatch: bool,
    /// The body takes its inputs off the stack itself (`SAVE_STACK()`).
    pub saves_stack: bool,
    pub mutation_applied: bool,
}

/// What the body's function is named: `op_<name>`, `inst_<name>`, `label_<name>`.
pub fn fn_ident(kind: crate::cbody::BodyKind, name: &str) -> syn::Ident {
    let base = name.trim_start_matches('_').to_lowercase();
    match kind {
        crate::cbody::BodyKind::Op => format_ident!("op_{}", base),
        crate::cbody::BodyKind::Inst => format_ident!("inst_{}", base),
        crate::cbody::BodyKind::Label => format_ident!("label_{}", base),
    }
}

/// Everything one body's lowering needs besides its AST.
#[derive(Debug)]
pub struct BodyInput<'a> {
    pub name: &'a str,
    pub kind: crate::cbody::BodyKind,
    pub line: u32,
    pub sig: &'a BodySig,
    pub env: &'a BodyEnv,
    pub typing: &'a Typing,
    pub bindings: &'a Bindings,
    pub instruction_size: Option<i32>,
    pub mutation: Option<Mutation>,
}

/// Lower one body to its function.
pub fn lower_body(input: &BodyInput<'_>, body: &Node<Statement>) -> Result<LoweredFn, String> {
    let mut cx = BodyCx::new(input.bindings, input.typing, input.env, input.sig);
    cx.instruction_size = input.instruction_size;
    cx.mutation = input.mutation.clone();
    let Statement::Compound(items) = &body.node else {
        return Err("body is not a compound statement".into());
    };
    let mut stmts = cx.block_items(items)?;
    if cx.exit_after_save {
        return Err("an exit after SAVE_STACK() (the inputs are already off the stack)".into());
    }
    drop_needless_mut(&mut stmts, &cx.assigned);
    let ident = fn_ident(input.kind, input.name);
    let sig = input.sig;
    let b = input.bindings;

    // Parameters and the output declarations.
    let mut params: Vec<(syn::Ident, syn::Type, bool)> = Vec::new();
    for c in &sig.caches {
        let v = var_name(&c.name);
        let t = rust_type(&c.ty, b)?;
        let m = cx.assigned.contains(&v.to_string());
        params.push((v, t, m));
    }
    let mut input_names: HashSet<String> = HashSet::new();
    for it in sig.inputs.iter().filter(|i| !i.unused) {
        let v = var_name(&it.name);
        let t = it.rust_type(b)?;
        let m = cx.assigned.contains(&v.to_string());
        input_names.insert(it.name.clone());
        params.push((v, t, m));
    }
    let mut decls: Vec<Stmt> = Vec::new();
    let mut outs: Vec<Expr> = Vec::new();
    let mut out_types: Vec<syn::Type> = Vec::new();
    for it in sig.outputs.iter().filter(|i| !i.unused) {
        let v = var_name(&it.name);
        let t = it.rust_type(b)?;
        if !input_names.contains(&it.name) {
            let m = cx.assigned.contains(&v.to_string());
            // Outputs start as NULL (or zero for a typed integer output), like an
            // uninitialised local that every path assigns before the push.
            let z = cx.zero(&it.elem_type())?;
            let init: Expr = match &it.array {
                Some(size) => {
                    let n = super::sig::size_expr(size)?;
                    parse_quote!(vec![#z; #n])
                }
                None => z,
            };
            decls.push(build::let_stmt(v.clone(), m, Some(t.clone()), init));
        }
        outs.push(build::ident_expr(v));
        out_types.push(t);
    }
    let output_sizes_use_oparg = sig
        .outputs
        .iter()
        .any(|o| !o.unused && !input_names.contains(&o.name) && o.mentions_oparg());
    if cx.uses_oparg || output_sizes_use_oparg {
        if cx.oparg_assigned {
            decls.insert(0, parse_quote!(let mut oparg = oparg as i32;));
        } else {
            decls.insert(0, parse_quote!(let oparg = oparg as i32;));
        }
    }
    // A body that always leaves through an exit has no fall-through value.
    let diverges = matches!(stmts.last(), Some(Stmt::Expr(Expr::Break(_), _)));
    let tail: Option<Expr> = (!diverges).then(|| parse_quote!(Exit::Continue));
    let mut all = stmts;
    all.extend(tail.map(build::bare));
    let label = cx
        .exits
        .then(|| syn::Lifetime::new("'body", proc_macro2::Span::call_site()));
    let body_expr = build::block_expr(label, all);
    let used = used_idents(&quote!(#(#decls)* #body_expr #(#outs)*).to_string());
    let vm_param = if used.contains("vm") {
        format_ident!("vm")
    } else {
        format_ident!("_vm")
    };
    let oparg_param = if used.contains("oparg") {
        format_ident!("oparg")
    } else {
        format_ident!("_oparg")
    };
    let mut ps: Vec<syn::FnArg> = vec![
        parse_quote!(#vm_param: &mut runtime::Vm),
        parse_quote!(#oparg_param: u32),
    ];
    for (v, t, m) in params {
        let name = if used.contains(&v.to_string()) {
            v
        } else {
            format_ident!("_{}", v)
        };
        ps.push(syn::FnArg::Typed(syn::PatType {
            attrs: Vec::new(),
            pat: Box::new(build::pat_ident(name, m)),
            colon_token: Default::default(),
            ty: Box::new(t),
        }));
    }
    let doc = format!(
        " `{}` ({}), bytecodes.c:{}.",
        input.name, input.kind, input.line
    );
    let mut fn_stmts = decls;
    let item: syn::ItemFn = if input.kind == crate::cbody::BodyKind::Label {
        fn_stmts.push(build::bare(body_expr));
        let mut f: syn::ItemFn = parse_quote! {
            #[doc = #doc]
            pub fn #ident(#(#ps),*) -> Exit {}
        };
        f.block = Box::new(build::block(fn_stmts));
        f
    } else {
        let exit_ = format_ident!("exit_");
        fn_stmts.push(build::let_stmt(exit_, false, None, body_expr));
        let outs = tuple_expr(outs, true);
        fn_stmts.push(build::bare(tuple_expr(
            vec![build::name("exit_"), outs],
            false,
        )));
        // The parameters and the output tuple are put in afterwards: interpolated, they
        // would be parsed again.
        let mut f: syn::ItemFn = parse_quote! {
            #[doc = #doc]
            // C bodies store values that a later exit never reads (outputs set before an
            // `ERROR_IF`, `x = PyStackRef_NULL` after a release); the stores are kept as written.
            #[allow(unused_assignments)]
            pub fn #ident() -> (Exit, ()) {}
        };
        f.sig.inputs = ps.into_iter().collect();
        if let syn::ReturnType::Type(_, t) = &mut f.sig.output {
            if let syn::Type::Tuple(t) = t.as_mut() {
                if let Some(syn::Type::Tuple(inner)) = t.elems.last_mut() {
                    inner.elems = build::punctuated(out_types, true);
                }
            }
        }
        f.block = Box::new(build::block(fn_stmts));
        f
    };
    Ok(LoweredFn {
        ident,
        item,
        may_dispatch: cx.may_dispatch,
        saves_stack: cx.saves_stack,
        mutation_applied: cx.mutation_applied,
    })
}

/// Removes `mut` from locals that are never assigned after their declaration.
fn drop_needless_mut(stmts: &mut [Stmt], assigned: &HashSet<String>) {
    struct V<'a>(&'a HashSet<String>);
    impl syn::visit_mut::VisitMut for V<'_> {
        fn visit_local_mut(&mut self, l: &mut syn::Local) {
            if let syn::Pat::Type(pt) = &mut l.pat {
                if let syn::Pat::Ident(pi) = &mut *pt.pat {
                    if !self.0.contains(&pi.ident.to_string()) {
                        pi.mutability = None;
                    }
                }
            }
            syn::visit_mut::visit_local_mut(self, l);
        }
    }
    let mut v = V(assigned);
    for s in stmts {
        syn::visit_mut::VisitMut::visit_stmt_mut(&mut v, s);
    }
}

/// Identifiers occurring in a token text (for naming unused parameters `_x`).
fn used_idents(text: &str) -> HashSet<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// `(a, b)`; `trailing` puts a comma after every element (`(a,)`).
fn tuple_expr(elems: Vec<Expr>, trailing: bool) -> Expr {
    Expr::Tuple(syn::ExprTuple {
        attrs: Vec::new(),
        paren_token: Default::default(),
        elems: build::punctuated(elems, trailing),
    })
}
