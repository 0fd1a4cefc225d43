//! Conditional compilation inside bodies. lang-c keeps both branches of a column-0 `#if` and
//! rejects indented ones, so the directives are evaluated here against a [`BuildConfig`] and every
//! directive line and every line of an inactive group is blanked (offsets and newlines kept).

use super::config::{BuildConfig, MacroValue};

/// A directive problem at `offset` (relative to the text given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectiveError {
    pub offset: usize,
    pub message: String,
}

/// Per-`#if` state: whether the enclosing group is active, whether a branch was already taken,
/// whether the current branch is taken, and whether `#else` was seen.
#[derive(Debug)]
struct Frame {
    parent_active: bool,
    any_taken: bool,
    taking: bool,
    seen_else: bool,
    offset: usize,
}

/// Evaluates and blanks the directives of `text` (already comment-blanked).
pub fn apply_conditionals(text: &str, config: &BuildConfig) -> Result<String, DirectiveError> {
    let src = text.as_bytes();
    let mut out = src.to_vec();
    let mut stack: Vec<Frame> = Vec::new();
    let mut pos = 0;
    while pos < src.len() {
        let (line_end, next) = logical_line(src, pos);
        let active = stack.iter().all(|f| f.parent_active && f.taking);
        let trimmed_start = pos + leading_ws(&src[pos..line_end]);
        if src.get(trimmed_start) == Some(&b'#') {
            // Directive text with continuations joined (backslash-newline removed).
            let raw = &text[trimmed_start + 1..line_end];
            // Same-length replacement keeps offsets into `rest` valid for error locations.
            let joined = raw.replace("\\\r\n", "   ").replace("\\\n", "  ");
            let (name, rest) = split_directive(&joined);
            let rest_offset =
                trimmed_start + 1 + (joined.len() - joined.trim_start().len()) + name.len();
            handle(
                name,
                rest,
                rest_offset,
                trimmed_start,
                active,
                &mut stack,
                config,
            )?;
            blank(&mut out, pos, line_end);
        } else if !active {
            blank(&mut out, pos, line_end);
        }
        pos = next;
    }
    if let Some(open) = stack.last() {
        return Err(DirectiveError {
            offset: open.offset,
            message: "`#if` without `#endif` in this body".into(),
        });
    }
    String::from_utf8(out).map_err(|e| DirectiveError {
        offset: e.utf8_error().valid_up_to(),
        message: "blanking produced invalid UTF-8".into(),
    })
}

fn handle(
    name: &str,
    rest: &str,
    rest_offset: usize,
    offset: usize,
    active: bool,
    stack: &mut Vec<Frame>,
    config: &BuildConfig,
) -> Result<(), DirectiveError> {
    let err = |message: String| DirectiveError { offset, message };
    match name {
        "if" | "ifdef" | "ifndef" => {
            // C does not evaluate conditions inside an inactive group; neither do we.
            let taking = if active {
                match name {
                    "if" => eval(rest, rest_offset, config)? != 0,
                    "ifdef" => is_defined(rest, config).map_err(err)?,
                    _ => !is_defined(rest, config).map_err(err)?,
                }
            } else {
                false
            };
            stack.push(Frame {
                parent_active: active,
                any_taken: taking,
                taking,
                seen_else: false,
                offset,
            });
        }
        "elif" | "elifdef" | "elifndef" | "else" => {
            let frame = stack
                .last_mut()
                .ok_or_else(|| err(format!("`#{name}` without `#if`")))?;
            if frame.seen_else {
                return Err(err(format!("`#{name}` after `#else`")));
            }
            let taking = if !frame.parent_active || frame.any_taken {
                false
            } else {
                match name {
                    "else" => true,
                    "elif" => eval(rest, rest_offset, config)? != 0,
                    "elifdef" => is_defined(rest, config).map_err(err)?,
                    _ => !is_defined(rest, config).map_err(err)?,
                }
            };
            frame.taking = taking;
            frame.any_taken |= taking;
            frame.seen_else = name == "else";
        }
        "endif" => {
            stack
                .pop()
                .ok_or_else(|| err("`#endif` without `#if`".into()))?;
        }
        _ if !active => {}
        "" => {} // the null directive `#`
        other => {
            return Err(err(format!(
                "unsupported directive `#{other}` inside a body (only conditionals are evaluated)"
            )))
        }
    }
    Ok(())
}

