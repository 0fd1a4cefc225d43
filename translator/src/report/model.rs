//! The coverage report: every body's verdict, every instruction's status, and the aggregates
//! (`translate report` prints them; `--json` serialises them).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use subset::{Bindings, Rule, Verdict};

use super::env::{base_env, inst_env};
use super::optout::OptOuts;
use crate::cbody::{BodyKind, ParsedBody, ParsedFile};
use crate::dsl::{Definition, File, InputEffect, InstDef};

/// What happened to one body (or, for instructions, to all their parts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Translatable,
    Bail,
    OptedOut,
    /// lang-c could not parse it (or the lint refused the parse).
    Unparsed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Translatable => "translatable",
            Status::Bail => "bail",
            Status::OptedOut => "opted-out",
            Status::Unparsed => "unparsed",
        }
    }
}

/// One reason a body is not translated, located in the DSL file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReasonReport {
    /// A subset rule id (`name.unbound-function`), or `parse.<kind>` for a body lang-c rejected.
    pub rule: String,
    pub message: String,
    pub line: u32,
    pub col: u32,
    /// Byte range in the DSL file the reason points at.
    pub start: usize,
    pub end: usize,
    /// For unbound names: the name a binding would have to provide.
    pub unbound: Option<String>,
}

impl ReasonReport {
    /// What one fix changes: `no binding for `NAME`` for unbound names, else the message.
    pub fn fix(&self) -> String {
        match &self.unbound {
            Some(n) => format!("no binding for `{n}`"),
            None => self.message.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct BodyReport {
    pub name: String,
    pub kind: BodyKind,
    /// Line of the body's `{`.
    pub line: u32,
    pub parsed: bool,
    pub status: Status,
    pub reasons: Vec<ReasonReport>,
}

#[derive(Debug, Clone)]
pub struct InstructionReport {
    pub name: String,
    /// Line of the definition.
    pub line: u32,
    pub status: Status,
    /// Names of the bodies it runs, in order.
    pub parts: Vec<String>,
}

/// An instruction and the bodies it is made of (from the analysis: an `inst` is its own body, a
/// `macro` runs its ops).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstructionParts {
    pub name: String,
    pub line: u32,
    pub parts: Vec<String>,
}

/// Totals over a set of bodies; `bodies = translatable + bail + opted_out + (bodies - parsed)`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub bodies: usize,
    pub parsed: usize,
    pub translatable: usize,
    pub bail: usize,
    pub opted_out: usize,
}

/// One line of the bail histogram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistogramEntry {
    pub rule: String,
    pub message: String,
    /// Bailing bodies with this reason.
    pub count: usize,
    /// Bailing bodies for which this is the only reason: fixing it translates them.
    pub leverage: usize,
    pub names: Vec<String>,
}

/// An unbound name and the bailing bodies it blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnboundEntry {
    pub name: String,
    pub rule: String,
    pub bodies: usize,
    /// Bodies whose every reason is this one unbound name: binding it translates them.
    pub only_blocker: usize,
}

/// The whole report.
#[derive(Debug, Clone)]
pub struct Report {
    pub path: String,
    pub config: String,
    pub bindings: String,
    pub opt_out_file: Option<String>,
    pub bodies: Vec<BodyReport>,
    pub instructions: Vec<InstructionReport>,
    /// User opt-outs: opcode, reason (line in the opt-out file is not shown to keep rows short).
    pub opt_outs: Vec<(String, String)>,
    /// The manual-body list the `manual` column comes from, when there is one.
    pub manual_file: Option<String>,
    /// Instructions of this input with a manual body.
    pub manual: BTreeSet<String>,
    /// Names in the manual list that are not instructions of this input (another version's),
    /// shown rather than dropped.
    pub manual_unknown: Vec<String>,
}

/// Rules whose reason names a missing binding.
const UNBOUND_RULES: &[Rule] = &[
    Rule::UnboundFunction,
    Rule::UnboundIdentifier,
    Rule::UnboundField,
    Rule::TypeUnknown,
];

