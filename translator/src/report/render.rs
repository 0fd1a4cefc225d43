//! Text and JSON renderings of a [`Report`].

use std::fmt::Write;

use serde_json::{json, Value};

use super::model::{Report, Status, Summary};

/// How many histogram lines and unbound names the text shows (the JSON has every body).
pub const HISTOGRAM_LINES: usize = 30;
pub const UNBOUND_LINES: usize = 15;
/// Body names shown per histogram line.
const NAMES_PER_LINE: usize = 6;

/// The documented JSON: `{"summary": {...}, "bodies": [...], "instructions": [...]}`.
pub fn to_json(r: &Report) -> Value {
    let s = r.summary();
    json!({
        "summary": summary_json(&s),
        "bodies": r.bodies.iter().map(|b| json!({
            "name": b.name,
            "kind": b.kind.as_str(),
            "line": b.line,
            "parsed": b.parsed,
            "verdict": b.status.as_str(),
            "reasons": b.reasons.iter().map(|x| json!({
                "rule": x.rule,
                "message": x.message,
                "line": x.line,
                "col": x.col,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "instructions": r.instructions.iter().map(|i| json!({
            "name": i.name,
            "status": i.status.as_str(),
            "parts": i.parts,
            "manual": r.manual.contains(&i.name),
        })).collect::<Vec<_>>(),
    })
}

fn summary_json(s: &Summary) -> Value {
    json!({
        "bodies": s.bodies,
        "parsed": s.parsed,
        "translatable": s.translatable,
        "bail": s.bail,
        "opted_out": s.opted_out,
    })
}

fn pct(n: usize, d: usize) -> String {
    if d == 0 {
        "-".into()
    } else {
        format!("{:.1}%", 100.0 * n as f64 / d as f64)
    }
}

/// The gauge as text.
pub fn to_text(r: &Report) -> String {
    let mut o = String::new();
    let s = r.summary();
    let _ = writeln!(o, "cases2rs coverage: {}", r.path);
    let _ = writeln!(
        o,
        "config {} · bindings {} · opt-outs {} · {}",
        r.config,
        r.bindings,
        r.opt_out_file.as_deref().unwrap_or("none"),
        manual_summary(r)
    );
    manual_unknown_note(&mut o, r);
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "{:<8} {:>6} {:>6} {:>12} {:>6} {:>9} {:>8}",
        "bodies", "total", "parsed", "translatable", "bail", "opted-out", "coverage"
    );
    let mut rows: Vec<(&str, Summary)> = r
        .summary_by_kind()
        .into_iter()
        .map(|(k, t)| (k.as_str(), t))
        .collect();
    rows.push(("all", s));
    for (label, t) in rows {
        let _ = writeln!(
            o,
            "{:<8} {:>6} {:>6} {:>12} {:>6} {:>9} {:>8}",
            label,
            t.bodies,
            t.parsed,
            t.translatable,
            t.bail,
            t.opted_out,
            pct(t.translatable, t.bodies)
        );
    }
    let counts = r.instruction_counts();
    let c = |st| counts.get(&st).copied().unwrap_or(0);
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "instructions: {} · fully translatable {} ({}) · bail {} · opted out {} · unparsed {}",
        r.instructions.len(),
        c(Status::Translatable),
        pct(c(Status::Translatable), r.instructions.len()),
        c(Status::Bail),
        c(Status::OptedOut),
        c(Status::Unparsed)
    );

    let unparsed: Vec<_> = r
        .bodies
        .iter()
        .filter(|b| b.status == Status::Unparsed)
        .collect();
    if !unparsed.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(o, "parse failures ({}):", unparsed.len());
        for b in unparsed {
            for x in &b.reasons {
                let _ = writeln!(
                    o,
                    "  {}:{}:{}: {} [{}]: {}",
                    r.path, x.line, x.col, b.name, x.rule, x.message
                );
            }
        }
    }

    let hist = r.histogram();
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "bail histogram: {} distinct reasons, by leverage (bodies translated if only this were fixed)",
        hist.len()
    );
    if !hist.is_empty() {
        let _ = writeln!(
            o,
            "{:>8} {:>6}  {:<26} reason → bodies",
            "leverage", "bodies", "rule"
        );
    }
    for h in hist.iter().take(HISTOGRAM_LINES) {
        let shown: Vec<&str> = h
            .names
            .iter()
            .take(NAMES_PER_LINE)
            .map(String::as_str)
            .collect();
        let more = h.names.len().saturating_sub(NAMES_PER_LINE);
        let _ = writeln!(
            o,
            "{:>8} {:>6}  {:<26} {} → {}{}",
            h.leverage,
            h.count,
            h.rule,
            h.message,
            shown.join(", "),
            if more > 0 {
                format!(" (+{more})")
            } else {
                String::new()
            }
        );
    }
    if hist.len() > HISTOGRAM_LINES {
        let _ = writeln!(
            o,
            "  … {} more reasons (see --json)",
            hist.len() - HISTOGRAM_LINES
        );
    }

    let unbound = r.unbound();
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "unbound names blocking the most bodies ({} distinct):",
        unbound.len()
    );
    for u in unbound.iter().take(UNBOUND_LINES) {
        let _ = writeln!(
            o,
            "  {:>4} bodies ({:>3} only by it)  {}  [{}]",
            u.bodies, u.only_blocker, u.name, u.rule
        );
    }
    if unbound.len() > UNBOUND_LINES {
        let _ = writeln!(o, "  … {} more (see --json)", unbound.len() - UNBOUND_LINES);
    }
    o
}

/// One row of the opt-out listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptOutRow {
    pub opcode: String,
    pub reason: String,
    pub line: u32,
    /// `yes` when the manual-body list (`--manual`, default harness/manual.toml) names the
    /// instruction: the harness has a hand-written body for it, checked like generated code.
    pub manual: &'static str,
}

