//! `translate report` on CPython's real `bytecodes.c` (read by path) and on small snippets.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::Value;
use translator::dsl::{self, Definition, MacroPart, SourceFile};
use translator::report::{self, render, ReportArgs, Status};

fn cpython_dir(version: &str) -> Option<PathBuf> {
    translator::input::test_checkout_or_skip(version)
}

/// Report arguments with an empty binding table: the shape of the report must not depend on how
/// far the default table has come (every name is then unbound, which the span test wants).
fn args(input: PathBuf) -> ReportArgs {
    ReportArgs {
        input: Some(input),
        config: "default".into(),
        bindings: Some(temp_file("empty_bindings.toml", "# no bindings\n")),
        manual: Some(temp_file("empty_manual.toml", "# no manual bodies\n")),
        ..ReportArgs::default()
    }
}

fn real(version: &str) -> Option<(report::Loaded, report::Report)> {
    let loaded = report::load(&args(cpython_dir(version)?)).expect("report loads");
    let r = report::report(&loaded);
    Some((loaded, r))
}

#[test]
fn summary_numbers_add_up() {
    for (version, bodies) in [("3.14.7", 328), ("3.13.0", 284)] {
        let Some((loaded, r)) = real(version) else {
            return;
        };
        let s = r.summary();
        assert_eq!(s.bodies, bodies, "{version}");
        assert_eq!(s.parsed, bodies, "{version}: every body parses");
        assert_eq!(
            s.translatable + s.bail + s.opted_out + (s.bodies - s.parsed),
            s.bodies,
            "{version}"
        );
        // Kinds partition the bodies.
        let by_kind = r.summary_by_kind();
        let sum =
            |f: fn(&report::Summary) -> usize| by_kind.iter().map(|(_, k)| f(k)).sum::<usize>();
        assert_eq!(sum(|k| k.bodies), s.bodies);
        assert_eq!(sum(|k| k.parsed), s.parsed);
        assert_eq!(sum(|k| k.translatable), s.translatable);
        assert_eq!(sum(|k| k.bail), s.bail);
        // The status of a body follows from its reasons.
        for b in &r.bodies {
            assert_eq!(
                b.status == Status::Translatable,
                b.reasons.is_empty(),
                "{}",
                b.name
            );
        }
        // Instruction statuses partition the instructions and follow from their parts.
        let counts = r.instruction_counts();
        assert_eq!(counts.values().sum::<usize>(), r.instructions.len());
        let status: BTreeMap<&str, Status> = r
            .bodies
            .iter()
            .map(|b| (b.name.as_str(), b.status))
            .collect();
        for i in &r.instructions {
            assert!(!i.parts.is_empty(), "{} has no body", i.name);
            let all_ok = i
                .parts
                .iter()
                .all(|p| status[p.as_str()] == Status::Translatable);
            assert_eq!(i.status == Status::Translatable, all_ok, "{}", i.name);
        }
        // Parts agree with the DSL: an `inst` runs its own body, a `macro` its ops in order.
        let mut checked = 0;
        for d in &loaded.file.definitions {
            let (name, expect): (&str, Vec<String>) = match d {
                Definition::Macro(m) => {
                    let mut ops: Vec<String> = Vec::new();
                    for p in &m.parts {
                        if let MacroPart::Op(o) = p {
                            // `flush` is a DSL keyword part, not an op with a body.
                            if o.name != "flush" && !ops.contains(&o.name) {
                                ops.push(o.name.clone());
                            }
                        }
                    }
                    (&m.name.name, ops)
                }
                Definition::Inst(i) if i.kind != dsl::InstKind::Op => {
                    (&i.name.name, vec![i.name.name.clone()])
                }
                _ => continue,
            };
            let Some(inst) = r.instructions.iter().find(|x| x.name == name) else {
                continue;
            };
            assert_eq!(inst.parts, expect, "{version}: parts of {name}");
            checked += 1;
        }
        assert!(
            checked > 200,
            "{version}: only {checked} instructions checked"
        );
        // Histogram: counts are bailing bodies with the reason; leverage counts bodies whose only
        // reason it is, so leverages sum to at most the bails; order is by leverage then count.
        let hist = r.histogram();
        let mut lev = 0;
        for h in &hist {
            let with: BTreeSet<&str> = r
                .bodies
                .iter()
                .filter(|b| {
                    b.status == Status::Bail
                        && b.reasons
                            .iter()
                            .any(|x| x.rule == h.rule && x.fix() == h.message)
                })
                .map(|b| b.name.as_str())
                .collect();
            assert_eq!(h.count, with.len(), "{}", h.message);
            assert_eq!(
                h.names.iter().map(String::as_str).collect::<BTreeSet<_>>(),
                with
            );
            assert!(h.leverage <= h.count);
            lev += h.leverage;
        }
        assert!(lev <= s.bail);
        assert!(hist
            .windows(2)
            .all(|w| (w[0].leverage, w[0].count) >= (w[1].leverage, w[1].count)));
        // The text shows the same totals.
        let text = render::to_text(&r);
        let total_row = text
            .lines()
            .find(|l| l.starts_with("all "))
            .expect("totals row");
        let nums: Vec<usize> = total_row
            .split_whitespace()
            .skip(1)
            .take(5)
            .map(|n| n.parse().unwrap())
            .collect();
        assert_eq!(
            nums,
            [s.bodies, s.parsed, s.translatable, s.bail, s.opted_out],
            "{total_row}"
        );
    }
}

