//! DSL rules that CPython's generator enforces while *emitting* code (its `stack.py`,
//! statement parser and tier-1 emitter) rather than in `analyzer.py`. cases2rs never runs
//! CPython's emitter, so the same mistakes are caught here, on the syntax tree: an input
//! file CPython would refuse is refused too, with the place and the reason.
//!
//! Every rule has a stable id (see [`Rule`]). The rules that CPython introduced with its 3.14
//! generator only apply from [`Version::V3_14`] on, so older files are judged by the rules of
//! their own version.

use std::collections::BTreeMap;

use crate::dsl::{
    self, Definition, InputEffect, InstDef, InstKind, MacroPart, Span, StackItem, Token, TokenKind,
};

use super::Version;

/// One rule of this module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// `if`/`else`/`for`/`while` bodies must be braced (PEP 7), as CPython's statement
    /// parser requires.
    Pep7Braces,
    /// In a macro, an op may not declare `unused` an input that an earlier op of the same
    /// macro produced under a name.
    UnusedCachedValue,
    /// In a macro, a value pushed as an array must be popped as an array of the same size,
    /// and a scalar as a scalar.
    ArrayScalarMismatch,
    /// `SAVE_STACK()` and `RELOAD_STACK()` must come in pairs, in that order.
    SaveReloadStack,
    /// A uop using `INSTRUCTION_SIZE` must only appear in instructions of one size.
    InstructionSize,
    /// Inputs are closed from the top of the stack down: `PyStackRef_CLOSE(a)` while an input
    /// above `a` is still live is refused.
    KillOrder,
    /// Every op of an abstract-interpreter override file must override an op of the base.
    OverrideUnknownOp,
}

impl Rule {
    /// Stable identifier, for reports.
    pub fn id(self) -> &'static str {
        match self {
            Rule::Pep7Braces => "pep7-braces",
            Rule::UnusedCachedValue => "unused-cached-value",
            Rule::ArrayScalarMismatch => "array-scalar-mismatch",
            Rule::SaveReloadStack => "save-reload-stack",
            Rule::InstructionSize => "instruction-size",
            Rule::KillOrder => "kill-order",
            Rule::OverrideUnknownOp => "override-unknown-op",
        }
    }
}

/// A broken rule. Display is `<path>:<line>:<col>: <message>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}:{line}:{col}: {message}")]
pub struct RuleError {
    pub path: String,
    pub line: u32,
    pub col: u32,
    pub rule: Rule,
    pub message: String,
}

struct Ctx<'a> {
    path: &'a str,
}

impl Ctx<'_> {
    fn err(&self, rule: Rule, span: Span, message: impl Into<String>) -> RuleError {
        RuleError {
            path: self.path.to_owned(),
            line: span.line,
            col: span.col,
            rule,
            message: message.into(),
        }
    }
}

/// Checks every rule that applies to `version`; the first violation (in source order of the
/// rules below) is returned.
pub fn check(file: &dsl::File, path: &str, version: Version) -> Result<(), RuleError> {
    if version < Version::V3_14 {
        return Ok(());
    }
    let cx = Ctx { path };
    let labels: BTreeMap<&str, bool> = file
        .definitions
        .iter()
        .filter_map(|d| match d {
            Definition::Label(l) => Some((l.name.name.as_str(), l.spilled)),
            _ => None,
        })
        .collect();
    for d in &file.definitions {
        let (tokens, inst, section) = match d {
            Definition::Inst(i) => (&i.body.tokens, Some(i), Section::Inst),
            Definition::Label(l) => (&l.body.tokens, None, Section::Label { spilled: l.spilled }),
            _ => continue,
        };
        let code: Vec<&Token> = tokens
            .iter()
            .filter(|t| !matches!(t.kind, TokenKind::Comment | TokenKind::Preprocessor))
            .collect();
        check_pep7(&cx, &code)?;
        check_save_reload(&cx, &code, section, &labels)?;
        if let Some(inst) = inst {
            check_kill_order(&cx, inst, &code)?;
        }
    }
    let uops = UopTable::new(file);
    check_macro_stacks(&cx, file, &uops)?;
    check_instruction_size(&cx, file, &uops)?;
    Ok(())
}

/// Checks an abstract-interpreter override file (`optimizer_bytecodes.c`) against its base:
/// it may only redefine ops the base defines.
pub fn check_overrides(
    base: &dsl::File,
    overrides: &dsl::File,
    overrides_path: &str,
) -> Result<(), RuleError> {
    let cx = Ctx {
        path: overrides_path,
    };
    let base_uops = UopTable::new(base);
    for d in &overrides.definitions {
        if let Definition::Inst(i) = d {
            if !base_uops.by_key.contains_key(i.name.name.as_str()) {
                return Err(cx.err(
                    Rule::OverrideUnknownOp,
                    i.name.span,
                    format!(
                        "all abstract uops must override base uops, but '{}' is not defined in the base file",
                        i.name.name
                    ),
                ));
            }
        }
    }
    Ok(())
}

