//! The oracle on CPython's real bodies: the reference agrees with itself on every state (the
//! harness has no nondeterminism of its own), and every seeded fault is caught with a reproducer
//! that replays. Skipped (with a line) when the 3.14.7 checkout is absent.
//!
//! State counts: `CASES2RS_DIFF_STATES` when set; else 10,000 per body in an optimized build
//! (`cargo test --release -p harness`, what CI runs) and 300 in a debug build.

use harness::oracle::{OutcomeClass, Verdict};
use harness::reference::Mutation;
use harness::run;
use harness::targets::{CandidateSource, World};

fn world() -> Option<World> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/cpython/3.14.7");
    if std::env::var_os("CASES2RS_CPYTHON").is_none() && !dir.is_dir() {
        println!("skipped: no CPython 3.14.7 checkout");
        return None;
    }
    Some(World::load().expect("input loads"))
}

fn states() -> u64 {
    std::env::var("CASES2RS_DIFF_STATES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if cfg!(debug_assertions) { 300 } else { 10_000 })
}

#[test]
fn reference_agrees_with_itself_on_every_body() {
    let Some(w) = world() else { return };
    let (targets, missing) = w.targets(&[], CandidateSource::Reference);
    assert!(missing.is_empty(), "{missing:?}");
    assert!(targets.len() >= 60, "only {} bodies", targets.len());
    let n = states();
    let t0 = std::time::Instant::now();
    let stats = run::run(&targets, n, 1, &|_| {});
    let secs = t0.elapsed().as_secs_f64();
    let checks: u64 = stats.iter().map(|s| s.states).sum();
    println!(
        "{} bodies x {n} states: {checks} checks in {secs:.1}s ({:.0}/s)",
        targets.len(),
        checks as f64 / secs
    );
    for (t, s) in targets.iter().zip(&stats) {
        assert_eq!(s.states, n, "{}", t.name);
        assert_eq!(
            s.mismatch,
            0,
            "{}: {:?}",
            t.name,
            s.first.as_ref().map(|f| &f.1.dump)
        );
    }
    // Derived caches and type hints make specialized bodies reach their success path.
    for name in [
        "BINARY_OP_ADD_INT",
        "BINARY_OP_ADD_FLOAT",
        "FOR_ITER_LIST",
        "TO_BOOL_INT",
    ] {
        let i = targets.iter().position(|t| t.name == name).expect(name);
        assert!(
            stats[i].share(OutcomeClass::Continue) > 0.0,
            "{name} never passes its guards"
        );
    }
}

#[test]
fn every_generated_body_agrees_with_the_reference() {
    let Some(w) = world() else { return };
    if let Some(e) = harness::generated::build_error() {
        panic!("the translator failed in build.rs: {e}");
    }
    let (targets, missing) = w.targets(&[], CandidateSource::Generated);
    assert!(!targets.is_empty(), "no generated body");
    // every generated instruction has a reference to check it against
    assert!(
        missing.is_empty(),
        "generated but not checkable: {missing:?}"
    );
    let n = states();
    let stats = run::run(&targets, n, 2, &|_| {});
    let mut report = Vec::new();
    for (t, s) in targets.iter().zip(&stats) {
        assert_eq!(s.states, n);
        if s.mismatch > 0 {
            report.push(format!(
                "{}: {} mismatches\n{}",
                t.name,
                s.mismatch,
                s.first.as_ref().map(|f| f.1.dump.as_str()).unwrap_or("")
            ));
        }
    }
    assert!(report.is_empty(), "{}", report.join("\n\n"));
    let checks: u64 = stats.iter().map(|s| s.states).sum();
    let skipped: u64 = stats.iter().map(|s| s.skipped_total()).sum();
    println!(
        "{} generated bodies, {checks} checks, {skipped} skipped",
        targets.len()
    );
}

#[test]
fn every_mutation_is_caught_with_a_reproducer_that_replays() {
    let Some(w) = world() else { return };
    let dir = std::env::temp_dir().join(format!("harness-mutants-{}", std::process::id()));
    // No body of 3.14.7 inside the subset reads a named cache entry yet (they are all behind
    // FT_ATOMIC_* / ADAPTIVE_COUNTER_* today): the cache mutation is shown on a snippet below.
    for m in [Mutation::FlipOperator, Mutation::DropClose] {
        let (targets, _) = w.targets(&[], CandidateSource::Mutant(m));
        assert!(!targets.is_empty(), "{m:?} applies to no body");
        let stats = run::run(&targets, 200, 7, &|_| {});
        let caught: Vec<usize> = (0..targets.len())
            .filter(|&i| stats[i].mismatch > 0)
            .collect();
        assert!(!caught.is_empty(), "{m:?}: no mismatch on any body");
        let i = caught[0];
        let (_, repro) = stats[i].first.clone().expect("first mismatch kept");
        assert!(repro.dump.contains(" vs "), "the dump shows the diff");
        let path = run::write_repro(&dir, &repro).expect("reproducer written");
        let data = std::fs::read(&path).unwrap();
        let (name, kind, bytes) = run::read_repro(&data).expect("reproducer parses");
        assert_eq!(
            (name.as_str(), kind.as_str()),
            (targets[i].name.as_str(), targets[i].kind.as_str())
        );
        let source = CandidateSource::from_kind(&kind).expect("kind round-trips");
        let (t, _) = w.targets(&[name], source);
        let (v, _, _) = run::check_bytes(&t[0], bytes);
        assert!(
            matches!(v, Verdict::Mismatch(_)),
            "{m:?}: the reproducer replays"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_shifted_cache_offset_is_caught() {
    use harness::gen::Layout;
    use harness::program::Program;
    use harness::reference::Reference;
    use std::sync::Arc;
    let dsl = "inst(GUARDED, (unused/1, type_version/2, x -- x)) { DEOPT_IF(type_version != 7 && type_version != 0); }";
    let src = translator::dsl::SourceFile::new("snippet.c", dsl);
    let b = subset::Bindings::load(&subset::Bindings::default_path()).unwrap();
    let p = Program::from_source(
        &src,
        "snippet",
        &b,
        Some(translator::analysis::Version::V3_14),
    )
    .unwrap();
    let r = Reference::build(&p, &b);
    let reference = r.get("GUARDED").expect("snippet compiles").clone();
    let mutant = reference
        .mutated(Mutation::ShiftCache)
        .expect("has a cache entry");
    let layout = Layout::of(&p.analysis, p.analysis.instruction("GUARDED").unwrap());
    let target = run::Target {
        name: "GUARDED".into(),
        kind: "mutant ShiftCache".into(),
        candidate: Arc::new(mutant),
        reference,
        layout,
    };
    let stats = run::run(std::slice::from_ref(&target), 300, 3, &|_| {});
    assert!(stats[0].mismatch > 0, "{:?}", stats[0]);
    let dump = &stats[0].first.as_ref().unwrap().1.dump;
    assert!(dump.contains("outcome"), "{dump}");
}

#[test]
fn every_manual_body_agrees_with_the_reference() {
    let Some(w) = world() else { return };
    let (targets, missing) = w.targets(&[], CandidateSource::Manual);
    assert!(
        missing.is_empty(),
        "manual bodies without a reference: {missing:?}"
    );
    assert!(targets.len() >= 7);
    let n = states();
    let stats = run::run(&targets, n, 3, &|_| {});
    for (t, s) in targets.iter().zip(&stats) {
        assert_eq!(s.states, n);
        assert_eq!(
            s.mismatch,
            0,
            "{}: {}",
            t.name,
            s.first.as_ref().map(|f| f.1.dump.as_str()).unwrap_or("")
        );
        assert!(
            s.agree > n / 2,
            "{}: mostly skipped: {:?}",
            t.name,
            s.skipped
        );
    }
}
