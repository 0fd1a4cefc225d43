//! The C-body front-end on CPython's real `bytecodes.c` files (read by path, never copied).

use std::path::PathBuf;

use lang_c::ast::Identifier;
use lang_c::span::Span;
use lang_c::visit::{self, Visit};
use translator::cbody::{self, BuildConfig, DiagnosticKind, ParsedFile, Prelude, PRESET_NAMES};
use translator::dsl::{self, SourceFile};

fn cpython_dir(version: &str) -> Option<PathBuf> {
    translator::input::test_checkout_or_skip(version)
}

fn load(version: &str) -> Option<(SourceFile, dsl::File)> {
    let dir = cpython_dir(version)?;
    let path = dir.join("Python/bytecodes.c");
    let text = std::fs::read_to_string(&path).expect("read bytecodes.c");
    let source = SourceFile::new(path.display().to_string(), text);
    let file = dsl::parse(&source).expect("DSL parses");
    Some((source, file))
}

fn parse(version: &str, config: &BuildConfig, prelude: &Prelude) -> Option<ParsedFile> {
    let (source, file) = load(version)?;
    Some(cbody::parse_file(&source, &file, config, prelude))
}

/// Independent count of the bodies: lines between the markers made of annotation words
/// (`pure`, `replicate(8)`, `spilled`, ...) followed by `inst`, `op` or `label` and `(`.
fn count_definitions(text: &str) -> usize {
    let begin = text.find(dsl::BEGIN_MARKER).unwrap_or(0);
    let end = text.find(dsl::END_MARKER).unwrap_or(text.len());
    text[begin..end]
        .lines()
        .filter(|l| starts_definition(l))
        .count()
}

fn starts_definition(line: &str) -> bool {
    let mut rest = line.trim_start();
    loop {
        let word_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if word_len == 0 {
            return false;
        }
        let (word, after) = rest.split_at(word_len);
        if ["inst", "op", "label"].contains(&word) && after.trim_start().starts_with('(') {
            return true;
        }
        // An annotation word, possibly with a count: `replicate(8)`.
        let after = match after.strip_prefix('(') {
            Some(a) => match a.find(')') {
                Some(k) if a[..k].bytes().all(|c| c.is_ascii_digit()) => &a[k + 1..],
                _ => return false,
            },
            None => after,
        };
        if !after.starts_with(' ') {
            return false;
        }
        rest = after.trim_start();
    }
}

fn assert_all_parse(version: &str, expected_bodies: usize) {
    for name in PRESET_NAMES {
        let config = BuildConfig::preset(name).unwrap();
        let Some(parsed) = parse(version, &config, &Prelude::builtin()) else {
            return;
        };
        let failures: Vec<String> = parsed.failures().map(|(_, e)| e.to_string()).collect();
        assert!(
            failures.is_empty(),
            "{version} [{name}]: {} failures:\n{}",
            failures.len(),
            failures.join("\n")
        );
        assert_eq!(parsed.bodies.len(), expected_bodies, "{version} [{name}]");
        assert!(
            parsed.single_pass,
            "{version} [{name}] needed the per-body fallback"
        );
    }
}

#[test]
fn every_body_of_3_14_7_parses_in_every_configuration_with_no_lint_hit() {
    if let Some((source, _)) = load("3.14.7") {
        let n = count_definitions(&source.text);
        assert_eq!(n, 328, "independent count of inst/op/label definitions");
        assert_all_parse("3.14.7", n);
    }
}

#[test]
fn every_body_of_3_13_0_parses_in_every_configuration_with_no_lint_hit() {
    if let Some((source, _)) = load("3.13.0") {
        let n = count_definitions(&source.text);
        assert_eq!(n, 284, "independent count of inst/op/label definitions");
        assert_all_parse("3.13.0", n);
    }
}

/// Collects every identifier node with its span.
struct Idents<'a>(Vec<(&'a str, Span)>);

impl<'a> Visit<'a> for Idents<'a> {
    fn visit_identifier(&mut self, i: &'a Identifier, span: &'a Span) {
        self.0.push((&i.name, *span));
        visit::visit_identifier(self, i, span);
    }
}

#[test]
fn identifier_spans_map_back_to_the_same_text_in_bytecodes_c() {
    for version in ["3.14.7", "3.13.0"] {
        let Some(parsed) = parse(version, &BuildConfig::default_build(), &Prelude::builtin())
        else {
            return;
        };
        let text = parsed.lines.text().to_string();
        let mut all = Vec::new();
        for body in &parsed.bodies {
            let ast = body.ast.as_ref().unwrap();
            let mut v = Idents(Vec::new());
            v.visit_statement(&ast.node, &ast.span);
            all.extend(v.0.into_iter().map(|(n, s)| (body, n, s)));
        }
        assert!(
            all.len() > 5000,
            "{version}: only {} identifiers",
            all.len()
        );
        // Deterministic sample of 500 identifiers (LCG), plus the first and last one.
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut picks = vec![0, all.len() - 1];
        for _ in 0..500 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            picks.push((seed >> 33) as usize % all.len());
        }
        for k in picks {
            let (body, name, span) = all[k];
            let lc = parsed
                .locate(body, span)
                .expect("identifier span inside its body");
            // Go through line:col only, independently of the byte offset.
            let off = parsed.lines.offset_of(lc.line, lc.col).unwrap();
            assert!(
                text[off..].starts_with(name),
                "{version}: `{name}` of {} mapped to {}:{} which reads {:?}",
                body.name,
                lc.line,
                lc.col,
                &text[off..(off + 20).min(text.len())]
            );
            assert_eq!(parsed.text_of(body, span), Some(name));
        }
    }
}

