//! C type inference against hand-computed C semantics (LP64, plain char signed).

mod common;

use common::check;
use subset::{CType, IntRank, NameRef};

/// Type (and operand type) of the `nth` occurrence of `expr` in a translatable body.
fn infer(body: &str, expr: &str, nth: usize) -> (CType, Option<CType>) {
    let (s, v) = check(body);
    assert!(v.is_translatable(), "{body}\n{:#?}", v.reasons());
    let info = s
        .info(&v, expr, nth)
        .unwrap_or_else(|| panic!("no type for `{expr}` in {body}"));
    (info.ty.clone(), info.operands.clone())
}

fn ty(body: &str, expr: &str) -> String {
    infer(body, expr, 0).0.to_string()
}

fn b(name: &str) -> CType {
    CType::builtin(name).unwrap()
}

#[test]
fn unsigned_short_difference_is_int() {
    let body = "uint16_t a = counter; uint16_t b = counter; int d = a - b;";
    assert_eq!(infer(body, "a - b", 0), (CType::INT, Some(CType::INT)));
    // The cache entry itself is uint16_t.
    assert_eq!(infer(body, "counter", 0).0, b("uint16_t"));
}

#[test]
fn shift_keeps_the_promoted_left_type() {
    let body = "uint32_t v = type_version >> 4; int w = counter << 1;";
    assert_eq!(infer(body, "type_version >> 4", 0).0, b("uint32_t"));
    assert_eq!(ty(body, "type_version >> 4"), "uint32_t");
    let shifted = infer(body, "type_version >> 4", 0).0;
    assert!(shifted
        .as_int()
        .unwrap()
        .same_repr(CType::UINT.as_int().unwrap()));
    // uint16_t << int: the left operand promotes to int.
    assert_eq!(
        infer(body, "counter << 1", 0),
        (CType::INT, Some(CType::INT))
    );
}

#[test]
fn minus_one_compared_with_unsigned_compares_as_unsigned() {
    let body = "int lt = -1 < type_version; int lt2 = -1 < counter;";
    let (t, ops) = infer(body, "-1 < type_version", 0);
    assert_eq!(t, CType::INT);
    let ops = ops.unwrap();
    assert_eq!(ops.as_int().unwrap().rank, IntRank::Int);
    assert!(!ops.as_int().unwrap().signed, "compares as unsigned int");
    // uint16_t promotes to int first: a signed comparison.
    assert_eq!(infer(body, "-1 < counter", 0).1, Some(CType::INT));
    assert_eq!(infer(body, "-1", 0), (CType::INT, Some(CType::INT)));
}

#[test]
fn conditional_with_bit_test() {
    let body = "PyObject *a = descr; PyObject *b = NULL; PyObject *r = oparg & 1 ? a : b;\n\
                long l = 2; long m = oparg & 1 ? oparg : l;";
    assert_eq!(infer(body, "oparg & 1", 0), (CType::INT, Some(CType::INT)));
    assert_eq!(ty(body, "oparg & 1 ? a : b"), "PyObject *");
    assert_eq!(infer(body, "oparg & 1 ? oparg : l", 0).0, CType::LONG);
}

#[test]
fn char_and_short_promote() {
    let body = "char c = 1; short s = 2; unsigned char u = 3; int r = c + s; int n = -c; int k = ~u; int q = c * u;";
    assert_eq!(infer(body, "c + s", 0), (CType::INT, Some(CType::INT)));
    assert_eq!(infer(body, "-c", 0).0, CType::INT);
    assert_eq!(infer(body, "~u", 0).0, CType::INT);
    assert_eq!(infer(body, "c * u", 0).0, CType::INT);
    let (s, v) = check(body);
    // `c` first occurs inside `char`; the declared name is the second occurrence.
    assert_eq!(
        s.local(&v, "c", 1).map(|t| t.to_string()).as_deref(),
        Some("char")
    );
}

#[test]
fn py_ssize_t_plus_int_and_unsigned_plus_long() {
    let body = "Py_ssize_t n = 1; Py_ssize_t m = n + oparg; unsigned int u = 1; long l = 2; long s = u + l;\n\
                size_t z = 1; size_t y = z + n;";
    let (t, _) = infer(body, "n + oparg", 0);
    assert_eq!(t, b("Py_ssize_t"));
    assert_eq!(t.as_int().unwrap().rank, IntRank::Long);
    assert_eq!(infer(body, "u + l", 0).0, CType::LONG);
    assert_eq!(infer(body, "z + n", 0).0, b("size_t"));
}

#[test]
fn object_pointer_types() {
    let body = "PyListObject *l = (PyListObject *)descr; PyTypeObject *t = Py_TYPE(descr);\n\
                int same = Py_TYPE(descr) == t; PyObject *o = PyStackRef_AsPyObjectBorrow(left);";
    assert_eq!(ty(body, "(PyListObject *)descr"), "PyListObject *");
    assert_eq!(ty(body, "Py_TYPE(descr)"), "PyTypeObject *");
    assert_eq!(ty(body, "PyStackRef_AsPyObjectBorrow(left)"), "PyObject *");
    assert_eq!(infer(body, "Py_TYPE(descr) == t", 0), (CType::INT, None));
    assert_eq!(ty(body, "left"), "_PyStackRef");
}

