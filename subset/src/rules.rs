//! The subset's rules: every reason a body can bail, with a stable id.
//!
//! Ids are a public contract (report JSON, SUBSET.md, users' opt-out notes): never rename one;
//! add a new rule instead. A test checks SUBSET.md lists exactly these ids.

use std::fmt;

/// One rule of the subset. Each variant is a construct outside the subset; a body that uses it
/// bails with this rule's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    // Statements.
    GotoNonLabel,
    Label,
    Switch,
    DoWhile,
    Return,
    BreakOutsideLoop,
    Asm,
    // Declarations.
    StorageClass,
    VariableArray,
    InitializerList,
    // Expressions.
    PointerArith,
    PointerIndex,
    AddrOf,
    Deref,
    FnPointer,
    StringLiteral,
    Comma,
    Sizeof,
    NotAssignable,
    CallArity,
    ArrayArg,
    OutArrayArg,
    TokenArg,
    AddrArg,
    // Types.
    TypeUnknown,
    TypeUnsupported,
    CharPtrCast,
    PointerCast,
    PointerIntCast,
    TypeMismatch,
    // Names.
    UnboundFunction,
    UnboundIdentifier,
    UnboundField,
    // DSL.
    DslUnknownMacro,
    DslBadUse,
    DslNotLowered,
    // Anything else.
    SyntaxUnsupported,
}