#[test]
fn body_spans_cover_the_braces_of_each_definition() {
    let Some(parsed) = parse("3.14.7", &BuildConfig::default_build(), &Prelude::builtin()) else {
        return;
    };
    let text = parsed.lines.text();
    for b in &parsed.bodies {
        assert!(
            text[b.range.clone()].starts_with('{') && text[b.range.clone()].ends_with('}'),
            "{}",
            b.name
        );
        let ast = b.ast.as_ref().unwrap();
        assert_eq!(
            parsed.text_of(b, ast.span),
            Some(&text[b.range.clone()]),
            "{}",
            b.name
        );
    }
    let (_, file) = load("3.14.7").unwrap();
    let names: Vec<&str> = cbody::body_sources(&file).iter().map(|s| s.name).collect();
    assert!(
        names.contains(&"NOP")
            && names.contains(&"_BINARY_OP")
            && names.contains(&"_GUARD_TOS_INT")
            && names.contains(&"pop_1_error")
    );
    let kind_of = |n: &str| parsed.body(n).unwrap().kind;
    assert_eq!(kind_of("_GUARD_TOS_INT"), cbody::BodyKind::Op);
    assert_eq!(kind_of("NOP"), cbody::BodyKind::Inst);
    assert_eq!(kind_of("pop_1_error"), cbody::BodyKind::Label);
}

fn mentions(text: &str, name: &str) -> bool {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .any(|w| w == name)
}

/// Removing any typedef from the prelude must not go unnoticed: every body that mentions the name
/// fails to parse (lang-c's syntax error or the lint), while the bodies that do not still parse.
#[test]
fn removing_any_prelude_typedef_fails_every_body_that_uses_it() {
    for version in ["3.14.7", "3.13.0"] {
        let Some((source, file)) = load(version) else {
            return;
        };
        let all = cbody::body_sources(&file);
        let full = Prelude::builtin();
        let mut used = 0;
        for name in full.names() {
            let users: Vec<_> = all
                .iter()
                .copied()
                .filter(|b| mentions(b.text, name))
                .collect();
            if users.is_empty() {
                continue;
            }
            used += 1;
            // Add two bodies that do not mention the name: they must keep parsing.
            let others: Vec<_> = all
                .iter()
                .copied()
                .filter(|b| !mentions(b.text, name))
                .take(2)
                .collect();
            let mut bodies = users.clone();
            bodies.extend(others.iter().copied());
            let parsed = cbody::parse_bodies(
                &source.path,
                &source.text,
                &bodies,
                &BuildConfig::default_build(),
                &full.without(name),
            );
            for b in &parsed.bodies {
                let uses = users.iter().any(|u| u.name == b.name);
                // A body may mention the name only inside an inactive `#if` group or a comment.
                if uses && b.is_parsed() {
                    let ok = cbody::parse_bodies(
                        &source.path,
                        &source.text,
                        &[*users.iter().find(|u| u.name == b.name).unwrap()],
                        &BuildConfig::default_build(),
                        &full,
                    );
                    let ast = ok.bodies[0].ast.as_ref().unwrap();
                    let mut v = TypeNames(Vec::new(), name);
                    v.visit_statement(&ast.node, &ast.span);
                    assert!(
                        v.0.is_empty(),
                        "{version}: {} uses `{name}` as a type and still parses without it",
                        b.name
                    );
                }
                if !uses {
                    assert!(
                        b.is_parsed(),
                        "{version}: {} fails without using `{name}`",
                        b.name
                    );
                }
            }
        }
        assert!(used > 40, "{version}: only {used} prelude names are used");
    }
}

/// Typedef-name uses of one name in a parsed body.
struct TypeNames<'a>(Vec<Span>, &'a str);

impl<'a> Visit<'a> for TypeNames<'_> {
    fn visit_type_specifier(&mut self, t: &'a lang_c::ast::TypeSpecifier, span: &'a Span) {
        if let lang_c::ast::TypeSpecifier::TypedefName(n) = t {
            if n.node.name == self.1 {
                self.0.push(*span);
            }
        }
        visit::visit_type_specifier(self, t, span);
    }
}

/// The silent shapes themselves: with the name missing, these bodies would parse into the wrong
/// tree; the lint names the type and points at it.
#[test]
fn lint_reports_the_silent_shapes_in_real_bodies() {
    let Some((source, file)) = load("3.14.7") else {
        return;
    };
    let mut fired = Vec::new();
    for name in [
        "PyObject",
        "uint16_t",
        "Py_ssize_t",
        "PyTupleObject",
        "destructor",
        "_PyStackRef",
    ] {
        let parsed = cbody::parse_file(
            &source,
            &file,
            &BuildConfig::default_build(),
            &Prelude::builtin().without(name),
        );
        let text = parsed.lines.text();
        for d in parsed.failures().flat_map(|(_, e)| e.diagnostics.iter()) {
            if d.kind != DiagnosticKind::Misparse {
                continue;
            }
            assert!(d.message.contains(name), "{d}");
            let off = parsed.lines.offset_of(d.loc.line, d.loc.col).unwrap();
            let at = &text[off..(off + 60).min(text.len())];
            assert!(
                at.trim_start_matches('(').starts_with(name) || at.starts_with("sizeof"),
                "{d} points at {at:?}"
            );
            fired.push(name);
        }
    }
    fired.dedup();
    // `PyObject *o;` declarations and `(uint16_t)(x)` casts are silent shapes bytecodes.c has;
    // `(destructor)f` or `_PyStackRef x = y;` fail loudly in lang-c itself.
    assert!(fired.contains(&"PyObject"), "fired for {fired:?}");
    assert!(fired.contains(&"uint16_t"), "fired for {fired:?}");
}