#[test]
fn literal_types() {
    let body = "unsigned int a = 0xFFFFFFFF; long b = 4294967296; unsigned int c = 1u; int d = 'a';\n\
                float f = 1.5f; double g = 2.5; long e = 0x7fffffffffffffff; unsigned long h = 0xffffffffffffffff;\n\
                unsigned long i = 10UL; long long j = 5LL; int k = 017;";
    assert_eq!(infer(body, "0xFFFFFFFF", 0).0, CType::UINT);
    assert_eq!(infer(body, "4294967296", 0).0, CType::LONG);
    assert_eq!(infer(body, "1u", 0).0, CType::UINT);
    assert_eq!(infer(body, "'a'", 0).0, CType::INT);
    assert_eq!(ty(body, "1.5f"), "float");
    assert_eq!(ty(body, "2.5"), "double");
    assert_eq!(infer(body, "0x7fffffffffffffff", 0).0, CType::LONG);
    assert_eq!(infer(body, "0xffffffffffffffff", 0).0, CType::ULONG);
    assert_eq!(infer(body, "10UL", 0).0, CType::ULONG);
    assert_eq!(infer(body, "5LL", 0).0, CType::LONGLONG);
    assert_eq!(infer(body, "017", 0).0, CType::INT);
}

#[test]
fn compound_assignment_records_the_operation_type() {
    let body =
        "uint16_t c = counter; c += 1; double d = 1.0; d *= oparg; Py_ssize_t n = 0; n -= counter;";
    assert_eq!(infer(body, "c += 1", 0), (b("uint16_t"), Some(CType::INT)));
    assert_eq!(
        infer(body, "d *= oparg", 0),
        (CType::DOUBLE, Some(CType::DOUBLE))
    );
    assert_eq!(
        infer(body, "n -= counter", 0),
        (b("Py_ssize_t"), Some(b("Py_ssize_t")))
    );
}

#[test]
fn names_resolve_to_their_origin() {
    let body = "int x = oparg; PyObject *d = descr; _PyStackRef v = values[0];\n\
                unsigned long f = Py_TYPE(d)->tp_flags; int add = NB_ADD; x = LOAD_ATTR;\n\
                PyThreadState *t = tstate; x = x + 1;";
    let (s, v) = check(body);
    assert!(v.is_translatable(), "{:#?}", v.reasons());
    let name = |e: &str, nth: usize| s.info(&v, e, nth).and_then(|i| i.name.clone());
    assert_eq!(name("oparg", 0), Some(NameRef::Oparg));
    assert_eq!(name("descr", 0), Some(NameRef::Cache));
    assert_eq!(name("values", 0), Some(NameRef::StackItem));
    assert_eq!(
        name("Py_TYPE(d)->tp_flags", 0),
        Some(NameRef::Field {
            struct_name: "PyTypeObject".into(),
            field: "tp_flags".into()
        })
    );
    assert_eq!(
        name("Py_TYPE(d)", 0),
        Some(NameRef::Function("Py_TYPE".into()))
    );
    assert_eq!(
        name("NB_ADD", 0),
        Some(NameRef::Constant("NB_ADD".into(), 0))
    );
    assert_eq!(name("LOAD_ATTR", 0), Some(NameRef::EnvConstant(81)));
    assert_eq!(name("tstate", 0), Some(NameRef::Global("tstate".into())));
    // `x` in `x + 1` is the local declared first.
    assert_eq!(name("x + 1", 0), None);
    let decl = match name("x", 3) {
        Some(NameRef::Local { decl }) => decl,
        other => panic!("{other:?}"),
    };
    assert_eq!(decl.start, s.span_of("x", 0).start);
    assert_eq!(v.typing().locals.get(&decl), Some(&CType::INT));
}

#[test]
fn array_locals_get_their_length_from_the_initializer() {
    let body = "PyObject *stack[] = {descr, descr, NULL}; PyObject *o = stack[1];";
    let (s, v) = check(body);
    assert!(v.is_translatable(), "{:#?}", v.reasons());
    let t = s.local(&v, "stack", 0).unwrap();
    assert_eq!(t.to_string(), "PyObject *[3]");
    assert_eq!(
        s.info(&v, "stack[1]", 0).unwrap().ty.to_string(),
        "PyObject *"
    );
}

#[test]
fn code_unit_pointer_arithmetic_is_allowed_only_on_indexed_types() {
    // The fixture table leaves `_Py_CODEUNIT` unindexed: raw pointer arithmetic bails.
    let (_, v) = common::check("int d = (int)(next_instr - this_instr);");
    assert!(!v.is_translatable());
    assert_eq!(common::rule_ids(&v), vec!["expr.pointer-arith"]);
    // The runtime's table marks it `indexed`: `p + n`, `p[i]`, `p - q` type like C's.
    let b = subset::Bindings::load(&subset::Bindings::default_path()).expect("default table");
    let body = "ptrdiff_t d = next_instr - this_instr; uint16_t c = this_instr[1].counter; \
                uint8_t o = (next_instr + oparg)->op.code; uint8_t p = (next_instr - 1)->op.code;";
    let s = common::parse(&b, body);
    let v = subset::check_body(&s.body, &common::env(), &b);
    assert!(v.is_translatable(), "{:#?}", v.reasons());
    let t = |e: &str| {
        s.info(&v, e, 0)
            .unwrap_or_else(|| panic!("no type for `{e}`"))
            .ty
            .to_string()
    };
    assert_eq!(t("next_instr - this_instr"), "ptrdiff_t");
    assert_eq!(t("this_instr[1]"), "_Py_CODEUNIT");
    assert_eq!(t("(next_instr + oparg)"), "_Py_CODEUNIT *");
    assert_eq!(t("(next_instr - 1)"), "_Py_CODEUNIT *");
    // An object pointer still cannot move.
    let s = common::parse(&b, "PyObject *q = (PyObject *)NULL; PyObject *r = q + 1;");
    let v = subset::check_body(&s.body, &common::env(), &b);
    assert!(v
        .reasons()
        .iter()
        .any(|r| r.rule.id() == "expr.pointer-arith"));
}
