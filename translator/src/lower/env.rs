//! The subset checker's environment of a body, built from the same signature the lowering
//! uses, so that the checker's types and the generated parameters cannot disagree.

use subset::{BodyEnv, StackItem, StackRole};

use super::sig::BodySig;
use crate::analysis::Analysis;
use crate::dsl::File;

/// What every body of the file sees: the version's DSL macros, `int oparg`, the labels, the
/// opcode names as constants.
pub fn base_env(file: &File, minor: u32, a: &Analysis) -> BodyEnv {
    let mut env = BodyEnv::new(minor);
    env.labels = crate::report::env::labels(file, minor);
    env.constants = a
        .opmap
        .iter()
        .map(|(k, v)| (k.clone(), i64::from(*v)))
        .collect();
    env
}

/// The environment of one body with its signature.
pub fn body_env(base: &BodyEnv, sig: &BodySig, _minor: u32) -> BodyEnv {
    let mut env = base.clone();
    for (items, role) in [
        (&sig.inputs, StackRole::Input),
        (&sig.outputs, StackRole::Output),
    ] {
        for it in items.iter().filter(|i| !i.unused) {
            env.stack.push(StackItem {
                name: it.name.clone(),
                role,
                ty: it.ty.clone(),
                array: it.array.is_some(),
            });
        }
    }
    for c in &sig.caches {
        env = env.with_cache(&c.name, c.size);
    }
    env
}
