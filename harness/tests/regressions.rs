//! Every reproducer in `corpus/regressions/` replays as an ordinary test: the state it holds
//! must no longer mismatch (agree, or skip with a counted reason).

use harness::oracle::Verdict;
use harness::run;
use harness::targets::{CandidateSource, World};

#[test]
fn regressions_replay_clean() {
    let dir = run::regressions_dir();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "bin"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    println!("{} reproducers in {}", files.len(), dir.display());
    if files.is_empty() {
        return;
    }
    let w = World::load().expect("input loads");
    let mut failures = Vec::new();
    for f in &files {
        let data = std::fs::read(f).unwrap();
        let Some((name, kind, bytes)) = run::read_repro(&data) else {
            failures.push(format!("{}: not a reproducer", f.display()));
            continue;
        };
        let Some(source) = CandidateSource::from_kind(&kind) else {
            failures.push(format!("{}: candidate `{kind}` not available", f.display()));
            continue;
        };
        let (t, missing) = w.targets(std::slice::from_ref(&name), source);
        if t.is_empty() {
            failures.push(format!("{}: {missing:?}", f.display()));
            continue;
        }
        if let (Verdict::Mismatch(m), _, _) = run::check_bytes(&t[0], bytes) {
            failures.push(format!("{}: {name} still mismatches:\n{m}", f.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
