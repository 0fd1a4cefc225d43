//! SUBSET.md and the code name the same rules and DSL macros, with the same words.

use subset::dsl::DSL_MACROS;
use subset::Rule;

fn doc() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../SUBSET.md");
    std::fs::read_to_string(path).expect("SUBSET.md at the repository root")
}

/// `(id, section text)` for every `#### \`id\`` heading.
fn rule_sections(doc: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut parts = doc.split("\n#### `").skip(1);
    for part in parts.by_ref() {
        let (id, rest) = part.split_once('`').expect("closing backtick");
        let section = rest.split("\n#").next().unwrap_or("");
        out.push((id.to_string(), section.to_string()));
    }
    out
}

#[test]
fn rule_ids_match_the_code() {
    let doc = doc();
    let mut documented: Vec<String> = rule_sections(&doc).into_iter().map(|s| s.0).collect();
    let mut code: Vec<String> = Rule::ALL.iter().map(|r| r.id().to_string()).collect();
    documented.sort();
    code.sort();
    assert_eq!(
        documented, code,
        "SUBSET.md rule headings differ from subset::Rule"
    );
}

#[test]
fn rule_sections_carry_the_codes_reason_and_example() {
    let doc = doc();
    for (id, section) in rule_sections(&doc) {
        let rule = Rule::from_id(&id).unwrap_or_else(|| panic!("unknown rule {id}"));
        assert!(
            section.contains(rule.reason()),
            "{id}: reason differs from the code"
        );
        assert!(
            section.contains(rule.example()),
            "{id}: example differs from the code"
        );
    }
}

#[test]
fn dsl_macro_table_lists_every_macro() {
    let doc = doc();
    for m in DSL_MACROS {
        let row = format!("| `{}` |", m.name);
        let line = doc
            .lines()
            .find(|l| l.starts_with(&row))
            .unwrap_or_else(|| panic!("SUBSET.md has no row for {}", m.name));
        assert!(
            line.contains(m.meaning),
            "{}: meaning differs from the code",
            m.name
        );
    }
    let rows = doc
        .lines()
        .filter(|l| l.starts_with("| `") && l.contains("| 3."))
        .count();
    assert_eq!(rows, DSL_MACROS.len(), "extra DSL rows in SUBSET.md");
}
