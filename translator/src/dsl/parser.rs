//! Recursive-descent parser for the definitions of the DSL (the grammar of CPython's
//! `Tools/cases_generator/parsing.py`, as the union of 3.12–3.15). Bodies are not parsed
//! here: a body is the balanced token run from `{` to its `}`.

use super::ast::*;
use super::error::DslError;
use super::lexer::{tokenize, ANNOTATION_WORDS};
use super::token::{to_text, Span, Token, TokenKind};

/// The marker comments that delimit the definitions in a real `bytecodes.c`.
pub const BEGIN_MARKER: &str = "// BEGIN BYTECODES //";
pub const END_MARKER: &str = "// END BYTECODES //";

/// Annotations accepted before `inst`/`op`, in addition to CPython's annotation words.
const EXTRA_ANNOTATIONS: &[&str] = &["guard"];

/// Parses a whole DSL file. When the text has a `// BEGIN BYTECODES //` line only the
/// definitions between it and `// END BYTECODES //` (or the end of file) are parsed, as
/// CPython's generator does; otherwise the whole text is parsed (snippets, tests, fixtures).
pub fn parse(file: &SourceFile) -> Result<File, DslError> {
    let mut tokens = tokenize(&file.path, &file.text)?;
    let (begin, end) = definition_region(&tokens);
    let mut p = Parser {
        path: &file.path,
        src: &file.text,
        tokens: &tokens[..end],
        pos: begin,
        bodies: Vec::new(),
    };
    let mut parsed = p.file()?;
    let bodies = std::mem::take(&mut p.bodies);
    // Move each body's tokens into its `Body` (last body first, so every token moves once).
    let mut slots: Vec<&mut Body> = parsed
        .definitions
        .iter_mut()
        .filter_map(|d| match d {
            Definition::Inst(i) => Some(&mut i.body),
            Definition::Label(l) => Some(&mut l.body),
            _ => None,
        })
        .collect();
    debug_assert_eq!(slots.len(), bodies.len());
    for (body, (first, last)) in slots.iter_mut().zip(bodies).rev() {
        let mut taken = tokens.split_off(first);
        taken.truncate(last + 1 - first);
        body.tokens = taken;
    }
    Ok(parsed)
}

/// Token index range holding the definitions (see [`parse`]).
pub fn definition_region(tokens: &[Token]) -> (usize, usize) {
    let is_marker = |t: &Token, m: &str| t.kind == TokenKind::Comment && t.text.trim_end() == m;
    match tokens.iter().position(|t| is_marker(t, BEGIN_MARKER)) {
        None => (0, tokens.len()),
        Some(b) => {
            let end = tokens[b + 1..]
                .iter()
                .position(|t| is_marker(t, END_MARKER))
                .map_or(tokens.len(), |e| b + 1 + e);
            (b + 1, end)
        }
    }
}

struct Parser<'a> {
    path: &'a str,
    src: &'a str,
    tokens: &'a [Token],
    pos: usize,
    /// Token index ranges (inclusive) of the bodies parsed so far, in order; [`parse`] moves
    /// the tokens into the bodies afterwards instead of copying them.
    bodies: Vec<(usize, usize)>,
}

fn describe(t: &Token) -> String {
    match t.kind {
        TokenKind::Comment => "a comment".into(),
        TokenKind::Preprocessor => "a preprocessor line".into(),
        _ => format!("'{}'", t.text),
    }
}

impl<'a> Parser<'a> {
    // ---- token cursor -------------------------------------------------------------------

    /// Index of the next non-comment token at or after `pos`.
    fn next_index(&self, mut pos: usize) -> Option<usize> {
        while pos < self.tokens.len() {
            if self.tokens[pos].kind != TokenKind::Comment {
                return Some(pos);
            }
            pos += 1;
        }
        None
    }

