//! The lowering: every body the subset checker calls translatable becomes a Rust function
//! built as syn trees ([`body`], [`expr`], [`stmt`]), every instruction whose bodies all
//! translate becomes a composed `fn(vm, oparg) -> Outcome` ([`compose`]), plus the tables
//! and dispatch over them ([`tables`]).
//!
//! Bodies are checked and lowered in parallel; each worker formats its own function, and the
//! results are collected in source order, so the output does not depend on the thread count.

pub mod body;
pub mod build;
pub mod compose;
pub mod env;
pub mod expr;
pub mod mutation;
pub mod rtype;
pub mod sig;
pub mod stmt;
pub mod tables;
pub mod template;
pub mod view;

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use subset::{check_body, Bindings, Verdict};

use crate::analysis::{Analysis, Part};
use crate::cbody::{BodyKind, ParsedBody, ParsedFile};
use crate::dsl::{self, Definition, SourceFile};

pub use body::{lower_body, BodyInput, LoweredFn};
pub use mutation::Mutation;
pub use sig::BodySig;

/// Everything the lowering reads.
#[derive(Debug, Clone, Copy)]
pub struct LowerInput<'a> {
    pub src: &'a SourceFile,
    pub file: &'a dsl::File,
    pub analysis: &'a Analysis,
    pub parsed: &'a ParsedFile,
    pub bindings: &'a Bindings,
    /// CPython 3.`minor`.
    pub minor: u32,
    /// Instructions kept manual (name → reason).
    pub opt_outs: &'a BTreeMap<String, String>,
    /// TEST-ONLY: a deliberate mistranslation (see [`Mutation`]).
    pub mutation: Option<&'a Mutation>,
}

/// Why a body or an instruction has no generated code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Skip {
    /// lang-c could not parse the body.
    Unparsed(String),
    /// The subset checker's rule ids (one per reason, in source order).
    Bail(Vec<String>),
    /// Inside the subset, but the lowering has no translation for a construct.
    Lowering(String),
    /// The instruction is in the opt-out list.
    OptedOut(String),
    /// An instruction part that has no generated body.
    Part(String),
}

impl Skip {
    /// One key per reason, for the bail histogram.
    pub fn keys(&self) -> Vec<String> {
        match self {
            Skip::Unparsed(_) => vec!["parse".to_string()],
            Skip::Bail(rules) => {
                let set: BTreeSet<&String> = rules.iter().collect();
                set.into_iter().map(|r| format!("subset {r}")).collect()
            }
            Skip::Lowering(m) => vec![format!("lowering: {m}")],
            Skip::OptedOut(_) => vec!["opted out".to_string()],
            Skip::Part(_) => vec!["a part is not generated".to_string()],
        }
    }
}

/// One body's result.
#[derive(Debug, Clone)]
pub struct BodyResult {
    pub name: String,
    pub kind: BodyKind,
    /// Line of the definition in bytecodes.c.
    pub line: u32,
    /// The formatted function, or why there is none.
    pub code: Result<String, Skip>,
    pub fn_name: String,
    pub may_dispatch: bool,
    pub saves_stack: bool,
    pub sig: Option<BodySig>,
    pub mutation_applied: bool,
}

/// One instruction's result.
#[derive(Debug, Clone)]
pub struct InstResult {
    pub name: String,
    pub opcode: Option<u32>,
    pub line: u32,
    pub size: i32,
    pub flags: Vec<String>,
    pub code: Result<String, Skip>,
    pub fn_name: String,
}

/// The whole lowering of one input.
#[derive(Debug, Clone)]
pub struct Lowered {
    pub minor: u32,
    pub bodies: Vec<BodyResult>,
    pub instructions: Vec<InstResult>,
    /// Whether the requested [`Mutation`] changed the output.
    pub mutation_applied: bool,
}

impl Lowered {
    pub fn generated_bodies(&self) -> usize {
        self.bodies.iter().filter(|b| b.code.is_ok()).count()
    }

    pub fn generated_instructions(&self) -> usize {
        self.instructions.iter().filter(|b| b.code.is_ok()).count()
    }

