//! Parses CPython's real `bytecodes.c` files and the demo, comparing definition counts with
//! counts computed independently from the raw lines, and checks every construct on snippets.

use std::collections::BTreeMap;
use std::path::PathBuf;

use translator::dsl::{self, Definition, InputEffect, InstKind, MacroPart, SourceFile};

fn cpython_dir(ver: &str) -> Option<PathBuf> {
    translator::input::test_checkout_or_skip(ver)
}

/// Counts definitions per kind from the raw lines between the markers: a definition starts a
/// line (after indentation and annotation words) with `kind(`.
fn line_counts(text: &str) -> BTreeMap<&'static str, usize> {
    let mut counts = BTreeMap::new();
    let mut inside = !text.contains("// BEGIN BYTECODES //");
    for line in text.lines() {
        if line.trim() == "// BEGIN BYTECODES //" {
            inside = true;
            continue;
        }
        if line.trim() == "// END BYTECODES //" {
            inside = false;
        }
        if !inside {
            continue;
        }
        let mut rest = line.trim_start();
        loop {
            let word_end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            let word = &rest[..word_end];
            let known = [
                "pure",
                "specializing",
                "tier1",
                "tier2",
                "split",
                "replaced",
                "no_save_ip",
                "override",
                "register",
                "spilled",
                "guard",
            ];
            if known.contains(&word) && rest[word_end..].starts_with(' ') {
                rest = rest[word_end..].trim_start();
            } else if word == "replicate" && rest[word_end..].starts_with('(') {
                let close = rest.find(')').unwrap();
                rest = rest[close + 1..].trim_start();
            } else {
                break;
            }
        }
        for kind in ["inst", "op", "macro", "family", "pseudo", "label", "super"] {
            let after = rest.strip_prefix(kind).map(str::trim_start);
            if after.is_some_and(|a| a.starts_with('(')) {
                let key: &'static str = kind;
                *counts.entry(key).or_insert(0) += 1;
            }
        }
    }
    counts
}

fn parsed_counts(file: &dsl::File) -> BTreeMap<&'static str, usize> {
    let mut counts = BTreeMap::new();
    for d in &file.definitions {
        *counts.entry(d.kind_name()).or_insert(0) += 1;
    }
    counts
}

fn check_version(ver: &str) {
    let Some(dir) = cpython_dir(ver) else { return };
    let path = dir.join("Python/bytecodes.c");
    let text = std::fs::read_to_string(&path).unwrap();
    let src = SourceFile::new(path.display().to_string(), text.clone());
    let file = dsl::parse(&src).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(parsed_counts(&file), line_counts(&text), "{ver}");
    // Every body is the verbatim source between its braces.
    for d in &file.definitions {
        if let Definition::Inst(i) = d {
            assert!(i.body.text.starts_with('{') && i.body.text.ends_with('}'));
            assert_eq!(
                &text[i.body.span.start..i.body.span.start + i.body.text.len()],
                i.body.text
            );
            assert_eq!(i.body.tokens.first().unwrap().text, "{");
            assert_eq!(i.body.tokens.last().unwrap().text, "}");
            assert_eq!(
                text.lines().nth(i.name.span.line as usize - 1).unwrap()
                    [i.name.span.col as usize - 1..]
                    .split([',', ')'])
                    .next()
                    .unwrap(),
                i.name.name
            );
        }
    }
}

#[test]
fn parses_cpython_3_14_7() {
    check_version("3.14.7");
}

#[test]
fn parses_cpython_3_13_0() {
    check_version("3.13.0");
}

fn parse_str(text: &str) -> Result<dsl::File, dsl::DslError> {
    dsl::parse(&SourceFile::new("snippet.c", text))
}

fn stack(i: &InputEffect) -> &dsl::StackItem {
    match i {
        InputEffect::Stack(s) => s,
        InputEffect::Cache(c) => panic!("unexpected cache entry {}", c.name.name),
    }
}