/// Inputs of [`build`].
#[derive(Debug)]
pub struct ReportInput<'a> {
    pub file: &'a File,
    pub parsed: &'a ParsedFile,
    /// CPython minor version (12..=15).
    pub minor: u32,
    pub instructions: &'a [InstructionParts],
    /// Integer constants visible to bodies (opcode numbers).
    pub constants: &'a [(String, i64)],
    pub bindings: &'a Bindings,
    pub opt_outs: &'a OptOuts,
    pub manual: &'a OptOuts,
}

/// Checks every parsed body and assembles the report.
pub fn build(input: &ReportInput<'_>) -> Report {
    let base = base_env(input.file, input.minor, input.constants);
    let defs: BTreeMap<&str, &Definition> = input
        .file
        .definitions
        .iter()
        .filter(|d| matches!(d, Definition::Inst(_) | Definition::Label(_)))
        .map(|d| (d.name().as_str(), d))
        .collect();
    let bodies: Vec<BodyReport> = input
        .parsed
        .bodies
        .iter()
        .map(|b| match defs.get(b.name.as_str()) {
            Some(Definition::Inst(def)) => {
                body_report(input, b, &inst_env(def, &base, input.minor), Some(def))
            }
            _ => body_report(input, b, &base, None),
        })
        .collect();
    let status_of: BTreeMap<&str, Status> =
        bodies.iter().map(|b| (b.name.as_str(), b.status)).collect();
    let instructions = input
        .instructions
        .iter()
        .map(|i| {
            let parts: Vec<Status> = i
                .parts
                .iter()
                .filter_map(|p| status_of.get(p.as_str()).copied())
                .collect();
            let status = if input.opt_outs.get(&i.name).is_some() {
                Status::OptedOut
            } else if parts.contains(&Status::Unparsed) {
                Status::Unparsed
            } else if parts.contains(&Status::Bail) {
                Status::Bail
            } else if parts.contains(&Status::OptedOut) {
                Status::OptedOut
            } else {
                Status::Translatable
            };
            InstructionReport {
                name: i.name.clone(),
                line: i.line,
                status,
                parts: i.parts.clone(),
            }
        })
        .collect();
    Report {
        path: input.parsed.path.clone(),
        config: input.parsed.config.clone(),
        bindings: input.bindings.origin().to_string(),
        opt_out_file: (!input.opt_outs.path.is_empty()).then(|| input.opt_outs.path.clone()),
        bodies,
        instructions,
        opt_outs: input
            .opt_outs
            .iter()
            .map(|o| (o.opcode.clone(), o.reason.clone()))
            .collect(),
        manual_file: (!input.manual.path.is_empty()).then(|| input.manual.path.clone()),
        manual: input
            .manual
            .iter()
            .filter(|o| input.instructions.iter().any(|i| i.name == o.opcode))
            .map(|o| o.opcode.clone())
            .collect(),
        manual_unknown: input
            .manual
            .iter()
            .filter(|o| input.instructions.iter().all(|i| i.name != o.opcode))
            .map(|o| o.opcode.clone())
            .collect(),
    }
}

fn body_report(
    input: &ReportInput<'_>,
    b: &ParsedBody,
    env: &subset::BodyEnv,
    def: Option<&InstDef>,
) -> BodyReport {
    let parsed = input.parsed;
    let line = b.start.line;
    let (status, reasons) = match &b.ast {
        Err(e) => (
            Status::Unparsed,
            e.diagnostics
                .iter()
                .map(|d| ReasonReport {
                    rule: format!("parse.{}", parse_rule(d.kind)),
                    message: d.message.clone(),
                    line: d.loc.line,
                    col: d.loc.col,
                    start: d.loc.offset,
                    end: d.loc.offset,
                    unbound: None,
                })
                .collect(),
        ),
        Ok(ast) => {
            let verdict = subset::check::check_body(ast, env, input.bindings);
            let reasons: Vec<ReasonReport> = verdict
                .reasons()
                .iter()
                .map(|r| {
                    let range = env_item_range(def, &r.message)
                        .or_else(|| b.map.original_range(r.span))
                        .unwrap_or(b.range.start..b.range.start);
                    let lc = parsed.lines.line_col(range.start);
                    let text = parsed.lines.text().get(range.clone()).unwrap_or("");
                    ReasonReport {
                        rule: r.rule.id().to_string(),
                        message: r.message.clone(),
                        line: lc.line,
                        col: lc.col,
                        start: range.start,
                        end: range.end,
                        unbound: UNBOUND_RULES
                            .contains(&r.rule)
                            .then(|| unbound_name(&r.message, text))
                            .flatten(),
                    }
                })
                .collect();
            let status = if opted_out(input, &b.name) {
                Status::OptedOut
            } else if matches!(verdict, Verdict::Translatable { .. }) {
                Status::Translatable
            } else {
                Status::Bail
            };
            (status, reasons)
        }
    };
    BodyReport {
        name: b.name.clone(),
        kind: b.kind,
        line,
        parsed: b.is_parsed(),
        status,
        reasons,
    }
}

