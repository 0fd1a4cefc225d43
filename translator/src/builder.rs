//! The library entry point, in the style of bindgen's builder: a VM author (or a build script)
//! runs the whole translation with their own input, binding table and opt-outs.
//!
//! ```no_run
//! // build.rs
//! let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap());
//! let generated = translator::Builder::new()
//!     .input("../shared/cpython/3.14.7")
//!     .bindings("../runtime/bindings.toml")
//!     .generate()
//!     .expect("translation");
//! generated.write_module(&out.join("cases.rs")).expect("write");
//! // lib.rs: mod cases { include!(concat!(env!("OUT_DIR"), "/cases.rs")); }
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use subset::{Bindings, BindingsError};

use crate::analysis::opcode_py::{self, OpcodePyError};
use crate::analysis::{self, AnalysisError, Version};
use crate::cbody::{self, BuildConfig, Prelude};
use crate::dsl::{self, DslError};
use crate::emit::{self, Drift, EmitError, GeneratedFile, Provenance};
use crate::input::{self, InputError, ResolvedInput};
use crate::lower::{self, LowerInput, Lowered, Mutation};

/// Everything that stops a translation.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Dsl(#[from] DslError),
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
    #[error(transparent)]
    Bindings(#[from] BindingsError),
    #[error(transparent)]
    Emit(#[from] EmitError),
    #[error("unknown build configuration `{0}`")]
    UnknownConfig(String),
    #[error("{path}: {message}")]
    OptOuts { path: String, message: String },
    #[error(transparent)]
    OpcodePy(#[from] OpcodePyError),
    #[error("cannot build a thread pool: {0}")]
    Threads(String),
    #[error("the mutation {0:?} did not change anything (no such body, operator or cache entry)")]
    MutationNotApplied(Mutation),
}

/// Configures and runs a translation.
#[derive(Debug, Clone, Default)]
pub struct Builder {
    input: Option<PathBuf>,
    bindings: Option<PathBuf>,
    config: Option<String>,
    opt_outs: Option<PathBuf>,
    mutation: Option<Mutation>,
    threads: Option<usize>,
    runtime_path: Option<PathBuf>,
    crate_name: Option<String>,
}

/// The result of a translation.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The standalone crate: `Cargo.toml`, `src/lib.rs`, `src/cases.rs`.
    pub files: Vec<GeneratedFile>,
    /// What was and was not generated.
    pub lowered: Lowered,
}

impl Generated {
    /// The module file (`src/cases.rs`), suitable for `include!` inside a module.
    pub fn module(&self) -> &str {
        self.files
            .iter()
            .find(|f| f.path.ends_with("cases.rs"))
            .map(|f| f.contents.as_str())
            .unwrap_or("")
    }

    /// Writes the module file alone (for a build script's `OUT_DIR`).
    pub fn write_module(&self, path: &Path) -> Result<(), EmitError> {
        let dir = path.parent().unwrap_or(Path::new("."));
        let name = path
            .file_name()
            .map(PathBuf::from)
            .unwrap_or_else(|| "cases.rs".into());
        emit::write_files(
            dir,
            &[GeneratedFile {
                path: name,
                contents: self.module().to_string(),
            }],
        )
    }

    /// Writes the crate under `dir`.
    pub fn write_to(&self, dir: &Path) -> Result<(), EmitError> {
        emit::write_files(dir, &self.files)
    }

    /// The files under `dir` that differ from this output.
    pub fn check(&self, dir: &Path) -> Vec<Drift> {
        emit::check_files(dir, &self.files)
    }
}

impl Builder {
    pub fn new() -> Builder {
        Builder::default()
    }

    /// A CPython checkout (directory with `Python/bytecodes.c`) or a `bytecodes.c` file.
    /// Default: `$CASES2RS_CPYTHON`, then `../shared/cpython/3.14.7`, then the embedded demo.
    pub fn input(mut self, path: impl Into<PathBuf>) -> Builder {
        self.input = Some(path.into());
        self
    }

    /// The binding table (default: the runtime's `bindings.toml`).
    pub fn bindings(mut self, path: impl Into<PathBuf>) -> Builder {
        self.bindings = Some(path.into());
        self
    }

    /// The build configuration for `#if` inside bodies (`default`, `debug`, ...).
    pub fn config(mut self, name: impl Into<String>) -> Builder {
        self.config = Some(name.into());
        self
    }

    /// A TOML file of `OPCODE = "reason"` lines: instructions to keep manual.
    pub fn opt_outs(mut self, path: impl Into<PathBuf>) -> Builder {
        self.opt_outs = Some(path.into());
        self
    }

    /// TEST-ONLY: emit a deliberately wrong translation of one body (see [`Mutation`]), so a
    /// differential test can check that it notices. Generation fails if the mutation does not
    /// apply.
    pub fn mutation(mut self, m: Mutation) -> Builder {
        self.mutation = Some(m);
        self
    }

    /// Worker threads (default: rayon's default). The output does not depend on it.
    pub fn threads(mut self, n: usize) -> Builder {
        self.threads = Some(n);
        self
    }

    /// Path of the `runtime` crate written into the emitted `Cargo.toml` (default: the
    /// workspace's `runtime/`).
    pub fn runtime_path(mut self, path: impl Into<PathBuf>) -> Builder {
        self.runtime_path = Some(path.into());
        self
    }

    /// Package name of the emitted crate (default `cases2rs-generated`).
    pub fn crate_name(mut self, name: impl Into<String>) -> Builder {
        self.crate_name = Some(name.into());
        self
    }

    /// Runs the translation and writes the crate under `dir`.
    pub fn emit_to(&self, dir: impl AsRef<Path>) -> Result<Generated, BuildError> {
        let g = self.generate()?;
        g.write_to(dir.as_ref())?;
        Ok(g)
    }

    /// Runs the translation in memory.
    pub fn generate(&self) -> Result<Generated, BuildError> {
        let input = input::resolve(self.input.as_deref())?;
        let bindings_path = self.bindings.clone().unwrap_or_else(Bindings::default_path);
        let bindings_text = std::fs::read(&bindings_path).map_err(|source| BindingsError::Io {
            origin: bindings_path.display().to_string(),
            source,
        })?;
        // The provenance hashes do not depend on the table: compute them while it loads.
        let (bindings, (input_sha256, bindings_sha256)) = rayon::join(
            || {
                Bindings::from_str(
                    &String::from_utf8_lossy(&bindings_text),
                    &bindings_path.display().to_string(),
                )
            },
            || {
                (
                    emit::sha256_hex(input.bytecodes.text.as_bytes()),
                    emit::sha256_hex(&bindings_text),
                )
            },
        );
        let bindings = bindings?;
        let config_name = self.config.clone().unwrap_or_else(|| "default".to_string());
        let config = BuildConfig::preset(&config_name)
            .ok_or_else(|| BuildError::UnknownConfig(config_name.clone()))?;
        let opt_outs = match &self.opt_outs {
            Some(p) => load_opt_outs(p)?,
            None => BTreeMap::new(),
        };
        let provenance = Provenance {
            input_name: input_name(&input),
            input_sha256,
            bindings_sha256,
            config: config_name,
        };
        let run = || -> Result<Lowered, BuildError> {
            translate(
                &input,
                &bindings,
                &config,
                &opt_outs,
                self.mutation.as_ref(),
            )
        };
        let lowered = match self.threads {
            Some(n) => rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| BuildError::Threads(e.to_string()))?
                .install(run)?,
            None => run()?,
        };
        if let Some(m) = &self.mutation {
            if !lowered.mutation_applied {
                return Err(BuildError::MutationNotApplied(m.clone()));
            }
        }
        let module = emit::module_source(&lowered, &provenance)?;
        let runtime_path = self
            .runtime_path
            .clone()
            .unwrap_or_else(default_runtime_path);
        let name = self
            .crate_name
            .clone()
            .unwrap_or_else(|| "cases2rs-generated".to_string());
        let files = emit::crate_files(module, &name, &runtime_path, &provenance);
        Ok(Generated { files, lowered })
    }
}

