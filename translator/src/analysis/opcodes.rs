//! Opcode and uop-id assignment (3.13+), after `analyzer.assign_opcodes` and
//! `uop_id_generator.py`. Numbers are part of the bytecode format, so the order rules (sorted
//! names, reserved slots, instrumented opcodes at the top) are reproduced exactly.

use std::collections::{BTreeMap, BTreeSet};

use super::{Analysis, Version};

pub(super) fn assign(a: &mut Analysis) -> Result<(), String> {
    let mut instmap: BTreeMap<String, u32> = BTreeMap::new();
    let mut used: BTreeSet<u32> = BTreeSet::new();
    let resume = if a.version >= Version::V3_14 {
        128
    } else {
        149
    };
    for (name, n) in [
        ("CACHE", 0),
        ("RESERVED", 17),
        ("RESUME", resume),
        ("BINARY_OP_INPLACE_ADD_UNICODE", 3),
        ("INSTRUMENTED_LINE", 254),
        // 3.14 moved ENTER_EXECUTOR to the top; 3.13 numbers it like any instruction.
        ("ENTER_EXECUTOR", 255),
    ] {
        if name == "ENTER_EXECUTOR" && a.version < Version::V3_14 {
            continue;
        }
        instmap.insert(name.to_string(), n);
        used.insert(n);
    }
    let instrumented: Vec<String> = a
        .instructions
        .iter()
        .filter(|i| i.name.starts_with("INSTRUMENTED"))
        .map(|i| i.name.clone())
        .collect();
    let specialized: BTreeSet<String> = a
        .families
        .iter()
        .flat_map(|f| f.members.iter().cloned())
        .collect();
    let mut no_arg = Vec::new();
    let mut has_arg = Vec::new();
    for i in &a.instructions {
        if specialized.contains(&i.name) || instrumented.contains(&i.name) {
            continue;
        }
        if i.properties.oparg {
            has_arg.push(i.name.clone());
        } else {
            no_arg.push(i.name.clone());
        }
    }
    let min_internal = resume + 1;
    // INSTRUMENTED_LINE always takes 254 (3.13 adds it even though bytecodes.c lacks it).
    let n_instr = u32::try_from(
        instrumented
            .iter()
            .filter(|n| n.as_str() != "INSTRUMENTED_LINE")
            .count()
            + 1,
    )
    .map_err(|_| "too many instructions")?;
    let min_instrumented = 255u32
        .checked_sub(n_instr)
        .ok_or("too many instrumented instructions")?;
    let n_spec = u32::try_from(specialized.len()).map_err(|_| "too many instructions")?;
    if min_internal + n_spec >= min_instrumented {
        return Err(format!(
            "opcode space exhausted: {n_spec} specialized instructions from {min_internal} \
             collide with instrumented ones from {min_instrumented}"
        ));
    }
    let mut next = 1u32;
    let mut add = |name: &str, next: &mut u32| -> Result<(), String> {
        if instmap.contains_key(name) {
            return Ok(());
        }
        while used.contains(next) {
            *next += 1;
        }
        if *next > 255 {
            return Err(format!("no opcode left for '{name}'"));
        }
        instmap.insert(name.to_string(), *next);
        used.insert(*next);
        *next += 1;
        Ok(())
    };
    no_arg.sort();
    has_arg.sort();
    for n in &no_arg {
        add(n, &mut next)?;
    }
    for n in &has_arg {
        add(n, &mut next)?;
    }
    next = min_internal;
    for n in &specialized {
        add(n, &mut next)?;
    }
    next = min_instrumented;
    for n in &instrumented {
        add(n, &mut next)?;
    }
    for i in a.instructions.iter_mut() {
        i.opcode = instmap.get(&i.name).copied();
    }
    let mut names: Vec<usize> = (0..a.pseudos.len()).collect();
    names.sort_by(|&x, &y| a.pseudos[x].name.cmp(&a.pseudos[y].name));
    for (k, idx) in names.into_iter().enumerate() {
        let op = 256 + u32::try_from(k).map_err(|_| "too many pseudos")?;
        a.pseudos[idx].opcode = Some(op);
        instmap.insert(a.pseudos[idx].name.clone(), op);
    }
    a.opmap = instmap;
    a.have_arg = Some(u32::try_from(no_arg.len()).map_err(|_| "too many instructions")?);
    a.min_instrumented = Some(min_instrumented);
    assign_uop_ids(a);
    Ok(())
}

/// `_EXIT_TRACE` and `_SET_IP` come first; then every non-tier-1 uop in name order. An inst's
/// own uop shares the instruction's opcode unless it is replicated.
fn assign_uop_ids(a: &mut Analysis) {
    let mut ids = BTreeMap::new();
    let mut next = 300u32;
    for pre in ["_EXIT_TRACE", "_SET_IP"] {
        ids.insert(pre.to_string(), next);
        next += 1;
    }
    let mut uops: Vec<&super::Uop> = a.uops.iter().collect();
    uops.sort_by(|x, y| x.name.cmp(&y.name));
    for u in uops {
        if ids.contains_key(&u.name) || u.properties.tier == Some(1) {
            continue;
        }
        if u.implicitly_created && u.replicated.is_empty() {
            if let Some(op) = a.opmap.get(&u.name[1..]) {
                ids.insert(u.name.clone(), *op);
                continue;
            }
        }
        ids.insert(u.name.clone(), next);
        next += 1;
    }
    a.uop_ids = ids;
}