fn is_defined(rest: &str, config: &BuildConfig) -> Result<bool, String> {
    let name = rest.trim();
    if name.is_empty() || !name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_') {
        return Err(format!("expected one macro name, found `{name}`"));
    }
    match config.get(name) {
        Some(MacroValue::Defined(_)) => Ok(true),
        Some(MacroValue::Undefined) => Ok(false),
        None => Err(unknown(name, config)),
    }
}

fn unknown(name: &str, config: &BuildConfig) -> String {
    format!(
        "macro `{name}` is not known to build configuration `{}`; add it to the configuration",
        config.name()
    )
}

/// End of the logical line starting at `pos` (continuations followed) and the start of the next.
fn logical_line(src: &[u8], pos: usize) -> (usize, usize) {
    let mut i = pos;
    while i < src.len() {
        if src[i] == b'\n' {
            let mut k = i;
            if k > pos && src[k - 1] == b'\r' {
                k -= 1;
            }
            if k > pos && src[k - 1] == b'\\' {
                i += 1;
                continue;
            }
            return (i, i + 1);
        }
        i += 1;
    }
    (src.len(), src.len())
}

fn leading_ws(line: &[u8]) -> usize {
    line.iter()
        .take_while(|c| c == &&b' ' || c == &&b'\t')
        .count()
}

fn blank(out: &mut [u8], start: usize, end: usize) {
    for c in &mut out[start..end] {
        if *c != b'\n' && *c != b'\r' {
            *c = b' ';
        }
    }
}

fn split_directive(d: &str) -> (&str, &str) {
    let d = d.trim_start();
    let n = d
        .bytes()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == b'_')
        .count();
    (&d[..n], &d[n..])
}

// ---- `#if` expressions -------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(i64),
    Ident(String),
    Punct(&'static str),
}

const PUNCTS: &[&str] = &[
    "&&", "||", "==", "!=", "<=", ">=", "<<", ">>", "(", ")", "!", "~", "-", "+", "*", "/", "%",
    "<", ">", "&", "^", "|", "?", ":",
];

fn tokenize(s: &str, base: usize) -> Result<Vec<(Tok, usize)>, DirectiveError> {
    let b = s.as_bytes();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            toks.push((
                Tok::Num(parse_int(&s[start..i], base + start)?),
                base + start,
            ));
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            toks.push((Tok::Ident(s[start..i].to_string()), base + start));
        } else if let Some(p) = PUNCTS.iter().find(|p| s[i..].starts_with(**p)) {
            toks.push((Tok::Punct(p), base + i));
            i += p.len();
        } else {
            return Err(DirectiveError {
                offset: base + i,
                message: format!(
                    "unexpected character `{}` in `#if` expression",
                    &s[i..].chars().next().unwrap_or(' ')
                ),
            });
        }
    }
    Ok(toks)
}

fn parse_int(lit: &str, offset: usize) -> Result<i64, DirectiveError> {
    let digits = lit.trim_end_matches(['u', 'U', 'l', 'L']);
    let parsed = if let Some(hex) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        i64::from_str_radix(hex, 16)
    } else if digits.len() > 1 && digits.starts_with('0') {
        i64::from_str_radix(&digits[1..], 8)
    } else {
        digits.parse()
    };
    parsed.map_err(|_| DirectiveError {
        offset,
        message: format!("bad integer `{lit}` in `#if` expression"),
    })
}

/// Evaluates a `#if` expression; `base` is the offset of `s` in the body (for error locations).
pub fn eval(s: &str, base: usize, config: &BuildConfig) -> Result<i64, DirectiveError> {
    let toks = tokenize(s, base)?;
    let mut p = ExprParser {
        toks,
        pos: 0,
        config,
        end: base + s.len(),
    };
    if p.toks.is_empty() {
        return Err(DirectiveError {
            offset: base,
            message: "empty `#if` expression".into(),
        });
    }
    let v = p.ternary()?;
    if let Some((t, off)) = p.toks.get(p.pos) {
        return Err(DirectiveError {
            offset: *off,
            message: format!("unexpected `{}` in `#if` expression", show(t)),
        });
    }
    Ok(v)
}

fn show(t: &Tok) -> String {
    match t {
        Tok::Num(n) => n.to_string(),
        Tok::Ident(s) => s.clone(),
        Tok::Punct(p) => p.to_string(),
    }
}

struct ExprParser<'a> {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    config: &'a BuildConfig,
    end: usize,
}

