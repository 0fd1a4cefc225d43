//! Expressions: subset rules and C type inference.

use lang_c::ast::{
    BinaryOperator, CallExpression, Expression, Identifier, MemberExpression, MemberOperator,
    UnaryOperator,
};
use lang_c::span::{Node, Span};

use super::convert::{constant_type, is_null_constant, same_type};
use super::typing::{ExprInfo, NameRef};
use super::Checker;
use crate::bindings::TypeClass;
use crate::cdecl::type_of_type_name;
use crate::ctype::{CType, FnType, IntRank};
use crate::dsl::{DslMacro, DslPosition};
use crate::rules::Rule;

/// Where an identifier's value comes from, for assignability.
enum Place {
    /// Locals, stack items, caches, `oparg`: plain variables.
    Variable,
    /// A bound global with a `set` template.
    WritableGlobal,
    /// A bound field with a `set` template.
    WritableField,
    /// An element of a stack array or local array.
    ArrayElement,
    /// A call of an `lvalue = true` function.
    LvalueCall,
    /// `*p` (reported by `expr.deref` itself).
    Deref,
    /// Anything else, with what it is.
    ReadOnly(String),
}

impl Checker<'_> {
    fn record(
        &mut self,
        e: &Node<Expression>,
        ty: CType,
        operands: Option<CType>,
        name: Option<NameRef>,
    ) -> Option<CType> {
        self.typing.exprs.insert(
            e.span.into(),
            ExprInfo {
                ty: ty.clone(),
                operands,
                name,
            },
        );
        Some(ty)
    }

    /// Check an expression and infer its type (`None` when unknowable; already reported).
    pub(super) fn expr(&mut self, e: &Node<Expression>) -> Option<CType> {
        match &e.node {
            Expression::Identifier(id) => self.identifier(e, &id.node.name, id.span),
            Expression::Constant(c) => match constant_type(&c.node) {
                Ok(t) => self.record(e, t, None, None),
                Err(what) => {
                    self.bail(Rule::TypeUnsupported, e.span, what);
                    None
                }
            },
            Expression::StringLiteral(_) => {
                self.bail(
                    Rule::StringLiteral,
                    e.span,
                    "string literal outside a `const char *` argument of a bound function",
                );
                None
            }
            Expression::Member(m) => {
                let indexed = self.indexed_base.take() == Some(e.span);
                let ty = self.member(e, m)?;
                if matches!(ty, CType::Array(..)) && !indexed {
                    // `p->long_value.ob_digit` is bound as its elements (`get` takes the index).
                    self.bail(
                        Rule::TypeUnsupported,
                        e.span,
                        format!("array-typed field of type {ty} read other than as `[i]`"),
                    );
                    return None;
                }
                Some(ty)
            }
            Expression::Call(call) => self.call(e, call),
            Expression::CompoundLiteral(_) => self.unsupported(e, "compound literal"),
            Expression::SizeOfTy(_) | Expression::SizeOfVal(_) | Expression::AlignOf(_) => {
                self.bail(Rule::Sizeof, e.span, "sizeof/_Alignof");
                None
            }
            Expression::UnaryOperator(u) => self.unary(e, &u.node.operator.node, &u.node.operand),
            Expression::Cast(c) => {
                let to = match type_of_type_name(&c.node.type_name, self.b) {
                    Ok(t) => Some(t),
                    Err(err) => {
                        self.type_error(err, c.node.type_name.span);
                        None
                    }
                };
                let from = self.expr(&c.node.expression);
                let to = to?;
                if let Some(from) = from {
                    self.cast(&to, &from, &c.node.expression, e.span);
                }
                self.record(e, to, None, None)
            }
            Expression::BinaryOperator(b) => {
                self.binary(e, &b.node.operator.node, &b.node.lhs, &b.node.rhs)
            }
            Expression::Conditional(c) => {
                self.condition(&c.node.condition);
                let t = self.expr(&c.node.then_expression);
                let f = self.expr(&c.node.else_expression);
                let (t, f) = (t?.decay(), f?.decay());
                let ty = if let Some(common) = CType::usual_arithmetic(&t, &f) {
                    return self.record(e, common.clone(), Some(common), None);
                } else if same_type(&t, &f)
                    || (t.is_pointer() && is_null_constant(&c.node.else_expression))
                    || (self.b.is_object_pointer(&t) && self.b.is_object_pointer(&f))
                {
                    t
                } else if f.is_pointer() && is_null_constant(&c.node.then_expression) {
                    f
                } else {
                    self.bail(
                        Rule::TypeMismatch,
                        e.span,
                        format!("conditional branches of types {t} and {f}"),
                    );
                    return None;
                };
                self.record(e, ty, None, None)
            }
            Expression::Comma(items) => {
                self.bail(Rule::Comma, e.span, "comma operator");
                let mut last = None;
                for i in items.iter() {
                    last = self.expr(i);
                }
                last
            }
            Expression::GenericSelection(_) => self.unsupported(e, "_Generic"),
            Expression::OffsetOf(_) => self.unsupported(e, "offsetof"),
            Expression::VaArg(_) => self.unsupported(e, "va_arg"),
            Expression::Statement(_) => self.unsupported(e, "statement expression"),
        }
    }

    /// `base.f` / `base->f`; a two-level `p->a.b` may be bound as one nested path `S.a.b`.
    fn member(&mut self, e: &Node<Expression>, m: &Node<MemberExpression>) -> Option<CType> {
        if let Expression::Member(inner) = &m.node.expression.node {
            let base = self.expr(&inner.node.expression)?;
            let s = self.struct_of(
                &m.node.expression,
                &inner.node.operator.node,
                &base,
                &inner.node.identifier.node.name,
            )?;
            let path = format!(
                "{}.{}",
                inner.node.identifier.node.name, m.node.identifier.node.name
            );
            if let Some(f) = self.b.field(&s, &path) {
                let ty = f.c.clone();
                return self.record(
                    e,
                    ty,
                    None,
                    Some(NameRef::Field {
                        struct_name: s,
                        field: path,
                    }),
                );
            }
            let inner_ty = self.field_of(&m.node.expression, s, &inner.node.identifier)?;
            return self.member_of(e, m, &inner_ty);
        }
        let base = self.expr(&m.node.expression)?;
        self.member_of(e, m, &base)
    }

    /// `e` = `<base> op f` where the base has type `base`.
    fn member_of(
        &mut self,
        e: &Node<Expression>,
        m: &Node<MemberExpression>,
        base: &CType,
    ) -> Option<CType> {
        let s = self.struct_of(e, &m.node.operator.node, base, &m.node.identifier.node.name)?;
        self.field_of(e, s, &m.node.identifier)
    }

    /// The struct a member access goes into.
    fn struct_of(
        &mut self,
        e: &Node<Expression>,
        op: &MemberOperator,
        base: &CType,
        field: &str,
    ) -> Option<String> {
        match (op, base) {
            (MemberOperator::Direct, CType::Named(s)) => Some(s.clone()),
            (MemberOperator::Indirect, CType::Pointer(p)) => match &**p {
                CType::Named(s) => Some(s.clone()),
                other => {
                    self.bail(
                        Rule::TypeMismatch,
                        e.span,
                        format!("`->{field}` on a pointer to {other}"),
                    );
                    None
                }
            },
            (op, other) => {
                let op = if *op == MemberOperator::Direct {
                    "."
                } else {
                    "->"
                };
                self.bail(
                    Rule::TypeMismatch,
                    e.span,
                    format!("`{op}{field}` on a value of type {other}"),
                );
                None
            }
        }
    }

    /// Look up `struct_ty.field` and record it on `e`.
    fn field_of(
        &mut self,
        e: &Node<Expression>,
        struct_ty: String,
        field: &Node<Identifier>,
    ) -> Option<CType> {
        let name = &field.node.name;
        match self.b.field(&struct_ty, name) {
            Some(f) => {
                let ty = f.c.clone();
                self.record(
                    e,
                    ty,
                    None,
                    Some(NameRef::Field {
                        struct_name: struct_ty,
                        field: name.clone(),
                    }),
                )
            }
            None => {
                self.bail(
                    Rule::UnboundField,
                    field.span,
                    format!("unbound field {struct_ty}.{name}"),
                );
                None
            }
        }
    }

    fn unsupported(&mut self, e: &Node<Expression>, what: &str) -> Option<CType> {
        self.bail(Rule::SyntaxUnsupported, e.span, what);
        None
    }

    fn identifier(&mut self, e: &Node<Expression>, name: &str, span: Span) -> Option<CType> {
        if let Some(l) = self.local(name) {
            let (ty, decl) = (l.ty.clone(), l.decl);
            return self.record(e, ty?, None, Some(NameRef::Local { decl }));
        }
        if let Some(s) = self.env.stack_item(name) {
            let ty = s.ty.clone();
            return self.record(e, ty, None, Some(NameRef::StackItem));
        }
        if let Some(c) = self.env.cache(name) {
            let ty = c.c_type()?;
            return self.record(e, ty, None, Some(NameRef::Cache));
        }
        if name == "oparg" {
            let ty = self.env.oparg.clone();
            return self.record(e, ty, None, Some(NameRef::Oparg));
        }
        if let Some(v) = self.env.constant(name) {
            return self.record(e, CType::INT, None, Some(NameRef::EnvConstant(v)));
        }
        if let Some(g) = self.b.global(name) {
            let ty = g.c.clone();
            return self.record(e, ty, None, Some(NameRef::Global(name.to_string())));
        }
        if let Some(c) = self.b.constant(name) {
            let (ty, v) = (c.c.clone(), c.value);
            return self.record(e, ty, None, Some(NameRef::Constant(name.to_string(), v)));
        }
        match name {
            "NULL" => {
                return self.record(e, CType::Void.ptr(), None, Some(NameRef::Builtin("NULL")))
            }
            "true" | "false" => {
                let n = if name == "true" { "true" } else { "false" };
                return self.record(e, CType::INT, None, Some(NameRef::Builtin(n)));
            }
            _ => {}
        }
        if let Some(m) = self.env.dsl_macro(name) {
            if m.position == DslPosition::Value {
                return self.record(e, CType::INT, None, Some(NameRef::Dsl(m.name)));
            }
            self.bail(
                Rule::DslBadUse,
                span,
                format!("DSL macro {name} used as a value"),
            );
            return None;
        }
        if let Some(f) = self.b.function(name) {
            self.bail(
                Rule::FnPointer,
                span,
                format!("function {name} used as a value"),
            );
            let ty = CType::Function(Box::new(f.ty.clone()));
            return self.record(e, ty, None, Some(NameRef::Function(name.to_string())));
        }
        if DslMacro::find(name).is_some() {
            self.bail(
                Rule::DslUnknownMacro,
                span,
                format!("DSL macro {name} does not exist in this CPython version"),
            );
            return None;
        }
        self.bail(
            Rule::UnboundIdentifier,
            span,
            format!("unbound identifier {name}"),
        );
        None
    }

    fn call(&mut self, e: &Node<Expression>, call: &Node<CallExpression>) -> Option<CType> {
        let callee = &call.node.callee;
        let args = &call.node.arguments;
        if let Expression::Identifier(id) = &callee.node {
            let name = id.node.name.as_str();
            if self.local(name).is_none()
                && self.env.stack_item(name).is_none()
                && self.b.global(name).is_none()
            {
                if let Some(m) = self.env.dsl_macro(name) {
                    self.bail(
                        Rule::DslBadUse,
                        e.span,
                        format!("DSL macro {} used inside an expression", m.name),
                    );
                    return None;
                }
                if let Some(f) = self.b.function(name) {
                    let ft = f.ty.clone();
                    let special = Special {
                        out: f.out.clone(),
                        byref: f.byref.clone(),
                        array: f.array.clone(),
                        out_array: f.out_array.clone(),
                        token: f.token.clone(),
                        addr: f.addr.clone(),
                    };
                    self.typing.exprs.insert(
                        callee.span.into(),
                        ExprInfo {
                            ty: CType::Function(Box::new(ft.clone())),
                            operands: None,
                            name: Some(NameRef::Function(name.to_string())),
                        },
                    );
                    self.arguments(e.span, name, &ft, &special, args);
                    return self.record(
                        e,
                        ft.ret.clone(),
                        None,
                        Some(NameRef::Function(name.to_string())),
                    );
                }
                if DslMacro::find(name).is_some() {
                    self.bail(
                        Rule::DslUnknownMacro,
                        callee.span,
                        format!("DSL macro {name} does not exist in this CPython version"),
                    );
                    return None;
                }
                self.bail(
                    Rule::UnboundFunction,
                    callee.span,
                    format!("unbound function {name}"),
                );
                for a in args {
                    self.argument_unchecked(a);
                }
                return None;
            }
        }
        // A call through a function-pointer value.
        let bound_table = self.is_bound_table(callee);
        let ct = self.expr(callee);
        let ft = match ct.as_ref().map(CType::decay) {
            Some(CType::Pointer(p)) => match *p {
                CType::Function(ft) => Some(*ft),
                _ => None,
            },
            Some(_) => None,
            None => {
                for a in args {
                    self.argument_unchecked(a);
                }
                return None;
            }
        };
        let Some(ft) = ft else {
            self.bail(
                Rule::TypeMismatch,
                callee.span,
                format!(
                    "call of a value of type {}",
                    ct.map(|t| t.to_string()).unwrap_or_default()
                ),
            );
            return None;
        };
        if !bound_table {
            self.bail(
                Rule::FnPointer,
                callee.span,
                "call through a function pointer that is not a bound table",
            );
        }
        self.arguments(e.span, "function pointer", &ft, &Special::default(), args);
        self.record(e, ft.ret.clone(), None, None)
    }

    /// A bound global, an element of one, or a bound field: function pointers the table
    /// vouches for.
    fn is_bound_table(&self, e: &Node<Expression>) -> bool {
        match &e.node {
            Expression::Identifier(id) => {
                self.local(&id.node.name).is_none() && self.b.global(&id.node.name).is_some()
            }
            Expression::BinaryOperator(b) if b.node.operator.node == BinaryOperator::Index => {
                self.is_bound_table(&b.node.lhs)
            }
            Expression::Member(_) => true,
            _ => false,
        }
    }

    /// A stack view: a local `_PyStackRef *` (initialized from a stack array item, see the
    /// declaration check), which bodies move with `++`/`--` and read with `p[i]`
    /// (`arguments--` to include `self_or_null` below `args`).
    pub(super) fn is_stack_view(&self, e: &Node<Expression>) -> bool {
        let Expression::Identifier(id) = &e.node else {
            return false;
        };
        self.local(&id.node.name)
            .and_then(|l| l.ty.as_ref())
            .is_some_and(|t| self.is_stackref_pointer(t))
    }

    /// A local `STACKREFS_TO_PYOBJECTS` declared (`args_o`).
    pub(super) fn is_object_array(&self, e: &Node<Expression>) -> bool {
        let Expression::Identifier(id) = &e.node else {
            return false;
        };
        self.local(&id.node.name)
            .is_some_and(|l| self.typing.object_arrays.contains(&l.decl))
    }

    /// A stack array item (`args`) or a stack view.
    pub(super) fn is_stack_array_or_view(&self, e: &Node<Expression>) -> bool {
        match &e.node {
            Expression::Identifier(id) if self.local(&id.node.name).is_none() => {
                self.env.stack_item(&id.node.name).is_some_and(|s| s.array)
            }
            _ => self.is_stack_view(e),
        }
    }

    /// `_PyStackRef *`.
    pub(super) fn is_stackref_pointer(&self, t: &CType) -> bool {
        t.pointee()
            .is_some_and(|p| self.b.class_of(p) == Some(TypeClass::StackRef))
    }

    /// An identifier argument (`_Py_ID(name)`): a bare name, typed as the string it names.
    fn token_argument(&mut self, a: &Node<Expression>, what: &str) {
        if matches!(a.node, Expression::Identifier(_)) {
            self.record(
                a,
                CType::aliased_int(IntRank::Char, true, "char").ptr(),
                None,
                None,
            );
        } else {
            self.bail(
                Rule::TokenArg,
                a.span,
                format!("{what} takes an identifier here"),
            );
        }
    }

    /// A read-through argument (`addr = [i]`): `&place`, where the place is one a body may read
    /// (a variable, a stack item, a bound global or field, an array element) of the
    /// parameter's pointee type. The function receives the place's value.
    fn addr_argument(&mut self, a: &Node<Expression>, what: &str, param: Option<&CType>) {
        let operand = match &a.node {
            Expression::UnaryOperator(u) if u.node.operator.node == UnaryOperator::Address => {
                &u.node.operand
            }
            _ => {
                self.expr(a);
                self.bail(
                    Rule::AddrArg,
                    a.span,
                    format!("{what} takes `&` of a place here"),
                );
                return;
            }
        };
        let place_shaped = matches!(
            operand.node,
            Expression::Identifier(_) | Expression::Member(_)
        ) || matches!(&operand.node, Expression::BinaryOperator(b) if b.node.operator.node == BinaryOperator::Index);
        let Some(t) = self.expr(operand) else { return };
        if !place_shaped {
            self.bail(
                Rule::AddrArg,
                a.span,
                format!("{what} takes `&` of a variable, field or element here"),
            );
            return;
        }
        let fits = param.and_then(CType::pointee).is_some_and(|q| {
            same_type(q, &t) || (self.b.is_object_pointer(q) && self.b.is_object_pointer(&t))
        });
        if !fits {
            self.bail(
                Rule::TypeMismatch,
                a.span,
                format!(
                    "read-through argument of {what}: &{t} passed for {}",
                    param.map(|p| p.to_string()).unwrap_or_default()
                ),
            );
        }
        self.record(a, t.ptr(), None, None);
    }

    /// An array argument: a stack array item (`values`) or a local array, whose element type
    /// is the parameter's pointee.
    fn array_argument(&mut self, a: &Node<Expression>, what: &str, param: Option<&CType>) {
        // `values_o + 1`: an object array from its second element on (BUILD_MAP's values).
        if let Expression::BinaryOperator(b) = &a.node {
            if b.node.operator.node == BinaryOperator::Plus && self.is_object_array(&b.node.lhs) {
                let base = self.expr(&b.node.lhs);
                if let Some(t) = self.expr(&b.node.rhs) {
                    if !t.is_integer() {
                        self.bail(
                            Rule::TypeMismatch,
                            b.node.rhs.span,
                            format!("array argument of {what}: offset of type {t}"),
                        );
                    }
                }
                if let Some(t) = base {
                    self.record(a, t, None, None);
                }
                return;
            }
        }
        let is_array_name = match &a.node {
            Expression::Identifier(id) => {
                let n = id.node.name.as_str();
                match self.local(n) {
                    Some(l) => {
                        matches!(l.ty, Some(CType::Array(..)))
                            || self.is_stack_view(a)
                            || self.typing.object_arrays.contains(&l.decl)
                    }
                    None => self.env.stack_item(n).is_some_and(|s| s.array),
                }
            }
            _ => false,
        };
        let Some(t) = self.expr(a) else { return };
        if !is_array_name {
            self.bail(
                Rule::ArrayArg,
                a.span,
                format!("{what} takes a stack array item or a local array here"),
            );
            return;
        }
        let elem = match t.decay() {
            CType::Pointer(e) => *e,
            _ => return,
        };
        let fits = param.and_then(CType::pointee).is_some_and(|q| {
            same_type(q, &elem) || (self.b.is_object_pointer(q) && self.b.is_object_pointer(&elem))
        });
        if !fits {
            self.bail(
                Rule::TypeMismatch,
                a.span,
                format!(
                    "array argument of {what}: {t} passed for {}",
                    param.map(|p| p.to_string()).unwrap_or_default()
                ),
            );
        }
    }

    /// A written array argument: an output stack array item, named bare (`top`). Whether it
    /// is the size-0 item ending the outputs, over `unused` slots only, is the lowering's
    /// check (the checker does not see sizes).
    fn out_array_argument(&mut self, a: &Node<Expression>, what: &str) {
        let ok = match &a.node {
            Expression::Identifier(id) => {
                let n = id.node.name.as_str();
                self.local(n).is_none()
                    && self
                        .env
                        .stack_item(n)
                        .is_some_and(|s| s.array && s.role == crate::env::StackRole::Output)
            }
            _ => false,
        };
        if self.expr(a).is_some() && !ok {
            self.bail(
                Rule::OutArrayArg,
                a.span,
                format!("{what} writes through this argument: it must be an output stack array"),
            );
        }
    }

    /// An argument of a call that cannot be checked against a prototype.
    fn argument_unchecked(&mut self, a: &Node<Expression>) {
        match &a.node {
            Expression::StringLiteral(_) => {}
            // Whether `&x` is an out-parameter is unknown without a prototype.
            Expression::UnaryOperator(u) if u.node.operator.node == UnaryOperator::Address => {
                self.expr(&u.node.operand);
            }
            _ => {
                self.expr(a);
            }
        }
    }

    fn arguments(
        &mut self,
        span: Span,
        what: &str,
        ft: &FnType,
        special: &Special,
        args: &[Node<Expression>],
    ) {
        let (out, byref) = (&special.out, &special.byref);
        let (params, variadic) = (&ft.params[..], ft.variadic);
        let arity_ok = if variadic {
            args.len() >= params.len()
        } else {
            args.len() == params.len()
        };
        if !arity_ok {
            self.bail(
                Rule::CallArity,
                span,
                format!(
                    "{what} takes {}{} argument(s), got {}",
                    if variadic { "at least " } else { "" },
                    params.len(),
                    args.len()
                ),
            );
        }
        for (i, a) in args.iter().enumerate() {
            let param = params.get(i);
            if special.token.contains(&i) {
                self.token_argument(a, what);
                continue;
            }
            if special.array.contains(&i) {
                self.array_argument(a, what, param);
                continue;
            }
            if special.addr.contains(&i) {
                self.addr_argument(a, what, param);
                continue;
            }
            if special.out_array.contains(&i) {
                self.out_array_argument(a, what);
                continue;
            }
            match (&a.node, param) {
                (Expression::StringLiteral(_), Some(p)) if p.is_char_pointer() => {
                    self.record(
                        a,
                        CType::aliased_int(IntRank::Char, true, "char").ptr(),
                        None,
                        None,
                    );
                }
                (Expression::StringLiteral(_), None) if variadic => {
                    self.record(
                        a,
                        CType::aliased_int(IntRank::Char, true, "char").ptr(),
                        None,
                        None,
                    );
                }
                (Expression::UnaryOperator(u), _)
                    if u.node.operator.node == UnaryOperator::Address && out.contains(&i) =>
                {
                    if let Some(t) = self.lvalue(&u.node.operand) {
                        let pt = t.clone().ptr();
                        if let Some(p) = param {
                            // `PyObject **` out-parameters accept any object-pointer variable.
                            let objects = self.b.is_object_pointer(&t)
                                && p.pointee().is_some_and(|q| self.b.is_object_pointer(q));
                            if !same_type(p, &pt) && !objects {
                                self.bail(
                                    Rule::TypeMismatch,
                                    a.span,
                                    format!(
                                        "out-parameter {} of {what}: {pt} passed for {p}",
                                        i + 1
                                    ),
                                );
                            }
                        }
                        self.record(a, pt, None, None);
                    }
                }
                (_, Some(p)) if byref.contains(&i) => {
                    // Assigned in place by the macro: a place whose type is the parameter's
                    // pointee (`Py_CLEAR(PyObject **)` takes `o`, a `PyObject *`) or the
                    // parameter's own type.
                    if let Some(t) = self.lvalue(a) {
                        let pointee_fits = p.pointee().is_some_and(|q| {
                            same_type(q, &t)
                                || (self.b.is_object_pointer(q) && self.b.is_object_pointer(&t))
                        });
                        if !pointee_fits {
                            let p = p.clone();
                            self.implicit_conversion(
                                &p,
                                &t,
                                a,
                                &format!("argument {} of {what}", i + 1),
                            );
                        }
                    }
                }
                (_, Some(p)) => {
                    let p = p.clone();
                    self.expr_into(&p, a, &format!("argument {} of {what}", i + 1));
                }
                (_, None) => {
                    // Variadic extras undergo default argument promotions; any scalar goes.
                    if let Some(t) = self.expr(a) {
                        if !t.decay().is_scalar() {
                            self.bail(
                                Rule::TypeMismatch,
                                a.span,
                                format!("variadic argument of type {t}"),
                            );
                        }
                    }
                }
            }
        }
    }

    /// Check an assignment target; returns its type.
    pub(super) fn lvalue(&mut self, e: &Node<Expression>) -> Option<CType> {
        let ty = self.expr(e)?;
        let place = self.place(e);
        match place {
            Place::Variable
            | Place::WritableGlobal
            | Place::WritableField
            | Place::ArrayElement
            | Place::LvalueCall
            | Place::Deref => {}
            Place::ReadOnly(what) => {
                self.bail(
                    Rule::NotAssignable,
                    e.span,
                    format!("cannot assign to {what}"),
                );
            }
        }
        Some(ty)
    }

    fn place(&self, e: &Node<Expression>) -> Place {
        let info = self.typing.expr(e).and_then(|i| i.name.clone());
        match &e.node {
            Expression::Identifier(id) => match info {
                Some(
                    NameRef::Local { .. } | NameRef::StackItem | NameRef::Cache | NameRef::Oparg,
                ) => Place::Variable,
                Some(NameRef::Global(g)) => {
                    if self.b.global(&g).is_some_and(|g| g.set.is_some()) {
                        Place::WritableGlobal
                    } else {
                        Place::ReadOnly(format!("global {g} (no `set` template)"))
                    }
                }
                _ => Place::ReadOnly(format!("`{}`", id.node.name)),
            },
            Expression::Member(_) => match info {
                Some(NameRef::Field { struct_name, field }) => {
                    if self
                        .b
                        .field(&struct_name, &field)
                        .is_some_and(|f| f.set.is_some())
                    {
                        Place::WritableField
                    } else {
                        Place::ReadOnly(format!("field {struct_name}.{field} (no `set` template)"))
                    }
                }
                _ => Place::ReadOnly("a member".into()),
            },
            Expression::BinaryOperator(b) if b.node.operator.node == BinaryOperator::Index => {
                let base = self.typing.expr(&b.node.lhs);
                match base.map(|i| (&i.ty, &i.name)) {
                    _ if self.is_stack_view(&b.node.lhs) => {
                        Place::ReadOnly("an element through a stack view (read-only)".into())
                    }
                    Some((_, Some(NameRef::StackItem | NameRef::Local { .. }))) => {
                        Place::ArrayElement
                    }
                    // `frame->localsplus[i]`: an element of an array-typed field with `set`
                    Some((CType::Array(..), Some(NameRef::Field { struct_name, field }))) => {
                        if self
                            .b
                            .field(struct_name, field)
                            .is_some_and(|f| f.set.is_some())
                        {
                            Place::WritableField
                        } else {
                            Place::ReadOnly(format!(
                                "field {struct_name}.{field} (no `set` template)"
                            ))
                        }
                    }
                    _ => Place::ReadOnly("an element of a bound array".into()),
                }
            }
            Expression::Call(_) => match info {
                Some(NameRef::Function(f)) if self.b.function(&f).is_some_and(|f| f.lvalue) => {
                    Place::LvalueCall
                }
                Some(NameRef::Function(f)) => {
                    Place::ReadOnly(format!("the result of {f} (not `lvalue = true`)"))
                }
                _ => Place::ReadOnly("a call result".into()),
            },
            // `*p = v`: already reported as a dereference.
            Expression::UnaryOperator(u) if u.node.operator.node == UnaryOperator::Indirection => {
                Place::Deref
            }
            _ => Place::ReadOnly("an expression that is not a variable, field or element".into()),
        }
    }

    fn unary(
        &mut self,
        e: &Node<Expression>,
        op: &UnaryOperator,
        operand: &Node<Expression>,
    ) -> Option<CType> {
        match op {
            UnaryOperator::Address => {
                // An operand of unknown type was reported already; whether `&` on it would be
                // allowed (a static object) is unknowable, so say nothing more.
                let t = self.expr(operand)?;
                let t = Some(t);
                // `&PyLong_Type`: a reference to a static object is an object pointer.
                // `&_Py_ID(x)`: a bound macro whose prototype returns the object struct itself
                // names a static object the same way.
                let static_object = matches!(
                    self.typing.expr(operand).and_then(|i| i.name.as_ref()),
                    Some(NameRef::Global(_) | NameRef::Function(_))
                ) && t
                    .as_ref()
                    .is_some_and(|t| self.b.class_of(t) == Some(TypeClass::ObjectPointer));
                if !static_object {
                    self.bail(
                        Rule::AddrOf,
                        e.span,
                        "address-of outside an out-parameter of a bound function",
                    );
                }
                self.record(e, t?.ptr(), None, None)
            }
            UnaryOperator::Indirection => {
                self.bail(Rule::Deref, e.span, "pointer dereference");
                let t = self.expr(operand)?.decay();
                match t {
                    CType::Pointer(p) => self.record(e, *p, None, None),
                    other => {
                        self.bail(Rule::TypeMismatch, e.span, format!("`*` on {other}"));
                        None
                    }
                }
            }
            UnaryOperator::Plus | UnaryOperator::Minus | UnaryOperator::Complement => {
                let t = self.expr(operand)?;
                let ok = if *op == UnaryOperator::Complement {
                    t.is_integer()
                } else {
                    t.is_arithmetic()
                };
                if !ok {
                    self.bail(Rule::TypeMismatch, e.span, format!("unary operator on {t}"));
                    return None;
                }
                let p = t.promote();
                self.record(e, p.clone(), Some(p), None)
            }
            UnaryOperator::Negate => {
                self.condition(operand);
                self.record(e, CType::INT, None, None)
            }
            UnaryOperator::PreIncrement
            | UnaryOperator::PreDecrement
            | UnaryOperator::PostIncrement
            | UnaryOperator::PostDecrement => {
                let t = self.lvalue(operand)?;
                if t.is_pointer() && self.is_stack_view(operand) {
                    // Moving a stack view within the op's inputs.
                } else if t.is_pointer() {
                    self.bail(
                        Rule::PointerArith,
                        e.span,
                        "increment/decrement of a pointer",
                    );
                } else if !t.is_arithmetic() {
                    self.bail(
                        Rule::TypeMismatch,
                        e.span,
                        format!("increment/decrement of {t}"),
                    );
                    return None;
                }
                self.record(e, t, None, None)
            }
        }
    }

    fn binary(
        &mut self,
        e: &Node<Expression>,
        op: &BinaryOperator,
        lhs: &Node<Expression>,
        rhs: &Node<Expression>,
    ) -> Option<CType> {
        use BinaryOperator::*;
        match op {
            Index => self.index(e, lhs, rhs),
            Assign => {
                let l = self.lvalue(lhs);
                let r = self.expr(rhs);
                let (l, r) = (l?, r?);
                self.implicit_conversion(&l, &r, rhs, "assignment");
                self.record(e, l, None, None)
            }
            AssignMultiply | AssignDivide | AssignModulo | AssignPlus | AssignMinus
            | AssignShiftLeft | AssignShiftRight | AssignBitwiseAnd | AssignBitwiseXor
            | AssignBitwiseOr => {
                let l = self.lvalue(lhs);
                let r = self.expr(rhs);
                let (l, r) = (l?, r?);
                let base = match op {
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
                };
                let (_, operands) = self.arith(e, &base, &l, &r, lhs, rhs)?;
                self.record(e, l, operands, None)
            }
            LogicalAnd | LogicalOr => {
                self.condition(lhs);
                self.condition(rhs);
                self.record(e, CType::INT, None, None)
            }
            _ => {
                let l = self.expr(lhs);
                let r = self.expr(rhs);
                let (l, r) = (l?, r?);
                let (ty, operands) = self.arith(e, op, &l, &r, lhs, rhs)?;
                self.record(e, ty, operands, None)
            }
        }
    }

    /// Result and operand types of a non-assigning binary operator.
    fn arith(
        &mut self,
        e: &Node<Expression>,
        op: &BinaryOperator,
        l: &CType,
        r: &CType,
        lhs: &Node<Expression>,
        rhs: &Node<Expression>,
    ) -> Option<(CType, Option<CType>)> {
        use BinaryOperator::*;
        let (l, r) = (l.decay(), r.decay());
        let sym = op_symbol(op);
        match op {
            Multiply | Divide => {
                let c = self.common(e, sym, &l, &r)?;
                Some((c.clone(), Some(c)))
            }
            Modulo | BitwiseAnd | BitwiseOr | BitwiseXor => {
                if !(l.is_integer() && r.is_integer()) {
                    self.mismatch(e, sym, &l, &r);
                    return None;
                }
                let c = self.common(e, sym, &l, &r)?;
                Some((c.clone(), Some(c)))
            }
            Plus | Minus => {
                if let Some(t) = self.indexed_arith(op, &l, &r) {
                    return Some((t, None));
                }
                if l.is_pointer() || r.is_pointer() {
                    self.bail(
                        Rule::PointerArith,
                        e.span,
                        format!("pointer arithmetic (`{sym}`)"),
                    );
                    return if l.is_pointer() && r.is_pointer() {
                        Some((CType::builtin("ptrdiff_t").unwrap_or(CType::LONG), None))
                    } else if l.is_pointer() {
                        Some((l, None))
                    } else {
                        Some((r, None))
                    };
                }
                let c = self.common(e, sym, &l, &r)?;
                Some((c.clone(), Some(c)))
            }
            ShiftLeft | ShiftRight => {
                if !(l.is_integer() && r.is_integer()) {
                    self.mismatch(e, sym, &l, &r);
                    return None;
                }
                let p = l.promote();
                Some((p.clone(), Some(p)))
            }
            Less | Greater | LessOrEqual | GreaterOrEqual | Equals | NotEquals => {
                if l.is_arithmetic() && r.is_arithmetic() {
                    let c = self.common(e, sym, &l, &r)?;
                    return Some((CType::INT, Some(c)));
                }
                let ok = match (&l, &r) {
                    (CType::Pointer(_), CType::Pointer(_)) => {
                        same_type(&l, &r)
                            || (self.b.is_object_pointer(&l) && self.b.is_object_pointer(&r))
                            || is_null_constant(lhs)
                            || is_null_constant(rhs)
                    }
                    (CType::Pointer(_), _) => is_null_constant(rhs),
                    (_, CType::Pointer(_)) => is_null_constant(lhs),
                    _ => false,
                };
                if !ok {
                    self.mismatch(e, sym, &l, &r);
                    return None;
                }
                Some((CType::INT, None))
            }
            _ => {
                self.bail(Rule::SyntaxUnsupported, e.span, format!("operator {sym}"));
                None
            }
        }
    }

    /// `p + n`, `n + p`, `p - n` and `p - q` on indexed pointers (`_Py_CODEUNIT *`, see
    /// [`crate::bindings::TypeBinding::indexed`]): the result type, or `None` when the operands are not
    /// such a form (then the general rules apply).
    fn indexed_arith(&self, op: &BinaryOperator, l: &CType, r: &CType) -> Option<CType> {
        let (li, ri) = (self.b.is_indexed_pointer(l), self.b.is_indexed_pointer(r));
        match op {
            BinaryOperator::Plus if li && r.is_integer() => Some(l.clone()),
            BinaryOperator::Plus if ri && l.is_integer() => Some(r.clone()),
            BinaryOperator::Minus if li && r.is_integer() => Some(l.clone()),
            BinaryOperator::Minus if li && ri && same_type(l, r) => {
                Some(CType::builtin("ptrdiff_t").unwrap_or(CType::LONG))
            }
            _ => None,
        }
    }

    fn common(&mut self, e: &Node<Expression>, sym: &str, l: &CType, r: &CType) -> Option<CType> {
        match CType::usual_arithmetic(l, r) {
            Some(c) => Some(c),
            None => {
                self.mismatch(e, sym, l, r);
                None
            }
        }
    }

    fn mismatch(&mut self, e: &Node<Expression>, sym: &str, l: &CType, r: &CType) {
        let what = |t: &CType| match t {
            CType::Named(_) => format!("{t} ({})", self.class_name(t)),
            _ => t.to_string(),
        };
        let msg = format!("`{sym}` on {} and {}", what(l), what(r));
        self.bail(Rule::TypeMismatch, e.span, msg);
    }

    /// A bound function of one integer parameter indexed like an array: a table of values
    /// (`_PyOpcode_Caches[op]`) is read as the function of its index.
    fn value_table(&self, base: &Node<Expression>) -> Option<&crate::bindings::FunctionBinding> {
        let Expression::Identifier(id) = &base.node else {
            return None;
        };
        let name = id.node.name.as_str();
        if self.local(name).is_some()
            || self.env.stack_item(name).is_some()
            || self.b.global(name).is_some()
        {
            return None;
        }
        self.b.function(name).filter(|f| {
            f.ty.params.len() == 1
                && f.ty.params[0].is_integer()
                && !f.ty.variadic
                && f.ty.ret.is_integer()
        })
    }

    fn index(
        &mut self,
        e: &Node<Expression>,
        base: &Node<Expression>,
        idx: &Node<Expression>,
    ) -> Option<CType> {
        if let Some(f) = self.value_table(base) {
            let (name, ft) = (f.name.clone(), f.ty.clone());
            self.typing.exprs.insert(
                base.span.into(),
                ExprInfo {
                    ty: CType::Function(Box::new(ft.clone())),
                    operands: None,
                    name: Some(NameRef::Function(name.clone())),
                },
            );
            self.arguments(
                e.span,
                &name,
                &ft,
                &Special::default(),
                std::slice::from_ref(idx),
            );
            return self.record(e, ft.ret.clone(), None, Some(NameRef::Function(name)));
        }
        self.indexed_base = Some(base.span);
        let bt = self.expr(base);
        self.indexed_base = None;
        if let Some(it) = self.expr(idx) {
            if !it.is_integer() {
                self.bail(Rule::TypeMismatch, idx.span, format!("index of type {it}"));
            }
        }
        let bt = bt?;
        let elem = match &bt {
            CType::Array(elem, _) => (**elem).clone(),
            CType::Pointer(elem) => {
                let stack_array = matches!(
                    self.typing.expr(base).and_then(|i| i.name.as_ref()),
                    Some(NameRef::StackItem)
                ) && self.env.stack.iter().any(|s| s.array && matches!(&base.node, Expression::Identifier(id) if id.node.name == s.name));
                // `this_instr[1]`: an element of an array the runtime owns, by index.
                let indexed = self.b.is_indexed_pointer(&bt);
                if !stack_array && !indexed && !self.is_stack_view(base) {
                    self.bail(
                        Rule::PointerIndex,
                        e.span,
                        format!("indexing a pointer ({bt})"),
                    );
                }
                (**elem).clone()
            }
            other => {
                self.bail(
                    Rule::TypeMismatch,
                    e.span,
                    format!("indexing a value of type {other}"),
                );
                return None;
            }
        };
        self.record(e, elem, None, None)
    }
}

