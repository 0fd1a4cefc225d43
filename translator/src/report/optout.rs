//! The opt-out file: `OPCODE = "reason"` lines (TOML) naming instructions whose Rust body a user
//! keeps manual even when cases2rs could translate it.

use std::collections::BTreeMap;

use toml::Spanned;

use crate::cbody::LineIndex;

/// `<repo>/harness/manual.toml`: the instructions the harness has a hand-written body for (the
/// harness's tests keep it equal to its list of manual bodies). The report's default `--manual`.
pub fn default_manual_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("harness")
        .join("manual.toml")
}

/// One opt-out: the instruction, why, and where the file says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptOut {
    pub opcode: String,
    pub reason: String,
    /// 1-based line in the opt-out file.
    pub line: u32,
}

/// All opt-outs of one file, keyed by opcode.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OptOuts {
    pub path: String,
    entries: BTreeMap<String, OptOut>,
}

/// A problem in the opt-out file, at `path:line:col`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}:{line}:{col}: {message}")]
pub struct OptOutError {
    pub path: String,
    pub line: u32,
    pub col: u32,
    pub message: String,
}

impl OptOuts {
    /// Parses the file text. Every value must be a non-empty string (the reason is shown to
    /// users, so an empty one is refused). Opcode names are checked later against the input
    /// ([`OptOuts::check_names`]), since the file may be shared between CPython versions only
    /// when the names exist in each.
    pub fn parse(path: &str, text: &str) -> Result<OptOuts, OptOutError> {
        let lines = LineIndex::new(text);
        let at = |offset: usize, message: String| {
            let lc = lines.line_col(offset);
            OptOutError {
                path: path.to_string(),
                line: lc.line,
                col: lc.col,
                message,
            }
        };
        let map: BTreeMap<Spanned<String>, Spanned<toml::Value>> =
            toml::from_str(text).map_err(|e| {
                let off = e.span().map_or(0, |s| s.start);
                at(off, format!("invalid opt-out file: {}", e.message().trim()))
            })?;
        let mut entries = BTreeMap::new();
        for (k, v) in map {
            let reason = match v.get_ref() {
                toml::Value::String(s) if !s.trim().is_empty() => s.trim().to_string(),
                toml::Value::String(_) => {
                    return Err(at(
                        v.span().start,
                        format!("empty reason for `{}`", k.get_ref()),
                    ))
                }
                other => {
                    return Err(at(
                        v.span().start,
                        format!(
                            "the reason for `{}` must be a string, found {}",
                            k.get_ref(),
                            other.type_str()
                        ),
                    ))
                }
            };
            let line = lines.line_col(k.span().start).line;
            let opcode = k.into_inner();
            entries.insert(
                opcode.clone(),
                OptOut {
                    opcode,
                    reason,
                    line,
                },
            );
        }
        Ok(OptOuts {
            path: path.to_string(),
            entries,
        })
    }

    /// Reads and parses a file.
    pub fn load(path: &std::path::Path) -> Result<OptOuts, OptOutError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| OptOutError {
            path: shown.clone(),
            line: 0,
            col: 0,
            message: format!("cannot read opt-out file: {e}"),
        })?;
        OptOuts::parse(&shown, &text)
    }

    /// Every opcode must name an instruction of the input; all unknown names are reported.
    pub fn check_names(
        &self,
        is_instruction: &dyn Fn(&str) -> bool,
    ) -> Result<(), Vec<OptOutError>> {
        let mut errors: Vec<OptOutError> = self
            .entries
            .values()
            .filter(|o| !is_instruction(&o.opcode))
            .map(|o| OptOutError {
                path: self.path.clone(),
                line: o.line,
                col: 1,
                message: format!("`{}` is not an instruction of this input", o.opcode),
            })
            .collect();
        errors.sort_by_key(|e| e.line);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    pub fn get(&self, opcode: &str) -> Option<&OptOut> {
        self.entries.get(opcode)
    }

    pub fn iter(&self) -> impl Iterator<Item = &OptOut> {
        self.entries.values()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_opcodes_reasons_and_lines() {
        let o = OptOuts::parse(
            "o.toml",
            "# kept manual\nBINARY_OP = \"hand-tuned\"\n\n\"LOAD_ATTR\" = ' faster by hand '\n",
        )
        .unwrap();
        assert_eq!(o.len(), 2);
        assert_eq!(
            o.get("BINARY_OP"),
            Some(&OptOut {
                opcode: "BINARY_OP".into(),
                reason: "hand-tuned".into(),
                line: 2
            })
        );
        assert_eq!(o.get("LOAD_ATTR").unwrap().reason, "faster by hand");
        assert_eq!(o.get("LOAD_ATTR").unwrap().line, 4);
        assert!(OptOuts::parse("e.toml", "").unwrap().is_empty());
    }

    #[test]
    fn bad_values_and_syntax_are_located() {
        let e = OptOuts::parse("o.toml", "A = \"ok\"\nB = 3\n").unwrap_err();
        assert_eq!((e.line, e.col), (2, 5));
        assert!(e.message.contains("must be a string"), "{e}");
        let e = OptOuts::parse("o.toml", "A = \"\"\n").unwrap_err();
        assert!(e.message.contains("empty reason"));
        let e = OptOuts::parse("o.toml", "A = \"x\"\nB =\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.to_string().starts_with("o.toml:2:"), "{e}");
        let e = OptOuts::parse("o.toml", "[A]\nx = \"y\"\n").unwrap_err();
        assert!(e.message.contains("must be a string"), "{e}");
    }

    #[test]
    fn unknown_opcodes_are_all_reported() {
        let o = OptOuts::parse("o.toml", "NOP = \"a\"\nNOPE = \"b\"\nZAP = \"c\"\n").unwrap();
        let errs = o.check_names(&|n| n == "NOP").unwrap_err();
        let lines: Vec<u32> = errs.iter().map(|e| e.line).collect();
        assert_eq!(lines, [2, 3]);
        assert!(errs[0].message.contains("NOPE"));
        assert!(o.check_names(&|_| true).is_ok());
    }
}
