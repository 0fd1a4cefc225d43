//! A small C integer-expression parser and evaluator.
//!
//! Stack-effect sizes in the DSL (`values[oparg*2]`, `res if (oparg & 1)`) and the bodies of
//! CPython's generated `_PyOpcode_num_popped` switch are C expressions over `oparg`. Parity is
//! checked by value, so both sides go through this evaluator instead of being compared as text.

use std::fmt;

use thiserror::Error;

/// Why an expression could not be parsed or evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CExprError {
    #[error("unexpected character '{ch}' at offset {offset} in `{text}`")]
    BadChar {
        ch: char,
        offset: usize,
        text: String,
    },
    #[error("bad integer literal `{lit}` in `{text}`")]
    BadNumber { lit: String, text: String },
    #[error("expected {expected} at offset {offset} in `{text}`")]
    Expected {
        expected: &'static str,
        offset: usize,
        text: String,
    },
    #[error("unknown identifier `{0}`")]
    UnknownIdent(String),
    #[error("division by zero")]
    DivByZero,
    #[error("arithmetic overflow")]
    Overflow,
}

/// Binary operators, in C's meaning on `long long`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Mul,
    Div,
    Rem,
    Add,
    Sub,
    Shl,
    Shr,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    BitAnd,
    BitXor,
    BitOr,
    And,
    Or,
}

impl BinOp {
    fn text(self) -> &'static str {
        match self {
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Shl => "<<",
            BinOp::Shr => ">>",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::BitAnd => "&",
            BinOp::BitXor => "^",
            BinOp::BitOr => "|",
            BinOp::And => "&&",
            BinOp::Or => "||",
        }
    }

    /// C precedence level; higher binds tighter.
    fn precedence(self) -> u8 {
        match self {
            BinOp::Mul | BinOp::Div | BinOp::Rem => 10,
            BinOp::Add | BinOp::Sub => 9,
            BinOp::Shl | BinOp::Shr => 8,
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => 7,
            BinOp::Eq | BinOp::Ne => 6,
            BinOp::BitAnd => 5,
            BinOp::BitXor => 4,
            BinOp::BitOr => 3,
            BinOp::And => 2,
            BinOp::Or => 1,
        }
    }
}

/// Unary prefix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Plus,
    Not,
    BitNot,
}

/// A parsed C integer expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CExpr {
    Num(i64),
    Ident(String),
    Unary(UnOp, Box<CExpr>),
    Binary(BinOp, Box<CExpr>, Box<CExpr>),
    Cond(Box<CExpr>, Box<CExpr>, Box<CExpr>),
    /// A cast such as `(int)x`: the value passes through unchanged (all sizes here are small).
    Cast(String, Box<CExpr>),
}

impl CExpr {
    /// Parses a complete expression; trailing text is an error.
    pub fn parse(text: &str) -> Result<CExpr, CExprError> {
        let tokens = lex(text)?;
        let mut p = Parser {
            text,
            tokens,
            pos: 0,
        };
        let e = p.expr()?;
        if p.pos != p.tokens.len() {
            return Err(p.expected("end of expression"));
        }
        Ok(e)
    }