    /// Skipped bodies per reason key, most frequent first.
    pub fn body_bails(&self) -> Vec<(String, usize)> {
        let mut m: BTreeMap<String, usize> = BTreeMap::new();
        for b in &self.bodies {
            if let Err(s) = &b.code {
                for k in s.keys() {
                    *m.entry(k).or_default() += 1;
                }
            }
        }
        let mut v: Vec<(String, usize)> = m.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }
}

/// Formats one item as its own file fragment.
pub fn format_item(item: syn::Item) -> String {
    prettyplease::unparse(&syn::File {
        shebang: None,
        attrs: Vec::new(),
        items: vec![item],
    })
}

fn def_line(d: &Definition) -> u32 {
    d.span().line
}

/// Lower every body and instruction (in the current rayon pool).
pub fn lower_all(input: &LowerInput<'_>) -> Lowered {
    let a = input.analysis;
    let defs: BTreeMap<&str, (usize, &Definition)> = input
        .file
        .definitions
        .iter()
        .enumerate()
        .filter(|(_, d)| matches!(d, Definition::Inst(_) | Definition::Label(_)))
        .map(|(i, d)| (d.name().as_str(), (i, d)))
        .collect();
    // Sizes of the instructions that run each definition (for INSTRUCTION_SIZE).
    let mut sizes: BTreeMap<usize, BTreeSet<i32>> = BTreeMap::new();
    for inst in &a.instructions {
        for p in &inst.parts {
            if let Part::Uop(k) = p {
                if let Some(u) = a.uop(k) {
                    sizes.entry(u.definition).or_default().insert(inst.size);
                }
            }
        }
    }
    let base = env::base_env(input.file, input.minor, a);
    let bodies: Vec<BodyResult> = input
        .parsed
        .bodies
        .par_iter()
        .map(|pb| {
            let found = defs.get(pb.name.as_str()).copied();
            let size = found
                .and_then(|(i, _)| sizes.get(&i))
                .filter(|s| s.len() == 1)
                .and_then(|s| s.iter().next().copied());
            lower_one(input, &base, pb, found.map(|x| x.1), size)
        })
        .collect();
    let mutation_applied = bodies.iter().any(|b| b.mutation_applied);
    let by_name: BTreeMap<&str, &BodyResult> =
        bodies.iter().map(|b| (b.name.as_str(), b)).collect();
    let composed: Vec<(InstResult, bool)> = a
        .instructions
        .par_iter()
        .map(|inst| compose_one(input, inst, &by_name, &defs))
        .collect();
    let shift_applied = composed.iter().any(|(_, shifted)| *shifted);
    let instructions: Vec<InstResult> = composed.into_iter().map(|(r, _)| r).collect();
    Lowered {
        minor: input.minor,
        bodies,
        instructions,
        mutation_applied: mutation_applied || shift_applied,
    }
}

fn lower_one(
    input: &LowerInput<'_>,
    base: &subset::BodyEnv,
    pb: &ParsedBody,
    def: Option<&Definition>,
    instruction_size: Option<i32>,
) -> BodyResult {
    let fn_name = body::fn_ident(pb.kind, &pb.name).to_string();
    let line = def.map(def_line).unwrap_or(pb.start.line);
    let mut r = BodyResult {
        name: pb.name.clone(),
        kind: pb.kind,
        line,
        code: Err(Skip::Lowering("no definition".into())),
        fn_name,
        may_dispatch: false,
        saves_stack: false,
        sig: None,
        mutation_applied: false,
    };
    let ast = match &pb.ast {
        Ok(a) => a,
        Err(e) => {
            r.code = Err(Skip::Unparsed(e.to_string()));
            return r;
        }
    };
    let sig = match def {
        Some(Definition::Inst(d)) => match BodySig::of(d, input.minor, input.bindings) {
            Ok(s) => s,
            Err(e) => {
                r.code = Err(Skip::Lowering(e));
                return r;
            }
        },
        _ => BodySig::default(),
    };
    let env = env::body_env(base, &sig, input.minor);
    let verdict = check_body(ast, &env, input.bindings);
    let typing = match &verdict {
        Verdict::Translatable { typing } => typing,
        Verdict::Bail { reasons, .. } => {
            r.code = Err(Skip::Bail(
                reasons.iter().map(|x| x.rule.to_string()).collect(),
            ));
            r.sig = Some(sig);
            return r;
        }
    };
    let mutation = input
        .mutation
        .filter(|m| m.body() == pb.name && !matches!(m, Mutation::ShiftCache { .. }))
        .cloned();
    let bi = BodyInput {
        name: &pb.name,
        kind: pb.kind,
        line,
        sig: &sig,
        env: &env,
        typing,
        bindings: input.bindings,
        instruction_size,
        mutation,
    };
    match lower_body(&bi, ast) {
        Ok(f) => {
            r.code = Ok(format_item(syn::Item::Fn(f.item)));
            r.may_dispatch = f.may_dispatch;
            r.saves_stack = f.saves_stack;
            r.mutation_applied = f.mutation_applied;
        }
        Err(e) => r.code = Err(Skip::Lowering(e)),
    }
    r.sig = Some(sig);
    r
}

