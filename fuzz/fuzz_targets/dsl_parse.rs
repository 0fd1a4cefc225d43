//! Fuzz target: the DSL lexer and parser must return `Ok` or `Err` for any input, never
//! panic. Inputs are either raw text or a structured edit of the embedded demo, so the
//! fuzzer reaches deep into the grammar quickly.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use translator::dsl::{parse, SourceFile};

#[derive(Debug, Arbitrary)]
enum Case {
    /// Arbitrary text.
    Raw(String),
    /// The demo with `insert` spliced in at `at` and `delete` bytes removed after it.
    EditDemo { at: u16, delete: u8, insert: String },
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fuzz_target!(|case: Case| {
    let text = match case {
        Case::Raw(s) => s,
        Case::EditDemo { at, delete, insert } => {
            let demo = translator::input::DEMO_BYTECODES;
            let a = floor_boundary(demo, at as usize);
            let b = floor_boundary(demo, a + delete as usize).max(a);
            format!("{}{}{}", &demo[..a], insert, &demo[b..])
        }
    };
    let src = SourceFile::new("fuzz.c", text);
    if let Err(e) = parse(&src) {
        assert!(e.line >= 1 && e.col >= 1);
        assert!(e.to_string().starts_with("fuzz.c:"));
    }
});
