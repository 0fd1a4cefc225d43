//! `translate emit`: write the generated crate, or with `--check` report drift.

use std::path::PathBuf;

use translator::Builder;

use super::{print, CliError, InputArgs};

#[derive(Debug, clap::Args)]
pub struct EmitArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Directory of the generated crate (Cargo.toml, src/lib.rs, src/cases.rs).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Binding table (default: runtime/bindings.toml).
    #[arg(long, value_name = "FILE")]
    pub bindings: Option<PathBuf>,
    /// Build configuration for `#if` inside bodies (default, debug, tier2, ...).
    #[arg(long, value_name = "NAME")]
    pub config: Option<String>,
    /// TOML file of `OPCODE = "reason"` lines: instructions to keep manual.
    #[arg(long, value_name = "FILE")]
    pub opt_out_file: Option<PathBuf>,
    /// Path of the `runtime` crate for the generated Cargo.toml (default: this workspace's).
    #[arg(long, value_name = "DIR")]
    pub runtime: Option<PathBuf>,
    /// Write nothing; exit 1 and list the files that differ from what would be generated.
    #[arg(long)]
    pub check: bool,
}

pub fn run(args: &EmitArgs) -> Result<(), CliError> {
    let mut b = Builder::new();
    if let Some(i) = &args.input.input {
        b = b.input(i);
    }
    if let Some(x) = &args.bindings {
        b = b.bindings(x);
    }
    if let Some(x) = &args.config {
        b = b.config(x);
    }
    if let Some(x) = &args.opt_out_file {
        b = b.opt_outs(x);
    }
    if let Some(x) = &args.runtime {
        b = b.runtime_path(x);
    }
    let g = b.generate()?;
    let l = &g.lowered;
    let mut summary = format!(
        "bodies: {} of {} generated; instructions: {} of {} generated\n",
        l.generated_bodies(),
        l.bodies.len(),
        l.generated_instructions(),
        l.instructions.len()
    );
    for (reason, n) in l.body_bails().iter().take(10) {
        summary.push_str(&format!("  {n:4} bodies: {reason}\n"));
    }
    if args.check {
        let drift = g.check(&args.out);
        if drift.is_empty() {
            return print(&format!("{} is up to date\n{summary}", args.out.display()));
        }
        for d in &drift {
            let what = if d.missing { "missing" } else { "differs" };
            eprintln!("drift: {} {what}", args.out.join(&d.path).display());
        }
        std::process::exit(1);
    }
    g.write_to(&args.out)
        .map_err(translator::builder::BuildError::from)?;
    print(&format!("wrote {}\n{summary}", args.out.display()))
}
