//! Declarators to types: lang-c's derived-declarator order mapped to C's binding rules.

mod common;

use subset::{CType, FnType};

fn parse(text: &str) -> CType {
    common::bindings()
        .parse_type(text)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn arr(t: CType, n: u64) -> CType {
    CType::Array(Box::new(t), Some(n))
}

#[test]
fn pointers_bind_tighter_than_suffixes() {
    // array of 3 pointers to int
    assert_eq!(parse("int *[3]"), arr(CType::INT.ptr(), 3));
    // pointer to array of 3 ints
    assert_eq!(parse("int (*)[3]"), arr(CType::INT, 3).ptr());
    // array of 2 arrays of 3 ints
    assert_eq!(parse("int [2][3]"), arr(arr(CType::INT, 3), 2));
    assert_eq!(
        parse("unsigned char **"),
        CType::aliased_int(subset::IntRank::Char, false, "unsigned char")
            .ptr()
            .ptr()
    );
}

#[test]
fn function_pointers() {
    let obj = CType::named("PyObject").ptr();
    let f = CType::Function(Box::new(FnType {
        ret: obj.clone(),
        params: vec![obj.clone()],
        variadic: false,
    }));
    assert_eq!(parse("PyObject *(*)(PyObject *)"), f.clone().ptr());
    // array of 4 function pointers
    assert_eq!(parse("PyObject *(*[4])(PyObject *)"), arr(f.ptr(), 4));
    // `(void)` is no parameters; array parameters decay to pointers
    let g = parse("int (*)(void)");
    assert_eq!(
        g,
        CType::Function(Box::new(FnType {
            ret: CType::INT,
            params: vec![],
            variadic: false
        }))
        .ptr()
    );
    let h = parse("int (*)(int [], ...)");
    assert_eq!(
        h,
        CType::Function(Box::new(FnType {
            ret: CType::INT,
            params: vec![CType::INT.ptr()],
            variadic: true
        }))
        .ptr()
    );
}

#[test]
fn qualifiers_are_dropped_and_specifiers_combine() {
    assert_eq!(
        parse("const PyObject * const"),
        CType::named("PyObject").ptr()
    );
    assert_eq!(parse("unsigned"), CType::UINT);
    assert_eq!(parse("long unsigned int"), CType::ULONG);
    assert_eq!(parse("signed long long"), CType::LONGLONG);
    assert_eq!(
        parse("_Bool"),
        CType::aliased_int(subset::IntRank::Bool, false, "_Bool")
    );
    assert!(common::bindings().parse_type("long double").is_err());
    assert!(common::bindings().parse_type("unsigned double").is_err());
    assert!(common::bindings().parse_type("struct Nope *").is_err());
}
