//! The analysis never panics: real `bytecodes.c` files, mutated deterministically (lines
//! dropped or duplicated, cache sizes changed, names broken, text truncated), either analyze
//! or fail with a typed error that has a position.

use std::path::PathBuf;

use translator::analysis::{self, Version};
use translator::cache_layout::parse_cache_layouts;
use translator::dsl::{self, SourceFile};

fn cpython_dir(ver: &str) -> Option<PathBuf> {
    translator::input::test_checkout_or_skip(ver)
}

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let i = rng.below(lines.len());
    match rng.below(5) {
        0 => {
            lines.remove(i);
        }
        1 => {
            let l = lines[i].clone();
            lines.insert(i, l);
        }
        2 => {
            // Change the first cache size on a line that has one.
            if let Some((k, l)) = lines
                .iter()
                .enumerate()
                .skip(i)
                .find(|(_, l)| l.contains('/') && l.contains("--"))
            {
                let digit = char::from(b'0' + (rng.below(10) as u8));
                let changed: String = match l.find('/') {
                    Some(p) if l[p + 1..].starts_with(|c: char| c.is_ascii_digit()) => {
                        format!("{}{digit}{}", &l[..=p], &l[p + 2..])
                    }
                    _ => l.clone(),
                };
                lines[k] = changed;
            }
        }
        3 => {
            // Break a name: first identifier starting with '_' on the line.
            let l = &lines[i];
            if let Some(p) = l.find(" _") {
                let end = l[p + 1..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .map_or(l.len(), |e| p + 1 + e);
                lines[i] = format!("{} _NOPE{}", &l[..p], &l[end..]);
            }
        }
        _ => {
            lines.truncate(i);
        }
    }
    lines.join("\n")
}

fn run(ver: &str, version: Version, rounds: usize, seed: u64) {
    let Some(dir) = cpython_dir(ver) else { return };
    let text = std::fs::read_to_string(dir.join("Python/bytecodes.c")).unwrap();
    let code_h = std::fs::read_to_string(dir.join("Include/internal/pycore_code.h")).unwrap();
    let layouts = parse_cache_layouts("pycore_code.h", &code_h).unwrap();
    let mut rng = Rng(seed);
    let (mut analyzed, mut rejected_parse, mut rejected_analysis, mut mismatched) = (0, 0, 0, 0);
    for _ in 0..rounds {
        let m = mutate(&text, &mut rng);
        let src = SourceFile::new("m.c", m);
        let Ok(file) = dsl::parse(&src) else {
            rejected_parse += 1;
            continue;
        };
        match analysis::analyze_version(&file, &src, Some(&layouts), version) {
            Ok(a) => {
                analyzed += 1;
                if !a.cache_mismatches().is_empty() {
                    mismatched += 1;
                }
                // Rendering must not panic either.
                assert!(!a.metadata().to_json().is_empty());
            }
            Err(e) => {
                rejected_analysis += 1;
                assert!(e.line > 0, "error without a position: {e}");
                assert!(e.to_string().starts_with("m.c:"), "{e}");
            }
        }
    }
    println!(
        "{ver}: {rounds} mutants: {analyzed} analyzed ({mismatched} with cache mismatches), \
         {rejected_parse} rejected by the parser, {rejected_analysis} by the analysis"
    );
    assert_eq!(analyzed + rejected_parse + rejected_analysis, rounds);
    assert!(
        rejected_analysis > 0,
        "no mutant exercised an analysis error"
    );
}

#[test]
fn mutated_3_14_7_never_panics() {
    run("3.14.7", Version::V3_14, 60, 0x9E37_79B9_7F4A_7C15);
}

#[test]
fn mutated_3_13_0_never_panics() {
    run("3.13.0", Version::V3_13, 40, 0xD1B5_4A32_D192_ED03);
}