/// The text a reason names (its unbound name, or the stack item / cache entry it is about) is
/// found in `bytecodes.c` at the reason's line:col.
#[test]
fn every_bail_span_points_at_the_named_text() {
    for version in ["3.14.7", "3.13.0"] {
        let Some((loaded, r)) = real(version) else {
            return;
        };
        let text = &loaded.input.bytecodes.text;
        let lines = translator::cbody::LineIndex::new(text);
        let mut checked = 0;
        for b in r.bodies.iter().filter(|b| b.status == Status::Bail) {
            for x in &b.reasons {
                let off = lines.offset_of(x.line, x.col).expect("line:col exists");
                assert_eq!(off, x.start, "line:col and offset agree");
                let covered = &text[x.start..x.end.max(x.start)];
                let item = ["stack item `", "cache entry `"]
                    .iter()
                    .find_map(|p| x.message.strip_prefix(p))
                    .and_then(|m| m.split('`').next());
                if let Some(item) = item {
                    assert!(
                        text[off..].starts_with(item),
                        "{}: {} at {}:{} reads {:?}",
                        b.name,
                        x.message,
                        x.line,
                        x.col,
                        &text[off..off + 20]
                    );
                    checked += 1;
                } else if let Some(name) = &x.unbound {
                    // `Struct.field`: the field's name is what the body writes.
                    let written = name.rsplit('.').next().unwrap();
                    assert!(
                        covered.contains(written),
                        "{}: {} at {}:{} covers {covered:?}",
                        b.name,
                        x.message,
                        x.line,
                        x.col
                    );
                    if x.rule == "name.unbound-function" || x.rule == "name.unbound-identifier" {
                        assert!(
                            text[off..].starts_with(written),
                            "{}: {} at {}:{}",
                            b.name,
                            x.message,
                            x.line,
                            x.col
                        );
                    }
                    checked += 1;
                } else {
                    // Every other reason lies inside its body.
                    let body = loaded
                        .file
                        .definitions
                        .iter()
                        .find(|d| d.name().name == b.name)
                        .unwrap();
                    assert!(
                        off >= body.span().start,
                        "{}: {} before its definition",
                        b.name,
                        x.message
                    );
                    assert!(
                        !covered.trim().is_empty(),
                        "{}: {} covers nothing",
                        b.name,
                        x.message
                    );
                }
            }
        }
        assert!(checked > 1000, "{version}: only {checked} named reasons");
    }
}