/// The workspace's `runtime/` directory.
pub fn default_runtime_path() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("runtime");
    p.canonicalize().unwrap_or(p)
}

fn input_name(i: &ResolvedInput) -> String {
    // The version directory name (`3.14.7`) identifies a checkout without an absolute path.
    match &i.root {
        Some(root) => format!(
            "{}/Python/bytecodes.c",
            root.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ),
        None => i.display_name.clone(),
    }
}

/// Type names of the binding table that are C keywords: lang-c knows them already, and a
/// `typedef int int;` would break the prelude.
const C_TYPE_KEYWORDS: &[&str] = &[
    "void", "char", "short", "int", "long", "float", "double", "signed", "unsigned", "_Bool",
];

/// Read → parse → analyse → parse bodies → check → lower (the whole pipeline but the writing).
pub fn translate(
    input: &ResolvedInput,
    bindings: &Bindings,
    config: &BuildConfig,
    opt_outs: &BTreeMap<String, String>,
    mutation: Option<&Mutation>,
) -> Result<Lowered, BuildError> {
    let file = dsl::parse(&input.bytecodes)?;
    let version = input.version(&file)?;
    let opcode_py = match input.root_file("Lib/opcode.py") {
        Some(p) if version == Version::V3_12 => {
            let shown = p.display().to_string();
            let text = std::fs::read_to_string(&p).map_err(|e| OpcodePyError {
                path: shown.clone(),
                line: 0,
                message: format!("cannot read: {e}"),
            })?;
            Some(opcode_py::parse(&shown, &text)?)
        }
        _ => None,
    };
    translate_parsed(
        &input.bytecodes,
        &file,
        version,
        bindings,
        config,
        opt_outs,
        mutation,
        opcode_py.as_ref(),
    )
}

