//! The metadata document of `translate metadata`: JSON (serde) and a readable text table.

use std::fmt::Write as _;

use serde::Serialize;

use super::{Analysis, Version};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Metadata {
    pub instructions: Vec<InstructionMeta>,
    pub pseudos: Vec<PseudoMeta>,
    pub uops: Vec<UopMeta>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstructionMeta {
    pub name: String,
    /// `null` for 3.12, whose numbers come from `Lib/opcode.py`.
    pub opcode: Option<u32>,
    pub popped: String,
    pub pushed: String,
    pub cache_entries: i32,
    pub flags: Vec<String>,
    pub deopt: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PseudoMeta {
    pub name: String,
    pub opcode: Option<u32>,
    /// `null` before 3.14: pseudos had no stack effect.
    pub popped: Option<String>,
    pub pushed: Option<String>,
    pub targets: Vec<String>,
    pub flags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UopMeta {
    pub name: String,
    pub id: Option<u32>,
    pub flags: Vec<String>,
}

/// Cache units after an instruction. 3.12 sizes a specialized instruction by its deopt
/// target (`_PyOpcode_Caches[_PyOpcode_Deopt[op]]`): `BINARY_OP_INPLACE_ADD_UNICODE` declares
/// no cache entry in 3.12's DSL but sits on `BINARY_OP`'s one and skips it by hand.
fn cache_entries(a: &Analysis, i: &super::Instruction) -> i32 {
    if a.version == Version::V3_12 {
        if let Some(head) = a.instruction(i.deopt()) {
            return head.cache_entries();
        }
    }
    i.cache_entries()
}

impl Metadata {
    /// Instructions and pseudos by name, uops by id (then name): stable across runs.
    pub fn from_analysis(a: &Analysis) -> Metadata {
        let mut instructions: Vec<InstructionMeta> = a
            .instructions
            .iter()
            .map(|i| InstructionMeta {
                name: i.name.clone(),
                opcode: i.opcode,
                popped: i.popped.clone(),
                pushed: i.pushed.clone(),
                cache_entries: cache_entries(a, i),
                flags: i
                    .properties
                    .flags_for(a.version)
                    .into_iter()
                    .map(str::to_string)
                    .collect(),
                deopt: i.deopt().to_string(),
            })
            .collect();
        instructions.sort_by(|x, y| x.name.cmp(&y.name));
        let mut pseudos: Vec<PseudoMeta> = a
            .pseudos
            .iter()
            .map(|p| PseudoMeta {
                name: p.name.clone(),
                opcode: p.opcode,
                popped: p.popped.clone(),
                pushed: p.pushed.clone(),
                targets: p.targets.clone(),
                flags: p.flag_names(a.version),
            })
            .collect();
        pseudos.sort_by(|x, y| x.name.cmp(&y.name));
        // 3.12 had no tier-2 uops (no ids, no `_PyUop_Flags`).
        let mut uops: Vec<UopMeta> = a
            .tier2_uops()
            .filter(|_| a.version >= Version::V3_13)
            .map(|u| UopMeta {
                name: u.name.clone(),
                id: a.uop_ids.get(&u.name).copied(),
                flags: u
                    .properties
                    .flags_for(a.version)
                    .into_iter()
                    .map(str::to_string)
                    .collect(),
            })
            .collect();
        uops.sort_by(|x, y| (x.id, &x.name).cmp(&(y.id, &y.name)));
        Metadata {
            instructions,
            pseudos,
            uops,
        }
    }

    /// Compact JSON, exactly the documented shape.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }

    /// A readable table: one line per instruction, pseudo and uop.
    pub fn to_text(&self) -> String {
        let opc = |o: Option<u32>| o.map_or_else(|| "-".to_string(), |n| n.to_string());
        let short = |f: &[String]| {
            if f.is_empty() {
                "-".to_string()
            } else {
                f.iter()
                    .map(|x| x.trim_start_matches("HAS_").trim_end_matches("_FLAG"))
                    .collect::<Vec<_>>()
                    .join(",")
            }
        };
        let w = self
            .instructions
            .iter()
            .map(|i| i.name.len())
            .chain(self.pseudos.iter().map(|p| p.name.len()))
            .chain(self.uops.iter().map(|u| u.name.len()))
            .max()
            .unwrap_or(4)
            .max(4);
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{:<w$} {:>6} {:>18} {:>18} {:>5}  {:<w$}  flags",
            "instruction", "opcode", "popped", "pushed", "cache", "deopt"
        );
        for i in &self.instructions {
            let _ = writeln!(
                s,
                "{:<w$} {:>6} {:>18} {:>18} {:>5}  {:<w$}  {}",
                i.name,
                opc(i.opcode),
                i.popped,
                i.pushed,
                i.cache_entries,
                i.deopt,
                short(&i.flags)
            );
        }
        let _ = writeln!(
            s,
            "\n{:<w$} {:>6} {:>18} {:>18}  targets  flags",
            "pseudo", "opcode", "popped", "pushed"
        );
        for p in &self.pseudos {
            let _ = writeln!(
                s,
                "{:<w$} {:>6} {:>18} {:>18}  {}  {}",
                p.name,
                opc(p.opcode),
                p.popped.as_deref().unwrap_or("-"),
                p.pushed.as_deref().unwrap_or("-"),
                p.targets.join(","),
                short(&p.flags)
            );
        }
        let _ = writeln!(s, "\n{:<w$} {:>6}  flags", "uop", "id");
        for u in &self.uops {
            let _ = writeln!(s, "{:<w$} {:>6}  {}", u.name, opc(u.id), short(&u.flags));
        }
        let _ = writeln!(
            s,
            "\n{} instructions, {} pseudos, {} uops",
            self.instructions.len(),
            self.pseudos.len(),
            self.uops.len()
        );
        s
    }
}