#[test]
fn inst_with_cache_array_and_conditional_items() {
    let f = parse_str(
        "inst(LOAD_THING, (counter/1, version/2, owner, values[oparg*2], unused[oparg-1] -- res, extra if (oparg & 1))) {\n    res = owner;\n}\n",
    )
    .unwrap();
    let Definition::Inst(i) = &f.definitions[0] else {
        panic!()
    };
    assert_eq!(i.kind, InstKind::Inst);
    assert_eq!(i.name.name, "LOAD_THING");
    assert_eq!((i.name.span.line, i.name.span.col), (1, 6));
    let InputEffect::Cache(c) = &i.inputs[0] else {
        panic!()
    };
    assert_eq!((c.name.name.as_str(), c.size), ("counter", 1));
    let InputEffect::Cache(c) = &i.inputs[1] else {
        panic!()
    };
    assert_eq!(
        (c.name.name.as_str(), c.size, c.span.col),
        ("version", 2, 30)
    );
    assert_eq!(stack(&i.inputs[2]).name.name, "owner");
    assert_eq!(stack(&i.inputs[3]).size.as_ref().unwrap().text, "oparg*2");
    assert_eq!(stack(&i.inputs[4]).size.as_ref().unwrap().text, "oparg-1");
    assert!(stack(&i.inputs[4]).is_unused());
    assert_eq!(i.outputs[1].cond.as_ref().unwrap().text, "oparg & 1");
    assert_eq!(i.body.text, "{\n    res = owner;\n}");
    assert_eq!((i.body.span.line, i.body.span.col), (1, 112));
}

#[test]
fn annotations_and_op_kinds() {
    let f = parse_str(
        "tier2 pure op (_A, (x -- y)) { y = x; }\nreplicate(8) specializing inst(B, (--)) { }\nno_save_ip tier1 inst(C, (--)) {}\nsplit guard override register replaced op(_D, (--)) {}\n",
    )
    .unwrap();
    let names: Vec<Vec<String>> = f
        .definitions
        .iter()
        .map(|d| match d {
            Definition::Inst(i) => i.annotations.iter().map(|a| a.text()).collect(),
            _ => panic!(),
        })
        .collect();
    assert_eq!(
        names,
        vec![
            vec!["tier2", "pure"],
            vec!["replicate(8)", "specializing"],
            vec!["no_save_ip", "tier1"],
            vec!["split", "guard", "override", "register", "replaced"],
        ]
    );
    let Definition::Inst(a) = &f.definitions[0] else {
        panic!()
    };
    assert_eq!(a.kind, InstKind::Op);
    assert_eq!((a.span.line, a.span.col), (1, 1));
}

#[test]
fn macro_family_pseudo_label_super() {
    let f = parse_str(
        "macro(M) = unused/1 + _A + counter/2 + rewind/-3 + _B;\n\
         family(F, INLINE_CACHE_ENTRIES_F) = { F_ONE, F_TWO, };\n\
         family(G) = { G_ONE };\n\
         pseudo(P13, (HAS_ARG, HAS_JUMP)) = { T1, T2 };\n\
         pseudo(P14, (cond -- cond), (HAS_ARG)) = [ T1, T2 ];\n\
         pseudo(P12) = { T1 };\n\
         label(pop_1_error) { goto error; }\n\
         spilled label(start) { }\n\
         super(LOAD_LOAD) = LOAD + LOAD;\n",
    )
    .unwrap();
    let d = &f.definitions;
    let Definition::Macro(m) = &d[0] else {
        panic!()
    };
    let parts: Vec<String> = m
        .parts
        .iter()
        .map(|p| match p {
            MacroPart::Op(o) => o.name.clone(),
            MacroPart::Cache(c) => format!("{}/{}", c.name.name, c.size),
        })
        .collect();
    assert_eq!(parts, ["unused/1", "_A", "counter/2", "rewind/-3", "_B"]);
    let Definition::Family(fam) = &d[1] else {
        panic!()
    };
    assert_eq!(fam.size, "INLINE_CACHE_ENTRIES_F");
    assert_eq!(fam.members.len(), 2);
    let Definition::Family(g) = &d[2] else {
        panic!()
    };
    assert_eq!(g.size, "");
    let Definition::Pseudo(p13) = &d[3] else {
        panic!()
    };
    assert!(!p13.has_stack_effect);
    assert_eq!(
        p13.flags
            .iter()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>(),
        ["HAS_ARG", "HAS_JUMP"]
    );
    let Definition::Pseudo(p14) = &d[4] else {
        panic!()
    };
    assert!(p14.has_stack_effect && p14.as_sequence);
    assert_eq!(
        (p14.inputs.len(), p14.outputs.len(), p14.flags.len()),
        (1, 1, 1)
    );
    let Definition::Pseudo(p12) = &d[5] else {
        panic!()
    };
    assert!(p12.flags.is_empty() && p12.targets.len() == 1);
    let Definition::Label(l) = &d[6] else {
        panic!()
    };
    assert!(!l.spilled);
    assert_eq!(l.body.text, "{ goto error; }");
    let Definition::Label(l) = &d[7] else {
        panic!()
    };
    assert!(l.spilled);
    let Definition::Super(s) = &d[8] else {
        panic!()
    };
    assert_eq!(s.ops.len(), 2);
    assert_eq!((s.span.line, s.span.col), (9, 1));
}

