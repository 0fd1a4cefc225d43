//! The `opcode-diff` engine: opcodes × states in parallel (rayon), per-opcode statistics,
//! reproducers for mismatches. Used by the binary, by the CI-sized test and by the fuzz target.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::gen::{self, Layout};
use crate::oracle::{self, Body, OutcomeClass, Verdict};
use crate::reference::RefInstruction;

/// One opcode to check: the candidate, the reference, and what the generator needs.
#[derive(Debug, Clone)]
pub struct Target {
    /// instruction name
    pub name: String,
    /// where the candidate comes from (`generated`, `manual`, `reference`, a mutation)
    pub kind: String,
    /// the candidate
    pub candidate: Arc<dyn Body>,
    /// the reference
    pub reference: Arc<RefInstruction>,
    /// the generator's view of the instruction
    pub layout: Layout,
}

/// A mismatch, with everything needed to replay it.
#[derive(Debug, Clone)]
pub struct Repro {
    /// instruction name
    pub opcode: String,
    /// the candidate kind (`generated`, `manual`, `reference`, `mutant FlipOperator`)
    pub kind: String,
    /// the bytes the state was decoded from
    pub bytes: Vec<u8>,
    /// the readable dump (spec, oparg, diff)
    pub dump: String,
}

/// Statistics of one opcode.
#[derive(Debug, Clone, Default)]
pub struct OpStats {
    /// states checked
    pub states: u64,
    /// agreements
    pub agree: u64,
    /// mismatches
    pub mismatch: u64,
    /// skips by reason
    pub skipped: BTreeMap<String, u64>,
    /// agreeing states by outcome class
    pub outcomes: BTreeMap<OutcomeClass, u64>,
    /// the first mismatch (by state index)
    pub first: Option<(u64, Repro)>,
}

impl OpStats {
    /// Total skips.
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }

    fn merge(mut self, o: OpStats) -> OpStats {
        self.states += o.states;
        self.agree += o.agree;
        self.mismatch += o.mismatch;
        for (k, v) in o.skipped {
            *self.skipped.entry(k).or_default() += v;
        }
        for (k, v) in o.outcomes {
            *self.outcomes.entry(k).or_default() += v;
        }
        self.first = match (self.first, o.first) {
            (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
            (a, b) => a.or(b),
        };
        self
    }

    /// Share of agreeing states ending in `c` (0..1).
    pub fn share(&self, c: OutcomeClass) -> f64 {
        if self.agree == 0 {
            return 0.0;
        }
        *self.outcomes.get(&c).unwrap_or(&0) as f64 / self.agree as f64
    }
}

/// A deterministic byte source (splitmix64): state `i` of opcode `name` under `seed`.
pub fn state_bytes(seed: u64, name: &str, i: u64, out: &mut Vec<u8>) {
    let mut h: u64 = seed ^ 0x9e37_79b9_7f4a_7c15;
    for b in name.bytes() {
        h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
    }
    let mut x = h ^ i.wrapping_mul(0xd1b5_4a32_d192_ed03);
    let mut next = || {
        x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let len = 48 + (next() % 144) as usize;
    out.clear();
    while out.len() < len {
        out.extend_from_slice(&next().to_le_bytes());
    }
    out.truncate(len);
}

/// Checks one state given by its bytes.
pub fn check_bytes(t: &Target, bytes: &[u8]) -> (Verdict, gen::StateSpec, u32) {
    let spec = gen::spec_from_bytes(bytes);
    let state = gen::materialize(&t.layout, &spec);
    let oparg = state.oparg;
    let v = oracle::check(t.candidate.as_ref(), t.reference.as_ref(), state);
    (v, spec, oparg)
}

/// The readable dump of a mismatch.
pub fn dump(t: &Target, spec: &gen::StateSpec, oparg: u32, m: &oracle::Mismatch) -> String {
    format!(
        "opcode: {}\ncandidate: {}\noparg: {oparg}\nstate: {spec:#?}\ndiff (candidate vs reference):\n{m}",
        t.name, t.kind
    )
}

fn run_chunk(t: &Target, seed: u64, range: std::ops::Range<u64>) -> OpStats {
    let mut s = OpStats::default();
    let mut bytes = Vec::with_capacity(256);
    for i in range {
        // A state that breaks a precondition the body asserts (or indexes past an array) says
        // nothing about the body: draw another one, a few times, before counting a skip.
        let mut attempt = 0u64;
        let (v, spec, oparg) = loop {
            state_bytes(seed, &t.name, i + (attempt << 40), &mut bytes);
            let r = check_bytes(t, &bytes);
            let outside = matches!(&r.0, Verdict::Skipped(why)
                if why.contains("(UB)") || why.contains("precondition"));
            if !outside || attempt >= RETRIES {
                break r;
            }
            attempt += 1;
        };
        s.states += 1;
        match v {
            Verdict::Agree(o) => {
                s.agree += 1;
                *s.outcomes.entry(OutcomeClass::of(o)).or_default() += 1;
            }
            Verdict::Skipped(r) => *s.skipped.entry(r).or_default() += 1,
            Verdict::Mismatch(m) => {
                s.mismatch += 1;
                if s.first.is_none() {
                    s.first = Some((
                        i,
                        Repro {
                            opcode: t.name.clone(),
                            kind: t.kind.clone(),
                            bytes: bytes.clone(),
                            dump: dump(t, &spec, oparg, &m),
                        },
                    ));
                }
            }
        }
    }
    s
}

/// Redraws of a state that is outside the body's preconditions.
const RETRIES: u64 = 4;

/// States per work item (small enough to balance, large enough to amortize).
const CHUNK: u64 = 256;

/// Runs `states` states of every target on the current rayon pool; `progress` is called with
/// the number of finished states after each work item.
pub fn run(
    targets: &[Target],
    states: u64,
    seed: u64,
    progress: &(dyn Fn(u64) + Sync),
) -> Vec<OpStats> {
    let work: Vec<(usize, u64)> = (0..targets.len())
        .flat_map(|t| (0..states.div_ceil(CHUNK)).map(move |c| (t, c)))
        .collect();
    let done = std::sync::atomic::AtomicU64::new(0);
    let parts: Vec<(usize, OpStats)> = work
        .par_iter()
        .map(|&(t, c)| {
            let lo = c * CHUNK;
            let hi = (lo + CHUNK).min(states);
            let s = run_chunk(&targets[t], seed, lo..hi);
            let n = done.fetch_add(hi - lo, std::sync::atomic::Ordering::Relaxed) + hi - lo;
            progress(n);
            (t, s)
        })
        .collect();
    let mut out: Vec<OpStats> = vec![OpStats::default(); targets.len()];
    for (t, s) in parts {
        let cur = std::mem::take(&mut out[t]);
        out[t] = cur.merge(s);
    }
    out
}

/// The directory reproducers go to: `<repo>/corpus/regressions`.
pub fn regressions_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/regressions")
}

