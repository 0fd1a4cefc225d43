//! Analysis of a parsed DSL file, after CPython's `Tools/cases_generator/analyzer.py`.
//!
//! Macros are expanded into parts (ops, cache skips, flushes), every instruction gets its
//! stack effect, inline-cache layout, family/deopt parent, metadata flags and opcode, and
//! every uop its id. The results are checked against CPython's own generated headers by the
//! parity tests, so the rules here follow CPython's generator rather than first principles.

pub mod caches;
pub mod cexpr;
pub mod escapes;
pub mod metadata;
pub mod opcode_py;
mod opcodes;
pub mod properties;
pub mod rules;
pub mod stack;
pub mod tables;

use std::collections::BTreeMap;

use thiserror::Error;

use crate::cache_layout::CacheLayouts;
use crate::dsl::{self, Definition, InputEffect, InstKind, MacroPart, SourceFile, Span, Token};

pub use caches::CacheMismatch;
pub use properties::Properties;

/// The CPython minor version whose generator rules apply. The DSL changed between
/// versions (conditional stack items, pseudo stack effects, labels, opcode numbering), and
/// so did the analyzer's rules (escaping calls, error flags).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Version {
    V3_12,
    V3_13,
    V3_14,
    V3_15,
}

impl Version {
    /// Reads `PY_MINOR_VERSION` from `Include/patchlevel.h`.
    pub fn from_patchlevel(text: &str) -> Option<Version> {
        let minor = text.lines().find_map(|l| {
            let mut w = l.split_whitespace();
            (w.next() == Some("#define") && w.next() == Some("PY_MINOR_VERSION"))
                .then(|| w.next())
                .flatten()
        })?;
        Version::from_minor(minor.parse().ok()?)
    }

    /// The minor version number (`12` for 3.12).
    pub fn minor(self) -> u32 {
        match self {
            Version::V3_12 => 12,
            Version::V3_13 => 13,
            Version::V3_14 => 14,
            Version::V3_15 => 15,
        }
    }

    pub fn from_minor(minor: u32) -> Option<Version> {
        Some(match minor {
            12 => Version::V3_12,
            13 => Version::V3_13,
            14 => Version::V3_14,
            15 => Version::V3_15,
            _ => return None,
        })
    }

    /// Guesses the version from DSL features when no `patchlevel.h` is at hand: 3.14 gave
    /// pseudos stack effects and added labels; 3.12 still had `super`, stack-effect-less
    /// `inst`s and `PyObject *` typed items.
    pub fn detect(file: &dsl::File) -> Version {
        let mut v314 = false;
        let mut v312 = false;
        for d in &file.definitions {
            match d {
                Definition::Label(_) => v314 = true,
                Definition::Pseudo(p) if p.has_stack_effect => v314 = true,
                Definition::Super(_) => v312 = true,
                Definition::Inst(i) if i.kind == InstKind::Legacy => v312 = true,
                Definition::Inst(i) => {
                    let typed =
                        |t: &Option<String>| t.as_deref().is_some_and(|t| t.contains("PyObject"));
                    if i.outputs.iter().any(|o| typed(&o.type_))
                        || i.inputs
                            .iter()
                            .any(|e| matches!(e, InputEffect::Stack(s) if typed(&s.type_)))
                    {
                        v312 = true;
                    }
                }
                _ => {}
            }
        }
        if v314 {
            Version::V3_14
        } else if v312 {
            Version::V3_12
        } else {
            Version::V3_13
        }
    }
}

/// An analysis error at a DSL (or header) position.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{path}:{line}:{col}: {kind}")]
pub struct AnalysisError {
    pub path: String,
    pub line: u32,
    pub col: u32,
    pub kind: AnalysisErrorKind,
}

