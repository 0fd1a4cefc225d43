//! Resolves a checked lang-c body into [`ir`](super::ir): names to slots / registry entries,
//! operators to the C types the subset checker inferred. Anything the reference cannot give a
//! faithful meaning is a [`CompileError`], and the whole op is then reported as skipped.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use lang_c::ast::{
    BinaryOperator, BlockItem, Constant, Declaration, Expression, ForInitializer, Initializer,
    MemberOperator, Statement, UnaryOperator,
};
use lang_c::span::Node;
use runtime::ctype::CClass;
use runtime::{ApiEntry, Value};
use subset::{Bindings, BodyEnv, CType, NameRef, SpanKey, Typing};

use super::ir::{Arg, ArithOp, CmpOp, Dsl, Expr, Num, Place, Stmt, UnOp};
use super::value::{CVal, IntT, Ty};

/// A construct the reference interpreter does not execute.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what}")]
pub struct CompileError {
    /// what is unsupported (stable wording: the skip table groups by it)
    pub what: String,
}

fn unsupported<T>(what: impl Into<String>) -> Result<T, CompileError> {
    Err(CompileError { what: what.into() })
}

/// Interns a string for the program's lifetime (labels and string literals are few and fixed).
pub fn leak(s: &str) -> &'static str {
    static POOL: OnceLock<Mutex<HashMap<String, &'static str>>> = OnceLock::new();
    let pool = POOL.get_or_init(Default::default);
    let mut g = pool.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(v) = g.get(s) {
        return v;
    }
    let v: &'static str = Box::leak(s.to_string().into_boxed_str());
    g.insert(s.to_string(), v);
    v
}

fn entry(name: &str) -> Result<&'static ApiEntry, CompileError> {
    runtime::lookup(name).ok_or_else(|| CompileError {
        what: format!("no runtime registry entry `{name}`"),
    })
}

/// The variable slots of one op: `oparg`, stack items, cache entries, locals.
#[derive(Debug, Clone)]
pub struct Slots {
    /// declared conversion type of each slot
    pub types: Vec<Ty>,
    /// stack item name → slot
    pub stack: HashMap<String, u32>,
    /// cache entry name → slot
    pub caches: HashMap<String, u32>,
    locals: HashMap<SpanKey, u32>,
}

/// The slot of `oparg`.
pub const OPARG_SLOT: u32 = 0;

/// A compiled op body.
#[derive(Debug, Clone)]
pub struct CompiledBody {
    /// the body
    pub body: Stmt,
    /// its variables
    pub slots: Slots,
}

struct Compiler<'a> {
    typing: &'a Typing,
    b: &'a Bindings,
    slots: Slots,
}

/// Compiles one checked body.
pub fn compile_body(
    ast: &Node<Statement>,
    env: &BodyEnv,
    typing: &Typing,
    bindings: &Bindings,
) -> Result<CompiledBody, CompileError> {
    let mut slots = Slots {
        types: vec![Ty::Int(IntT::INT)],
        stack: HashMap::new(),
        caches: HashMap::new(),
        locals: HashMap::new(),
    };
    let is_obj = |t: &CType| bindings.is_object_pointer(t);
    for s in &env.stack {
        if !slots.stack.contains_key(&s.name) {
            slots.stack.insert(s.name.clone(), slots.types.len() as u32);
            slots.types.push(Ty::of(&s.ty, &is_obj));
        }
    }
    for c in &env.caches {
        let Some(t) = c.c_type() else {
            return unsupported(format!("cache entry of size {}", c.size));
        };
        slots
            .caches
            .insert(c.name.clone(), slots.types.len() as u32);
        slots.types.push(Ty::of(&t, &is_obj));
    }
    let mut c = Compiler {
        typing,
        b: bindings,
        slots,
    };
    let body = c.stmt(ast)?;
    Ok(CompiledBody {
        body,
        slots: c.slots,
    })
}