    /// Evaluates with `lookup` giving the value of each identifier.
    pub fn eval_with(&self, lookup: &dyn Fn(&str) -> Option<i64>) -> Result<i64, CExprError> {
        Ok(match self {
            CExpr::Num(n) => *n,
            CExpr::Ident(name) => {
                lookup(name).ok_or_else(|| CExprError::UnknownIdent(name.clone()))?
            }
            CExpr::Cast(_, e) => e.eval_with(lookup)?,
            CExpr::Unary(op, e) => {
                let v = e.eval_with(lookup)?;
                match op {
                    UnOp::Neg => v.checked_neg().ok_or(CExprError::Overflow)?,
                    UnOp::Plus => v,
                    UnOp::Not => i64::from(v == 0),
                    UnOp::BitNot => !v,
                }
            }
            CExpr::Cond(c, a, b) => {
                if c.eval_with(lookup)? != 0 {
                    a.eval_with(lookup)?
                } else {
                    b.eval_with(lookup)?
                }
            }
            CExpr::Binary(op, a, b) => {
                let x = a.eval_with(lookup)?;
                // Short-circuit like C.
                match op {
                    BinOp::And if x == 0 => return Ok(0),
                    BinOp::Or if x != 0 => return Ok(1),
                    _ => {}
                }
                let y = b.eval_with(lookup)?;
                match op {
                    BinOp::Mul => x.checked_mul(y).ok_or(CExprError::Overflow)?,
                    BinOp::Div => {
                        if y == 0 {
                            return Err(CExprError::DivByZero);
                        }
                        x.checked_div(y).ok_or(CExprError::Overflow)?
                    }
                    BinOp::Rem => {
                        if y == 0 {
                            return Err(CExprError::DivByZero);
                        }
                        x.checked_rem(y).ok_or(CExprError::Overflow)?
                    }
                    BinOp::Add => x.checked_add(y).ok_or(CExprError::Overflow)?,
                    BinOp::Sub => x.checked_sub(y).ok_or(CExprError::Overflow)?,
                    BinOp::Shl => {
                        let s = u32::try_from(y).map_err(|_| CExprError::Overflow)?;
                        x.checked_shl(s).ok_or(CExprError::Overflow)?
                    }
                    BinOp::Shr => {
                        let s = u32::try_from(y).map_err(|_| CExprError::Overflow)?;
                        x.checked_shr(s).ok_or(CExprError::Overflow)?
                    }
                    BinOp::Lt => i64::from(x < y),
                    BinOp::Le => i64::from(x <= y),
                    BinOp::Gt => i64::from(x > y),
                    BinOp::Ge => i64::from(x >= y),
                    BinOp::Eq => i64::from(x == y),
                    BinOp::Ne => i64::from(x != y),
                    BinOp::BitAnd => x & y,
                    BinOp::BitXor => x ^ y,
                    BinOp::BitOr => x | y,
                    BinOp::And | BinOp::Or => i64::from(y != 0),
                }
            }
        })
    }

    /// Evaluates an expression whose only free variable is `oparg`.
    pub fn eval_oparg(&self, oparg: i64) -> Result<i64, CExprError> {
        self.eval_with(&|name| (name == "oparg").then_some(oparg))
    }

    /// Whether the expression mentions identifier `name`.
    pub fn mentions(&self, name: &str) -> bool {
        match self {
            CExpr::Num(_) => false,
            CExpr::Ident(n) => n == name,
            CExpr::Unary(_, e) | CExpr::Cast(_, e) => e.mentions(name),
            CExpr::Binary(_, a, b) => a.mentions(name) || b.mentions(name),
            CExpr::Cond(c, a, b) => c.mentions(name) || a.mentions(name) || b.mentions(name),
        }
    }
}

impl fmt::Display for CExpr {
    /// Fully parenthesised form: unambiguous, reparsable.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CExpr::Num(n) => write!(f, "{n}"),
            CExpr::Ident(s) => f.write_str(s),
            CExpr::Cast(t, e) => write!(f, "({t})({e})"),
            CExpr::Unary(op, e) => {
                let o = match op {
                    UnOp::Neg => "-",
                    UnOp::Plus => "+",
                    UnOp::Not => "!",
                    UnOp::BitNot => "~",
                };
                write!(f, "{o}({e})")
            }
            CExpr::Binary(op, a, b) => write!(f, "({a} {} {b})", op.text()),
            CExpr::Cond(c, a, b) => write!(f, "(({c}) ? ({a}) : ({b}))"),
        }
    }
}