/// Binary operators by precedence level, loosest first (C11 6.5.5–6.5.14).
const LEVELS: &[&[&str]] = &[
    &["||"],
    &["&&"],
    &["|"],
    &["^"],
    &["&"],
    &["==", "!="],
    &["<", ">", "<=", ">="],
    &["<<", ">>"],
    &["+", "-"],
    &["*", "/", "%"],
];

impl ExprParser<'_> {
    fn offset(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end, |t| t.1)
    }

    fn err(&self, message: String) -> DirectiveError {
        DirectiveError {
            offset: self.offset(),
            message,
        }
    }

    fn eat(&mut self, p: &str) -> bool {
        if matches!(self.toks.get(self.pos), Some((Tok::Punct(q), _)) if *q == p) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, p: &str) -> Result<(), DirectiveError> {
        if self.eat(p) {
            Ok(())
        } else {
            Err(self.err(format!("expected `{p}` in `#if` expression")))
        }
    }

    fn ternary(&mut self) -> Result<i64, DirectiveError> {
        let c = self.binary(0)?;
        if self.eat("?") {
            let a = self.ternary()?;
            self.expect(":")?;
            let b = self.ternary()?;
            Ok(if c != 0 { a } else { b })
        } else {
            Ok(c)
        }
    }

    fn binary(&mut self, level: usize) -> Result<i64, DirectiveError> {
        if level == LEVELS.len() {
            return self.unary();
        }
        let mut lhs = self.binary(level + 1)?;
        loop {
            let op = match self.toks.get(self.pos) {
                Some((Tok::Punct(p), _)) if LEVELS[level].contains(p) => *p,
                _ => return Ok(lhs),
            };
            let op_offset = self.offset();
            self.pos += 1;
            let rhs = self.binary(level + 1)?;
            lhs = apply(op, lhs, rhs).ok_or(DirectiveError {
                offset: op_offset,
                message: format!("`{op}` by zero in `#if` expression"),
            })?;
        }
    }

    fn unary(&mut self) -> Result<i64, DirectiveError> {
        if self.eat("!") {
            return Ok((self.unary()? == 0) as i64);
        }
        if self.eat("~") {
            return Ok(!self.unary()?);
        }
        if self.eat("-") {
            return Ok(self.unary()?.wrapping_neg());
        }
        if self.eat("+") {
            return self.unary();
        }
        if self.eat("(") {
            let v = self.ternary()?;
            self.expect(")")?;
            return Ok(v);
        }
        let (tok, off) = self
            .toks
            .get(self.pos)
            .cloned()
            .ok_or_else(|| self.err("`#if` expression ends early".into()))?;
        self.pos += 1;
        match tok {
            Tok::Num(n) => Ok(n),
            Tok::Ident(name) if name == "defined" => {
                let paren = self.eat("(");
                let name = match self.toks.get(self.pos) {
                    Some((Tok::Ident(n), _)) => n.clone(),
                    _ => return Err(self.err("expected a macro name after `defined`".into())),
                };
                let name_off = self.offset();
                self.pos += 1;
                if paren {
                    self.expect(")")?;
                }
                match self.config.get(&name) {
                    Some(MacroValue::Defined(_)) => Ok(1),
                    Some(MacroValue::Undefined) => Ok(0),
                    None => Err(DirectiveError {
                        offset: name_off,
                        message: unknown(&name, self.config),
                    }),
                }
            }
            Tok::Ident(name) => match self.config.get(&name) {
                Some(MacroValue::Defined(v)) => Ok(v),
                // C: an identifier that is not a macro evaluates to 0 in `#if`.
                Some(MacroValue::Undefined) => Ok(0),
                None => Err(DirectiveError {
                    offset: off,
                    message: unknown(&name, self.config),
                }),
            },
            Tok::Punct(p) => Err(DirectiveError {
                offset: off,
                message: format!("unexpected `{p}` in `#if` expression"),
            }),
        }
    }
}

