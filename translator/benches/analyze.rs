//! Parse + analyze CPython 3.14.7's `bytecodes.c` (the whole front-end up to metadata).

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use translator::analysis::{self, Version};
use translator::cache_layout::parse_cache_layouts;
use translator::dsl::{self, SourceFile};

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
    let path = dir.join("Python/bytecodes.c");
    let text = std::fs::read_to_string(&path).expect("read bytecodes.c");
    let code_h = std::fs::read_to_string(dir.join("Include/internal/pycore_code.h"))
        .expect("read pycore_code.h");
    let src = SourceFile::new(path.display().to_string(), text);
    c.bench_function("parse+analyze 3.14.7", |b| {
        b.iter(|| {
            let file = dsl::parse(&src).expect("parse");
            let layouts = parse_cache_layouts("pycore_code.h", &code_h).expect("layouts");
            let a = analysis::analyze_version(&file, &src, Some(&layouts), Version::V3_14)
                .expect("analyze");
            std::hint::black_box(a.metadata());
        })
    });
    let file = dsl::parse(&src).expect("parse");
    c.bench_function("analyze only 3.14.7", |b| {
        b.iter(|| {
            let a = analysis::analyze_version(&file, &src, None, Version::V3_14).expect("analyze");
            std::hint::black_box(a);
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