impl Compiler<'_> {
    fn ty(&self, t: &CType) -> Ty {
        Ty::of(t, &|t| self.b.is_object_pointer(t))
    }

    fn num(&self, t: &CType) -> Result<Num, CompileError> {
        match self.ty(t) {
            Ty::Int(i) => Ok(Num::Int(i)),
            Ty::Float => Ok(Num::Float),
            _ => unsupported(format!("arithmetic in type {t}")),
        }
    }

    /// The checker's information about `e`; for the few expressions it leaves untyped around
    /// a free-threading atomic (`FT_ATOMIC_LOAD_*(x)`, which the GIL build reads as `x`), the
    /// same C rules applied here.
    fn info(&self, e: &Node<Expression>) -> Result<subset::ExprInfo, CompileError> {
        if let Some(i) = self.typing.expr(e) {
            return Ok(i.clone());
        }
        let none = || CompileError {
            what: "expression without an inferred type".into(),
        };
        let info = |ty: CType, operands: Option<CType>| subset::ExprInfo {
            ty,
            operands,
            name: None,
        };
        match &e.node {
            Expression::Identifier(id) if reference_constant(&id.node.name).is_some() => {
                Ok(info(CType::INT, None))
            }
            Expression::Call(c) => match ft_load(&c.node.callee, &c.node.arguments) {
                Some(a) => Ok(info(self.info(a)?.ty, None)),
                None => Err(none()),
            },
            Expression::BinaryOperator(b) => {
                use BinaryOperator as B;
                let l = self.info(&b.node.lhs)?.ty.decay();
                let r = self.info(&b.node.rhs)?.ty.decay();
                let common = CType::usual_arithmetic(&l, &r);
                Ok(match b.node.operator.node {
                    B::Less
                    | B::Greater
                    | B::LessOrEqual
                    | B::GreaterOrEqual
                    | B::Equals
                    | B::NotEquals => info(CType::INT, common),
                    B::LogicalAnd | B::LogicalOr => info(CType::INT, None),
                    B::ShiftLeft | B::ShiftRight => info(l.promote(), Some(l.promote())),
                    B::Multiply
                    | B::Divide
                    | B::Modulo
                    | B::Plus
                    | B::Minus
                    | B::BitwiseAnd
                    | B::BitwiseOr
                    | B::BitwiseXor => {
                        let c = common.ok_or_else(none)?;
                        info(c.clone(), Some(c))
                    }
                    _ => return Err(none()),
                })
            }
            Expression::UnaryOperator(u) => {
                let t = self.info(&u.node.operand)?.ty;
                Ok(match u.node.operator.node {
                    UnaryOperator::Negate => info(CType::INT, None),
                    UnaryOperator::Plus | UnaryOperator::Minus | UnaryOperator::Complement => {
                        info(t.promote(), Some(t.promote()))
                    }
                    _ => return Err(none()),
                })
            }
            _ => Err(none()),
        }
    }

    fn expr_ty(&self, e: &Node<Expression>) -> Result<Ty, CompileError> {
        Ok(self.ty(&self.info(e)?.ty))
    }

    fn stmt(&mut self, s: &Node<Statement>) -> Result<Stmt, CompileError> {
        Ok(match &s.node {
            Statement::Compound(items) => {
                let mut v = Vec::with_capacity(items.len());
                for it in items {
                    match &it.node {
                        BlockItem::Declaration(d) => v.extend(self.declaration(d)?),
                        BlockItem::Statement(st) => v.push(self.stmt(st)?),
                        BlockItem::StaticAssert(_) => v.push(Stmt::Nop),
                    }
                }
                Stmt::Block(v)
            }
            Statement::Expression(None) => Stmt::Nop,
            Statement::Expression(Some(e)) => self.expr_stmt(e)?,
            Statement::If(i) => Stmt::If(
                self.expr(&i.node.condition)?,
                Box::new(self.stmt(&i.node.then_statement)?),
                match &i.node.else_statement {
                    Some(e) => Some(Box::new(self.stmt(e)?)),
                    None => None,
                },
            ),
            Statement::While(w) => Stmt::While(
                self.expr(&w.node.expression)?,
                Box::new(self.stmt(&w.node.statement)?),
            ),
            Statement::For(f) => {
                let init = match &f.node.initializer.node {
                    ForInitializer::Empty => Stmt::Nop,
                    ForInitializer::Expression(e) => Stmt::Expr(self.expr(e)?),
                    ForInitializer::Declaration(d) => Stmt::Block(self.declaration(d)?),
                    ForInitializer::StaticAssert(_) => Stmt::Nop,
                };
                let cond = match &f.node.condition {
                    Some(c) => Some(self.expr(c)?),
                    None => None,
                };
                let step = match &f.node.step {
                    Some(c) => Some(self.expr(c)?),
                    None => None,
                };
                Stmt::For(
                    Box::new(init),
                    cond,
                    step,
                    Box::new(self.stmt(&f.node.statement)?),
                )
            }
            Statement::Break => Stmt::Break,
            Statement::Continue => Stmt::Continue,
            Statement::Goto(l) => Stmt::Goto(leak(&l.node.name)),
            Statement::Labeled(_) => return unsupported("labeled statement"),
            Statement::Switch(_) => return unsupported("switch"),
            Statement::DoWhile(_) => return unsupported("do-while"),
            Statement::Return(_) => return unsupported("return"),
            Statement::Asm(_) => return unsupported("asm"),
        })
    }

    fn declaration(&mut self, d: &Node<Declaration>) -> Result<Vec<Stmt>, CompileError> {
        let mut out = Vec::new();
        for id in &d.node.declarators {
            let Some(name) = subset::cdecl::declarator_name(&id.node.declarator) else {
                return unsupported("declarator without a name");
            };
            let key = SpanKey::from(name.span);
            let Some(ct) = self.typing.locals.get(&key) else {
                return unsupported(format!("local `{}` without a type", name.node));
            };
            if matches!(ct, CType::Array(..)) {
                return unsupported("local array");
            }
            let ty = self.ty(ct);
            let slot = self.slots.types.len() as u32;
            self.slots.types.push(ty);
            self.slots.locals.insert(key, slot);
            let init = match &id.node.initializer {
                None => None,
                Some(Node {
                    node: Initializer::Expression(e),
                    ..
                }) => Some(self.expr(e)?),
                Some(_) => return unsupported("initializer list"),
            };
            out.push(Stmt::Decl(slot, ty, init));
        }
        Ok(out)
    }

    fn expr_stmt(&mut self, e: &Node<Expression>) -> Result<Stmt, CompileError> {
        if let Some(NameRef::Dsl(m)) = self.typing.expr(e).and_then(|i| i.name.as_ref()) {
            let Expression::Call(call) = &e.node else {
                return unsupported(format!("DSL macro {m} not called"));
            };
            return self.dsl(m, &call.node.arguments);
        }
        Ok(Stmt::Expr(self.expr(e)?))
    }

    fn ident_arg(a: Option<&Node<Expression>>) -> Option<&str> {
        match a.map(|a| &a.node) {
            Some(Expression::Identifier(id)) => Some(id.node.name.as_str()),
            _ => None,
        }
    }

    fn dsl(&mut self, m: &'static str, args: &[Node<Expression>]) -> Result<Stmt, CompileError> {
        let arg = |i: usize| args.get(i);
        Ok(match m {
            "DEOPT_IF" | "EXIT_IF" | "ERROR_IF" | "JUMPBY" => {
                let Some(a) = arg(0) else {
                    return unsupported(format!("{m} without argument"));
                };
                let c = self.expr(a)?;
                Stmt::Dsl(match m {
                    "DEOPT_IF" => Dsl::DeoptIf(c),
                    "EXIT_IF" => Dsl::ExitIf(c),
                    "JUMPBY" => Dsl::JumpBy(c),
                    _ => {
                        let label = Self::ident_arg(arg(1)).unwrap_or("error");
                        Dsl::ErrorIf(c, leak(label))
                    }
                })
            }
            // ceval_macros.h: `c = advance_backoff_counter(c)` / `c = pause_backoff_counter(c)`.
            "ADVANCE_ADAPTIVE_COUNTER" | "PAUSE_ADAPTIVE_COUNTER" => {
                let Some(a) = arg(0) else {
                    return unsupported(format!("{m} without argument"));
                };
                let f = entry(if m == "ADVANCE_ADAPTIVE_COUNTER" {
                    "advance_backoff_counter"
                } else {
                    "pause_backoff_counter"
                })?;
                let ty = self.expr_ty(a)?;
                let value = Expr::Call {
                    f,
                    args: vec![Arg::Val(self.expr(a)?, ty)],
                    ret: ty,
                };
                Stmt::Expr(Expr::Assign {
                    place: self.place(a)?,
                    value: Box::new(value),
                })
            }
            // ceval_macros.h: `bitset = (bitset << 1) | flag`, in `int` after promotion.
            "RECORD_BRANCH_TAKEN" => {
                let (Some(b), Some(flag)) = (arg(0), arg(1)) else {
                    return unsupported("RECORD_BRANCH_TAKEN without two arguments");
                };
                let int = Num::Int(IntT::INT);
                let shifted = Expr::Arith {
                    op: ArithOp::Shl,
                    l: Box::new(self.expr(b)?),
                    r: Box::new(Self::lit_int(1, IntT::INT)),
                    ty: int,
                };
                let value = Expr::Arith {
                    op: ArithOp::Or,
                    l: Box::new(shifted),
                    r: Box::new(self.expr(flag)?),
                    ty: int,
                };
                Stmt::Expr(Expr::Assign {
                    place: self.place(b)?,
                    value: Box::new(value),
                })
            }
            "ERROR_NO_POP" => Stmt::Dsl(Dsl::ErrorNoPop),
            "DECREF_INPUTS" => Stmt::Dsl(Dsl::DecrefInputs),
            "CHECK_EVAL_BREAKER" => Stmt::Dsl(Dsl::CheckEvalBreaker),
            "DISPATCH" | "DISPATCH_SAME_OPARG" => Stmt::Dsl(Dsl::Dispatch),
            "DISPATCH_GOTO" => Stmt::Dsl(Dsl::DispatchGoto),
            "SAVE_STACK" => Stmt::Dsl(Dsl::SaveStack),
            // ceval_macros.h: `PyObject **NAME = _PyObjectArray_FromStackRefArray(ARGS,
            // COUNT, ..)`, a new local holding the converted array.
            "STACKREFS_TO_PYOBJECTS" => {
                let (Some(arr), Some(count), Some(name)) = (arg(0), arg(1), arg(2)) else {
                    return unsupported("STACKREFS_TO_PYOBJECTS without three arguments");
                };
                let Expression::Identifier(id) = &name.node else {
                    return unsupported("STACKREFS_TO_PYOBJECTS name is not an identifier");
                };
                let key = SpanKey::from(id.span);
                if !self.typing.object_arrays.contains(&key) {
                    return unsupported("STACKREFS_TO_PYOBJECTS name the checker did not declare");
                }
                let init = Expr::ObjArray {
                    arr: Box::new(self.expr(arr)?),
                    count: Box::new(self.expr(count)?),
                };
                let slot = self.slots.types.len() as u32;
                self.slots.types.push(Ty::Other);
                self.slots.locals.insert(key, slot);
                Stmt::Decl(slot, Ty::Other, Some(init))
            }
            // `_PyObjectArray_Free`: the array held borrowed pointers; no object changes.
            "STACKREFS_TO_PYOBJECTS_CLEANUP" => Stmt::Nop,
            "LOAD_IP" => match arg(0) {
                Some(a) => Stmt::Dsl(Dsl::LoadIp(self.expr(a)?)),
                None => return unsupported("LOAD_IP without argument"),
            },
            // Bookkeeping for CPython's code generator (the reference materializes the stack at
            // the end of each op instead) and statistics.
            "DEAD"
            | "INPUTS_DEAD"
            | "SYNC_SP"
            | "RELOAD_STACK"
            | "STAT_INC"
            | "OPCODE_DEFERRED_INC"
            | "CALL_STAT_INC"
            | "EVAL_CALL_STAT_INC_IF_FUNCTION"
            | "OPT_HIST"
            | "LLTRACE_RESUME_FRAME"
            | "PRE_DISPATCH_GOTO" => Stmt::Nop,
            "assert" => match arg(0) {
                Some(a) => Stmt::Dsl(Dsl::Assert(self.expr(a)?)),
                None => Stmt::Nop,
            },
            other => return unsupported(format!("DSL macro {other}")),
        })
    }

    fn lit_int(v: i128, t: IntT) -> Expr {
        Expr::Lit(CVal::Int(t.convert(v), t))
    }

    fn expr(&mut self, e: &Node<Expression>) -> Result<Expr, CompileError> {
        match &e.node {
            Expression::Identifier(id) => self.identifier(e, &id.node.name),
            Expression::Constant(c) => self.constant(e, &c.node),
            Expression::StringLiteral(s) => Ok(Expr::Lit(CVal::Rt(Value::CStr(
                runtime::CStr::Lit(leak(&unescape(&s.node))),
            )))),
            Expression::Member(m) => {
                let (get, base, ty) = self.member(e, &m.node.expression, &m.node.operator.node)?;
                Ok(Expr::Call {
                    f: get,
                    args: vec![Arg::Val(base, Ty::Other)],
                    ret: ty,
                })
            }
            Expression::Call(call) => {
                if let Some(a) = ft_load(&call.node.callee, &call.node.arguments) {
                    return self.expr(a);
                }
                if let Some((p, v)) = ft_store(&call.node.callee, &call.node.arguments) {
                    return Ok(Expr::Assign {
                        place: self.place(p)?,
                        value: Box::new(self.expr(v)?),
                    });
                }
                self.call(e, &call.node.callee, &call.node.arguments)
            }
            Expression::Cast(c) => {
                let to = self.expr_ty(e)?;
                Ok(Expr::Cast {
                    e: Box::new(self.expr(&c.node.expression)?),
                    to,
                })
            }
            Expression::UnaryOperator(u) => self.unary(e, &u.node.operator.node, &u.node.operand),
            Expression::BinaryOperator(b) => {
                self.binary(e, &b.node.operator.node, &b.node.lhs, &b.node.rhs)
            }
            Expression::Conditional(c) => {
                let ty = self.expr_ty(e)?;
                Ok(Expr::Cond {
                    c: Box::new(self.expr(&c.node.condition)?),
                    t: Box::new(self.expr(&c.node.then_expression)?),
                    f: Box::new(self.expr(&c.node.else_expression)?),
                    ty,
                })
            }
            Expression::Comma(_) => unsupported("comma operator"),
            Expression::SizeOfTy(_) | Expression::SizeOfVal(_) | Expression::AlignOf(_) => {
                unsupported("sizeof")
            }
            _ => unsupported("expression kind"),
        }
    }

    fn identifier(&mut self, e: &Node<Expression>, name: &str) -> Result<Expr, CompileError> {
        if self.typing.expr(e).is_none() {
            if let Some(v) = reference_constant(name) {
                return Ok(Self::lit_int(v as i128, IntT::INT));
            }
        }
        let info = self.info(e)?;
        let ty = self.ty(&info.ty);
        Ok(match &info.name {
            Some(NameRef::Local { decl }) => match self.slots.locals.get(decl) {
                Some(s) => Expr::Var(*s),
                None => return unsupported(format!("local `{name}` used before its declaration")),
            },
            Some(NameRef::StackItem) => Expr::Var(self.slots.stack[name]),
            Some(NameRef::Cache) => Expr::Var(self.slots.caches[name]),
            Some(NameRef::Oparg) => Expr::Var(OPARG_SLOT),
            Some(NameRef::EnvConstant(v)) => Self::lit_int(*v as i128, IntT::INT),
            Some(NameRef::Constant(_, v)) => match ty {
                Ty::Int(t) => Self::lit_int(*v as i128, t),
                _ => Self::lit_int(*v as i128, IntT::LONG),
            },
            Some(NameRef::Builtin("NULL")) => Expr::Lit(CVal::Int(0, IntT::LONG)),
            Some(NameRef::Builtin("true")) => Self::lit_int(1, IntT::INT),
            Some(NameRef::Builtin("false")) => Self::lit_int(0, IntT::INT),
            Some(NameRef::Global(g)) => Expr::Call {
                f: entry(g)?,
                args: Vec::new(),
                ret: ty,
            },
            Some(NameRef::Dsl("INSTRUCTION_SIZE")) => Expr::InstructionSize,
            other => return unsupported(format!("name `{name}` bound to {other:?}")),
        })
    }

    fn constant(&mut self, e: &Node<Expression>, c: &Constant) -> Result<Expr, CompileError> {
        let ty = self.expr_ty(e)?;
        match c {
            Constant::Integer(i) => {
                let Some(v) = subset::cdecl::parse_integer(&i.base, &i.number) else {
                    return unsupported("integer literal");
                };
                match ty {
                    Ty::Int(t) => Ok(Self::lit_int(v as i128, t)),
                    _ => unsupported("integer literal type"),
                }
            }
            Constant::Float(f) => match f.number.parse::<f64>() {
                Ok(v) => Ok(Expr::Lit(CVal::Float(v))),
                Err(_) => unsupported("float literal"),
            },
            Constant::Character(ch) => {
                let s = unescape(std::slice::from_ref(ch));
                match s.chars().next() {
                    Some(c) if s.chars().count() == 1 && (c as u32) < 128 => {
                        Ok(Self::lit_int(c as i128, IntT::INT))
                    }
                    _ => unsupported("character literal"),
                }
            }
        }
    }

    /// A member access: the getter entry, the base expression and the field's type. Nested
    /// members (`p->op.code`) use the registry's dotted path keys.
    fn member(
        &mut self,
        e: &Node<Expression>,
        base: &Node<Expression>,
        _op: &MemberOperator,
    ) -> Result<(&'static ApiEntry, Expr, Ty), CompileError> {
        let info = self.info(e)?;
        let ty = self.ty(&info.ty);
        let Some(NameRef::Field { struct_name, field }) = &info.name else {
            return unsupported("member access without a bound field");
        };
        if let Some(get) = runtime::lookup(&format!("{struct_name}.{field}")) {
            // A nested path (`interp->callable_cache.len` is the field `callable_cache.len`):
            // the getter takes the struct below the inner members.
            let mut base = base;
            for _ in 0..field.matches('.').count() {
                match &base.node {
                    Expression::Member(inner) => base = &inner.node.expression,
                    _ => return unsupported(format!("nested field {field} without its members")),
                }
            }
            return Ok((get, self.expr(base)?, ty));
        }
        // `this_instr->op.code`: the inner member is a struct-valued field; the registry knows
        // the whole path from the outer struct.
        if let Expression::Member(inner) = &base.node {
            if let Some(NameRef::Field {
                struct_name: outer,
                field: f0,
            }) = self.typing.expr(base).and_then(|i| i.name.clone())
            {
                let key = format!("{outer}.{f0}.{field}");
                let get = entry(&key)?;
                return Ok((get, self.expr(&inner.node.expression)?, ty));
            }
        }
        unsupported(format!("no runtime registry entry `{struct_name}.{field}`"))
    }

    fn place(&mut self, e: &Node<Expression>) -> Result<Place, CompileError> {
        let info = self.info(e)?;
        let ty = self.ty(&info.ty);
        Ok(match (&e.node, &info.name) {
            (Expression::Identifier(_), Some(NameRef::Global(g))) => Place::Global {
                set: entry(&format!("{g}="))?,
                get: entry(g)?,
                ty,
            },
            (Expression::Identifier(id), _) => match self.identifier(e, &id.node.name)? {
                Expr::Var(s) => Place::Var(s, self.slots.types[s as usize]),
                _ => return unsupported(format!("assignment to `{}`", id.node.name)),
            },
            (Expression::Member(m), _) => {
                let (get, base, ty) = self.member(e, &m.node.expression, &m.node.operator.node)?;
                let set = entry(&format!("{}=", get.name))?;
                Place::Field {
                    set,
                    get,
                    base: Box::new(base),
                    ty,
                }
            }
            // `frame->localsplus[i] = v`: an array-typed field's registry getter and setter
            // take the base and the index.
            (Expression::BinaryOperator(b), _)
                if b.node.operator.node == BinaryOperator::Index
                    && matches!(&b.node.lhs.node, Expression::Member(_))
                    && matches!(self.info(&b.node.lhs)?.ty, CType::Array(..)) =>
            {
                let Expression::Member(m) = &b.node.lhs.node else {
                    return unsupported("array field without its member");
                };
                let (get, base, _) =
                    self.member(&b.node.lhs, &m.node.expression, &m.node.operator.node)?;
                Place::Call {
                    set: entry(&format!("{}=", get.name))?,
                    get,
                    args: vec![base, self.expr(&b.node.rhs)?],
                    ty,
                }
            }
            (Expression::BinaryOperator(b), _) if b.node.operator.node == BinaryOperator::Index => {
                Place::Elem {
                    base: Box::new(self.expr(&b.node.lhs)?),
                    idx: Box::new(self.expr(&b.node.rhs)?),
                    ty,
                }
            }
            (Expression::Call(call), Some(NameRef::Function(f))) => {
                let set = entry(&format!("{f}="))?;
                let get = entry(f)?;
                let mut args = Vec::new();
                for a in &call.node.arguments {
                    args.push(self.expr(a)?);
                }
                Place::Call { set, get, args, ty }
            }
            _ => return unsupported("assignment target"),
        })
    }

    /// A local `STACKREFS_TO_PYOBJECTS` declared.
    fn is_object_array(&self, e: &Node<Expression>) -> bool {
        matches!(
            self.typing.expr(e).and_then(|i| i.name.as_ref()),
            Some(NameRef::Local { decl }) if self.typing.object_arrays.contains(decl)
        )
    }

    fn call(
        &mut self,
        e: &Node<Expression>,
        callee: &Node<Expression>,
        args: &[Node<Expression>],
    ) -> Result<Expr, CompileError> {
        let ret = self.expr_ty(e)?;
        let (f, mut out_args) = match &callee.node {
            Expression::Identifier(id) => (entry(&id.node.name)?, Vec::new()),
            // A bound table of functions (`_PyEval_BinaryOps[oparg](l, r)`) is the function of
            // the singular name with the index as first argument.
            Expression::BinaryOperator(b) if b.node.operator.node == BinaryOperator::Index => {
                let Expression::Identifier(t) = &b.node.lhs.node else {
                    return unsupported("call through a computed function pointer");
                };
                let name = t.node.name.strip_suffix('s').unwrap_or(&t.node.name);
                let idx = self.expr(&b.node.rhs)?;
                (entry(name)?, vec![Arg::Val(idx, Ty::Int(IntT::INT))])
            }
            _ => return unsupported("call through a function pointer"),
        };
        let fixed = f.c_params.len();
        let skip = out_args.len();
        let (token, addr, out_array) = match &callee.node {
            Expression::Identifier(id) => self
                .b
                .function(&id.node.name)
                .map(|fb| (fb.token.clone(), fb.addr.clone(), fb.out_array.clone()))
                .unwrap_or_default(),
            _ => Default::default(),
        };
        for (i, a) in args.iter().enumerate() {
            let param = f.c_params.get(i + skip);
            if token.contains(&i) {
                // `_Py_ID(name)`: the identifier is the string it names.
                let Expression::Identifier(id) = &a.node else {
                    return unsupported("identifier argument that is not an identifier");
                };
                let lit = CVal::Rt(Value::CStr(runtime::CStr::Lit(leak(&id.node.name))));
                out_args.push(Arg::Val(Expr::Lit(lit), Ty::Other));
                continue;
            }
            if out_array.contains(&i) {
                // `top` of `unused[n], top[0]`: the callee writes the output slots below it.
                let e = Expr::BelowTop(Box::new(self.expr(a)?));
                out_args.push(Arg::Val(e, Ty::Other));
                continue;
            }
            // `values_o + 1` passed as an array: the object array from that element on.
            if let Expression::BinaryOperator(b) = &a.node {
                if b.node.operator.node == BinaryOperator::Plus && self.is_object_array(&b.node.lhs)
                {
                    let e = Expr::ObjArrayOffset {
                        base: Box::new(self.expr(&b.node.lhs)?),
                        off: Box::new(self.expr(&b.node.rhs)?),
                    };
                    out_args.push(Arg::Val(e, Ty::Other));
                    continue;
                }
            }
            if addr.contains(&i) {
                // `&place` to a function that reads `*p` and nothing else: C's read through
                // the pointer happens in the call, so the argument is the place's value then.
                let Expression::UnaryOperator(u) = &a.node else {
                    return unsupported("read-through argument without `&`");
                };
                let ty = self.expr_ty(&u.node.operand)?;
                out_args.push(Arg::Val(self.expr(&u.node.operand)?, ty));
                continue;
            }
            let out_param = matches!(
                param.map(|p| p.class),
                Some(CClass::OutObj | CClass::OutStackRef)
            );
            let arg = match &a.node {
                Expression::UnaryOperator(u)
                    if u.node.operator.node == UnaryOperator::Address
                        && !matches!(
                            self.typing
                                .expr(&u.node.operand)
                                .and_then(|i| i.name.as_ref()),
                            Some(NameRef::Global(_) | NameRef::Function(_))
                        ) =>
                {
                    Arg::Out(self.place(&u.node.operand)?)
                }
                // `NULL` for an optional out-parameter (`PyDict_Pop(d, k, NULL)`).
                _ if out_param && !is_null_constant(a) => Arg::Out(self.place(a)?),
                _ => {
                    let pty = match param {
                        Some(p) => param_ty(p),
                        None => match self.expr_ty(a)? {
                            // default argument promotions of variadic extras
                            Ty::Int(t) => Ty::Int(t.promote()),
                            t => t,
                        },
                    };
                    Arg::Val(self.expr(a)?, pty)
                }
            };
            out_args.push(arg);
        }
        if out_args.len() < fixed {
            return unsupported(format!("call of {} with too few arguments", f.name));
        }
        Ok(Expr::Call {
            f,
            args: out_args,
            ret,
        })
    }

    fn unary(
        &mut self,
        e: &Node<Expression>,
        op: &UnaryOperator,
        operand: &Node<Expression>,
    ) -> Result<Expr, CompileError> {
        Ok(match op {
            UnaryOperator::Address => {
                // `&PyLong_Type` / `&_Py_ID(x)`: the global or the call already evaluates to
                // the object pointer (the checker allows `&` only on static objects).
                match self.typing.expr(operand).and_then(|i| i.name.as_ref()) {
                    Some(NameRef::Global(_) | NameRef::Function(_)) => self.expr(operand)?,
                    _ => return unsupported("address-of"),
                }
            }
            UnaryOperator::Indirection => return unsupported("dereference"),
            UnaryOperator::Plus | UnaryOperator::Minus | UnaryOperator::Complement => {
                let info = self.info(e)?;
                let ty = self.num(info.operands.as_ref().unwrap_or(&info.ty))?;
                Expr::Unary {
                    op: match op {
                        UnaryOperator::Plus => UnOp::Plus,
                        UnaryOperator::Minus => UnOp::Neg,
                        _ => UnOp::Compl,
                    },
                    e: Box::new(self.expr(operand)?),
                    ty,
                }
            }
            UnaryOperator::Negate => Expr::Not(Box::new(self.expr(operand)?)),
            UnaryOperator::PreIncrement
            | UnaryOperator::PreDecrement
            | UnaryOperator::PostIncrement
            | UnaryOperator::PostDecrement => Expr::IncDec {
                place: self.place(operand)?,
                pre: matches!(
                    op,
                    UnaryOperator::PreIncrement | UnaryOperator::PreDecrement
                ),
                delta: if matches!(
                    op,
                    UnaryOperator::PreIncrement | UnaryOperator::PostIncrement
                ) {
                    1
                } else {
                    -1
                },
            },
        })
    }

    fn binary(
        &mut self,
        e: &Node<Expression>,
        op: &BinaryOperator,
        lhs: &Node<Expression>,
        rhs: &Node<Expression>,
    ) -> Result<Expr, CompileError> {
        use BinaryOperator as B;
        let arith = |op: &B| -> Option<ArithOp> {
            Some(match op {
                B::Multiply | B::AssignMultiply => ArithOp::Mul,
                B::Divide | B::AssignDivide => ArithOp::Div,
                B::Modulo | B::AssignModulo => ArithOp::Mod,
                B::Plus | B::AssignPlus => ArithOp::Add,
                B::Minus | B::AssignMinus => ArithOp::Sub,
                B::ShiftLeft | B::AssignShiftLeft => ArithOp::Shl,
                B::ShiftRight | B::AssignShiftRight => ArithOp::Shr,
                B::BitwiseAnd | B::AssignBitwiseAnd => ArithOp::And,
                B::BitwiseOr | B::AssignBitwiseOr => ArithOp::Or,
                B::BitwiseXor | B::AssignBitwiseXor => ArithOp::Xor,
                _ => return None,
            })
        };
        let cmp = match op {
            B::Less => Some(CmpOp::Lt),
            B::Greater => Some(CmpOp::Gt),
            B::LessOrEqual => Some(CmpOp::Le),
            B::GreaterOrEqual => Some(CmpOp::Ge),
            B::Equals => Some(CmpOp::Eq),
            B::NotEquals => Some(CmpOp::Ne),
            _ => None,
        };
        let info = self.info(e)?;
        if let Some(c) = cmp {
            let ty = match &info.operands {
                Some(t) => Some(self.num(t)?),
                None => None,
            };
            return Ok(Expr::Cmp {
                op: c,
                l: Box::new(self.expr(lhs)?),
                r: Box::new(self.expr(rhs)?),
                ty,
            });
        }
        Ok(match op {
            // A table of values bound as the function of its index (`_PyOpcode_Caches[op]`).
            B::Index if matches!(&info.name, Some(NameRef::Function(_))) => {
                let Some(NameRef::Function(name)) = &info.name else {
                    return unsupported("value table");
                };
                let f = entry(name)?;
                let param = self
                    .b
                    .function(name)
                    .and_then(|fb| fb.ty.params.first())
                    .map(|t| self.ty(t))
                    .unwrap_or(Ty::Int(IntT::INT));
                Expr::Call {
                    f,
                    args: vec![Arg::Val(self.expr(rhs)?, param)],
                    ret: self.ty(&info.ty),
                }
            }
            // `p->long_value.ob_digit[i]`: an array-typed field is read element-wise; its
            // registry getter takes the base and the index.
            B::Index
                if matches!(&lhs.node, Expression::Member(_))
                    && matches!(self.info(lhs)?.ty, CType::Array(..)) =>
            {
                let Expression::Member(m) = &lhs.node else {
                    return unsupported("array field without its member");
                };
                let (get, base, _) = self.member(lhs, &m.node.expression, &m.node.operator.node)?;
                Expr::Call {
                    f: get,
                    args: vec![
                        Arg::Val(base, Ty::Other),
                        Arg::Val(self.expr(rhs)?, Ty::Int(IntT::LONG)),
                    ],
                    ret: self.ty(&info.ty),
                }
            }
            B::Index => {
                let ty = self.ty(&info.ty);
                Expr::Index {
                    base: Box::new(self.expr(lhs)?),
                    idx: Box::new(self.expr(rhs)?),
                    ty,
                }
            }
            B::LogicalAnd => Expr::And(Box::new(self.expr(lhs)?), Box::new(self.expr(rhs)?)),
            B::LogicalOr => Expr::Or(Box::new(self.expr(lhs)?), Box::new(self.expr(rhs)?)),
            B::Assign => Expr::Assign {
                place: self.place(lhs)?,
                value: Box::new(self.expr(rhs)?),
            },
            _ => {
                let Some(a) = arith(op) else {
                    return unsupported("binary operator");
                };
                let Some(common) = &info.operands else {
                    let code = |x: &Node<Expression>| {
                        self.info(x).is_ok_and(|i| self.b.is_indexed_pointer(&i.ty))
                    };
                    if matches!(op, B::Plus | B::Minus) && (code(lhs) || code(rhs)) {
                        return Ok(Expr::CodeArith {
                            sub: *op == B::Minus,
                            l: Box::new(self.expr(lhs)?),
                            r: Box::new(self.expr(rhs)?),
                            ty: self.ty(&info.ty),
                        });
                    }
                    return unsupported("pointer arithmetic");
                };
                let common = self.num(common)?;
                let assigning = !matches!(
                    op,
                    B::Multiply
                        | B::Divide
                        | B::Modulo
                        | B::Plus
                        | B::Minus
                        | B::ShiftLeft
                        | B::ShiftRight
                        | B::BitwiseAnd
                        | B::BitwiseOr
                        | B::BitwiseXor
                );
                if assigning {
                    Expr::OpAssign {
                        place: self.place(lhs)?,
                        op: a,
                        value: Box::new(self.expr(rhs)?),
                        common,
                    }
                } else {
                    Expr::Arith {
                        op: a,
                        l: Box::new(self.expr(lhs)?),
                        r: Box::new(self.expr(rhs)?),
                        ty: common,
                    }
                }
            }
        })
    }
}

