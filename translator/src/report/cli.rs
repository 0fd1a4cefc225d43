//! `translate report` (alias `translate --report`): arguments, loading, and output.

use std::ffi::OsString;
use std::path::PathBuf;

use subset::{Bindings, BindingsError};

use super::model::{build, InstructionParts, Report, ReportInput};
use super::optout::{default_manual_path, OptOutError, OptOuts};
use super::render;
use crate::analysis::{self, AnalysisError, Part};
use crate::cbody::{self, BuildConfig, CbodyError, Prelude};
use crate::dsl::{self, Definition, DslError};
use crate::input::{self, InputError, ResolvedInput};

/// Arguments of `translate report`.
#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    /// A CPython checkout (directory containing Python/bytecodes.c) or a bytecodes.c file.
    /// Defaults to $CASES2RS_CPYTHON, then ../shared/cpython/3.14.7, then the embedded demo.
    #[arg(long, value_name = "CPYTHON_DIR|bytecodes.c")]
    pub input: Option<PathBuf>,
    /// Binding table (TOML) the bodies are checked against; default: runtime/bindings.toml.
    #[arg(long, value_name = "FILE")]
    pub bindings: Option<PathBuf>,
    /// Build configuration for `#if` inside bodies: default, tier2, jit, free-threading,
    /// debug, emscripten.
    #[arg(long, value_name = "NAME", default_value = "default")]
    pub config: String,
    /// Print JSON: {"summary": {...}, "bodies": [...], "instructions": [...]}.
    #[arg(long)]
    pub json: bool,
    /// Print the per-opcode listing of instructions that are not translated (opted out or
    /// bailing): opcode, reason, source line, manual body.
    #[arg(long)]
    pub opt_outs: bool,
    /// TOML file of `OPCODE = "reason"` lines: instructions to keep manual even when
    /// translatable.
    #[arg(long, value_name = "FILE")]
    pub opt_out_file: Option<PathBuf>,
    /// Instructions that have a hand-written Rust body checked by the harness, in the opt-out
    /// file's format; it fills the `manual` column. Default: this repository's
    /// harness/manual.toml when it exists.
    #[arg(long, value_name = "FILE")]
    pub manual: Option<PathBuf>,
}

impl Default for ReportArgs {
    /// The same defaults as the command line (`--config default`, nothing else set).
    fn default() -> Self {
        ReportArgs {
            input: None,
            bindings: None,
            config: "default".into(),
            json: false,
            opt_outs: false,
            opt_out_file: None,
            manual: None,
        }
    }
}

