//! Runs the `translate` binary: the metadata subcommand on the demo and on CPython, and bad
//! inputs that must end in `error: <file>:<line>:<col>: <message>` with exit status 2.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_translate");

/// A fresh scratch directory (no `../shared` next to it, so the default input is the demo).
fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir()
        .join(format!("cases2rs-cli-{}", std::process::id()))
        .join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn translate(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("CASES2RS_CPYTHON")
        .output()
        .unwrap()
}

/// 1-based line and column of the first occurrence of `needle` in `text`.
fn position(text: &str, needle: &str) -> (usize, usize) {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in input"));
    line_col(text, at)
}

/// 1-based line and column of byte offset `at` (the demo is ASCII).
fn line_col(text: &str, at: usize) -> (usize, usize) {
    let line = text[..at].matches('\n').count() + 1;
    let col = at - text[..at].rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, col)
}

/// Writes `text` as a bytecodes.c, runs `metadata` on it, and checks the single error line.
fn expect_error(name: &str, text: &str, at: (usize, usize), message: &str) {
    let dir = scratch(name);
    let path = dir.join("bytecodes.c");
    std::fs::write(&path, text).unwrap();
    let out = translate(&dir, &["metadata", "--input", path.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
    assert!(out.stdout.is_empty(), "{name}: printed output on error");
    let want = format!("error: {}:{}:{}: {message}\n", path.display(), at.0, at.1);
    assert_eq!(stderr, want, "{name}");
    assert!(!stderr.contains("panicked"));
}

const DEMO: &str = translator::input::DEMO_BYTECODES;

#[test]
fn demo_is_the_default_input() {
    let dir = scratch("default");
    let out = translate(&dir, &["metadata"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("# embedded demo"), "{text}");
    for name in [
        "BINARY_OP_ADD_INT",
        "STORE_LOCAL_MAYBE_NULL",
        "_LOAD_LOCAL_3",
    ] {
        assert!(text.contains(name), "{name} missing from:\n{text}");
    }
}

#[test]
fn demo_json_has_the_documented_shape() {
    let dir = scratch("json");
    let out = translate(&dir, &["metadata", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let obj = v.as_object().unwrap();
    assert_eq!(
        obj.keys().collect::<Vec<_>>(),
        ["instructions", "pseudos", "uops"]
    );
    let find = |list: &str, name: &str| {
        v[list]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == name)
            .unwrap_or_else(|| panic!("{name} not in {list}"))
            .clone()
    };
    let inst = find("instructions", "BINARY_OP_ADD_INT");
    assert_eq!(inst.as_object().unwrap().len(), 7);
    // Keys in the documented order, read from the raw text.
    let raw = String::from_utf8(out.stdout.clone()).unwrap();
    let start = raw.find("{\"name\":\"BINARY_OP_ADD_INT\"").unwrap();
    let object = &raw[start..start + raw[start..].find('}').unwrap()];
    let keys = [
        "name",
        "opcode",
        "popped",
        "pushed",
        "cache_entries",
        "flags",
        "deopt",
    ];
    let at: Vec<usize> = keys
        .iter()
        .map(|k| {
            object
                .find(&format!("\"{k}\":"))
                .unwrap_or_else(|| panic!("{k} in {object}"))
        })
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "key order in {object}");
    // Hand-computed from inputs/demo/bytecodes.c: `unused/2` in the macro, family head
    // BINARY_OP, two inputs and one output.
    assert_eq!(inst["cache_entries"], 2);
    assert_eq!(inst["deopt"], "BINARY_OP");
    assert_eq!(inst["popped"], "2");
    assert_eq!(inst["pushed"], "1");
    // counter/1 + unused/1.
    assert_eq!(find("instructions", "BINARY_OP")["cache_entries"], 2);
    assert_eq!(find("instructions", "POP_JUMP_IF_ZERO")["cache_entries"], 1);
    assert_eq!(
        find("instructions", "LOAD_MAYBE_NULL")["pushed"],
        "1 + (oparg & 1)"
    );
    assert_eq!(find("instructions", "BUILD_LIST")["popped"], "oparg");
    let pseudo = find("pseudos", "JUMP");
    assert_eq!(
        pseudo["targets"],
        serde_json::json!(["JUMP_FORWARD", "JUMP_BACKWARD"])
    );
    let uop = find("uops", "_LOAD_LOCAL_2");
    assert!(uop["id"].is_u64());
}

#[test]
fn cpython_checkout_as_input() {
    let root = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/cpython/3.14.7"
    ));
    if !root.is_dir() {
        println!("skipped: {} not found", root.display());
        return;
    }
    let dir = scratch("cpython");
    let out = translate(
        &dir,
        &["metadata", "--json", "--input", root.to_str().unwrap()],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let n = v["instructions"].as_array().unwrap().len();
    assert!(n > 200, "{n} instructions");
    // CPython's one known cache-name break is shown, not hidden.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("note: ") && stderr.contains("LOAD_ATTR_CLASS_WITH_METACLASS_CHECK")
    );
}

#[test]
fn help_describes_the_input_rules() {
    let dir = scratch("help");
    let out = translate(&dir, &["metadata", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in ["--input", "--json", "CASES2RS_CPYTHON", "embedded demo"] {
        assert!(text.contains(needle), "{needle} missing from help:\n{text}");
    }
}

#[test]
fn missing_input_path() {
    let dir = scratch("missing");
    let out = translate(&dir, &["metadata", "--input", "no/such/dir"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: no/such/dir: no such file or directory (from --input)\n"
    );
}

#[test]
fn truncated_file() {
    // Cut the demo in the middle of the body of _BINARY_OP.
    let cut = DEMO.find("PyStackRef_CLOSE(rhs);").unwrap();
    let text = &DEMO[..cut];
    let body = text.find("op(_BINARY_OP, (lhs, rhs -- res)) {").unwrap();
    let brace = body + "op(_BINARY_OP, (lhs, rhs -- res)) ".len();
    let (line, col) = position(text, &text[brace..]);
    expect_error(
        "truncated",
        text,
        (line, col),
        "unbalanced braces: the body of _BINARY_OP is never closed",
    );
}

#[test]
fn unbalanced_braces() {
    let text = DEMO.replacen(
        "            top = PyStackRef_DUP(bottom);\n",
        "            top = PyStackRef_DUP(bottom));\n",
        1,
    );
    let (line, col) = position(&text, "PyStackRef_DUP(bottom));");
    expect_error(
        "unbalanced",
        &text,
        (line, col + "PyStackRef_DUP(bottom)".len()),
        &format!(
            "mismatched ')' in the body of COPY: expected '}}' to close '{{' at {}:{}",
            position(&text, "{\n            assert(oparg > 0);").0,
            position(&text, "{\n            assert(oparg > 0);").1
        ),
    );
}

#[test]
fn unknown_definition_kind() {
    let text = DEMO.replacen("inst(LOAD_CONST,", "instruction(LOAD_CONST,", 1);
    expect_error(
        "unknown-kind",
        &text,
        position(&text, "instruction(LOAD_CONST"),
        "unknown definition kind 'instruction' (expected inst, op, macro, family, pseudo, label)",
    );
}

#[test]
fn duplicate_names() {
    let text = DEMO.replacen("inst(JUMP_FORWARD,", "inst(LOAD_CONST,", 1);
    let first = position(&text, "inst(LOAD_CONST");
    let second_at = text.rfind("inst(LOAD_CONST").unwrap();
    let (line, col) = line_col(&text, second_at);
    assert!(line > first.0);
    expect_error(
        "duplicate",
        &text,
        (line, col),
        &format!(
            "duplicate definition of 'LOAD_CONST' (previous definition at line {})",
            first.0
        ),
    );
}

#[test]
fn macro_part_naming_no_op() {
    let text = DEMO.replacen(
        "_GUARD_BOTH_INT + unused/2 + _BINARY_OP_ADD_INT;",
        "_GUARD_BOTH_INT + unused/2 + _BINARY_OP_ADD_INTEGER;",
        1,
    );
    expect_error(
        "macro-part",
        &text,
        position(&text, "_BINARY_OP_ADD_INTEGER"),
        "no op named '_BINARY_OP_ADD_INTEGER' (macro part)",
    );
}

#[test]
fn family_member_not_defined() {
    let text = DEMO.replacen(
        "            BINARY_OP_SUBTRACT_INT,\n            BINARY_OP_MULTIPLY_INT,\n        };",
        "            BINARY_OP_SUBTRACT_INT,\n            BINARY_OP_DIVIDE_INT,\n        };",
        1,
    );
    expect_error(
        "family-member",
        &text,
        position(&text, "BINARY_OP_DIVIDE_INT"),
        "family 'BINARY_OP' names undefined instruction 'BINARY_OP_DIVIDE_INT'",
    );
}

#[test]
fn cache_struct_disagreeing_with_the_dsl() {
    // A checkout whose cache struct has three code units while the family members use two.
    let dir = scratch("cache-struct");
    std::fs::create_dir_all(dir.join("Python")).unwrap();
    std::fs::create_dir_all(dir.join("Include/internal")).unwrap();
    std::fs::write(dir.join("Python/bytecodes.c"), DEMO).unwrap();
    let header = translator::input::DEMO_PYCORE_CODE.replace(
        "    uint16_t operand_hint;\n",
        "    uint16_t operand_hint;\n    uint16_t extra;\n",
    );
    std::fs::write(dir.join("Include/internal/pycore_code.h"), &header).unwrap();
    let out = translate(&dir, &["metadata", "--input", "."]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    // One error for the family head and one per member, each at its definition.
    assert_eq!(lines.len(), 4, "{stderr}");
    let mut places = vec![position(DEMO, "macro(BINARY_OP) =")];
    for member in [
        "BINARY_OP_ADD_INT",
        "BINARY_OP_SUBTRACT_INT",
        "BINARY_OP_MULTIPLY_INT",
    ] {
        places.push(position(DEMO, &format!("macro({member})")));
    }
    for (line, (l, c)) in lines.iter().zip(places) {
        let prefix = format!("error: ./Python/bytecodes.c:{l}:{c}: ");
        assert!(
            line.starts_with(&prefix),
            "{line} should start with {prefix}"
        );
        assert!(line.contains("_PyBinaryOpCache"), "{line}");
        assert!(line.contains("has 3"), "{line}");
    }
}
