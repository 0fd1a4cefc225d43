//! Comment blanking. lang-c has no comment support, so comments become spaces; every byte keeps
//! its offset (newlines stay) so spans in the prepared text map back to the source by a shift.

/// A comment opened at `offset` (relative to the text given) that never closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnterminatedComment {
    pub offset: usize,
}

/// Replaces every byte of every comment with a space, except newlines. String and character
/// literals are skipped so `"http://x"` stays intact. Since only ASCII delimiters start and end a
/// comment, and each blanked byte becomes an ASCII space, the result is valid UTF-8 of equal length.
pub fn blank_comments(text: &str) -> Result<String, UnterminatedComment> {
    let mut out = text.as_bytes().to_vec();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' | b'\'' => i = skip_literal(b, i),
            b'/' if b.get(i + 1) == Some(&b'/') => {
                // A backslash before the newline continues a line comment (C translation phase 2).
                let mut j = i;
                while j < b.len() && (b[j] != b'\n' || continued(b, j)) {
                    if b[j] != b'\n' {
                        out[j] = b' ';
                    }
                    j += 1;
                }
                i = j;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let start = i;
                let mut j = i + 2;
                loop {
                    if j + 1 >= b.len() {
                        return Err(UnterminatedComment { offset: start });
                    }
                    if b[j] == b'*' && b[j + 1] == b'/' {
                        j += 2;
                        break;
                    }
                    j += 1;
                }
                for (k, byte) in out.iter_mut().enumerate().take(j).skip(start) {
                    if b[k] != b'\n' {
                        *byte = b' ';
                    }
                }
                i = j;
            }
            _ => i += 1,
        }
    }
    // Only ASCII bytes were written over whole comments, so this cannot fail; stay total anyway.
    String::from_utf8(out).map_err(|e| UnterminatedComment {
        offset: e.utf8_error().valid_up_to(),
    })
}

/// Whether the newline at `nl` is escaped by a backslash (optionally followed by `\r`).
fn continued(b: &[u8], nl: usize) -> bool {
    let mut k = nl;
    if k > 0 && b[k - 1] == b'\r' {
        k -= 1;
    }
    k > 0 && b[k - 1] == b'\\'
}

/// Index just past the string or character literal starting at `start` (or the end of line when
/// it is unterminated: lang-c will then report the syntax error where it really is).
fn skip_literal(b: &[u8], start: usize) -> usize {
    let quote = b[start];
    let mut j = start + 1;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            b'\n' => return j,
            c if c == quote => return j + 1,
            _ => j += 1,
        }
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blanks_both_comment_kinds_keeping_offsets_and_newlines() {
        let src = "a = 1; // one\nb /* two\nlines */ = 2;";
        let out = blank_comments(src).unwrap();
        assert_eq!(out.len(), src.len());
        assert_eq!(out, "a = 1;       \nb       \n         = 2;");
    }

    #[test]
    fn keeps_comment_markers_inside_literals() {
        let src = r#"s = "a // b /* c"; c = '/'; d = '\''; // x"#;
        let out = blank_comments(src).unwrap();
        assert_eq!(out, r#"s = "a // b /* c"; c = '/'; d = '\'';     "#);
    }

    #[test]
    fn non_ascii_comment_stays_valid_and_same_length() {
        let src = "x; /* café → ok */ y;";
        let out = blank_comments(src).unwrap();
        assert_eq!(out.len(), src.len());
        assert!(out.starts_with("x; ") && out.ends_with(" y;"));
        assert!(!out.contains('é'));
    }

    #[test]
    fn continued_line_comment_swallows_next_line() {
        let out = blank_comments("// a \\\nb\nc").unwrap();
        assert_eq!(out, "      \n \nc");
    }

    #[test]
    fn unterminated_block_comment_reports_its_start() {
        assert_eq!(
            blank_comments("ok; /* never"),
            Err(UnterminatedComment { offset: 4 })
        );
    }
}