// ---- PEP 7 -------------------------------------------------------------------------------

/// Index of the token after the parenthesised group starting at `open` (a `(`).
fn skip_parens(code: &[&Token], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (k, t) in code.iter().enumerate().skip(open) {
        if t.is_punct("(") {
            depth += 1;
        } else if t.is_punct(")") {
            depth = depth.checked_sub(1)?;
            if depth == 0 {
                return Some(k + 1);
            }
        }
    }
    None
}

fn check_pep7(cx: &Ctx, code: &[&Token]) -> Result<(), RuleError> {
    for (i, t) in code.iter().enumerate() {
        if t.kind != TokenKind::Keyword {
            continue;
        }
        let word = t.text.as_str();
        let after = match word {
            "if" | "for" | "while" => {
                if !code.get(i + 1).is_some_and(|n| n.is_punct("(")) {
                    continue;
                }
                let Some(after) = skip_parens(code, i + 1) else {
                    continue;
                };
                // `do { ... } while (cond);` ends a statement rather than starting one.
                let do_while_tail = word == "while"
                    && i > 0
                    && code[i - 1].is_punct("}")
                    && code.get(after).is_some_and(|n| n.is_punct(";"));
                if do_while_tail {
                    continue;
                }
                after
            }
            "else" => {
                if code
                    .get(i + 1)
                    .is_some_and(|n| n.is(TokenKind::Keyword, "if"))
                {
                    continue;
                }
                i + 1
            }
            _ => continue,
        };
        if !code.get(after).is_some_and(|n| n.is_punct("{")) {
            let found = code
                .get(after)
                .map_or("end of body".to_owned(), |n| format!("'{}'", n.text));
            return Err(cx.err(
                Rule::Pep7Braces,
                t.span,
                format!("the body of '{word}' must be enclosed in braces (PEP 7), found {found}"),
            ));
        }
    }
    Ok(())
}

// ---- SAVE_STACK / RELOAD_STACK ------------------------------------------------------------

/// Where a body sits: an instruction must give the stack back (`RELOAD_STACK()`) before it
/// ends; a label starts saved when it is `spilled`, and may not jump to a non-spilled label
/// while the stack is saved.
#[derive(Clone, Copy)]
enum Section {
    Inst,
    Label { spilled: bool },
}

fn check_save_reload(
    cx: &Ctx,
    code: &[&Token],
    section: Section,
    labels: &BTreeMap<&str, bool>,
) -> Result<(), RuleError> {
    let mut saved = matches!(section, Section::Label { spilled: true });
    let mut last_save: Option<&Token> = None;
    for (k, t) in code.iter().enumerate() {
        if t.is(TokenKind::Keyword, "goto") || (t.is_ident() && t.text == "JUMP_TO_LABEL") {
            if matches!(section, Section::Inst) {
                continue;
            }
            let target = if t.kind == TokenKind::Keyword {
                code.get(k + 1)
            } else {
                code.get(k + 2)
            };
            let Some(target) = target.filter(|x| x.is_ident()) else {
                continue;
            };
            // Jumping to a spilled label from live code is fine (the generator spills on
            // the way); jumping to a live label with the stack saved would lose it.
            if labels.get(target.text.as_str()) == Some(&false) && saved {
                return Err(cx.err(
                    Rule::SaveReloadStack,
                    target.span,
                    format!(
                        "label '{}' expects the stack live, but here it is saved: RELOAD_STACK() first",
                        target.text
                    ),
                ));
            }
            continue;
        }
        if !t.is_ident() {
            continue;
        }
        match t.text.as_str() {
            "SAVE_STACK" => {
                if saved {
                    let previous = last_save.map_or("the label is spilled".to_owned(), |p| {
                        format!("previous SAVE_STACK() at {}:{}", p.span.line, p.span.col)
                    });
                    return Err(cx.err(
                        Rule::SaveReloadStack,
                        t.span,
                        format!("SAVE_STACK() again before RELOAD_STACK() ({previous})"),
                    ));
                }
                saved = true;
                last_save = Some(t);
            }
            "RELOAD_STACK" => {
                if !saved {
                    return Err(cx.err(
                        Rule::SaveReloadStack,
                        t.span,
                        "RELOAD_STACK() without a preceding SAVE_STACK()",
                    ));
                }
                saved = false;
            }
            _ => {}
        }
    }
    match (section, saved, last_save) {
        (Section::Inst, true, Some(t)) => Err(cx.err(
            Rule::SaveReloadStack,
            t.span,
            "SAVE_STACK() is not followed by RELOAD_STACK()",
        )),
        _ => Ok(()),
    }
}

