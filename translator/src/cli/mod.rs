//! Argument parsing, input loading and error reporting shared by every subcommand.
//!
//! Every failure reaches the user as `error: <file>:<line>:<col>: <message>` on stderr (or
//! `error: <message>` when there is no source position, e.g. a missing input) with exit
//! status 2; nothing here panics on bad input.

mod emit;
mod metadata;

use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use translator::analysis::{self, rules, AnalysisError, Version};
use translator::cache_layout::{self, CacheLayouts};
use translator::dsl::{self, DslError};
use translator::input::{self, InputError, ResolvedInput};

#[derive(Debug, Parser)]
#[command(
    name = "translate",
    version,
    about = "cases2rs: translate CPython's instruction DSL (Python/bytecodes.c) to checked, safe Rust",
    long_about = "cases2rs: translate CPython's instruction DSL (Python/bytecodes.c) to checked, safe \
        Rust: its metadata (`metadata`), which bodies are in the allowed C subset (`report`), and \
        the Rust for those bodies (`emit`).\n\n\
        Input: --input <CPYTHON_DIR | path/to/bytecodes.c>, else $CASES2RS_CPYTHON, else \
        ../shared/cpython/3.14.7 when it exists, else the demo instruction set embedded in \
        the binary. Errors are printed as `error: <file>:<line>:<col>: <message>` and exit \
        with status 2."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the metadata of every instruction, pseudo-instruction and uop: opcode, stack
    /// effect (popped/pushed as C expressions of oparg), inline cache entries, flags and
    /// deopt target, as CPython's generator computes them.
    Metadata(MetadataArgs),
    /// Translate the bodies to Rust and write a standalone crate (or check it for drift).
    Emit(emit::EmitArgs),
    /// The coverage gauge: every body parsed and checked against the subset; totals, bail
    /// histogram, unbound names (`--json`, `--opt-outs`). Also spelled `translate --report`.
    Report(translator::report::ReportArgs),
}

