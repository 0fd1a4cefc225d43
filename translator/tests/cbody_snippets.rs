//! The C-body front-end on small hand-written DSL snippets: failures are located, the other bodies
//! still parse, conditionals follow the configuration, and the lint catches missing typedefs.

use translator::cbody::{self, BuildConfig, DiagnosticKind, ParsedFile, Prelude};
use translator::dsl::{self, SourceFile};

const SNIPPET: &str = r#"
inst(GOOD_ONE, (value -- res)) {
    PyObject *o = PyStackRef_AsPyObjectBorrow(value); // a comment with { brace
    res = PyStackRef_FromPyObjectSteal(o);
}

op(_BROKEN, (value -- res)) {
    int x = 1 + ;
    res = value;
}

inst(GOOD_TWO, (--)) {
    #if TIER_ONE
    int y = 1;
    #else
    int y = 2 +;   /* only tier two sees this broken line */
    #endif
    (void)y;
}

label(my_label) {
    goto my_label;
}
"#;

fn run(text: &str, config: &BuildConfig, prelude: &Prelude) -> ParsedFile {
    let source = SourceFile::new("snippet.c", text);
    let file = dsl::parse(&source).expect("snippet parses as DSL");
    cbody::parse_file(&source, &file, config, prelude)
}

fn line_col_of(text: &str, needle: &str) -> (u32, u32) {
    let off = text.find(needle).unwrap();
    let line = text[..off].matches('\n').count() as u32 + 1;
    let col = (off - text[..off].rfind('\n').map_or(0, |k| k + 1)) as u32 + 1;
    (line, col)
}

#[test]
fn a_broken_body_is_located_and_the_others_still_parse() {
    let parsed = run(SNIPPET, &BuildConfig::default_build(), &Prelude::builtin());
    assert!(
        !parsed.single_pass,
        "the one-unit parse cannot succeed with a broken body"
    );
    let names: Vec<_> = parsed
        .bodies
        .iter()
        .map(|b| (b.name.as_str(), b.kind.as_str(), b.is_parsed()))
        .collect();
    assert_eq!(
        names,
        [
            ("GOOD_ONE", "inst", true),
            ("_BROKEN", "op", false),
            ("GOOD_TWO", "inst", true),
            ("my_label", "label", true)
        ]
    );
    let err = parsed.body("_BROKEN").unwrap().ast.as_ref().unwrap_err();
    let d = err.first().unwrap();
    assert_eq!(d.kind, DiagnosticKind::Syntax);
    // lang-c stops at the `;` after `1 + `.
    assert_eq!(
        (d.loc.line, d.loc.col),
        line_col_of(SNIPPET, ";\n    res = value;")
    );
    assert_eq!(d.path, "snippet.c");
    assert!(
        d.to_string().starts_with(&format!(
            "snippet.c:{}:{}: syntax error",
            d.loc.line, d.loc.col
        )),
        "{d}"
    );
}

#[test]
fn the_configuration_selects_branches_and_tier_two_sees_the_other_one() {
    let good = SNIPPET.replace("int x = 1 + ;", "int x = 1;");
    let parsed = run(&good, &BuildConfig::default_build(), &Prelude::builtin());
    assert!(parsed.single_pass);
    assert_eq!(parsed.parsed_count(), 4);
    let parsed = run(
        &good,
        &BuildConfig::preset("tier2").unwrap(),
        &Prelude::builtin(),
    );
    let failed: Vec<_> = parsed.failures().map(|(b, _)| b.name.as_str()).collect();
    assert_eq!(failed, ["GOOD_TWO"]);
    let d = parsed
        .body("GOOD_TWO")
        .unwrap()
        .ast
        .as_ref()
        .unwrap_err()
        .first()
        .unwrap()
        .clone();
    assert_eq!(d.loc.line, line_col_of(&good, "int y = 2 +").0);
}

