//! Symbolic stack offsets and the per-instruction stack effect, after CPython's `stack.py`.
//!
//! Sizes are C expressions over `oparg`, so offsets are kept as an integer plus lists of
//! added and subtracted size texts that cancel pairwise. Threading the parts of a macro
//! through one simulated stack reproduces CPython's `num_popped`/`num_pushed`: a value an op
//! pushes and the next op pops again never touches the caller's stack.

use super::StackItem;

/// `numeric + Σ positive - Σ negative`, with equal texts cancelled.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Offset {
    pub numeric: i64,
    pub positive: Vec<String>,
    pub negative: Vec<String>,
}

/// Adds parentheses around a size that contains an operator (CPython's
/// `maybe_parenthesize`: `*` alone is harmless there).
fn maybe_parenthesize(sym: &str) -> String {
    if sym.starts_with('(') && sym.ends_with(')') {
        return sym.to_string();
    }
    if sym
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '*' || c.is_whitespace())
    {
        sym.to_string()
    } else {
        format!("({sym})")
    }
}

impl Offset {
    fn from_size(size: &str) -> Offset {
        let txt = size.trim();
        if let Ok(i) = txt.parse::<i64>() {
            return Offset {
                numeric: i,
                ..Offset::default()
            };
        }
        let txt = txt.strip_prefix('+').unwrap_or(txt);
        match txt.strip_prefix('-') {
            Some(neg) => Offset {
                negative: vec![neg.to_string()],
                ..Offset::default()
            },
            None => Offset {
                positive: vec![txt.to_string()],
                ..Offset::default()
            },
        }
    }

    fn create(numeric: i64, mut positive: Vec<String>, mut negative: Vec<String>) -> Offset {
        positive.sort();
        negative.sort();
        let mut p_uniq = Vec::new();
        let mut n_uniq = Vec::new();
        while !positive.is_empty() && !negative.is_empty() {
            let (Some(p), Some(n)) = (positive.pop(), negative.pop()) else {
                break;
            };
            match p.cmp(&n) {
                std::cmp::Ordering::Greater => {
                    p_uniq.push(p);
                    negative.push(n);
                }
                std::cmp::Ordering::Less => {
                    n_uniq.push(n);
                    positive.push(p);
                }
                std::cmp::Ordering::Equal => {}
            }
        }
        positive.extend(p_uniq);
        negative.extend(n_uniq);
        Offset {
            numeric,
            positive,
            negative,
        }
    }

    pub fn add(&self, o: &Offset) -> Offset {
        Offset::create(
            self.numeric + o.numeric,
            [self.positive.clone(), o.positive.clone()].concat(),
            [self.negative.clone(), o.negative.clone()].concat(),
        )
    }

    pub fn sub(&self, o: &Offset) -> Offset {
        Offset::create(
            self.numeric - o.numeric,
            [self.positive.clone(), o.negative.clone()].concat(),
            [self.negative.clone(), o.positive.clone()].concat(),
        )
    }

    pub fn neg(&self) -> Offset {
        Offset {
            numeric: -self.numeric,
            positive: self.negative.clone(),
            negative: self.positive.clone(),
        }
    }

    /// The C text CPython prints (`2 + oparg`, `-1 - (oparg-1)`, `oparg*2`).
    pub fn to_c(&self) -> String {
        let mut sym = String::new();
        for item in &self.negative {
            sym.push_str(" - ");
            sym.push_str(&maybe_parenthesize(item));
        }
        for item in &self.positive {
            sym.push_str(" + ");
            sym.push_str(&maybe_parenthesize(item));
        }
        let res = if !sym.is_empty() && self.numeric == 0 {
            sym
        } else {
            format!("{}{sym}", self.numeric)
        };
        if let Some(r) = res.strip_prefix(" + ") {
            r.to_string()
        } else if let Some(r) = res.strip_prefix(" - ") {
            format!("-{r}")
        } else {
            res
        }
    }
}