fn apply(op: &str, a: i64, b: i64) -> Option<i64> {
    Some(match op {
        "||" => ((a != 0) || (b != 0)) as i64,
        "&&" => ((a != 0) && (b != 0)) as i64,
        "|" => a | b,
        "^" => a ^ b,
        "&" => a & b,
        "==" => (a == b) as i64,
        "!=" => (a != b) as i64,
        "<" => (a < b) as i64,
        ">" => (a > b) as i64,
        "<=" => (a <= b) as i64,
        ">=" => (a >= b) as i64,
        "<<" => a.wrapping_shl(b as u32),
        ">>" => a.wrapping_shr(b as u32),
        "+" => a.wrapping_add(b),
        "-" => a.wrapping_sub(b),
        "*" => a.wrapping_mul(b),
        "/" => a.checked_div(b)?,
        _ => a.checked_rem(b)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> BuildConfig {
        BuildConfig::default_build()
    }

    #[test]
    fn expressions_follow_c_rules() {
        let c = cfg();
        assert_eq!(eval("ENABLE_SPECIALIZATION", 0, &c).unwrap(), 1);
        assert_eq!(eval("!ENABLE_SPECIALIZATION", 0, &c).unwrap(), 0);
        assert_eq!(eval("TIER_ONE && defined(Py_DEBUG)", 0, &c).unwrap(), 0);
        assert_eq!(
            eval("defined(Py_DEBUG) || !defined _Py_JIT", 0, &c).unwrap(),
            1
        );
        assert_eq!(eval("TIER_TWO", 0, &c).unwrap(), 0);
        assert_eq!(eval("1 + 2 * 3 == 7 && 0x10 > 010", 0, &c).unwrap(), 1);
        assert_eq!(eval("(1 ? 5 : 6) - 5", 0, &c).unwrap(), 0);
        assert_eq!(eval("3 >= 4 || 2 <= 1", 0, &c).unwrap(), 0);
    }

    #[test]
    fn unknown_macro_is_an_error_at_its_offset() {
        let e = eval("TIER_ONE && FOO_BAR", 10, &cfg()).unwrap_err();
        assert_eq!(e.offset, 22);
        assert!(e.message.contains("FOO_BAR"), "{}", e.message);
        let e = eval("defined(NOPE)", 0, &cfg()).unwrap_err();
        assert_eq!(e.offset, 8);
        assert!(eval("1 / 0", 0, &cfg()).is_err());
        assert!(eval("(1", 0, &cfg()).is_err());
        assert!(eval("1 2", 0, &cfg()).is_err());
    }

    #[test]
    fn blanks_inactive_groups_and_directives_keeping_offsets() {
        let src = "{\n    #if TIER_ONE\n    a();\n    #else\n    b();\n    #endif\n#ifdef Py_GIL_DISABLED\nc();\n#elif ENABLE_SPECIALIZATION\nd();\n#endif\n}";
        let out = apply_conditionals(src, &cfg()).unwrap();
        assert_eq!(out.len(), src.len());
        let kept: Vec<&str> = out
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(kept, ["{", "a();", "d();", "}"]);
        assert_eq!(out.find("a();"), src.find("a();"));
    }

    #[test]
    fn other_configs_select_other_branches() {
        let src = "#if TIER_ONE\nx;\n#else\ny;\n#endif\n";
        let out = apply_conditionals(src, &BuildConfig::preset("tier2").unwrap()).unwrap();
        assert!(out.contains("y;") && !out.contains("x;"));
    }

    #[test]
    fn nested_inactive_groups_are_not_evaluated() {
        let src = "#if 0\n#if UNKNOWN_THING\nx;\n#endif\n#define Q 1\n#endif\n";
        let out = apply_conditionals(src, &cfg()).unwrap();
        assert!(out.trim().is_empty());
    }

    #[test]
    fn structural_errors_carry_the_directive_offset() {
        let e = apply_conditionals("a;\n  #endif\n", &cfg()).unwrap_err();
        assert_eq!(e.offset, 5);
        let e = apply_conditionals("a;\n#if 1\n", &cfg()).unwrap_err();
        assert_eq!(e.offset, 3);
        let e = apply_conditionals("#if 1\n#else\n#else\n#endif\n", &cfg()).unwrap_err();
        assert!(e.message.contains("after `#else`"));
        let e = apply_conditionals("x;\n#define A 1\n", &cfg()).unwrap_err();
        assert!(e.message.contains("#define"));
        let e = apply_conditionals("#if MYSTERY\n#endif\n", &cfg()).unwrap_err();
        assert_eq!(e.offset, 4);
    }

    #[test]
    fn continuation_lines_belong_to_the_directive() {
        let src = "#if TIER_ONE && \\\n    ENABLE_SPECIALIZATION\nx;\n#endif\n";
        let out = apply_conditionals(src, &cfg()).unwrap();
        assert_eq!(out.trim(), "x;");
    }
}
