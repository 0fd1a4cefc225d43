//! The binding-table loader: a valid table loads with the expected C types; malformed tables
//! are rejected with typed errors naming the entry.

use std::path::Path;

use subset::bindings::{Entry, KindName, Problem};
use subset::{Bindings, BindingsError, CType, IntRank, Kind};

fn fixture() -> Bindings {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini.toml");
    Bindings::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn obj() -> CType {
    CType::named("PyObject").ptr()
}

#[test]
fn loads_prototypes_into_c_types() {
    let b = fixture();
    let add = b.function("PyNumber_Add").unwrap();
    assert_eq!(add.ty.ret, obj());
    assert_eq!(add.ty.params, vec![obj(), obj()]);
    assert!(!add.ty.variadic);
    assert_eq!(add.param_names, vec![Some("a".into()), Some("b".into())]);
    assert_eq!(
        add.rust.expand(&["x".into(), "y".into()], 2, None, None),
        "vm.number_add(x, y)"
    );

    let len = b.function("PyList_GET_SIZE").unwrap();
    assert_eq!(len.ty.ret, CType::builtin("Py_ssize_t").unwrap());
    assert_eq!(len.ty.ret.as_int().unwrap().rank, IntRank::Long);

    let ovf = b.function("PyLong_AsLongAndOverflow").unwrap();
    assert_eq!(ovf.out, vec![1]);
    assert_eq!(ovf.ty.params[1], CType::INT.ptr());

    let fmt = b.function("_PyErr_Format").unwrap();
    assert!(fmt.ty.variadic);
    assert_eq!(fmt.ty.params.len(), 3);
    assert!(fmt.ty.params[2].is_char_pointer());

    let getlocal = b.function("GETLOCAL").unwrap();
    assert!(getlocal.lvalue);
    assert!(getlocal.set.is_some());
}

#[test]
fn loads_globals_constants_fields_and_types() {
    let b = fixture();
    assert_eq!(
        b.global("frame").unwrap().c,
        CType::named("_PyInterpreterFrame").ptr()
    );
    assert!(b.global("next_instr").unwrap().set.is_some());
    let ops = &b.global("_PyEval_BinaryOps").unwrap().c;
    match ops {
        CType::Array(elem, None) => match &**elem {
            CType::Pointer(f) => {
                assert!(matches!(&**f, CType::Function(ft) if ft.params.len() == 2))
            }
            other => panic!("{other}"),
        },
        other => panic!("{other}"),
    }
    assert_eq!(
        b.constant("Py_TPFLAGS_LIST_SUBCLASS").unwrap().value,
        1 << 25
    );
    assert_eq!(b.constant("NB_ADD").unwrap().c, CType::INT);
    let flags = b.field("PyTypeObject", "tp_flags").unwrap();
    assert_eq!(flags.c, CType::ULONG);
    assert_eq!(
        flags.get.expand(&[], 0, Some("t"), None),
        "vm.type_flags(t)"
    );
    assert_eq!(
        b.field("_PyInterpreterFrame", "return_offset").unwrap().c,
        CType::builtin("uint16_t").unwrap()
    );
    assert_eq!(
        b.field("PyListObject", "ob_item").unwrap().c,
        CType::named("PyObject").ptr().ptr()
    );
    let digit = b.type_binding("digit").unwrap();
    assert_eq!(digit.ty, CType::aliased_int(IntRank::Int, false, "digit"));
    assert!(b.is_object_pointer(&CType::named("PyListObject").ptr()));
    assert!(!b.is_object_pointer(&CType::named("_PyInterpreterFrame").ptr()));
    assert_eq!(b.rust_type(&obj()).as_deref(), Some("runtime::Obj"));
    assert_eq!(
        b.rust_type(&CType::builtin("Py_ssize_t").unwrap())
            .as_deref(),
        Some("isize")
    );
    assert!(matches!(
        b.lookup(Kind::Field, "PyTypeObject.tp_flags"),
        Some(Entry::Field(_))
    ));
    assert!(matches!(
        b.lookup(Kind::Dsl, "DEOPT_IF"),
        Some(Entry::Dsl(_))
    ));
    assert!(b.lookup(Kind::Function, "frame").is_none());
    assert_eq!(
        b.parse_type("_PyInterpreterFrame *"),
        Ok(CType::named("_PyInterpreterFrame").ptr())
    );
    assert_eq!(b.parse_type("unsigned long long"), Ok(CType::ULONGLONG));
    assert!(b.parse_type("NotAType *").is_err());
}

/// The single invalid entry of a table that must fail.
fn errors_of(text: &str) -> Vec<subset::bindings::EntryError> {
    match Bindings::from_str(text, "<test>") {
        Err(BindingsError::Invalid { errors, .. }) => errors,
        Err(other) => panic!("expected entry errors, got {other}"),
        Ok(_) => panic!("table accepted:\n{text}"),
    }
}

const OBJ: &str = "[type.\"PyObject\"]\nrust = \"runtime::Obj\"\nclass = \"object-pointer\"\n";

#[test]
fn rejects_bad_prototypes() {
    let e = errors_of(&format!(
        "{OBJ}[function.\"f\"]\nsig = \"PyObject *f(PyObject *a,)\"\nrust = \"vm.f({{0}})\"\n"
    ));
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].kind, KindName::Known(Kind::Function));
    assert_eq!(e[0].name, "f");
    assert!(
        matches!(e[0].problem, Problem::CSyntax { .. }),
        "{:?}",
        e[0]
    );
    assert_eq!((e[0].line, e[0].col), (5, 7));

    let e = errors_of(&format!(
        "{OBJ}[function.\"f\"]\nsig = \"Frob *f(PyObject *a)\"\nrust = \"vm.f({{0}})\"\n"
    ));
    // `Frob` is not a typedef name, so lang-c cannot parse the declaration; the error names it.
    assert!(
        matches!(&e[0].problem, Problem::CType { message, .. } if message == "unknown type `Frob`"),
        "{:?}",
        e[0]
    );

    let e = errors_of(&format!(
        "{OBJ}[function.\"f\"]\nsig = \"PyObject *g(PyObject *a)\"\nrust = \"vm.f({{0}})\"\n"
    ));
    assert_eq!(
        e[0].problem,
        Problem::SigNameMismatch {
            declared: "g".into()
        }
    );

    let e = errors_of(&format!(
        "{OBJ}[function.\"f\"]\nsig = \"PyObject *f\"\nrust = \"vm.f()\"\n"
    ));
    assert_eq!(e[0].problem, Problem::NotAPrototype);
}

