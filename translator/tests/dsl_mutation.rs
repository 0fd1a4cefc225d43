//! Bad input never panics: the parser is fed thousands of mutations of real DSL text
//! (truncations, deleted and inserted braces and tokens, swapped lines) from a fixed seed,
//! and must return `Ok` or a well-formed `Err` every time.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use translator::dsl::{self, SourceFile};

/// xorshift64*: deterministic and dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

const SNIPPETS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ";",
    ",",
    "--",
    "/",
    "+",
    "=",
    "inst",
    "op(",
    "macro(",
    "family(",
    "pseudo(",
    "label(",
    "spilled ",
    "pure ",
    "replicate(",
    "if",
    "\"",
    "'",
    "/*",
    "//",
    "#",
    "\n",
    "unused/",
    "[oparg]",
    "-",
    "0x",
    "1e+",
    "\\",
    "@",
    "é",
    "\t",
    "X",
];

/// Applies one random edit to `text`.
fn mutate(rng: &mut Rng, text: &str) -> String {
    let at = floor_boundary(text, rng.below(text.len() + 1));
    match rng.below(6) {
        0 => text[..at].to_owned(),
        1 => {
            // Delete one bracket.
            let positions: Vec<usize> = text
                .char_indices()
                .filter(|(_, c)| "{}()[]".contains(*c))
                .map(|(i, _)| i)
                .collect();
            if positions.is_empty() {
                return text[..at].to_owned();
            }
            let p = positions[rng.below(positions.len())];
            format!("{}{}", &text[..p], &text[p + 1..])
        }
        2 => {
            let s = SNIPPETS[rng.below(SNIPPETS.len())];
            format!("{}{}{}", &text[..at], s, &text[at..])
        }
        3 => {
            // Delete a short range.
            let end = floor_boundary(text, at + 1 + rng.below(40));
            format!("{}{}", &text[..at], &text[end..])
        }
        4 => {
            // Swap two lines.
            let mut lines: Vec<&str> = text.split('\n').collect();
            let (a, b) = (rng.below(lines.len()), rng.below(lines.len()));
            lines.swap(a, b);
            lines.join("\n")
        }
        _ => {
            // Duplicate a range somewhere else.
            let end = floor_boundary(text, at + rng.below(200));
            let to = floor_boundary(text, rng.below(text.len() + 1));
            format!("{}{}{}", &text[..to], &text[at..end], &text[to..])
        }
    }
}

/// Parses `text`, failing the test on a panic or a malformed error position.
fn check(text: &str, label: &str) -> bool {
    let src = SourceFile::new("mutant.c", text);
    let result = catch_unwind(AssertUnwindSafe(|| dsl::parse(&src)));
    let Ok(result) = result else {
        panic!("parser panicked on {label}:\n{text}");
    };
    match result {
        Ok(_) => true,
        Err(e) => {
            let lines = text.split('\n').count() as u32;
            assert!(
                e.line >= 1 && e.line <= lines && e.col >= 1,
                "bad position in {e} for {label}"
            );
            assert!(e.to_string().starts_with("mutant.c:"), "{e}");
            false
        }
    }
}

fn sources() -> Vec<(String, String)> {
    let mut out = vec![(
        "demo".to_owned(),
        translator::input::DEMO_BYTECODES.to_owned(),
    )];
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/cpython"));
    for ver in ["3.14.7", "3.13.0"] {
        let p = root.join(ver).join("Python/bytecodes.c");
        match std::fs::read_to_string(&p) {
            Ok(t) => out.push((ver.to_owned(), t)),
            Err(_) => println!("skipped: {} not found", p.display()),
        }
    }
    out
}

/// A window of whole lines around a random offset, so each parse stays small.
fn window<'a>(rng: &mut Rng, text: &'a str, size: usize) -> &'a str {
    if text.len() <= size {
        return text;
    }
    let start = floor_boundary(text, rng.below(text.len() - size));
    let start = text[start..].find('\n').map_or(start, |i| start + i + 1);
    let end = floor_boundary(text, start + size);
    let end = text[..end].rfind('\n').unwrap_or(end);
    &text[start..end.max(start)]
}

#[test]
fn truncated_real_files_never_panic() {
    for (name, text) in sources() {
        let mut rng = Rng(0x5EED_0000 ^ text.len() as u64);
        let mut errors = 0;
        for i in 0..40 {
            let at = floor_boundary(&text, rng.below(text.len()));
            if !check(&text[..at], &format!("{name} truncated at {at} (case {i})")) {
                errors += 1;
            }
        }
        // Truncating inside the definitions must be reported, not silently accepted.
        assert!(errors > 0, "{name}: no truncation was rejected");
    }
}

#[test]
fn mutated_windows_never_panic() {
    let mut total = 0;
    let mut rejected = 0;
    for (name, text) in sources() {
        let mut rng = Rng(0xC0FF_EE00_D5A1 ^ text.len() as u64);
        for case in 0..1500 {
            let base = window(&mut rng, &text, 6000);
            let mut m = base.to_owned();
            for _ in 0..1 + rng.below(3) {
                m = mutate(&mut rng, &m);
            }
            total += 1;
            if !check(&m, &format!("{name} case {case}")) {
                rejected += 1;
            }
        }
    }
    println!("{total} mutants, {rejected} rejected with an error");
    assert!(total >= 1500);
    assert!(
        rejected > total / 10,
        "suspiciously few rejections: {rejected}/{total}"
    );
}
