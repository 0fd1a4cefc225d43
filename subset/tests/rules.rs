//! Each rule: an allowed variant passes, a disallowed one bails with exactly that rule id.

mod common;

use common::{check, check_with, env, rule_ids};
use subset::{BodyEnv, Rule};

/// (rule id, allowed body, body that breaks exactly this rule)
const CASES: &[(&str, &str, &str)] = &[
    (
        "stmt.goto-non-label",
        "if (oparg) goto error;",
        "if (oparg) goto retry;",
    ),
    ("stmt.label", "int x = 0; x++;", "int x = 0; done: x++;"),
    (
        "stmt.switch",
        "int x = 0; if (oparg == 1) { x = 1; } else if (oparg == 2) { x = 2; }",
        "int x = 0; switch (oparg) { case 1: x = 1; break; default: break; }",
    ),
    (
        "stmt.do-while",
        "int i = oparg; while (i > 0) { i--; }",
        "int i = oparg; do { i--; } while (i > 0);",
    ),
    ("stmt.return", "DISPATCH();", "return;"),
    (
        "stmt.break-outside-loop",
        "for (int i = 0; i < oparg; i++) { if (i == 3) { break; } continue; }",
        "if (oparg) { break; }",
    ),
    (
        "stmt.asm",
        "int x = 1;",
        "__asm__ volatile (\"\" ::: \"memory\");",
    ),
    ("decl.storage-class", "int n = 0;", "static int n = 0;"),
    (
        "decl.array",
        "PyObject *items[2] = {descr, descr};",
        "PyObject *items[oparg];",
    ),
    (
        "decl.initializer-list",
        "PyObject *items[] = {descr, NULL};",
        "_PyStackRef pair = {0};",
    ),
    (
        "expr.pointer-arith",
        "Py_ssize_t n = PyList_GET_SIZE(descr) - 1;",
        "PyObject *o = descr; PyObject *q = o + 1;",
    ),
    (
        "expr.pointer-index",
        "_PyStackRef v = values[oparg - 1]; values[0] = v;",
        "PyObject *o = ((PyListObject *)descr)->ob_item[0];",
    ),
    (
        "expr.addr-of",
        "int overflow; long v = PyLong_AsLongAndOverflow(descr, &overflow);\n\
         int is_list = Py_TYPE(descr) == &PyList_Type;",
        "int x = 0; int *p = &x;",
    ),
    (
        "expr.deref",
        "PyObject **pp = ((PyListObject *)descr)->ob_item;",
        "PyObject **pp = ((PyListObject *)descr)->ob_item; PyObject *o = *pp;",
    ),
    (
        "expr.fn-pointer",
        "PyObject *r = _PyEval_BinaryOps[NB_ADD](descr, descr);",
        "PyObject *(*f)(PyObject *, PyObject *) = _PyEval_BinaryOps[NB_ADD];",
    ),
    (
        "expr.string-literal",
        "_PyErr_Format(tstate, PyExc_TypeError, \"bad %d %s\", oparg, \"x\");",
        "const char *msg = \"bad\";",
    ),
    (
        "expr.comma",
        "int i = 0, j = 1; i = j;",
        "int i = 0, j = 1; i = (j = 2, 3);",
    ),
    (
        "expr.sizeof",
        "Py_ssize_t n = 8;",
        "Py_ssize_t n = sizeof(PyObject *);",
    ),
    (
        "expr.not-assignable",
        "next_instr = this_instr; GETLOCAL(oparg) = left; Py_TYPE(descr)->tp_version_tag = 0;",
        "this_instr = next_instr;",
    ),
    (
        "expr.call-arity",
        "PyObject *r = PyNumber_Add(descr, descr);",
        "PyObject *r = PyNumber_Add(descr);",
    ),
    (
        "expr.array-arg",
        "_PyStackRef pair[2] = {left, right};\n\
         PyObject *t = _PyTuple_FromStackRefStealOnSuccess(values, oparg);\n\
         PyObject *u = _PyTuple_FromStackRefStealOnSuccess(pair, 2);",
        "PyObject *t = _PyTuple_FromStackRefStealOnSuccess(oparg ? values : values, oparg);",
    ),
    (
        "expr.out-array-arg",
        "int r = _PyEval_UnpackIterableStackRef(tstate, descr, oparg, -1, outs);",
        "int r = _PyEval_UnpackIterableStackRef(tstate, descr, oparg, -1, values);",
    ),
    (
        "expr.token-arg",
        "PyObject *n = &_Py_ID(__name__); int same = descr == &_Py_ID(x);",
        "PyObject *n = &_Py_ID(\"x\");",
    ),
    (
        "expr.addr-arg",
        "uintptr_t b = _Py_atomic_load_uintptr_relaxed(&tstate->eval_breaker); uintptr_t c = b; uintptr_t d = _Py_atomic_load_uintptr_relaxed(&c);",
        "uintptr_t d = _Py_atomic_load_uintptr_relaxed(0);",
    ),
    (
        "type.unknown",
        "PyListObject *l = (PyListObject *)descr;",
        "PyCFunction f = 0;",
    ),
    (
        "type.unsupported",
        "double d = 1.0;",
        "long double d = 1.0;",
    ),
    (
        "type.char-ptr-cast",
        "PyObject *o = (PyObject *)descr;",
        "char *p = (char *)descr;",
    ),
    (
        "type.pointer-cast",
        "PyTypeObject *t = (PyTypeObject *)descr;",
        "PyObject **pp = (PyObject **)descr;",
    ),
    (
        "type.pointer-int-cast",
        "uintptr_t x = (uintptr_t)oparg;",
        "uintptr_t x = (uintptr_t)descr;",
    ),
    ("type.mismatch", "PyObject *o = NULL;", "PyObject *o = 1;"),
    (
        "name.unbound-function",
        "PyObject *r = PyNumber_Add(descr, descr);",
        "PyObject *r = _PyLong_Add(descr, descr);",
    ),
    (
        "name.unbound-identifier",
        "PyObject *e = PyExc_TypeError;",
        "PyObject *e = PyExc_ValueError;",
    ),
    (
        "name.unbound-field",
        "unsigned long f = Py_TYPE(descr)->tp_flags;",
        "unsigned long f = Py_TYPE(descr)->tp_foo;",
    ),
    (
        "dsl.unknown-macro",
        "DEAD(left);",
        "GO_TO_INSTRUCTION(LOAD_ATTR);",
    ),
    (
        "dsl.bad-use",
        "DEOPT_IF(oparg == 0);",
        "int x = DEOPT_IF(oparg == 0);",
    ),
    ("dsl.not-lowered", "DISPATCH();", "DISPATCH_INLINED(descr);"),
    (
        "syntax.unsupported",
        "int x = oparg;",
        "int x = ({ int t = oparg; t; });",
    ),
];

