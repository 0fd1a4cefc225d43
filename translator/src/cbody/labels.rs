//! Labels that end a block. Before C23 a label must be followed by a statement, so lang-c
//! rejects `end_for_iter_list: }` — a shape 3.12's `bytecodes.c` uses (the generator appends
//! code after the body, so the generated C is valid). The label gets the empty statement C23
//! would give it: a blank between the label and the `}` becomes `;`, keeping every offset.

/// Returns `text` with `;` put before the `}` that directly follows a statement label. Only
/// labels at a statement boundary count (after `;`, `{` or `}`), never `case X:`, `default:`
/// or the `:` of `?:`. `text` has its comments already blanked.
pub fn close_trailing_labels(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = b.to_vec();
    for (colon, _) in text.match_indices(':') {
        // `::` does not occur in C; `a ? b : c` is excluded by the boundary test below.
        let Some(close) = next_non_space(b, colon + 1) else {
            continue;
        };
        if b[close] != b'}' || close == colon + 1 {
            continue;
        }
        let end = prev_non_space(b, colon).map_or(0, |i| i + 1);
        let start = (0..end)
            .rev()
            .take_while(|&i| b[i].is_ascii_alphanumeric() || b[i] == b'_')
            .last()
            .unwrap_or(end);
        if start == end || b[start].is_ascii_digit() {
            continue;
        }
        let ident = &text[start..end];
        if ident == "default" {
            continue;
        }
        let boundary = prev_non_space(b, start).is_none_or(|i| matches!(b[i], b';' | b'{' | b'}'));
        // The last blank between the label and the `}` that is not a line break (indentation
        // or a blanked comment) takes the `;`, so lines and columns stay put.
        if let Some(i) = (colon + 1..close)
            .rev()
            .find(|&i| b[i] == b' ' || b[i] == b'\t')
        {
            if boundary {
                out[i] = b';';
            }
        }
    }
    // Only an ASCII space was replaced by an ASCII `;`.
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

fn next_non_space(b: &[u8], from: usize) -> Option<usize> {
    (from..b.len()).find(|&i| !b[i].is_ascii_whitespace())
}

fn prev_non_space(b: &[u8], before: usize) -> Option<usize> {
    (0..before).rev().find(|&i| !b[i].is_ascii_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_before_closing_brace_gets_an_empty_statement() {
        // As in 3.12's FOR_ITER_LIST (comment already blanked).
        let t = "{\n    goto done;\n    x = 1;\n done:\n            \n        }";
        let r = close_trailing_labels(t);
        assert_eq!(r.len(), t.len());
        assert!(r.ends_with(" done:\n            \n       ;}"), "{r:?}");
    }

    #[test]
    fn brace_at_column_one_uses_the_blanked_comment() {
        let t = "{\n l:\n    //c\n}";
        let blanked = t.replace("//c", "   ");
        let r = close_trailing_labels(&blanked);
        assert_eq!(r, "{\n l:\n      ;\n}");
    }

    #[test]
    fn other_colons_are_left_alone() {
        for t in [
            "{ switch (x) { case 1: } }",
            "{ switch (x) { default: } }",
            "{ y = c ? a : b; }",
            "{ l: x = 1; }",
            "{ l:}",
            "{ l:\n}",
        ] {
            assert_eq!(close_trailing_labels(t), t, "{t}");
        }
    }
}
