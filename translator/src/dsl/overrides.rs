//! `override` definitions. CPython keeps its instructions and uops in dicts: a later
//! `override inst(X, ...)` / `override op(X, ...)` replaces the earlier `X` *in place*, so
//! macros built afterwards use the new body and numbering still follows the first
//! definition's position. Applying that here lets the analysis see each name once.

use std::collections::HashMap;

use super::ast::{Definition, File};

/// A copy of `file` where every `inst`/`op` annotated `override` that redefines an earlier
/// `inst`/`op` of the same name takes that earlier definition's place. Other duplicates are
/// left alone for the analysis to report.
pub fn apply_overrides(file: &File) -> File {
    let mut out: Vec<Definition> = Vec::with_capacity(file.definitions.len());
    let mut index: HashMap<&str, usize> = HashMap::new();
    for d in &file.definitions {
        if let Definition::Inst(i) = d {
            if i.has_annotation("override") {
                if let Some(&at) = index.get(i.name.name.as_str()) {
                    out[at] = d.clone();
                    continue;
                }
            }
            index.entry(i.name.name.as_str()).or_insert(out.len());
        }
        out.push(d.clone());
    }
    File { definitions: out }
}