// ---- kill order ---------------------------------------------------------------------------

fn stack_inputs(inst: &InstDef) -> Vec<&StackItem> {
    inst.inputs
        .iter()
        .filter_map(|e| match e {
            InputEffect::Stack(s) => Some(s),
            InputEffect::Cache(_) => None,
        })
        .collect()
}

fn check_kill_order(cx: &Ctx, inst: &InstDef, code: &[&Token]) -> Result<(), RuleError> {
    let inputs = stack_inputs(inst);
    // Inputs that sit in the same place in the outputs stay on the stack ("peeks").
    let mut peek = vec![false; inputs.len()];
    for (k, (i, o)) in inputs.iter().zip(inst.outputs.iter()).enumerate() {
        if i.name.name != o.name.name {
            break;
        }
        peek[k] = true;
    }
    // Scalar, named, non-peek inputs are the ones held in locals that must be released.
    let tracked: Vec<bool> = inputs
        .iter()
        .zip(&peek)
        .map(|(i, &p)| !p && !i.is_array() && !i.is_unused())
        .collect();
    let mut live = tracked.clone();
    let index_of = |name: &str| inputs.iter().position(|i| i.name.name == name);
    let mut k = 0;
    while k < code.len() {
        let t = code[k];
        let is_call = t.is_ident() && code.get(k + 1).is_some_and(|n| n.is_punct("("));
        if !is_call {
            k += 1;
            continue;
        }
        let arg = code.get(k + 2).filter(|a| a.is_ident());
        match t.text.as_str() {
            "INPUTS_DEAD" | "DECREF_INPUTS" => live.iter_mut().for_each(|l| *l = false),
            "DEAD" | "PyStackRef_CLOSE_SPECIALIZED" | "PyStackRef_AsPyObjectSteal" => {
                if let Some(i) = arg.and_then(|a| index_of(&a.text)) {
                    live[i] = false;
                }
            }
            "PyStackRef_CLOSE" | "PyStackRef_XCLOSE" => {
                // Only a whole input (`x)`), not `x[i]` or a field.
                let whole = code.get(k + 3).is_some_and(|c| c.is_punct(")"));
                if let (Some(a), true) = (arg, whole) {
                    if let Some(i) = index_of(&a.text) {
                        if let Some(above) = (i + 1..inputs.len()).rev().find(|&j| live[j]) {
                            return Err(cx.err(
                                Rule::KillOrder,
                                a.span,
                                format!(
                                    "cannot close '{}' when '{}' is still live: inputs are closed from the top of the stack down",
                                    a.text, inputs[above].name.name
                                ),
                            ));
                        }
                        live[i] = false;
                    }
                }
            }
            _ => {}
        }
        k += 1;
    }
    Ok(())
}

// ---- macros -------------------------------------------------------------------------------

/// The uops of a file, keyed as CPython keys them: an `op` by its name, an `inst`'s own
/// uop by the instruction's name.
struct UopTable<'f> {
    by_key: BTreeMap<&'f str, &'f InstDef>,
}

impl<'f> UopTable<'f> {
    fn new(file: &'f dsl::File) -> Self {
        let mut by_key = BTreeMap::new();
        for d in &file.definitions {
            if let Definition::Inst(i) = d {
                by_key.insert(i.name.name.as_str(), i);
            }
        }
        UopTable { by_key }
    }

    /// Code units of cache the uop reads (an `inst`'s `unused` entries belong to the
    /// instruction, not to its uop).
    fn cache_size(def: &InstDef) -> i64 {
        def.inputs
            .iter()
            .filter_map(|e| match e {
                InputEffect::Cache(c) if def.kind == InstKind::Op || c.name.name != "unused" => {
                    Some(c.size as i64)
                }
                _ => None,
            })
            .sum()
    }
}

/// An item on the simulated stack of a macro.
#[derive(Clone, Copy)]
struct Pushed<'f> {
    item: &'f StackItem,
    by: &'f str,
    /// Produced by an earlier op and so far only held in a local: declaring it `unused`
    /// would drop it. Values that only passed through ops unchanged (peeks) are still in
    /// memory and may be ignored.
    fresh: bool,
}

fn shape(item: &StackItem) -> String {
    match &item.size {
        Some(s) => format!("array[{}]", s.text),
        None => "scalar".to_owned(),
    }
}