/// Parses and evaluates `text` for a given `oparg`.
pub fn eval_oparg(text: &str, oparg: i64) -> Result<i64, CExprError> {
    CExpr::parse(text)?.eval_oparg(oparg)
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Num(i64),
    Ident(String),
    Punct(&'static str),
}

const PUNCTS: [&str; 24] = [
    "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "+", "-", "*", "/", "%", "<", ">", "&", "|",
    "^", "~", "!", "?", ":", "(", ")",
];

fn lex(text: &str) -> Result<Vec<(usize, Tok)>, CExprError> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_digit() {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            let lit = &text[start..i];
            out.push((start, Tok::Num(parse_int(lit, text)?)));
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            out.push((start, Tok::Ident(text[start..i].to_string())));
            continue;
        }
        match PUNCTS.iter().find(|p| text[i..].starts_with(**p)) {
            Some(p) => {
                out.push((i, Tok::Punct(p)));
                i += p.len();
            }
            None => {
                let ch = text[i..].chars().next().unwrap_or('?');
                return Err(CExprError::BadChar {
                    ch,
                    offset: i,
                    text: text.to_string(),
                });
            }
        }
    }
    Ok(out)
}

fn parse_int(lit: &str, text: &str) -> Result<i64, CExprError> {
    let bad = || CExprError::BadNumber {
        lit: lit.to_string(),
        text: text.to_string(),
    };
    let digits = lit.trim_end_matches(['u', 'U', 'l', 'L']);
    let v = if let Some(hex) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        i64::from_str_radix(hex, 16)
    } else if digits.len() > 1 && digits.starts_with('0') {
        i64::from_str_radix(&digits[1..], 8)
    } else {
        digits.parse::<i64>()
    };
    v.map_err(|_| bad())
}

struct Parser<'a> {
    text: &'a str,
    tokens: Vec<(usize, Tok)>,
    pos: usize,
}

/// Type names accepted inside a cast: the integer types CPython's headers use.
const CAST_TYPES: [&str; 10] = [
    "int",
    "unsigned",
    "long",
    "short",
    "char",
    "size_t",
    "Py_ssize_t",
    "uint16_t",
    "uint32_t",
    "int32_t",
];

