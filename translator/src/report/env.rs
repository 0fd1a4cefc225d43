//! The environment the subset checker needs for one body, built from the DSL definition: stack
//! items with the C types CPython's generator declares them with, named cache entries, the labels
//! a body may jump to, and the opcode constants.

use subset::{BodyEnv, CType, StackItem, StackRole};

use crate::dsl::{Definition, File, InputEffect, InstDef};

/// The labels of CPython's eval loop before 3.14 put them into `bytecodes.c` as `label(...)`
/// blocks (`Python/ceval.c`); bodies of 3.12/3.13 name them in `ERROR_IF`/`goto`.
const CEVAL_LABELS_BEFORE_3_14: &[&str] = &[
    "error",
    "pop_1_error",
    "pop_2_error",
    "pop_3_error",
    "pop_4_error",
    "exception_unwind",
    "exit_unwind",
    "resume_frame",
    "resume_with_error",
    "start_frame",
];

/// The C type of a stack item as the generator declares it: the written type (`PyObject *`,
/// `_PyInterpreterFrame *`), else the version's default ([`StackItem::default_type`]:
/// `_PyStackRef` since 3.14, `PyObject *` before; one more `*` for arrays).
pub fn stack_item_type(written: Option<&str>, array: bool, minor: u32) -> CType {
    match written {
        Some(t) => parse_type_text(t),
        None => StackItem::default_type(array, minor),
    }
}

/// `NAME`, `NAME *`, `NAME **`: the normalised form the DSL front-end gives written types.
fn parse_type_text(t: &str) -> CType {
    let stars = t.matches('*').count();
    let name = t
        .trim_end_matches(|c: char| c == '*' || c.is_whitespace())
        .trim();
    let name = name.strip_prefix("const ").unwrap_or(name).trim();
    let mut ty = CType::builtin(name).unwrap_or_else(|| CType::named(name));
    for _ in 0..stars {
        ty = ty.ptr();
    }
    ty
}

/// Label names of the file (3.14+) or the eval loop's fixed ones (before 3.14).
pub fn labels(file: &File, minor: u32) -> Vec<String> {
    let mut out: Vec<String> = file
        .definitions
        .iter()
        .filter_map(|d| match d {
            Definition::Label(l) => Some(l.name.name.clone()),
            _ => None,
        })
        .collect();
    if minor < 14 {
        out.extend(CEVAL_LABELS_BEFORE_3_14.iter().map(|s| s.to_string()));
    }
    out
}

/// The environment of an `inst`/`op` body. Labels' bodies have no stack effect: use
/// [`base_env`] for them.
pub fn inst_env(def: &InstDef, base: &BodyEnv, minor: u32) -> BodyEnv {
    let mut env = base.clone();
    for input in &def.inputs {
        match input {
            InputEffect::Stack(s) if !s.is_unused() => {
                env.stack.push(item(s, StackRole::Input, minor))
            }
            InputEffect::Cache(c) if c.name.name != "unused" => {
                env = env.with_cache(&c.name.name, c.size.max(0) as u32)
            }
            _ => {}
        }
    }
    for s in def.outputs.iter().filter(|s| !s.is_unused()) {
        env.stack.push(item(s, StackRole::Output, minor));
    }
    env
}

fn item(s: &crate::dsl::StackItem, role: StackRole, minor: u32) -> StackItem {
    StackItem {
        name: s.name.name.clone(),
        role,
        ty: stack_item_type(s.type_.as_deref(), s.is_array(), minor),
        array: s.is_array(),
    }
}

/// What every body of the file sees: DSL macros of the version, `int oparg`, labels, constants.
pub fn base_env(file: &File, minor: u32, constants: &[(String, i64)]) -> BodyEnv {
    let mut env = BodyEnv::new(minor);
    env.labels = labels(file, minor);
    env.constants = constants.to_vec();
    env
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsl::{self, SourceFile};

    #[test]
    fn stack_types_follow_the_generator_per_version() {
        assert_eq!(stack_item_type(None, false, 14).to_string(), "_PyStackRef");
        assert_eq!(stack_item_type(None, true, 14).to_string(), "_PyStackRef *");
        assert_eq!(stack_item_type(None, false, 13).to_string(), "PyObject *");
        assert_eq!(stack_item_type(None, true, 12).to_string(), "PyObject **");
        assert_eq!(
            stack_item_type(Some("_PyInterpreterFrame *"), false, 14).to_string(),
            "_PyInterpreterFrame *"
        );
    }

    #[test]
    fn env_of_a_snippet_definition() {
        let src = SourceFile::new(
            "s.c",
            "op(_X, (counter/1, unused/1, left, unused, args[oparg] -- res, f: _PyInterpreterFrame *)) { }\nlabel(error) { }\n",
        );
        let file = dsl::parse(&src).unwrap();
        let Definition::Inst(def) = &file.definitions[0] else {
            panic!()
        };
        let base = base_env(&file, 14, &[("NOP".into(), 27)]);
        let env = inst_env(def, &base, 14);
        let names: Vec<(&str, String, bool)> = env
            .stack
            .iter()
            .map(|s| (s.name.as_str(), s.ty.to_string(), s.array))
            .collect();
        assert_eq!(
            names,
            [
                ("left", "_PyStackRef".to_string(), false),
                ("args", "_PyStackRef *".to_string(), true),
                ("res", "_PyStackRef".to_string(), false),
                ("f", "_PyInterpreterFrame *".to_string(), false),
            ]
        );
        assert_eq!(env.stack[2].role, StackRole::Output);
        assert_eq!(env.caches.len(), 1);
        assert_eq!(
            (env.caches[0].name.as_str(), env.caches[0].size),
            ("counter", 1)
        );
        assert!(env.has_label("error") && !env.has_label("pop_1_error"));
        assert_eq!(env.constant("NOP"), Some(27));
        let old = base_env(&file, 13, &[]);
        assert!(old.has_label("pop_1_error"));
    }
}
