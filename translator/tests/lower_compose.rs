//! Composed instructions thread the stack through their ops as the execution contract says:
//! inputs are read in place, an op's exit is settled before its inputs are popped, `unused`
//! outputs keep their slot, conditional outputs are pushed only when their condition holds,
//! and cache entries are read at the offsets the macro's parts give them.

use translator::analysis::Version;
use translator::builder::translate_source;
use translator::dsl::SourceFile;
use translator::lower::{Lowered, Skip};

fn lower(dsl: &str) -> Lowered {
    let b = subset::Bindings::load(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/lower_bindings.toml"
    )))
    .unwrap();
    translate_source(&SourceFile::new("t.c", dsl), Some(Version::V3_14), &b).expect("pipeline")
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn inst(l: &Lowered, name: &str) -> String {
    let i = l.instructions.iter().find(|i| i.name == name).unwrap();
    match &i.code {
        Ok(c) => squash(c),
        Err(e) => panic!("{name}: {e:?}"),
    }
}

fn assert_in_order(code: &str, parts: &[&str]) {
    let mut at = 0;
    for p in parts {
        let p = squash(p);
        match code[at..].find(&p) {
            Some(i) => at += i + p.len(),
            None => panic!("expected (in order)\n  {p}\nafter offset {at} in\n  {code}"),
        }
    }
}

const DSL: &str = "\
op(_GUARD, (left, unused -- left, unused)) {
    DEOPT_IF(oparg == 1);
}

op(_USE, (ver/2, left, right -- res, extra if (oparg & 1))) {
    DEOPT_IF(ver == 3);
    PyStackRef_CLOSE(right);
    res = left;
    extra = left;
    DEAD(left);
}

op(_LAST, (hint/1, x --)) {
    PyStackRef_CLOSE(x);
    ERROR_IF(hint == 2);
}

macro(M) = _GUARD + unused/1 + _USE + _LAST;

label(error) {
}
";

#[test]
fn ops_run_in_order_with_the_stack_threaded() {
    let l = lower(DSL);
    let c = inst(&l, "M");
    assert_in_order(
        &c,
        &[
            // 1 + unused/1 + ver/2 + hint/1 cache units.
            "enter_instruction(vm, 5);",
            // _GUARD peeks `left` below the unused top, and keeps the unused slot.
            "let in_left: runtime::StackRef = peek_item(vm, 1usize);",
            "op_guard(vm, oparg, in_left);",
            "if let Some(o) = settle(vm, exit, 2usize) { return o; }",
            "let old = pop_slots(vm, 2usize);",
            "push_item(vm, out_left);",
            "keep_slots(vm, &old, 1usize, 1usize);",
            // _USE: its cache entry comes after the unused/1 skip.
            "let cache_ver = cache_u32(vm, 1);",
            "op_use(vm, oparg, cache_ver, in_left, in_right,);",
            "if let Some(o) = settle(vm, exit, 2usize) { return o; }",
            "pop_slots(vm, 2usize);",
            "push_item(vm, out_res);",
            "if (i64::from(oparg) & 1i64) != 0 { push_item(vm, out_extra); }",
            // _LAST reads the top, whatever _USE left there.
            "let cache_hint = cache_u16(vm, 3);",
            "let in_x: runtime::StackRef = peek_item(vm, 0usize);",
            "op_last(vm, oparg, cache_hint, in_x);",
            "if let Some(o) = settle(vm, exit, 1usize) { return o; }",
            "pop_slots(vm, 1usize);",
            "runtime::Outcome::Continue",
        ],
    );
}

#[test]
fn an_instruction_with_a_part_that_bails_is_not_composed() {
    let dsl = DSL.replace(
        "DEOPT_IF(oparg == 1);",
        "int k = UNBOUND_NAME;\n    DEOPT_IF(k == 1);",
    );
    let l = lower(&dsl);
    let m = l.instructions.iter().find(|i| i.name == "M").unwrap();
    assert!(
        matches!(&m.code, Err(Skip::Part(p)) if p == "_GUARD"),
        "{:?}",
        m.code
    );
    assert_eq!(l.generated_instructions(), 0);
}
