//! The analysis rendered as the tables of CPython's generated headers (`_PyOpcode_Caches`,
//! `_PyOpcode_Deopt`, `_PyUop_Flags`, ...), with the same selection rules as
//! `opcode_metadata_generator.py` and `uop_metadata_generator.py`. Parity tests compare these
//! against the real headers entry by entry.

use std::collections::BTreeMap;

use super::Analysis;

/// `_PyOpcode_Caches`: cache size of every unspecialized, uninstrumented instruction that
/// has a cache.
pub fn caches(a: &Analysis) -> BTreeMap<String, u32> {
    a.instructions
        .iter()
        .filter(|i| i.family.as_deref().is_none_or(|f| f == i.name))
        .filter(|i| !i.name.starts_with("INSTRUMENTED"))
        .filter(|i| i.size > 1)
        .map(|i| (i.name.clone(), u32::try_from(i.size - 1).unwrap_or(0)))
        .collect()
}

/// `_PyOpcode_Deopt` as opcode → opcode, over all 256 opcodes: opcodes without an
/// instruction (reserved or unused) map to themselves.
pub fn deopt(a: &Analysis) -> BTreeMap<u32, u32> {
    let mut out = BTreeMap::new();
    let defined: std::collections::BTreeSet<u32> =
        a.instructions.iter().filter_map(|i| i.opcode).collect();
    for i in 0..256 {
        if !defined.contains(&i) {
            out.insert(i, i);
        }
    }
    for inst in &a.instructions {
        let (Some(op), Some(d)) = (inst.opcode, a.opmap.get(inst.deopt())) else {
            continue;
        };
        out.insert(op, *d);
    }
    out
}

/// Flags of `_PyOpcode_opcode_metadata`: instructions and pseudos.
pub fn opcode_flags(a: &Analysis) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = a
        .instructions
        .iter()
        .map(|i| {
            (
                i.name.clone(),
                i.properties
                    .flags_for(a.version)
                    .into_iter()
                    .map(str::to_string)
                    .collect(),
            )
        })
        .collect();
    for p in &a.pseudos {
        out.insert(p.name.clone(), p.flag_names(a.version));
    }
    out
}

/// `_PyUop_Flags`: viable uops that are not tier-1-only.
pub fn uop_flags(a: &Analysis) -> BTreeMap<String, Vec<String>> {
    a.uops
        .iter()
        .filter(|u| u.why_not_viable(a.version).is_none() && u.properties.tier != Some(1))
        .map(|u| {
            (
                u.name.clone(),
                u.properties
                    .flags_for(a.version)
                    .into_iter()
                    .map(str::to_string)
                    .collect(),
            )
        })
        .collect()
}

/// `_PyOpcode_num_popped` / `_num_pushed` bodies, by name.
pub fn stack_effects(a: &Analysis) -> BTreeMap<String, (String, String)> {
    let mut out: BTreeMap<String, (String, String)> = a
        .instructions
        .iter()
        .map(|i| (i.name.clone(), (i.popped.clone(), i.pushed.clone())))
        .collect();
    for p in &a.pseudos {
        if let (Some(x), Some(y)) = (&p.popped, &p.pushed) {
            out.insert(p.name.clone(), (x.clone(), y.clone()));
        }
    }
    out
}

/// `_PyOpcode_PseudoTargets`: (as_sequence, targets).
pub fn pseudo_targets(a: &Analysis) -> BTreeMap<String, (bool, Vec<String>)> {
    a.pseudos
        .iter()
        .map(|p| (p.name.clone(), (p.as_sequence, p.targets.clone())))
        .collect()
}