impl Rule {
    /// Every rule, in SUBSET.md order.
    pub const ALL: &'static [Rule] = &[
        Rule::GotoNonLabel,
        Rule::Label,
        Rule::Switch,
        Rule::DoWhile,
        Rule::Return,
        Rule::BreakOutsideLoop,
        Rule::Asm,
        Rule::StorageClass,
        Rule::VariableArray,
        Rule::InitializerList,
        Rule::PointerArith,
        Rule::PointerIndex,
        Rule::AddrOf,
        Rule::Deref,
        Rule::FnPointer,
        Rule::StringLiteral,
        Rule::Comma,
        Rule::Sizeof,
        Rule::NotAssignable,
        Rule::CallArity,
        Rule::ArrayArg,
        Rule::OutArrayArg,
        Rule::TokenArg,
        Rule::AddrArg,
        Rule::TypeUnknown,
        Rule::TypeUnsupported,
        Rule::CharPtrCast,
        Rule::PointerCast,
        Rule::PointerIntCast,
        Rule::TypeMismatch,
        Rule::UnboundFunction,
        Rule::UnboundIdentifier,
        Rule::UnboundField,
        Rule::DslUnknownMacro,
        Rule::DslBadUse,
        Rule::DslNotLowered,
        Rule::SyntaxUnsupported,
    ];

    /// The stable id.
    pub fn id(self) -> &'static str {
        self.info().0
    }

    /// One line: why the construct is outside the subset.
    pub fn reason(self) -> &'static str {
        self.info().1
    }

    /// A short line showing the construct (most taken from CPython's `bytecodes.c`).
    pub fn example(self) -> &'static str {
        self.info().2
    }

    pub fn from_id(id: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|r| r.id() == id)
    }

    fn info(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Rule::GotoNonLabel => (
                "stmt.goto-non-label",
                "only the DSL's `label(...)` blocks are jump targets; other gotos are unstructured control flow Rust cannot express",
                "goto retry;",
            ),
            Rule::Label => (
                "stmt.label",
                "a label inside a body is a jump target for unstructured control flow",
                "done: Py_DECREF(x);",
            ),
            Rule::Switch => (
                "stmt.switch",
                "switch with fall-through has no direct Rust equivalent (no 3.14 body uses one)",
                "switch (oparg) { case 2: cause = args[1]; /* fall through */ case 1: ... }",
            ),
            Rule::DoWhile => (
                "stmt.do-while",
                "no body uses do-while; `continue` in it would have to re-test the condition, so it stays out until needed",
                "do { i--; } while (i > 0);",
            ),
            Rule::Return => (
                "stmt.return",
                "returning leaves the interpreter function itself, which is not an outcome of one instruction",
                "return result;",
            ),
            Rule::BreakOutsideLoop => (
                "stmt.break-outside-loop",
                "`break`/`continue` outside a loop would leave the interpreter's dispatch switch",
                "break;",
            ),
            Rule::Asm => (
                "stmt.asm",
                "inline assembly has no meaning in the Rust model",
                "__asm__ volatile (\"\" ::: \"memory\");",
            ),
            Rule::StorageClass => (
                "decl.storage-class",
                "`static`, `extern`, `typedef`, `register` or `_Thread_local` locals outlive or escape one execution of the body",
                "static int warned = 0;",
            ),
            Rule::VariableArray => (
                "decl.array",
                "a local array needs a literal size or an initializer list so its length is known statically",
                "PyObject *items[n];",
            ),
            Rule::InitializerList => (
                "decl.initializer-list",
                "brace initializers are only modelled for local arrays, not for structs or scalars",
                "_PyStackRef pair = {0};",
            ),
            Rule::PointerArith => (
                "expr.pointer-arith",
                "pointer arithmetic (`p + n`, `p - q`, `p++`, `p += n`) computes raw addresses that safe Rust has no counterpart for",
                "arguments--;",
            ),
            Rule::PointerIndex => (
                "expr.pointer-index",
                "indexing is only modelled for stack arrays (`values[oparg]`) and arrays; indexing another pointer reads raw memory",
                "_PyList_ITEMS(list)[index]",
            ),
            Rule::AddrOf => (
                "expr.addr-of",
                "`&x` is only allowed as an out-parameter of a bound function (`out = [i]` in the binding table), as a read-through argument (`addr = [i]`), or on a bound global object (`&PyLong_Type`)",
                "int *p = &total_args;",
            ),
            Rule::Deref => (
                "expr.deref",
                "`*p` reads or writes raw memory",
                "PyObject *old_value = *value_ptr;",
            ),
            Rule::FnPointer => (
                "expr.fn-pointer",
                "function pointers are only callable through bound tables (a bound global or field of function-pointer type); a function used as a value or a call through a local is not",
                "PyObject *res_o = cfunc(PyCFunction_GET_SELF(callable_o), args_o, total_args, NULL);",
            ),
            Rule::StringLiteral => (
                "expr.string-literal",
                "string literals are only allowed as `const char *` arguments of bound functions",
                "const char *msg = \"bad RAISE_VARARGS oparg\";",
            ),
            Rule::Comma => (
                "expr.comma",
                "the comma operator hides sequencing inside an expression",
                "for (i = 0, j = n; i < j; i++)",
            ),
            Rule::Sizeof => (
                "expr.sizeof",
                "`sizeof`/`_Alignof` expose C memory layout, which the Rust model does not share",
                "sizeof(PyObject *)",
            ),
            Rule::NotAssignable => (
                "expr.not-assignable",
                "the target of `=`, `op=`, `++`/`--` must be a local, a stack item, an array element, or a bound name/field with a write template",
                "Py_TYPE(obj) = type;",
            ),
            Rule::CallArity => (
                "expr.call-arity",
                "a call must pass as many arguments as the bound prototype declares",
                "PyNumber_Add(left_o);",
            ),
            Rule::ArrayArg => (
                "expr.array-arg",
                "an array parameter (`array = [i]` in the binding table) takes a stack array item or a local array, whose length is known; any other pointer would be read as raw memory",
                "_PyTuple_FromStackRefStealOnSuccess(frame->localsplus, oparg);",
            ),
            Rule::OutArrayArg => (
                "expr.out-array-arg",
                "a written array parameter (`out_array = [i]`) takes the size-0 output stack array that ends the op's outputs (`top[0]`); the callee writes the output slots below it, which must all be `unused` outputs",
                "_PyEval_UnpackIterableStackRef(tstate, seq_o, oparg, -1, values);",
            ),
            Rule::TokenArg => (
                "expr.token-arg",
                "an identifier parameter (`token = [i]`, as in `_Py_ID(name)`) takes a bare identifier, which names a string, not a value",
                "_Py_ID(\"send\")",
            ),
            Rule::AddrArg => (
                "expr.addr-arg",
                "a read-through parameter (`addr = [i]`, as in `_Py_atomic_load_uintptr_relaxed(&tstate->eval_breaker)`) takes `&` of a readable place of the pointee type; the function reads the place's value, so any other pointer would be raw memory",
                "_Py_atomic_load_uintptr_relaxed(ptr)",
            ),
            Rule::TypeUnknown => (
                "type.unknown",
                "every type name must be a builtin integer type or a `[type.*]` entry of the binding table",
                "PyCFunction cfunc = meth->ml_meth;",
            ),
            Rule::TypeUnsupported => (
                "type.unsupported",
                "the type model has no `long double`, `_Complex`, `_Atomic`, enums, bit-fields or struct definitions",
                "long double d = 0;",
            ),
            Rule::CharPtrCast => (
                "type.char-ptr-cast",
                "a cast to or from `char *` is how C does byte-offset arithmetic on objects",
                "char *addr = (char *)owner_o + index;",
            ),
            Rule::PointerCast => (
                "type.pointer-cast",
                "pointer casts are only identities between object-pointer types (`PyObject *` to `PyListObject *`)",
                "PyObject **addr = (PyObject **)ptr;",
            ),
            Rule::PointerIntCast => (
                "type.pointer-int-cast",
                "casting between pointers and integers exposes addresses",
                "uintptr_t bits = (uintptr_t)ptr;",
            ),
            Rule::TypeMismatch => (
                "type.mismatch",
                "a value used where C would need an incompatible conversion (pointer from integer, struct as condition, void value, ...)",
                "PyObject *res = 1;",
            ),
            Rule::UnboundFunction => (
                "name.unbound-function",
                "every called function or function-like macro must have a `[function.*]` entry in the binding table",
                "PyObject *res_o = _PyLong_Add(left_o, right_o);",
            ),
            Rule::UnboundIdentifier => (
                "name.unbound-identifier",
                "every free name must be a local, a stack item, a cache entry, `oparg`, or a bound global/constant",
                "PyObject *exc = PyExc_TypeError;",
            ),
            Rule::UnboundField => (
                "name.unbound-field",
                "every struct field reached with `.`/`->` must have a `[field.\"Type.name\"]` entry",
                "frame->f_builtins",
            ),
            Rule::DslUnknownMacro => (
                "dsl.unknown-macro",
                "a DSL macro of another CPython version than the body's (e.g. GO_TO_INSTRUCTION was removed in 3.14)",
                "GO_TO_INSTRUCTION(LOAD_SUPER_ATTR);",
            ),
            Rule::DslBadUse => (
                "dsl.bad-use",
                "a DSL macro with the wrong number or kind of arguments, or used as a value",
                "if (DEOPT_IF(x)) { }",
            ),
            Rule::DslNotLowered => (
                "dsl.not-lowered",
                "a DSL macro that continues in another instruction's body or in a new frame (GO_TO_INSTRUCTION, DISPATCH_INLINED, HANDLE_PENDING_AND_DEOPT_IF): one body cannot be translated on its own",
                "DISPATCH_INLINED(new_frame);",
            ),
            Rule::SyntaxUnsupported => (
                "syntax.unsupported",
                "a C construct with no more specific rule (statement expressions, compound literals, _Generic, offsetof, va_arg, ...)",
                "PyObject *o = ({ PyObject *t = x; t; });",
            ),
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl serde::Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_and_round_trip() {
        let mut seen = HashSet::new();
        for r in Rule::ALL {
            assert!(seen.insert(r.id()), "duplicate id {}", r.id());
            assert_eq!(Rule::from_id(r.id()), Some(*r));
            let (cat, name) = r.id().split_once('.').expect("category.name");
            assert!(["stmt", "decl", "expr", "type", "name", "dsl", "syntax"].contains(&cat));
            assert!(name.chars().all(|c| c.is_ascii_lowercase() || c == '-'));
            assert!(!r.reason().is_empty() && !r.example().is_empty());
        }
        assert_eq!(Rule::from_id("stmt.nonexistent"), None);
    }
}