/// Number of leading inputs that reappear unchanged (same name, same place) as outputs.
fn peek_count(inputs: &[&StackItem], outputs: &[StackItem]) -> usize {
    inputs
        .iter()
        .zip(outputs)
        .take_while(|(i, o)| i.name.name == o.name.name)
        .count()
}

fn check_macro_stacks(cx: &Ctx, file: &dsl::File, uops: &UopTable) -> Result<(), RuleError> {
    for d in &file.definitions {
        let Definition::Macro(m) = d else { continue };
        let mut stack: Vec<Pushed> = Vec::new();
        for part in &m.parts {
            let MacroPart::Op(op) = part else { continue };
            if op.name == "flush" {
                stack.clear();
                continue;
            }
            // Unknown parts are the analysis's error to report.
            let Some(def) = uops.by_key.get(op.name.as_str()) else {
                continue;
            };
            let inputs = stack_inputs(def);
            // What each input position received; `None` for values from before the macro.
            let mut received: Vec<Option<Pushed>> = vec![None; inputs.len()];
            for (k, input) in inputs.iter().enumerate().rev() {
                let Some(top) = stack.pop() else { break };
                received[k] = Some(top);
                if input.is_array() != top.item.is_array()
                    || input.size.as_ref().map(|s| &s.text)
                        != top.item.size.as_ref().map(|s| &s.text)
                {
                    let what = if input.is_array() != top.item.is_array() {
                        "array/scalar"
                    } else {
                        "size"
                    };
                    return Err(cx.err(
                        Rule::ArrayScalarMismatch,
                        input.span,
                        format!(
                            "{what} mismatch in macro {}: {} pops '{}' as {} but {} pushed '{}' as {}",
                            m.name.name,
                            op.name,
                            input.name.name,
                            shape(input),
                            top.by,
                            top.item.name.name,
                            shape(top.item)
                        ),
                    ));
                }
                if input.is_unused() && !input.is_array() && top.fresh {
                    return Err(cx.err(
                        Rule::UnusedCachedValue,
                        input.span,
                        format!(
                            "value is declared unused by {} in macro {}, but is already cached by the prior op {} as '{}'",
                            op.name, m.name.name, top.by, top.item.name.name
                        ),
                    ));
                }
            }
            let peeks = peek_count(&inputs, &def.outputs);
            for (k, out) in def.outputs.iter().enumerate() {
                let pushed = match received.get(k).copied().flatten() {
                    Some(p) if k < peeks => Pushed { item: out, ..p },
                    _ => Pushed {
                        item: out,
                        by: def.name.name.as_str(),
                        fresh: k >= peeks && !out.is_unused(),
                    },
                };
                stack.push(pushed);
            }
        }
    }
    Ok(())
}

// ---- INSTRUCTION_SIZE ---------------------------------------------------------------------

fn check_instruction_size(cx: &Ctx, file: &dsl::File, uops: &UopTable) -> Result<(), RuleError> {
    // (instruction name, size, uop keys it contains)
    let mut instructions: Vec<(&str, i64, Vec<&str>)> = Vec::new();
    for d in &file.definitions {
        match d {
            Definition::Inst(i) if i.kind != InstKind::Op => {
                let size: i64 = 1 + i
                    .inputs
                    .iter()
                    .filter_map(|e| match e {
                        InputEffect::Cache(c) => Some(c.size as i64),
                        InputEffect::Stack(_) => None,
                    })
                    .sum::<i64>();
                instructions.push((&i.name.name, size, vec![i.name.name.as_str()]));
            }
            Definition::Macro(m) => {
                let mut size = 1;
                let mut parts = Vec::new();
                for p in &m.parts {
                    match p {
                        MacroPart::Cache(c) => size += c.size as i64,
                        MacroPart::Op(o) => {
                            if let Some(def) = uops.by_key.get(o.name.as_str()) {
                                size += UopTable::cache_size(def);
                                parts.push(o.name.as_str());
                            }
                        }
                    }
                }
                instructions.push((&m.name.name, size, parts));
            }
            _ => {}
        }
    }
    for (key, def) in &uops.by_key {
        let Some(tok) = def
            .body
            .tokens
            .iter()
            .find(|t| t.is_ident() && t.text == "INSTRUCTION_SIZE")
        else {
            continue;
        };
        let mut first: Option<(&str, i64)> = None;
        for (name, size, parts) in &instructions {
            if !parts.contains(key) {
                continue;
            }
            match first {
                None => first = Some((name, *size)),
                Some((first_name, first_size)) if first_size != *size => {
                    return Err(cx.err(
                        Rule::InstructionSize,
                        tok.span,
                        format!(
                            "all instructions containing a uop with the INSTRUCTION_SIZE macro must have the same size: {first_name} has {first_size} code units, {name} has {size}"
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
    }
    Ok(())
}
