//! C expressions to Rust expressions, keeping C's integer semantics exactly.
//!
//! Every lowered expression carries the C type the subset checker inferred for it. Conversions
//! C applies implicitly (promotions, usual arithmetic conversions, assignment conversions) are
//! made explicit casts; arithmetic wraps (`wrapping_*`) as unsigned C arithmetic does (and as
//! signed overflow does on every platform CPython runs on); shifts follow C's promoted types
//! with out-of-range counts made total; `&&`, `||` and `?:` keep their short-circuit evaluation.

use lang_c::ast::{
    BinaryOperator, CallExpression, Constant, Expression, MemberExpression, UnaryOperator,
};
use lang_c::span::Node;
use subset::bindings::Template;
use subset::cdecl::parse_integer;
use subset::{CType, ExprInfo, FloatKind, IntRank, IntType, NameRef};
use syn::{parse_quote, Expr};

use super::body::{var_name, BodyCx};
use super::rtype::{int_name, is_bool, rust_type};
use super::template::expand;

/// A lowered expression.
#[derive(Debug, Clone)]
pub struct LExpr {
    pub expr: Expr,
    /// The C type of the value.
    pub ty: CType,
    /// The Rust value is a `bool` although the C type is `int` (comparisons, `!`, `&&`, `||`).
    pub boolean: bool,
    /// The value when it is an integer constant (literals and folded arithmetic).
    pub konst: Option<i128>,
}

impl LExpr {
    fn new(expr: Expr, ty: CType) -> LExpr {
        LExpr {
            expr,
            ty,
            boolean: false,
            konst: None,
        }
    }

    fn boolean(expr: Expr) -> LExpr {
        LExpr {
            expr,
            ty: CType::INT,
            boolean: true,
            konst: None,
        }
    }
}