#[test]
fn json_has_exactly_the_documented_shape() {
    let Some((_, r)) = real("3.14.7") else { return };
    let v = render::to_json(&r);
    let keys = |v: &Value| {
        v.as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect::<BTreeSet<String>>()
    };
    let set = |k: &[&str]| {
        k.iter()
            .map(|s| s.to_string())
            .collect::<BTreeSet<String>>()
    };
    assert_eq!(keys(&v), set(&["summary", "bodies", "instructions"]));
    assert_eq!(
        keys(&v["summary"]),
        set(&["bodies", "parsed", "translatable", "bail", "opted_out"])
    );
    let bodies = v["bodies"].as_array().unwrap();
    assert_eq!(bodies.len(), 328);
    let mut verdicts = BTreeMap::new();
    for b in bodies {
        assert_eq!(
            keys(b),
            set(&["name", "kind", "line", "parsed", "verdict", "reasons"])
        );
        assert!(b["name"].is_string() && b["line"].is_u64() && b["parsed"].is_boolean());
        assert!(["inst", "op", "label"].contains(&b["kind"].as_str().unwrap()));
        let verdict = b["verdict"].as_str().unwrap();
        assert!(["translatable", "bail", "opted-out", "unparsed"].contains(&verdict));
        *verdicts.entry(verdict.to_string()).or_insert(0u64) += 1;
        for x in b["reasons"].as_array().unwrap() {
            assert_eq!(keys(x), set(&["rule", "message", "line", "col"]));
            assert!(
                x["rule"].is_string()
                    && x["message"].is_string()
                    && x["line"].is_u64()
                    && x["col"].is_u64()
            );
            let rule = x["rule"].as_str().unwrap();
            assert!(
                subset::Rule::from_id(rule).is_some() || rule.starts_with("parse."),
                "{rule}"
            );
        }
    }
    // The summary is what the bodies say.
    let n = |k: &str| verdicts.get(k).copied().unwrap_or(0);
    assert_eq!(v["summary"]["bodies"], 328);
    assert_eq!(v["summary"]["translatable"], n("translatable"));
    assert_eq!(v["summary"]["bail"], n("bail"));
    assert_eq!(v["summary"]["opted_out"], n("opted-out"));
    assert_eq!(v["summary"]["parsed"], 328 - n("unparsed"));
    let insts = v["instructions"].as_array().unwrap();
    assert_eq!(insts.len(), r.instructions.len());
    for i in insts {
        assert_eq!(keys(i), set(&["name", "status", "parts", "manual"]));
        assert!(i["manual"].is_boolean());
        assert!(["translatable", "bail", "opted-out", "unparsed"]
            .contains(&i["status"].as_str().unwrap()));
        assert!(i["parts"].as_array().unwrap().iter().all(Value::is_string));
    }
    // `run --json` prints the same document.
    let a = ReportArgs {
        json: true,
        ..args(cpython_dir("3.14.7").unwrap())
    };
    let printed: Value = serde_json::from_str(&report::run(&a).unwrap()).unwrap();
    assert_eq!(printed, v);
}

fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cases2rs-report-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

const SNIPPET: &str = "\
inst(NOP, (--)) {
}

inst(BROKEN, (--)) {
    int x = 1 + ;
}

op(_FIRST, (--)) {
}

op(_SECOND, (--)) {
    int y = undefined_function(1);
}

macro(PAIR) = _FIRST + _SECOND;

inst(ALSO_EMPTY, (--)) {
    int z = 0;
}
";

#[test]
fn a_parse_failure_is_reported_and_the_other_bodies_get_verdicts() {
    let input = temp_file("parse_failure_bytecodes.c", SNIPPET);
    let loaded = report::load(&args(input)).unwrap();
    let r = report::report(&loaded);
    let by: BTreeMap<&str, &report::BodyReport> =
        r.bodies.iter().map(|b| (b.name.as_str(), b)).collect();
    let broken = by["BROKEN"];
    assert_eq!((broken.status, broken.parsed), (Status::Unparsed, false));
    assert_eq!(broken.reasons.len(), 1);
    assert_eq!(broken.reasons[0].rule, "parse.syntax");
    assert_eq!((broken.reasons[0].line, broken.reasons[0].col), (5, 17));
    assert_eq!(by["NOP"].status, Status::Translatable);
    assert_eq!(by["ALSO_EMPTY"].status, Status::Translatable);
    assert_eq!(by["_FIRST"].status, Status::Translatable);
    let second = by["_SECOND"];
    assert_eq!(second.status, Status::Bail);
    assert_eq!(second.reasons[0].rule, "name.unbound-function");
    assert_eq!((second.reasons[0].line, second.reasons[0].col), (12, 13));
    let s = r.summary();
    assert_eq!(
        (s.bodies, s.parsed, s.translatable, s.bail, s.opted_out),
        (5, 4, 3, 1, 0)
    );
    let st: BTreeMap<&str, Status> = r
        .instructions
        .iter()
        .map(|i| (i.name.as_str(), i.status))
        .collect();
    assert_eq!(st["BROKEN"], Status::Unparsed);
    assert_eq!(st["PAIR"], Status::Bail);
    assert_eq!(st["NOP"], Status::Translatable);
    let text = render::to_text(&r);
    assert!(text.contains("parse failures (1):"), "{text}");
    assert!(text.contains(":5:17: BROKEN [parse.syntax]"), "{text}");
}

