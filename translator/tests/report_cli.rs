//! The `translate report` binary: subcommand, `--report` alias, exit statuses.

use std::path::PathBuf;
use std::process::Command;

fn cpython() -> Option<PathBuf> {
    translator::input::test_checkout_or_skip("3.14.7")
}

fn translate(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_translate"))
        .args(args)
        .output()
        .expect("run translate");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn report_and_its_alias_print_the_same_gauge() {
    let Some(dir) = cpython() else { return };
    let dir = dir.to_str().unwrap();
    let (code, text, err) = translate(&["report", "--input", dir]);
    assert_eq!(code, 0, "{err}");
    assert!(text.starts_with("cases2rs coverage: "), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("all ") && l.contains(" 328 ")),
        "{text}"
    );
    assert!(text.contains("bail histogram:"));
    let (code, alias, _) = translate(&["--report", "--input", dir]);
    assert_eq!(code, 0);
    assert_eq!(alias, text);
    let (code, json, err) = translate(&["--report", "--input", dir, "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["summary"]["bodies"], 328);
    let (code, listing, _) = translate(&["report", "--input", dir, "--opt-outs"]);
    assert_eq!(code, 0);
    assert!(
        listing.lines().nth(1).unwrap().starts_with("opcode"),
        "{listing}"
    );
}

#[test]
fn errors_exit_with_status_2_and_a_located_message() {
    let Some(dir) = cpython() else { return };
    let dir = dir.to_str().unwrap();
    let (code, _, err) = translate(&["report", "--input", dir, "--config", "nogil"]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("error: unknown build configuration `nogil`"),
        "{err}"
    );
    let bad = std::env::temp_dir().join(format!("cases2rs-report-cli-{}.toml", std::process::id()));
    std::fs::write(
        &bad,
        "NOP = \"fine\"\nNOT_AN_OPCODE = \"x\"\nALSO_NOT = \"y\"\n",
    )
    .unwrap();
    let (code, _, err) = translate(&[
        "report",
        "--input",
        dir,
        "--opt-out-file",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(
        lines[0].starts_with("error: ") && lines[0].contains(":2:1: `NOT_AN_OPCODE`"),
        "{err}"
    );
    assert!(lines[1].contains(":3:1: `ALSO_NOT`"), "{err}");
}
