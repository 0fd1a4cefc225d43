//! Opcode numbers of CPython 3.12, read from `Lib/opcode.py`.
//!
//! 3.12's generator does not number instructions: `Lib/opcode.py` lists the base opcodes
//! (`def_op('NAME', N)` and friends) and the `_specializations` families, and
//! `Tools/build/generate_opcode_h.py` numbers every specialized instruction by filling the
//! unused numbers from 1 upwards, in the order the families list them. This module reads
//! those two tables as data (the file is never executed) and reproduces that numbering, so
//! `translate metadata` can give 3.12 instructions their real opcodes. 3.13+ `Lib/opcode.py`
//! has no `def_op` lines (numbers come from the DSL itself); reading it is an error.

use std::collections::{BTreeMap, BTreeSet};

use thiserror::Error;

use super::Analysis;

/// `Lib/opcode.py` without the shape this reader knows.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{path}:{line}: {message}")]
pub struct OpcodePyError {
    pub path: String,
    pub line: usize,
    pub message: String,
}

/// The numbering tables of a 3.12 `Lib/opcode.py`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpcodePy {
    /// `def_op`/`name_op`/`jrel_op`/`jabs_op`/`pseudo_op` numbers, in file order.
    pub base: Vec<(String, u32)>,
    /// `_specializations`: family head → members, in dict order.
    pub specializations: Vec<(String, Vec<String>)>,
    pub have_argument: Option<u32>,
    pub min_instrumented: Option<u32>,
    /// `pseudo_op('NAME', N, ['TARGET', ...])`: 3.12's pseudo-instructions live only here
    /// (its `bytecodes.c` has no `pseudo`, its headers no pseudo tables), in file order.
    pub pseudos: Vec<(String, Vec<String>)>,
}

const DEF_FUNCS: [&str; 5] = ["def_op(", "name_op(", "jrel_op(", "jabs_op(", "pseudo_op("];

/// The text of a Python string literal at the start of `s` (`'X'` or `"X"`), and the rest.
fn string_literal(s: &str) -> Option<(&str, &str)> {
    let q = s.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let rest = &s[1..];
    let end = rest.find(q)?;
    Some((&rest[..end], &rest[end + 1..]))
}

/// The quoted names of the `[...]` list after `'NAME', N,` in a `pseudo_op` call.
fn pseudo_targets(rest: &str) -> Option<Vec<String>> {
    let list = &rest[rest.find('[')? + 1..];
    let list = &list[..list.find(']')?];
    let mut out = Vec::new();
    let mut s = list.trim_start();
    while !s.is_empty() {
        let (t, r) = string_literal(s)?;
        out.push(t.to_string());
        s = r.trim_start();
        s = s.strip_prefix(',').unwrap_or(s).trim_start();
    }
    Some(out)
}