/// The size text of a stack item: `1`, its array size, or for a conditional item the
/// conditional size (3.12/3.13 spelling, with CPython's special cases).
pub fn item_size(item: &StackItem) -> String {
    let size = item.size.clone().unwrap_or_else(|| "1".to_string());
    match item.cond.as_deref() {
        None => size,
        Some("0") => "0".into(),
        Some("1") => size,
        Some(c) if c == "oparg & 1" && item.size.is_none() => format!("({c})"),
        Some(c) => format!("(({c}) ? {size} : 0)"),
    }
}

/// Simulated stack of one instruction.
#[derive(Debug, Default)]
pub struct Stack {
    pub base: Offset,
    pub logical_sp: Offset,
    /// Items pushed by earlier parts and not yet popped: (is_array, size text).
    variables: Vec<(bool, Option<String>)>,
}

impl Stack {
    fn pop(&mut self, item: &StackItem) {
        if let Some((arr, size)) = self.variables.last() {
            if *arr != item.size.is_some() || *size != item.size {
                // Mismatch in shape: CPython flushes its cached values to memory here.
                self.variables.clear();
                self.base = self.logical_sp.clone();
            }
        }
        self.logical_sp = self.logical_sp.sub(&Offset::from_size(&item_size(item)));
        if self.variables.pop().is_some() {
            return;
        }
        self.base = self.logical_sp.clone();
    }

    fn push(&mut self, item: &StackItem) {
        self.variables
            .push((item.size.is_some(), item.size.clone()));
        self.logical_sp = self.logical_sp.add(&Offset::from_size(&item_size(item)));
    }

    /// Applies one part's `(inputs -- outputs)`.
    pub fn apply(&mut self, inputs: &[StackItem], outputs: &[StackItem]) {
        for i in inputs.iter().rev() {
            self.pop(i);
        }
        for o in outputs {
            self.push(o);
        }
    }

    /// `(popped, pushed)` as C expressions.
    pub fn effect(&self) -> (String, String) {
        (
            self.base.neg().to_c(),
            self.logical_sp.sub(&self.base).to_c(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::cexpr::eval_oparg;

    fn item(name: &str, size: Option<&str>, cond: Option<&str>) -> StackItem {
        StackItem {
            name: name.into(),
            size: size.map(str::to_string),
            cond: cond.map(str::to_string),
            peek: false,
            span: Default::default(),
        }
    }

    #[test]
    fn single_op_effects() {
        let mut s = Stack::default();
        s.apply(
            &[item("a", None, None), item("args", Some("oparg"), None)],
            &[item("res", None, None)],
        );
        assert_eq!(s.effect(), ("1 + oparg".to_string(), "1".to_string()));
        let mut s = Stack::default();
        s.apply(&[], &[item("v", Some("oparg*2"), None)]);
        assert_eq!(s.effect(), ("0".to_string(), "oparg*2".to_string()));
    }

    #[test]
    fn macro_threading_cancels_intermediate_values() {
        // op1 (a -- a, b); op2 (b -- c): caller sees a popped, a and c pushed.
        let mut s = Stack::default();
        s.apply(
            &[item("a", None, None)],
            &[item("a", None, None), item("b", None, None)],
        );
        s.apply(&[item("b", None, None)], &[item("c", None, None)]);
        assert_eq!(s.effect(), ("1".to_string(), "2".to_string()));
        // Shape mismatch flushes: (-- x) then (unused[oparg] --).
        let mut s = Stack::default();
        s.apply(&[], &[item("x", None, None)]);
        s.apply(&[item("u", Some("oparg"), None)], &[]);
        let (p, q) = s.effect();
        for oparg in 0..=255 {
            assert_eq!(eval_oparg(&p, oparg).unwrap(), oparg - 1, "{p}");
            assert_eq!(eval_oparg(&q, oparg).unwrap(), 0, "{q}");
        }
    }

    #[test]
    fn conditional_items_3_13() {
        let mut s = Stack::default();
        s.apply(
            &[item("owner", None, None)],
            &[
                item("attr", None, None),
                item("null", None, Some("oparg & 1")),
            ],
        );
        let (p, q) = s.effect();
        assert_eq!(p, "1");
        assert_eq!(eval_oparg(&q, 1).unwrap(), 2);
        assert_eq!(eval_oparg(&q, 2).unwrap(), 1);
    }
}