#[test]
fn rejects_bad_templates_and_out_params() {
    let e = errors_of(&format!(
        "{OBJ}[function.\"f\"]\nsig = \"PyObject *f(PyObject *a)\"\nrust = \"vm.f({{1}})\"\n"
    ));
    assert!(matches!(
        e[0].problem,
        Problem::Template { key: "rust", .. }
    ));
    let e = errors_of(&format!(
        "{OBJ}[function.\"f\"]\nsig = \"int f(int a)\"\nrust = \"vm.f({{0}})\"\nout = [0]\n"
    ));
    assert_eq!(
        e[0].problem,
        Problem::OutNotPointer {
            index: 0,
            ty: "int".into()
        }
    );
    let e = errors_of(&format!(
        "{OBJ}[function.\"f\"]\nsig = \"int f(int *a)\"\nrust = \"vm.f({{0}})\"\nout = [3]\n"
    ));
    assert_eq!(e[0].problem, Problem::OutOfRange { index: 3, arity: 1 });
    let e = errors_of(&format!(
        "{OBJ}[function.\"f\"]\nsig = \"int f(int a)\"\nrust = \"vm.f({{0}})\"\nset = \"vm.g({{0}}, {{value}})\"\n"
    ));
    assert_eq!(e[0].problem, Problem::SetWithoutLvalue);
    let e = errors_of(&format!(
        "{OBJ}[field.\"PyObject.ob_refcnt\"]\nc = \"long\"\nget = \"vm.rc({{value}})\"\n"
    ));
    assert!(matches!(e[0].problem, Problem::Template { key: "get", .. }));
}