fn op_symbol(op: &BinaryOperator) -> &'static str {
    use BinaryOperator::*;
    match op {
        Index => "[]",
        Multiply => "*",
        Divide => "/",
        Modulo => "%",
        Plus => "+",
        Minus => "-",
        ShiftLeft => "<<",
        ShiftRight => ">>",
        Less => "<",
        Greater => ">",
        LessOrEqual => "<=",
        GreaterOrEqual => ">=",
        Equals => "==",
        NotEquals => "!=",
        BitwiseAnd => "&",
        BitwiseXor => "^",
        BitwiseOr => "|",
        LogicalAnd => "&&",
        LogicalOr => "||",
        Assign => "=",
        AssignMultiply => "*=",
        AssignDivide => "/=",
        AssignModulo => "%=",
        AssignPlus => "+=",
        AssignMinus => "-=",
        AssignShiftLeft => "<<=",
        AssignShiftRight => ">>=",
        AssignBitwiseAnd => "&=",
        AssignBitwiseXor => "^=",
        AssignBitwiseOr => "|=",
    }
}

/// The binding table's special parameter kinds of one function (`out`, `byref`, `array`,
/// `token`, `addr` indices).
#[derive(Debug, Default)]
struct Special {
    out: Vec<usize>,
    byref: Vec<usize>,
    array: Vec<usize>,
    out_array: Vec<usize>,
    token: Vec<usize>,
    addr: Vec<usize>,
}
