//! Statements and declarations.

use lang_c::ast::{
    BlockItem, Declaration, Expression, ForInitializer, Initializer, Label, Statement,
};
use lang_c::span::Node;

/// DSL macros whose meaning is to continue in another instruction's body or in a new frame:
/// the translation of one body cannot express them, so bodies using them stay manual.
const NOT_LOWERED: &[&str] = &[
    "GO_TO_INSTRUCTION",
    "DISPATCH_INLINED",
    "HANDLE_PENDING_AND_DEOPT_IF",
];

use super::typing::{ExprInfo, NameRef};
use super::Checker;
use crate::cdecl::{apply_declarator, base_of_declaration, declarator_name};
use crate::ctype::CType;
use crate::dsl::{DslArg, DslPosition};
use crate::rules::Rule;

impl Checker<'_> {
    pub(super) fn stmt(&mut self, s: &Node<Statement>) {
        match &s.node {
            Statement::Compound(items) => {
                self.push_scope();
                for item in items {
                    match &item.node {
                        BlockItem::Declaration(d) => self.declaration(d),
                        BlockItem::StaticAssert(_) => {
                            self.bail(Rule::SyntaxUnsupported, item.span, "_Static_assert")
                        }
                        BlockItem::Statement(st) => self.stmt(st),
                    }
                }
                self.pop_scope();
            }
            Statement::Labeled(l) => {
                match &l.node.label.node {
                    Label::Identifier(id) => self.bail(
                        Rule::Label,
                        l.node.label.span,
                        format!("label `{}` inside a body", id.node.name),
                    ),
                    // Inside a switch, which already bailed; outside one they are switch syntax
                    // without a switch.
                    Label::Case(_) | Label::CaseRange(_) | Label::Default => {
                        if self.switches == 0 {
                            self.bail(
                                Rule::Switch,
                                l.node.label.span,
                                "case label outside a switch",
                            );
                        }
                        if let Label::Case(e) = &l.node.label.node {
                            self.expr(e);
                        }
                    }
                }
                self.stmt(&l.node.statement);
            }
            Statement::Expression(Some(e)) => self.expr_stmt(e),
            Statement::Expression(None) => {}
            Statement::If(i) => {
                self.condition(&i.node.condition);
                self.stmt(&i.node.then_statement);
                if let Some(e) = &i.node.else_statement {
                    self.stmt(e);
                }
            }
            Statement::Switch(sw) => {
                self.bail(Rule::Switch, s.span, "switch statement");
                self.expr(&sw.node.expression);
                self.loops += 1;
                self.switches += 1;
                self.stmt(&sw.node.statement);
                self.switches -= 1;
                self.loops -= 1;
            }
            Statement::While(w) => {
                self.condition(&w.node.expression);
                self.loops += 1;
                self.stmt(&w.node.statement);
                self.loops -= 1;
            }
            Statement::DoWhile(d) => {
                self.bail(Rule::DoWhile, s.span, "do-while loop");
                self.loops += 1;
                self.stmt(&d.node.statement);
                self.loops -= 1;
                self.condition(&d.node.expression);
            }
            Statement::For(f) => {
                self.push_scope();
                match &f.node.initializer.node {
                    ForInitializer::Empty => {}
                    ForInitializer::Expression(e) => {
                        self.expr(e);
                    }
                    ForInitializer::Declaration(d) => self.declaration(d),
                    ForInitializer::StaticAssert(_) => self.bail(
                        Rule::SyntaxUnsupported,
                        f.node.initializer.span,
                        "_Static_assert",
                    ),
                }
                if let Some(c) = &f.node.condition {
                    self.condition(c);
                }
                if let Some(st) = &f.node.step {
                    self.expr(st);
                }
                self.loops += 1;
                self.stmt(&f.node.statement);
                self.loops -= 1;
                self.pop_scope();
            }
            Statement::Goto(label) => {
                if !self.env.has_label(&label.node.name) {
                    self.bail(
                        Rule::GotoNonLabel,
                        s.span,
                        format!("goto `{}`, which is not a DSL label", label.node.name),
                    );
                }
            }
            Statement::Continue | Statement::Break => {
                if self.loops == 0 {
                    let what = if matches!(s.node, Statement::Break) {
                        "break"
                    } else {
                        "continue"
                    };
                    self.bail(
                        Rule::BreakOutsideLoop,
                        s.span,
                        format!("`{what}` outside a loop"),
                    );
                }
            }
            Statement::Return(e) => {
                self.bail(Rule::Return, s.span, "return from the interpreter function");
                if let Some(e) = e {
                    self.expr(e);
                }
            }
            Statement::Asm(_) => self.bail(Rule::Asm, s.span, "inline assembly"),
        }
    }

    /// A condition of `if`/`while`/`for`/`?:`/DSL macros: any scalar.
    pub(super) fn condition(&mut self, e: &Node<Expression>) {
        if let Some(t) = self.expr(e) {
            if !t.decay().is_scalar() {
                self.bail(
                    Rule::TypeMismatch,
                    e.span,
                    format!("condition of type {t} is not a scalar"),
                );
            }
        }
    }

    /// An expression statement: DSL macros are only valid here.
    fn expr_stmt(&mut self, e: &Node<Expression>) {
        if let Expression::Call(call) = &e.node {
            if let Expression::Identifier(id) = &call.node.callee.node {
                let name = id.node.name.as_str();
                if self.local(name).is_none() {
                    if let Some(m) = self.env.dsl_macro(name) {
                        self.dsl_call(e, m, &call.node.arguments);
                        return;
                    }
                }
            }
        }
        self.expr(e);
    }

    fn dsl_call(
        &mut self,
        e: &Node<Expression>,
        m: &'static crate::dsl::DslMacro,
        args: &[Node<Expression>],
    ) {
        self.typing.exprs.insert(
            e.span.into(),
            ExprInfo {
                ty: CType::Void,
                operands: None,
                name: Some(NameRef::Dsl(m.name)),
            },
        );
        if m.position != DslPosition::Statement {
            self.bail(
                Rule::DslBadUse,
                e.span,
                format!("{} is a value, not a statement macro", m.name),
            );
            return;
        }
        if NOT_LOWERED.contains(&m.name) {
            self.bail(
                Rule::DslNotLowered,
                e.span,
                format!(
                    "{} continues outside this body; cases2rs has no translation for it",
                    m.name
                ),
            );
            return;
        }
        if !m.accepts_arity(args.len()) {
            let expected = if m.optional_args.is_empty() {
                format!("{}", m.args.len())
            } else {
                format!(
                    "{} to {}",
                    m.args.len(),
                    m.args.len() + m.optional_args.len()
                )
            };
            self.bail(
                Rule::DslBadUse,
                e.span,
                format!(
                    "{} takes {expected} argument(s), got {}",
                    m.name,
                    args.len()
                ),
            );
            return;
        }
        for (i, a) in args.iter().enumerate() {
            let ident = match &a.node {
                Expression::Identifier(id) => Some(id.node.name.as_str()),
                _ => None,
            };
            match m.arg(i) {
                Some(DslArg::Cond) => self.condition(a),
                Some(DslArg::Int) => {
                    if let Some(t) = self.expr(a) {
                        if !t.is_integer() {
                            self.bail(
                                Rule::TypeMismatch,
                                a.span,
                                format!("{} needs an integer, got {t}", m.name),
                            );
                        }
                    }
                }
                Some(DslArg::Expr) => {
                    self.expr(a);
                }
                Some(DslArg::Counter) => {
                    if let Some(t) = self.lvalue(a) {
                        if !t.is_integer() {
                            self.bail(
                                Rule::TypeMismatch,
                                a.span,
                                format!("{} needs a 16-bit cache cell, got {t}", m.name),
                            );
                        }
                    }
                }
                Some(DslArg::Label) => match ident {
                    Some(l) if self.env.has_label(l) => {}
                    Some(l) => self.bail(
                        Rule::GotoNonLabel,
                        a.span,
                        format!("{} jumps to `{l}`, which is not a DSL label", m.name),
                    ),
                    None => self.bail(
                        Rule::DslBadUse,
                        a.span,
                        format!("{} argument {} must be a label", m.name, i + 1),
                    ),
                },
                Some(DslArg::StackItem) => match ident {
                    Some(n) if self.env.stack_item(n).is_some() => {}
                    _ => self.bail(
                        Rule::DslBadUse,
                        a.span,
                        format!("{} argument {} must be a stack item", m.name, i + 1),
                    ),
                },
                Some(DslArg::StackArray) => {
                    self.expr(a);
                    if !self.is_stack_array_or_view(a) {
                        self.bail(
                            Rule::DslBadUse,
                            a.span,
                            format!(
                                "{} argument {} must be a stack array item or a `_PyStackRef *` view of one",
                                m.name,
                                i + 1
                            ),
                        );
                    }
                }
                Some(DslArg::NewLocal) => match &a.node {
                    Expression::Identifier(id) => {
                        let ty = CType::named("PyObject").ptr().ptr();
                        self.declare(&id.node.name, Some(ty), id.span);
                        self.typing.object_arrays.insert(id.span.into());
                    }
                    _ => self.bail(
                        Rule::DslBadUse,
                        a.span,
                        format!("{} argument {} must be a new name", m.name, i + 1),
                    ),
                },
                Some(DslArg::ObjectArray) => {
                    self.expr(a);
                    if !self.is_object_array(a) {
                        self.bail(
                            Rule::DslBadUse,
                            a.span,
                            format!(
                                "{} argument {} must be a local STACKREFS_TO_PYOBJECTS declared",
                                m.name,
                                i + 1
                            ),
                        );
                    }
                }
                Some(DslArg::Name) | None => {
                    if ident.is_none() {
                        self.bail(
                            Rule::DslBadUse,
                            a.span,
                            format!("{} argument {} must be a name", m.name, i + 1),
                        );
                    }
                }
            }
        }
    }

    pub(super) fn declaration(&mut self, d: &Node<Declaration>) {
        let base = match base_of_declaration(&d.node.specifiers, self.b) {
            Ok(b) => b,
            Err(e) => {
                self.type_error(e, d.span);
                // Still check initializers for their own reasons, and declare the names so
                // that their uses are not reported again as unbound.
                for id in &d.node.declarators {
                    if let Some(Node {
                        node: Initializer::Expression(e),
                        ..
                    }) = &id.node.initializer
                    {
                        self.expr(e);
                    }
                    if let Some(name) = declarator_name(&id.node.declarator) {
                        self.declare(&name.node, None, name.span);
                    }
                }
                return;
            }
        };
        if !base.storage.is_empty() {
            let names: Vec<String> = base
                .storage
                .iter()
                .map(|s| format!("{s:?}").to_lowercase())
                .collect();
            self.bail(
                Rule::StorageClass,
                d.span,
                format!("`{}` declaration in a body", names.join(" ")),
            );
        }
        for id in &d.node.declarators {
            let (name, mut ty) =
                match apply_declarator(base.ty.clone(), &id.node.declarator, self.b) {
                    Ok(x) => x,
                    Err(e) => {
                        self.type_error(e, id.span);
                        continue;
                    }
                };
            let Some(name) = name else {
                continue;
            };
            match &ty {
                CType::Function(_) => {
                    self.bail(
                        Rule::SyntaxUnsupported,
                        id.span,
                        format!("local function declaration `{}`", name.node),
                    );
                    continue;
                }
                CType::Pointer(p) if matches!(**p, CType::Function(_)) => self.bail(
                    Rule::FnPointer,
                    id.span,
                    format!("function-pointer local `{}`", name.node),
                ),
                CType::Void => self.bail(
                    Rule::TypeMismatch,
                    id.span,
                    format!("variable `{}` of type void", name.node),
                ),
                _ => {}
            }
            match &id.node.initializer {
                None => {
                    if let CType::Array(_, None) = ty {
                        self.bail(
                            Rule::VariableArray,
                            id.span,
                            format!("array `{}` without size or initializer", name.node),
                        );
                    }
                }
                Some(init) => match (&init.node, &ty) {
                    (Initializer::Expression(e), CType::Array(..)) => {
                        self.expr(e);
                        self.bail(
                            Rule::TypeMismatch,
                            e.span,
                            format!("array `{}` initialised from an expression", name.node),
                        );
                    }
                    (Initializer::Expression(e), _) => {
                        self.expr_into(&ty, e, "initializer");
                        // A stack view starts at a stack array item or another view: any
                        // other `_PyStackRef *` would point at memory the model does not have.
                        if self.is_stackref_pointer(&ty) && !self.is_stack_array_or_view(e) {
                            self.bail(
                                Rule::PointerArith,
                                e.span,
                                format!(
                                    "stack view `{}` not initialised from a stack array item",
                                    name.node
                                ),
                            );
                        }
                    }
                    (Initializer::List(items), CType::Array(elem, n)) => {
                        let elem = (**elem).clone();
                        for item in items {
                            if !item.node.designation.is_empty() {
                                self.bail(
                                    Rule::InitializerList,
                                    item.span,
                                    "designated array initializer",
                                );
                            }
                            match &item.node.initializer.node {
                                Initializer::Expression(e) => {
                                    self.expr_into(&elem, e, "array element")
                                }
                                Initializer::List(_) => self.bail(
                                    Rule::InitializerList,
                                    item.span,
                                    "nested initializer list",
                                ),
                            }
                        }
                        match n {
                            None => ty = CType::Array(Box::new(elem), Some(items.len() as u64)),
                            Some(n) if (*n as usize) < items.len() => self.bail(
                                Rule::TypeMismatch,
                                init.span,
                                format!("{} initializers for array of {n}", items.len()),
                            ),
                            Some(_) => {}
                        }
                    }
                    (Initializer::List(_), _) => self.bail(
                        Rule::InitializerList,
                        init.span,
                        format!("brace initializer for `{}` of type {ty}", name.node),
                    ),
                },
            }
            self.declare(&name.node, Some(ty), name.span);
        }
    }

    /// Check `e` and that it converts implicitly to `to` (assignment, initializer, argument).
    pub(super) fn expr_into(&mut self, to: &CType, e: &Node<Expression>, what: &str) {
        if let Some(from) = self.expr(e) {
            self.implicit_conversion(to, &from, e, what);
        }
    }
}
