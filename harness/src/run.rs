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
    let len = 64 + (next() % 192) as usize;
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
    let v = oracle::check(t.candidate.as_ref(), t.reference.as_ref(), &state);
    (v, spec, state.oparg)
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
        state_bytes(seed, &t.name, i, &mut bytes);
        let (v, spec, oparg) = check_bytes(t, &bytes);
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

/// Writes a reproducer: `<op>-<hash>.bin` (`<op>\n` then the state bytes) and `.txt` (dump).
pub fn write_repro(dir: &Path, r: &Repro) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in r.opcode.bytes().chain(r.bytes.iter().copied()) {
        h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
    }
    let stem = format!("{}-{h:016x}", r.opcode);
    let bin = dir.join(format!("{stem}.bin"));
    let mut data = format!("{}\n", r.opcode).into_bytes();
    data.extend_from_slice(&r.bytes);
    std::fs::write(&bin, data)?;
    std::fs::write(dir.join(format!("{stem}.txt")), &r.dump)?;
    Ok(bin)
}

/// Splits a reproducer file into opcode name and state bytes.
pub fn read_repro(data: &[u8]) -> Option<(String, &[u8])> {
    let nl = data.iter().position(|&b| b == b'\n')?;
    let name = std::str::from_utf8(&data[..nl]).ok()?.to_string();
    Some((name, &data[nl + 1..]))
}
