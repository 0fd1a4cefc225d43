//! Prints the registry (run with `--nocapture`); used to regenerate bindings.toml entries.
#[test]
#[ignore]
fn dump_registry() {
    for e in runtime::registry::entries() {
        let params: Vec<String> = e
            .c_params
            .iter()
            .map(|p| format!("{}:{:?}", p.spelling, p.class))
            .collect();
        println!(
            "ENTRY\t{}\t{}\t{}\t{}\t{}\t{}",
            e.name,
            e.sig,
            e.rust,
            e.rust_params.join(","),
            e.rust_ret,
            params.join("|")
        );
    }
    assert!(
        runtime::registry::registry().errors.is_empty(),
        "{:?}",
        runtime::registry::registry().errors
    );
}
