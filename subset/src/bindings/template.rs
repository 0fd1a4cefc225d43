//! Rust templates of the binding table: `vm.number_add({0}, {1})`, `{base}.tp_flags`, ...
//!
//! Parsed once at load time so that a typo (`{O}`, an unclosed brace, an argument index past
//! the prototype) is a load error with the entry's name, not broken generated code.

use std::fmt;

/// One piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Rust text copied as is (`{{`/`}}` already unescaped).
    Text(String),
    /// `{N}`: the N-th argument of the call.
    Arg(usize),
    /// `{...}`: the variadic arguments after the named parameters, comma-separated.
    Rest,
    /// `{base}`: the struct expression of a field access.
    Base,
    /// `{value}`: the value being stored.
    Value,
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub text: String,
    pub pieces: Vec<Piece>,
}

/// Why a template does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError(pub String);

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Template {
    /// Parse `text`; `{{` and `}}` stand for literal braces.
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        let mut pieces = Vec::new();
        let mut lit = String::new();
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '{' if chars.peek().map(|x| x.1) == Some('{') => {
                    chars.next();
                    lit.push('{');
                }
                '}' if chars.peek().map(|x| x.1) == Some('}') => {
                    chars.next();
                    lit.push('}');
                }
                '}' => {
                    return Err(TemplateError(format!(
                        "unmatched `}}` at offset {i} (write `}}}}` for a literal brace)"
                    )))
                }
                '{' => {
                    let mut name = String::new();
                    let mut closed = false;
                    for (_, c) in chars.by_ref() {
                        if c == '}' {
                            closed = true;
                            break;
                        }
                        name.push(c);
                    }
                    if !closed {
                        return Err(TemplateError(format!(
                            "unclosed `{{` at offset {i} (write `{{{{` for a literal brace)"
                        )));
                    }
                    let piece = match name.as_str() {
                        "base" => Piece::Base,
                        "value" => Piece::Value,
                        "..." => Piece::Rest,
                        n if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
                            Piece::Arg(n.parse().map_err(|_| {
                                TemplateError(format!("argument index `{n}` too large"))
                            })?)
                        }
                        n => {
                            return Err(TemplateError(format!(
                                "unknown placeholder `{{{n}}}` (expected {{0}}, {{1}}, ..., {{...}}, {{base}} or {{value}})"
                            )))
                        }
                    };
                    if !lit.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut lit)));
                    }
                    pieces.push(piece);
                }
                c => lit.push(c),
            }
        }
        if !lit.is_empty() {
            pieces.push(Piece::Text(lit));
        }
        Ok(Template {
            text: text.to_string(),
            pieces,
        })
    }

    /// Check the placeholders against what the entry provides.
    pub fn check(
        &self,
        arity: usize,
        variadic: bool,
        base: bool,
        value: bool,
    ) -> Result<(), TemplateError> {
        for p in &self.pieces {
            match p {
                Piece::Arg(i) if *i >= arity => {
                    return Err(TemplateError(format!(
                        "`{{{i}}}` but the prototype has {arity} parameter(s)"
                    )))
                }
                Piece::Rest if !variadic => {
                    return Err(TemplateError(
                        "`{...}` but the prototype is not variadic".into(),
                    ))
                }
                Piece::Base if !base => {
                    return Err(TemplateError(
                        "`{base}` is only meaningful for fields".into(),
                    ))
                }
                Piece::Value if !value => {
                    return Err(TemplateError(
                        "`{value}` is only meaningful in a `set` template".into(),
                    ))
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Substitute: `args[N]` for `{N}`, `args[fixed..]` for `{...}` (`fixed` = the number of
    /// declared parameters), `base`/`value` for the named ones. Missing substitutions expand to
    /// nothing (the checker guarantees they are present).
    pub fn expand(
        &self,
        args: &[String],
        fixed: usize,
        base: Option<&str>,
        value: Option<&str>,
    ) -> String {
        let mut out = String::new();
        for p in &self.pieces {
            match p {
                Piece::Text(t) => out.push_str(t),
                Piece::Arg(i) => out.push_str(args.get(*i).map_or("", String::as_str)),
                Piece::Rest => out.push_str(&args.get(fixed..).unwrap_or(&[]).join(", ")),
                Piece::Base => out.push_str(base.unwrap_or("")),
                Piece::Value => out.push_str(value.unwrap_or("")),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_placeholders_and_escapes() {
        let t = Template::parse("vm.add({0}, {1}) + {{ x }}").unwrap();
        assert_eq!(
            t.pieces,
            vec![
                Piece::Text("vm.add(".into()),
                Piece::Arg(0),
                Piece::Text(", ".into()),
                Piece::Arg(1),
                Piece::Text(") + { x }".into()),
            ]
        );
        assert_eq!(
            t.expand(&["a".into(), "b".into()], 2, None, None),
            "vm.add(a, b) + { x }"
        );
        let f = Template::parse("vm.set_flags({base}, {value})").unwrap();
        assert_eq!(f.expand(&[], 0, Some("o"), Some("3")), "vm.set_flags(o, 3)");
    }

    #[test]
    fn rejects_bad_templates() {
        assert!(Template::parse("vm.f({0}").is_ok());
        assert!(Template::parse("vm.f({0)").is_err());
        assert!(Template::parse("vm.f({x})").is_err());
        assert!(Template::parse("vm.f(})").is_err());
        let t = Template::parse("vm.f({2})").unwrap();
        assert!(t.check(2, false, false, false).is_err());
        assert!(t.check(3, false, false, false).is_ok());
        let v = Template::parse("vm.f({value})").unwrap();
        assert!(v.check(0, false, false, false).is_err());
        assert!(v.check(0, false, false, true).is_ok());
    }

    #[test]
    fn variadic_rest() {
        let t = Template::parse("vm.format({0}, &[{...}])").unwrap();
        assert!(t.check(1, false, false, false).is_err());
        assert_eq!(
            t.expand(&["f".into(), "a".into(), "b".into()], 1, None, None),
            "vm.format(f, &[a, b])"
        );
    }
}