fn compose_one(
    input: &LowerInput<'_>,
    inst: &crate::analysis::Instruction,
    bodies: &BTreeMap<&str, &BodyResult>,
    defs: &BTreeMap<&str, (usize, &Definition)>,
) -> (InstResult, bool) {
    let a = input.analysis;
    let line = defs
        .get(inst.name.as_str())
        .map(|(_, d)| def_line(d))
        .unwrap_or(inst.span.line);
    let mut r = InstResult {
        name: inst.name.clone(),
        opcode: inst.opcode,
        line,
        size: inst.size,
        flags: inst
            .properties
            .flags()
            .into_iter()
            .map(str::to_string)
            .collect(),
        code: Err(Skip::Part(String::new())),
        fn_name: compose::exec_ident(&inst.name).to_string(),
    };
    if let Some(reason) = input.opt_outs.get(&inst.name) {
        r.code = Err(Skip::OptedOut(reason.clone()));
        return (r, false);
    }
    let mut ops = Vec::new();
    let mut doc = Vec::new();
    let mut cursor: i64 = 0;
    let mut shifted = false;
    for p in &inst.parts {
        match p {
            Part::Uop(k) => {
                let Some(u) = a.uop(k) else {
                    r.code = Err(Skip::Part(format!("unknown uop {k}")));
                    return (r, false);
                };
                let body_name = input
                    .file
                    .definitions
                    .get(u.definition)
                    .map(|d| d.name().name.clone())
                    .unwrap_or_default();
                let Some(b) = bodies.get(body_name.as_str()) else {
                    r.code = Err(Skip::Part(format!("{body_name} has no body")));
                    return (r, false);
                };
                let (Ok(_), Some(sig)) = (&b.code, &b.sig) else {
                    r.code = Err(Skip::Part(body_name));
                    return (r, false);
                };
                let shift = matches!(input.mutation, Some(Mutation::ShiftCache { body }) if *body == body_name);
                let mut offs = Vec::new();
                for c in &u.caches {
                    if c.name != "unused" {
                        offs.push(cursor + i64::from(shift));
                        shifted |= shift;
                    }
                    cursor += i64::from(c.size);
                }
                doc.push(format!("`{}`", u.name));
                ops.push(compose::OpCall {
                    uop: &u.name,
                    func: syn::Ident::new(&b.fn_name, proc_macro2::Span::call_site()),
                    sig,
                    may_dispatch: b.may_dispatch,
                    saves_stack: b.saves_stack,
                    cache_offsets: offs,
                });
            }
            Part::Skip(n) => {
                cursor += i64::from(*n);
                doc.push(format!("{n} cache unit(s)"));
            }
            Part::Flush => {}
        }
    }
    let spec = compose::InstSpec {
        name: &inst.name,
        opcode: inst.opcode,
        line,
        size: inst.size,
        ops,
        parts_doc: doc.join(", "),
    };
    r.code = compose::compose(&spec, input.bindings)
        .map(|f| format_item(syn::Item::Fn(f)))
        .map_err(Skip::Lowering);
    let applied = shifted && r.code.is_ok();
    (r, applied)
}