#[derive(Debug, clap::Args)]
pub struct InputArgs {
    /// A CPython checkout (directory containing Python/bytecodes.c) or a bytecodes.c file.
    /// Defaults to $CASES2RS_CPYTHON, then ../shared/cpython/3.14.7, then the embedded demo.
    #[arg(long, value_name = "CPYTHON_DIR|bytecodes.c")]
    pub input: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct MetadataArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Print JSON ({"instructions":[...],"pseudos":[...],"uops":[...]}) instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Everything that can stop a run; each renders as one or more `error:` lines.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Dsl(#[from] DslError),
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
    #[error(transparent)]
    Rule(#[from] rules::RuleError),
    /// A malformed cache header; it has a line but no column, so column 1 is reported.
    #[error("{}:{}:1: {}", .0.path, .0.line, .0.message)]
    CacheLayout(cache_layout::CacheLayoutError),
    /// Several errors found together (e.g. every cache mismatch of a file).
    #[error("{} errors", .0.len())]
    Many(Vec<CliError>),
    #[error("cannot write output: {0}")]
    Output(std::io::Error),
    #[error(transparent)]
    Report(#[from] translator::report::ReportError),
    #[error(transparent)]
    Build(#[from] translator::builder::BuildError),
    /// A 3.12 `Lib/opcode.py` that could not be read as a numbering table.
    #[error(transparent)]
    OpcodePy(#[from] analysis::opcode_py::OpcodePyError),
}

impl CliError {
    /// One message per error, without the `error: ` prefix.
    pub fn messages(&self) -> Vec<String> {
        match self {
            CliError::Many(v) => v.iter().flat_map(CliError::messages).collect(),
            CliError::Report(r) => r.messages(),
            e => vec![e.to_string()],
        }
    }
}

/// The input of a run, parsed and analysed.
pub struct Loaded {
    pub input: ResolvedInput,
    pub file: dsl::File,
    pub analysis: analysis::Analysis,
}

/// Name-rule breaks that CPython itself ships, accepted with a `note:` on stderr so that the
/// check stays strict for everything else: (instruction, cache entry, struct, reason).
const KNOWN_CACHE_EXCEPTIONS: &[(&str, &str, &str, &str)] = &[(
    "LOAD_ATTR_CLASS_WITH_METACLASS_CHECK",
    "type_version",
    "_PyLoadMethodCache",
    "CPython 3.14 reads the metaclass version through the struct's keys_version slot",
)];

fn known_cache_exception(m: &analysis::CacheMismatch) -> Option<&'static str> {
    let analysis::CacheMismatch::Field {
        member,
        entry,
        struct_name,
        ..
    } = m
    else {
        return None;
    };
    KNOWN_CACHE_EXCEPTIONS
        .iter()
        .find(|(i, e, st, _)| i == member && e == entry && st == struct_name)
        .map(|k| k.3)
}

/// Resolves, parses, analyses and checks the input.
pub fn load(args: &InputArgs) -> Result<Loaded, CliError> {
    let input = input::resolve(args.input.as_deref())?;
    let file = dsl::apply_overrides(&dsl::parse(&input.bytecodes)?);
    let layouts: Option<CacheLayouts> = match &input.pycore_code {
        Some(h) => Some(
            cache_layout::parse_cache_layouts(&h.path, &h.text).map_err(CliError::CacheLayout)?,
        ),
        None => None,
    };
    let version = input.version(&file)?;
    let mut analysis =
        analysis::analyze_version(&file, &input.bytecodes, layouts.as_ref(), version)?;
    number_from_opcode_py(&input, &mut analysis)?;
    rules::check(&file, &input.bytecodes.path, version)?;
    let header = input
        .pycore_code
        .as_ref()
        .map_or("pycore_code.h", |h| h.path.as_str());
    let mut errors = Vec::new();
    for m in analysis.cache_mismatches() {
        let e = m.to_error(&input.bytecodes.path, header);
        match known_cache_exception(m) {
            Some(why) => eprintln!("note: {e} (accepted: {why})"),
            None => errors.push(CliError::Analysis(e)),
        }
    }
    if !errors.is_empty() {
        return Err(CliError::Many(errors));
    }
    Ok(Loaded {
        input,
        file,
        analysis,
    })
}

/// 3.12 takes its opcode numbers from `Lib/opcode.py` when the checkout has one; without it
/// `opcode` stays null. Names the file does not number are listed, not dropped silently.
fn number_from_opcode_py(
    input: &ResolvedInput,
    analysis: &mut analysis::Analysis,
) -> Result<(), CliError> {
    if analysis.version != Version::V3_12 {
        return Ok(());
    }
    let Some(path) = input.root_file("Lib/opcode.py") else {
        return Ok(());
    };
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(&path).map_err(|e| analysis::opcode_py::OpcodePyError {
        path: shown.clone(),
        line: 0,
        message: format!("cannot read: {e}"),
    })?;
    let table = analysis::opcode_py::parse(&shown, &text)?;
    let unnumbered = analysis::opcode_py::apply(analysis, &table).map_err(|message| {
        analysis::opcode_py::OpcodePyError {
            path: shown.clone(),
            line: 0,
            message,
        }
    })?;
    if !unnumbered.is_empty() {
        eprintln!(
            "note: {shown} numbers no opcode for {} definitions (opcode null): {}",
            unnumbered.len(),
            unnumbered.join(", ")
        );
    }
    Ok(())
}

/// Writes `text` to stdout; a closed pipe (`translate ... | head`) is not an error.
pub fn print(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.map_err(CliError::Output),
    }
}

pub fn run(cli: &Cli) -> Result<(), CliError> {
    match &cli.command {
        Command::Metadata(args) => metadata::run(args),
        Command::Emit(args) => emit::run(args),
        Command::Report(args) => print(&translator::report::run(args)?),
    }
}