/// Where the reproducers of deliberately faulty candidates go (kept apart: they are not bugs
/// to fix, so the regression replay does not run them).
pub fn mutants_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/mutants")
}

/// Writes a reproducer: `<op>-<hash>.bin` (`<op>\t<kind>\n` then the state bytes) and `.txt`
/// (the readable dump).
pub fn write_repro(dir: &Path, r: &Repro) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in r.opcode.bytes().chain(r.bytes.iter().copied()) {
        h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
    }
    let stem = format!("{}-{h:016x}", r.opcode);
    let bin = dir.join(format!("{stem}.bin"));
    let mut data = format!("{}\t{}\n", r.opcode, r.kind).into_bytes();
    data.extend_from_slice(&r.bytes);
    std::fs::write(&bin, data)?;
    std::fs::write(dir.join(format!("{stem}.txt")), &r.dump)?;
    Ok(bin)
}

/// Splits a reproducer file into opcode name, candidate kind and state bytes.
pub fn read_repro(data: &[u8]) -> Option<(String, String, &[u8])> {
    let nl = data.iter().position(|&b| b == b'\n')?;
    let head = std::str::from_utf8(&data[..nl]).ok()?;
    let (name, kind) = head.split_once('\t').unwrap_or((head, "reference"));
    Some((name.to_string(), kind.to_string(), &data[nl + 1..]))
}

/// Seed inputs for the `opcode_diff` fuzz target: two little-endian bytes choosing the target,
/// then state bytes.
pub fn fuzz_input(target: usize, state: &[u8]) -> Vec<u8> {
    let mut v = (target as u16).to_le_bytes().to_vec();
    v.extend_from_slice(state);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_bytes_are_deterministic_and_differ_by_index() {
        let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
        state_bytes(1, "NOP", 5, &mut a);
        state_bytes(1, "NOP", 5, &mut b);
        state_bytes(1, "NOP", 6, &mut c);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(a.len() >= 48);
    }

    #[test]
    fn reproducer_files_round_trip() {
        let dir = std::env::temp_dir().join(format!("harness-repro-{}", std::process::id()));
        let r = Repro {
            opcode: "NOP".into(),
            kind: "mutant DropClose".into(),
            bytes: vec![0, 10, 255, b'\n'],
            dump: "opcode: NOP".into(),
        };
        let p = write_repro(&dir, &r).unwrap();
        let data = std::fs::read(&p).unwrap();
        let (n, k, b) = read_repro(&data).unwrap();
        assert_eq!(
            (n.as_str(), k.as_str(), b),
            ("NOP", "mutant DropClose", &r.bytes[..])
        );
        assert!(p.with_extension("txt").is_file());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
