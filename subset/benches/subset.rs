//! Loading the runtime's binding table (every prototype parsed by lang-c) and checking bodies.

use criterion::{criterion_group, criterion_main, Criterion};
use lang_c::ast::{ExternalDeclaration, Statement};
use lang_c::driver::{parse_preprocessed, Config, Flavor};
use lang_c::span::Node;
use subset::{check_body, Bindings, BodyEnv, StackRole};

/// A body in the style of CPython 3.14's `_BINARY_OP_ADD_INT` / `_GUARD_TYPE_VERSION`, written
/// for this bench against names the runtime table binds.
const BODY: &str = "{
    PyObject *left_o = PyStackRef_AsPyObjectBorrow(left);
    PyObject *right_o = PyStackRef_AsPyObjectBorrow(right);
    assert(PyLong_CheckExact(left_o));
    uint32_t version = type_version;
    int lt = -1 < version;
    Py_ssize_t n = PyList_GET_SIZE(left_o) + oparg;
    for (int i = 0; i < oparg; i++) {
        n += i & 1 ? i : -i;
    }
    PyObject *res_o = PyNumber_Add(left_o, right_o);
    ERROR_IF(res_o == NULL);
    res = PyStackRef_FromPyObjectSteal(res_o);
}";

fn parse_body(b: &Bindings) -> Node<Statement> {
    let text = format!("{}void f(void)\n{BODY}\n", b.typedef_prelude());
    let config = Config {
        cpp_command: String::new(),
        cpp_options: vec![],
        flavor: Flavor::GnuC11,
    };
    let parse = parse_preprocessed(&config, text).expect("bench body parses");
    parse
        .unit
        .0
        .into_iter()
        .find_map(|d| match d.node {
            ExternalDeclaration::FunctionDefinition(f) => Some(f.node.statement),
            _ => None,
        })
        .expect("function")
}

fn benches(c: &mut Criterion) {
    let path = Bindings::default_path();
    c.bench_function("load runtime/bindings.toml", |bench| {
        bench.iter(|| Bindings::load(&path).expect("table loads"))
    });
    let b = Bindings::load(&path).expect("table loads");
    let body = parse_body(&b);
    let env = BodyEnv::new(14)
        .with_stack("left", StackRole::Input, false)
        .with_stack("right", StackRole::Input, false)
        .with_stack("res", StackRole::Output, false)
        .with_cache("type_version", 2)
        .with_label("error");
    let verdict = check_body(&body, &env, &b);
    eprintln!(
        "bench body: translatable = {}, reasons = {:?}",
        verdict.is_translatable(),
        verdict
            .reasons()
            .iter()
            .map(|r| &r.message)
            .collect::<Vec<_>>()
    );
    c.bench_function("check_body (14 statements)", |bench| {
        bench.iter(|| check_body(&body, &env, &b))
    });
}

criterion_group!(subset_benches, benches);
criterion_main!(subset_benches);
