//! Runs the translator (`translator::Builder`) on the configured input and writes the generated
//! module into `OUT_DIR`: `cases.rs` (the real translation) and, for the mutation test, one
//! module per deliberate fault. Generated code is never committed.
//!
//! Input: env `CASES2RS_CPYTHON`, else `<repo>/../shared/cpython/3.14.7`, else the embedded
//! demo. A translation that fails does not fail the build: the module then only records the
//! error (`BUILD_ERROR`), and the harness reports the generated side as unavailable.

use std::path::{Path, PathBuf};

/// Deliberate faults for the mutation test: (module file, mutation).
fn mutations() -> Vec<(&'static str, translator::Mutation)> {
    use translator::Mutation as M;
    vec![
        (
            "cases_flip_operator.rs",
            M::FlipOperator {
                body: "_BINARY_OP_ADD_INT".into(),
                nth: 0,
            },
        ),
        (
            "cases_drop_close.rs",
            M::DropClose {
                body: "POP_TOP".into(),
            },
        ),
        (
            "cases_shift_cache.rs",
            M::ShiftCache {
                body: "_GUARD_TYPE_VERSION".into(),
            },
        ),
    ]
}

fn write(out: &Path, file: &str, b: translator::Builder) {
    let path = out.join(file);
    let text = match b.generate() {
        Ok(g) => format!(
            "/// `None`: the translation succeeded.\npub const BUILD_ERROR: Option<&str> = None;\n{}",
            g.module()
        ),
        Err(e) => format!(
            "/// Why the translation failed.\npub const BUILD_ERROR: Option<&str> = Some({:?});\n\
             /// No generated code.\npub fn execute(_vm: &mut runtime::Vm, _name: &str, _oparg: u32) -> Option<runtime::Outcome> {{ None }}\n\
             /// A generated instruction.\npub struct Generated {{ pub name: &'static str }}\n\
             /// No generated code.\npub const GENERATED_INSTRUCTIONS: &[Generated] = &[];\n",
            e.to_string()
        ),
    };
    if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
        std::fs::write(&path, text).expect("OUT_DIR is writable");
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it"));
    println!("cargo:rerun-if-env-changed=CASES2RS_CPYTHON");
    println!("cargo:rerun-if-changed=build.rs");
    let bindings = manifest.join("../runtime/bindings.toml");
    println!("cargo:rerun-if-changed={}", bindings.display());
    let input: Option<PathBuf> = match std::env::var_os("CASES2RS_CPYTHON") {
        Some(v) if !v.is_empty() => Some(PathBuf::from(v)),
        _ => {
            let d = manifest.join("../../shared/cpython/3.14.7");
            d.is_dir().then_some(d)
        }
    };
    if let Some(i) = &input {
        println!(
            "cargo:rerun-if-changed={}",
            i.join("Python/bytecodes.c").display()
        );
    }
    let base = || {
        let b = translator::Builder::new().bindings(&bindings).threads(1);
        match &input {
            Some(i) => b.input(i),
            None => b,
        }
    };
    write(&out, "cases.rs", base());
    for (file, m) in mutations() {
        write(&out, file, base().mutation(m));
    }
}
