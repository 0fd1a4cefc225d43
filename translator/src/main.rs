//! `translate`: the cases2rs command line.

mod cli;

use std::process::ExitCode;

use clap::Parser;

/// Parsing and lowering build and drop millions of small nodes (lang-c and syn trees, token
/// streams); with glibc's allocator, malloc and free were a third of the pipeline's instructions.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = cli::Cli::parse_from(translator::report::alias_args(std::env::args_os()));
    match cli::run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(errors) => {
            for e in errors.messages() {
                eprintln!("error: {e}");
            }
            ExitCode::from(2)
        }
    }
}
