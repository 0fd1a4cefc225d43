//! Readers for CPython's generated headers, used as the independent expectation in parity tests.
//!
//! The headers are read as data: `#define` tables, designated-initialiser arrays and the
//! `switch` bodies of `_PyOpcode_num_popped/_num_pushed`. Nothing here depends on the DSL
//! front-end, so a bug in the analysis cannot leak into the expectation.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use thiserror::Error;

/// A header that could not be read or did not have the expected shape.
#[derive(Debug, Error)]
pub enum OracleError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Format {
        path: String,
        line: usize,
        message: String,
    },
    #[error("{path}: table `{table}` not found")]
    MissingTable { path: String, table: String },
}

fn format_err(path: &str, line: usize, message: impl Into<String>) -> OracleError {
    OracleError::Format {
        path: path.to_string(),
        line,
        message: message.into(),
    }
}

/// `#define NAME VALUE` lines of `opcode_ids.h`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpcodeIds {
    /// Instruction and pseudo-instruction numbers.
    pub opcodes: BTreeMap<String, u32>,
    /// `HAVE_ARGUMENT`, `MIN_SPECIALIZED_OPCODE`, `MIN_INSTRUMENTED_OPCODE`.
    pub constants: BTreeMap<String, u32>,
}

const OPCODE_CONSTANTS: [&str; 5] = [
    "HAVE_ARGUMENT",
    "MIN_SPECIALIZED_OPCODE",
    "MIN_INSTRUMENTED_OPCODE",
    // 3.12's `Include/opcode.h`.
    "MIN_PSEUDO_OPCODE",
    "MAX_PSEUDO_OPCODE",
];

/// Every `#define NAME TOKEN` with a single value token, with line numbers; include guards
/// (`#define Py_X_H` with no value) are left out.
fn simple_defines(text: &str) -> Vec<(usize, String, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Some(rest) = line.trim_start().strip_prefix("#define") else {
            continue;
        };
        let mut words = rest.split_whitespace();
        let (Some(name), Some(value), None) = (words.next(), words.next(), words.next()) else {
            continue;
        };
        if name.contains('(') {
            continue;
        }
        out.push((i + 1, name.to_string(), value.to_string()));
    }
    out
}

/// Parses `Include/opcode_ids.h` (3.13+) or 3.12's `Include/opcode.h`, whose binary-operator
/// numbers (`NB_ADD` ...) are left out.
pub fn parse_opcode_ids(path: &str, text: &str) -> Result<OpcodeIds, OracleError> {
    let mut ids = OpcodeIds::default();
    for (line, name, value) in simple_defines(text) {
        if name.starts_with("NB_") {
            continue;
        }
        let n: u32 = value.parse().map_err(|_| {
            format_err(
                path,
                line,
                format!("`{name}` has non-numeric value `{value}`"),
            )
        })?;
        if OPCODE_CONSTANTS.contains(&name.as_str()) {
            ids.constants.insert(name, n);
        } else {
            ids.opcodes.insert(name, n);
        }
    }
    if ids.opcodes.is_empty() {
        return Err(OracleError::MissingTable {
            path: path.to_string(),
            table: "opcode #defines".into(),
        });
    }
    Ok(ids)
}

/// Parses `pycore_uop_ids.h`. Uops that share an opcode's number are written
/// `#define _NOP NOP`; those are resolved through `opcodes`.
pub fn parse_uop_ids(
    path: &str,
    text: &str,
    opcodes: &BTreeMap<String, u32>,
) -> Result<BTreeMap<String, u32>, OracleError> {
    let mut out = BTreeMap::new();
    for (line, name, value) in simple_defines(text) {
        if name == "MAX_UOP_ID" {
            continue;
        }
        let n = match value.parse::<u32>() {
            Ok(n) => n,
            Err(_) => *opcodes.get(&value).ok_or_else(|| {
                format_err(
                    path,
                    line,
                    format!("`{name}` refers to unknown opcode `{value}`"),
                )
            })?,
        };
        out.insert(name, n);
    }
    Ok(out)
}

