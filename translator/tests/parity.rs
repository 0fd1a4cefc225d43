//! Parity with CPython's own generated headers, read as data from a CPython checkout.
//!
//! Every entry of every table must match; on failure every differing entry is printed.
//! A missing checkout is reported as skipped (CI always has it).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use translator::analysis::{self, tables, Analysis, Version};
use translator::cache_layout;
use translator::dsl::{self, SourceFile};
use translator::oracle::{OpcodeSource, Oracle};

/// [`translator::input::test_checkout`]; a `ver` that is itself a directory (the extra
/// checkouts of `CASES2RS_PARITY_DIRS`) is used as is.
fn cpython_dir(ver: &str) -> Option<PathBuf> {
    if ver.contains('/') {
        let p = PathBuf::from(ver);
        return p.is_dir().then_some(p);
    }
    translator::input::test_checkout(ver)
}

struct Loaded {
    analysis: Analysis,
    oracle: Oracle,
}

fn load(ver: &str) -> Option<Loaded> {
    let Some(dir) = cpython_dir(ver) else {
        println!("skipped: CPython {ver} checkout not found (set CASES2RS_CPYTHON)");
        return None;
    };
    let path = dir.join("Python/bytecodes.c");
    let text = std::fs::read_to_string(&path).expect("read bytecodes.c");
    let src = SourceFile::new(path.display().to_string(), text);
    let file = dsl::parse(&src).unwrap_or_else(|e| panic!("parse: {e}"));
    // Without `patchlevel.h` (a partial checkout) the version is read off the DSL, as the
    // CLI does.
    let version = match std::fs::read_to_string(dir.join("Include/patchlevel.h")) {
        Ok(pl) => Version::from_patchlevel(&pl).expect("known version"),
        Err(_) => Version::detect(&file),
    };
    let code_h = dir.join("Include/internal/pycore_code.h");
    let layouts = cache_layout::parse_cache_layouts(
        &code_h.display().to_string(),
        &std::fs::read_to_string(&code_h).expect("pycore_code.h"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut analysis = analysis::analyze_version(&file, &src, Some(&layouts), version)
        .unwrap_or_else(|e| panic!("analyze: {e}"));
    // 3.12 numbers come from `Lib/opcode.py`, as in the CLI.
    let opcode_py = dir.join("Lib/opcode.py");
    if version == Version::V3_12 && opcode_py.exists() {
        let text = std::fs::read_to_string(&opcode_py).expect("read Lib/opcode.py");
        let table = analysis::opcode_py::parse(&opcode_py.display().to_string(), &text)
            .unwrap_or_else(|e| panic!("{e}"));
        let unnumbered = analysis::opcode_py::apply(&mut analysis, &table).expect("numbers");
        println!(
            "{ver}: {} definitions Lib/opcode.py does not number: {unnumbered:?}",
            unnumbered.len()
        );
    }
    let oracle = Oracle::load(&dir).unwrap_or_else(|e| panic!("oracle: {e}"));
    if oracle.opcode_source == OpcodeSource::OpcodePy {
        println!(
            "{ver}: no Include/opcode.h: the expected opcode numbers are derived from \
             Lib/opcode.py by the code under test (not independent)"
        );
    }
    Some(Loaded { analysis, oracle })
}

/// Compares two maps; returns one line per missing, extra or differing key.
fn diff_maps<K: Ord + std::fmt::Debug, V: PartialEq + std::fmt::Debug>(
    what: &str,
    ours: &BTreeMap<K, V>,
    theirs: &BTreeMap<K, V>,
) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in theirs {
        match ours.get(k) {
            None => out.push(format!("{what}: {k:?} missing (CPython: {v:?})")),
            Some(o) if o != v => out.push(format!("{what}: {k:?}: ours {o:?}, CPython {v:?}")),
            Some(_) => {}
        }
    }
    for (k, v) in ours {
        if !theirs.contains_key(k) {
            out.push(format!("{what}: {k:?} extra (ours: {v:?})"));
        }
    }
    out
}

fn report(ver: &str, what: &str, diffs: &[String], compared: usize) {
    for d in diffs {
        println!("{ver} {d}");
    }
    assert!(
        diffs.is_empty(),
        "{ver} {what}: {} of {compared} entries differ (all listed above)",
        diffs.len()
    );
    println!("{ver} {what}: {compared} entries equal");
}

fn check_opcode_ids(ver: &str) {
    let Some(l) = load(ver) else { return };
    let d = diff_maps("opcode", &l.analysis.opmap, &l.oracle.opcode_ids.opcodes);
    let mut d = d;
    let c = &l.oracle.opcode_ids.constants;
    if let Some(h) = c.get("HAVE_ARGUMENT") {
        if l.analysis.have_arg != Some(*h) {
            d.push(format!(
                "HAVE_ARGUMENT: ours {:?}, CPython {h}",
                l.analysis.have_arg
            ));
        }
    }
    if let Some(m) = c.get("MIN_INSTRUMENTED_OPCODE") {
        if l.analysis.min_instrumented != Some(*m) {
            d.push(format!(
                "MIN_INSTRUMENTED_OPCODE: ours {:?}, CPython {m}",
                l.analysis.min_instrumented
            ));
        }
    }
    report(ver, "opcode ids", &d, l.oracle.opcode_ids.opcodes.len());
}

fn check_uop_ids(ver: &str) {
    let Some(l) = load(ver) else { return };
    let d = diff_maps("uop id", &l.analysis.uop_ids, &l.oracle.uop_ids);
    report(ver, "uop ids", &d, l.oracle.uop_ids.len());
}

fn check_stack_effects(ver: &str) {
    let Some(l) = load(ver) else { return };
    let ours = tables::stack_effects(&l.analysis);
    let md = &l.oracle.metadata;
    let mut d = Vec::new();
    let theirs_names: BTreeSet<&String> =
        md.num_popped.keys().chain(md.num_pushed.keys()).collect();
    for name in &theirs_names {
        let Some((p, q)) = ours.get(*name) else {
            d.push(format!("stack effect: {name} missing"));
            continue;
        };
        for (which, our, their) in [
            ("popped", p, md.num_popped.get(*name)),
            ("pushed", q, md.num_pushed.get(*name)),
        ] {
            let Some(their) = their else {
                d.push(format!("{which}: {name} missing in CPython"));
                continue;
            };
            let bad: Vec<i64> = (0..=255)
                .filter(|&oparg| {
                    analysis::cexpr::eval_oparg(our, oparg).ok()
                        != analysis::cexpr::eval_oparg(their, oparg).ok()
                })
                .collect();
            if !bad.is_empty() {
                d.push(format!(
                    "{which}: {name}: ours `{our}`, CPython `{their}`, differ for {} opargs (first {})",
                    bad.len(),
                    bad[0]
                ));
            }
        }
    }
    for name in ours.keys() {
        if !theirs_names.contains(name) {
            d.push(format!("stack effect: {name} extra"));
        }
    }
    report(
        ver,
        "num_popped/num_pushed x 256 opargs",
        &d,
        theirs_names.len(),
    );
}

fn check_caches(ver: &str) {
    let Some(l) = load(ver) else { return };
    let d = diff_maps(
        "cache",
        &tables::caches(&l.analysis),
        &l.oracle.metadata.caches,
    );
    report(ver, "_PyOpcode_Caches", &d, l.oracle.metadata.caches.len());
}

fn check_deopt(ver: &str) {
    let Some(l) = load(ver) else { return };
    let ours = tables::deopt(&l.analysis);
    let theirs = &l.oracle.metadata.deopt;
    // CPython lists every defined opcode (3.13 leaves undefined ones out).
    let ours: BTreeMap<u32, u32> = ours
        .into_iter()
        .filter(|(k, v)| theirs.contains_key(k) || k != v)
        .collect();
    let d = diff_maps("deopt", &ours, theirs);
    report(ver, "_PyOpcode_Deopt", &d, theirs.len());
}

fn as_sets(m: &BTreeMap<String, Vec<String>>) -> BTreeMap<String, BTreeSet<String>> {
    m.iter()
        .map(|(k, v)| (k.clone(), v.iter().cloned().collect()))
        .collect()
}

fn check_flags(ver: &str) {
    let Some(l) = load(ver) else { return };
    if !l.oracle.metadata.has_flags {
        println!("{ver}: skipped: the header's metadata entries have no flags column");
        return;
    }
    let d = diff_maps(
        "flags",
        &as_sets(&tables::opcode_flags(&l.analysis)),
        &as_sets(&l.oracle.metadata.flags),
    );
    report(
        ver,
        "_PyOpcode_opcode_metadata flags",
        &d,
        l.oracle.metadata.flags.len(),
    );
}

fn check_uop_flags(ver: &str) {
    let Some(l) = load(ver) else { return };
    if l.oracle.opcode_source != OpcodeSource::OpcodeIdsH {
        println!("{ver}: skipped: 3.12 has no _PyUop_Flags table");
        return;
    }
    let d = diff_maps(
        "uop flags",
        &as_sets(&tables::uop_flags(&l.analysis)),
        &as_sets(&l.oracle.uop_flags),
    );
    report(ver, "_PyUop_Flags", &d, l.oracle.uop_flags.len());
}

fn check_pseudo_targets(ver: &str) {
    let Some(l) = load(ver) else { return };
    let ours: BTreeMap<String, (Option<bool>, Vec<String>)> = tables::pseudo_targets(&l.analysis)
        .into_iter()
        .map(|(k, (seq, t))| (k, (Some(seq), t)))
        .collect();
    let theirs: BTreeMap<String, (Option<bool>, Vec<String>)> = l
        .oracle
        .metadata
        .pseudo_targets
        .iter()
        .map(|(k, v)| (k.clone(), (v.as_sequence, v.targets.clone())))
        .collect();
    // 3.13's table has no as_sequence column: compare targets only there.
    let ours = if theirs.values().all(|(s, _)| s.is_none()) {
        ours.into_iter().map(|(k, (_, t))| (k, (None, t))).collect()
    } else {
        ours
    };
    let d = diff_maps("pseudo targets", &ours, &theirs);
    report(ver, "_PyOpcode_PseudoTargets", &d, theirs.len());
}

/// The JSON of `translate metadata --json`, read back as plain JSON and checked field by field
/// against the headers, as an independent checker of the JSON would do it.
fn check_metadata_json(ver: &str) {
    let Some(l) = load(ver) else { return };
    let json: serde_json::Value =
        serde_json::from_str(&l.analysis.metadata().to_json()).expect("valid JSON");
    let o = &l.oracle;
    let ids = &o.opcode_ids.opcodes;
    let md = &o.metadata;
    let mut d = Vec::new();
    let mut skipped_caches = 0;
    let s = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    let flags = |v: &serde_json::Value| -> BTreeSet<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .map(|x| x.as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    let same_expr = |ours: &str, theirs: Option<&String>| {
        theirs.is_some_and(|t| {
            (0..=255).all(|op| {
                analysis::cexpr::eval_oparg(ours, op).ok()
                    == analysis::cexpr::eval_oparg(t, op).ok()
            })
        })
    };
    let insts = json["instructions"].as_array().expect("instructions");
    for i in insts {
        let name = s(&i["name"]);
        let opcode = i["opcode"].as_u64().map(|n| n as u32);
        if opcode != ids.get(&name).copied() {
            d.push(format!("{name}: opcode {opcode:?} vs {:?}", ids.get(&name)));
        }
        for (k, table) in [("popped", &md.num_popped), ("pushed", &md.num_pushed)] {
            if !same_expr(&s(&i[k]), table.get(&name)) {
                d.push(format!(
                    "{name}: {k} `{}` vs {:?}",
                    s(&i[k]),
                    table.get(&name)
                ));
            }
        }
        let theirs: BTreeSet<String> = md.flags.get(&name).into_iter().flatten().cloned().collect();
        if md.has_flags && flags(&i["flags"]) != theirs {
            d.push(format!(
                "{name}: flags {:?} vs {theirs:?}",
                flags(&i["flags"])
            ));
        }
        let deopt = s(&i["deopt"]);
        let (Some(op), Some(dop)) = (opcode, ids.get(&deopt)) else {
            d.push(format!("{name}: deopt {deopt} has no opcode"));
            continue;
        };
        if md.deopt.get(&op) != Some(dop) {
            d.push(format!("{name}: deopt {deopt} vs {:?}", md.deopt.get(&op)));
        }
        // `_PyOpcode_Caches` lists family heads only; members share the head's size.
        // Instrumented instructions are not in the table at all.
        if name.starts_with("INSTRUMENTED") {
            skipped_caches += 1;
        } else {
            let want = md.caches.get(&deopt).copied().unwrap_or(0);
            if i["cache_entries"].as_u64() != Some(u64::from(want)) {
                d.push(format!(
                    "{name}: cache_entries {} vs {want}",
                    i["cache_entries"]
                ));
            }
        }
    }
    let header_insts = md
        .flags
        .keys()
        .filter(|k| !md.pseudo_targets.contains_key(*k))
        .count();
    if insts.len() != header_insts {
        d.push(format!(
            "{} instructions vs {header_insts} in the header",
            insts.len()
        ));
    }
    for p in json["pseudos"].as_array().expect("pseudos") {
        let name = s(&p["name"]);
        if p["opcode"].as_u64().map(|n| n as u32) != ids.get(&name).copied() {
            d.push(format!(
                "pseudo {name}: opcode {} vs {:?}",
                p["opcode"],
                ids.get(&name)
            ));
        }
        let targets: Vec<String> = p["targets"]
            .as_array()
            .map(|a| a.iter().map(s).collect())
            .unwrap_or_default();
        if md.pseudo_targets.get(&name).map(|t| &t.targets) != Some(&targets) {
            d.push(format!("pseudo {name}: targets {targets:?}"));
        }
        let theirs: BTreeSet<String> = md.flags.get(&name).into_iter().flatten().cloned().collect();
        // 3.12: no flags column, and its pseudos (from Lib/opcode.py) have no header entry.
        if md.has_flags && flags(&p["flags"]) != theirs {
            d.push(format!(
                "pseudo {name}: flags {:?} vs {theirs:?}",
                flags(&p["flags"])
            ));
        }
        // 3.13's header has no stack effect for pseudos: the JSON has null there.
        for (k, table) in [("popped", &md.num_popped), ("pushed", &md.num_pushed)] {
            match (p[k].as_str(), table.get(&name)) {
                (None, None) => {}
                (Some(x), t) if same_expr(x, t) => {}
                (x, t) => d.push(format!("pseudo {name}: {k} {x:?} vs {t:?}")),
            }
        }
    }
    let mut not_viable = 0;
    let uops = json["uops"].as_array().expect("uops");
    // 3.12 has no uop-id header: nothing to compare the uops with.
    let uops: &[serde_json::Value] =
        if o.uop_ids.is_empty() && o.opcode_source != OpcodeSource::OpcodeIdsH {
            println!(
                "{ver}: {} uops not checked: the checkout has no uop-id header",
                uops.len()
            );
            &[]
        } else {
            uops
        };
    for u in uops {
        let name = s(&u["name"]);
        if u["id"].as_u64().map(|n| n as u32) != o.uop_ids.get(&name).copied() {
            d.push(format!(
                "uop {name}: id {} vs {:?}",
                u["id"],
                o.uop_ids.get(&name)
            ));
        }
        match o.uop_flags.get(&name) {
            // Not viable for tier 2: CPython emits no flags entry to compare with.
            None => not_viable += 1,
            Some(f) => {
                let theirs: BTreeSet<String> = f.iter().cloned().collect();
                if flags(&u["flags"]) != theirs {
                    d.push(format!(
                        "uop {name}: flags {:?} vs {theirs:?}",
                        flags(&u["flags"])
                    ));
                }
            }
        }
    }
    if uops.len() != o.uop_ids.len() {
        d.push(format!(
            "{} uops vs {} ids in the header",
            uops.len(),
            o.uop_ids.len()
        ));
    }
    println!(
        "{ver}: cache_entries not checked for {skipped_caches} instrumented instructions; \
         flags not checked for {not_viable} uops CPython gives no _PyUop_Flags entry"
    );
    if !md.has_flags {
        println!("{ver}: instruction flags not checked: the header has no flags column");
    }
    report(ver, "metadata JSON", &d, insts.len() + uops.len());
}

/// `TYPE NAME = read_X(&this_instr[K].cache);` in `generated_cases.c.h`: the tier-1
/// interpreter reads cache entry NAME at code unit K (offset K-1) with width X. Every such
/// read must be an entry of our per-instruction cache table with that offset and size.
fn check_cache_reads(ver: &str) {
    let Some(l) = load(ver) else { return };
    let Some(dir) = cpython_dir(ver) else { return };
    let Ok(text) = std::fs::read_to_string(dir.join("Python/generated_cases.c.h")) else {
        println!("{ver}: skipped: no Python/generated_cases.c.h");
        return;
    };
    if !text.contains("(&this_instr[") {
        // 3.12's generated code reads caches through `next_instr`: not this table's shape.
        println!("{ver}: skipped: generated_cases.c.h has no `this_instr` cache reads");
        return;
    }
    let mut d = Vec::new();
    let mut current: Option<String> = None;
    let mut reads = 0;
    for (n, line) in text.lines().enumerate() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("TARGET(") {
            current = rest.split(')').next().map(str::to_string);
            continue;
        }
        let Some((lhs, rhs)) = t.split_once(" = read_") else {
            continue;
        };
        let Some((width, arg)) = rhs.split_once("(&this_instr[") else {
            continue;
        };
        let size = match width {
            "u16" => 1,
            "u32" => 2,
            "u64" | "obj" | "ptr" => 4,
            other => panic!("generated_cases.c.h:{}: unknown reader read_{other}", n + 1),
        };
        let k: i32 = arg
            .split(']')
            .next()
            .and_then(|k| k.parse().ok())
            .expect("index");
        let name = lhs.rsplit([' ', '*']).next().unwrap_or_default();
        let inst = current.as_deref().expect("read outside TARGET");
        reads += 1;
        let Some(i) = l.analysis.instruction(inst) else {
            d.push(format!("line {}: unknown instruction {inst}", n + 1));
            continue;
        };
        if !i
            .cache_slots
            .iter()
            .any(|s| s.name == name && s.offset == k - 1 && s.size == size)
        {
            d.push(format!(
                "line {}: {inst} reads '{name}' at offset {} size {size}; ours: {:?}",
                n + 1,
                k - 1,
                i.cache_slots
                    .iter()
                    .map(|s| (s.name.as_str(), s.offset, s.size))
                    .collect::<Vec<_>>()
            ));
        }
    }
    assert!(reads > 0, "no cache reads found");
    report(ver, "cache reads of generated_cases.c.h", &d, reads);
}

macro_rules! parity_tests {
    ($modname:ident, $ver:expr) => {
        mod $modname {
            #[test]
            fn opcode_ids() {
                super::check_opcode_ids($ver);
            }
            #[test]
            fn uop_ids() {
                super::check_uop_ids($ver);
            }
            #[test]
            fn num_popped_pushed() {
                super::check_stack_effects($ver);
            }
            #[test]
            fn caches() {
                super::check_caches($ver);
            }
            #[test]
            fn deopt() {
                super::check_deopt($ver);
            }
            #[test]
            fn opcode_flags() {
                super::check_flags($ver);
            }
            #[test]
            fn uop_flags() {
                super::check_uop_flags($ver);
            }
            #[test]
            fn pseudo_targets() {
                super::check_pseudo_targets($ver);
            }
            #[test]
            fn cache_reads() {
                super::check_cache_reads($ver);
            }
            #[test]
            fn metadata_json() {
                super::check_metadata_json($ver);
            }
        }
    };
}

parity_tests!(v3_14_7, "3.14.7");
parity_tests!(v3_13_0, "3.13.0");

/// The C-body front-end on every body of the checkout's `bytecodes.c`, in every build
/// configuration: each must parse with no lint hit (lint hits are parse failures).
fn check_cbody(ver: &str) {
    use translator::cbody::{self, BuildConfig, Prelude, PRESET_NAMES};
    let Some(dir) = cpython_dir(ver) else { return };
    let path = dir.join("Python/bytecodes.c");
    let text = std::fs::read_to_string(&path).expect("read bytecodes.c");
    let src = SourceFile::new(path.display().to_string(), text);
    let file = dsl::parse(&src).unwrap_or_else(|e| panic!("parse: {e}"));
    let mut d = Vec::new();
    let mut bodies = 0;
    for name in PRESET_NAMES {
        let config = BuildConfig::preset(name).expect("preset");
        let parsed = cbody::parse_file(&src, &file, &config, &Prelude::builtin());
        bodies = parsed.bodies.len();
        d.extend(parsed.failures().map(|(_, e)| format!("[{name}] {e}")));
    }
    report(
        ver,
        &format!("C bodies x {} configurations", PRESET_NAMES.len()),
        &d,
        bodies,
    );
}

/// Every check above on each checkout of `CASES2RS_PARITY_DIRS` (`:`-separated paths, e.g.
/// other CPython versions); each table's result is printed, and the test fails if any
/// table differs. Unset: skipped.
#[test]
fn parity_dirs() {
    let Ok(dirs) = std::env::var("CASES2RS_PARITY_DIRS") else {
        println!("skipped: CASES2RS_PARITY_DIRS not set");
        return;
    };
    type Check = fn(&str);
    let checks: [(&str, Check); 11] = [
        ("C bodies", check_cbody),
        ("opcode ids", check_opcode_ids),
        ("uop ids", check_uop_ids),
        ("num_popped/num_pushed", check_stack_effects),
        ("_PyOpcode_Caches", check_caches),
        ("_PyOpcode_Deopt", check_deopt),
        ("opcode flags", check_flags),
        ("uop flags", check_uop_flags),
        ("pseudo targets", check_pseudo_targets),
        ("cache reads", check_cache_reads),
        ("metadata JSON", check_metadata_json),
    ];
    let mut failed = Vec::new();
    for dir in dirs.split(':').filter(|d| !d.is_empty()) {
        let abs = std::fs::canonicalize(dir)
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .display()
            .to_string();
        for (what, check) in checks {
            if std::panic::catch_unwind(|| check(&abs)).is_err() {
                failed.push(format!("{abs}: {what}"));
            }
        }
    }
    assert!(failed.is_empty(), "tables that differ: {failed:#?}");
}
