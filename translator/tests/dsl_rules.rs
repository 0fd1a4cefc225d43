//! The emitter-level DSL rules of `analysis::rules`: CPython's own 3.14 input obeys them,
//! and each rule rejects a hand-written violation with its place and reason.

use std::path::PathBuf;

use translator::analysis::rules::{self, Rule};
use translator::analysis::Version;
use translator::dsl::{self, SourceFile};

fn cpython_bytecodes(ver: &str) -> Option<(String, String)> {
    let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/cpython"))
        .join(ver)
        .join("Python/bytecodes.c");
    match std::fs::read_to_string(&p) {
        Ok(t) => Some((p.display().to_string(), t)),
        Err(_) => {
            println!("skipped: {} not found", p.display());
            None
        }
    }
}

fn run(src: &str, version: Version) -> Result<(), rules::RuleError> {
    let f = dsl::parse(&SourceFile::new("t.c", src)).unwrap();
    rules::check(&f, "t.c", version)
}

#[test]
fn cpython_3_14_obeys_every_rule() {
    let Some((path, text)) = cpython_bytecodes("3.14.7") else {
        return;
    };
    let f = dsl::parse(&SourceFile::new(path.clone(), text)).unwrap();
    rules::check(&f, &path, Version::V3_14).unwrap();
}

#[test]
fn the_demo_obeys_every_rule() {
    let f = dsl::parse(&SourceFile::new("demo", translator::input::DEMO_BYTECODES)).unwrap();
    rules::check(&f, "demo", Version::V3_14).unwrap();
}

#[test]
fn rules_before_3_14_are_not_applied() {
    let src = "inst(OP, (--)) { if (x) y(); }";
    assert!(run(src, Version::V3_13).is_ok());
    assert_eq!(run(src, Version::V3_14).unwrap_err().rule, Rule::Pep7Braces);
}

fn expect(src: &str, rule: Rule, at: (u32, u32), needle: &str) {
    let e = run(src, Version::V3_14).expect_err(src);
    assert_eq!(e.rule, rule, "{e}");
    assert_eq!((e.line, e.col), at, "{e}");
    assert!(e.message.contains(needle), "{e}");
    assert!(e
        .to_string()
        .starts_with(&format!("t.c:{}:{}: ", at.0, at.1)));
}

#[test]
fn pep7_braces() {
    expect(
        "inst(OP, (a -- o)) {\n  if (a)\n    o = 0;\n  else {\n    o = 1;\n  }\n}",
        Rule::Pep7Braces,
        (2, 3),
        "'if' must be enclosed in braces",
    );
    expect(
        "inst(OP, (--)) {\n  if (a) {\n  }\n  else x();\n}",
        Rule::Pep7Braces,
        (4, 3),
        "'else'",
    );
    expect(
        "inst(OP, (--)) { while (x) y(); }",
        Rule::Pep7Braces,
        (1, 18),
        "'while'",
    );
    expect(
        "inst(OP, (--)) { for (;;) y(); }",
        Rule::Pep7Braces,
        (1, 18),
        "'for'",
    );
    // Braced forms, `else if` and a do-while tail are fine.
    run(
        "inst(OP, (--)) { if (a) { } else if (b) { } else { } do { } while (0); for (;;) { } }",
        Version::V3_14,
    )
    .unwrap();
}

#[test]
fn save_and_reload_stack_pair_up() {
    expect(
        "inst(B, ( -- )) {\n    RELOAD_STACK();\n}",
        Rule::SaveReloadStack,
        (2, 5),
        "without a preceding SAVE_STACK",
    );
    expect(
        "inst(B, ( -- )) {\n    SAVE_STACK();\n}",
        Rule::SaveReloadStack,
        (2, 5),
        "not followed by RELOAD_STACK",
    );
    expect(
        "inst(B, ( -- )) { SAVE_STACK(); SAVE_STACK(); RELOAD_STACK(); }",
        Rule::SaveReloadStack,
        (1, 33),
        "again before RELOAD_STACK",
    );
    run(
        "inst(B, ( -- )) { SAVE_STACK(); f(); RELOAD_STACK(); }",
        Version::V3_14,
    )
    .unwrap();
    // A spilled label is entered with the stack saved.
    run(
        "spilled label(L) { RELOAD_STACK(); DISPATCH(); }",
        Version::V3_14,
    )
    .unwrap();
    expect(
        "label(L) { RELOAD_STACK(); }",
        Rule::SaveReloadStack,
        (1, 12),
        "without a preceding",
    );
    // Labels jump with the stack in a state the target accepts: spilled targets take either
    // (the generator spills on the way), live targets need it live.
    run(
        "spilled label(one) { RELOAD_STACK(); goto two; }\nlabel(two) { SAVE_STACK(); goto one; }",
        Version::V3_14,
    )
    .unwrap();
    run(
        "label(two) { goto one; }\nspilled label(one) { RELOAD_STACK(); goto two; }",
        Version::V3_14,
    )
    .unwrap();
    expect(
        "spilled label(one) { goto two; }\nlabel(two) { JUMP_TO_LABEL(one); }",
        Rule::SaveReloadStack,
        (1, 27),
        "label 'two' expects the stack live, but here it is saved",
    );
}