/// What went wrong; each variant is one of CPython's analyzer rules (or a cache-layout rule).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AnalysisErrorKind {
    #[error("duplicate definition of '{name}' (previous definition at line {prev_line})")]
    Duplicate { name: String, prev_line: u32 },
    #[error("no op named '{0}' (macro part)")]
    UnknownMacroPart(String),
    #[error("family '{family}' names undefined instruction '{member}'")]
    UnknownFamilyMember { family: String, member: String },
    #[error("pseudo instruction '{pseudo}' names undefined target '{target}'")]
    UnknownPseudoTarget { pseudo: String, target: String },
    #[error("family '{0}' has insufficient members")]
    InsufficientFamilyMembers(String),
    #[error(
        "family '{}' has inconsistent (cache, input, output) effects: '{}' {:?}, '{}' {:?}",
        .0.family, .0.head, .0.expected, .0.member, .0.got
    )]
    InconsistentFamily(Box<FamilyEffects>),
    #[error("{0} cache entry in op is unused. Move to enclosing macro.")]
    UnusedCacheInOp(&'static str),
    #[error("op cannot contain both EXIT_IF and DEOPT_IF")]
    DeoptAndExit,
    #[error("escaping call '{0}' in condition")]
    EscapingCallInCondition(String),
    #[error("reuse of variable '{0}' at different stack location")]
    VariableReuse(String),
    #[error("cannot have used input '{0}' below an unused value on the stack")]
    UsedBelowUnused(String),
    #[error("bad escaping call: {0}")]
    Body(String),
    #[error("bad stack expression `{text}`: {reason}")]
    BadExpression { text: String, reason: String },
    #[error("{0}")]
    Opcodes(String),
    #[error("{0}")]
    Cache(String),
}

/// Details of [`AnalysisErrorKind::InconsistentFamily`] (boxed: errors stay small).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyEffects {
    /// The family name as written.
    pub family: String,
    pub head: String,
    pub member: String,
    /// (cache entries, input items, output items) of the head and of the member.
    pub expected: (i32, usize, usize),
    pub got: (i32, usize, usize),
}

impl AnalysisError {
    pub fn at(path: &str, span: Span, kind: AnalysisErrorKind) -> AnalysisError {
        AnalysisError {
            path: path.to_string(),
            line: span.line,
            col: span.col,
            kind,
        }
    }
}

/// A stack item with its size and condition as C text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackItem {
    pub name: String,
    pub size: Option<String>,
    pub cond: Option<String>,
    /// Same name at the same position in inputs and outputs: the value stays in place.
    pub peek: bool,
    pub span: Span,
}

/// A named cache entry of an op (`counter/1`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheEntry {
    pub name: String,
    pub size: i32,
    pub span: Span,
}

/// A uop: an `op`, the body of a single-part `inst`, or a replicated/split variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uop {
    pub name: String,
    pub span: Span,
    pub annotations: Vec<String>,
    pub inputs: Vec<StackItem>,
    pub outputs: Vec<StackItem>,
    pub caches: Vec<CacheEntry>,
    pub properties: Properties,
    /// Created from an `inst` (named `_` + the instruction).
    pub implicitly_created: bool,
    /// The opargs `replicate(N)` (`0..N`) or 3.15's `replicate(A:B)` (`A..B`) makes variants
    /// for; empty when not replicated.
    pub replicated: std::ops::Range<u32>,
    /// For `_X_0` etc.: the uop it was replicated or split from.
    pub replicates: Option<String>,
    /// Index of the defining node in [`dsl::File::definitions`].
    pub definition: usize,
}

impl Uop {
    /// Code units of inline cache the uop reads.
    pub fn cache_size(&self) -> i32 {
        self.caches.iter().map(|c| c.size).sum()
    }

    /// CPython's `why_not_viable`: uops that tier 2 cannot run get no `_PyUop_Flags` entry.
    pub fn why_not_viable(&self, version: Version) -> Option<&'static str> {
        if self.name == "_SAVE_RETURN_OFFSET" {
            return None;
        }
        if self.name.contains("INSTRUMENTED") {
            return Some("is instrumented");
        }
        if self.annotations.iter().any(|a| a == "replaced") {
            return Some("is replaced");
        }
        if self.name == "INTERPRETER_EXIT" || self.name == "JUMP_BACKWARD" {
            return Some("has tier 1 control flow");
        }
        if self.properties.needs_this {
            return Some("uses the 'this_instr' variable");
        }
        let named = self.caches.iter().filter(|c| c.name != "unused").count();
        let max = if version >= Version::V3_14 { 2 } else { 1 };
        if named > max {
            return Some("has too many cache entries");
        }
        if self.properties.error_with_pop && self.properties.error_without_pop {
            return Some("has both popping and not-popping errors");
        }
        None
    }
}

/// One part of an instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Key of the uop in [`Analysis::uop`] (an inst's own uop is keyed by the inst name).
    Uop(String),
    /// `unused/N` (N may be negative: `rewind/-4`).
    Skip(i32),
    Flush,
}