/// The checker reports problems with the environment (`stack item `x` has unknown type ...`,
/// `cache entry `c` ...`) at the body's `{`; the item is really declared in the definition's
/// stack effect, so point there.
fn env_item_range(def: Option<&InstDef>, message: &str) -> Option<std::ops::Range<usize>> {
    let def = def?;
    let name = ["stack item `", "cache entry `"]
        .iter()
        .find_map(|p| message.strip_prefix(p))?
        .split('`')
        .next()?;
    let inputs = def.inputs.iter().map(|i| match i {
        InputEffect::Stack(s) => &s.name,
        InputEffect::Cache(c) => &c.name,
    });
    let ident = inputs
        .chain(def.outputs.iter().map(|s| &s.name))
        .find(|n| n.name == name)?;
    Some(ident.span.start..ident.span.start + ident.name.len())
}

/// A body is opted out when its name is an opted-out opcode (an `inst` is its own body).
fn opted_out(input: &ReportInput<'_>, body: &str) -> bool {
    input.opt_outs.get(body).is_some()
}

fn parse_rule(kind: crate::cbody::DiagnosticKind) -> &'static str {
    use crate::cbody::DiagnosticKind::*;
    match kind {
        Comment => "comment",
        Directive => "preprocessor",
        Syntax => "syntax",
        Misparse => "misparse",
    }
}

/// The name an unbound-name reason is about: the last `backticked` word of the message
/// (`stack item `x` has unknown type `T``), else the message's last word (`unbound function f`),
/// else the identifier the span covers.
pub fn unbound_name(message: &str, span_text: &str) -> Option<String> {
    let is_name = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
    };
    let ticked: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    if let Some(name) = ticked.last().filter(|n| is_name(n)) {
        return Some(name.to_string());
    }
    let last = message
        .split_whitespace()
        .last()
        .map(|w| w.trim_matches(|c: char| !(c.is_ascii_alphanumeric() || c == '_')));
    match last {
        Some(w) if is_name(w) && ticked.is_empty() => Some(w.to_string()),
        _ => {
            let t = span_text.trim();
            is_name(t).then(|| t.to_string())
        }
    }
}

impl Report {
    /// Totals over all bodies.
    pub fn summary(&self) -> Summary {
        summarize(self.bodies.iter())
    }

    /// Totals per body kind, in `inst`, `op`, `label` order (kinds without bodies included).
    pub fn summary_by_kind(&self) -> Vec<(BodyKind, Summary)> {
        [BodyKind::Inst, BodyKind::Op, BodyKind::Label]
            .into_iter()
            .map(|k| (k, summarize(self.bodies.iter().filter(|b| b.kind == k))))
            .collect()
    }

    /// Instruction counts per status.
    pub fn instruction_counts(&self) -> BTreeMap<Status, usize> {
        let mut m = BTreeMap::new();
        for i in &self.instructions {
            *m.entry(i.status).or_insert(0) += 1;
        }
        m
    }