    fn peek(&self) -> Option<&'a Token> {
        self.next_index(self.pos).map(|i| &self.tokens[i])
    }

    fn peek_nth(&self, n: usize) -> Option<&'a Token> {
        let mut i = self.next_index(self.pos)?;
        for _ in 0..n {
            i = self.next_index(i + 1)?;
        }
        Some(&self.tokens[i])
    }

    fn bump(&mut self) -> Option<&'a Token> {
        let i = self.next_index(self.pos)?;
        self.pos = i + 1;
        Some(&self.tokens[i])
    }

    fn at_punct(&self, p: &str) -> bool {
        self.peek().is_some_and(|t| t.is_punct(p))
    }

    fn eat_punct(&mut self, p: &str) -> bool {
        if self.at_punct(p) {
            self.bump();
            true
        } else {
            false
        }
    }

    /// Position just after the last token, for "unexpected end of input" errors.
    fn eof_span(&self) -> Span {
        match self.tokens.last() {
            Some(t) => Span {
                line: t.end_line,
                col: t.end_col,
                start: t.span.end,
                end: t.span.end,
            },
            None => Span {
                line: 1,
                col: 1,
                start: 0,
                end: 0,
            },
        }
    }

    fn err(&self, span: Span, msg: impl Into<String>) -> DslError {
        DslError::at(self.path, span, msg)
    }

    /// Error about the next token (or the end of input) not being what `what` describes.
    fn unexpected(&self, what: &str) -> DslError {
        match self.peek() {
            Some(t) => self.err(t.span, format!("expected {what}, found {}", describe(t))),
            None => self.err(
                self.eof_span(),
                format!("unexpected end of input, expected {what}"),
            ),
        }
    }

    fn expect_punct(&mut self, p: &str, context: &str) -> Result<&'a Token, DslError> {
        match self.peek() {
            Some(t) if t.is_punct(p) => {
                self.bump();
                Ok(t)
            }
            _ => Err(self.unexpected(&format!("'{p}' {context}"))),
        }
    }

    fn expect_ident(&mut self, what: &str) -> Result<Ident, DslError> {
        match self.peek() {
            Some(t) if t.kind == TokenKind::Identifier => {
                self.bump();
                Ok(Ident {
                    name: t.text.clone(),
                    span: t.span,
                })
            }
            _ => Err(self.unexpected(what)),
        }
    }

    // ---- definitions --------------------------------------------------------------------

    fn file(&mut self) -> Result<File, DslError> {
        let mut definitions = Vec::new();
        while self.peek().is_some() {
            definitions.push(self.definition()?);
        }
        Ok(File { definitions })
    }

    fn definition(&mut self) -> Result<Definition, DslError> {
        let Some(first) = self.peek() else {
            return Err(self.unexpected("a definition"));
        };
        let word_like = matches!(
            first.kind,
            TokenKind::Identifier | TokenKind::Keyword | TokenKind::Annotation
        );
        if !word_like {
            return Err(self.err(
                first.span,
                format!(
                    "expected a definition (inst, op, macro, family, pseudo, label), found {}",
                    describe(first)
                ),
            ));
        }
        match first.text.as_str() {
            "inst" | "op" => self.inst_def(Vec::new(), first.span),
            "macro" => self.macro_def().map(Definition::Macro),
            "family" => self.family_def().map(Definition::Family),
            "pseudo" => self.pseudo_def().map(Definition::Pseudo),
            "super" => self.super_def().map(Definition::Super),
            "label" | "spilled" => self.label_def().map(Definition::Label),
            w if is_annotation(w) => {
                let annotations = self.annotations()?;
                match self.peek() {
                    Some(t) if t.text == "inst" || t.text == "op" => {
                        self.inst_def(annotations, first.span)
                    }
                    Some(t) if !is_annotation(&t.text) && self.reaches_inst_or_op() => {
                        Err(self.err(t.span, format!("unknown annotation '{}'", t.text)))
                    }
                    _ => Err(self.unexpected("'inst' or 'op' after annotations")),
                }
            }
            w => {
                if self.reaches_inst_or_op() {
                    Err(self.err(first.span, format!("unknown annotation '{w}'")))
                } else {
                    Err(self.err(
                        first.span,
                        format!(
                            "unknown definition kind '{w}' (expected inst, op, macro, family, pseudo, label)"
                        ),
                    ))
                }
            }
        }
    }

    /// Whether the words from the cursor on (identifiers and `replicate(N)`-like groups) run
    /// into `inst`/`op`: then an unknown word is a misspelt annotation, not a definition.
    fn reaches_inst_or_op(&self) -> bool {
        let mut n = 0;
        while let Some(t) = self.peek_nth(n) {
            match t.kind {
                TokenKind::Keyword if t.text == "inst" || t.text == "op" => return n > 0,
                TokenKind::Identifier | TokenKind::Annotation => n += 1,
                TokenKind::Punct if t.text == "(" => {
                    let is_group = self
                        .peek_nth(n + 1)
                        .is_some_and(|x| x.kind == TokenKind::Number)
                        && self.peek_nth(n + 2).is_some_and(|x| x.is_punct(")"));
                    if !is_group {
                        return false;
                    }
                    n += 3;
                }
                _ => return false,
            }
            if n > 16 {
                return false;
            }
        }
        false
    }

    fn annotations(&mut self) -> Result<Vec<Annotation>, DslError> {
        let mut out = Vec::new();
        while let Some(t) = self.peek() {
            if !is_annotation(&t.text) {
                break;
            }
            self.bump();
            let (start, arg) = if t.text == "replicate" {
                self.expect_punct("(", "after 'replicate'")?;
                let first = self.replicate_number(t)?;
                let range = if self.eat_punct(":") {
                    let stop = self.replicate_number(t)?;
                    if stop < first {
                        return Err(
                            self.err(t.span, format!("empty replicate range {first}:{stop}"))
                        );
                    }
                    (Some(first), Some(stop))
                } else {
                    (None, Some(first))
                };
                self.expect_punct(")", "to close 'replicate('")?;
                range
            } else {
                (None, None)
            };
            out.push(Annotation {
                name: t.text.clone(),
                arg,
                start,
                span: t.span,
            });
        }
        Ok(out)
    }

    /// A count or bound in `replicate(N)` / `replicate(A:B)`.
    fn replicate_number(&mut self, at: &Token) -> Result<u32, DslError> {
        match self.peek() {
            Some(num) if num.kind == TokenKind::Number => {
                self.bump();
                let n = parse_int(&num.text).ok_or_else(|| {
                    self.err(num.span, format!("expected an integer, got '{}'", num.text))
                })?;
                u32::try_from(n)
                    .map_err(|_| self.err(at.span, format!("replicate count {n} is out of range")))
            }
            _ => Err(self.unexpected("a number in 'replicate(...)'")),
        }
    }

    fn inst_def(
        &mut self,
        annotations: Vec<Annotation>,
        span: Span,
    ) -> Result<Definition, DslError> {
        let kw = self.bump().map(|t| t.text.clone()).unwrap_or_default();
        self.expect_punct("(", &format!("after '{kw}'"))?;
        let name = self.expect_ident(&format!("a name after '{kw}('"))?;
        let (kind, inputs, outputs) = if self.eat_punct(",") {
            let (inputs, outputs) = self.io_effect(&name)?;
            self.expect_punct(")", &format!("after the stack effect of {}", name.name))?;
            let kind = if kw == "op" {
                InstKind::Op
            } else {
                InstKind::Inst
            };
            (kind, inputs, outputs)
        } else if kw == "inst" && self.at_punct(")") {
            self.bump();
            (InstKind::Legacy, Vec::new(), Vec::new())
        } else {
            return Err(self.unexpected(&format!("',' and a stack effect after {}", name.name)));
        };
        if !self.at_punct("{") {
            return Err(self.unexpected(&format!("'{{' to start the body of {}", name.name)));
        }
        let body = self.block(&name.name)?;
        Ok(Definition::Inst(InstDef {
            kind,
            annotations,
            name,
            inputs,
            outputs,
            body,
            span,
        }))
    }

    /// `( inputs -- outputs )`
    fn io_effect(&mut self, owner: &Ident) -> Result<(Vec<InputEffect>, Vec<StackItem>), DslError> {
        let ctx = format!("in the stack effect of {}", owner.name);
        self.expect_punct("(", &format!("to start the stack effect of {}", owner.name))?;
        let mut inputs = Vec::new();
        if !self.at_punct("--") {
            loop {
                inputs.push(self.input_effect(&ctx)?);
                if !self.eat_punct(",") {
                    break;
                }
            }
        }
        self.expect_punct("--", &ctx)?;
        let mut outputs = Vec::new();
        if !self.at_punct(")") {
            loop {
                outputs.push(self.stack_item(&ctx)?);
                if !self.eat_punct(",") {
                    break;
                }
            }
        }
        self.expect_punct(")", &format!("to end the stack effect of {}", owner.name))?;
        Ok((inputs, outputs))
    }

    fn input_effect(&mut self, ctx: &str) -> Result<InputEffect, DslError> {
        let is_cache = self.peek().is_some_and(Token::is_ident)
            && self.peek_nth(1).is_some_and(|t| t.is_punct("/"));
        if is_cache {
            let name = self.expect_ident("a cache entry name")?;
            self.bump();
            let size = self.signed_int("a cache entry size")?;
            Ok(InputEffect::Cache(CacheEffect {
                span: name.span,
                name,
                size,
            }))
        } else {
            self.stack_item(ctx).map(InputEffect::Stack)
        }
    }

    /// `['-'] NUMBER` as an `i32`.
    fn signed_int(&mut self, what: &str) -> Result<i32, DslError> {
        let negative = self.eat_punct("-");
        match self.peek() {
            Some(t) if t.kind == TokenKind::Number => {
                self.bump();
                let v = parse_int(&t.text)
                    .and_then(|v| i32::try_from(v).ok())
                    .ok_or_else(|| {
                        self.err(t.span, format!("expected an integer, got '{}'", t.text))
                    })?;
                Ok(if negative { -v } else { v })
            }
            _ => Err(self.unexpected(what)),
        }
    }

    /// `name [: type] [if (cond)] | name[size] | Type *name` (3.12).
    fn stack_item(&mut self, ctx: &str) -> Result<StackItem, DslError> {
        let first = match self.peek() {
            Some(t) if t.kind == TokenKind::Identifier => t,
            _ => return Err(self.unexpected(&format!("a stack item {ctx}"))),
        };
        let mut type_ = None;
        // 3.12 C-style declaration: `PyObject *name`, `PyObject **name`.
        let mut stars = 0;
        while self.peek_nth(1 + stars).is_some_and(|t| t.is_punct("*")) {
            stars += 1;
        }
        if stars > 0 && self.peek_nth(1 + stars).is_some_and(Token::is_ident) {
            self.bump();
            for _ in 0..stars {
                self.bump();
            }
            type_ = Some(format!("{} {}", first.text, "*".repeat(stars)));
        }
        let name = self.expect_ident("a stack item name")?;
        if type_.is_none() && self.eat_punct(":") {
            let ty = self.expect_ident("a type after ':'")?;
            let mut text = ty.name;
            let mut n = 0;
            while self.eat_punct("*") {
                text.push_str(if n == 0 { " *" } else { "*" });
                n += 1;
            }
            type_ = Some(text);
        }
        let mut cond = None;
        if self.peek().is_some_and(|t| t.is(TokenKind::Keyword, "if")) {
            self.bump();
            self.expect_punct("(", "after 'if' in a stack item")?;
            cond = Some(self.expression("a condition")?);
            self.expect_punct(")", "to close the condition")?;
        }
        let mut size = None;
        if let Some(open) = self.peek().filter(|t| t.is_punct("[")) {
            if type_.is_some() || cond.is_some() {
                return Err(self.err(
                    open.span,
                    format!(
                        "stack item '{}' cannot be an array and have a type or condition",
                        name.name
                    ),
                ));
            }
            self.bump();
            size = Some(self.expression("an array size")?);
            self.expect_punct("]", "to close the array size")?;
        }
        Ok(StackItem {
            span: first.span,
            name,
            type_,
            size,
            cond,
        })
    }

    /// Tokens up to the `)` or `]` that closes the enclosing bracket.
    fn expression(&mut self, what: &str) -> Result<CExpr, DslError> {
        let mut level = 1;
        let mut tokens = Vec::new();
        while let Some(t) = self.peek() {
            if t.is_punct("(") || t.is_punct("[") {
                level += 1;
            } else if t.is_punct(")") || t.is_punct("]") {
                level -= 1;
                if level == 0 {
                    break;
                }
            }
            if t.is_punct("{") || t.is_punct("}") || t.is_punct(";") {
                return Err(self.err(t.span, format!("unexpected {} in {what}", describe(t))));
            }
            tokens.push(t.clone());
            self.bump();
        }
        if self.peek().is_none() {
            return Err(self.unexpected(&format!("the end of {what}")));
        }
        let Some(first) = tokens.first() else {
            return Err(self.unexpected(what));
        };
        Ok(CExpr {
            text: to_text(&tokens).trim().to_owned(),
            span: first.span,
            tokens,
        })
    }

    fn macro_def(&mut self) -> Result<MacroDef, DslError> {
        let kw = self.bump().map(|t| t.span).unwrap_or_default();
        self.expect_punct("(", "after 'macro'")?;
        let name = self.expect_ident("a name after 'macro('")?;
        self.expect_punct(")", &format!("after macro name {}", name.name))?;
        self.expect_punct("=", &format!("after macro({})", name.name))?;
        let mut parts = Vec::new();
        loop {
            let part =
                self.expect_ident(&format!("an op name or cache entry in macro {}", name.name))?;
            if self.eat_punct("/") {
                let size = self.signed_int("a cache entry size")?;
                parts.push(MacroPart::Cache(CacheEffect {
                    span: part.span,
                    name: part,
                    size,
                }));
            } else {
                parts.push(MacroPart::Op(part));
            }
            if !self.eat_punct("+") {
                break;
            }
        }
        self.expect_punct(";", &format!("at the end of macro {}", name.name))?;
        Ok(MacroDef {
            name,
            parts,
            span: kw,
        })
    }

    fn super_def(&mut self) -> Result<SuperDef, DslError> {
        let kw = self.bump().map(|t| t.span).unwrap_or_default();
        self.expect_punct("(", "after 'super'")?;
        let name = self.expect_ident("a name after 'super('")?;
        self.expect_punct(")", &format!("after super name {}", name.name))?;
        self.expect_punct("=", &format!("after super({})", name.name))?;
        let mut ops = vec![self.expect_ident("an instruction name")?];
        while self.eat_punct("+") {
            ops.push(self.expect_ident("an instruction name after '+'")?);
        }
        self.expect_punct(";", &format!("at the end of super {}", name.name))?;
        Ok(SuperDef {
            name,
            ops,
            span: kw,
        })
    }

    fn family_def(&mut self) -> Result<FamilyDef, DslError> {
        let kw = self.bump().map(|t| t.span).unwrap_or_default();
        self.expect_punct("(", "after 'family'")?;
        let name = self.expect_ident("a name after 'family('")?;
        let mut size = String::new();
        if self.eat_punct(",") {
            match self.peek() {
                Some(t) if matches!(t.kind, TokenKind::Identifier | TokenKind::Number) => {
                    self.bump();
                    size = t.text.clone();
                }
                _ => return Err(self.unexpected("a cache size (identifier or number)")),
            }
        }
        self.expect_punct(")", &format!("after family({}", name.name))?;
        self.expect_punct("=", &format!("after family({})", name.name))?;
        self.expect_punct(
            "{",
            &format!("to start the members of family {}", name.name),
        )?;
        let members = self.members(&name, "}")?;
        self.expect_punct("}", &format!("to end the members of family {}", name.name))?;
        self.expect_punct(";", &format!("after family {}", name.name))?;
        Ok(FamilyDef {
            name,
            size,
            members,
            span: kw,
        })
    }

    /// `IDENT (, IDENT)* [,]` before `close`.
    fn members(&mut self, owner: &Ident, close: &str) -> Result<Vec<Ident>, DslError> {
        let mut members = vec![self.expect_ident(&format!("a member name of {}", owner.name))?];
        while self.eat_punct(",") {
            if self.at_punct(close) {
                break;
            }
            members.push(self.expect_ident(&format!("a member name of {}", owner.name))?);
        }
        if !self.at_punct(close) {
            return Err(self.unexpected(&format!("',' or '{close}' in {}", owner.name)));
        }
        Ok(members)
    }

    fn pseudo_def(&mut self) -> Result<PseudoDef, DslError> {
        let kw = self.bump().map(|t| t.span).unwrap_or_default();
        self.expect_punct("(", "after 'pseudo'")?;
        let name = self.expect_ident("a name after 'pseudo('")?;
        let mut has_stack_effect = false;
        let mut inputs = Vec::new();
        let mut outputs = Vec::new();
        let mut flags = Vec::new();
        if self.eat_punct(",") {
            if self.paren_group_has_dashes() {
                has_stack_effect = true;
                let (ins, outs) = self.io_effect(&name)?;
                for i in ins {
                    match i {
                        InputEffect::Stack(s) => inputs.push(s),
                        InputEffect::Cache(c) => {
                            return Err(self.err(
                                c.span,
                                format!(
                                    "pseudo instruction {} cannot have cache entries",
                                    name.name
                                ),
                            ))
                        }
                    }
                }
                outputs = outs;
                if self.eat_punct(",") {
                    flags = self.flags(&name)?;
                }
            } else {
                flags = self.flags(&name)?;
            }
        }
        self.expect_punct(")", &format!("after pseudo({}", name.name))?;
        self.expect_punct("=", &format!("after pseudo({})", name.name))?;
        let (as_sequence, close) = if self.eat_punct("{") {
            (false, "}")
        } else if self.eat_punct("[") {
            (true, "]")
        } else {
            return Err(self.unexpected(&format!("'{{' or '[' with the targets of {}", name.name)));
        };
        let targets = self.members(&name, close)?;
        self.expect_punct(close, &format!("to end the targets of {}", name.name))?;
        self.expect_punct(";", &format!("after pseudo {}", name.name))?;
        Ok(PseudoDef {
            name,
            has_stack_effect,
            inputs,
            outputs,
            flags,
            targets,
            as_sequence,
            span: kw,
        })
    }

    /// Whether the parenthesised group at the cursor contains `--` (a stack effect) rather
    /// than being a flag list.
    fn paren_group_has_dashes(&self) -> bool {
        if !self.at_punct("(") {
            return false;
        }
        let mut depth = 0usize;
        let mut n = 0;
        while let Some(t) = self.peek_nth(n) {
            if t.is_punct("(") {
                depth += 1;
            } else if t.is_punct(")") {
                depth -= 1;
                if depth == 0 {
                    return false;
                }
            } else if t.is_punct("--") && depth == 1 {
                return true;
            } else if t.is_punct(";") || t.is_punct("{") {
                return false;
            }
            n += 1;
        }
        false
    }

    /// `( FLAG (, FLAG)* )`
    fn flags(&mut self, owner: &Ident) -> Result<Vec<Ident>, DslError> {
        self.expect_punct("(", &format!("to start the flags of {}", owner.name))?;
        let mut flags = vec![self.expect_ident("a flag name")?];
        while self.eat_punct(",") {
            flags.push(self.expect_ident("a flag name")?);
        }
        self.expect_punct(")", &format!("to end the flags of {}", owner.name))?;
        Ok(flags)
    }

    fn label_def(&mut self) -> Result<LabelDef, DslError> {
        let first = self.bump().cloned();
        let span = first.as_ref().map(|t| t.span).unwrap_or_default();
        let spilled = first.as_ref().is_some_and(|t| t.text == "spilled");
        if spilled && self.peek().is_none_or(|t| t.text != "label") {
            return Err(self.unexpected("'label' after 'spilled'"));
        }
        if spilled {
            self.bump();
        }
        self.expect_punct("(", "after 'label'")?;
        let name = self.expect_ident("a name after 'label('")?;
        self.expect_punct(")", &format!("after label name {}", name.name))?;
        if !self.at_punct("{") {
            return Err(self.unexpected(&format!("'{{' to start the body of label {}", name.name)));
        }
        let body = self.block(&name.name)?;
        Ok(LabelDef {
            name,
            spilled,
            body,
            span,
        })
    }

    /// The balanced token run starting at the `{` under the cursor. Brackets must match by
    /// kind; comments and preprocessor lines are kept but do not count.
    fn block(&mut self, owner: &str) -> Result<Body, DslError> {
        let open_idx = self.next_index(self.pos).unwrap_or(self.pos);
        let open = &self.tokens[open_idx];
        let mut stack: Vec<&Token> = Vec::new();
        let mut i = open_idx;
        while i < self.tokens.len() {
            let t = &self.tokens[i];
            if t.kind == TokenKind::Punct {
                match t.text.as_str() {
                    "{" | "(" | "[" => stack.push(t),
                    "}" | ")" | "]" => {
                        let Some(o) = stack.pop() else {
                            return Err(self.err(t.span, format!("unexpected '{}'", t.text)));
                        };
                        let want = match o.text.as_str() {
                            "{" => "}",
                            "(" => ")",
                            _ => "]",
                        };
                        if t.text != want {
                            return Err(self.err(
                                t.span,
                                format!(
                                    "mismatched '{}' in the body of {owner}: expected '{want}' to close '{}' at {}:{}",
                                    t.text, o.text, o.span.line, o.span.col
                                ),
                            ));
                        }
                        if stack.is_empty() {
                            self.bodies.push((open_idx, i));
                            self.pos = i + 1;
                            return Ok(Body {
                                text: self.src[open.span.start..t.span.end].to_owned(),
                                span: open.span,
                                tokens: Vec::new(),
                            });
                        }
                    }
                    _ => {}
                }
            }
            i += 1;
        }
        let innermost = stack.last().copied().unwrap_or(open);
        let detail = if std::ptr::eq(innermost, open) {
            String::new()
        } else {
            format!(
                " ('{}' at {}:{} is not closed)",
                innermost.text, innermost.span.line, innermost.span.col
            )
        };
        Err(self.err(
            open.span,
            format!("unbalanced braces: the body of {owner} is never closed{detail}"),
        ))
    }
}

fn is_annotation(word: &str) -> bool {
    ANNOTATION_WORDS.contains(&word) || EXTRA_ANNOTATIONS.contains(&word)
}

/// A C integer literal (decimal, hex, octal; `u`/`l` suffixes ignored).
pub fn parse_int(text: &str) -> Option<i64> {
    let t = text.trim_end_matches(['u', 'U', 'l', 'L']);
    if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        i64::from_str_radix(hex, 16).ok()
    } else if t.len() > 1 && t.starts_with('0') {
        i64::from_str_radix(&t[1..], 8).ok()
    } else {
        t.parse().ok()
    }
}
