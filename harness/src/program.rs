//! Loading one DSL input the way the translator does: parse, analyse, parse every body with
//! lang-c, check every body against the subset. The reference interpreter is compiled from the
//! result; nothing here depends on the lowering.

use std::collections::BTreeMap;
use std::path::Path;

use subset::{Bindings, BodyEnv, Verdict};
use translator::analysis::{self, Analysis, Version};
use translator::cbody::{self, BuildConfig, ParsedFile, Prelude};
use translator::dsl::{self, Definition, InstDef, SourceFile};
use translator::input::{self, ResolvedInput};
use translator::report::env as body_env;

/// Why an input could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The input could not be resolved or read.
    #[error(transparent)]
    Input(#[from] input::InputError),
    /// The DSL did not parse.
    #[error(transparent)]
    Dsl(#[from] dsl::DslError),
    /// The analysis failed.
    #[error(transparent)]
    Analysis(#[from] analysis::AnalysisError),
    /// The binding table did not load.
    #[error(transparent)]
    Bindings(#[from] subset::BindingsError),
}

/// One checked body: its lang-c tree, environment and the checker's verdict.
#[derive(Debug)]
pub struct CheckedBody {
    /// Definition name (`BINARY_OP_ADD_INT`, `_GUARD_BOTH_INT`).
    pub name: String,
    /// The environment the checker used.
    pub env: BodyEnv,
    /// The body, or why lang-c could not parse it.
    pub ast: Result<lang_c::span::Node<lang_c::ast::Statement>, String>,
    /// The checker's verdict (`None` when the body did not parse).
    pub verdict: Option<Verdict>,
    /// `file:line:col` of the body, for messages.
    pub location: String,
}

/// A loaded input: the analysis plus every checked body by definition name.
#[derive(Debug)]
pub struct Program {
    /// Display name of the input.
    pub input: String,
    /// CPython minor version.
    pub minor: u32,
    /// The DSL analysis (instructions, uops, caches, stack effects).
    pub analysis: Analysis,
    /// Checked bodies by definition name.
    pub bodies: BTreeMap<String, CheckedBody>,
    /// Uop key → definition name.
    pub uop_defs: BTreeMap<String, String>,
}

const C_TYPE_KEYWORDS: &[&str] = &[
    "void", "char", "short", "int", "long", "float", "double", "signed", "unsigned", "_Bool",
];

/// Resolves the input like every cases2rs tool: env `CASES2RS_CPYTHON`, else
/// `<repo>/../shared/cpython/3.14.7`, else the embedded demo.
pub fn resolve_default() -> Result<ResolvedInput, LoadError> {
    let default_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/cpython/3.14.7");
    let env = std::env::var_os(input::ENV_VAR).filter(|v| !v.is_empty());
    Ok(input::resolve_with(
        None,
        env.as_deref().map(Path::new),
        &default_dir,
    )?)
}

impl Program {
    /// Loads the default input (see [`resolve_default`]) with the default binding table.
    pub fn load_default() -> Result<Program, LoadError> {
        let input = resolve_default()?;
        let bindings = Bindings::load(&Bindings::default_path())?;
        Program::from_source(&input.bytecodes, &input.display_name, &bindings, None)
    }

    /// Loads a DSL source (a whole `bytecodes.c` or a snippet) for a known or detected version.
    pub fn from_source(
        src: &SourceFile,
        display: &str,
        bindings: &Bindings,
        version: Option<Version>,
    ) -> Result<Program, LoadError> {
        let file = dsl::parse(src)?;
        let version = version.unwrap_or_else(|| Version::detect(&file));
        let minor = version.minor();
        let a = analysis::analyze_version(&file, src, None, version)?;
        // C keywords bound as types (`void`, `unsigned int`) are not typedef names.
        let prelude = Prelude::builtin().with_types(
            bindings
                .types()
                .map(|t| t.name.as_str())
                .filter(|n| !C_TYPE_KEYWORDS.contains(n)),
        );
        let parsed: ParsedFile =
            cbody::parse_file(src, &file, &BuildConfig::default_build(), &prelude);
        let constants: Vec<(String, i64)> = a
            .opmap
            .iter()
            .map(|(k, v)| (k.clone(), i64::from(*v)))
            .collect();
        let base = body_env::base_env(&file, minor, &constants);
        let defs: BTreeMap<&str, &InstDef> = file
            .definitions
            .iter()
            .filter_map(|d| match d {
                Definition::Inst(i) => Some((i.name.name.as_str(), i)),
                _ => None,
            })
            .collect();
        let mut bodies = BTreeMap::new();
        for b in &parsed.bodies {
            let Some(def) = defs.get(b.name.as_str()) else {
                continue;
            };
            let env = body_env::inst_env(def, &base, minor);
            let loc = parsed.lines.line_col(b.range.start);
            let location = format!("{}:{}:{}", parsed.path, loc.line, loc.col);
            let (ast, verdict) = match &b.ast {
                Ok(ast) => {
                    let v = subset::check_body(ast, &env, bindings);
                    (Ok(ast.clone()), Some(v))
                }
                Err(e) => (Err(e.to_string()), None),
            };
            bodies.insert(
                b.name.clone(),
                CheckedBody {
                    name: b.name.clone(),
                    env,
                    ast,
                    verdict,
                    location,
                },
            );
        }
        let uop_defs = a
            .uops
            .iter()
            .filter_map(|u| {
                file.definitions
                    .get(u.definition)
                    .map(|d| (u.name.clone(), d.name().name.clone()))
            })
            .collect::<BTreeMap<_, _>>();
        // An inst's own uop is keyed by the inst name.
        let mut uop_defs = uop_defs;
        for i in &a.instructions {
            for p in &i.parts {
                if let analysis::Part::Uop(key) = p {
                    if let Some(u) = a.uop(key) {
                        if let Some(d) = file.definitions.get(u.definition) {
                            uop_defs.insert(key.clone(), d.name().name.clone());
                        }
                    }
                }
            }
        }
        Ok(Program {
            input: display.to_string(),
            minor,
            analysis: a,
            bodies,
            uop_defs,
        })
    }

    /// The checked body of a uop key.
    pub fn body_of_uop(&self, key: &str) -> Option<&CheckedBody> {
        self.uop_defs.get(key).and_then(|d| self.bodies.get(d))
    }
}
