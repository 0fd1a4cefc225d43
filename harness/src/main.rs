//! `opcode-diff`: runs candidate bodies against the reference interpreter on fuzzed states.
//!
//! ```text
//! opcode-diff [--opcode NAME ... | --all] [--states N] [--seed S] [--threads T] [--json]
//!             [--candidate generated|reference|manual]
//!             [--mutation flip-operator|drop-close|shift-cache]
//! ```
//! Exit status: 0 when nothing mismatched, 1 on a mismatch (reproducers are written to
//! `corpus/regressions/`), 2 on bad usage or an input that does not load.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

/// The checks allocate and free many small objects (states, snapshots); mimalloc is markedly
/// faster at that than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use harness::oracle::OutcomeClass;
use harness::reference::Mutation;
use harness::run::{self, OpStats, Target};
use harness::targets::{CandidateSource, World};

#[derive(Debug, Parser)]
#[command(
    name = "opcode-diff",
    about = "Differential check of opcode bodies against the reference interpreter"
)]
struct Args {
    /// Instructions to check (repeatable); default: all with a reference.
    #[arg(long = "opcode", value_name = "NAME")]
    opcodes: Vec<String>,
    /// Check every instruction that has a reference.
    #[arg(long, conflicts_with = "opcodes")]
    all: bool,
    /// States per instruction.
    #[arg(long, default_value_t = 10_000)]
    states: u64,
    /// Seed of the state generator.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
    /// What to compare with the reference: the translator's output (built by `build.rs`), the
    /// manual bodies, or the reference itself (checks the harness).
    #[arg(long, value_enum, default_value = "generated")]
    candidate: Candidate,
    /// Use a deliberately faulty reference as the candidate (shows that the oracle bites);
    /// its reproducers go to `corpus/mutants/`.
    #[arg(long, value_enum)]
    mutation: Option<MutationArg>,
    /// Replay one reproducer (`corpus/regressions/*.bin`) and print its verdict.
    #[arg(long, value_name = "FILE")]
    replay: Option<std::path::PathBuf>,
    /// Write `N` seed inputs per opcode for the `opcode_diff` fuzz target into DIR and exit.
    #[arg(long, value_names = ["DIR", "N"], num_args = 2)]
    emit_seeds: Option<Vec<String>>,
    /// Exit with status 3 when a specialized instruction never reaches its success path
    /// (flagged `under-tested` in the table): its guards were never passed, so it was not tested.
    #[arg(long)]
    fail_under_tested: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Candidate {
    Generated,
    Reference,
    Manual,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum MutationArg {
    FlipOperator,
    DropClose,
    ShiftCache,
}

fn pct(x: f64) -> String {
    format!("{:5.1}%", x * 100.0)
}

fn row_json(t: &Target, s: &OpStats, specialized: bool) -> serde_json::Value {
    let coverage: serde_json::Map<String, serde_json::Value> = OutcomeClass::ALL
        .iter()
        .map(|c| (c.name().to_string(), serde_json::json!(s.share(*c))))
        .collect();
    serde_json::json!({
        "opcode": t.name,
        "candidate": t.kind,
        "states": s.states,
        "agree": s.agree,
        "mismatch": s.mismatch,
        "skipped": s.skipped_total(),
        "skip_reasons": s.skipped,
        "coverage": coverage,
        "under_tested": specialized && s.share(OutcomeClass::Continue) == 0.0,
    })
}

fn replay(world: &World, f: &std::path::Path) -> ExitCode {
    let data = match std::fs::read(f) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("opcode-diff: {}: {e}", f.display());
            return ExitCode::from(2);
        }
    };
    let Some((name, kind, bytes)) = run::read_repro(&data) else {
        eprintln!("opcode-diff: {}: not a reproducer", f.display());
        return ExitCode::from(2);
    };
    let Some(source) = CandidateSource::from_kind(&kind) else {
        eprintln!(
            "opcode-diff: {}: candidate `{kind}` not available",
            f.display()
        );
        return ExitCode::from(2);
    };
    let (t, missing) = world.targets(std::slice::from_ref(&name), source);
    let Some(t) = t.first() else {
        eprintln!("opcode-diff: {name}: {missing:?}");
        return ExitCode::from(2);
    };
    let (v, spec, oparg) = run::check_bytes(t, bytes);
    match v {
        harness::oracle::Verdict::Mismatch(m) => {
            println!("{}", run::dump(t, &spec, oparg, &m));
            ExitCode::from(1)
        }
        other => {
            println!("{name} ({kind}), oparg {oparg}: {other:?}\n{spec:#?}");
            ExitCode::SUCCESS
        }
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    // Candidate panics are caught by the oracle and reported as mismatches with their message.
    std::panic::set_hook(Box::new(|_| {}));
    let world = match World::load() {
        Ok(w) => w,
        Err(e) => {
            eprintln!("opcode-diff: {e}");
            return ExitCode::from(2);
        }
    };
    let source = match (args.mutation, args.candidate) {
        (Some(MutationArg::FlipOperator), _) => CandidateSource::Mutant(Mutation::FlipOperator),
        (Some(MutationArg::DropClose), _) => CandidateSource::Mutant(Mutation::DropClose),
        (Some(MutationArg::ShiftCache), _) => CandidateSource::Mutant(Mutation::ShiftCache),
        (None, Candidate::Generated) => {
            if let Some(e) = harness::generated::build_error() {
                eprintln!("opcode-diff: no generated code: {e}");
                return ExitCode::from(2);
            }
            CandidateSource::Generated
        }
        (None, Candidate::Reference) => CandidateSource::Reference,
        (None, Candidate::Manual) => CandidateSource::Manual,
    };
    if let Some(f) = &args.replay {
        return replay(&world, f);
    }
    let names = if args.all {
        Vec::new()
    } else {
        args.opcodes.clone()
    };
    let (targets, missing) = world.targets(&names, source);
    for (n, why) in &missing {
        eprintln!("opcode-diff: {n}: not checked: {why}");
    }
    if targets.is_empty() {
        eprintln!("opcode-diff: nothing to check");
        return ExitCode::from(2);
    }
    if let Some(v) = &args.emit_seeds {
        let n: u64 = v[1].parse().unwrap_or(1);
        let dir = std::path::Path::new(&v[0]);
        if let Err(e) = std::fs::create_dir_all(dir) {
            eprintln!("opcode-diff: {e}");
            return ExitCode::from(2);
        }
        let mut bytes = Vec::new();
        for (k, t) in targets.iter().enumerate() {
            for i in 0..n {
                run::state_bytes(args.seed, &t.name, i, &mut bytes);
                let path = dir.join(format!("{}-{i}", t.name));
                if let Err(e) = std::fs::write(&path, run::fuzz_input(k, &bytes)) {
                    eprintln!("opcode-diff: {}: {e}", path.display());
                    return ExitCode::from(2);
                }
            }
        }
        println!(
            "{} seeds written to {}",
            n * targets.len() as u64,
            dir.display()
        );
        return ExitCode::SUCCESS;
    }
    let pool = match rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
    {
        Ok(p) => p,
        Err(e) => {
            eprintln!("opcode-diff: {e}");
            return ExitCode::from(2);
        }
    };
    let total = args.states * targets.len() as u64;
    let tty = std::io::stderr().is_terminal() && !args.json;
    let progress = |done: u64| {
        if tty {
            eprint!("\r{done}/{total} checks");
            let _ = std::io::stderr().flush();
        }
    };
    let start = Instant::now();
    let stats = pool.install(|| run::run(&targets, args.states, args.seed, &progress));
    let secs = start.elapsed().as_secs_f64();
    if tty {
        eprintln!();
    }
    let checks: u64 = stats.iter().map(|s| s.states).sum();
    let mismatches: u64 = stats.iter().map(|s| s.mismatch).sum();
    let skipped: u64 = stats.iter().map(|s| s.skipped_total()).sum();
    let cps = checks as f64 / secs.max(1e-9);
    let mut reasons: std::collections::BTreeMap<String, u64> = Default::default();
    for s in &stats {
        for (k, v) in &s.skipped {
            *reasons.entry(k.clone()).or_default() += v;
        }
    }
    let mut repro_paths = Vec::new();
    let repro_dir = if args.mutation.is_some() {
        run::mutants_dir()
    } else {
        run::regressions_dir()
    };
    for s in &stats {
        if let Some((_, r)) = &s.first {
            match run::write_repro(&repro_dir, r) {
                Ok(p) => repro_paths.push(p),
                Err(e) => eprintln!("opcode-diff: cannot write reproducer: {e}"),
            }
        }
    }
    if args.json {
        let rows: Vec<serde_json::Value> = targets
            .iter()
            .zip(&stats)
            .map(|(t, s)| row_json(t, s, world.is_specialized(&t.name)))
            .collect();
        let j = serde_json::json!({
            "input": world.program.input,
            "opcodes": targets.len(),
            "checks": checks,
            "mismatches": mismatches,
            "skipped": skipped,
            "skip_reasons": reasons,
            "checks_per_second": cps,
            "threads": pool.current_num_threads(),
            "rows": rows,
            "reproducers": repro_paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
        });
        println!("{j:#}");
    } else {
        println!(
            "{:<36} {:>8} {:>8} {:>6} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7}",
            "opcode",
            "states",
            "agree",
            "mism",
            "skipped",
            "cont",
            "deopt",
            "exit",
            "error",
            "jump"
        );
        for (t, s) in targets.iter().zip(&stats) {
            let mut line = format!(
                "{:<36} {:>8} {:>8} {:>6} {:>7}",
                t.name,
                s.states,
                s.agree,
                s.mismatch,
                s.skipped_total()
            );
            for c in OutcomeClass::ALL {
                line.push_str(&format!(" {:>7}", pct(s.share(c))));
            }
            if world.is_specialized(&t.name) && s.share(OutcomeClass::Continue) == 0.0 {
                line.push_str("  under-tested: success path never reached");
            }
            println!("{line}");
        }
        if !reasons.is_empty() {
            println!("skipped, by reason:");
            for (k, v) in &reasons {
                println!("  {v:>9}  {k}");
            }
        }
        println!(
            "{} opcodes ({}), {checks} checks, {mismatches} mismatches, {skipped} skipped, {:.1}s, {:.0} checks/s on {} threads",
            targets.len(),
            targets[0].kind,
            secs,
            cps,
            pool.current_num_threads()
        );
    }
    if mismatches > 0 {
        for s in &stats {
            if let Some((_, r)) = &s.first {
                eprintln!("---- mismatch ----\n{}", r.dump);
            }
        }
        for p in &repro_paths {
            eprintln!("reproducer: {}", p.display());
        }
        return ExitCode::from(1);
    }
    let under_tested: Vec<&str> = targets
        .iter()
        .zip(&stats)
        .filter(|(t, s)| world.is_specialized(&t.name) && s.share(OutcomeClass::Continue) == 0.0)
        .map(|(t, _)| t.name.as_str())
        .collect();
    if args.fail_under_tested && !under_tested.is_empty() {
        eprintln!(
            "opcode-diff: {} under-tested (success path never reached): {}",
            under_tested.len(),
            under_tested.join(", ")
        );
        return ExitCode::from(3);
    }
    ExitCode::SUCCESS
}