/// Every instruction that is not translated, and why: the user's opt-outs and the bails.
pub fn opt_out_rows(r: &Report) -> Vec<OptOutRow> {
    let by_name: std::collections::BTreeMap<&str, &super::model::BodyReport> =
        r.bodies.iter().map(|b| (b.name.as_str(), b)).collect();
    r.instructions
        .iter()
        .filter(|i| i.status != Status::Translatable)
        .map(|i| {
            let reason = match i.status {
                Status::OptedOut => {
                    let user = r
                        .opt_outs
                        .iter()
                        .find(|(n, _)| n == &i.name)
                        .map(|(_, why)| why.as_str());
                    format!("opt-out: {}", user.unwrap_or("a part is opted out"))
                }
                st => {
                    let reasons: Vec<String> = i
                        .parts
                        .iter()
                        .filter_map(|p| by_name.get(p.as_str()))
                        .filter(|b| b.status == st)
                        .flat_map(|b| {
                            b.reasons
                                .iter()
                                .map(move |x| format!("{} ({}): {}", x.rule, b.name, x.message))
                        })
                        .collect();
                    let first = reasons.first().cloned().unwrap_or_default();
                    let more = reasons.len().saturating_sub(1);
                    format!(
                        "{}: {first}{}",
                        st.as_str(),
                        if more > 0 {
                            format!(" (+{more} more)")
                        } else {
                            String::new()
                        }
                    )
                }
            };
            OptOutRow {
                opcode: i.name.clone(),
                reason,
                line: i.line,
                manual: if r.manual.contains(&i.name) {
                    "yes"
                } else {
                    "none"
                },
            }
        })
        .collect()
}

pub fn opt_outs_text(r: &Report) -> String {
    let rows = opt_out_rows(r);
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{} of {} instructions are not translated ({} opted out by {}); {} of them have a manual body ({}):",
        rows.len(),
        r.instructions.len(),
        r.instructions
            .iter()
            .filter(|i| i.status == Status::OptedOut)
            .count(),
        r.opt_out_file.as_deref().unwrap_or("no opt-out file"),
        rows.iter().filter(|x| x.manual == "yes").count(),
        manual_summary(r)
    );
    manual_unknown_note(&mut o, r);
    let w = rows
        .iter()
        .map(|x| x.opcode.len())
        .max()
        .unwrap_or(6)
        .max(6);
    let _ = writeln!(
        o,
        "{:<w$}  {:>6}  {:<6}  reason",
        "opcode", "line", "manual"
    );
    for x in &rows {
        let _ = writeln!(
            o,
            "{:<w$}  {:>6}  {:<6}  {}",
            x.opcode, x.line, x.manual, x.reason
        );
    }
    o
}

/// `manual bodies N (file)`, or why there are none.
fn manual_summary(r: &Report) -> String {
    match &r.manual_file {
        Some(f) => format!("manual bodies {} ({f})", r.manual.len()),
        None => "manual bodies none (no manual list)".into(),
    }
}

/// Names of the manual list that this input does not have, so none disappears unseen.
fn manual_unknown_note(o: &mut String, r: &Report) {
    if !r.manual_unknown.is_empty() {
        let _ = writeln!(
            o,
            "note: {} name(s) of the manual list are not instructions of this input: {}",
            r.manual_unknown.len(),
            r.manual_unknown.join(", ")
        );
    }
}

pub fn opt_outs_json(r: &Report) -> Value {
    json!({
        "opt_outs": opt_out_rows(r).iter().map(|x| json!({
            "opcode": x.opcode,
            "reason": x.reason,
            "line": x.line,
            "manual": x.manual,
        })).collect::<Vec<_>>()
    })
}