#[test]
fn array_and_token_parameters_need_the_right_pointer_types() {
    let e = errors_of(&format!(
        "{OBJ}[function.\"f\"]\nsig = \"PyObject *f(int *a, long n)\"\nrust = \"vm.f({{0}}, {{1}})\"\narray = [0]\n"
    ));
    assert_eq!(
        e[0].problem,
        Problem::ArrayNotElementPointer {
            index: 0,
            ty: "int *".into()
        }
    );
    let e = errors_of(&format!(
        "{OBJ}[function.\"f\"]\nsig = \"PyObject *f(PyObject *a)\"\nrust = \"vm.f({{0}})\"\ntoken = [0]\n"
    ));
    assert!(matches!(
        e[0].problem,
        Problem::TokenNotCharPointer { index: 0, .. }
    ));
    let e = errors_of(&format!(
        "{OBJ}[function.\"f\"]\nsig = \"PyObject *f(PyObject **a, long n)\"\nrust = \"vm.f({{0}}, {{1}})\"\narray = [2]\n"
    ));
    assert_eq!(e[0].problem, Problem::OutOfRange { index: 2, arity: 2 });
    // `out_array`: the callee writes stack references; an object array is not one.
    let e = errors_of(&format!(
        "{OBJ}[function.\"f\"]\nsig = \"int f(PyObject **sp)\"\nrust = \"vm.f({{0}})\"\nout_array = [0]\n"
    ));
    assert_eq!(
        e[0].problem,
        Problem::ArrayNotElementPointer {
            index: 0,
            ty: "PyObject **".into()
        }
    );
    // `addr`: a pointer to one integer the function reads through; not an object array.
    let e = errors_of(&format!(
        "{OBJ}[function.\"f\"]\nsig = \"long f(long n)\"\nrust = \"vm.f({{0}})\"\naddr = [0]\n"
    ));
    assert_eq!(
        e[0].problem,
        Problem::AddrNotScalarPointer {
            index: 0,
            ty: "long".into()
        }
    );
    let e = errors_of(&format!(
        "{OBJ}[function.\"f\"]\nsig = \"long f(PyObject *const *a)\"\nrust = \"vm.f({{0}})\"\naddr = [0]\n"
    ));
    assert!(matches!(
        e[0].problem,
        Problem::AddrNotScalarPointer { index: 0, .. }
    ));
    let t = format!(
        "{OBJ}[function.\"f\"]\nsig = \"long f(const unsigned long *a)\"\nrust = \"vm.f({{0}})\"\naddr = [0]\n"
    );
    let b = Bindings::from_str(&t, "<test>").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(b.function("f").map(|f| f.addr.clone()), Some(vec![0]));
    // `PyObject *const *args` and `const _PyStackRef *src` are array parameters.
    let t = format!(
        "{OBJ}[function.\"f\"]\nsig = \"PyObject *f(PyObject *const *a, long n)\"\nrust = \"vm.f({{0}}, {{1}})\"\narray = [0]\n"
    );
    let b = Bindings::from_str(&t, "<test>").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(b.function("f").map(|f| f.array.clone()), Some(vec![0]));
}