#[test]
fn kill_order() {
    expect(
        "inst(OP, (a, b -- c)) {\n    c = b;\n    PyStackRef_CLOSE(a);\n    PyStackRef_CLOSE(b);\n}",
        Rule::KillOrder,
        (3, 22),
        "cannot close 'a' when 'b' is still live",
    );
    // Top first, or after `b` is dead, is fine.
    run(
        "inst(OP, (a, b -- c)) { PyStackRef_CLOSE(b); PyStackRef_CLOSE(a); c = 0; }",
        Version::V3_14,
    )
    .unwrap();
    run(
        "inst(OP, (a, b -- c)) { c = b; DEAD(b); PyStackRef_CLOSE(a); }",
        Version::V3_14,
    )
    .unwrap();
    // Peeked inputs stay on the stack and are not in the way.
    run(
        "inst(OP, (a, b -- a, c)) { PyStackRef_CLOSE(b); c = 0; }",
        Version::V3_14,
    )
    .unwrap();
}

#[test]
fn macro_stack_shapes() {
    expect(
        "op(FIRST, (arg1 -- out)) { out = arg1; }\nop(SECOND, (unused -- unused)) { }\nmacro(BOTH) = FIRST + SECOND;",
        Rule::UnusedCachedValue,
        (2, 13),
        "already cached by the prior op FIRST as 'out'",
    );
    expect(
        "op(FIRST, ( -- a)) { a = 1; }\nop(SECOND, (a[1] -- b)) { b = 1; }\nmacro(TEST) = FIRST + SECOND;",
        Rule::ArrayScalarMismatch,
        (2, 13),
        "array/scalar mismatch",
    );
    expect(
        "op(FIRST, ( -- a[2])) { a[0] = 1; }\nop(SECOND, (a[1] -- b)) { b = 1; }\nmacro(TEST) = FIRST + SECOND;",
        Rule::ArrayScalarMismatch,
        (2, 13),
        "size mismatch",
    );
    // A flush forgets what earlier ops pushed.
    run(
        "op(FIRST, (arg1 -- out)) { out = arg1; }\nop(SECOND, (unused -- unused)) { }\nmacro(BOTH) = FIRST + flush + SECOND;",
        Version::V3_14,
    )
    .unwrap();
}

#[test]
fn instruction_size_needs_one_size() {
    expect(
        "inst(OP, (--)) {\n    frame->return_offset = INSTRUCTION_SIZE;\n}\nmacro(OP2) = unused/1 + OP;",
        Rule::InstructionSize,
        (2, 28),
        "OP has 1 code units, OP2 has 2",
    );
    run(
        "op(_R, (--)) { x = INSTRUCTION_SIZE; }\nmacro(A) = unused/1 + _R;\nmacro(B) = _R + unused/1;",
        Version::V3_14,
    )
    .unwrap();
}

#[test]
fn overrides_must_name_base_ops() {
    let base = dsl::parse(&SourceFile::new(
        "base.c",
        "pure op(OP, (arg1 -- out)) { SPAM(); }",
    ))
    .unwrap();
    let good = dsl::parse(&SourceFile::new("o.c", "op(OP, (arg1 -- out)) { eggs(); }")).unwrap();
    rules::check_overrides(&base, &good, "o.c").unwrap();
    let bad = dsl::parse(&SourceFile::new(
        "o.c",
        "\npure op(OTHER, (arg1 -- out)) {\n}",
    ))
    .unwrap();
    let e = rules::check_overrides(&base, &bad, "o.c").unwrap_err();
    assert_eq!(e.rule, Rule::OverrideUnknownOp);
    assert_eq!(e.to_string(), "o.c:2:9: all abstract uops must override base uops, but 'OTHER' is not defined in the base file");
}