#[test]
fn every_rule_has_a_case() {
    let mut ids: Vec<_> = CASES.iter().map(|c| c.0).collect();
    ids.sort_unstable();
    let mut rules: Vec<_> = Rule::ALL.iter().map(|r| r.id()).collect();
    rules.sort_unstable();
    assert_eq!(ids, rules);
}

#[test]
fn allowed_variants_pass() {
    for (id, ok, _) in CASES {
        let (_, v) = check(ok);
        assert!(
            v.is_translatable(),
            "{id}: allowed body bails: {:#?}\n{ok}",
            v.reasons()
        );
    }
}

#[test]
fn disallowed_variants_bail_with_exactly_their_rule() {
    for (id, _, bad) in CASES {
        let (_, v) = check(bad);
        assert_eq!(rule_ids(&v), vec![*id], "{bad}\n{:#?}", v.reasons());
    }
}

#[test]
fn dsl_macros_check_their_arguments() {
    for (body, id) in [
        ("DEOPT_IF();", "dsl.bad-use"),
        ("DEAD(oparg);", "dsl.bad-use"),
        ("ERROR_IF(oparg, nowhere);", "stmt.goto-non-label"),
        ("ERROR_IF(oparg, 3);", "dsl.bad-use"),
        ("STAT_INC(1, hit);", "dsl.bad-use"),
        ("JUMPBY(descr);", "type.mismatch"),
        ("ERROR_IF(res);", "type.mismatch"),
        ("int s = INSTRUCTION_SIZE(); s++;", "dsl.bad-use"),
    ] {
        let (_, v) = check(body);
        assert_eq!(rule_ids(&v), vec![id], "{body}\n{:#?}", v.reasons());
    }
    for body in [
        "ERROR_IF(oparg, error);",
        "STAT_INC(LOAD_ATTR, hit);",
        "JUMPBY(oparg + 1);",
        "int s = INSTRUCTION_SIZE; s++;",
        "assert(descr != NULL);",
        "DECREF_INPUTS(); INPUTS_DEAD(); SYNC_SP();",
    ] {
        let (_, v) = check(body);
        assert!(v.is_translatable(), "{body}\n{:#?}", v.reasons());
    }
}