#[test]
fn opt_out_file_keeps_a_translatable_instruction_manual_and_is_listed() {
    let input = temp_file("optout_bytecodes.c", SNIPPET);
    let file = temp_file(
        "optouts.toml",
        "# kept by hand\nNOP = \"hand-written fast path\"\nPAIR = \"not yet\"\n",
    );
    let a = ReportArgs {
        opt_out_file: Some(file.clone()),
        ..args(input.clone())
    };
    let loaded = report::load(&a).unwrap();
    let r = report::report(&loaded);
    let s = r.summary();
    // NOP's body is opted out (it is its own body); PAIR's ops keep their verdicts.
    assert_eq!((s.translatable, s.bail, s.opted_out), (2, 1, 1));
    let st: BTreeMap<&str, Status> = r
        .instructions
        .iter()
        .map(|i| (i.name.as_str(), i.status))
        .collect();
    assert_eq!(st["NOP"], Status::OptedOut);
    assert_eq!(st["PAIR"], Status::OptedOut);
    let rows = render::opt_out_rows(&r);
    let row = |n: &str| rows.iter().find(|x| x.opcode == n).unwrap();
    assert_eq!(row("NOP").reason, "opt-out: hand-written fast path");
    assert_eq!((row("NOP").line, row("NOP").manual), (1, "none"));
    assert_eq!(row("PAIR").line, 15);
    assert!(
        row("BROKEN")
            .reason
            .starts_with("unparsed: parse.syntax (BROKEN)"),
        "{}",
        row("BROKEN").reason
    );
    assert!(
        rows.iter().all(|x| x.opcode != "ALSO_EMPTY"),
        "translatable instructions are not listed"
    );
    let listing = report::run(&ReportArgs {
        opt_outs: true,
        ..a.clone()
    })
    .unwrap();
    assert!(
        listing
            .lines()
            .any(|l| l.starts_with("NOP ") && l.ends_with("opt-out: hand-written fast path")),
        "{listing}"
    );
    let json: Value = serde_json::from_str(
        &report::run(&ReportArgs {
            opt_outs: true,
            json: true,
            ..a.clone()
        })
        .unwrap(),
    )
    .unwrap();
    assert_eq!(json["opt_outs"].as_array().unwrap().len(), rows.len());

    // The manual-body list fills the `manual` column; a name this input lacks is shown, not an
    // error (the list serves several CPython versions).
    let manual = temp_file(
        "manual.toml",
        "PAIR = \"by hand\"\nLOAD_SOMETHING_NEWER = \"x\"\n",
    );
    let m = ReportArgs {
        manual: Some(manual.clone()),
        ..a.clone()
    };
    let r = report::report(&report::load(&m).unwrap());
    let rows = render::opt_out_rows(&r);
    let row = |n: &str| rows.iter().find(|x| x.opcode == n).unwrap().manual;
    assert_eq!(
        (row("PAIR"), row("NOP"), row("BROKEN")),
        ("yes", "none", "none")
    );
    let listing = report::run(&ReportArgs {
        opt_outs: true,
        ..m.clone()
    })
    .unwrap();
    assert!(
        listing.contains("; 1 of them have a manual body (manual bodies 1 ("),
        "{listing}"
    );
    assert!(
        listing.contains(
            "note: 1 name(s) of the manual list are not instructions of this input: LOAD_SOMETHING_NEWER"
        ),
        "{listing}"
    );
    let gauge = render::to_text(&r);
    assert!(
        gauge
            .lines()
            .nth(1)
            .unwrap()
            .ends_with(&format!("· manual bodies 1 ({})", manual.display())),
        "{gauge}"
    );
    let json: Value =
        serde_json::from_str(&report::run(&ReportArgs { json: true, ..m }).unwrap()).unwrap();
    let manual_of = |n: &str| {
        json["instructions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == n)
            .unwrap()["manual"]
            .clone()
    };
    assert_eq!(
        (manual_of("PAIR"), manual_of("NOP")),
        (Value::Bool(true), Value::Bool(false))
    );
    // Without `--manual`, the harness's own list is read.
    let default = report::load(&ReportArgs {
        manual: None,
        ..args(input.clone())
    })
    .unwrap();
    assert_eq!(
        default.manual.path,
        report::optout::default_manual_path().display().to_string()
    );
    assert!(default.manual.get("NOP").is_some());
    // An explicit list that cannot be read is an error, not an empty column.
    assert!(report::load(&ReportArgs {
        manual: Some(input.with_extension("missing")),
        ..args(input.clone())
    })
    .is_err());

    // Unknown opcodes and bad values are errors with the file's line.
    let bad = temp_file("bad.toml", "NOP = \"ok\"\nNO_SUCH_OP = \"x\"\n");
    let e = report::load(&ReportArgs {
        opt_out_file: Some(bad.clone()),
        ..args(input.clone())
    })
    .unwrap_err();
    let msgs = e.messages();
    assert_eq!(msgs.len(), 1);
    assert!(
        msgs[0].starts_with(&format!("{}:2:1:", bad.display())) && msgs[0].contains("NO_SUCH_OP"),
        "{msgs:?}"
    );
    let bad = temp_file("bad2.toml", "NOP = 1\n");
    let e = report::load(&ReportArgs {
        opt_out_file: Some(bad),
        ..args(input.clone())
    })
    .unwrap_err();
    assert!(
        e.to_string()
            .contains(":1:7: the reason for `NOP` must be a string"),
        "{e}"
    );
    let e = report::load(&ReportArgs {
        opt_out_file: Some(PathBuf::from("/nonexistent/x.toml")),
        ..args(input)
    })
    .unwrap_err();
    assert!(e.to_string().contains("cannot read opt-out file"), "{e}");
}

/// The default table (`runtime/bindings.toml`) loads and gives a consistent report.
#[test]
fn default_binding_table_gives_a_report() {
    let Some(dir) = cpython_dir("3.14.7") else {
        return;
    };
    let a = ReportArgs {
        bindings: None,
        ..args(dir)
    };
    let loaded = match report::load(&a) {
        Ok(l) => l,
        Err(e) => panic!("default report fails:\n{}", e.messages().join("\n")),
    };
    let r = report::report(&loaded);
    let s = r.summary();
    println!("3.14.7 with the default bindings: {s:?}");
    assert_eq!(
        s.translatable + s.bail + s.opted_out + (s.bodies - s.parsed),
        s.bodies
    );
    assert_eq!(s.parsed, 328);
}

#[test]
fn unknown_config_and_missing_bindings_are_errors() {
    let input = temp_file("cfg_bytecodes.c", SNIPPET);
    let e = report::load(&ReportArgs {
        config: "nogil".into(),
        ..args(input.clone())
    })
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("unknown build configuration `nogil`"),
        "{e}"
    );
    let e = report::load(&ReportArgs {
        bindings: Some(PathBuf::from("/nonexistent/b.toml")),
        ..args(input)
    })
    .unwrap_err();
    assert!(e.to_string().contains("/nonexistent/b.toml"), "{e}");
}