/// A Rust integer literal of a C integer type (wrapped into the type's range first).
pub fn int_lit(v: i128, t: &IntType) -> Expr {
    if t.rank == IntRank::Bool {
        return if v != 0 {
            parse_quote!(true)
        } else {
            parse_quote!(false)
        };
    }
    let v = wrap(v, t);
    let suffix = int_name(t);
    if v < 0 {
        let lit = syn::LitInt::new(
            &format!("{}{suffix}", v.unsigned_abs()),
            proc_macro2::Span::call_site(),
        );
        parse_quote!(-#lit)
    } else {
        let lit = syn::LitInt::new(&format!("{v}{suffix}"), proc_macro2::Span::call_site());
        parse_quote!(#lit)
    }
}

/// C's conversion of `v` to integer type `t` (modulo 2^bits, two's complement).
pub fn wrap(v: i128, t: &IntType) -> i128 {
    if t.rank == IntRank::Bool {
        return (v != 0) as i128;
    }
    let bits = t.bits();
    let m = v & ((1i128 << bits) - 1);
    if t.signed && m >= (1i128 << (bits - 1)) {
        m - (1i128 << bits)
    } else {
        m
    }
}

/// Parenthesise an operand unless it binds tighter than any operator.
pub fn paren(e: Expr) -> Expr {
    match e {
        Expr::Path(_)
        | Expr::Lit(_)
        | Expr::Call(_)
        | Expr::MethodCall(_)
        | Expr::Field(_)
        | Expr::Index(_)
        | Expr::Paren(_)
        | Expr::Macro(_)
        | Expr::Array(_)
        | Expr::Tuple(_) => e,
        other => Expr::Paren(syn::ExprParen {
            attrs: Vec::new(),
            paren_token: Default::default(),
            expr: Box::new(other),
        }),
    }
}

/// What an assignment target is.
// Short-lived (one per assignment while lowering), so the size difference does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Place {
    /// A Rust place expression: a variable or an element of a local/stack array.
    Direct(Expr),
    /// A setter template (`GETLOCAL(i) = v`, a bound field or global); `get` reads it back.
    Setter {
        get: Expr,
        set: Template,
        args: Vec<Expr>,
        base: Option<Expr>,
    },
}

impl BodyCx<'_> {
    pub(super) fn info(&self, e: &Node<Expression>) -> Result<&ExprInfo, String> {
        self.typing.expr(e).ok_or_else(|| {
            format!(
                "expression without an inferred type (bytes {}..{})",
                e.span.start, e.span.end
            )
        })
    }

    /// Lower an expression whose value is used.
    pub fn expr(&mut self, e: &Node<Expression>) -> Result<LExpr, String> {
        match &e.node {
            Expression::Identifier(id) => self.identifier(e, &id.node.name),
            Expression::Constant(c) => {
                let ty = self.info(e)?.ty.clone();
                match &c.node {
                    Constant::Integer(i) => {
                        let v = parse_integer(&i.base, &i.number)
                            .ok_or("integer literal out of range")?
                            as i128;
                        let it = ty.as_int().ok_or("integer literal of a non-integer type")?;
                        Ok(LExpr {
                            expr: int_lit(v, it),
                            ty: ty.clone(),
                            boolean: false,
                            konst: Some(v),
                        })
                    }
                    Constant::Character(ch) => {
                        let v = char_value(ch).ok_or_else(|| format!("character constant {ch}"))?;
                        Ok(LExpr {
                            expr: int_lit(v, &IntType::new(IntRank::Int, true)),
                            ty: CType::INT,
                            boolean: false,
                            konst: Some(v),
                        })
                    }
                    Constant::Float(f) => {
                        let text = f.number.trim_end_matches(['f', 'F', 'l', 'L']);
                        let v: f64 = text
                            .parse()
                            .map_err(|_| format!("float literal {}", f.number))?;
                        let lit = match ty {
                            CType::Float(FloatKind::Float) => syn::LitFloat::new(
                                &format!("{v:?}f32"),
                                proc_macro2::Span::call_site(),
                            ),
                            _ => syn::LitFloat::new(
                                &format!("{v:?}f64"),
                                proc_macro2::Span::call_site(),
                            ),
                        };
                        Ok(LExpr::new(parse_quote!(#lit), ty))
                    }
                }
            }
            Expression::StringLiteral(s) => {
                let text = string_value(&s.node)?;
                let lit = syn::LitStr::new(&text, proc_macro2::Span::call_site());
                Ok(LExpr::new(parse_quote!(#lit), self.info(e)?.ty.clone()))
            }
            Expression::Member(m) => self.field_read(e, m, None),
            Expression::Call(call) => self.call(e, call),
            Expression::UnaryOperator(u) => self.unary(e, &u.node.operator.node, &u.node.operand),
            Expression::Cast(c) => {
                let to = self.info(e)?.ty.clone();
                let inner = self.expr(&c.node.expression)?;
                if to == CType::Void {
                    return Ok(LExpr::new(inner.expr, CType::Void));
                }
                let konst = inner
                    .konst
                    .filter(|_| to.is_integer())
                    .map(|v| to.as_int().map_or(v, |t| wrap(v, t)));
                let expr = self.convert(inner, &to)?;
                Ok(LExpr {
                    expr,
                    ty: to,
                    boolean: false,
                    konst,
                })
            }
            Expression::BinaryOperator(b) => {
                self.binary(e, &b.node.operator.node, &b.node.lhs, &b.node.rhs)
            }
            Expression::Conditional(c) => {
                let ty = self.info(e)?.ty.clone();
                let cond = self.condition(&c.node.condition)?;
                let t = self.expr(&c.node.then_expression)?;
                let f = self.expr(&c.node.else_expression)?;
                let t = self.convert(t, &ty)?;
                let f = self.convert(f, &ty)?;
                // A nested ternary in the else branch reads as `else if`.
                use super::build::{bare, block, block_expr, if_expr};
                let els = match f {
                    f @ Expr::If(_) => f,
                    f => block_expr(None, vec![bare(f)]),
                };
                let x = if_expr(cond, block(vec![bare(t)]), Some(els));
                Ok(LExpr::new(x, ty))
            }
            _ => Err("expression form outside the lowering".into()),
        }
    }

    fn identifier(&mut self, e: &Node<Expression>, name: &str) -> Result<LExpr, String> {
        if self.is_view(e) {
            // Views are only indexed, moved, or passed as array arguments (`view.rs`).
            return Err(format!("stack view `{name}` used as a value"));
        }
        let info = self.info(e)?.clone();
        let ty = info.ty.clone();
        match &info.name {
            Some(NameRef::Local { .. }) | Some(NameRef::StackItem) | Some(NameRef::Cache) => {
                let id = self.var_ident(name);
                Ok(LExpr::new(super::build::ident_expr(id), ty))
            }
            Some(NameRef::Oparg) => {
                self.uses_oparg = true;
                Ok(LExpr::new(parse_quote!(oparg), ty))
            }
            Some(NameRef::EnvConstant(v)) | Some(NameRef::Constant(_, v)) => {
                let v = *v as i128;
                let it = ty
                    .as_int()
                    .cloned()
                    .unwrap_or(IntType::new(IntRank::Int, true));
                Ok(LExpr {
                    expr: int_lit(v, &it),
                    ty,
                    boolean: false,
                    konst: Some(v),
                })
            }
            Some(NameRef::Global(g)) => {
                let gb = self
                    .b
                    .global(g)
                    .ok_or_else(|| format!("unbound global {g}"))?;
                let t = gb.rust.clone();
                Ok(LExpr::new(expand(&t, &[], None, None)?, ty))
            }
            Some(NameRef::Builtin("NULL")) => Ok(LExpr {
                expr: parse_quote!(NULL),
                ty,
                boolean: false,
                konst: Some(0),
            }),
            Some(NameRef::Builtin("true")) => Ok(LExpr {
                expr: parse_quote!(1i32),
                ty,
                boolean: false,
                konst: Some(1),
            }),
            Some(NameRef::Builtin("false")) => Ok(LExpr {
                expr: parse_quote!(0i32),
                ty,
                boolean: false,
                konst: Some(0),
            }),
            Some(NameRef::Dsl("INSTRUCTION_SIZE")) => {
                let size = self
                    .instruction_size
                    .ok_or("INSTRUCTION_SIZE in an op used by instructions of different sizes")?;
                Ok(LExpr {
                    expr: int_lit(size as i128, &IntType::new(IntRank::Int, true)),
                    ty: CType::INT,
                    boolean: false,
                    konst: Some(size as i128),
                })
            }
            other => Err(format!("name `{name}` resolved to {other:?}")),
        }
    }

    /// The value converted to C type `to`, as C converts on assignment and casts.
    pub fn convert(&mut self, v: LExpr, to: &CType) -> Result<Expr, String> {
        let from = v.ty.decay();
        match to {
            CType::Int(ti) if ti.rank == IntRank::Bool => {
                if let Some(k) = v.konst {
                    return Ok(int_lit(k, ti));
                }
                self.truth(v)
            }
            CType::Int(ti) => {
                if let Some(k) = v.konst {
                    if from.is_integer() || v.boolean {
                        return Ok(int_lit(k, ti));
                    }
                }
                let ty = super::rtype::int_type(ti);
                if v.boolean || is_bool(&from) {
                    let e = paren(v.expr);
                    return Ok(super::build::cast(e, ty));
                }
                match &from {
                    CType::Int(fi) if fi.same_repr(ti) => Ok(v.expr),
                    CType::Int(_) | CType::Float(_) => {
                        let e = paren(v.expr);
                        Ok(super::build::cast(e, ty))
                    }
                    other => Err(format!("conversion from {other} to {to}")),
                }
            }
            CType::Float(k) => {
                let ty: syn::Type = if *k == FloatKind::Float {
                    parse_quote!(f32)
                } else {
                    parse_quote!(f64)
                };
                if v.boolean || is_bool(&from) {
                    let e = paren(v.expr);
                    return Ok(parse_quote!((#e as i32) as #ty));
                }
                match &from {
                    CType::Float(f) if f == k => Ok(v.expr),
                    CType::Int(_) | CType::Float(_) => {
                        let e = paren(v.expr);
                        Ok(super::build::cast(e, ty))
                    }
                    other => Err(format!("conversion from {other} to {to}")),
                }
            }
            CType::Pointer(_) | CType::Named(_) => {
                if v.konst == Some(0) {
                    let t = rust_type(to, self.b)?;
                    return Ok(super::rtype::null_of(&t));
                }
                Ok(v.expr)
            }
            CType::Void => Ok(v.expr),
            other => Err(format!("conversion to {other}")),
        }
    }

    /// A scalar as a Rust `bool` (C's test against zero).
    pub fn truth(&mut self, v: LExpr) -> Result<Expr, String> {
        if v.boolean || is_bool(&v.ty) {
            return Ok(v.expr);
        }
        if let Some(k) = v.konst {
            if v.ty.is_integer() {
                return Ok(if k != 0 {
                    parse_quote!(true)
                } else {
                    parse_quote!(false)
                });
            }
        }
        let e = paren(v.expr);
        match &v.ty.decay() {
            CType::Int(i) => {
                let z = int_lit(0, i);
                Ok(super::build::binary(
                    e,
                    syn::BinOp::Ne(Default::default()),
                    z,
                ))
            }
            CType::Float(FloatKind::Float) => Ok(parse_quote!(#e != 0.0f32)),
            CType::Float(FloatKind::Double) => Ok(parse_quote!(#e != 0.0f64)),
            t @ CType::Pointer(_) => {
                let rt = rust_type(t, self.b)?;
                let z = super::rtype::null_of(&rt);
                Ok(super::build::binary(
                    e,
                    syn::BinOp::Ne(Default::default()),
                    z,
                ))
            }
            other => Err(format!("condition of type {other}")),
        }
    }

    /// An expression used as a condition.
    pub fn condition(&mut self, e: &Node<Expression>) -> Result<Expr, String> {
        let v = self.expr(e)?;
        self.truth(v)
    }

    fn call(&mut self, e: &Node<Expression>, call: &Node<CallExpression>) -> Result<LExpr, String> {
        let info = self.info(e)?.clone();
        let Some(NameRef::Function(name)) = &info.name else {
            return Err("call through a function pointer".into());
        };
        let f = self
            .b
            .function(name)
            .ok_or_else(|| format!("unbound function {name}"))?
            .clone();
        let mut args = Vec::new();
        // Arguments the template takes by `&mut {i}` are places the call assigns in place
        // (`Py_CLEAR(x)`); a bound field or global goes through a temporary written back.
        let mut writebacks: Vec<(syn::Ident, Place)> = Vec::new();
        let mut scratch: Vec<syn::Stmt> = Vec::new();
        for (i, a) in call.node.arguments.iter().enumerate() {
            if super::template::takes_place(&f.rust, i) {
                if let (Some(pt), true) =
                    (f.ty.params.get(i).and_then(CType::pointee), is_null_arg(a))
                {
                    // No out-value wanted: the call writes into a temporary.
                    let pt = pt.clone();
                    let tmp = self.fresh("unused_out");
                    let z = self.zero(&pt)?;
                    args.push(parse_quote!(#tmp));
                    scratch.push(parse_quote!(let mut #tmp = #z;));
                    continue;
                }
                let target = match &a.node {
                    Expression::UnaryOperator(u)
                        if u.node.operator.node == UnaryOperator::Address =>
                    {
                        &u.node.operand
                    }
                    _ => a,
                };
                match self.place(target)? {
                    Place::Direct(p) => args.push(p),
                    setter => {
                        let tmp = self.fresh("place");
                        args.push(parse_quote!(#tmp));
                        writebacks.push((tmp, setter));
                    }
                }
                continue;
            }
            if f.out_array.contains(&i) {
                // `top` of `unused[n], top[0]`: the merged output array, written from its end.
                let name = match &a.node {
                    Expression::Identifier(id) => id.node.name.as_str(),
                    _ => "",
                };
                if !self
                    .sig
                    .outputs
                    .iter()
                    .any(|o| o.written_below && o.name == name)
                {
                    return Err(format!(
                        "written array argument `{name}` is not a size-0 output array ending `unused` outputs"
                    ));
                }
                let v = var_name(name);
                self.assigned.insert(v.to_string());
                args.push(parse_quote!(&mut #v[..]));
                continue;
            }
            if f.token.contains(&i) {
                // `_Py_ID(name)`: the identifier is the string it names.
                let Expression::Identifier(id) = &a.node else {
                    return Err("identifier argument is not an identifier".into());
                };
                let lit = syn::LitStr::new(&id.node.name, proc_macro2::Span::call_site());
                args.push(parse_quote!(#lit));
                continue;
            }
            if f.addr.contains(&i) {
                // `&place` to a function that only reads through it: the place's value (the
                // checker made its type the parameter's pointee).
                let Expression::UnaryOperator(u) = &a.node else {
                    return Err("read-through argument without `&`".into());
                };
                let v = self.expr(&u.node.operand)?;
                args.push(paren(v.expr));
                continue;
            }
            if f.array.contains(&i) {
                // `values_o + 1`: the object array from that element on.
                if let Expression::BinaryOperator(b) = &a.node {
                    if b.node.operator.node == BinaryOperator::Plus
                        && self.is_object_array(&b.node.lhs)
                    {
                        let base = paren(self.expr(&b.node.lhs)?.expr);
                        let off = self.expr(&b.node.rhs)?;
                        let off = paren(self.convert(off, &CType::LONG)?);
                        // Past the converted elements nothing may be read (CPython's scratch
                        // array makes `values_o + 1` of an empty conversion valid): an empty
                        // remainder, never a panic.
                        args.push(parse_quote!(&#base[(#off as usize).min(#base.len())..]));
                        continue;
                    }
                }
            }
            if f.array.contains(&i) && self.is_view(a) {
                args.push(self.view_slice(a)?);
                continue;
            }
            if f.array.contains(&i) {
                // A stack array item (`Vec`) or a local array: the callee reads a slice.
                let v = self.expr(a)?;
                let v = paren(v.expr);
                args.push(parse_quote!(&#v[..]));
                continue;
            }
            args.push(self.argument(&f.ty.params, &f.out, f.ty.variadic, i, a)?);
        }
        let fixed = f.ty.params.len();
        let out = super::template::expand_args(&f.rust, &args, fixed, None, None)?;
        let mut out = self.mutate_call(name, out);
        if !writebacks.is_empty() || !scratch.is_empty() {
            let mut pre: Vec<syn::Stmt> = scratch;
            let mut post: Vec<syn::Stmt> = Vec::new();
            for (tmp, place) in &writebacks {
                let get = self.place_read(place);
                pre.push(parse_quote!(let mut #tmp = #get;));
                let store = self.place_store(place, parse_quote!(#tmp))?;
                post.push(parse_quote!(#store;));
            }
            let mut stmts = pre;
            if post.is_empty() {
                stmts.push(super::build::bare(out));
            } else if info.ty == CType::Void {
                stmts.push(super::build::semi(out));
                stmts.extend(post);
            } else {
                let r = self.fresh("r");
                stmts.push(super::build::let_stmt(r.clone(), false, None, out));
                stmts.extend(post);
                stmts.push(super::build::bare(parse_quote!(#r)));
            }
            out = super::build::block_expr(None, stmts);
        }
        Ok(LExpr::new(out, info.ty))
    }

    fn argument(
        &mut self,
        params: &[CType],
        out: &[usize],
        _variadic: bool,
        i: usize,
        a: &Node<Expression>,
    ) -> Result<Expr, String> {
        if let Expression::UnaryOperator(u) = &a.node {
            if u.node.operator.node == UnaryOperator::Address && out.contains(&i) {
                match self.place(&u.node.operand)? {
                    Place::Direct(p) => {
                        let p = paren(p);
                        return Ok(parse_quote!(&mut #p));
                    }
                    Place::Setter { .. } => {
                        return Err("out-parameter that is not a variable".into())
                    }
                }
            }
        }
        if let Expression::StringLiteral(s) = &a.node {
            let lit = syn::LitStr::new(&string_value(&s.node)?, proc_macro2::Span::call_site());
            // A declared `const char *` parameter: the template converts; a variadic one
            // becomes the runtime's dynamic value.
            return Ok(if i < params.len() {
                parse_quote!(#lit)
            } else {
                parse_quote!(#lit.into())
            });
        }
        let v = self.expr(a)?;
        match params.get(i) {
            Some(p) => self.convert(v, p),
            None => {
                // Variadic: default argument promotions, then the runtime's dynamic value.
                let to = if v.boolean {
                    CType::INT
                } else {
                    v.ty.promote()
                };
                let to = match to {
                    CType::Float(_) => CType::DOUBLE,
                    t => t,
                };
                let x = self.convert(v, &to)?;
                let x = paren(x);
                Ok(parse_quote!(#x.into()))
            }
        }
    }

    fn unary(
        &mut self,
        e: &Node<Expression>,
        op: &UnaryOperator,
        operand: &Node<Expression>,
    ) -> Result<LExpr, String> {
        use UnaryOperator::*;
        let info = self.info(e)?.clone();
        match op {
            Address => {
                // `&PyList_Type`: a static object; its handle is the pointer.
                let v = self.expr(operand)?;
                Ok(LExpr::new(v.expr, info.ty))
            }
            Indirection => Err("pointer dereference".into()),
            Plus => {
                let v = self.expr(operand)?;
                let k = v.konst;
                let x = self.convert(v, &info.ty)?;
                Ok(LExpr {
                    expr: x,
                    ty: info.ty,
                    boolean: false,
                    konst: k,
                })
            }
            Minus => {
                let v = self.expr(operand)?;
                if let (Some(k), Some(t)) = (v.konst, info.ty.as_int()) {
                    let r = wrap(-k, t);
                    return Ok(LExpr {
                        expr: int_lit(r, t),
                        ty: info.ty.clone(),
                        boolean: false,
                        konst: Some(r),
                    });
                }
                let x = paren(self.convert(v, &info.ty)?);
                let expr = if info.ty.is_integer() {
                    parse_quote!(#x.wrapping_neg())
                } else {
                    parse_quote!(-#x)
                };
                Ok(LExpr::new(expr, info.ty))
            }
            Complement => {
                let v = self.expr(operand)?;
                if let (Some(k), Some(t)) = (v.konst, info.ty.as_int()) {
                    let r = wrap(!k, t);
                    return Ok(LExpr {
                        expr: int_lit(r, t),
                        ty: info.ty.clone(),
                        boolean: false,
                        konst: Some(r),
                    });
                }
                let x = paren(self.convert(v, &info.ty)?);
                Ok(LExpr::new(parse_quote!(!#x), info.ty))
            }
            Negate => {
                let c = self.condition(operand)?;
                Ok(LExpr::boolean(negate(c)))
            }
            PreIncrement | PreDecrement | PostIncrement | PostDecrement => {
                let inc = matches!(op, PreIncrement | PostIncrement);
                let post = matches!(op, PostIncrement | PostDecrement);
                self.increment(operand, inc, post, info.ty)
            }
        }
    }

    /// `++x`, `x--`, ...: a block that updates the place and yields the old or new value.
    fn increment(
        &mut self,
        operand: &Node<Expression>,
        inc: bool,
        post: bool,
        ty: CType,
    ) -> Result<LExpr, String> {
        if self.is_view(operand) {
            // Moving a stack view by one slot.
            let Expression::Identifier(id) = &operand.node else {
                return Err("stack view that is not a variable".into());
            };
            let v = self.var_ident(&id.node.name);
            self.assigned.insert(v.to_string());
            let step: Expr = if inc {
                parse_quote!(1)
            } else {
                parse_quote!(-1)
            };
            let old = self.fresh("old");
            let expr: Expr = if post {
                parse_quote!({ let #old = #v; #v += #step; #old })
            } else {
                parse_quote!({ #v += #step; #v })
            };
            return Ok(LExpr::new(expr, ty));
        }
        let place = self.place(operand)?;
        let cur = self.place_read(&place);
        let one = match &ty {
            CType::Int(i) => int_lit(1, i),
            CType::Float(FloatKind::Float) => parse_quote!(1.0f32),
            CType::Float(FloatKind::Double) => parse_quote!(1.0f64),
            other => return Err(format!("increment of {other}")),
        };
        let c = paren(cur.clone());
        let new: Expr = match (&ty, inc) {
            (CType::Int(_), true) => parse_quote!(#c.wrapping_add(#one)),
            (CType::Int(_), false) => parse_quote!(#c.wrapping_sub(#one)),
            (_, true) => parse_quote!(#c + #one),
            (_, false) => parse_quote!(#c - #one),
        };
        let tmp = self.fresh("old");
        let store = self.place_store(&place, new)?;
        let expr: Expr = if post {
            parse_quote!({ let #tmp = #cur; #store; #tmp })
        } else {
            parse_quote!({ #store; #cur })
        };
        Ok(LExpr::new(expr, ty))
    }

    /// Lower an expression evaluated for its side effects only (a statement).
    pub fn effect(&mut self, e: &Node<Expression>) -> Result<Expr, String> {
        match &e.node {
            Expression::BinaryOperator(b) if is_assign(&b.node.operator.node) => {
                self.assignment(e, &b.node.operator.node, &b.node.lhs, &b.node.rhs, false)
            }
            Expression::UnaryOperator(u)
                if matches!(
                    u.node.operator.node,
                    UnaryOperator::PreIncrement
                        | UnaryOperator::PostIncrement
                        | UnaryOperator::PreDecrement
                        | UnaryOperator::PostDecrement
                ) =>
            {
                let inc = matches!(
                    u.node.operator.node,
                    UnaryOperator::PreIncrement | UnaryOperator::PostIncrement
                );
                if self.is_view(&u.node.operand) {
                    // `arguments--;`: move the stack view by one slot.
                    let Expression::Identifier(id) = &u.node.operand.node else {
                        return Err("stack view that is not a variable".into());
                    };
                    let v = self.var_ident(&id.node.name);
                    self.assigned.insert(v.to_string());
                    return Ok(if inc {
                        parse_quote!(#v += 1)
                    } else {
                        parse_quote!(#v -= 1)
                    });
                }
                let ty = self.info(e)?.ty.clone();
                let place = self.place(&u.node.operand)?;
                let cur = paren(self.place_read(&place));
                let one = match &ty {
                    CType::Int(i) => int_lit(1, i),
                    _ => return Err(format!("increment of {ty}")),
                };
                let new: Expr = if inc {
                    parse_quote!(#cur.wrapping_add(#one))
                } else {
                    parse_quote!(#cur.wrapping_sub(#one))
                };
                self.place_store(&place, new)
            }
            Expression::Cast(c) if self.info(e)?.ty == CType::Void => {
                // `(void)x;`: evaluated for effects only.
                let v = self.expr(&c.node.expression)?;
                let x = v.expr;
                Ok(parse_quote!(let _ = #x))
            }
            _ => {
                let v = self.expr(e)?;
                Ok(v.expr)
            }
        }
    }

    /// A bound field read: `p->f`, a nested path `p->a.b`, or an element `p->f[i]` of an
    /// array-typed field (its `get` template takes the index as `{0}`).
    fn field_read(
        &mut self,
        e: &Node<Expression>,
        m: &Node<MemberExpression>,
        index: Option<Expr>,
    ) -> Result<LExpr, String> {
        let info = self.info(e)?.clone();
        let Some(NameRef::Field { struct_name, field }) = &info.name else {
            return Err("member access without a bound field".into());
        };
        let fb = self
            .b
            .field(struct_name, field)
            .ok_or_else(|| format!("unbound field {struct_name}.{field}"))?;
        let get = fb.get.clone();
        // A nested member path (`interp->callable_cache.len` is the field
        // `callable_cache.len`): the base is the struct below the inner members.
        let mut base_e = &m.node.expression;
        for _ in 0..field.matches('.').count() {
            match &base_e.node {
                Expression::Member(inner) => base_e = &inner.node.expression,
                _ => return Err(format!("nested field {field} without its members")),
            }
        }
        let base = self.expr(base_e)?;
        match (index, &info.ty) {
            (Some(i), CType::Array(elem, _)) => {
                let out = expand(&get, &[i], Some(base.expr), None)?;
                Ok(LExpr::new(out, (**elem).clone()))
            }
            (None, CType::Array(..)) => Err(format!("array field {field} read without an index")),
            (Some(_), _) => Err(format!("indexing the non-array field {field}")),
            (None, _) => {
                let out = expand(&get, &[], Some(base.expr), None)?;
                Ok(LExpr::new(out, info.ty))
            }
        }
    }

    fn binary(
        &mut self,
        e: &Node<Expression>,
        op: &BinaryOperator,
        lhs: &Node<Expression>,
        rhs: &Node<Expression>,
    ) -> Result<LExpr, String> {
        use BinaryOperator::*;
        let info = self.info(e)?.clone();
        // A table of values read as the function of its index (`_PyOpcode_Caches[op]`).
        if let (Index, Some(NameRef::Function(name))) = (op, &info.name) {
            let f = self
                .b
                .function(name)
                .ok_or_else(|| format!("unbound function {name}"))?
                .clone();
            let arg = self.argument(&f.ty.params, &f.out, false, 0, rhs)?;
            let out = super::template::expand_args(&f.rust, &[arg], 1, None, None)?;
            return Ok(LExpr::new(out, info.ty));
        }
        match op {
            Index
                if matches!(&lhs.node, Expression::Member(_))
                    && matches!(self.info(lhs)?.ty, CType::Array(..)) =>
            {
                let Expression::Member(m) = &lhs.node else {
                    return Err("array field without its member".into());
                };
                let idx = self.expr(rhs)?;
                let i = self.convert(idx, &CType::LONG)?;
                self.field_read(lhs, m, Some(i))
            }
            Index if self.is_view(lhs) => {
                let idx = self.expr(rhs)?;
                let i = paren(idx.expr);
                let x = self.view_read(lhs, i)?;
                Ok(LExpr::new(x, info.ty))
            }
            Index if self.b.is_indexed_pointer(&self.info(lhs)?.ty) => {
                // `this_instr[1]`: the element is the pointer moved by the index.
                let base = self.expr(lhs)?;
                let idx = self.expr(rhs)?;
                let n = self.convert(idx, &CType::LONG)?;
                let b = paren(base.expr);
                Ok(LExpr::new(parse_quote!(#b.offset(#n)), info.ty))
            }
            Index => {
                let base = self.expr(lhs)?;
                let idx = self.expr(rhs)?;
                let i = self.index_value(idx)?;
                let b = paren(base.expr);
                Ok(LExpr::new(parse_quote!(#b[#i]), info.ty))
            }
            Plus | Minus
                if self.b.is_indexed_pointer(&self.info(lhs)?.ty)
                    || self.b.is_indexed_pointer(&self.info(rhs)?.ty) =>
            {
                let l = self.expr(lhs)?;
                let r = self.expr(rhs)?;
                self.indexed_arith(op, l, r, info.ty)
            }
            LogicalAnd | LogicalOr => {
                let l = logical_operand(self.condition(lhs)?, *op == LogicalAnd);
                let r = logical_operand(self.condition(rhs)?, *op == LogicalAnd);
                let op = self.mutate_op(op);
                Ok(LExpr::boolean(if op == LogicalAnd {
                    parse_quote!(#l && #r)
                } else {
                    parse_quote!(#l || #r)
                }))
            }
            _ if is_assign(op) => {
                let x = self.assignment(e, op, lhs, rhs, true)?;
                Ok(LExpr::new(x, info.ty))
            }
            _ => {
                let l = self.expr(lhs)?;
                let r = self.expr(rhs)?;
                self.arith(op, l, r, &info)
            }
        }
    }

    /// Arithmetic on indexed pointers (`next_instr + oparg`, `next_instr - this_instr`): the
    /// runtime's `offset`/`distance` on the index, as the checker allowed them.
    fn indexed_arith(
        &mut self,
        op: &BinaryOperator,
        l: LExpr,
        r: LExpr,
        ty: CType,
    ) -> Result<LExpr, String> {
        let (lp, rp) = (
            self.b.is_indexed_pointer(&l.ty),
            self.b.is_indexed_pointer(&r.ty),
        );
        let (p, n, minus) = match (op, lp, rp) {
            (BinaryOperator::Minus, true, true) => {
                let a = paren(l.expr);
                let b = r.expr;
                let d: Expr = parse_quote!(#a.distance(#b));
                let d = self.convert(LExpr::new(d, CType::LONG), &ty)?;
                return Ok(LExpr::new(d, ty));
            }
            (BinaryOperator::Plus, true, false) => (l.expr, r, false),
            (BinaryOperator::Plus, false, true) => (r.expr, l, false),
            (BinaryOperator::Minus, true, false) => (l.expr, r, true),
            _ => return Err("pointer arithmetic outside the lowering".into()),
        };
        let n = self.convert(n, &CType::LONG)?;
        let n: Expr = if minus {
            let n = paren(n);
            parse_quote!(#n.wrapping_neg())
        } else {
            n
        };
        let p = paren(p);
        Ok(LExpr::new(parse_quote!(#p.offset(#n)), ty))
    }

    /// An index into a Rust slice/array: C's integer converted to `usize`.
    fn index_value(&mut self, idx: LExpr) -> Result<Expr, String> {
        if let Some(k) = idx.konst {
            if k >= 0 {
                let lit = syn::LitInt::new(&format!("{k}usize"), proc_macro2::Span::call_site());
                return Ok(parse_quote!(#lit));
            }
        }
        let e = paren(idx.expr);
        Ok(super::build::cast(e, parse_quote!(usize)))
    }

    /// A non-assigning arithmetic, bitwise, shift or comparison operator.
    fn arith(
        &mut self,
        op: &BinaryOperator,
        l: LExpr,
        r: LExpr,
        info: &ExprInfo,
    ) -> Result<LExpr, String> {
        use BinaryOperator::*;
        let op = self.mutate_op(op);
        let is_cmp = matches!(
            op,
            Less | Greater | LessOrEqual | GreaterOrEqual | Equals | NotEquals
        );
        if is_cmp && info.operands.is_none() {
            // Pointer comparison (with NULL or between object pointers).
            let (lt, rt) = (l.ty.decay(), r.ty.decay());
            let pty = if l.konst == Some(0) || !lt.is_pointer() {
                rt
            } else {
                lt
            };
            let a = paren(self.convert(l, &pty)?);
            let b = paren(self.convert(r, &pty)?);
            return Ok(LExpr::boolean(match op {
                Equals => super::build::binary(a, syn::BinOp::Eq(Default::default()), b),
                NotEquals => super::build::binary(a, syn::BinOp::Ne(Default::default()), b),
                _ => return Err("ordering comparison of pointers".into()),
            }));
        }
        let ot = info
            .operands
            .clone()
            .ok_or("operator without operand types")?;
        if matches!(op, ShiftLeft | ShiftRight) {
            return self.shift(op == ShiftLeft, l, r, &ot);
        }
        // Constant folding keeps literals such as `-1` or `1 << 4` readable and exact.
        if let (Some(a), Some(b), CType::Int(t)) = (l.konst, r.konst, &ot) {
            let (a, b) = (wrap(a, t), wrap(b, t));
            if let Some(v) = fold(op.clone(), a, b, t) {
                let ty = if is_cmp { CType::INT } else { ot.clone() };
                let it = ty.as_int().cloned().unwrap_or(t.clone());
                return Ok(LExpr {
                    expr: int_lit(v, &it),
                    ty,
                    boolean: false,
                    konst: Some(v),
                });
            }
        }
        let a = paren(self.convert(l, &ot)?);
        let arg = self.convert(r, &ot)?;
        let b = paren(arg.clone());
        let int = ot.is_integer();
        let x: Expr = match op {
            Plus if int => super::build::method(a, "wrapping_add", vec![arg]),
            Minus if int => super::build::method(a, "wrapping_sub", vec![arg]),
            Multiply if int => super::build::method(a, "wrapping_mul", vec![arg]),
            Divide if int => super::build::method(a, "wrapping_div", vec![arg]),
            Modulo if int => super::build::method(a, "wrapping_rem", vec![arg]),
            Plus => super::build::binary(a, syn::BinOp::Add(Default::default()), b),
            Minus => super::build::binary(a, syn::BinOp::Sub(Default::default()), b),
            Multiply => super::build::binary(a, syn::BinOp::Mul(Default::default()), b),
            Divide => super::build::binary(a, syn::BinOp::Div(Default::default()), b),
            Modulo => super::build::binary(a, syn::BinOp::Rem(Default::default()), b),
            BitwiseAnd => super::build::binary(a, syn::BinOp::BitAnd(Default::default()), b),
            BitwiseOr => super::build::binary(a, syn::BinOp::BitOr(Default::default()), b),
            BitwiseXor => super::build::binary(a, syn::BinOp::BitXor(Default::default()), b),
            Less => {
                return Ok(LExpr::boolean(super::build::binary(
                    a,
                    syn::BinOp::Lt(Default::default()),
                    b,
                )))
            }
            Greater => {
                return Ok(LExpr::boolean(super::build::binary(
                    a,
                    syn::BinOp::Gt(Default::default()),
                    b,
                )))
            }
            LessOrEqual => {
                return Ok(LExpr::boolean(super::build::binary(
                    a,
                    syn::BinOp::Le(Default::default()),
                    b,
                )))
            }
            GreaterOrEqual => {
                return Ok(LExpr::boolean(super::build::binary(
                    a,
                    syn::BinOp::Ge(Default::default()),
                    b,
                )))
            }
            Equals => {
                return Ok(LExpr::boolean(super::build::binary(
                    a,
                    syn::BinOp::Eq(Default::default()),
                    b,
                )))
            }
            NotEquals => {
                return Ok(LExpr::boolean(super::build::binary(
                    a,
                    syn::BinOp::Ne(Default::default()),
                    b,
                )))
            }
            _ => return Err("operator outside the lowering".into()),
        };
        Ok(LExpr::new(x, ot))
    }

    /// C shifts: the left operand promoted, the count converted on its own. Counts below the
    /// width are plain Rust shifts; other counts (C leaves them undefined) give 0 for `<<` and
    /// unsigned `>>`, and the sign for signed `>>`, instead of Rust's panic.
    fn shift(&mut self, left: bool, l: LExpr, r: LExpr, ot: &CType) -> Result<LExpr, String> {
        let t = ot.as_int().ok_or("shift of a non-integer")?.clone();
        let bits = t.bits() as i128;
        if let (Some(a), Some(n)) = (l.konst, r.konst) {
            if (0..bits).contains(&n) {
                let a = wrap(a, &t);
                let v = if left { wrap(a << n, &t) } else { a >> n };
                return Ok(LExpr {
                    expr: int_lit(v, &t),
                    ty: ot.clone(),
                    boolean: false,
                    konst: Some(v),
                });
            }
        }
        let rk = r.konst;
        let rt = if r.boolean {
            CType::INT
        } else {
            r.ty.promote()
        };
        let a = paren(self.convert(l, ot)?);
        match rk {
            Some(n) if (0..bits).contains(&n) => {
                let lit = syn::LitInt::new(&n.to_string(), proc_macro2::Span::call_site());
                Ok(LExpr::new(
                    if left {
                        parse_quote!(#a << #lit)
                    } else {
                        parse_quote!(#a >> #lit)
                    },
                    ot.clone(),
                ))
            }
            _ => {
                let n = self.convert(r, &rt)?;
                let count: Expr = parse_quote!(u32::try_from(#n).unwrap_or(u32::MAX));
                let x: Expr = if left {
                    parse_quote!(#a.checked_shl(#count).unwrap_or(0))
                } else if t.signed {
                    let max = syn::LitInt::new(
                        &format!("{}u32", bits - 1),
                        proc_macro2::Span::call_site(),
                    );
                    parse_quote!(#a >> #count.min(#max))
                } else {
                    parse_quote!(#a.checked_shr(#count).unwrap_or(0))
                };
                Ok(LExpr::new(x, ot.clone()))
            }
        }
    }

    /// `=` and the compound assignments. With `value`, the block yields the stored value.
    fn assignment(
        &mut self,
        e: &Node<Expression>,
        op: &BinaryOperator,
        lhs: &Node<Expression>,
        rhs: &Node<Expression>,
        value: bool,
    ) -> Result<Expr, String> {
        let info = self.info(e)?.clone();
        let lt = info.ty.clone();
        let place = self.place(lhs)?;
        let new = if *op == BinaryOperator::Assign {
            let r = self.expr(rhs)?;
            self.convert(r, &lt)?
        } else {
            let base = compound_base(op);
            let cur = LExpr::new(self.place_read(&place), lt.clone());
            let r = self.expr(rhs)?;
            let v = self.arith(&base, cur, r, &info)?;
            self.convert(v, &lt)?
        };
        if !value {
            return self.place_store(&place, new);
        }
        let tmp = self.fresh("v");
        let store = self.place_store(&place, parse_quote!(#tmp))?;
        Ok(parse_quote!({ let #tmp = #new; #store; #tmp }))
    }

    /// A field binding with its store template (the table gives read-only fields no `set`,
    /// so assigning one is a lowering error, not a silent no-op).
    fn settable_field(
        &self,
        struct_name: &str,
        field: &str,
    ) -> Result<(subset::bindings::FieldBinding, Template), String> {
        let fb = self
            .b
            .field(struct_name, field)
            .ok_or("unbound field")?
            .clone();
        let set = fb
            .set
            .clone()
            .ok_or_else(|| format!("field {struct_name}.{field} has no `set` template"))?;
        Ok((fb, set))
    }

    /// An assignment target.
    pub fn place(&mut self, e: &Node<Expression>) -> Result<Place, String> {
        let info = self.info(e)?.clone();
        match (&e.node, &info.name) {
            (
                Expression::Identifier(id),
                Some(NameRef::Local { .. } | NameRef::StackItem | NameRef::Cache),
            ) => {
                let v = self.var_ident(&id.node.name);
                self.assigned.insert(v.to_string());
                Ok(Place::Direct(parse_quote!(#v)))
            }
            (Expression::Identifier(_), Some(NameRef::Oparg)) => {
                self.uses_oparg = true;
                self.oparg_assigned = true;
                Ok(Place::Direct(parse_quote!(oparg)))
            }
            (Expression::Identifier(id), Some(NameRef::Global(g))) => {
                let gb = self
                    .b
                    .global(g)
                    .ok_or_else(|| format!("unbound global {g}"))?
                    .clone();
                let set = gb
                    .set
                    .clone()
                    .ok_or_else(|| format!("global `{}` has no `set` template", id.node.name))?;
                Ok(Place::Setter {
                    get: expand(&gb.rust, &[], None, None)?,
                    set,
                    args: Vec::new(),
                    base: None,
                })
            }
            // `frame->localsplus[i] = v`: the array field's `set` template, index as `{0}`
            (Expression::BinaryOperator(b), _)
                if b.node.operator.node == BinaryOperator::Index
                    && matches!(&b.node.lhs.node, Expression::Member(_))
                    && matches!(self.info(&b.node.lhs)?.ty, CType::Array(..)) =>
            {
                let lhs = &b.node.lhs;
                let (Expression::Member(m), Some(NameRef::Field { struct_name, field })) =
                    (&lhs.node, self.info(lhs)?.name.clone())
                else {
                    return Err("array field without its member".into());
                };
                let (fb, set) = self.settable_field(&struct_name, &field)?;
                let idx = self.expr(&b.node.rhs)?;
                let i = self.convert(idx, &CType::LONG)?;
                let mut base_e = &m.node.expression;
                for _ in 0..field.matches('.').count() {
                    if let Expression::Member(inner) = &base_e.node {
                        base_e = &inner.node.expression;
                    }
                }
                let base = self.expr(base_e)?.expr;
                let get = expand(&fb.get, std::slice::from_ref(&i), Some(base.clone()), None)?;
                Ok(Place::Setter {
                    get,
                    set,
                    args: vec![i],
                    base: Some(base),
                })
            }
            (Expression::BinaryOperator(b), _) if b.node.operator.node == BinaryOperator::Index => {
                if let Expression::Identifier(id) = &b.node.lhs.node {
                    let v = self.var_ident(&id.node.name);
                    self.assigned.insert(v.to_string());
                }
                let base = self.expr(&b.node.lhs)?;
                let idx = self.expr(&b.node.rhs)?;
                let i = self.index_value(idx)?;
                let bx = paren(base.expr);
                Ok(Place::Direct(parse_quote!(#bx[#i])))
            }
            (Expression::Member(m), Some(NameRef::Field { struct_name, field })) => {
                let (fb, set) = self.settable_field(struct_name, field)?;
                let base_node = match &m.node.expression.node {
                    Expression::Member(inner) if field.contains('.') => &inner.node.expression,
                    _ => &m.node.expression,
                };
                let base = self.expr(base_node)?.expr;
                let get = expand(&fb.get, &[], Some(base.clone()), None)?;
                Ok(Place::Setter {
                    get,
                    set,
                    args: Vec::new(),
                    base: Some(base),
                })
            }
            (Expression::Call(call), Some(NameRef::Function(name))) => {
                let f = self.b.function(name).ok_or("unbound function")?.clone();
                let set = f
                    .set
                    .clone()
                    .ok_or_else(|| format!("`{name}` is not assignable"))?;
                let mut args = Vec::new();
                for (i, a) in call.node.arguments.iter().enumerate() {
                    args.push(self.argument(&f.ty.params, &f.out, f.ty.variadic, i, a)?);
                }
                let get =
                    super::template::expand_args(&f.rust, &args, f.ty.params.len(), None, None)?;
                Ok(Place::Setter {
                    get,
                    set,
                    args,
                    base: None,
                })
            }
            _ => Err("assignment target outside the lowering".into()),
        }
    }

    /// Reading a place back (for compound assignment and increments).
    pub fn place_read(&self, p: &Place) -> Expr {
        match p {
            Place::Direct(e) => e.clone(),
            Place::Setter { get, .. } => get.clone(),
        }
    }

    /// Storing into a place.
    pub fn place_store(&self, p: &Place, value: Expr) -> Result<Expr, String> {
        match p {
            Place::Direct(e) => Ok(Expr::Assign(syn::ExprAssign {
                attrs: Vec::new(),
                left: Box::new(e.clone()),
                eq_token: Default::default(),
                right: Box::new(value),
            })),
            Place::Setter {
                set, args, base, ..
            } => super::template::expand_args(set, args, args.len(), base.clone(), Some(value)),
        }
    }
}

/// An operand of `&&`/`||`: comparisons, calls and `!x` bind tighter and stay bare; an `||`
/// under `&&` (and anything looser) gets parentheses.
fn logical_operand(e: Expr, and: bool) -> Expr {
    use syn::BinOp::*;
    match &e {
        Expr::Binary(b) => match b.op {
            Or(_) if and => paren(e),
            And(_) | Or(_) | Lt(_) | Le(_) | Gt(_) | Ge(_) | Eq(_) | Ne(_) => e,
            _ => paren(e),
        },
        Expr::Unary(_) => e,
        _ => paren(e),
    }
}

/// `NULL` or `0` passed where a pointer is expected.
fn is_null_arg(a: &Node<Expression>) -> bool {
    match &a.node {
        Expression::Identifier(id) => id.node.name == "NULL",
        Expression::Constant(c) => {
            matches!(&c.node, Constant::Integer(i) if i.number.as_ref() == "0")
        }
        _ => false,
    }
}

/// `!c` for a Rust `bool` expression, with comparisons flipped instead of wrapped
/// (`!(a < b)` is `a >= b` for integers; C conditions here never compare floats with NaN
/// semantics in mind, so floats keep the wrapped form).
pub fn negate(c: Expr) -> Expr {
    use syn::BinOp;
    match c {
        Expr::Binary(mut b) if !is_float_compare(&b) => {
            let flipped = match b.op {
                BinOp::Lt(_) => Some(BinOp::Ge(Default::default())),
                BinOp::Le(_) => Some(BinOp::Gt(Default::default())),
                BinOp::Gt(_) => Some(BinOp::Le(Default::default())),
                BinOp::Ge(_) => Some(BinOp::Lt(Default::default())),
                BinOp::Eq(_) => Some(BinOp::Ne(Default::default())),
                BinOp::Ne(_) => Some(BinOp::Eq(Default::default())),
                _ => None,
            };
            match flipped {
                Some(op) => {
                    b.op = op;
                    Expr::Binary(b)
                }
                None => {
                    let e = paren(Expr::Binary(b));
                    parse_quote!(!#e)
                }
            }
        }
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Not(_)) => match *u.expr {
            Expr::Paren(p) => *p.expr,
            other => other,
        },
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Bool(b),
            ..
        }) => {
            let v = !b.value;
            parse_quote!(#v)
        }
        other => {
            let e = paren(other);
            parse_quote!(!#e)
        }
    }
}

fn is_float_compare(b: &syn::ExprBinary) -> bool {
    let t = quote::quote!(#b).to_string();
    t.contains("f64") || t.contains("f32")
}

fn is_assign(op: &BinaryOperator) -> bool {
    use BinaryOperator::*;
    matches!(
        op,
        Assign
            | AssignMultiply
            | AssignDivide
            | AssignModulo
            | AssignPlus
            | AssignMinus
            | AssignShiftLeft
            | AssignShiftRight
            | AssignBitwiseAnd
            | AssignBitwiseXor
            | AssignBitwiseOr
    )
}

fn compound_base(op: &BinaryOperator) -> BinaryOperator {
    use BinaryOperator::*;
    match op {
        AssignMultiply => Multiply,
        AssignDivide => Divide,
        AssignModulo => Modulo,
        AssignPlus => Plus,
        AssignMinus => Minus,
        AssignShiftLeft => ShiftLeft,
        AssignShiftRight => ShiftRight,
        AssignBitwiseAnd => BitwiseAnd,
        AssignBitwiseXor => BitwiseXor,
        _ => BitwiseOr,
    }
}

/// Constant folding in the common type `t` (values already converted to it).
fn fold(op: BinaryOperator, a: i128, b: i128, t: &IntType) -> Option<i128> {
    use BinaryOperator::*;
    let w = |v: i128| wrap(v, t);
    Some(match op {
        Plus => w(a + b),
        Minus => w(a - b),
        Multiply => w(a.checked_mul(b)?),
        Divide if b != 0 => w(a / b),
        Modulo if b != 0 => w(a % b),
        BitwiseAnd => w(a & b),
        BitwiseOr => w(a | b),
        BitwiseXor => w(a ^ b),
        Less => (a < b) as i128,
        Greater => (a > b) as i128,
        LessOrEqual => (a <= b) as i128,
        GreaterOrEqual => (a >= b) as i128,
        Equals => (a == b) as i128,
        NotEquals => (a != b) as i128,
        _ => return None,
    })
}

/// The value of a character constant as lang-c keeps it (`'a'`, `'\n'`).
fn char_value(text: &str) -> Option<i128> {
    let inner = text.strip_prefix('\'')?.strip_suffix('\'')?;
    let mut chars = inner.chars();
    let c = chars.next()?;
    let v = if c == '\\' {
        match chars.next()? {
            'n' => 10,
            't' => 9,
            'r' => 13,
            '0' => 0,
            '\\' => 92,
            '\'' => 39,
            '"' => 34,
            _ => return None,
        }
    } else {
        c as i128
    };
    chars.next().is_none().then_some(v)
}

/// The text of a (possibly concatenated) C string literal.
fn string_value(parts: &[String]) -> Result<String, String> {
    let mut out = String::new();
    for p in parts {
        let inner = p
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .ok_or_else(|| format!("string literal {p}"))?;
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('\\') => out.push('\\'),
                Some('"') => out.push('"'),
                Some('\'') => out.push('\''),
                other => return Err(format!("escape \\{other:?} in a string literal")),
            }
        }
    }
    Ok(out)
}
