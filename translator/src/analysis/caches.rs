//! The family/cache-struct agreement check.
//!
//! `family(X, INLINE_CACHE_ENTRIES_X)` ties a family to a C struct in `pycore_code.h`, which
//! the specializer writes. Every member must reserve exactly that many code units, and a DSL
//! cache entry that shares a name with a struct field must sit at the field's offset —
//! otherwise the specializer writes one cell and the VM reads another.

use crate::cache_layout::CacheLayouts;

use super::{Analysis, AnalysisError, AnalysisErrorKind};

/// One disagreement between the DSL and a cache struct, naming both places.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheMismatch {
    /// A family member's cache size differs from the family's declared size.
    Size {
        family: String,
        member: String,
        /// `bytecodes.c` line of the member.
        member_line: u32,
        member_col: u32,
        got: i32,
        expected: u32,
        /// The struct and its `pycore_code.h` line, when the size came from one.
        struct_name: Option<String>,
        struct_line: Option<usize>,
    },
    /// A DSL cache entry and a struct field have the same name but different offsets/sizes.
    Field {
        family: String,
        member: String,
        entry: String,
        /// `bytecodes.c` line/col of the cache entry.
        entry_line: u32,
        entry_col: u32,
        dsl_offset: i32,
        dsl_size: i32,
        struct_name: String,
        field_line: usize,
        struct_offset: u32,
        struct_size: u32,
    },
    /// `INLINE_CACHE_ENTRIES_X` is not defined in `pycore_code.h`.
    UnknownDefine {
        family: String,
        define: String,
        line: u32,
        col: u32,
    },
}

/// Outcome of the check; not running it is recorded, never silent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheCheck {
    /// No cache layouts were given.
    NotRun,
    /// Ran: every mismatch found (empty when the DSL and structs agree), and how many
    /// family members and named entries were compared.
    Ran {
        mismatches: Vec<CacheMismatch>,
        members_checked: usize,
        fields_checked: usize,
    },
}

impl CacheMismatch {
    /// The error form: located at the DSL side, naming the header side in the message.
    pub fn to_error(&self, dsl_path: &str, header_path: &str) -> AnalysisError {
        let (line, col, msg) = match self {
            CacheMismatch::Size {
                family,
                member,
                member_line,
                member_col,
                got,
                expected,
                struct_name,
                struct_line,
            } => (
                *member_line,
                *member_col,
                match (struct_name, struct_line) {
                    (Some(s), Some(l)) => format!(
                        "family '{family}' member '{member}' has {got} cache entries but \
                         {s} ({header_path}:{l}) has {expected}"
                    ),
                    _ => format!(
                        "family '{family}' member '{member}' has {got} cache entries, family \
                         declares {expected}"
                    ),
                },
            ),
            CacheMismatch::Field {
                family,
                member,
                entry,
                entry_line,
                entry_col,
                dsl_offset,
                dsl_size,
                struct_name,
                field_line,
                struct_offset,
                struct_size,
            } => (
                *entry_line,
                *entry_col,
                format!(
                    "cache entry '{entry}' of '{member}' (family '{family}') is at offset \
                     {dsl_offset} size {dsl_size}, but {struct_name}.{entry} \
                     ({header_path}:{field_line}) is at offset {struct_offset} size {struct_size}"
                ),
            ),
            CacheMismatch::UnknownDefine {
                family,
                define,
                line,
                col,
            } => (
                *line,
                *col,
                format!("family '{family}' names {define}, which {header_path} does not define"),
            ),
        };
        AnalysisError {
            path: dsl_path.to_string(),
            line,
            col,
            kind: AnalysisErrorKind::Cache(msg),
        }
    }
}

/// Runs the check over every family.
pub fn check(a: &Analysis, layouts: Option<&CacheLayouts>) -> CacheCheck {
    let Some(layouts) = layouts else {
        return CacheCheck::NotRun;
    };
    let mut mismatches = Vec::new();
    let mut members_checked = 0;
    let mut fields_checked = 0;
    for fam in &a.families {
        let size = fam.size.trim();
        let (expected, strukt) = if let Ok(n) = size.parse::<u32>() {
            (n, None)
        } else if size.is_empty() {
            continue_with_head(a, fam, &mut mismatches, &mut members_checked);
            continue;
        } else {
            match layouts.struct_for_define(size) {
                Some(s) => (s.size, Some(s)),
                None => {
                    mismatches.push(CacheMismatch::UnknownDefine {
                        family: fam.name.clone(),
                        define: size.to_string(),
                        line: fam.span.line,
                        col: fam.span.col,
                    });
                    continue;
                }
            }
        };
        // BINARY_OP_INPLACE_ADD_UNICODE is appended to BINARY_OP by the analysis, not written
        // in the family, and is deliberately the wrong size: CPython exempts it too.
        let members = std::iter::once(&fam.name).chain(
            fam.members
                .iter()
                .filter(|m| m.as_str() != "BINARY_OP_INPLACE_ADD_UNICODE"),
        );
        for m in members {
            let Some(inst) = a.instruction(m) else {
                continue;
            };
            members_checked += 1;
            if inst.cache_entries() != i32::try_from(expected).unwrap_or(i32::MAX) {
                mismatches.push(CacheMismatch::Size {
                    family: fam.name.clone(),
                    member: m.clone(),
                    member_line: inst.span.line,
                    member_col: inst.span.col,
                    got: inst.cache_entries(),
                    expected,
                    struct_name: strukt.map(|s| s.name.clone()),
                    struct_line: strukt.map(|s| s.line),
                });
            }
            let Some(s) = strukt else { continue };
            for slot in &inst.cache_slots {
                let Some(field) = s.field(&slot.name) else {
                    continue;
                };
                fields_checked += 1;
                if i64::from(slot.offset) != i64::from(field.offset)
                    || i64::from(slot.size) != i64::from(field.size)
                {
                    mismatches.push(CacheMismatch::Field {
                        family: fam.name.clone(),
                        member: m.clone(),
                        entry: slot.name.clone(),
                        entry_line: slot.span.line,
                        entry_col: slot.span.col,
                        dsl_offset: slot.offset,
                        dsl_size: slot.size,
                        struct_name: s.name.clone(),
                        field_line: field.line,
                        struct_offset: field.offset,
                        struct_size: field.size,
                    });
                }
            }
        }
    }
    CacheCheck::Ran {
        mismatches,
        members_checked,
        fields_checked,
    }
}

/// A family without a declared size: members must match the head.
fn continue_with_head(
    a: &Analysis,
    fam: &super::Family,
    out: &mut Vec<CacheMismatch>,
    checked: &mut usize,
) {
    let Some(head) = a.instruction(&fam.name) else {
        return;
    };
    let expected = u32::try_from(head.cache_entries()).unwrap_or(0);
    for m in &fam.members {
        let Some(inst) = a.instruction(m) else {
            continue;
        };
        *checked += 1;
        if inst.cache_entries() != head.cache_entries() {
            out.push(CacheMismatch::Size {
                family: fam.name.clone(),
                member: m.clone(),
                member_line: inst.span.line,
                member_col: inst.span.col,
                got: inst.cache_entries(),
                expected,
                struct_name: None,
                struct_line: None,
            });
        }
    }
}

impl Analysis {
    /// The mismatches found by the cache check (empty if it did not run).
    pub fn cache_mismatches(&self) -> &[CacheMismatch] {
        match &self.cache_check {
            CacheCheck::NotRun => &[],
            CacheCheck::Ran { mismatches, .. } => mismatches,
        }
    }
}