/// The lines of a top-level brace-delimited initialiser or function whose header line
/// contains `marker`: from the line after the header to the closing `};`/`}` at column 0.
fn block_after<'a>(
    path: &str,
    text: &'a str,
    marker: &str,
) -> Result<Vec<(usize, &'a str)>, OracleError> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.contains(marker) && l.trim_end().ends_with('{') && !l.starts_with("extern"))
        .ok_or_else(|| OracleError::MissingTable {
            path: path.to_string(),
            table: marker.to_string(),
        })?;
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate().skip(start + 1) {
        if line.starts_with('}') {
            return Ok(out);
        }
        out.push((i + 1, *line));
    }
    Err(format_err(
        path,
        start + 1,
        format!("`{marker}` is not closed"),
    ))
}

/// `case A: case B: return EXPR;` bodies of a `switch(opcode)` function, keyed by case name.
fn parse_switch_returns(
    path: &str,
    text: &str,
    function: &str,
) -> Result<BTreeMap<String, String>, OracleError> {
    let mut out = BTreeMap::new();
    let mut pending: Vec<String> = Vec::new();
    // 3.12: `_PyOpcode_num_popped(int opcode, int oparg, bool jump)`.
    for (line, l) in block_after(path, text, &format!("{function}(int opcode, int oparg"))? {
        let t = l.trim();
        if let Some(case) = t.strip_prefix("case ") {
            let name = case
                .strip_suffix(':')
                .ok_or_else(|| format_err(path, line, "expected `case NAME:`"))?;
            pending.push(name.trim().to_string());
        } else if t.starts_with("default:") {
            pending.clear();
        } else if let Some(ret) = t.strip_prefix("return ") {
            let expr = ret
                .strip_suffix(';')
                .ok_or_else(|| format_err(path, line, "expected `return EXPR;`"))?;
            for name in pending.drain(..) {
                out.insert(name, expr.trim().to_string());
            }
        }
    }
    Ok(out)
}

/// `[KEY] = VALUE,` entries of a designated-initialiser array.
fn parse_designated(
    path: &str,
    text: &str,
    marker: &str,
) -> Result<Vec<(usize, String, String)>, OracleError> {
    let mut out = Vec::new();
    for (line, l) in block_after(path, text, marker)? {
        let t = l.trim();
        if t.is_empty() || t.starts_with("//") || t.starts_with('#') {
            continue;
        }
        let Some(rest) = t.strip_prefix('[') else {
            return Err(format_err(
                path,
                line,
                format!("expected `[KEY] = ...` in `{marker}`"),
            ));
        };
        let (key, value) = rest
            .split_once("] = ")
            .ok_or_else(|| format_err(path, line, "expected `] = `"))?;
        let value = value.trim().trim_end_matches(',').trim();
        out.push((line, key.trim().to_string(), value.to_string()));
    }
    Ok(out)
}

fn split_flags(value: &str) -> Vec<String> {
    value
        .split('|')
        .map(str::trim)
        .filter(|f| !f.is_empty() && *f != "0")
        .map(str::to_string)
        .collect()
}

/// One pseudo instruction's entry in `_PyOpcode_PseudoTargets`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PseudoTargets {
    /// `None` before 3.14, where the struct had no `as_sequence` field.
    pub as_sequence: Option<bool>,
    pub targets: Vec<String>,
}

/// The tables of `pycore_opcode_metadata.h`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpcodeMetadata {
    /// `HAS_*_FLAG` names and bit values, in header order.
    pub flag_bits: Vec<(String, u32)>,
    pub num_popped: BTreeMap<String, String>,
    pub num_pushed: BTreeMap<String, String>,
    /// `_PyOpcode_opcode_metadata[...]` flags, by instruction or pseudo name.
    pub flags: BTreeMap<String, Vec<String>>,
    /// Whether the metadata entries have a flags column (3.12's first layout,
    /// `{ true, INSTR_FMT_IX }`, has none: every `flags` entry is then empty).
    pub has_flags: bool,
    /// `_PyOpcode_Caches`, by name.
    pub caches: BTreeMap<String, u32>,
    /// `_PyOpcode_Deopt`, by opcode number (names resolved through `opcode_ids.h`).
    pub deopt: BTreeMap<u32, u32>,
    pub pseudo_targets: BTreeMap<String, PseudoTargets>,
}

