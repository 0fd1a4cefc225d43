//! The throughput of `opcode-diff`, piece by piece: decoding and materializing one fuzzed state,
//! one full check (state, both sides, comparison) of a few representative instructions, and a
//! 256-state chunk of all of them as the CLI runs it (`run::run`, one thread).
//!
//! States are the CLI's own (`run::state_bytes`, seed 0), so a change in speed here is a change
//! in `opcode-diff --all` checks/s.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use harness::oracle;
use harness::run::{self, Target};
use harness::targets::{CandidateSource, World};
use harness::{gen, generated};
use std::hint::black_box;

/// The same allocator as the `opcode-diff` binary, so the bench measures what it runs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A cheap body, an int fast path, a dict lookup, and an iterator.
const OPCODES: [&str; 4] = [
    "NOP",
    "BINARY_OP_ADD_INT",
    "BINARY_OP_SUBSCR_DICT",
    "FOR_ITER_LIST",
];

/// States per opcode in each measured batch (the CLI draws state `i` of each opcode by index).
const STATES: u64 = 64;

fn bench(c: &mut Criterion) {
    if translator::input::test_checkout("3.14.7").is_none() {
        println!("skipped: CPython 3.14.7 checkout not found (set CASES2RS_CPYTHON)");
        return;
    }
    if let Some(e) = generated::build_error() {
        println!("skipped: no generated code: {e}");
        return;
    }
    let world = World::load().expect("input loads");
    let names: Vec<String> = OPCODES.iter().map(|s| s.to_string()).collect();
    let (targets, missing) = world.targets(&names, CandidateSource::Generated);
    for (n, why) in &missing {
        println!("not benchmarked: {n}: {why}");
    }
    let bytes_of = |t: &Target| -> Vec<Vec<u8>> {
        (0..STATES)
            .map(|i| {
                let mut b = Vec::new();
                run::state_bytes(0, &t.name, i, &mut b);
                b
            })
            .collect()
    };

    let mut g = c.benchmark_group("state");
    for t in &targets {
        let states = bytes_of(t);
        g.bench_function(format!("decode+materialize {} x{STATES}", t.name), |b| {
            b.iter(|| {
                for s in &states {
                    let spec = gen::spec_from_bytes(s);
                    black_box(gen::materialize(&t.layout, &spec));
                }
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("check");
    for t in &targets {
        let states = bytes_of(t);
        // The oracle alone: the states are built outside the measurement.
        g.bench_function(format!("oracle {} x{STATES}", t.name), |b| {
            b.iter_batched(
                || {
                    states
                        .iter()
                        .map(|s| gen::materialize(&t.layout, &gen::spec_from_bytes(s)))
                        .collect::<Vec<_>>()
                },
                |built| {
                    for st in built {
                        black_box(oracle::check(
                            t.candidate.as_ref(),
                            t.reference.as_ref(),
                            st,
                        ));
                    }
                },
                BatchSize::SmallInput,
            )
        });
        // What one state costs the CLI: bytes to verdict.
        g.bench_function(format!("bytes->verdict {} x{STATES}", t.name), |b| {
            b.iter(|| {
                for s in &states {
                    black_box(run::check_bytes(t, s));
                }
            })
        });
    }
    g.finish();

    let all = world.targets(&[], CandidateSource::Generated).0;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("one-thread pool");
    let mut g = c.benchmark_group("run");
    g.sample_size(10);
    g.bench_function(
        format!("all {} opcodes x256 states, 1 thread", all.len()),
        |b| b.iter(|| pool.install(|| black_box(run::run(&all, 256, 0, &|_| {})))),
    );
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