fn leading_number(s: &str) -> Option<u32> {
    let digits: String = s
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Parses the numbering tables of `Lib/opcode.py`.
pub fn parse(path: &str, text: &str) -> Result<OpcodePy, OpcodePyError> {
    let err = |line: usize, message: String| OpcodePyError {
        path: path.to_string(),
        line,
        message,
    };
    let mut out = OpcodePy::default();
    let mut in_spec = false;
    let mut spec_line = 0;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        // Comments never contain the constructs read here; strip them for simplicity.
        let code = raw.split('#').next().unwrap_or("");
        if in_spec {
            let t = code.trim();
            if t.starts_with('}') {
                in_spec = false;
                continue;
            }
            // A family's closing `],` carries no name.
            if t.is_empty() || t.starts_with(']') {
                continue;
            }
            let (name, rest) = string_literal(t).ok_or_else(|| {
                err(
                    line,
                    format!("expected a string in _specializations: `{t}`"),
                )
            })?;
            if rest.trim_start().starts_with(':') {
                out.specializations.push((name.to_string(), Vec::new()));
            } else if let Some((_, members)) = out.specializations.last_mut() {
                members.push(name.to_string());
            } else {
                return Err(err(line, format!("member `{name}` before any family")));
            }
            continue;
        }
        if code.starts_with("_specializations") && code.contains('{') {
            in_spec = true;
            spec_line = line;
            continue;
        }
        for (key, slot) in [
            ("HAVE_ARGUMENT", &mut out.have_argument),
            ("MIN_INSTRUMENTED_OPCODE", &mut out.min_instrumented),
        ] {
            if let Some(rest) = code.strip_prefix(key) {
                if let Some(v) = rest.trim_start().strip_prefix('=') {
                    *slot = Some(leading_number(v).ok_or_else(|| {
                        err(line, format!("`{key}` is not a number: `{}`", v.trim()))
                    })?);
                }
            }
        }
        // Only top-level calls with literal arguments; the helper definitions are indented.
        let Some(func) = DEF_FUNCS.iter().find(|f| code.starts_with(**f)) else {
            continue;
        };
        let args = &code[func.len()..];
        let (name, rest) = string_literal(args.trim_start())
            .ok_or_else(|| err(line, format!("expected a quoted name in `{}`", code.trim())))?;
        let n = rest
            .trim_start()
            .strip_prefix(',')
            .and_then(leading_number)
            .ok_or_else(|| err(line, format!("expected a number after `{name}`")))?;
        if *func == "pseudo_op(" {
            let targets = pseudo_targets(rest)
                .ok_or_else(|| err(line, format!("expected a list of targets for `{name}`")))?;
            out.pseudos.push((name.to_string(), targets));
        }
        out.base.push((name.to_string(), n));
    }
    if in_spec {
        return Err(err(spec_line, "`_specializations` is not closed".into()));
    }
    if out.base.is_empty() {
        return Err(err(
            1,
            "no `def_op('NAME', N)` lines: not a 3.12 Lib/opcode.py".into(),
        ));
    }
    Ok(out)
}

impl OpcodePy {
    /// Every opcode number: base opcodes as written, then specialized instructions on the
    /// lowest numbers no base opcode uses (from 1), in `_specializations` order — what
    /// `generate_opcode_h.py` writes to `Include/opcode.h`.
    pub fn numbers(&self) -> Result<BTreeMap<String, u32>, String> {
        let mut map: BTreeMap<String, u32> = BTreeMap::new();
        let mut used: BTreeSet<u32> = BTreeSet::new();
        for (name, n) in &self.base {
            map.insert(name.clone(), *n);
            used.insert(*n);
        }
        let mut next = 1u32;
        for name in self.specializations.iter().flat_map(|(_, m)| m) {
            while used.contains(&next) {
                next += 1;
            }
            if next > 255 {
                return Err(format!("no opcode left for specialized `{name}`"));
            }
            map.insert(name.clone(), next);
            used.insert(next);
        }
        Ok(map)
    }
}