/// The conversion of an argument to a registry parameter (`bool` is told apart from
/// `uint8_t` by its spelling: both are 8 unsigned bits at run time).
/// Object-like macros of CPython's headers that bodies use and the binding table may not bind
/// yet (`Include/internal/pycore_code.h`: the comparison masks of `COMPARE_OP`'s oparg).
pub fn reference_constant(name: &str) -> Option<i64> {
    Some(match name {
        "COMPARISON_UNORDERED" => 1,
        "COMPARISON_LESS_THAN" => 2,
        "COMPARISON_GREATER_THAN" => 4,
        "COMPARISON_EQUALS" => 8,
        "COMPARISON_NOT_EQUALS" => 1 | 2 | 4,
        _ => return None,
    })
}

/// `FT_ATOMIC_LOAD_*(x)`: in the GIL build, a plain read of `x`.
fn ft_load<'a>(
    callee: &Node<Expression>,
    args: &'a [Node<Expression>],
) -> Option<&'a Node<Expression>> {
    match &callee.node {
        Expression::Identifier(id)
            if id.node.name.starts_with("FT_ATOMIC_LOAD_") && args.len() == 1 =>
        {
            args.first()
        }
        _ => None,
    }
}

/// `FT_ATOMIC_STORE_*(p, v)`: in the GIL build, a plain `p = v`.
fn ft_store<'a>(
    callee: &Node<Expression>,
    args: &'a [Node<Expression>],
) -> Option<(&'a Node<Expression>, &'a Node<Expression>)> {
    match &callee.node {
        Expression::Identifier(id)
            if id.node.name.starts_with("FT_ATOMIC_STORE_") && args.len() == 2 =>
        {
            Some((&args[0], &args[1]))
        }
        _ => None,
    }
}