/// Everything that stops a report; each renders as `error:` lines.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Dsl(#[from] DslError),
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
    #[error(transparent)]
    Bindings(#[from] BindingsError),
    #[error(transparent)]
    Cbody(#[from] CbodyError),
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    OptOut(Vec<OptOutError>),
}

impl ReportError {
    /// One message per error.
    pub fn messages(&self) -> Vec<String> {
        match self {
            ReportError::OptOut(v) => v.iter().map(ToString::to_string).collect(),
            e => vec![e.to_string()],
        }
    }
}

impl From<OptOutError> for ReportError {
    fn from(e: OptOutError) -> Self {
        ReportError::OptOut(vec![e])
    }
}

/// Rewrites `translate --report ...` to `translate report ...` (the spelling users know).
/// Only a `--report` right after the program name is rewritten, so `--report` can never
/// change the meaning of another subcommand's arguments.
pub fn alias_args<I: IntoIterator<Item = OsString>>(args: I) -> Vec<OsString> {
    let mut v: Vec<OsString> = args.into_iter().collect();
    if v.get(1).is_some_and(|a| a == "--report") {
        v[1] = OsString::from("report");
    }
    v
}

/// The bodies each instruction runs, from the analysis (uop key → defining `inst`/`op`).
pub fn instruction_parts(
    a: &analysis::Analysis,
    file: &dsl::File,
    src: &dsl::SourceFile,
) -> Vec<InstructionParts> {
    let lines = cbody::LineIndex::new(&src.text);
    a.instructions
        .iter()
        .map(|i| {
            let mut parts: Vec<String> = Vec::new();
            for p in &i.parts {
                let Part::Uop(key) = p else { continue };
                let name = a
                    .uop(key)
                    .and_then(|u| file.definitions.get(u.definition))
                    .filter(|d| matches!(d, Definition::Inst(_)))
                    .map(|d| d.name().name.clone())
                    .unwrap_or_else(|| key.clone());
                if !parts.contains(&name) {
                    parts.push(name);
                }
            }
            InstructionParts {
                name: i.name.clone(),
                line: lines.line_col(i.span.start).line,
                parts,
            }
        })
        .collect()
}

/// Everything a report needs, loaded from the arguments.
#[derive(Debug)]
pub struct Loaded {
    pub input: ResolvedInput,
    pub file: dsl::File,
    pub minor: u32,
    pub instructions: Vec<InstructionParts>,
    pub constants: Vec<(String, i64)>,
    pub bindings: Bindings,
    pub config: BuildConfig,
    pub opt_outs: OptOuts,
    /// The manual-body list (empty when there is none).
    pub manual: OptOuts,
}

/// Resolves and loads the input, bindings, configuration and opt-out file.
pub fn load(args: &ReportArgs) -> Result<Loaded, ReportError> {
    let input = input::resolve(args.input.as_deref())?;
    let config = BuildConfig::preset(&args.config)
        .ok_or_else(|| CbodyError::UnknownConfig(args.config.clone()))?;
    let file = dsl::parse(&input.bytecodes)?;
    let version = input.version(&file)?;
    let a = analysis::analyze_version(&file, &input.bytecodes, None, version)?;
    let instructions = instruction_parts(&a, &file, &input.bytecodes);
    let constants = a
        .opmap
        .iter()
        .map(|(k, v)| (k.clone(), i64::from(*v)))
        .collect();
    let bindings = Bindings::load(&args.bindings.clone().unwrap_or_else(Bindings::default_path))?;
    let opt_outs = match &args.opt_out_file {
        Some(p) => OptOuts::load(p)?,
        None => OptOuts::default(),
    };
    opt_outs
        .check_names(&|n| instructions.iter().any(|i| i.name == n))
        .map_err(ReportError::OptOut)?;
    let manual = match &args.manual {
        Some(p) => OptOuts::load(p)?,
        None => {
            let p = default_manual_path();
            if p.is_file() {
                OptOuts::load(&p)?
            } else {
                OptOuts::default()
            }
        }
    };
    Ok(Loaded {
        input,
        file,
        minor: version.minor(),
        instructions,
        constants,
        bindings,
        config,
        opt_outs,
        manual,
    })
}

/// The typedef prelude for a binding table: the builtin names plus every `[type.*]` name, so a
/// table that binds a new type also makes bodies using it parse.
pub fn prelude_for(bindings: &Bindings) -> Prelude {
    Prelude::builtin().with_types(bindings.types().map(|t| t.name.as_str()))
}

/// Parses and checks every body of a loaded input.
pub fn report(l: &Loaded) -> Report {
    let parsed = cbody::parse_file(
        &l.input.bytecodes,
        &l.file,
        &l.config,
        &prelude_for(&l.bindings),
    );
    build(&ReportInput {
        file: &l.file,
        parsed: &parsed,
        minor: l.minor,
        instructions: &l.instructions,
        constants: &l.constants,
        bindings: &l.bindings,
        opt_outs: &l.opt_outs,
        manual: &l.manual,
    })
}

/// Runs `translate report` and returns what it prints.
pub fn run(args: &ReportArgs) -> Result<String, ReportError> {
    let loaded = load(args)?;
    let r = report(&loaded);
    Ok(match (args.opt_outs, args.json) {
        (true, true) => format!("{:#}\n", render::opt_outs_json(&r)),
        (true, false) => render::opt_outs_text(&r),
        (false, true) => format!("{:#}\n", render::to_json(&r)),
        (false, false) => render::to_text(&r),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_leading_report_flag_is_an_alias() {
        let os = |v: &[&str]| v.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(
            alias_args(os(&["translate", "--report", "--json"])),
            os(&["translate", "report", "--json"])
        );
        assert_eq!(
            alias_args(os(&["translate", "metadata", "--report"])),
            os(&["translate", "metadata", "--report"])
        );
        assert_eq!(alias_args(os(&["translate"])), os(&["translate"]));
    }
}
