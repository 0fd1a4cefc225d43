//! The whole translation of CPython 3.14.7's `bytecodes.c`: read the input and the binding
//! table, parse the DSL, analyse, parse every body with lang-c, check it against the subset,
//! lower, format, and write the crate.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use translator::Builder;

/// The same allocator as the `translate` binary, so the bench measures what it runs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn cpython_dir() -> Option<PathBuf> {
    translator::input::test_checkout("3.14.7")
}

fn bench(c: &mut Criterion) {
    let Some(dir) = cpython_dir() else {
        println!("skipped: CPython 3.14.7 checkout not found (set CASES2RS_CPYTHON)");
        return;
    };
    let out = std::env::temp_dir().join(format!("cases2rs-bench-{}", std::process::id()));
    let builder = Builder::new().input(&dir);
    let mut group = c.benchmark_group("pipeline");
    group.sample_size(20);
    group.bench_function("read+parse+check+lower+format+write 3.14.7", |b| {
        b.iter(|| {
            let g = builder.emit_to(&out).expect("translate");
            std::hint::black_box(g.lowered.generated_bodies());
        })
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&out);
}

criterion_group!(benches, bench);
criterion_main!(benches);