#[test]
fn an_unknown_macro_in_if_is_an_error_at_the_macro() {
    let text = "inst(A, (--)) {\n#if TIER_ONE && SOME_NEW_FLAG\n    int a = 1;\n#endif\n}\ninst(B, (--)) {\n}\n";
    let parsed = run(text, &BuildConfig::default_build(), &Prelude::builtin());
    let d = parsed
        .body("A")
        .unwrap()
        .ast
        .as_ref()
        .unwrap_err()
        .first()
        .unwrap()
        .clone();
    assert_eq!(d.kind, DiagnosticKind::Directive);
    assert_eq!((d.loc.line, d.loc.col), line_col_of(text, "SOME_NEW_FLAG"));
    assert!(
        d.message.contains("SOME_NEW_FLAG") && d.message.contains("default"),
        "{}",
        d.message
    );
    assert!(parsed.body("B").unwrap().is_parsed());
}

#[test]
fn unterminated_if_and_comment_are_located() {
    let text =
        "inst(A, (--)) {\n    #ifdef Py_DEBUG\n    x();\n}\ninst(B, (--)) {\n    y(); /* open\n}\n";
    // The DSL lexer may itself reject the unterminated comment; only the `#if` case is certain.
    let source = SourceFile::new("snippet.c", text);
    if let Ok(file) = dsl::parse(&source) {
        let parsed = cbody::parse_file(
            &source,
            &file,
            &BuildConfig::default_build(),
            &Prelude::builtin(),
        );
        let d = parsed
            .body("A")
            .unwrap()
            .ast
            .as_ref()
            .unwrap_err()
            .first()
            .unwrap()
            .clone();
        assert_eq!(d.kind, DiagnosticKind::Directive);
        assert_eq!((d.loc.line, d.loc.col), line_col_of(text, "#ifdef"));
    }
    let text = "inst(A, (--)) {\n    #ifdef Py_DEBUG\n    x();\n}\n";
    let parsed = run(text, &BuildConfig::default_build(), &Prelude::builtin());
    let d = parsed
        .body("A")
        .unwrap()
        .ast
        .as_ref()
        .unwrap_err()
        .first()
        .unwrap()
        .clone();
    assert_eq!(
        (d.kind, d.loc.line, d.loc.col),
        (DiagnosticKind::Directive, 2, 5)
    );
}

/// Each silent shape, with a type the prelude does not know: all four are reported, each at the
/// type's name, and a body without them is unaffected.
#[test]
fn lint_flags_every_silent_shape_of_a_missing_typedef() {
    let text = "inst(SHAPES, (--)) {
    Widget *w;
    Widget *p, *q;
    int a = (Widget)(7);
    int b = (Gadget_t)-1;
    int c = sizeof(Gadget_t);
}
inst(CLEAN, (--)) {
    int d = (int)(7) * 2;
    f(a * b);
}
";
    let parsed = run(text, &BuildConfig::default_build(), &Prelude::builtin());
    assert!(parsed.body("CLEAN").unwrap().is_parsed());
    let err = parsed.body("SHAPES").unwrap().ast.as_ref().unwrap_err();
    let found: Vec<(u32, u32)> = err
        .diagnostics
        .iter()
        .map(|d| (d.loc.line, d.loc.col))
        .collect();
    assert!(
        err.diagnostics
            .iter()
            .all(|d| d.kind == DiagnosticKind::Misparse),
        "{err}"
    );
    // `Widget *p, *q;` is a comma of two products; only the first is the declaration's head.
    let expect = [
        line_col_of(text, "Widget *w"),
        line_col_of(text, "Widget *p"),
        line_col_of(text, "(Widget)(7)"),
        line_col_of(text, "(Gadget_t)-1"),
        line_col_of(text, "sizeof(Gadget_t)"),
    ];
    for e in expect {
        assert!(found.contains(&e), "no hit at {e:?}; hits: {err}");
    }
    // With the names declared the same body parses.
    let parsed = run(
        text,
        &BuildConfig::default_build(),
        &Prelude::builtin().with_types(["Widget", "Gadget_t"]),
    );
    assert_eq!(
        parsed.parsed_count(),
        2,
        "{:?}",
        parsed
            .failures()
            .map(|(_, e)| e.to_string())
            .collect::<Vec<_>>()
    );
}
