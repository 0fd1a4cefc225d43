//! The reference interpreter on CPython's real `bytecodes.c` (skipped when the checkout is absent).

use harness::program::Program;
use harness::reference::Reference;
use std::collections::BTreeMap;

fn cpython() -> Option<std::path::PathBuf> {
    translator::input::test_checkout("3.14.7")
}

#[test]
fn every_translatable_instruction_has_a_reference_or_a_counted_reason() {
    if cpython().is_none() {
        println!("skipped: no CPython 3.14.7 checkout");
        return;
    }
    let b = subset::Bindings::load(&subset::Bindings::default_path()).unwrap();
    let p = Program::load_default().unwrap();
    let r = Reference::build(&p, &b);
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    for e in r.unavailable.values() {
        *reasons.entry(e.category()).or_default() += 1;
    }
    println!(
        "{}: {} instructions with a reference, {} without",
        p.input,
        r.instructions.len(),
        r.unavailable.len()
    );
    for (k, v) in &reasons {
        println!("  {v:4}  {k}");
    }
    assert_eq!(
        r.instructions.len() + r.unavailable.len(),
        p.analysis.instructions.len()
    );
    // Compile failures are the reference's own gaps (not the subset's): every body inside the
    // subset must be executable by the reference.
    let gaps: Vec<String> = r
        .unavailable
        .iter()
        .filter(|(_, e)| matches!(e, harness::reference::RefError::Compile { .. }))
        .map(|(n, e)| format!("{n}: {e}"))
        .collect();
    assert!(gaps.is_empty(), "reference gaps: {gaps:#?}");
    assert!(r.instructions.contains_key("BINARY_OP_ADD_INT"));
}
