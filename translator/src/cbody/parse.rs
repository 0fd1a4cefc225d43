//! Parsing prepared bodies with lang-c: the bodies in a few translation units parsed in parallel,
//! and body by body when one of them fails, so one bad body is located and every other body still
//! gets its AST.

use lang_c::ast::{ExternalDeclaration, Statement};
use lang_c::driver::{parse_preprocessed, Parse, SyntaxError};
use lang_c::span::Node;
use rayon::prelude::*;

use super::blank::blank_comments;
use super::cond::apply_conditionals;
use super::config::BuildConfig;
use super::error::{BodyParseError, Diagnostic, DiagnosticKind};
use super::labels::close_trailing_labels;
use super::lint::lint_body;
use super::prelude::{lang_c_config, Prelude};
use super::spanmap::{LineIndex, SpanMap};
use super::{BodySource, ParsedBody, ParsedFile};

/// A body after comment blanking and conditional evaluation: same length as the source text.
struct Prepared {
    text: String,
}

/// Parses every body of one file. Never fails as a whole: each body carries its own result.
pub fn parse_bodies(
    path: &str,
    file_text: &str,
    bodies: &[BodySource<'_>],
    config: &BuildConfig,
    prelude: &Prelude,
) -> ParsedFile {
    let lines = LineIndex::new(file_text);
    let diag = |kind, offset: usize, message: String| Diagnostic {
        kind,
        path: path.to_string(),
        loc: lines.line_col(offset),
        message,
    };
    let prepared: Vec<Result<Prepared, Diagnostic>> = bodies
        .iter()
        .map(|b| prepare(b, config).map_err(|(kind, rel, msg)| diag(kind, b.start + rel, msg)))
        .collect();

    let mut results: Vec<Option<BodyResult>> = prepared
        .iter()
        .map(|p| p.as_ref().err().map(|d| Err(vec![d.clone()])))
        .collect();

    // The bodies in a fixed number of translation units (so spans and results do not depend on
    // the thread count), each with the prelude, parsed in parallel: lang-c is most of the
    // front-end's time and one unit would run on one core.
    let ok: Vec<usize> = (0..bodies.len()).filter(|&i| prepared[i].is_ok()).collect();
    let per_unit = ok.len().div_ceil(UNITS).max(1);
    let units: Vec<Option<Vec<(usize, BodyResult)>>> = ok
        .par_chunks(per_unit)
        .map(|idx| parse_unit(idx, &prepared, bodies, prelude, &diag))
        .collect();
    let single_pass = units.iter().all(Option::is_some);
    if single_pass {
        for (i, r) in units.into_iter().flatten().flatten() {
            results[i] = Some(r);
        }
    } else {
        let one_by_one: Vec<(usize, BodyResult)> = ok
            .par_iter()
            .filter_map(|&i| {
                let p = prepared[i].as_ref().ok()?;
                Some((i, parse_one(i, &bodies[i], p, prelude, &diag)))
            })
            .collect();
        for (i, r) in one_by_one {
            results[i] = Some(r);
        }
    }

    let parsed = bodies
        .iter()
        .zip(results)
        .map(|(b, r)| {
            let (ast, map) = match r {
                Some(Ok((ast, map))) => (Ok(ast), map),
                Some(Err(diagnostics)) => (
                    Err(BodyParseError { diagnostics }),
                    SpanMap {
                        prepared_start: 0,
                        original_start: b.start,
                        len: 0,
                    },
                ),
                None => (
                    Err(BodyParseError {
                        diagnostics: vec![diag(
                            DiagnosticKind::Syntax,
                            b.start,
                            "body was not parsed".into(),
                        )],
                    }),
                    SpanMap {
                        prepared_start: 0,
                        original_start: b.start,
                        len: 0,
                    },
                ),
            };
            ParsedBody {
                name: b.name.to_string(),
                kind: b.kind,
                start: lines.line_col(b.start),
                range: b.start..b.start + b.text.len(),
                map,
                ast,
            }
        })
        .collect();
    ParsedFile {
        path: path.to_string(),
        config: config.name().to_string(),
        lines,
        bodies: parsed,
        single_pass,
    }
}

/// Bodies per parallel translation unit: the prelude is parsed once per unit, so a few units
/// (enough for the cores this runs on) and no more.
const UNITS: usize = 4;

/// Parses the bodies `idx` (ascending) as one translation unit; `None` when lang-c rejects the
/// unit or it does not split into one definition per body (the caller then parses every body on
/// its own, which locates the bad one).
fn parse_unit(
    idx: &[usize],
    prepared: &[Result<Prepared, Diagnostic>],
    bodies: &[BodySource<'_>],
    prelude: &Prelude,
    diag: &(dyn Fn(DiagnosticKind, usize, String) -> Diagnostic + Sync),
) -> Option<Vec<(usize, BodyResult)>> {
    let mut tu = String::with_capacity(
        prelude.text().len()
            + idx
                .iter()
                .map(|&i| bodies[i].text.len() + 40)
                .sum::<usize>(),
    );
    tu.push_str(prelude.text());
    tu.push('\n');
    let mut maps: Vec<Option<SpanMap>> = vec![None; bodies.len()];
    for &i in idx {
        let p = prepared[i].as_ref().ok()?;
        tu.push_str(&wrapper_header(i));
        maps[i] = Some(SpanMap {
            prepared_start: tu.len(),
            original_start: bodies[i].start,
            len: p.text.len(),
        });
        tu.push_str(&p.text);
        tu.push('\n');
    }
    let parse = parse_preprocessed(&lang_c_config(), tu).ok()?;
    let (asts, text) = split_unit(parse, &maps)?;
    let is_type = |n: &str| prelude.declares(n);
    Some(
        asts.into_iter()
            .map(|(i, ast)| {
                let map = maps[i].unwrap_or(SpanMap {
                    prepared_start: 0,
                    original_start: 0,
                    len: 0,
                });
                let hits = lint_body(&ast, &text, &is_type);
                (i, lint_result(ast, map, hits, diag))
            })
            .collect(),
    )
}

/// A body's AST with its span map, or every problem found in it.
type BodyResult = Result<(Node<Statement>, SpanMap), Vec<Diagnostic>>;

fn lint_result(
    ast: Node<Statement>,
    map: SpanMap,
    hits: Vec<super::lint::LintHit>,
    diag: &dyn Fn(DiagnosticKind, usize, String) -> Diagnostic,
) -> BodyResult {
    if hits.is_empty() {
        return Ok((ast, map));
    }
    Err(hits
        .into_iter()
        .map(|h| {
            let off = map.to_original(h.start).unwrap_or(map.original_start);
            diag(DiagnosticKind::Misparse, off, h.message)
        })
        .collect())
}

fn wrapper_header(i: usize) -> String {
    format!("void __cases2rs_body_{i}(void) ")
}

/// Blanks comments and evaluates conditionals; errors carry a body-relative offset.
fn prepare(
    b: &BodySource<'_>,
    config: &BuildConfig,
) -> Result<Prepared, (DiagnosticKind, usize, String)> {
    let text = blank_comments(b.text).map_err(|e| {
        (
            DiagnosticKind::Comment,
            e.offset,
            "unterminated `/*` comment".to_string(),
        )
    })?;
    let text = apply_conditionals(&text, config)
        .map_err(|e| (DiagnosticKind::Directive, e.offset, e.message))?;
    let text = close_trailing_labels(&text);
    Ok(Prepared { text })
}

/// The function definitions of a single-pass parse, matched to bodies by position. `None` when the
/// unit does not have exactly one definition per body starting at that body's `{` (then the
/// per-body path decides).
#[allow(clippy::type_complexity)]
fn split_unit(
    parse: Parse,
    maps: &[Option<SpanMap>],
) -> Option<(Vec<(usize, Node<Statement>)>, String)> {
    let expected: Vec<usize> = maps
        .iter()
        .enumerate()
        .filter_map(|(i, m)| m.map(|_| i))
        .collect();
    let defs: Vec<Node<Statement>> = parse
        .unit
        .0
        .into_iter()
        .filter_map(|e| match e.node {
            ExternalDeclaration::FunctionDefinition(f) => Some(f.node.statement),
            _ => None,
        })
        .collect();
    if defs.len() != expected.len() {
        return None;
    }
    let mut out = Vec::with_capacity(defs.len());
    for (i, stmt) in expected.into_iter().zip(defs) {
        let m = maps[i]?;
        if stmt.span.start != m.prepared_start || stmt.span.end != m.prepared_start + m.len {
            return None;
        }
        out.push((i, stmt));
    }
    Some((out, parse.source))
}

/// Parses one body on its own (prelude + wrapper + body).
#[allow(clippy::type_complexity)]
fn parse_one(
    i: usize,
    b: &BodySource<'_>,
    p: &Prepared,
    prelude: &Prelude,
    diag: &dyn Fn(DiagnosticKind, usize, String) -> Diagnostic,
) -> BodyResult {
    let mut buf = String::with_capacity(prelude.text().len() + p.text.len() + 64);
    buf.push_str(prelude.text());
    buf.push('\n');
    buf.push_str(&wrapper_header(i));
    let map = SpanMap {
        prepared_start: buf.len(),
        original_start: b.start,
        len: p.text.len(),
    };
    buf.push_str(&p.text);
    buf.push('\n');
    match parse_preprocessed(&lang_c_config(), buf) {
        Ok(parse) => {
            let one: Vec<Option<SpanMap>> = vec![Some(map)];
            match split_unit(parse, &one) {
                Some((mut asts, text)) => {
                    let Some((_, ast)) = asts.pop() else {
                        return Err(vec![diag(DiagnosticKind::Syntax, b.start, "no function parsed".into())]);
                    };
                    let is_type = |n: &str| prelude.declares(n);
                    let hits = lint_body(&ast, &text, &is_type);
                    lint_result(ast, map, hits, diag)
                }
                None => Err(vec![diag(
                    DiagnosticKind::Syntax,
                    b.start,
                    "body does not parse as one compound statement (unbalanced braces after preprocessing?)".into(),
                )]),
            }
        }
        Err(e) => Err(vec![syntax_diag(&e, &map, b, diag)]),
    }
}

fn syntax_diag(
    e: &SyntaxError,
    map: &SpanMap,
    b: &BodySource<'_>,
    diag: &dyn Fn(DiagnosticKind, usize, String) -> Diagnostic,
) -> Diagnostic {
    let offset = map.to_original(e.offset).unwrap_or(b.start);
    let mut expected: Vec<&str> = e.expected.iter().copied().collect();
    expected.sort_unstable();
    let found = e.source[e.offset.min(e.source.len())..]
        .split(|c: char| c.is_whitespace())
        .next()
        .unwrap_or("");
    diag(
        DiagnosticKind::Syntax,
        offset,
        format!(
            "unexpected `{}` in body of {} `{}`, expected one of {}",
            if found.is_empty() {
                "end of body"
            } else {
                found
            },
            b.kind,
            b.name,
            expected
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
}
