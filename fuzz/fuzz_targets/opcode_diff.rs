//! Differential fuzzing of opcode bodies: the first two bytes pick the instruction (among the
//! generated ones, sorted by name), the rest decode into a fuzzed state (see `harness::gen`).
//! The translator's output (built by `harness/build.rs` for `CASES2RS_CPYTHON`) is checked
//! against the reference interpreter by the same oracle as `opcode-diff`; a mismatch panics with the readable dump (libFuzzer then saves the
//! input, which `opcode-diff`'s reproducer format wraps as `<opcode>\t<kind>\n<state bytes>`).
#![no_main]

use std::sync::OnceLock;

use harness::oracle::Verdict;
use harness::run::{self, Target};
use harness::targets::{CandidateSource, World};
use libfuzzer_sys::fuzz_target;

fn targets() -> &'static [Target] {
    static T: OnceLock<Vec<Target>> = OnceLock::new();
    T.get_or_init(|| {
        let w = World::load().expect("input loads");
        let source = match harness::generated::build_error() {
            None => CandidateSource::Generated,
            // no translation: fuzz the harness itself (reference against reference)
            Some(_) => CandidateSource::Reference,
        };
        let (t, _) = w.targets(&[], source);
        t
    })
}

fuzz_target!(|data: &[u8]| {
    let ts = targets();
    if data.len() < 2 || ts.is_empty() {
        return;
    }
    let t = &ts[u16::from_le_bytes([data[0], data[1]]) as usize % ts.len()];
    let (v, spec, oparg) = run::check_bytes(t, &data[2..]);
    if let Verdict::Mismatch(m) = v {
        panic!("{}", run::dump(t, &spec, oparg, &m));
    }
});
