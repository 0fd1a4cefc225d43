//! The reference interpreter's resolved form of a body: the lang-c tree with every name bound
//! (to a variable slot, a registry entry or a constant) and every operator annotated with the C
//! types the checker inferred. Evaluating this is plain C semantics; resolving once up front
//! keeps name lookups out of the per-state loop.

use runtime::ApiEntry;

use super::value::{CVal, IntT, Ty};

/// Arithmetic and bitwise operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    Mul,
    Div,
    Mod,
    Add,
    Sub,
    And,
    Or,
    Xor,
    Shl,
    Shr,
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Lt,
    Gt,
    Le,
    Ge,
    Eq,
    Ne,
}

/// Unary arithmetic operators (after promotion).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    Plus,
    Neg,
    Compl,
}

/// The type arithmetic happens in: the common type (usual arithmetic conversions) or `double`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Num {
    Int(IntT),
    Float,
}

/// Something an assignment can store into.
#[derive(Debug, Clone)]
pub enum Place {
    /// a local, stack item, cache entry or `oparg`
    Var(u32, Ty),
    /// `base->field = v` through the registry's `"<Type>.<field>="`
    Field {
        set: &'static ApiEntry,
        get: &'static ApiEntry,
        base: Box<Expr>,
        ty: Ty,
    },
    /// `name = v` for a writable global (`"<name>="`)
    Global {
        set: &'static ApiEntry,
        get: &'static ApiEntry,
        ty: Ty,
    },
    /// `values[i] = v` on a stack array
    Elem {
        base: Box<Expr>,
        idx: Box<Expr>,
        ty: Ty,
    },
    /// `GETLOCAL(i) = v` (`lvalue = true` functions: `"<name>="`)
    Call {
        set: &'static ApiEntry,
        get: &'static ApiEntry,
        args: Vec<Expr>,
        ty: Ty,
    },
}

impl Place {
    /// The declared type of the place.
    pub fn ty(&self) -> Ty {
        match self {
            Place::Var(_, t)
            | Place::Field { ty: t, .. }
            | Place::Global { ty: t, .. }
            | Place::Elem { ty: t, .. }
            | Place::Call { ty: t, .. } => *t,
        }
    }
}

/// One argument of a registry call.
#[derive(Debug, Clone)]
pub enum Arg {
    /// a value converted to the parameter type
    Val(Expr, Ty),
    /// a place the callee reads and writes back (`&x` out-parameters, `Py_CLEAR(x)`)
    Out(Place),
}

/// An expression.
#[derive(Debug, Clone)]
pub enum Expr {
    Lit(CVal),
    Var(u32),
    /// a registry call; `ret` is the call's C type
    Call {
        f: &'static ApiEntry,
        args: Vec<Arg>,
        ret: Ty,
    },
    Unary {
        op: UnOp,
        e: Box<Expr>,
        ty: Num,
    },
    Not(Box<Expr>),
    Arith {
        op: ArithOp,
        l: Box<Expr>,
        r: Box<Expr>,
        /// common type of the operands (for shifts: the promoted left operand)
        ty: Num,
    },
    Cmp {
        op: CmpOp,
        l: Box<Expr>,
        r: Box<Expr>,
        /// `None`: a pointer comparison
        ty: Option<Num>,
    },
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Cond {
        c: Box<Expr>,
        t: Box<Expr>,
        f: Box<Expr>,
        ty: Ty,
    },
    Assign {
        place: Place,
        value: Box<Expr>,
    },
    /// `place op= value`: `common` is the type the operation happens in
    OpAssign {
        place: Place,
        op: ArithOp,
        value: Box<Expr>,
        common: Num,
    },
    /// `++x`, `x--`, ...
    IncDec {
        place: Place,
        pre: bool,
        delta: i8,
    },
    Cast {
        e: Box<Expr>,
        to: Ty,
    },
    /// `values[i]` on a stack array; `ty` is the element type
    Index {
        base: Box<Expr>,
        idx: Box<Expr>,
        ty: Ty,
    },
    /// `STACKREFS_TO_PYOBJECTS(arr, count, name)`'s value of `name`: the first `count` slots
    /// of the stack array `arr`, each borrowed as `PyObject *` (`PyStackRef_AsPyObjectBorrow`)
    ObjArray {
        arr: Box<Expr>,
        count: Box<Expr>,
    },
    /// `objs + n` on an object array (`values_o + 1`)
    /// a written array argument (`out_array`): `top`, an empty output stack array, names the
    /// op's output slots below it (from where the outputs start up to `top`)
    BelowTop(Box<Expr>),
    ObjArrayOffset {
        base: Box<Expr>,
        off: Box<Expr>,
    },
    /// `p + n`, `p - n`, `p - q` on code-unit pointers (`_Py_CODEUNIT *` is an index into the
    /// code object's units): `sub` says which operator; the operands keep their order
    CodeArith {
        sub: bool,
        l: Box<Expr>,
        r: Box<Expr>,
        ty: Ty,
    },
    /// `INSTRUCTION_SIZE`
    InstructionSize,
}

/// What a DSL statement macro does.
#[derive(Debug, Clone)]
pub enum Dsl {
    DeoptIf(Expr),
    ExitIf(Expr),
    /// `ERROR_IF(cond[, label])`: pops the op's inputs, then the error label
    ErrorIf(Expr, &'static str),
    ErrorNoPop,
    DecrefInputs,
    JumpBy(Expr),
    CheckEvalBreaker,
    /// `DISPATCH()` / `DISPATCH_SAME_OPARG()`: continue at `next_instr`, stack as it is
    Dispatch,
    /// `DISPATCH_GOTO()`: the handler of the `opcode` variable runs next, with `oparg`
    DispatchGoto,
    /// `LOAD_IP(offset)`: `next_instr = frame->instr_ptr + offset` (ceval_macros.h)
    LoadIp(Expr),
    /// `SAVE_STACK()`: the stack pointer the frame keeps no longer counts the op's inputs
    SaveStack,
    /// `assert(c)`: a precondition of the body; a state where it fails is outside the body's
    /// domain (skipped). Evaluated without counting fallible calls or violations.
    Assert(Expr),
}

/// A statement.
#[derive(Debug, Clone)]
pub enum Stmt {
    Expr(Expr),
    /// a declaration: slot, type, optional initializer
    Decl(u32, Ty, Option<Expr>),
    Block(Vec<Stmt>),
    If(Expr, Box<Stmt>, Option<Box<Stmt>>),
    While(Expr, Box<Stmt>),
    /// `for (init; cond; step) body` (the init is a statement: a declaration or expression)
    For(Box<Stmt>, Option<Expr>, Option<Expr>, Box<Stmt>),
    Break,
    Continue,
    /// `goto label` / `JUMP_TO_LABEL(label)`
    Goto(&'static str),
    Dsl(Dsl),
    /// no effect (statistics, `DEAD`, `assert` in a release build, ...)
    Nop,
}
