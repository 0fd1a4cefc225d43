//! Which DSL input a run uses. Every subcommand resolves its input the same way:
//! `--input <CPYTHON_DIR | path/to/bytecodes.c>`, else env `CASES2RS_CPYTHON`, else
//! `../shared/cpython/3.14.7` (relative to the current directory) when it exists, else the
//! demo file embedded in the binary, so the tool always has something to run on.

use std::path::{Path, PathBuf};

use crate::analysis::Version;
use crate::dsl::SourceFile;

/// The embedded demo DSL (`inputs/demo/bytecodes.c`).
pub const DEMO_BYTECODES: &str = include_str!("../../inputs/demo/bytecodes.c");
/// The embedded demo cache structs (`inputs/demo/pycore_code.h`).
pub const DEMO_PYCORE_CODE: &str = include_str!("../../inputs/demo/pycore_code.h");
/// Display path of the embedded demo in messages.
pub const DEMO_DISPLAY_PATH: &str = "<demo>/bytecodes.c";
/// Environment variable naming a CPython checkout (or a `bytecodes.c`).
pub const ENV_VAR: &str = "CASES2RS_CPYTHON";
/// The default checkout, relative to the current directory.
pub const DEFAULT_DIR: &str = "../shared/cpython/3.14.7";

/// Which rule picked the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputSource {
    /// `--input` on the command line.
    Flag,
    /// The `CASES2RS_CPYTHON` environment variable.
    Env,
    /// `../shared/cpython/3.14.7` existed.
    DefaultDir,
    /// Nothing else applied: the embedded demo.
    Demo,
}

impl InputSource {
    pub fn describe(self) -> &'static str {
        match self {
            InputSource::Flag => "--input",
            InputSource::Env => "$CASES2RS_CPYTHON",
            InputSource::DefaultDir => "default ../shared/cpython/3.14.7",
            InputSource::Demo => "embedded demo",
        }
    }
}

/// A resolved input: the DSL text plus, when known, the checkout it came from.
#[derive(Debug, Clone)]
pub struct ResolvedInput {
    /// Root of the CPython checkout, when the input is a directory (or a `bytecodes.c` inside
    /// a `Python/` directory of one).
    pub root: Option<PathBuf>,
    /// Path of `bytecodes.c` on disk (`None` for the embedded demo).
    pub bytecodes_path: Option<PathBuf>,
    /// The DSL source, with the display path used in messages.
    pub bytecodes: SourceFile,
    /// `Include/internal/pycore_code.h` (cache structs), when present.
    pub pycore_code: Option<SourceFile>,
    /// Short human name of the input (the root dir, the file, or `embedded demo`).
    pub display_name: String,
    pub source: InputSource,
}

impl ResolvedInput {
    /// The CPython version whose rules apply: the checkout's `Include/patchlevel.h` when it
    /// has one, else guessed from the DSL's features ([`Version::detect`]).
    pub fn version(&self, file: &crate::dsl::File) -> Result<Version, InputError> {
        if let Some(p) = self.root_file("Include/patchlevel.h") {
            let text = std::fs::read_to_string(&p).map_err(|source| InputError::Read {
                path: p.display().to_string(),
                source,
            })?;
            if let Some(v) = Version::from_patchlevel(&text) {
                return Ok(v);
            }
        }
        Ok(Version::detect(file))
    }

    /// Path of a file relative to the checkout root, if there is a root.
    pub fn root_file(&self, rel: &str) -> Option<PathBuf> {
        self.root
            .as_ref()
            .map(|r| r.join(rel))
            .filter(|p| p.is_file())
    }

    /// The embedded demo.
    pub fn demo() -> Self {
        ResolvedInput {
            root: None,
            bytecodes_path: None,
            bytecodes: SourceFile::new(DEMO_DISPLAY_PATH, DEMO_BYTECODES),
            pycore_code: Some(SourceFile::new("<demo>/pycore_code.h", DEMO_PYCORE_CODE)),
            display_name: "embedded demo".into(),
            source: InputSource::Demo,
        }
    }
}