/// Gives a 3.12 analysis the opcode numbers of its `Lib/opcode.py`, and its deopt targets:
/// 3.12's `_PyOpcode_Deopt` is generated from `_specializations`, not from the DSL's
/// families, so super-instructions (`LOAD_FAST__LOAD_FAST` → `LOAD_FAST`) and
/// `BINARY_OP_INPLACE_ADD_UNICODE` (left out of the DSL's `binary_op` family) deopt to their
/// head there. Instructions and pseudos that file does not number keep `opcode: None`; their
/// names are returned so callers can show them instead of dropping them silently.
pub fn apply(a: &mut Analysis, table: &OpcodePy) -> Result<Vec<String>, String> {
    let numbers = table.numbers()?;
    let heads: BTreeMap<&str, &str> = table
        .specializations
        .iter()
        .flat_map(|(head, members)| members.iter().map(move |m| (m.as_str(), head.as_str())))
        .collect();
    let mut unnumbered = Vec::new();
    for i in a.instructions.iter_mut() {
        if let Some(head) = heads.get(i.name.as_str()) {
            i.family = Some((*head).to_string());
        }
        i.opcode = numbers.get(&i.name).copied();
        if i.opcode.is_none() {
            unnumbered.push(i.name.clone());
        }
    }
    // 3.12: the pseudos of `Lib/opcode.py`, with their targets' merged properties and no
    // stack effect (3.12's compiler hard-codes it), as 3.13 would describe them.
    for (name, targets) in &table.pseudos {
        if a.pseudos.iter().any(|p| &p.name == name) {
            continue;
        }
        let props: Vec<&super::Properties> = targets
            .iter()
            .filter_map(|t| a.instruction(t).map(|i| &i.properties))
            .collect();
        a.pseudos.push(super::Pseudo {
            name: name.clone(),
            span: Default::default(),
            has_stack_effect: false,
            inputs: Vec::new(),
            outputs: Vec::new(),
            targets: targets.clone(),
            as_sequence: false,
            flags: Vec::new(),
            opcode: None,
            popped: None,
            pushed: None,
            properties: super::Properties::merge(&props),
        });
    }
    for p in a.pseudos.iter_mut() {
        p.opcode = numbers.get(&p.name).copied();
        if p.opcode.is_none() {
            unnumbered.push(p.name.clone());
        }
    }
    a.opmap = numbers;
    a.have_arg = table.have_argument;
    a.min_instrumented = table.min_instrumented;
    Ok(unnumbered)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Shaped like 3.12's Lib/opcode.py: helper definitions (indented, not literal), base
    // opcodes with comments and `hasconst.append` lines, pseudos, a commented family member.
    const PY: &str = "\
def def_op(name, op):
    opmap[name] = op

def_op('CACHE', 0)
def_op('POP_TOP', 1)
def_op('NOP', 9)
HAVE_ARGUMENT = 90             # real opcodes from here have an argument:
name_op('STORE_NAME', 90)       # Index in name list
def_op('LOAD_CONST', 100)       # Index in const list
hasconst.append(100)
jrel_op('JUMP_FORWARD', 110)
MIN_INSTRUMENTED_OPCODE = 237
def_op('INSTRUMENTED_RESUME', 240)
pseudo_op('JUMP', 260, ['JUMP_FORWARD', 'JUMP_BACKWARD'])

_specializations = {
    \"LOAD_CONST\": [
        \"LOAD_CONST__LOAD_FAST\",
    ],
    \"NOP\": [
        # a comment line
        \"NOP_A\",
        \"NOP_B\",
    ],
}
";

    #[test]
    fn reads_base_opcodes_constants_and_families() {
        let t = parse("opcode.py", PY).unwrap();
        assert_eq!(t.base.len(), 8);
        assert_eq!(t.base[2], ("NOP".to_string(), 9));
        assert_eq!(t.base[7], ("JUMP".to_string(), 260));
        assert_eq!(t.have_argument, Some(90));
        assert_eq!(t.min_instrumented, Some(237));
        assert_eq!(
            t.specializations,
            vec![
                ("LOAD_CONST".into(), vec!["LOAD_CONST__LOAD_FAST".into()]),
                ("NOP".into(), vec!["NOP_A".into(), "NOP_B".into()]),
            ]
        );
    }

    #[test]
    fn specialized_fill_unused_numbers_from_one() {
        let n = parse("opcode.py", PY).unwrap().numbers().unwrap();
        // 1 is POP_TOP: the first free numbers are 2, 3, 4 in family order.
        assert_eq!(n["LOAD_CONST__LOAD_FAST"], 2);
        assert_eq!(n["NOP_A"], 3);
        assert_eq!(n["NOP_B"], 4);
        assert_eq!(n["NOP"], 9);
        assert_eq!(n["JUMP"], 260);
    }

    #[test]
    fn gaps_skip_used_numbers() {
        // As in 3.12: 5..=8 free, 9 NOP, 10 free, 11 used: six members take 2..=8 then 10.
        let py = "def_op('CACHE', 0)\ndef_op('POP_TOP', 1)\ndef_op('NOP', 9)\n\
                  def_op('X', 11)\n_specializations = {\n  'NOP': [\n 'A', 'B', \n";
        // Members on one line are not the 3.12 layout: only the first string per line counts,
        // and the unclosed dict is an error naming its line.
        let e = parse("opcode.py", py).unwrap_err();
        assert_eq!(e.line, 5);
        let py = "def_op('CACHE', 0)\ndef_op('POP_TOP', 1)\ndef_op('NOP', 9)\n\
                  def_op('X', 11)\n_specializations = {\n  'NOP': [\n 'A',\n 'B',\n 'C',\n\
                  'D',\n 'E',\n 'F',\n 'G',\n 'H',\n ],\n}\n";
        let n = parse("opcode.py", py).unwrap().numbers().unwrap();
        let got: Vec<u32> = ["A", "B", "C", "D", "E", "F", "G", "H"]
            .iter()
            .map(|k| n[*k])
            .collect();
        assert_eq!(got, vec![2, 3, 4, 5, 6, 7, 8, 10]);
    }

    #[test]
    fn apply_numbers_and_deopt_heads() {
        use crate::analysis::{analyze_version, Version};
        use crate::dsl::{self, SourceFile};
        let src = SourceFile::new(
            "b.c",
            "inst(NOP, (--)) { }\ninst(LOAD_CONST, (-- v)) { v = 0; }\n\
             inst(LOAD_FAST, (-- v)) { v = 0; }\n\
             super(LOAD_CONST__LOAD_FAST) = LOAD_CONST + LOAD_FAST;\n\
             inst(NOT_IN_OPCODE_PY, (--)) { }\n",
        );
        let file = dsl::parse(&src).unwrap();
        let mut a = analyze_version(&file, &src, None, Version::V3_12).unwrap();
        let py = "def_op('CACHE', 0)\ndef_op('NOP', 9)\ndef_op('LOAD_CONST', 100)\n\
                  def_op('LOAD_FAST', 124)\npseudo_op('JUMP', 260, ['NOP'])\n\
                  HAVE_ARGUMENT = 90\n_specializations = {\n    \"LOAD_CONST\": [\n\
                  \"LOAD_CONST__LOAD_FAST\",\n    ],\n}\n";
        let t = parse("opcode.py", py).unwrap();
        let unnumbered = apply(&mut a, &t).unwrap();
        assert_eq!(unnumbered, vec!["NOT_IN_OPCODE_PY".to_string()]);
        let inst = |n: &str| a.instruction(n).unwrap();
        assert_eq!(inst("NOP").opcode, Some(9));
        // The first free number is 1.
        assert_eq!(inst("LOAD_CONST__LOAD_FAST").opcode, Some(1));
        assert_eq!(inst("LOAD_CONST__LOAD_FAST").deopt(), "LOAD_CONST");
        assert_eq!(inst("LOAD_FAST").deopt(), "LOAD_FAST");
        assert_eq!(a.opmap.get("JUMP"), Some(&260));
        assert_eq!(a.have_arg, Some(90));
    }

    #[test]
    fn specialized_member_takes_its_heads_cache_size_in_3_12() {
        use crate::analysis::{analyze_version, Version};
        use crate::dsl::{self, SourceFile};
        // As in 3.12: the odd duck is left out of the DSL family and declares no cache.
        let src = SourceFile::new(
            "b.c",
            "inst(BINARY_OP, (unused/1, l, r -- res)) { res = l; }\n\
             inst(BINARY_OP_INPLACE_ADD_UNICODE, (l, r --)) { }\n",
        );
        let file = dsl::parse(&src).unwrap();
        let mut a = analyze_version(&file, &src, None, Version::V3_12).unwrap();
        let json = |a: &Analysis| a.metadata().instructions;
        let before = json(&a);
        assert_eq!(before[1].cache_entries, 0);
        let py = "def_op('BINARY_OP', 122)\n_specializations = {\n  'BINARY_OP': [\n\
                  'BINARY_OP_INPLACE_ADD_UNICODE',\n  ],\n}\n";
        apply(&mut a, &parse("o.py", py).unwrap()).unwrap();
        let after = json(&a);
        assert_eq!(after[1].name, "BINARY_OP_INPLACE_ADD_UNICODE");
        assert_eq!(
            (after[1].cache_entries, after[1].deopt.as_str()),
            (1, "BINARY_OP")
        );
        assert_eq!(after[1].opcode, Some(1));
    }

    #[test]
    fn pseudo_targets_are_read() {
        let t = parse("opcode.py", PY).unwrap();
        assert_eq!(
            t.pseudos,
            vec![(
                "JUMP".to_string(),
                vec!["JUMP_FORWARD".to_string(), "JUMP_BACKWARD".to_string()]
            )]
        );
        let e = parse("o.py", "def_op('NOP', 9)\npseudo_op('X', 256, NOP)\n").unwrap_err();
        assert_eq!(e.line, 2);
    }

    #[test]
    fn pseudos_of_opcode_py_join_a_3_12_analysis() {
        use crate::analysis::{analyze_version, Version};
        use crate::dsl::{self, SourceFile};
        // 3.12: no `pseudo` in bytecodes.c; Lib/opcode.py names them with their targets.
        let src = SourceFile::new(
            "b.c",
            "inst(NOP, (--)) { }\ninst(JUMP_FORWARD, (--)) { JUMPBY(oparg); }\n\
             inst(JUMP_BACKWARD, (--)) { JUMPBY(-oparg); CHECK_EVAL_BREAKER(); }\n",
        );
        let file = dsl::parse(&src).unwrap();
        let mut a = analyze_version(&file, &src, None, Version::V3_12).unwrap();
        assert!(a.pseudos.is_empty());
        let py = "def_op('NOP', 9)\njrel_op('JUMP_FORWARD', 110)\n\
                  jrel_op('JUMP_BACKWARD', 140)\n\
                  pseudo_op('SETUP_FINALLY', 256, ['NOP'])\n\
                  pseudo_op('JUMP', 260, ['JUMP_FORWARD', 'JUMP_BACKWARD'])\n";
        let unnumbered = apply(&mut a, &parse("opcode.py", py).unwrap()).unwrap();
        assert!(unnumbered.is_empty(), "{unnumbered:?}");
        let m = a.metadata();
        let got: Vec<_> = m
            .pseudos
            .iter()
            .map(|p| (p.name.as_str(), p.opcode, p.popped.clone(), p.targets.len()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("JUMP", Some(260), None, 2),
                ("SETUP_FINALLY", Some(256), None, 1)
            ]
        );
        // JUMP's flags are its targets' merged: both use `oparg` and jump (3.12 has no
        // HAS_EVAL_BREAK_FLAG); SETUP_FINALLY's only target, NOP, has none.
        assert_eq!(m.pseudos[0].flags, vec!["HAS_ARG_FLAG", "HAS_JUMP_FLAG"]);
        assert!(m.pseudos[1].flags.is_empty(), "{:?}", m.pseudos[1].flags);
    }

    #[test]
    fn a_3_13_opcode_py_is_rejected() {
        let py = "from _opcode_metadata import (_specializations, opmap)\n";
        let e = parse("Lib/opcode.py", py).unwrap_err();
        assert!(e.message.contains("not a 3.12"), "{e}");
    }

    #[test]
    fn bad_number_is_located() {
        let e = parse("o.py", "def_op('CACHE', 0)\ndef_op('NOP', x)\n").unwrap_err();
        assert_eq!((e.line, e.path.as_str()), (2, "o.py"));
    }

    #[test]
    fn exhausted_space_is_an_error() {
        let mut py = String::from("_specializations = {\n 'F': [\n");
        for k in 0..300 {
            py.push_str(&format!(" 'S{k}',\n"));
        }
        py.push_str(" ],\n}\ndef_op('CACHE', 0)\n");
        let t = parse("o.py", &py).unwrap();
        assert!(t.numbers().unwrap_err().contains("no opcode left"));
    }
}