#[test]
fn dsl_macros_depend_on_the_version() {
    let v13 = BodyEnv {
        dsl_macros: subset::DslMacro::for_version(13),
        ..env()
    };
    let (_, v) = check_with("DEAD(left);", &v13);
    assert_eq!(rule_ids(&v), vec!["dsl.unknown-macro"]);
    let (_, v) = check_with("GO_TO_INSTRUCTION(LOAD_ATTR);", &v13);
    assert_eq!(rule_ids(&v), vec!["dsl.not-lowered"]);
    let (_, v) = check_with("if (oparg) { CHECK_EVAL_BREAKER(); }", &v13);
    assert!(v.is_translatable(), "{:#?}", v.reasons());
    let (_, v) = check("CHECK_EVAL_BREAKER();");
    assert_eq!(rule_ids(&v), vec!["dsl.unknown-macro"]);
}

#[test]
fn every_reason_is_reported_with_its_span() {
    let body = "PyObject *r = _PyLong_Add(descr, descr);\n\
                PyObject *o = descr;\n\
                PyObject *q = o + 1;\n\
                PyObject *e = PyExc_ValueError;\n\
                r = _PyLong_Add(o, q);";
    let (s, v) = check(body);
    let got: Vec<(&str, &str, String)> = v
        .reasons()
        .iter()
        .map(|r| (r.rule.id(), s.text_at(r.span), r.message.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "name.unbound-function",
                "_PyLong_Add",
                "unbound function _PyLong_Add".to_string()
            ),
            (
                "expr.pointer-arith",
                "o + 1",
                "pointer arithmetic (`+`)".to_string()
            ),
            (
                "name.unbound-identifier",
                "PyExc_ValueError",
                "unbound identifier PyExc_ValueError".to_string()
            ),
            (
                "name.unbound-function",
                "_PyLong_Add",
                "unbound function _PyLong_Add".to_string()
            ),
        ]
    );
    assert_eq!(v.reasons()[3].span, s.span_of("_PyLong_Add", 1));
}

#[test]
fn unknown_env_types_are_reported() {
    let e = env().with_typed_stack(
        "new_frame",
        subset::StackRole::Output,
        subset::CType::named("_PyNoSuchFrame").ptr(),
    );
    let (_, v) = check_with("int x = 0;", &e);
    assert_eq!(rule_ids(&v), vec!["type.unknown"]);
    assert!(v.reasons()[0].message.contains("new_frame"));
}

#[test]
fn one_problem_is_one_reason() {
    // A local of an unknown type: its later uses are not reported again as unbound.
    let (_, v) = check("PyCFunction f = 0; int g = f; f = 1;");
    assert_eq!(v.reasons().len(), 1, "{:#?}", v.reasons());
    assert_eq!(rule_ids(&v), vec!["type.unknown"]);
    // Storing through a pointer is one dereference, not also an unassignable target.
    let (_, v) = check("PyObject **pp = ((PyListObject *)descr)->ob_item; *pp = descr;");
    assert_eq!(v.reasons().len(), 1, "{:#?}", v.reasons());
    assert_eq!(rule_ids(&v), vec!["expr.deref"]);
    // An unbound callee: its arguments are still checked, the call yields no type.
    let (_, v) = check("int x = 0; PyObject *r = _PyLong_Add(descr, &x);");
    assert_eq!(rule_ids(&v), vec!["name.unbound-function"]);
}

#[test]
fn declared_stack_types_resolve_or_are_reported() {
    let b = common::bindings();
    let e = env()
        .with_declared_stack(
            "new_frame",
            subset::StackRole::Output,
            "_PyInterpreterFrame *",
            &b,
        )
        .with_declared_stack("weird", subset::StackRole::Input, "_PyWeird *", &b);
    assert_eq!(
        e.stack_item("new_frame").unwrap().ty,
        subset::CType::named("_PyInterpreterFrame").ptr()
    );
    let (_, v) = check_with("new_frame = frame;", &e);
    assert_eq!(rule_ids(&v), vec!["type.unknown"]);
    assert!(
        v.reasons()[0].message.contains("weird"),
        "{:#?}",
        v.reasons()
    );
}