    /// Every distinct bail reason with the bodies it blocks, ordered by leverage, then by count.
    /// A reason is its rule plus what one fix would change: the missing binding for unbound
    /// names (`PyObject` missing is one fix, whichever stack item or declaration shows it),
    /// else the message.
    pub fn histogram(&self) -> Vec<HistogramEntry> {
        let mut by_key: BTreeMap<(&str, String), (BTreeSet<&str>, usize)> = BTreeMap::new();
        for b in self.bodies.iter().filter(|b| b.status == Status::Bail) {
            let keys: BTreeSet<(&str, String)> = b
                .reasons
                .iter()
                .map(|r| (r.rule.as_str(), r.fix()))
                .collect();
            let only = keys.len() == 1;
            for k in keys {
                let e = by_key.entry(k).or_default();
                e.0.insert(&b.name);
                if only {
                    e.1 += 1;
                }
            }
        }
        let mut out: Vec<HistogramEntry> = by_key
            .into_iter()
            .map(|((rule, message), (names, leverage))| HistogramEntry {
                rule: rule.to_string(),
                message,
                count: names.len(),
                leverage,
                names: names.into_iter().map(str::to_string).collect(),
            })
            .collect();
        out.sort_by(|a, b| {
            b.leverage
                .cmp(&a.leverage)
                .then(b.count.cmp(&a.count))
                .then_with(|| (&a.rule, &a.message).cmp(&(&b.rule, &b.message)))
        });
        out
    }

    /// Unbound names by the number of bailing bodies they block.
    pub fn unbound(&self) -> Vec<UnboundEntry> {
        let mut by_name: BTreeMap<&str, (&str, BTreeSet<&str>, usize)> = BTreeMap::new();
        for b in self.bodies.iter().filter(|b| b.status == Status::Bail) {
            let names: BTreeSet<(&str, &str)> = b
                .reasons
                .iter()
                .filter_map(|r| r.unbound.as_deref().map(|n| (n, r.rule.as_str())))
                .collect();
            let only = names.len() == 1 && b.reasons.iter().all(|r| r.unbound.is_some());
            for (n, rule) in names {
                let e = by_name.entry(n).or_insert((rule, BTreeSet::new(), 0));
                e.1.insert(&b.name);
                if only {
                    e.2 += 1;
                }
            }
        }
        let mut out: Vec<UnboundEntry> = by_name
            .into_iter()
            .map(|(name, (rule, bodies, only))| UnboundEntry {
                name: name.to_string(),
                rule: rule.to_string(),
                bodies: bodies.len(),
                only_blocker: only,
            })
            .collect();
        out.sort_by(|a, b| {
            b.bodies
                .cmp(&a.bodies)
                .then(b.only_blocker.cmp(&a.only_blocker))
                .then_with(|| a.name.cmp(&b.name))
        });
        out
    }
}

fn summarize<'a>(bodies: impl Iterator<Item = &'a BodyReport>) -> Summary {
    let mut s = Summary::default();
    for b in bodies {
        s.bodies += 1;
        if b.parsed {
            s.parsed += 1;
        }
        match b.status {
            Status::Translatable => s.translatable += 1,
            Status::Bail => s.bail += 1,
            Status::OptedOut => s.opted_out += 1,
            Status::Unparsed => {}
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unbound_names_come_from_backticks_or_the_last_word() {
        assert_eq!(
            unbound_name("unbound function `_PyLong_Add`", "x").as_deref(),
            Some("_PyLong_Add")
        );
        assert_eq!(
            unbound_name("unbound function _PyLong_Add", "").as_deref(),
            Some("_PyLong_Add")
        );
        assert_eq!(
            unbound_name("stack item `res` has unknown type `_PyStackRef`", "").as_deref(),
            Some("_PyStackRef")
        );
        assert_eq!(
            unbound_name("unbound field _PyInterpreterFrame.localsplus", "").as_deref(),
            Some("_PyInterpreterFrame.localsplus")
        );
        assert_eq!(
            unbound_name("unknown thing (`+`)", "PyFoo").as_deref(),
            Some("PyFoo")
        );
        assert_eq!(unbound_name("pointer arithmetic (`+`)", "a + b"), None);
    }
}