#[test]
fn rejects_missing_unknown_and_mistyped_keys() {
    let e = errors_of(&format!(
        "{OBJ}[function.\"f\"]\nrust = \"vm.f()\"\nsigh = \"int f(void)\"\n"
    ));
    let problems: Vec<_> = e.iter().map(|e| e.problem.clone()).collect();
    assert!(problems.contains(&Problem::MissingKey("sig")));
    assert!(problems.contains(&Problem::UnknownKey("sigh".into())));

    let e = errors_of("[type.\"T\"]\nrust = \"u8\"\nclass = \"int\"\nbits = 12\nsigned = false\n");
    assert_eq!(e[0].problem, Problem::BadBits(12, "8, 16, 32, 64"));
    let e = errors_of("[type.\"T\"]\nrust = \"u8\"\nclass = \"integer\"\n");
    assert_eq!(e[0].problem, Problem::BadClass("integer".into()));
    let e = errors_of(
        "[type.\"uint16_t\"]\nrust = \"u16\"\nclass = \"int\"\nbits = 16\nsigned = true\n",
    );
    assert!(matches!(e[0].problem, Problem::BuiltinMismatch { .. }));
    let e = errors_of("[global.\"g\"]\nc = \"int\"\nrust = 3\n");
    assert_eq!(
        e[0].problem,
        Problem::WrongValue {
            key: "rust".into(),
            expected: "a string"
        }
    );
    let e = errors_of("[functoin.\"f\"]\nsig = \"int f(void)\"\n");
    assert_eq!(e[0].kind, KindName::Unknown("functoin".into()));
    assert_eq!(e[0].problem, Problem::UnknownKind);
}

#[test]
fn rejects_bad_constants_fields_dsl_and_duplicates() {
    let e = errors_of("[constant.\"C\"]\nc = \"uint8_t\"\nvalue = 300\n");
    assert_eq!(
        e[0].problem,
        Problem::ValueOutOfRange {
            value: 300,
            ty: "uint8_t".into()
        }
    );
    let e = errors_of(&format!(
        "{OBJ}[constant.\"C\"]\nc = \"PyObject *\"\nvalue = 5\n"
    ));
    assert_eq!(
        e[0].problem,
        Problem::ConstantNotInteger("PyObject *".into())
    );
    let e = errors_of("[field.\"Nope.x\"]\nc = \"int\"\nget = \"{base}.x\"\n");
    assert_eq!(e[0].problem, Problem::UnknownStruct("Nope".into()));
    let e = errors_of("[field.\"justname\"]\nc = \"int\"\nget = \"{base}.x\"\n");
    assert_eq!(e[0].problem, Problem::BadFieldKey);
    let e = errors_of("[global.\"g\"]\nc = \"Nope *\"\nrust = \"vm.g()\"\n");
    assert!(
        matches!(&e[0].problem, Problem::CType { message, .. } if message == "unknown type `Nope`"),
        "{e:?}"
    );
    let e = errors_of("[dsl.\"DEOPT_IF\"]\nmeening = \"x\"\n");
    assert_eq!(e[0].problem, Problem::MissingKey("meaning"));
    let e = errors_of(
        "[function.\"x\"]\nsig = \"int x(void)\"\nrust = \"vm.x()\"\n[global.\"x\"]\nc = \"int\"\nrust = \"vm.x\"\n",
    );
    assert_eq!(e[0].problem, Problem::Duplicate("function", "x".into()));
    assert_eq!(e[0].kind, KindName::Known(Kind::Global));
}

#[test]
fn reports_every_bad_entry_and_toml_syntax() {
    let e = errors_of(
        "[function.\"a\"]\nsig = \"int a(\"\nrust = \"vm.a()\"\n[function.\"b\"]\nsig = \"int b(void)\"\nrust = \"vm.b(\"\n[function.\"c\"]\nsig = \"int c(void)\"\nrust = \"vm.c()\"\n[function.\"d\"]\nsig = \"int d(int x, )\"\nrust = \"vm.d()\"\n",
    );
    let names: Vec<_> = e.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, vec!["a", "d"], "{e:?}");
    match Bindings::from_str("[function.\"a\"\nsig = 1", "<t>") {
        Err(BindingsError::Syntax { line, .. }) => assert_eq!(line, 1),
        other => panic!("{other:?}"),
    }
    match Bindings::from_str("[function]\nx = 1\n", "<t>") {
        Err(BindingsError::Syntax { .. }) => {}
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        Bindings::load(Path::new("/nonexistent/bindings.toml")),
        Err(BindingsError::Io { .. })
    ));
}