fn resolve(
    path: &str,
    line: usize,
    word: &str,
    opcodes: &BTreeMap<String, u32>,
) -> Result<u32, OracleError> {
    match word.parse::<u32>() {
        Ok(n) => Ok(n),
        Err(_) => opcodes
            .get(word)
            .copied()
            .ok_or_else(|| format_err(path, line, format!("unknown opcode `{word}`"))),
    }
}

/// `#define HAS_X_FLAG (N)` lines, in header order.
fn parse_flag_bits(path: &str, text: &str) -> Result<Vec<(String, u32)>, OracleError> {
    let mut out = Vec::new();
    for (line, name, value) in simple_defines(text) {
        if name.starts_with("HAS_") && name.ends_with("_FLAG") {
            let v = value.trim_start_matches('(').trim_end_matches(')');
            let bits = v
                .parse()
                .map_err(|_| format_err(path, line, format!("bad flag value `{value}`")))?;
            out.push((name, bits));
        }
    }
    Ok(out)
}

/// `_PyOpcode_opcode_metadata` entries: `{ valid, format, flags }`, or 3.12's first layout
/// `{ valid, format }` without flags.
fn parse_metadata_entries(
    path: &str,
    text: &str,
    md: &mut OpcodeMetadata,
) -> Result<(), OracleError> {
    for (line, key, value) in parse_designated(path, text, "_PyOpcode_opcode_metadata[")? {
        let inner = value
            .strip_prefix('{')
            .and_then(|v| v.strip_suffix('}'))
            .ok_or_else(|| format_err(path, line, "expected `{ valid, format[, flags] }`"))?;
        let fields: Vec<&str> = inner.splitn(3, ',').collect();
        match fields.as_slice() {
            [_, _, flags] => {
                md.has_flags = true;
                md.flags.insert(key, split_flags(flags));
            }
            [_, _] => {
                md.flags.insert(key, Vec::new());
            }
            _ => return Err(format_err(path, line, "expected two or three fields")),
        }
    }
    Ok(())
}

/// Parses `pycore_opcode_metadata.h`.
pub fn parse_opcode_metadata(
    path: &str,
    text: &str,
    opcodes: &BTreeMap<String, u32>,
) -> Result<OpcodeMetadata, OracleError> {
    let mut md = OpcodeMetadata {
        flag_bits: parse_flag_bits(path, text)?,
        num_popped: parse_switch_returns(path, text, "_PyOpcode_num_popped")?,
        num_pushed: parse_switch_returns(path, text, "_PyOpcode_num_pushed")?,
        ..OpcodeMetadata::default()
    };
    parse_metadata_entries(path, text, &mut md)?;
    parse_caches_and_deopt(path, text, opcodes, &BTreeMap::new(), &mut md)?;
    parse_pseudo_targets(path, text, &mut md)?;
    Ok(md)
}

/// `_PyOpcode_Caches` and `_PyOpcode_Deopt`: in `pycore_opcode_metadata.h` (3.13+) or 3.12's
/// `pycore_opcode.h`, whose cache counts are `INLINE_CACHE_ENTRIES_X` names, resolved through
/// `cache_sizes` (from `pycore_code.h`).
fn parse_caches_and_deopt(
    path: &str,
    text: &str,
    opcodes: &BTreeMap<String, u32>,
    cache_sizes: &BTreeMap<String, u32>,
    md: &mut OpcodeMetadata,
) -> Result<(), OracleError> {
    for (line, key, value) in parse_designated(path, text, "_PyOpcode_Caches[")? {
        let n = match value.parse() {
            Ok(n) => n,
            Err(_) => *cache_sizes
                .get(&value)
                .ok_or_else(|| format_err(path, line, format!("bad cache count `{value}`")))?,
        };
        md.caches.insert(key, n);
    }
    for (line, key, value) in parse_designated(path, text, "_PyOpcode_Deopt[")? {
        md.deopt.insert(
            resolve(path, line, &key, opcodes)?,
            resolve(path, line, &value, opcodes)?,
        );
    }
    Ok(())
}