#[test]
fn typed_items_3_12_and_legacy_inst() {
    let f = parse_str(
        "inst(A, (left, right: PyLongObject * -- sum: PyObject *)) {}\ninst(OLD) { }\ninst(C, (PyObject **args, PyObject *x -- res)) {}\n",
    )
    .unwrap();
    let Definition::Inst(a) = &f.definitions[0] else {
        panic!()
    };
    assert_eq!(stack(&a.inputs[1]).type_.as_deref(), Some("PyLongObject *"));
    assert_eq!(a.outputs[0].type_.as_deref(), Some("PyObject *"));
    let Definition::Inst(old) = &f.definitions[1] else {
        panic!()
    };
    assert_eq!(old.kind, InstKind::Legacy);
    let Definition::Inst(c) = &f.definitions[2] else {
        panic!()
    };
    assert_eq!(stack(&c.inputs[0]).type_.as_deref(), Some("PyObject **"));
    assert_eq!(stack(&c.inputs[0]).name.name, "args");
}

#[test]
fn markers_limit_the_parsed_region() {
    let f = parse_str(
        "int junk(void) { return 0 }\n// BEGIN BYTECODES //\ninst(A, (--)) {}\n// END BYTECODES //\nnot DSL at all (\n",
    )
    .unwrap();
    assert_eq!(f.definitions.len(), 1);
    assert_eq!(f.definitions[0].span().line, 3);
}

#[test]
fn errors_name_place_and_reason() {
    let cases: &[(&str, &str)] = &[
        ("inst(A, (--)) {\n  if (x) {\n", "snippet.c:1:15: unbalanced braces: the body of A is never closed ('{' at 2:10 is not closed)"),
        ("instr(A, (--)) {}\n", "snippet.c:1:1: unknown definition kind 'instr' (expected inst, op, macro, family, pseudo, label)"),
        ("inst(A, (--)) {}\nbogus inst(B, (--)) {}\n", "snippet.c:2:1: unknown annotation 'bogus'"),
        ("pure bogus op(B, (--)) {}\n", "snippet.c:1:6: unknown annotation 'bogus'"),
        ("inst(A, (x -- y) {}\n", "snippet.c:1:18: expected ')' after the stack effect of A, found '{'"),
        ("inst(A, (--)) { ( }\n", "snippet.c:1:19: mismatched '}' in the body of A: expected ')' to close '(' at 1:17"),
        ("inst(A, (--)) {}\n}\n", "snippet.c:2:1: expected a definition (inst, op, macro, family, pseudo, label), found '}'"),
        ("macro(M) = A +", "snippet.c:1:15: unexpected end of input, expected an op name or cache entry in macro M"),
        ("inst(A, (x: T if (c) [2] -- )) {}", "snippet.c:1:22: stack item 'x' cannot be an array and have a type or condition"),
        ("inst(A, (c/x --)) {}", "snippet.c:1:12: expected a cache entry size, found 'x'"),
        ("inst(A, (--)) { \"abc\n }", "snippet.c:1:17: unterminated string literal"),
        ("inst(A, (--)) { @ }", "snippet.c:1:17: unexpected character '@'"),
        ("/* open", "snippet.c:1:1: unterminated comment"),
    ];
    for (src, want) in cases {
        let err = parse_str(src).expect_err(src);
        assert_eq!(err.to_string(), *want, "{src:?}");
    }
}

#[test]
fn comments_and_preprocessor_lines_are_kept_in_bodies() {
    let f = parse_str("inst(A, (--)) {\n#ifdef X /* { */\n    a(); // }\n#endif\n}\n").unwrap();
    let Definition::Inst(a) = &f.definitions[0] else {
        panic!()
    };
    let kinds: Vec<_> = a.body.tokens.iter().map(|t| t.kind).collect();
    use translator::dsl::TokenKind::*;
    assert_eq!(
        kinds,
        [
            Punct,
            Preprocessor,
            Identifier,
            Punct,
            Punct,
            Punct,
            Comment,
            Preprocessor,
            Punct
        ]
    );
    assert_eq!(a.body.tokens[1].text, "#ifdef X /* { */");
    assert_eq!(
        (a.body.tokens[2].span.line, a.body.tokens[2].span.col),
        (3, 5)
    );
}

