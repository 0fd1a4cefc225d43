//! Deliberately faulty variants of a reference instruction, to show that the oracle bites even
//! before (and independently of) the lowering's own mutation switch.

use std::sync::Arc;

use super::ir::{ArithOp, CmpOp, Dsl, Expr, Place, Stmt};
use super::value::CVal;
use super::{RefInstruction, RefOp};

/// A seeded fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mutation {
    /// the first arithmetic or comparison operator is flipped (`+`↔`-`, `==`↔`!=`, `<`↔`>=`)
    FlipOperator,
    /// the first `PyStackRef_CLOSE` / `Py_DECREF` (or `DECREF_INPUTS`) is dropped
    DropClose,
    /// every cache entry is read one code unit later
    ShiftCache,
}

impl Mutation {
    /// All mutations.
    pub const ALL: [Mutation; 3] = [
        Mutation::FlipOperator,
        Mutation::DropClose,
        Mutation::ShiftCache,
    ];
}

const CLOSES: &[&str] = &[
    "PyStackRef_CLOSE",
    "PyStackRef_XCLOSE",
    "PyStackRef_CLOSE_SPECIALIZED",
    "Py_DECREF",
    "Py_XDECREF",
    "Py_DECREF_SPECIALIZED",
];

impl RefInstruction {
    /// A copy with the fault applied, or `None` when the body has nothing to mutate.
    pub fn mutated(&self, m: Mutation) -> Option<RefInstruction> {
        let mut done = false;
        let ops = self
            .ops
            .iter()
            .map(|op| {
                let mut op: RefOp = (**op).clone();
                match m {
                    Mutation::ShiftCache => {
                        for c in &mut op.caches {
                            c.1 += 1;
                            done = true;
                        }
                    }
                    _ => {
                        if !done {
                            done = stmt(&mut op.body.body, m);
                        }
                    }
                }
                Arc::new(op)
            })
            .collect();
        done.then(|| RefInstruction {
            name: format!("{} [{m:?}]", self.name),
            size: self.size,
            ops,
        })
    }
}

fn stmt(s: &mut Stmt, m: Mutation) -> bool {
    match s {
        Stmt::Expr(e) => expr(e, m),
        Stmt::Decl(_, _, Some(e)) => expr(e, m),
        Stmt::Block(v) => v.iter_mut().any(|s| stmt(s, m)),
        Stmt::If(c, t, e) => expr(c, m) || stmt(t, m) || e.as_mut().is_some_and(|e| stmt(e, m)),
        Stmt::While(c, b) => expr(c, m) || stmt(b, m),
        Stmt::For(i, c, st, b) => {
            stmt(i, m)
                || c.as_mut().is_some_and(|c| expr(c, m))
                || st.as_mut().is_some_and(|c| expr(c, m))
                || stmt(b, m)
        }
        Stmt::Dsl(Dsl::DecrefInputs) if m == Mutation::DropClose => {
            *s = Stmt::Nop;
            true
        }
        Stmt::Dsl(Dsl::DeoptIf(e) | Dsl::ExitIf(e) | Dsl::ErrorIf(e, _) | Dsl::JumpBy(e)) => {
            expr(e, m)
        }
        _ => false,
    }
}

fn place(p: &mut Place, m: Mutation) -> bool {
    match p {
        Place::Var(..) | Place::Global { .. } => false,
        Place::Field { base, .. } => expr(base, m),
        Place::Elem { base, idx, .. } => expr(base, m) || expr(idx, m),
        Place::Call { args, .. } => args.iter_mut().any(|a| expr(a, m)),
    }
}

fn expr(e: &mut Expr, m: Mutation) -> bool {
    match e {
        Expr::Call { f, args, .. } => {
            if m == Mutation::DropClose && CLOSES.contains(&f.name) {
                *e = Expr::Lit(CVal::Void);
                return true;
            }
            args.iter_mut().any(|a| match a {
                super::ir::Arg::Val(e, _) => expr(e, m),
                super::ir::Arg::Out(p) => place(p, m),
            })
        }
        Expr::Arith { op, l, r, .. } => {
            if m == Mutation::FlipOperator {
                let flipped = match op {
                    ArithOp::Add => Some(ArithOp::Sub),
                    ArithOp::Sub => Some(ArithOp::Add),
                    ArithOp::And => Some(ArithOp::Or),
                    ArithOp::Or => Some(ArithOp::And),
                    _ => None,
                };
                if let Some(f) = flipped {
                    *op = f;
                    return true;
                }
            }
            expr(l, m) || expr(r, m)
        }
        Expr::Cmp { op, l, r, .. } => {
            if m == Mutation::FlipOperator {
                *op = match op {
                    CmpOp::Eq => CmpOp::Ne,
                    CmpOp::Ne => CmpOp::Eq,
                    CmpOp::Lt => CmpOp::Ge,
                    CmpOp::Ge => CmpOp::Lt,
                    CmpOp::Gt => CmpOp::Le,
                    CmpOp::Le => CmpOp::Gt,
                };
                return true;
            }
            expr(l, m) || expr(r, m)
        }
        Expr::Unary { e, .. } | Expr::Not(e) | Expr::Cast { e, .. } => expr(e, m),
        Expr::And(a, b) | Expr::Or(a, b) => expr(a, m) || expr(b, m),
        Expr::Cond { c, t, f, .. } => expr(c, m) || expr(t, m) || expr(f, m),
        Expr::Assign { place: p, value }
        | Expr::OpAssign {
            place: p, value, ..
        } => place(p, m) || expr(value, m),
        Expr::IncDec { place: p, .. } => place(p, m),
        Expr::Index { base, idx, .. } => expr(base, m) || expr(idx, m),
        Expr::CodeArith { l, r, .. } => expr(l, m) || expr(r, m),
        Expr::ObjArray { arr, count } => expr(arr, m) || expr(count, m),
        Expr::ObjArrayOffset { base, off } => expr(base, m) || expr(off, m),
        Expr::BelowTop(e) => expr(e, m),
        Expr::Lit(_) | Expr::Var(_) | Expr::InstructionSize => false,
    }
}