fn parse_pseudo_targets(
    path: &str,
    text: &str,
    md: &mut OpcodeMetadata,
) -> Result<(), OracleError> {
    for (line, key, value) in parse_designated(path, text, "_PyOpcode_PseudoTargets[")? {
        let name = key
            .strip_suffix("-256")
            .ok_or_else(|| format_err(path, line, "expected `[NAME-256]`"))?;
        // `{ 0, { A, B, 0, 0 } }` (3.14+) or `{ { A, 0, 0 } }` (3.13).
        let inner = value
            .strip_prefix('{')
            .and_then(|v| v.strip_suffix('}'))
            .ok_or_else(|| format_err(path, line, "expected `{ ... }`"))?
            .trim();
        let (as_sequence, list) = match inner.split_once('{') {
            Some((head, list)) => {
                let head = head.trim().trim_end_matches(',').trim();
                let seq = match head {
                    "" => None,
                    "0" => Some(false),
                    "1" => Some(true),
                    other => {
                        return Err(format_err(path, line, format!("bad as_sequence `{other}`")))
                    }
                };
                (seq, list)
            }
            None => return Err(format_err(path, line, "expected a target list")),
        };
        let list = list.trim().trim_end_matches('}');
        let targets = list
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty() && *t != "0")
            .map(str::to_string)
            .collect();
        md.pseudo_targets.insert(
            name.to_string(),
            PseudoTargets {
                as_sequence,
                targets,
            },
        );
    }
    Ok(())
}

/// Parses 3.12's tables: `Python/opcode_metadata.h` (stack effects, metadata entries) and
/// `Include/internal/pycore_opcode.h` (`_PyOpcode_Caches`, `_PyOpcode_Deopt`). 3.12 has no
/// `_PyOpcode_PseudoTargets` (pseudos live in `Lib/opcode.py`).
pub fn parse_opcode_metadata_3_12(
    md_path: &str,
    md_text: &str,
    op_path: &str,
    op_text: &str,
    opcodes: &BTreeMap<String, u32>,
    cache_sizes: &BTreeMap<String, u32>,
) -> Result<OpcodeMetadata, OracleError> {
    let mut md = OpcodeMetadata {
        flag_bits: parse_flag_bits(md_path, md_text)?,
        num_popped: parse_switch_returns(md_path, md_text, "_PyOpcode_num_popped")?,
        num_pushed: parse_switch_returns(md_path, md_text, "_PyOpcode_num_pushed")?,
        ..OpcodeMetadata::default()
    };
    parse_metadata_entries(md_path, md_text, &mut md)?;
    parse_caches_and_deopt(op_path, op_text, opcodes, cache_sizes, &mut md)?;
    Ok(md)
}

/// Parses `_PyUop_Flags` of `pycore_uop_metadata.h`, by uop name.
pub fn parse_uop_flags(
    path: &str,
    text: &str,
) -> Result<BTreeMap<String, Vec<String>>, OracleError> {
    Ok(parse_designated(path, text, "_PyUop_Flags[")?
        .into_iter()
        .map(|(_, k, v)| (k, split_flags(&v)))
        .collect())
}

/// Everything parity needs from one CPython checkout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Oracle {
    pub root: PathBuf,
    pub opcode_ids: OpcodeIds,
    pub uop_ids: BTreeMap<String, u32>,
    pub metadata: OpcodeMetadata,
    pub uop_flags: BTreeMap<String, Vec<String>>,
    /// Where the opcode numbers came from. A 3.12 checkout without `Include/opcode.h`
    /// falls back to `Lib/opcode.py`, read by the same code the CLI uses, so those numbers
    /// are then not an independent expectation.
    pub opcode_source: OpcodeSource,
}

/// The file the oracle's opcode numbers were read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpcodeSource {
    /// `Include/opcode_ids.h` (3.13+).
    OpcodeIdsH,
    /// 3.12's generated `Include/opcode.h`.
    OpcodeH,
    /// 3.12's `Lib/opcode.py` (numbered by `analysis::opcode_py`).
    OpcodePy,
}

