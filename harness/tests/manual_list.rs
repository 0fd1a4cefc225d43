//! harness/manual.toml (what `translate report` shows in its `manual` column) and the manual
//! bodies that exist (`harness::manual`) are one table: this test fails when they drift.

use std::collections::BTreeSet;

use translator::report::optout::{default_manual_path, OptOuts};

#[test]
fn manual_list_names_exactly_the_manual_bodies() {
    let list = OptOuts::load(&default_manual_path()).expect("harness/manual.toml loads");
    let listed: BTreeSet<&str> = list.iter().map(|o| o.opcode.as_str()).collect();
    let bodies: BTreeSet<&str> = harness::manual::names().into_iter().collect();
    let missing: Vec<_> = bodies.difference(&listed).collect();
    let extra: Vec<_> = listed.difference(&bodies).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "harness/manual.toml drifted from harness/src/manual: bodies not listed {missing:?}, \
         listed without a body {extra:?}"
    );
    for name in &listed {
        assert!(harness::manual::body(name).is_some(), "{name}");
    }
}
