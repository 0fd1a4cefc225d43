//! Input resolution order: `--input`, then `CASES2RS_CPYTHON`, then the default directory,
//! then the embedded demo; and what a resolved input carries.

use std::path::{Path, PathBuf};
use std::process::Command;

use translator::input::{resolve_with, InputError, InputSource};

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir()
        .join(format!("cases2rs-input-{}", std::process::id()))
        .join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A fake checkout holding `text` as its bytecodes.c and a cache header.
fn checkout(name: &str, text: &str) -> PathBuf {
    let root = scratch(name);
    std::fs::create_dir_all(root.join("Python")).unwrap();
    std::fs::create_dir_all(root.join("Include/internal")).unwrap();
    std::fs::write(root.join("Python/bytecodes.c"), text).unwrap();
    std::fs::write(
        root.join("Include/internal/pycore_code.h"),
        translator::input::DEMO_PYCORE_CODE,
    )
    .unwrap();
    root
}

#[test]
fn flag_beats_env_beats_default_beats_demo() {
    let a = checkout("a", "inst(A, (--)) {}\n");
    let b = checkout("b", "inst(B, (--)) {}\n");
    let c = checkout("c", "inst(C, (--)) {}\n");
    let none = Path::new("/nonexistent/cases2rs/default");

    let r = resolve_with(Some(&a), Some(&b), &c).unwrap();
    assert_eq!(r.source, InputSource::Flag);
    assert!(r.bytecodes.text.contains("inst(A"));
    assert_eq!(r.root.as_deref(), Some(a.as_path()));
    assert!(r.pycore_code.is_some());

    let r = resolve_with(None, Some(&b), &c).unwrap();
    assert_eq!(r.source, InputSource::Env);
    assert!(r.bytecodes.text.contains("inst(B"));

    let r = resolve_with(None, None, &c).unwrap();
    assert_eq!(r.source, InputSource::DefaultDir);
    assert!(r.bytecodes.text.contains("inst(C"));

    let r = resolve_with(None, None, none).unwrap();
    assert_eq!(r.source, InputSource::Demo);
    assert_eq!(r.bytecodes.text, translator::input::DEMO_BYTECODES);
    assert!(r.root.is_none() && r.bytecodes_path.is_none());
}

#[test]
fn a_bytecodes_file_inside_a_checkout_finds_the_checkout() {
    let root = checkout("file", "inst(F, (--)) {}\n");
    let file = root.join("Python/bytecodes.c");
    let r = resolve_with(Some(&file), None, Path::new("/nonexistent")).unwrap();
    assert_eq!(r.root.as_deref(), Some(root.as_path()));
    assert_eq!(r.bytecodes_path.as_deref(), Some(file.as_path()));
    assert!(r.pycore_code.is_some());
    // A lone file has no checkout around it.
    let lone = scratch("lone").join("dsl.c");
    std::fs::write(&lone, "inst(L, (--)) {}\n").unwrap();
    let r = resolve_with(Some(&lone), None, Path::new("/nonexistent")).unwrap();
    assert!(r.root.is_none() && r.pycore_code.is_none());
    assert_eq!(r.bytecodes.path, lone.display().to_string());
}

#[test]
fn bad_inputs_are_errors() {
    let empty = scratch("empty");
    match resolve_with(Some(&empty), None, Path::new("/x")) {
        Err(InputError::NotCheckout { missing, .. }) => assert_eq!(missing, "Python/bytecodes.c"),
        other => panic!("{other:?}"),
    }
    let missing = empty.join("nope");
    match resolve_with(None, Some(&missing), Path::new("/x")) {
        Err(e @ InputError::Missing { .. }) => {
            assert!(e
                .to_string()
                .ends_with("no such file or directory (from $CASES2RS_CPYTHON)"))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn env_variable_reaches_the_binary() {
    let root = checkout("env", "inst(FROM_ENV, (--)) {}\n");
    let out = Command::new(env!("CARGO_BIN_EXE_translate"))
        .args(["metadata", "--json"])
        .current_dir(scratch("env-cwd"))
        .env("CASES2RS_CPYTHON", &root)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["instructions"][0]["name"], "FROM_ENV");
}