fn is_null_constant(e: &Node<Expression>) -> bool {
    match &e.node {
        Expression::Identifier(id) => id.node.name == "NULL",
        Expression::Constant(c) => {
            matches!(&c.node, Constant::Integer(i) if i.number.as_ref() == "0")
        }
        Expression::Cast(c) => is_null_constant(&c.node.expression),
        _ => false,
    }
}

fn param_ty(p: &runtime::ctype::CType) -> Ty {
    match p.class {
        CClass::Int(t) => Ty::Int(IntT {
            bits: t.bits,
            signed: t.signed,
            boolean: matches!(p.spelling.as_str(), "bool" | "_Bool"),
        }),
        CClass::Double => Ty::Float,
        CClass::Obj => Ty::Obj,
        CClass::Void => Ty::Void,
        _ => Ty::Other,
    }
}

/// The text of a C string literal (quotes removed, pieces concatenated, escapes decoded).
pub fn unescape(pieces: &[String]) -> String {
    let mut out = String::new();
    for p in pieces {
        let p = p.trim();
        let inner = p
            .strip_prefix(['"', '\''])
            .and_then(|s| s.strip_suffix(['"', '\'']))
            .unwrap_or(p);
        let mut it = inner.chars();
        while let Some(c) = it.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match it.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('0') => out.push('\0'),
                Some(o) => out.push(o),
                None => {}
            }
        }
    }
    out
}