fn read(path: &Path) -> Result<String, OracleError> {
    std::fs::read_to_string(path).map_err(|source| OracleError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// `pseudo_op('NAME', N, ['T1', 'T2'])` lines of a 3.12 `Lib/opcode.py` (read here, not
/// with `analysis::opcode_py`, to stay an independent reader).
fn pseudo_ops_3_12(text: &str) -> BTreeMap<String, PseudoTargets> {
    let unquote = |s: &str| s.trim().trim_matches(|c| c == '\'' || c == '"').to_string();
    text.lines()
        .filter_map(|l| l.strip_prefix("pseudo_op("))
        .filter_map(|rest| {
            let name = unquote(rest.split(',').next()?);
            let list = &rest[rest.find('[')? + 1..rest.find(']')?];
            let targets = list
                .split(',')
                .map(unquote)
                .filter(|t| !t.is_empty())
                .collect();
            Some((
                name,
                PseudoTargets {
                    as_sequence: None,
                    targets,
                },
            ))
        })
        .collect()
}

impl Oracle {
    /// Loads the generated headers of a CPython checkout rooted at `root`: the 3.13+ layout
    /// (`Include/opcode_ids.h`, `Include/internal/pycore_{opcode,uop}_metadata.h`, ...) or,
    /// without `opcode_ids.h` but with `Python/opcode_metadata.h`, the 3.12 layout.
    pub fn load(root: &Path) -> Result<Oracle, OracleError> {
        if !root.join("Include/opcode_ids.h").exists()
            && root.join("Python/opcode_metadata.h").exists()
        {
            return Self::load_3_12(root);
        }
        let p_ids = root.join("Include/opcode_ids.h");
        let p_uops = root.join("Include/internal/pycore_uop_ids.h");
        let p_md = root.join("Include/internal/pycore_opcode_metadata.h");
        let p_umd = root.join("Include/internal/pycore_uop_metadata.h");
        let show = |p: &Path| p.display().to_string();
        let opcode_ids = parse_opcode_ids(&show(&p_ids), &read(&p_ids)?)?;
        let uop_ids = parse_uop_ids(&show(&p_uops), &read(&p_uops)?, &opcode_ids.opcodes)?;
        let metadata = parse_opcode_metadata(&show(&p_md), &read(&p_md)?, &opcode_ids.opcodes)?;
        let uop_flags = parse_uop_flags(&show(&p_umd), &read(&p_umd)?)?;
        Ok(Oracle {
            root: root.to_path_buf(),
            opcode_ids,
            uop_ids,
            metadata,
            uop_flags,
            opcode_source: OpcodeSource::OpcodeIdsH,
        })
    }

    /// 3.12: numbers from `Include/opcode.h` (else `Lib/opcode.py`), stack effects and
    /// metadata from `Python/opcode_metadata.h`, caches and deopt from
    /// `Include/internal/pycore_opcode.h` with cache sizes from `pycore_code.h`. 3.12 has
    /// no uop-id or uop-flag header: those tables are empty.
    fn load_3_12(root: &Path) -> Result<Oracle, OracleError> {
        let show = |p: &Path| p.display().to_string();
        let p_h = root.join("Include/opcode.h");
        let (opcode_ids, opcode_source) = if p_h.exists() {
            (
                parse_opcode_ids(&show(&p_h), &read(&p_h)?)?,
                OpcodeSource::OpcodeH,
            )
        } else {
            let p_py = root.join("Lib/opcode.py");
            let shown = show(&p_py);
            let table = crate::analysis::opcode_py::parse(&shown, &read(&p_py)?)
                .map_err(|e| format_err(&e.path, e.line, e.message))?;
            let opcodes = table.numbers().map_err(|m| format_err(&shown, 0, m))?;
            let mut constants = BTreeMap::new();
            for (k, v) in [
                ("HAVE_ARGUMENT", table.have_argument),
                ("MIN_INSTRUMENTED_OPCODE", table.min_instrumented),
            ] {
                if let Some(v) = v {
                    constants.insert(k.to_string(), v);
                }
            }
            (OpcodeIds { opcodes, constants }, OpcodeSource::OpcodePy)
        };
        let p_code = root.join("Include/internal/pycore_code.h");
        let layouts = crate::cache_layout::parse_cache_layouts(&show(&p_code), &read(&p_code)?)
            .map_err(|e| format_err(&e.path, e.line, e.message))?;
        let cache_sizes: BTreeMap<String, u32> = layouts
            .defines
            .values()
            .filter_map(|d| {
                layouts
                    .structs
                    .get(&d.struct_name)
                    .map(|s| (d.name.clone(), s.size))
            })
            .collect();
        let p_md = root.join("Python/opcode_metadata.h");
        let p_op = root.join("Include/internal/pycore_opcode.h");
        let mut metadata = parse_opcode_metadata_3_12(
            &show(&p_md),
            &read(&p_md)?,
            &show(&p_op),
            &read(&p_op)?,
            &opcode_ids.opcodes,
            &cache_sizes,
        )?;
        // 3.12's headers have no pseudo table: its pseudos and their targets are the
        // `pseudo_op` lines of Lib/opcode.py.
        let p_py = root.join("Lib/opcode.py");
        if metadata.pseudo_targets.is_empty() && p_py.exists() {
            metadata.pseudo_targets = pseudo_ops_3_12(&read(&p_py)?);
        }
        Ok(Oracle {
            root: root.to_path_buf(),
            opcode_ids,
            uop_ids: BTreeMap::new(),
            metadata,
            uop_flags: BTreeMap::new(),
            opcode_source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IDS: &str = "#ifndef Py_OPCODE_IDS_H\n#define Py_OPCODE_IDS_H\n#define CACHE 0\n#define NOP 27\n#define HAVE_ARGUMENT 43\n#define JUMP 257\n";

    #[test]
    fn opcode_and_uop_ids() {
        let ids = parse_opcode_ids("ids.h", IDS).unwrap();
        assert_eq!(ids.opcodes.get("NOP"), Some(&27));
        assert_eq!(ids.opcodes.get("JUMP"), Some(&257));
        assert_eq!(ids.constants.get("HAVE_ARGUMENT"), Some(&43));
        assert!(!ids.opcodes.contains_key("Py_OPCODE_IDS_H"));
        let uops = parse_uop_ids(
            "u.h",
            "#define _NOP NOP\n#define _X 300\n#define MAX_UOP_ID 300\n",
            &ids.opcodes,
        )
        .unwrap();
        assert_eq!(uops.get("_NOP"), Some(&27));
        assert_eq!(uops.get("_X"), Some(&300));
        assert!(!uops.contains_key("MAX_UOP_ID"));
        let err = parse_uop_ids("u.h", "#define _Y NOPE\n", &ids.opcodes).unwrap_err();
        assert_eq!(
            err.to_string(),
            "u.h:1: `_Y` refers to unknown opcode `NOPE`"
        );
    }

    #[test]
    fn metadata_tables() {
        let ids = parse_opcode_ids("ids.h", IDS).unwrap();
        let text = "#define HAS_ARG_FLAG (1)\n#define HAS_CONST_FLAG (2)\n\
int _PyOpcode_num_popped(int opcode, int oparg)  {\n    switch(opcode) {\n        case NOP:\n            return 2 + (oparg & 1);\n        default:\n            return -1;\n    }\n}\n\
const struct opcode_metadata _PyOpcode_opcode_metadata[267] = {\n    [NOP] = { true, INSTR_FMT_IX, HAS_ARG_FLAG | HAS_CONST_FLAG },\n    [CACHE] = { true, INSTR_FMT_IX, 0 },\n};\n\
int _PyOpcode_num_pushed(int opcode, int oparg)  {\n    switch(opcode) {\n        case NOP:\n            return 0;\n    }\n}\n\
const uint8_t _PyOpcode_Caches[256] = {\n    [NOP] = 3,\n};\n\
const uint8_t _PyOpcode_Deopt[256] = {\n    [121] = 121,\n    [NOP] = CACHE,\n};\n\
const struct pseudo_targets _PyOpcode_PseudoTargets[1] = {\n    [JUMP-256] = { 1, { NOP, CACHE, 0, 0 } },\n};\n";
        let md = parse_opcode_metadata("md.h", text, &ids.opcodes).unwrap();
        assert_eq!(
            md.flag_bits,
            vec![("HAS_ARG_FLAG".into(), 1), ("HAS_CONST_FLAG".into(), 2)]
        );
        assert_eq!(md.num_popped["NOP"], "2 + (oparg & 1)");
        assert_eq!(md.num_pushed["NOP"], "0");
        assert_eq!(md.flags["NOP"], vec!["HAS_ARG_FLAG", "HAS_CONST_FLAG"]);
        assert!(md.flags["CACHE"].is_empty());
        assert_eq!(md.caches["NOP"], 3);
        assert_eq!(md.deopt[&121], 121);
        assert_eq!(md.deopt[&27], 0);
        let pt = &md.pseudo_targets["JUMP"];
        assert_eq!(pt.as_sequence, Some(true));
        assert_eq!(pt.targets, vec!["NOP", "CACHE"]);
        // 3.13 shape.
        let old = text.replace("{ 1, { NOP, CACHE, 0, 0 } }", "{ { NOP, 0, 0 } }");
        let md = parse_opcode_metadata("md.h", &old, &ids.opcodes).unwrap();
        assert_eq!(md.pseudo_targets["JUMP"].as_sequence, None);
        assert_eq!(md.pseudo_targets["JUMP"].targets, vec!["NOP"]);
    }

    #[test]
    fn layout_3_12() {
        // 3.12's opcode.h numbers binary operators too; they are not opcodes.
        let ids = parse_opcode_ids(
            "opcode.h",
            "#define CACHE 0\n#define NOP 9\n#define HAVE_ARGUMENT 90\n#define MIN_PSEUDO_OPCODE 256\n\
             #define NB_ADD 0\n#define HAS_ARG(op) ((op) >= HAVE_ARGUMENT)\n",
        )
        .unwrap();
        assert_eq!(ids.opcodes.len(), 2);
        assert_eq!(ids.constants.get("MIN_PSEUDO_OPCODE"), Some(&256));
        let md_text = "int\n_PyOpcode_num_popped(int opcode, int oparg, bool jump) {\n    switch(opcode) {\n\
             case NOP:\n            return 1+1;\n        default:\n            return -1;\n    }\n}\n\
             int\n_PyOpcode_num_pushed(int opcode, int oparg, bool jump) {\n    switch(opcode) {\n\
             case NOP:\n            return 0+0;\n    }\n}\n\
             const struct opcode_metadata _PyOpcode_opcode_metadata[256] = {\n    [NOP] = { true, INSTR_FMT_IX },\n};\n";
        let op_text =
            "const uint8_t _PyOpcode_Caches[256] = {\n    [NOP] = INLINE_CACHE_ENTRIES_NOP,\n};\n\
             const uint8_t _PyOpcode_Deopt[256] = {\n    [NOP] = NOP,\n    [CACHE] = CACHE,\n};\n";
        let sizes: BTreeMap<String, u32> = [("INLINE_CACHE_ENTRIES_NOP".to_string(), 4)].into();
        let md = parse_opcode_metadata_3_12("md.h", md_text, "op.h", op_text, &ids.opcodes, &sizes)
            .unwrap();
        assert_eq!(md.num_popped["NOP"], "1+1");
        assert_eq!(md.num_pushed["NOP"], "0+0");
        assert!(!md.has_flags);
        assert!(md.flags["NOP"].is_empty());
        assert_eq!(md.caches["NOP"], 4);
        assert_eq!(md.deopt[&9], 9);
        assert!(md.pseudo_targets.is_empty());
        let bad = op_text.replace("INLINE_CACHE_ENTRIES_NOP", "INLINE_CACHE_ENTRIES_X");
        let e = parse_opcode_metadata_3_12("md.h", md_text, "op.h", &bad, &ids.opcodes, &sizes)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "op.h:2: bad cache count `INLINE_CACHE_ENTRIES_X`"
        );
    }

    #[test]
    fn pseudo_ops_of_3_12_opcode_py() {
        let py = "def pseudo_op(name, op, real_ops):\n    pass\n\
                  pseudo_op('SETUP_FINALLY', 256, ['NOP'])\n\
                  pseudo_op('JUMP', 260, ['JUMP_FORWARD', 'JUMP_BACKWARD'])\n";
        let t = pseudo_ops_3_12(py);
        assert_eq!(t.len(), 2);
        assert_eq!(t["SETUP_FINALLY"].targets, vec!["NOP"]);
        assert_eq!(t["JUMP"].targets, vec!["JUMP_FORWARD", "JUMP_BACKWARD"]);
        assert_eq!(t["JUMP"].as_sequence, None);
    }

    #[test]
    fn missing_table_is_an_error() {
        let err = parse_opcode_metadata("md.h", "nothing here", &BTreeMap::new()).unwrap_err();
        assert!(matches!(err, OracleError::MissingTable { .. }), "{err}");
    }
}