#[test]
fn default_path_points_at_the_runtime_table() {
    let p = Bindings::default_path();
    assert!(p.ends_with("runtime/bindings.toml"));
    assert!(p.exists(), "{}", p.display());
    // The runtime's table is valid for this loader.
    let b = Bindings::load(&p).unwrap_or_else(|e| panic!("{e}"));
    assert!(b.function("PyNumber_Add").is_some() || b.functions().count() > 0);
}

#[test]
fn keyword_types_byref_nested_fields_and_warnings() {
    let b = fixture();
    assert_eq!(b.type_binding("unsigned int").unwrap().ty, CType::UINT);
    assert_eq!(b.type_binding("double").unwrap().ty, CType::DOUBLE);
    assert_eq!(b.function("Py_CLEAR").unwrap().byref, vec![0]);
    let f = b.field("_Py_CODEUNIT", "op.code").unwrap();
    assert_eq!(f.c, CType::builtin("uint8_t").unwrap());
    assert!(matches!(
        b.lookup(Kind::Field, "_Py_CODEUNIT.op.code"),
        Some(Entry::Field(_))
    ));
    let w = b.warnings();
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(
        w[0].problem,
        Problem::UnknownDslMacro("TIER_ONE_ONLY".into())
    );
    // A keyword type listed with the wrong width is rejected.
    let e = errors_of(
        "[type.\"unsigned int\"]\nrust = \"u16\"\nclass = \"int\"\nbits = 16\nsigned = false\n",
    );
    assert!(
        matches!(e[0].problem, Problem::BuiltinMismatch { .. }),
        "{e:?}"
    );
    // `NULL` may be bound as a pointer constant of value 0, not another value.
    let ok = Bindings::from_str("[constant.\"NULL\"]\nc = \"void *\"\nvalue = 0\n", "<t>").unwrap();
    assert_eq!(ok.constant("NULL").unwrap().c, CType::Void.ptr());
    let e = errors_of("[constant.\"ONE\"]\nc = \"void *\"\nvalue = 1\n");
    assert!(matches!(e[0].problem, Problem::ConstantNotInteger(_)));
    let e = errors_of(&format!(
        "{OBJ}[function.\"f\"]\nsig = \"void f(PyObject *o)\"\nrust = \"vm.f()\"\nbyref = [2]\n"
    ));
    assert_eq!(e[0].problem, Problem::OutOfRange { index: 2, arity: 1 });
}

#[test]
fn indexed_types_are_opaque_structs_whose_pointers_move_by_index() {
    let code = "[type.\"_Py_CODEUNIT\"]\nrust = \"runtime::CodePtr\"\nclass = \"opaque-struct\"\nindexed = true\n";
    let b = Bindings::from_str(&format!("{OBJ}{code}"), "<test>").expect("loads");
    assert!(b.type_binding("_Py_CODEUNIT").unwrap().indexed);
    assert!(b.is_indexed_pointer(&CType::named("_Py_CODEUNIT").ptr()));
    assert!(!b.is_indexed_pointer(&CType::named("_Py_CODEUNIT")));
    assert!(!b.is_indexed_pointer(&obj()));
    assert!(!b.type_binding("PyObject").unwrap().indexed);

    let e = errors_of("[type.\"PyObject\"]\nrust = \"runtime::Obj\"\nclass = \"object-pointer\"\nindexed = true\n");
    assert_eq!(e.len(), 1);
    assert_eq!(
        e[0].problem,
        Problem::IndexedNotStruct("object-pointer".into())
    );
}