impl Parser<'_> {
    fn offset(&self) -> usize {
        self.tokens
            .get(self.pos)
            .map_or(self.text.len(), |(o, _)| *o)
    }

    fn expected(&self, what: &'static str) -> CExprError {
        CExprError::Expected {
            expected: what,
            offset: self.offset(),
            text: self.text.to_string(),
        }
    }

    fn peek_punct(&self, p: &str) -> bool {
        matches!(self.tokens.get(self.pos), Some((_, Tok::Punct(q))) if *q == p)
    }

    fn eat_punct(&mut self, p: &str) -> bool {
        if self.peek_punct(p) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expr(&mut self) -> Result<CExpr, CExprError> {
        let cond = self.binary(1)?;
        if self.eat_punct("?") {
            let a = self.expr()?;
            if !self.eat_punct(":") {
                return Err(self.expected("':'"));
            }
            let b = self.expr()?;
            return Ok(CExpr::Cond(Box::new(cond), Box::new(a), Box::new(b)));
        }
        Ok(cond)
    }

    fn peek_binop(&self) -> Option<BinOp> {
        let Some((_, Tok::Punct(p))) = self.tokens.get(self.pos) else {
            return None;
        };
        Some(match *p {
            "*" => BinOp::Mul,
            "/" => BinOp::Div,
            "%" => BinOp::Rem,
            "+" => BinOp::Add,
            "-" => BinOp::Sub,
            "<<" => BinOp::Shl,
            ">>" => BinOp::Shr,
            "<" => BinOp::Lt,
            "<=" => BinOp::Le,
            ">" => BinOp::Gt,
            ">=" => BinOp::Ge,
            "==" => BinOp::Eq,
            "!=" => BinOp::Ne,
            "&" => BinOp::BitAnd,
            "^" => BinOp::BitXor,
            "|" => BinOp::BitOr,
            "&&" => BinOp::And,
            "||" => BinOp::Or,
            _ => return None,
        })
    }

    /// Precedence climbing over left-associative binary operators.
    fn binary(&mut self, min_prec: u8) -> Result<CExpr, CExprError> {
        let mut lhs = self.unary()?;
        while let Some(op) = self.peek_binop() {
            let prec = op.precedence();
            if prec < min_prec {
                break;
            }
            self.pos += 1;
            let rhs = self.binary(prec + 1)?;
            lhs = CExpr::Binary(op, Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<CExpr, CExprError> {
        for (p, op) in [
            ("-", UnOp::Neg),
            ("+", UnOp::Plus),
            ("!", UnOp::Not),
            ("~", UnOp::BitNot),
        ] {
            if self.eat_punct(p) {
                return Ok(CExpr::Unary(op, Box::new(self.unary()?)));
            }
        }
        self.primary()
    }

    fn cast_type(&self) -> Option<(String, usize)> {
        // `(` type-name+ `)` where every word is a known integer type word.
        let mut i = self.pos + 1;
        let mut words = Vec::new();
        while let Some((_, Tok::Ident(w))) = self.tokens.get(i) {
            if !CAST_TYPES.contains(&w.as_str()) {
                return None;
            }
            words.push(w.clone());
            i += 1;
        }
        match self.tokens.get(i) {
            Some((_, Tok::Punct(")"))) if !words.is_empty() => Some((words.join(" "), i + 1)),
            _ => None,
        }
    }

    fn primary(&mut self) -> Result<CExpr, CExprError> {
        if self.peek_punct("(") {
            if let Some((ty, next)) = self.cast_type() {
                self.pos = next;
                return Ok(CExpr::Cast(ty, Box::new(self.unary()?)));
            }
            self.pos += 1;
            let e = self.expr()?;
            if !self.eat_punct(")") {
                return Err(self.expected("')'"));
            }
            return Ok(e);
        }
        match self.tokens.get(self.pos).cloned() {
            Some((_, Tok::Num(n))) => {
                self.pos += 1;
                Ok(CExpr::Num(n))
            }
            Some((_, Tok::Ident(s))) => {
                self.pos += 1;
                Ok(CExpr::Ident(s))
            }
            _ => Err(self.expected("a number, identifier or '('")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_and_values() {
        assert_eq!(eval_oparg("2 + (oparg & 1)", 3), Ok(3));
        assert_eq!(eval_oparg("2 + oparg & 1", 3), Ok(1)); // C: + binds tighter than &
        assert_eq!(eval_oparg("oparg*2", 7), Ok(14));
        assert_eq!(eval_oparg("1 + (oparg-1)", 5), Ok(5));
        assert_eq!(eval_oparg("(oparg >> 8) + (oparg & 0xFF)", 0x0302), Ok(5));
        assert_eq!(eval_oparg("((oparg & 1) ? 1 : 0) + 2", 1), Ok(3));
        assert_eq!(eval_oparg("oparg & 1 ? 4 : 2 + 1", 0), Ok(3));
        assert_eq!(eval_oparg("-1", 0), Ok(-1));
        assert_eq!(eval_oparg("(int)(oparg) - 1", 0), Ok(-1));
        assert_eq!(eval_oparg("oparg == 2 || oparg == 3", 3), Ok(1));
        assert_eq!(eval_oparg("10 - 4 - 3", 0), Ok(3)); // left associative
        assert_eq!(eval_oparg("010", 0), Ok(8));
    }

    #[test]
    fn errors_are_typed() {
        assert!(matches!(
            eval_oparg("x + 1", 0),
            Err(CExprError::UnknownIdent(n)) if n == "x"
        ));
        assert!(matches!(
            eval_oparg("1 +", 0),
            Err(CExprError::Expected { .. })
        ));
        assert!(matches!(
            eval_oparg("(1", 0),
            Err(CExprError::Expected { .. })
        ));
        assert!(matches!(
            eval_oparg("1 $ 2", 0),
            Err(CExprError::BadChar { .. })
        ));
        assert_eq!(eval_oparg("1 / (oparg - 1)", 1), Err(CExprError::DivByZero));
        assert!(matches!(
            eval_oparg("0x", 0),
            Err(CExprError::BadNumber { .. })
        ));
    }

    #[test]
    fn display_round_trips() {
        for text in [
            "2 + (oparg & 1)",
            "oparg & 1 ? 4 : 2 + 1",
            "-(oparg) * 3 >> 1",
        ] {
            let e = CExpr::parse(text).unwrap();
            let again = CExpr::parse(&e.to_string()).unwrap();
            for oparg in 0..=255 {
                assert_eq!(e.eval_oparg(oparg), again.eval_oparg(oparg), "{text}");
            }
        }
    }
}