/// Why an input could not be used.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{path}: no such file or directory (from {via})")]
    Missing { path: String, via: &'static str },
    #[error("{path}: not a CPython checkout: {missing} not found (from {via})")]
    NotCheckout {
        path: String,
        missing: String,
        via: &'static str,
    },
    #[error("{path}: cannot read: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// Resolves the input from the flag value and the environment (see the module docs).
pub fn resolve(flag: Option<&Path>) -> Result<ResolvedInput, InputError> {
    let env = std::env::var_os(ENV_VAR).filter(|v| !v.is_empty());
    resolve_with(flag, env.as_deref().map(Path::new), Path::new(DEFAULT_DIR))
}

/// [`resolve`] with the environment value and default directory passed in (for tests).
pub fn resolve_with(
    flag: Option<&Path>,
    env: Option<&Path>,
    default_dir: &Path,
) -> Result<ResolvedInput, InputError> {
    if let Some(p) = flag {
        return load(p, InputSource::Flag);
    }
    if let Some(p) = env {
        return load(p, InputSource::Env);
    }
    if default_dir.is_dir() {
        return load(default_dir, InputSource::DefaultDir);
    }
    Ok(ResolvedInput::demo())
}

fn read(path: &Path) -> Result<String, InputError> {
    std::fs::read_to_string(path).map_err(|source| InputError::Read {
        path: path.display().to_string(),
        source,
    })
}

/// Loads a checkout directory or a single `bytecodes.c`.
fn load(path: &Path, source: InputSource) -> Result<ResolvedInput, InputError> {
    let via = source.describe();
    if !path.exists() {
        return Err(InputError::Missing {
            path: path.display().to_string(),
            via,
        });
    }
    let (root, bytecodes_path) = if path.is_dir() {
        let b = path.join("Python").join("bytecodes.c");
        if !b.is_file() {
            return Err(InputError::NotCheckout {
                path: path.display().to_string(),
                missing: "Python/bytecodes.c".into(),
                via,
            });
        }
        (Some(path.to_path_buf()), b)
    } else {
        // `<root>/Python/bytecodes.c` still gives access to the checkout's headers.
        let root = path
            .parent()
            .filter(|p| p.file_name().is_some_and(|n| n == "Python"))
            .and_then(Path::parent)
            .filter(|r| r.join("Include").is_dir())
            .map(Path::to_path_buf);
        (root, path.to_path_buf())
    };
    let text = read(&bytecodes_path)?;
    let pycore_code = match &root {
        Some(r) => {
            let p = r.join("Include/internal/pycore_code.h");
            if p.is_file() {
                Some(SourceFile::new(p.display().to_string(), read(&p)?))
            } else {
                None
            }
        }
        None => None,
    };
    Ok(ResolvedInput {
        display_name: root
            .as_ref()
            .unwrap_or(&bytecodes_path)
            .display()
            .to_string(),
        bytecodes: SourceFile::new(bytecodes_path.display().to_string(), text),
        root,
        bytecodes_path: Some(bytecodes_path),
        pycore_code,
        source,
    })
}

/// The CPython `version` checkout that tests and benches read: `$CASES2RS_CPYTHON` when it is that
/// checkout (its `Include/patchlevel.h` says so, or it has none and `version` is the primary
/// 3.14.7) or a folder of checkouts named by version; else `../shared/cpython/<version>` next to
/// this repository. `None` when neither has `Python/bytecodes.c`: callers skip and say so.
pub fn test_checkout(version: &str) -> Option<PathBuf> {
    let has_bytecodes = |p: &Path| p.join("Python").join("bytecodes.c").is_file();
    if let Some(env) = std::env::var_os(ENV_VAR).filter(|v| !v.is_empty()) {
        let env = PathBuf::from(env);
        if has_bytecodes(&env.join(version)) {
            return Some(env.join(version));
        }
        if has_bytecodes(&env) {
            let quoted = format!("\"{version}\"");
            let is_it = match std::fs::read_to_string(env.join("Include").join("patchlevel.h")) {
                Ok(t) => t.lines().any(|l| {
                    let w: Vec<&str> = l.split_whitespace().collect();
                    w.len() >= 3 && w[0] == "#define" && w[1] == "PY_VERSION" && w[2] == quoted
                }),
                Err(_) => version == "3.14.7",
            };
            if is_it {
                return Some(env);
            }
        }
    }
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/cpython")
        .join(version);
    has_bytecodes(&p).then_some(p)
}

/// [`test_checkout`], printing the line a skipped test shows when there is none.
pub fn test_checkout_or_skip(version: &str) -> Option<PathBuf> {
    let found = test_checkout(version);
    if found.is_none() {
        println!(
            "skipped: no CPython {version} checkout (${ENV_VAR} or ../shared/cpython/{version})"
        );
    }
    found
}
