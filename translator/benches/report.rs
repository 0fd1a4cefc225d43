//! The whole coverage report on CPython 3.14.7: parse every body (one lang-c pass), check each
//! against the subset, aggregate, render. Loading (file reading, DSL parse, analysis, binding
//! table) is measured separately.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use translator::cbody::{self, BuildConfig, Prelude};
use translator::report::{self, render, ReportArgs};

/// The same allocator as the `translate` binary, so the bench measures what it runs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn cpython() -> Option<PathBuf> {
    translator::input::test_checkout("3.14.7")
}

fn bench(c: &mut Criterion) {
    let Some(dir) = cpython() else {
        println!("skipped: no CPython checkout");
        return;
    };
    let args = ReportArgs {
        input: Some(dir),
        config: "default".into(),
        bindings: std::env::var("CASES2RS_BINDINGS").ok().map(PathBuf::from),
        ..ReportArgs::default()
    };
    let loaded = match report::load(&args) {
        Ok(l) => l,
        Err(e) => {
            println!("skipped: report does not load: {}", e.messages().join("; "));
            return;
        }
    };
    let mut g = c.benchmark_group("report-3.14.7");
    g.bench_function("load (read, DSL, analysis, bindings)", |b| {
        b.iter(|| {
            report::load(&args)
                .map(|l| l.instructions.len())
                .unwrap_or(0)
        })
    });
    g.bench_function("parse all bodies (lang-c, four translation units)", |b| {
        let prelude = report::cli::prelude_for(&loaded.bindings);
        b.iter(|| {
            cbody::parse_file(
                &loaded.input.bytecodes,
                &loaded.file,
                &BuildConfig::default_build(),
                &prelude,
            )
            .parsed_count()
        })
    });
    g.bench_function("builtin prelude", |b| {
        b.iter(|| Prelude::builtin().names().len())
    });
    g.bench_function("whole report (parse + check + text)", |b| {
        b.iter(|| render::to_text(&report::report(&loaded)).len())
    });
    g.bench_function("whole report as JSON", |b| {
        b.iter(|| render::to_json(&report::report(&loaded)).to_string().len())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