#[test]
fn report_alias_reaches_the_same_arguments() {
    use clap::Parser;
    #[derive(Parser)]
    struct Cli {
        #[command(subcommand)]
        command: Cmd,
    }
    #[derive(clap::Subcommand)]
    enum Cmd {
        Report(ReportArgs),
    }
    let argv =
        ["translate", "--report", "--json", "--config", "tier2"].map(std::ffi::OsString::from);
    let Cmd::Report(a) = Cli::parse_from(report::alias_args(argv)).command;
    assert!(a.json && a.config == "tier2" && !a.opt_outs);
    let _ = SourceFile::new("unused", "");
}

/// Every type the default binding table binds is declared to lang-c by the report's prelude, so
/// a body using a bound type always parses. (The builtin prelude also declares names the table
/// does not bind, e.g. function-pointer types; bodies using them parse and then bail with
/// `type.unknown`. Those names are printed.)
#[test]
fn default_table_types_are_declared_to_lang_c() {
    let path = subset::Bindings::default_path();
    let b = match subset::Bindings::load(&path) {
        Ok(b) => b,
        Err(e) => panic!("default table does not load: {e}"),
    };
    let prelude = report::cli::prelude_for(&b);
    let mut bound = 0;
    for t in b.types() {
        let ident = t
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
        let keyword =
            ["void", "int", "char", "long", "double", "float", "short"].contains(&t.name.as_str());
        if ident && !keyword {
            assert!(
                prelude.declares(&t.name),
                "{} is bound but not declared",
                t.name
            );
            bound += 1;
        }
    }
    assert!(bound > 20, "only {bound} bound type names");
    let builtin = translator::cbody::Prelude::builtin();
    let unbound: Vec<&str> = builtin
        .names()
        .iter()
        .map(String::as_str)
        .filter(|n| b.type_binding(n).is_none())
        .collect();
    println!(
        "builtin prelude names the default table does not bind ({}): {}",
        unbound.len(),
        unbound.join(", ")
    );
}