#[test]
fn case_labels_outside_a_switch_are_switch_syntax() {
    let (_, v) = check("int x = 0; if (oparg) { default: x = 1; }");
    assert_eq!(rule_ids(&v), vec!["stmt.switch"], "{:#?}", v.reasons());
    // Inside a switch, the switch itself is the one reason.
    let (_, v) = check("int x = 0; switch (oparg) { case 1: x = 1; break; }");
    assert_eq!(v.reasons().len(), 1, "{:#?}", v.reasons());
}

#[test]
fn byref_arguments_must_be_assignable() {
    let (_, v) = check("PyObject *o = descr; Py_CLEAR(o);");
    assert!(v.is_translatable(), "{:#?}", v.reasons());
    let (_, v) = check("Py_CLEAR(Py_TYPE(descr));");
    assert_eq!(
        rule_ids(&v),
        vec!["expr.not-assignable"],
        "{:#?}",
        v.reasons()
    );
}

/// `digit ob_digit[1]` is bound element-wise: `p->long_value.ob_digit[i]` reads a `digit`;
/// the array itself is no value a body may hold.
#[test]
fn array_fields_are_read_indexed() {
    let (s, v) =
        check("PyObject *o = descr; Py_ssize_t i = ((PyLongObject *)o)->long_value.ob_digit[0];");
    assert!(v.is_translatable(), "{:#?}", v.reasons());
    let info = s
        .info(&v, "((PyLongObject *)o)->long_value.ob_digit[0]", 0)
        .unwrap();
    assert_eq!(info.ty.to_string(), "digit");
    let (_, v) = check("PyObject *o = descr; digit *d = ((PyLongObject *)o)->long_value.ob_digit;");
    assert_eq!(rule_ids(&v), vec!["type.unsupported"], "{:#?}", v.reasons());
    assert!(v.reasons()[0].message.contains("read other than as `[i]`"));
}

#[test]
fn nested_field_paths() {
    let (s, v) = check("uint8_t c = this_instr->op.code; next_instr->op.code = c;");
    assert!(v.is_translatable(), "{:#?}", v.reasons());
    let info = s.info(&v, "this_instr->op.code", 0).unwrap();
    assert_eq!(
        info.name,
        Some(subset::NameRef::Field {
            struct_name: "_Py_CODEUNIT".into(),
            field: "op.code".into()
        })
    );
    let (_, v) = check("uint8_t a = this_instr->op.arg;");
    assert_eq!(rule_ids(&v), vec!["name.unbound-field"]);
    assert!(
        v.reasons()[0].message.contains("_Py_CODEUNIT.op"),
        "{:#?}",
        v.reasons()
    );
}

#[test]
fn byref_parameter_may_be_declared_as_pointer_to_the_place() {
    // `Py_CLEAR` is bound as `void Py_CLEAR(PyObject **op)` with `byref = [0]`: the argument is
    // the place itself, a `PyObject *` (or any object pointer), not its address.
    let (_, v) = check("PyListObject *l = (PyListObject *)descr; Py_CLEAR(l);");
    assert!(v.is_translatable(), "{:#?}", v.reasons());
    let (_, v) = check("int n = 0; Py_CLEAR(n);");
    assert_eq!(rule_ids(&v), vec!["type.mismatch"], "{:#?}", v.reasons());
}

#[test]
fn stack_views_move_and_read_but_do_not_store() {
    // `_PyStackRef *arguments = args; arguments--; arguments[0]` (CALL_ISINSTANCE).
    let ok = "_PyStackRef *p = values; if (oparg) { p--; } _PyStackRef v = p[0];\n\
              _PyStackRef *q = p; q++; PyObject *t = _PyTuple_FromStackRefStealOnSuccess(q, oparg);";
    let (_, v) = check(ok);
    assert!(v.is_translatable(), "{:#?}", v.reasons());
    for (body, id) in [
        // a view must start at a stack array item
        (
            "_PyStackRef *p = NULL; _PyStackRef v = p[0];",
            "expr.pointer-arith",
        ),
        // arithmetic other than ++/-- still computes addresses
        (
            "_PyStackRef *p = values; _PyStackRef *q = p + 1;",
            "expr.pointer-arith",
        ),
        // views are read-only
        (
            "_PyStackRef *p = values; p[0] = left;",
            "expr.not-assignable",
        ),
    ] {
        let (_, v) = check(body);
        assert_eq!(rule_ids(&v), vec![id], "{body}\n{:#?}", v.reasons());
    }
}