/// The pipeline on a DSL text alone (tests and tools): `version` defaults to the one the DSL's
/// features indicate.
pub fn translate_source(
    src: &dsl::SourceFile,
    version: Option<Version>,
    bindings: &Bindings,
) -> Result<Lowered, BuildError> {
    let file = dsl::parse(src)?;
    let version = version.unwrap_or_else(|| Version::detect(&file));
    let config = BuildConfig::preset("default")
        .ok_or_else(|| BuildError::UnknownConfig("default".into()))?;
    translate_parsed(
        src,
        &file,
        version,
        bindings,
        &config,
        &BTreeMap::new(),
        None,
        None,
    )
}

#[allow(clippy::too_many_arguments)]
fn translate_parsed(
    src: &dsl::SourceFile,
    file: &dsl::File,
    version: Version,
    bindings: &Bindings,
    config: &BuildConfig,
    opt_outs: &BTreeMap<String, String>,
    mutation: Option<&Mutation>,
    opcode_py: Option<&opcode_py::OpcodePy>,
) -> Result<Lowered, BuildError> {
    let mut a = analysis::analyze_version(file, src, None, version)?;
    // 3.12 numbers its opcodes in Lib/opcode.py, as the CLI does (unnumbered ones stay
    // without an opcode; `INSTRUCTIONS` lists them with `opcode: None`).
    if let Some(table) = opcode_py {
        opcode_py::apply(&mut a, table).map_err(|message| OpcodePyError {
            path: "Lib/opcode.py".into(),
            line: 0,
            message,
        })?;
    }
    let prelude = Prelude::builtin().with_types(
        bindings
            .types()
            .map(|t| t.name.as_str())
            .filter(|n| !C_TYPE_KEYWORDS.contains(n)),
    );
    let parsed = cbody::parse_file(src, file, config, &prelude);
    let li = LowerInput {
        src,
        file,
        analysis: &a,
        parsed: &parsed,
        bindings,
        minor: version.minor(),
        opt_outs,
        mutation,
    };
    Ok(lower::lower_all(&li))
}

fn load_opt_outs(path: &Path) -> Result<BTreeMap<String, String>, BuildError> {
    let err = |message: String| BuildError::OptOuts {
        path: path.display().to_string(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| err(e.to_string()))?;
    table
        .into_iter()
        .map(|(k, v)| match v {
            toml::Value::String(s) => Ok((k, s)),
            other => Err(err(format!(
                "`{k}`: the reason must be a string, not {other}"
            ))),
        })
        .collect()
}