/// A named inline-cache cell of an instruction, for the lowering's typed accessors.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CacheSlot {
    pub name: String,
    /// Code units after the instruction word.
    pub offset: i32,
    pub size: i32,
    /// The uop that reads it.
    pub uop: String,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    pub name: String,
    pub span: Span,
    pub parts: Vec<Part>,
    pub properties: Properties,
    pub family: Option<String>,
    pub opcode: Option<u32>,
    /// Code units including the instruction word.
    pub size: i32,
    pub cache_slots: Vec<CacheSlot>,
    pub popped: String,
    pub pushed: String,
    pub is_target: bool,
}

impl Instruction {
    pub fn cache_entries(&self) -> i32 {
        self.size - 1
    }

    /// The family head, or the instruction itself.
    pub fn deopt(&self) -> &str {
        self.family.as_deref().unwrap_or(&self.name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pseudo {
    pub name: String,
    pub span: Span,
    pub has_stack_effect: bool,
    pub inputs: Vec<StackItem>,
    pub outputs: Vec<StackItem>,
    pub targets: Vec<String>,
    pub as_sequence: bool,
    /// Extra flags written in the definition (`HAS_ARG`), without `_FLAG`.
    pub flags: Vec<String>,
    pub opcode: Option<u32>,
    /// `None` before 3.14, where pseudos had no stack effect.
    pub popped: Option<String>,
    pub pushed: Option<String>,
    pub properties: Properties,
}

impl Pseudo {
    /// Flags of the targets merged, then the pseudo's own.
    pub fn flag_names(&self, version: Version) -> Vec<String> {
        let mut f: Vec<String> = self
            .properties
            .flags_for(version)
            .into_iter()
            .map(str::to_string)
            .collect();
        f.extend(self.flags.iter().map(|x| format!("{x}_FLAG")));
        f
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Family {
    /// The head instruction (the deopt target).
    pub name: String,
    /// The name as written: 3.12 wrote `family(binary_op, ...) = { BINARY_OP, ... }` with the
    /// head as first member; later versions name the head.
    pub written_name: String,
    /// As written: `INLINE_CACHE_ENTRIES_X`, a number, or empty.
    pub size: String,
    pub members: Vec<String>,
    pub span: Span,
}

/// The result of [`analyze`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysis {
    pub version: Version,
    pub path: String,
    /// Instructions in CPython's dict order: `inst`s in source order, then macros.
    pub instructions: Vec<Instruction>,
    inst_index: BTreeMap<String, usize>,
    /// Uops in CPython's dict order.
    pub uops: Vec<Uop>,
    /// Dict key (an inst's own uop is keyed by the inst name) → index in `uops`.
    uop_index: BTreeMap<String, usize>,
    pub families: Vec<Family>,
    pub pseudos: Vec<Pseudo>,
    /// Every assigned opcode (3.13+), including reserved names such as `CACHE`.
    pub opmap: BTreeMap<String, u32>,
    /// Uop ids as in `pycore_uop_ids.h` (3.13+).
    pub uop_ids: BTreeMap<String, u32>,
    pub have_arg: Option<u32>,
    pub min_instrumented: Option<u32>,
    /// Result of the family/cache-struct check; see [`caches`].
    pub cache_check: caches::CacheCheck,
}

impl Analysis {
    pub fn instruction(&self, name: &str) -> Option<&Instruction> {
        self.inst_index.get(name).map(|&i| &self.instructions[i])
    }

    /// A uop by dict key (op name, or instruction name for an inst's own uop).
    pub fn uop(&self, key: &str) -> Option<&Uop> {
        self.uop_index.get(key).map(|&i| &self.uops[i])
    }

    pub fn pseudo(&self, name: &str) -> Option<&Pseudo> {
        self.pseudos.iter().find(|p| p.name == name)
    }

    /// Uops that get an id: all but tier-1-only ones.
    pub fn tier2_uops(&self) -> impl Iterator<Item = &Uop> {
        self.uops.iter().filter(|u| u.properties.tier != Some(1))
    }

    /// The serializable metadata (the JSON of `translate metadata --json`).
    pub fn metadata(&self) -> metadata::Metadata {
        metadata::Metadata::from_analysis(self)
    }
}

/// Analyzes a parsed file; `caches` enables the family/cache-struct check. The version is
/// detected from the DSL; use [`analyze_version`] when it is known.
pub fn analyze(
    file: &dsl::File,
    src: &SourceFile,
    caches: Option<&CacheLayouts>,
) -> Result<Analysis, AnalysisError> {
    analyze_version(file, src, caches, Version::detect(file))
}

fn convert_item(it: &dsl::StackItem) -> StackItem {
    StackItem {
        name: it.name.name.clone(),
        size: it.size.as_ref().map(|e| e.text.clone()),
        cond: it.cond.as_ref().map(|e| e.text.clone()),
        peek: false,
        span: it.span,
    }
}

fn expr_mentions_oparg(e: &Option<dsl::CExpr>) -> bool {
    e.as_ref()
        .is_some_and(|e| e.tokens.iter().any(|t| t.is_ident() && t.text == "oparg"))
}

struct Builder<'a> {
    path: &'a str,
    version: Version,
    uops: Vec<Uop>,
    uop_index: BTreeMap<String, usize>,
    instructions: Vec<Instruction>,
    inst_index: BTreeMap<String, usize>,
}

impl Builder<'_> {
    fn err(&self, span: Span, kind: AnalysisErrorKind) -> AnalysisError {
        AnalysisError::at(self.path, span, kind)
    }

    /// CPython's `analyze_stack`: marks peeks and checks variable reuse (3.14+).
    fn analyze_stack(
        &self,
        inputs: &[&dsl::StackItem],
        outputs: &[dsl::StackItem],
    ) -> Result<(Vec<StackItem>, Vec<StackItem>), AnalysisError> {
        let mut ins: Vec<StackItem> = inputs.iter().map(|i| convert_item(i)).collect();
        let mut outs: Vec<StackItem> = outputs.iter().map(convert_item).collect();
        let input_names: BTreeMap<&str, Span> = inputs
            .iter()
            .filter(|i| !i.is_unused())
            .map(|i| (i.name.name.as_str(), i.span))
            .collect();
        let strict = self.version >= Version::V3_14;
        let mut modified = false;
        let n = ins.len().max(outs.len());
        for k in 0..n {
            match (
                ins.get(k).map(|i| i.name.clone()),
                outs.get(k).map(|o| o.name.clone()),
            ) {
                (_, None) => {}
                (None, Some(o)) => {
                    if strict {
                        if let Some(span) = input_names.get(o.as_str()) {
                            return Err(self.err(*span, AnalysisErrorKind::VariableReuse(o)));
                        }
                    }
                }
                (Some(i), Some(o)) if i == o => {
                    if !modified {
                        ins[k].peek = true;
                        outs[k].peek = true;
                    }
                }
                (Some(_), Some(o)) => {
                    modified = true;
                    if strict {
                        if let Some(span) = input_names.get(o.as_str()) {
                            return Err(self.err(*span, AnalysisErrorKind::VariableReuse(o)));
                        }
                    }
                }
            }
        }
        if strict {
            // Unused items cannot sit above used, non-peek items.
            let mut seen_unused = false;
            for it in ins.iter().rev() {
                if it.name == "unused" {
                    seen_unused = true;
                } else if it.peek {
                    break;
                } else if seen_unused {
                    return Err(
                        self.err(it.span, AnalysisErrorKind::UsedBelowUnused(it.name.clone()))
                    );
                }
            }
        }
        Ok((ins, outs))
    }

    fn analyze_caches(
        &self,
        caches: &[&dsl::CacheEffect],
        is_op: bool,
    ) -> Result<Vec<CacheEntry>, AnalysisError> {
        if is_op {
            if self.version >= Version::V3_14 {
                for (pos, c) in [("First", caches.first()), ("Last", caches.last())] {
                    if let Some(c) = c.filter(|c| c.name.name == "unused") {
                        return Err(self.err(c.span, AnalysisErrorKind::UnusedCacheInOp(pos)));
                    }
                }
            } else if let Some(c) = caches.iter().find(|c| c.name.name == "unused") {
                return Err(self.err(c.span, AnalysisErrorKind::UnusedCacheInOp("An")));
            }
        }
        Ok(caches
            .iter()
            .map(|c| CacheEntry {
                name: c.name.name.clone(),
                size: c.size,
                span: c.span,
            })
            .collect())
    }

    fn insert_uop(&mut self, key: String, uop: Uop) {
        match self.uop_index.get(&key) {
            // Python dict assignment keeps the original position.
            Some(&i) => self.uops[i] = uop,
            None => {
                self.uop_index.insert(key, self.uops.len());
                self.uops.push(uop);
            }
        }
    }

    /// CPython's `make_uop`, including `replicate(N)` and 3.13's `split` variants.
    fn make_uop(
        &mut self,
        name: String,
        def: &dsl::InstDef,
        index: usize,
        op_inputs: &[&InputEffect],
        is_op: bool,
    ) -> Result<Uop, AnalysisError> {
        let stack_in: Vec<&dsl::StackItem> = op_inputs
            .iter()
            .filter_map(|e| match e {
                InputEffect::Stack(s) => Some(s),
                InputEffect::Cache(_) => None,
            })
            .collect();
        let cache_in: Vec<&dsl::CacheEffect> = op_inputs
            .iter()
            .filter_map(|e| match e {
                InputEffect::Cache(c) => Some(c),
                InputEffect::Stack(_) => None,
            })
            .collect();
        let (inputs, outputs) = self.analyze_stack(&stack_in, &def.outputs)?;
        let caches = self.analyze_caches(&cache_in, is_op)?;
        let annotations: Vec<String> = def.annotations.iter().map(|a| a.text()).collect();
        let body = &def.body.tokens;
        let calls = escapes::find_escaping_calls(body, self.version)
            .map_err(|e| self.err(e.span, AnalysisErrorKind::Body(e.message)))?;
        if let Some(t) = escapes::escaping_call_in_condition(body, &calls, self.version) {
            return Err(self.err(
                t.span,
                AnalysisErrorKind::EscapingCallInCondition(t.text.clone()),
            ));
        }
        let body_oparg = properties::variable_used(body, "oparg");
        let oparg_in_definition = body_oparg
            || def.inputs.iter().any(|e| match e {
                InputEffect::Stack(s) => {
                    expr_mentions_oparg(&s.size) || expr_mentions_oparg(&s.cond)
                }
                InputEffect::Cache(_) => false,
            })
            || def
                .outputs
                .iter()
                .any(|s| expr_mentions_oparg(&s.size) || expr_mentions_oparg(&s.cond));
        let src = properties::OpSource {
            name: &def.name.name,
            annotations: &annotations,
            body,
            calls: &calls,
            oparg_in_definition,
        };
        let props = properties::compute(&src, self.version)
            .map_err(|_| self.err(def.span, AnalysisErrorKind::DeoptAndExit))?;
        let mut uop = Uop {
            name: name.clone(),
            span: def.span,
            annotations: annotations.clone(),
            inputs,
            outputs,
            caches,
            properties: props.clone(),
            implicitly_created: false,
            replicated: 0..0,
            replicates: None,
            definition: index,
        };
        // 3.13: `split` ops whose stack effect depends on `oparg & 1` get `_0`/`_1` variants.
        let depends_on_oparg_1 = stack_in
            .iter()
            .map(|s| &s.cond)
            .chain(def.outputs.iter().map(|s| &s.cond))
            .any(|c| c.as_ref().is_some_and(|c| is_oparg_and_1(&c.text)));
        if depends_on_oparg_1 && def.has_annotation("split") {
            uop.properties.oparg_and_1 = true;
            for bit in ["0", "1"] {
                let mut p = props.clone();
                if p.oparg {
                    p.oparg = body_oparg;
                }
                let mut rep = uop.clone();
                rep.name = format!("{name}_{bit}");
                rep.properties = p;
                rep.replicates = Some(name.clone());
                for it in rep.inputs.iter_mut().chain(rep.outputs.iter_mut()) {
                    if it.cond.as_deref().is_some_and(is_oparg_and_1) {
                        it.cond = Some(bit.to_string());
                    }
                }
                self.insert_uop(rep.name.clone(), rep);
            }
        }
        if let Some(range) = def.annotations.iter().find_map(|a| a.replicate_range()) {
            uop.replicated = range.clone();
            for k in range {
                let mut rep = uop.clone();
                rep.name = format!("{name}_{k}");
                rep.replicated = 0..0;
                rep.replicates = Some(name.clone());
                rep.properties = props.clone();
                rep.properties.oparg = false;
                rep.properties.const_oparg = Some(k);
                self.insert_uop(rep.name.clone(), rep);
            }
        }
        Ok(uop)
    }

    fn add_instruction(
        &mut self,
        name: String,
        span: Span,
        parts: Vec<Part>,
    ) -> Result<(), AnalysisError> {
        if let Some(&i) = self.inst_index.get(&name) {
            let prev_line = self.instructions[i].span.line;
            return Err(self.err(span, AnalysisErrorKind::Duplicate { name, prev_line }));
        }
        let props: Vec<Properties> = parts
            .iter()
            .map(|p| match p {
                Part::Uop(k) => self.uops[self.uop_index[k]].properties.clone(),
                Part::Skip(_) | Part::Flush => Properties::skip(),
            })
            .collect();
        let properties = Properties::merge(&props.iter().collect::<Vec<_>>());
        // Cache layout and stack effect, threading every part.
        let mut offset = 0i32;
        let mut slots = Vec::new();
        let mut st = stack::Stack::default();
        for p in &parts {
            match p {
                Part::Uop(k) => {
                    let u = &self.uops[self.uop_index[k]];
                    for c in &u.caches {
                        slots.push(CacheSlot {
                            name: c.name.clone(),
                            offset,
                            size: c.size,
                            uop: u.name.clone(),
                            span: c.span,
                        });
                        offset += c.size;
                    }
                    st.apply(&u.inputs, &u.outputs);
                }
                Part::Skip(n) => offset += n,
                Part::Flush => {}
            }
        }
        let (popped, pushed) = st.effect();
        self.inst_index
            .insert(name.clone(), self.instructions.len());
        self.instructions.push(Instruction {
            name,
            span,
            parts,
            properties,
            family: None,
            opcode: None,
            size: 1 + offset,
            cache_slots: slots,
            popped,
            pushed,
            is_target: false,
        });
        Ok(())
    }
}

fn is_oparg_and_1(cond: &str) -> bool {
    // CPython: re.match(r"\(*oparg *& *1", cond)
    let s = cond.trim_start_matches('(');
    let Some(rest) = s.strip_prefix("oparg") else {
        return false;
    };
    let rest = rest.trim_start_matches(' ');
    let Some(rest) = rest.strip_prefix('&') else {
        return false;
    };
    rest.trim_start_matches(' ').starts_with('1')
}

/// 3.12's `check_families`: a family has at least two instructions, and all have the same
/// cache size and the same number of input and output items (a part may pop what the previous
/// part pushed). Later generators dropped the stack-effect rule: specialized members
/// legitimately differ (e.g. `LOAD_ATTR_METHOD_*` always push two values).
fn check_families_3_12(b: &Builder<'_>, families: &[Family]) -> Result<(), AnalysisError> {
    let counts = |name: &str| -> (i32, usize, usize) {
        let inst = &b.instructions[b.inst_index[name]];
        let (mut input, mut output) = (0usize, 0usize);
        for p in &inst.parts {
            if let Part::Uop(k) = p {
                let u = &b.uops[b.uop_index[k]];
                let (di, d_o) = (u.inputs.len(), u.outputs.len());
                let offset = di.min(output);
                input += di - offset;
                output += d_o - offset;
            }
        }
        (inst.cache_entries(), input, output)
    };
    for fam in families {
        let span = fam.span;
        if fam.members.is_empty() {
            return Err(b.err(
                span,
                AnalysisErrorKind::InsufficientFamilyMembers(fam.written_name.clone()),
            ));
        }
        let expected = counts(&fam.name);
        for m in &fam.members {
            let got = counts(m);
            if got != expected {
                return Err(b.err(
                    span,
                    AnalysisErrorKind::InconsistentFamily(Box::new(FamilyEffects {
                        family: fam.written_name.clone(),
                        head: fam.name.clone(),
                        member: m.clone(),
                        expected,
                        got,
                    })),
                ));
            }
        }
    }
    Ok(())
}

/// [`analyze`] with an explicit version.
pub fn analyze_version(
    file: &dsl::File,
    src: &SourceFile,
    caches: Option<&CacheLayouts>,
    version: Version,
) -> Result<Analysis, AnalysisError> {
    let path = src.path.as_str();
    let mut b = Builder {
        path,
        version,
        uops: Vec::new(),
        uop_index: BTreeMap::new(),
        instructions: Vec::new(),
        inst_index: BTreeMap::new(),
    };
    // Pass 1: ops and insts.
    for (index, d) in file.definitions.iter().enumerate() {
        let Definition::Inst(def) = d else { continue };
        let name = def.name.name.clone();
        match def.kind {
            InstKind::Op => {
                if let Some(&i) = b.uop_index.get(&name) {
                    if !def.has_annotation("override") {
                        let prev_line = b.uops[i].span.line;
                        return Err(
                            b.err(def.span, AnalysisErrorKind::Duplicate { name, prev_line })
                        );
                    }
                }
                let inputs: Vec<&InputEffect> = def.inputs.iter().collect();
                let uop = b.make_uop(name.clone(), def, index, &inputs, true)?;
                b.insert_uop(name, uop);
            }
            InstKind::Inst | InstKind::Legacy => {
                let mut op_inputs: Vec<&InputEffect> = Vec::new();
                let mut parts: Vec<Part> = Vec::new();
                let mut uop_index: Option<usize> = None;
                for e in &def.inputs {
                    match e {
                        // 3.13+ moves an inst's `unused/N` entries around its uop (analyzer.py);
                        // 3.12's generator reads every cache entry at its source position, so
                        // `unused/1, type_version/2, unused/2, descr/4` puts `descr` at 5.
                        InputEffect::Cache(c)
                            if c.name.name == "unused" && version >= Version::V3_13 =>
                        {
                            parts.push(Part::Skip(c.size))
                        }
                        _ => {
                            op_inputs.push(e);
                            if uop_index.is_none() {
                                uop_index = Some(parts.len());
                                parts.push(Part::Skip(0));
                            }
                        }
                    }
                }
                if b.inst_index.contains_key(&name) {
                    let prev_line = b.instructions[b.inst_index[&name]].span.line;
                    return Err(b.err(def.span, AnalysisErrorKind::Duplicate { name, prev_line }));
                }
                let mut uop = b.make_uop(format!("_{name}"), def, index, &op_inputs, false)?;
                uop.implicitly_created = true;
                b.insert_uop(name.clone(), uop);
                match uop_index {
                    Some(i) => parts[i] = Part::Uop(name.clone()),
                    None => parts.push(Part::Uop(name.clone())),
                }
                b.add_instruction(name, def.span, parts)?;
            }
        }
    }
    // Pass 2: macros (and 3.12 supers).
    for d in &file.definitions {
        let (name, span, parts): (&dsl::Ident, Span, Vec<Part>) = match d {
            Definition::Macro(m) => {
                let mut parts = Vec::new();
                for p in &m.parts {
                    match p {
                        MacroPart::Op(id) if id.name == "flush" => parts.push(Part::Flush),
                        MacroPart::Op(id) => {
                            if !b.uop_index.contains_key(&id.name) {
                                return Err(b.err(
                                    id.span,
                                    AnalysisErrorKind::UnknownMacroPart(id.name.clone()),
                                ));
                            }
                            parts.push(Part::Uop(id.name.clone()));
                        }
                        MacroPart::Cache(c) => parts.push(Part::Skip(c.size)),
                    }
                }
                (&m.name, m.span, parts)
            }
            Definition::Super(s) => {
                let mut parts = Vec::new();
                for id in &s.ops {
                    if !b.uop_index.contains_key(&id.name) {
                        return Err(b.err(
                            id.span,
                            AnalysisErrorKind::UnknownMacroPart(id.name.clone()),
                        ));
                    }
                    parts.push(Part::Uop(id.name.clone()));
                }
                (&s.name, s.span, parts)
            }
            _ => continue,
        };
        b.add_instruction(name.name.clone(), span, parts)?;
    }
    // Pass 3: families and pseudos.
    let mut families: Vec<Family> = Vec::new();
    let mut pseudos: Vec<Pseudo> = Vec::new();
    for d in &file.definitions {
        match d {
            Definition::Family(f) => {
                // 3.12: `family(lower_name, size) = { HEAD, MEMBER, ... }`.
                let (head, members) = match f.members.split_first() {
                    Some((first, rest))
                        if version == Version::V3_12
                            && !b.inst_index.contains_key(&f.name.name) =>
                    {
                        (first, rest)
                    }
                    _ => (&f.name, &f.members[..]),
                };
                for m in std::iter::once(head).chain(members.iter()) {
                    if !b.inst_index.contains_key(&m.name) {
                        return Err(b.err(
                            m.span,
                            AnalysisErrorKind::UnknownFamilyMember {
                                family: f.name.name.clone(),
                                member: m.name.clone(),
                            },
                        ));
                    }
                }
                if let Some(prev) = families.iter().find(|x| x.name == head.name) {
                    return Err(b.err(
                        f.span,
                        AnalysisErrorKind::Duplicate {
                            name: f.name.name.clone(),
                            prev_line: prev.span.line,
                        },
                    ));
                }
                for m in members {
                    let i = b.inst_index[&m.name];
                    b.instructions[i].family = Some(head.name.clone());
                }
                let h = b.inst_index[&head.name];
                b.instructions[h].is_target = true;
                families.push(Family {
                    name: head.name.clone(),
                    written_name: f.name.name.clone(),
                    size: f.size.clone(),
                    members: members.iter().map(|m| m.name.clone()).collect(),
                    span: f.span,
                });
            }
            Definition::Pseudo(p) => {
                for t in &p.targets {
                    if !b.inst_index.contains_key(&t.name) {
                        return Err(b.err(
                            t.span,
                            AnalysisErrorKind::UnknownPseudoTarget {
                                pseudo: p.name.name.clone(),
                                target: t.name.clone(),
                            },
                        ));
                    }
                }
                let prev = pseudos
                    .iter()
                    .find(|x| x.name == p.name.name)
                    .map(|x| x.span.line)
                    .or_else(|| {
                        b.inst_index
                            .get(&p.name.name)
                            .map(|&i| b.instructions[i].span.line)
                    });
                if let Some(prev_line) = prev {
                    return Err(b.err(
                        p.span,
                        AnalysisErrorKind::Duplicate {
                            name: p.name.name.clone(),
                            prev_line,
                        },
                    ));
                }
                let ins: Vec<&dsl::StackItem> = p.inputs.iter().collect();
                let (inputs, outputs) = b.analyze_stack(&ins, &p.outputs)?;
                let (popped, pushed) = if p.has_stack_effect {
                    let mut st = stack::Stack::default();
                    st.apply(&inputs, &outputs);
                    let (a, c) = st.effect();
                    (Some(a), Some(c))
                } else {
                    (None, None)
                };
                let props: Vec<&Properties> = p
                    .targets
                    .iter()
                    .map(|t| &b.instructions[b.inst_index[&t.name]].properties)
                    .collect();
                pseudos.push(Pseudo {
                    name: p.name.name.clone(),
                    span: p.span,
                    has_stack_effect: p.has_stack_effect,
                    inputs,
                    outputs,
                    targets: p.targets.iter().map(|t| t.name.clone()).collect(),
                    as_sequence: p.as_sequence,
                    flags: p.flags.iter().map(|f| f.name.clone()).collect(),
                    opcode: None,
                    popped,
                    pushed,
                    properties: Properties::merge(&props),
                });
            }
            _ => {}
        }
    }
    if version == Version::V3_12 {
        check_families_3_12(&b, &families)?;
    }
    // BINARY_OP_INPLACE_ADD_UNICODE: a historical optimisation kept in BINARY_OP's family
    // although it has the wrong size.
    if let (Some(&i), Some(fam)) = (
        b.inst_index.get("BINARY_OP_INPLACE_ADD_UNICODE"),
        families.iter_mut().find(|f| f.name == "BINARY_OP"),
    ) {
        if version >= Version::V3_13 {
            b.instructions[i].family = Some("BINARY_OP".into());
            if !fam
                .members
                .iter()
                .any(|m| m == "BINARY_OP_INPLACE_ADD_UNICODE")
            {
                fam.members.push("BINARY_OP_INPLACE_ADD_UNICODE".into());
            }
        }
    }
    let mut analysis = Analysis {
        version,
        path: path.to_string(),
        instructions: b.instructions,
        inst_index: b.inst_index,
        uops: b.uops,
        uop_index: b.uop_index,
        families,
        pseudos,
        opmap: BTreeMap::new(),
        uop_ids: BTreeMap::new(),
        have_arg: None,
        min_instrumented: None,
        cache_check: caches::CacheCheck::NotRun,
    };
    if version >= Version::V3_13 {
        // Running out of opcodes is blamed on the last instruction, the one that did not fit.
        let last = analysis
            .instructions
            .last()
            .map(|i| i.span)
            .unwrap_or_default();
        opcodes::assign(&mut analysis)
            .map_err(|m| AnalysisError::at(path, last, AnalysisErrorKind::Opcodes(m)))?;
    }
    analysis.cache_check = caches::check(&analysis, caches);
    Ok(analysis)
}

/// The body tokens of the definition a uop came from.
pub fn uop_body<'f>(file: &'f dsl::File, uop: &Uop) -> Option<&'f [Token]> {
    match file.definitions.get(uop.definition)? {
        Definition::Inst(d) => Some(&d.body.tokens),
        _ => None,
    }
}
