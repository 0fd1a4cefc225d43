//! `translate`: the cases2rs command line.

mod cli;

use std::process::ExitCode;

use clap::Parser;

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