#[test]
fn parses_the_demo_and_covers_every_definition_kind() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../inputs/demo/bytecodes.c");
    let text = std::fs::read_to_string(path).unwrap();
    let file = dsl::parse(&SourceFile::new(path, text.clone())).unwrap();
    let counts = parsed_counts(&file);
    assert_eq!(counts, line_counts(&text));
    for kind in ["inst", "op", "macro", "family", "pseudo", "label"] {
        assert!(
            counts.get(kind).is_some_and(|&n| n > 0),
            "demo lacks {kind}"
        );
    }
    let total: usize = counts.values().sum();
    assert!((20..=40).contains(&total), "{total} definitions");
    // The embedded copy is the same file.
    assert_eq!(translator::input::DEMO_BYTECODES, text);
}

#[test]
fn override_replaces_the_earlier_definition_in_place() {
    let f = parse_str(
        "op(OP, (--)) { spam; }\nmacro(M) = OP;\ninst(I, (--)) { a; }\noverride op(OP, (--)) { ham; }\nop(OTHER, (--)) { }\nop(OTHER, (--)) { }\n",
    )
    .unwrap();
    let g = dsl::apply_overrides(&f);
    let names: Vec<&str> = g
        .definitions
        .iter()
        .map(|d| d.name().name.as_str())
        .collect();
    // The override took OP's place; a duplicate without `override` is kept for the analysis
    // to report.
    assert_eq!(names, ["OP", "M", "I", "OTHER", "OTHER"]);
    let Definition::Inst(op) = &g.definitions[0] else {
        panic!()
    };
    assert_eq!(op.body.text, "{ ham; }");
    assert_eq!(op.span.line, 4);
}

#[test]
fn replicate_counts_and_ranges() {
    let f = parse_str("replicate(8) op(_A, (--)) {}\nreplicate(1:4) op(_B, (--)) {}\n").unwrap();
    let ranges: Vec<(String, std::ops::Range<u32>)> = f
        .definitions
        .iter()
        .map(|d| match d {
            Definition::Inst(i) => (
                i.annotations[0].text(),
                i.annotations[0].replicate_range().unwrap(),
            ),
            _ => panic!(),
        })
        .collect();
    assert_eq!(
        ranges,
        [
            ("replicate(8)".to_owned(), 0..8),
            ("replicate(1:4)".to_owned(), 1..4)
        ]
    );
    let e = parse_str("replicate(4:1) op(_C, (--)) {}").unwrap_err();
    assert_eq!(e.to_string(), "snippet.c:1:1: empty replicate range 4:1");
    let e = parse_str("replicate(x) op(_C, (--)) {}").unwrap_err();
    assert_eq!(
        e.to_string(),
        "snippet.c:1:11: expected a number in 'replicate(...)', found 'x'"
    );
}

#[test]
fn token_positions_count_characters_across_lines() {
    let src = "a /* é\n  x */ b \"ü\" c\n#define Y \\\n  2\nd->e <<= 0x1F;";
    let toks = dsl::tokenize("t.c", src).unwrap();
    let got: Vec<(&str, u32, u32, u32, u32)> = toks
        .iter()
        .map(|t| {
            (
                t.text.as_str(),
                t.span.line,
                t.span.col,
                t.end_line,
                t.end_col,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("a", 1, 1, 1, 2),
            ("/* é\n  x */", 1, 3, 2, 7),
            ("b", 2, 8, 2, 9),
            ("\"ü\"", 2, 10, 2, 13),
            ("c", 2, 14, 2, 15),
            ("#define Y \\\n  2", 3, 1, 4, 4),
            ("d", 5, 1, 5, 2),
            ("->", 5, 2, 5, 4),
            ("e", 5, 4, 5, 5),
            ("<<=", 5, 6, 5, 9),
            ("0x1F", 5, 10, 5, 14),
            (";", 5, 14, 5, 15),
        ]
    );
    // Byte offsets slice back to the token text.
    for t in &toks {
        assert_eq!(&src[t.span.start..t.span.end], t.text);
    }
}
