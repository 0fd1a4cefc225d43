//! Escaping-call analysis of C bodies, after CPython's `analyzer.py`.
//!
//! A call "escapes" when it may run arbitrary code (and so see or change the stack). CPython
//! decides this syntactically from a per-version allow-list, and the result drives
//! `HAS_ESCAPES_FLAG` and the rule that no escaping call may sit inside `DEOPT_IF(...)`.
//! 3.12/3.13 scan every `Py*`/`_Py*` call in the body; 3.14+ treat any non-macro call as
//! escaping and look at statements, so a trailing `ERROR_IF(true)` etc. does not count.

use crate::dsl::{Span, Token, TokenKind};

use super::Version;

/// A C statement of a body, as CPython's statement parser sees it (comments dropped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stmt {
    Block(Vec<Stmt>),
    /// Tokens up to and including the `;`.
    Simple(Vec<Token>),
    If {
        condition: Vec<Token>,
        body: Box<Stmt>,
        else_body: Option<Box<Stmt>>,
    },
    For {
        header: Vec<Token>,
        body: Box<Stmt>,
    },
    While {
        condition: Vec<Token>,
        body: Box<Stmt>,
    },
    /// `#if ... #else ... #endif`.
    MacroIf {
        directive: Token,
        body: Vec<Stmt>,
        else_body: Option<Vec<Stmt>>,
    },
}

/// A body the statement parser could not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct StmtError {
    pub span: Span,
    pub message: String,
}

struct StmtParser<'a> {
    toks: Vec<&'a Token>,
    pos: usize,
    /// Span used for errors at end of input.
    end: Span,
}

impl<'a> StmtParser<'a> {
    fn peek(&self) -> Option<&'a Token> {
        self.toks.get(self.pos).copied()
    }

    fn err(&self, message: impl Into<String>) -> StmtError {
        StmtError {
            span: self.peek().map_or(self.end, |t| t.span),
            message: message.into(),
        }
    }

    fn expect_punct(&mut self, p: &str) -> Result<&'a Token, StmtError> {
        match self.peek() {
            Some(t) if t.is_punct(p) => {
                self.pos += 1;
                Ok(t)
            }
            _ => Err(self.err(format!("expected '{p}'"))),
        }
    }

    /// `( ... )` with nesting; returns the tokens inside.
    fn parenthesized(&mut self) -> Result<Vec<Token>, StmtError> {
        self.expect_punct("(")?;
        let mut depth = 1;
        let mut out = Vec::new();
        while let Some(t) = self.peek() {
            self.pos += 1;
            if t.is_punct("(") {
                depth += 1;
            } else if t.is_punct(")") {
                depth -= 1;
                if depth == 0 {
                    return Ok(out);
                }
            }
            out.push(t.clone());
        }
        Err(self.err("unbalanced '('"))
    }

    fn directive(t: &Token) -> &str {
        t.text
            .trim_start_matches('#')
            .trim_start()
            .split(|c: char| !c.is_ascii_alphanumeric())
            .next()
            .unwrap_or("")
    }

    fn stmt(&mut self) -> Result<Stmt, StmtError> {
        let Some(t) = self.peek() else {
            return Err(self.err("expected a statement"));
        };
        if t.is_punct("{") {
            self.pos += 1;
            let mut body = Vec::new();
            loop {
                match self.peek() {
                    Some(t) if t.is_punct("}") => {
                        self.pos += 1;
                        return Ok(Stmt::Block(body));
                    }
                    Some(_) => body.push(self.stmt()?),
                    None => return Err(self.err("unbalanced '{'")),
                }
            }
        }
        if t.kind == TokenKind::Keyword {
            match t.text.as_str() {
                "if" => {
                    self.pos += 1;
                    let condition = self.parenthesized()?;
                    let body = Box::new(self.stmt()?);
                    let else_body = match self.peek() {
                        Some(e) if e.is(TokenKind::Keyword, "else") => {
                            self.pos += 1;
                            Some(Box::new(self.stmt()?))
                        }
                        _ => None,
                    };
                    return Ok(Stmt::If {
                        condition,
                        body,
                        else_body,
                    });
                }
                "for" => {
                    self.pos += 1;
                    let header = self.parenthesized()?;
                    let body = Box::new(self.stmt()?);
                    return Ok(Stmt::For { header, body });
                }
                "while" => {
                    self.pos += 1;
                    let condition = self.parenthesized()?;
                    let body = Box::new(self.stmt()?);
                    return Ok(Stmt::While { condition, body });
                }
                "do" => {
                    // `do S while (c);` is treated as a loop over S.
                    self.pos += 1;
                    let body = Box::new(self.stmt()?);
                    match self.peek() {
                        Some(w) if w.is(TokenKind::Keyword, "while") => self.pos += 1,
                        _ => return Err(self.err("expected 'while' after 'do' body")),
                    }
                    let condition = self.parenthesized()?;
                    self.expect_punct(";")?;
                    return Ok(Stmt::While { condition, body });
                }
                _ => {}
            }
        }
        if t.kind == TokenKind::Preprocessor {
            let d = Self::directive(t);
            if matches!(d, "if" | "ifdef" | "ifndef") {
                self.pos += 1;
                return self.macro_if(t.clone());
            }
        }
        self.simple()
    }

    fn macro_if(&mut self, directive: Token) -> Result<Stmt, StmtError> {
        let mut body = Vec::new();
        let mut else_body: Option<Vec<Stmt>> = None;
        loop {
            let Some(t) = self.peek() else {
                return Err(self.err(format!("unterminated '{}'", directive.text.trim())));
            };
            if t.kind == TokenKind::Preprocessor {
                match Self::directive(t) {
                    "endif" => {
                        self.pos += 1;
                        return Ok(Stmt::MacroIf {
                            directive,
                            body,
                            else_body,
                        });
                    }
                    "else" | "elif" => {
                        self.pos += 1;
                        else_body = Some(Vec::new());
                        continue;
                    }
                    "if" | "ifdef" | "ifndef" => {}
                    _ => {
                        self.pos += 1;
                        continue;
                    }
                }
            }
            let s = self.stmt()?;
            match else_body.as_mut() {
                Some(e) => e.push(s),
                None => body.push(s),
            }
        }
    }

    /// Tokens up to a `;` at nesting depth 0 (initialisers may contain braces).
    fn simple(&mut self) -> Result<Stmt, StmtError> {
        let mut out = Vec::new();
        let mut depth = 0i32;
        while let Some(t) = self.peek() {
            if depth == 0 && t.is_punct("}") {
                // A statement without `;` before the closing brace (e.g. a macro call).
                return Ok(Stmt::Simple(out));
            }
            if t.kind == TokenKind::Preprocessor && depth == 0 && !out.is_empty() {
                return Ok(Stmt::Simple(out));
            }
            self.pos += 1;
            if t.kind == TokenKind::Preprocessor {
                // A stray directive (`#define` in a body) is its own statement.
                out.push(t.clone());
                return Ok(Stmt::Simple(out));
            }
            if t.is_punct("(") || t.is_punct("[") || t.is_punct("{") {
                depth += 1;
            } else if t.is_punct(")") || t.is_punct("]") || t.is_punct("}") {
                depth -= 1;
            }
            out.push(t.clone());
            if depth == 0 && t.is_punct(";") {
                return Ok(Stmt::Simple(out));
            }
        }
        Err(self.err("statement not terminated by ';'"))
    }
}

/// Parses a body (`{` ... `}` tokens, comments allowed) into one block statement.
pub fn parse_body(tokens: &[Token]) -> Result<Stmt, StmtError> {
    let toks: Vec<&Token> = tokens
        .iter()
        .filter(|t| t.kind != TokenKind::Comment)
        .collect();
    let end = tokens.last().map(|t| t.span).unwrap_or_default();
    let mut p = StmtParser { toks, pos: 0, end };
    let s = p.stmt()?;
    if p.pos != p.toks.len() {
        return Err(p.err("text after the end of the body"));
    }
    Ok(s)
}

impl Stmt {
    /// Visits every statement, outermost first.
    pub fn visit(&self, f: &mut dyn FnMut(&Stmt)) {
        f(self);
        match self {
            Stmt::Block(b) => b.iter().for_each(|s| s.visit(f)),
            Stmt::Simple(_) => {}
            Stmt::If {
                body, else_body, ..
            } => {
                body.visit(f);
                if let Some(e) = else_body {
                    e.visit(f);
                }
            }
            Stmt::For { body, .. } | Stmt::While { body, .. } => body.visit(f),
            Stmt::MacroIf {
                body, else_body, ..
            } => {
                body.iter().for_each(|s| s.visit(f));
                if let Some(e) = else_body {
                    e.iter().for_each(|s| s.visit(f));
                }
            }
        }
    }
}

/// One escaping call: the called name (or the `)`/`]` before a computed call), the first
/// token of its statement, and for `PyStackRef_CLOSE(x)` the variable it kills.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscapingCall {
    pub call: Token,
    pub stmt_start: Option<Token>,
    pub kills: Option<Token>,
}

/// Functions that do not escape, per version. 3.12/3.13 only consider `Py*`/`_Py*` names, so
/// their lists are short; 3.14 switched to "every call escapes unless listed".
pub fn non_escaping_functions(version: Version) -> Vec<&'static str> {
    match version {
        Version::V3_12 | Version::V3_13 => NON_ESCAPING_3_13.to_vec(),
        Version::V3_14 => [NON_ESCAPING_3_14_ONLY, NON_ESCAPING_3_14].concat(),
        Version::V3_15 => NON_ESCAPING_3_14.to_vec(),
    }
}

/// Names 3.14 allow-lists that 3.15 dropped (renamed in 3.15's stackref API).
const NON_ESCAPING_3_14_ONLY: &[&str] = &["PyStackRef_FromPyObjectImmortal"];

/// 3.13.0's list (`makes_escaping_api_call` era); 3.12 used the same scan.
const NON_ESCAPING_3_13: &[&str] = &[
    "Py_INCREF",
    "_PyManagedDictPointer_IsValues",
    "_PyObject_GetManagedDict",
    "_PyObject_ManagedDictPointer",
    "_PyObject_InlineValues",
    "_PyDictValues_AddToInsertionOrder",
    "Py_DECREF",
    "Py_XDECREF",
    "_Py_DECREF_SPECIALIZED",
    "DECREF_INPUTS_AND_REUSE_FLOAT",
    "PyUnicode_Append",
    "_PyLong_IsZero",
    "Py_SIZE",
    "Py_TYPE",
    "PyList_GET_ITEM",
    "PyList_SET_ITEM",
    "PyTuple_GET_ITEM",
    "PyList_GET_SIZE",
    "PyTuple_GET_SIZE",
    "Py_ARRAY_LENGTH",
    "Py_Unicode_GET_LENGTH",
    "PyUnicode_READ_CHAR",
    "_Py_SINGLETON",
    "PyUnicode_GET_LENGTH",
    "_PyLong_IsCompact",
    "_PyLong_IsNonNegativeCompact",
    "_PyLong_CompactValue",
    "_PyLong_DigitCount",
    "_Py_NewRef",
    "_Py_IsImmortal",
    "PyLong_FromLong",
    "_Py_STR",
    "_PyLong_Add",
    "_PyLong_Multiply",
    "_PyLong_Subtract",
    "Py_NewRef",
    "_PyList_ITEMS",
    "_PyTuple_ITEMS",
    "_PyList_AppendTakeRef",
    "_Py_atomic_load_uintptr_relaxed",
    "_PyFrame_GetCode",
    "_PyThreadState_HasStackSpace",
    "_PyUnicode_Equal",
    "_PyFrame_SetStackPointer",
    "_PyType_HasFeature",
    "PyUnicode_Concat",
    "_PyList_FromArraySteal",
    "_PyTuple_FromArraySteal",
    "PySlice_New",
    "_Py_LeaveRecursiveCallPy",
    "CALL_STAT_INC",
    "STAT_INC",
    "maybe_lltrace_resume_frame",
    "_PyUnicode_JoinArray",
    "_PyEval_FrameClearAndPop",
    "_PyFrame_StackPush",
    "PyCell_New",
    "PyFloat_AS_DOUBLE",
    "_PyFrame_PushUnchecked",
    "Py_FatalError",
];

/// 3.12/3.13: calls that escape although they are not `Py*` names.
const ESCAPING_3_13: &[&str] = &["import_name", "import_from", "tp_vectorcall"];

/// 3.14's list, shared with 3.15.
const NON_ESCAPING_3_14: &[&str] = &[
    "PyCFunction_GET_FLAGS",
    "PyCFunction_GET_FUNCTION",
    "PyCFunction_GET_SELF",
    "PyCell_GetRef",
    "PyCell_New",
    "PyCell_SwapTakeRef",
    "PyExceptionInstance_Class",
    "PyException_GetCause",
    "PyException_GetContext",
    "PyException_GetTraceback",
    "PyFloat_AS_DOUBLE",
    "PyFloat_FromDouble",
    "PyFunction_GET_CODE",
    "PyFunction_GET_GLOBALS",
    "PyList_GET_ITEM",
    "PyList_GET_SIZE",
    "PyList_SET_ITEM",
    "PyLong_AsLong",
    "PyLong_FromLong",
    "PyLong_FromSsize_t",
    "PySlice_New",
    "PyStackRef_AsPyObjectBorrow",
    "PyStackRef_AsPyObjectNew",
    "PyStackRef_FromPyObjectNewMortal",
    "PyStackRef_AsPyObjectSteal",
    "PyStackRef_Borrow",
    "PyStackRef_CLEAR",
    "PyStackRef_CLOSE_SPECIALIZED",
    "PyStackRef_DUP",
    "PyStackRef_False",
    "PyStackRef_FromPyObjectBorrow",
    "PyStackRef_FromPyObjectNew",
    "PyStackRef_FromPyObjectSteal",
    "PyStackRef_IsExactly",
    "PyStackRef_FromPyObjectStealMortal",
    "PyStackRef_IsNone",
    "PyStackRef_Is",
    "PyStackRef_IsHeapSafe",
    "PyStackRef_IsTrue",
    "PyStackRef_IsFalse",
    "PyStackRef_IsNull",
    "PyStackRef_MakeHeapSafe",
    "PyStackRef_None",
    "PyStackRef_RefcountOnObject",
    "PyStackRef_TYPE",
    "PyStackRef_True",
    "PyTuple_GET_ITEM",
    "PyTuple_GET_SIZE",
    "PyType_HasFeature",
    "PyUnicode_Concat",
    "PyUnicode_GET_LENGTH",
    "PyUnicode_READ_CHAR",
    "Py_ARRAY_LENGTH",
    "Py_FatalError",
    "Py_INCREF",
    "Py_IS_TYPE",
    "Py_NewRef",
    "Py_REFCNT",
    "Py_SIZE",
    "Py_TYPE",
    "Py_UNREACHABLE",
    "Py_Unicode_GET_LENGTH",
    "_PyCode_CODE",
    "_PyDictValues_AddToInsertionOrder",
    "_PyErr_Occurred",
    "_PyFloat_FromDouble_ConsumeInputs",
    "_PyFrame_GetBytecode",
    "_PyFrame_GetCode",
    "_PyFrame_IsIncomplete",
    "_PyFrame_PushUnchecked",
    "_PyFrame_SetStackPointer",
    "_PyFrame_StackPush",
    "_PyFunction_SetVersion",
    "_PyGen_GetGeneratorFromFrame",
    "_PyInterpreterState_GET",
    "_PyList_AppendTakeRef",
    "_PyList_ITEMS",
    "_PyLong_CompactValue",
    "_PyLong_DigitCount",
    "_PyLong_IsCompact",
    "_PyLong_IsNegative",
    "_PyLong_IsNonNegativeCompact",
    "_PyLong_IsZero",
    "_PyLong_BothAreCompact",
    "_PyCompactLong_Add",
    "_PyCompactLong_Multiply",
    "_PyCompactLong_Subtract",
    "_PyManagedDictPointer_IsValues",
    "_PyObject_GC_IS_SHARED",
    "_PyObject_GC_IS_TRACKED",
    "_PyObject_GC_MAY_BE_TRACKED",
    "_PyObject_GC_TRACK",
    "_PyObject_GetManagedDict",
    "_PyObject_InlineValues",
    "_PyObject_IsUniquelyReferenced",
    "_PyObject_ManagedDictPointer",
    "_PyThreadState_HasStackSpace",
    "_PyTuple_FromStackRefStealOnSuccess",
    "_PyTuple_ITEMS",
    "_PyType_HasFeature",
    "_PyType_NewManagedObject",
    "_PyUnicode_Equal",
    "_PyUnicode_JoinArray",
    "_Py_CHECK_EMSCRIPTEN_SIGNALS_PERIODICALLY",
    "_Py_DECREF_NO_DEALLOC",
    "_Py_ID",
    "_Py_IsImmortal",
    "_Py_IsOwnedByCurrentThread",
    "_Py_LeaveRecursiveCallPy",
    "_Py_LeaveRecursiveCallTstate",
    "_Py_NewRef",
    "_Py_SINGLETON",
    "_Py_STR",
    "_Py_TryIncrefCompare",
    "_Py_TryIncrefCompareStackRef",
    "_Py_atomic_compare_exchange_uint8",
    "_Py_atomic_load_ptr_acquire",
    "_Py_atomic_load_uintptr_relaxed",
    "_Py_set_eval_breaker_bit",
    "advance_backoff_counter",
    "assert",
    "backoff_counter_triggers",
    "initial_temperature_backoff_counter",
    "JUMP_TO_LABEL",
    "restart_backoff_counter",
    "_Py_ReachedRecursionLimit",
    "PyStackRef_IsTaggedInt",
    "PyStackRef_TagInt",
    "PyStackRef_UntagInt",
    "PyStackRef_IncrementTaggedIntNoOverflow",
    "PyStackRef_IsNullOrInt",
    "PyStackRef_IsError",
    "PyStackRef_IsValid",
    "PyStackRef_Wrap",
    "PyStackRef_Unwrap",
    "_PyLong_CheckExactAndCompact",
    "_PyThreadState_PopCStackRefSteal",
];

/// Name-based filters shared by all versions: type checks and `Py_Is*` never escape.
fn name_never_escapes(name: &str, version: Version) -> bool {
    name.ends_with("Check")
        || name.starts_with("Py_Is")
        || name.ends_with("CheckExact")
        || is_listed(name, version)
}

/// Allow-list membership, through a set built once per version.
fn is_listed(name: &str, version: Version) -> bool {
    use std::collections::HashSet;
    use std::sync::OnceLock;
    static SETS: [OnceLock<HashSet<&'static str>>; 4] = [
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
    ];
    let i = match version {
        Version::V3_12 => 0,
        Version::V3_13 => 1,
        Version::V3_14 => 2,
        Version::V3_15 => 3,
    };
    SETS[i]
        .get_or_init(|| non_escaping_functions(version).into_iter().collect())
        .contains(name)
}

/// Token-based scan (3.12–3.14): every call in the body that the version's filter keeps, with
/// the first token of its statement (after the previous `;`, `{` or `}`).
///
/// 3.12/3.13 walk the tokens in a peculiar way that is reproduced here: after every
/// identifier the next token is consumed, so a call is only seen when its name is not itself
/// the token right after another identifier.
fn escaping_calls_by_tokens(
    tokens: &[Token],
    version: Version,
) -> Result<Vec<EscapingCall>, StmtError> {
    let toks: Vec<&Token> = tokens
        .iter()
        .filter(|t| t.kind != TokenKind::Comment)
        .collect();
    let mut out = Vec::new();
    let legacy = version < Version::V3_14;
    let mut i = 0;
    while i < toks.len() {
        let at = i;
        let t = toks[i];
        let Some(next) = toks.get(i + 1) else { break };
        let escaping = if legacy {
            if t.kind != TokenKind::Identifier {
                i += 1;
                continue;
            }
            // The following token is consumed whatever it is.
            i += 2;
            if !next.is_punct("(") {
                continue;
            }
            let name = t.text.as_str();
            ESCAPING_3_13.contains(&name)
                || ((name.starts_with("Py") || name.starts_with("_Py"))
                    && !name_never_escapes(name, version))
        } else {
            i += 1;
            if !next.is_punct("(") {
                continue;
            }
            let prev = (i >= 2).then(|| toks[i - 2]);
            call_escapes_3_14(t, prev, version)
        };
        if !escaping {
            continue;
        }
        let kills = if legacy {
            None
        } else {
            closed_variable(t, next, toks.get(at + 2).copied())?
        };
        let start = toks[..at]
            .iter()
            .rposition(|p| p.is_punct(";") || p.is_punct("{") || p.is_punct("}"))
            .map_or(0, |p| p + 1);
        out.push(EscapingCall {
            call: t.clone(),
            stmt_start: toks.get(start).map(|s| (*s).clone()),
            kills,
        });
    }
    Ok(out)
}

/// 3.14+'s filter for a token followed by `(`: a non-macro function name that is not
/// allow-listed, or a computed callee (`x[i](...)`, `(f)(...)` that is not a cast).
fn call_escapes_3_14(tkn: &Token, prev: Option<&Token>, version: Version) -> bool {
    if tkn.kind == TokenKind::Identifier {
        let name = tkn.text.as_str();
        // Python's `name.upper() == name`: no lowercase letter means a macro.
        !(!name.bytes().any(|b| b.is_ascii_lowercase())
            || name.starts_with("sym_")
            || name.starts_with("optimize_")
            || name.starts_with("PyJitRef")
            || name_never_escapes(name, version))
    } else if tkn.is_punct(")") {
        !prev.is_some_and(|p| p.text.ends_with("_t") || p.text == "*" || p.text == "int")
    } else {
        tkn.is_punct("]")
    }
}

/// For `PyStackRef_CLOSE(x)`/`PyStackRef_XCLOSE(x)`: the variable `x` it kills.
fn closed_variable(
    tkn: &Token,
    next: &Token,
    arg: Option<&Token>,
) -> Result<Option<Token>, StmtError> {
    if tkn.text != "PyStackRef_CLOSE" && tkn.text != "PyStackRef_XCLOSE" {
        return Ok(None);
    }
    let k = arg.ok_or_else(|| StmtError {
        span: next.span,
        message: "Unexpected end of file".into(),
    })?;
    if k.kind != TokenKind::Identifier {
        return Err(StmtError {
            span: k.span,
            message: format!("Expected identifier, got '{}'", k.text),
        });
    }
    Ok(Some(k.clone()))
}

/// 3.14+: the escaping call of one simple statement (CPython keeps the last one found).
pub fn escaping_call_in_simple_stmt(
    tokens: &[Token],
    version: Version,
) -> Result<Option<EscapingCall>, StmtError> {
    let mut found = None;
    for (idx, tkn) in tokens.iter().enumerate() {
        let Some(next) = tokens.get(idx + 1) else {
            break;
        };
        if !next.is_punct("(") {
            continue;
        }
        let prev = idx.checked_sub(1).and_then(|p| tokens.get(p));
        if !call_escapes_3_14(tkn, prev, version) {
            continue;
        }
        let kills = closed_variable(tkn, next, tokens.get(idx + 2))?;
        found = Some(EscapingCall {
            call: tkn.clone(),
            stmt_start: tokens.first().cloned(),
            kills,
        });
    }
    Ok(found)
}

/// Every escaping call of a body, in source order.
pub fn find_escaping_calls(
    body: &[Token],
    stmt: &Stmt,
    version: Version,
) -> Result<Vec<EscapingCall>, StmtError> {
    if version < Version::V3_15 {
        return escaping_calls_by_tokens(body, version);
    }
    let mut out = Vec::new();
    let mut err = None;
    stmt.visit(&mut |s| {
        if let Stmt::Simple(tokens) = s {
            match escaping_call_in_simple_stmt(tokens, version) {
                Ok(Some(c)) => out.push(c),
                Ok(None) => {}
                Err(e) => {
                    err.get_or_insert(e);
                }
            }
        }
    });
    match err {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

/// Macros whose argument is a condition that must not escape (3.15).
const CONDITION_MACROS: [&str; 5] = [
    "DEOPT_IF",
    "ERROR_IF",
    "EXIT_IF",
    "HANDLE_PENDING_AND_DEOPT_IF",
    "AT_END_EXIT_IF",
];

/// The first escaping call that sits inside the condition of `DEOPT_IF`/`ERROR_IF`/`EXIT_IF`
/// (or of an `if`), which CPython (3.14+) rejects: the exit would leave with a half-made side
/// effect. As in CPython, only the last escaping call of each statement is considered.
pub fn escaping_call_in_condition<'a>(
    body: &[Token],
    stmt: &Stmt,
    calls: &'a [EscapingCall],
    version: Version,
) -> Option<&'a Token> {
    if version < Version::V3_14 {
        return None;
    }
    // Last call per statement start.
    let mut last: Vec<&'a EscapingCall> = Vec::new();
    for c in calls {
        let key = c.stmt_start.as_ref().map(|t| t.span);
        match last
            .iter_mut()
            .find(|l| l.stmt_start.as_ref().map(|t| t.span) == key)
        {
            Some(l) => *l = c,
            None => last.push(c),
        }
    }
    let is_call = |t: &Token| last.iter().map(|c| &c.call).find(|c| c.span == t.span);
    if version == Version::V3_14 {
        let mut in_if = 0;
        let mut iter = body.iter().filter(|t| t.kind != TokenKind::Comment);
        while let Some(t) = iter.next() {
            let opens_condition = t.is(TokenKind::Keyword, "if")
                || (t.kind == TokenKind::Identifier
                    && ["DEOPT_IF", "ERROR_IF", "EXIT_IF"].contains(&t.text.as_str()));
            if opens_condition {
                iter.next();
                in_if = 1;
            } else if t.is_punct("(") {
                if in_if > 0 {
                    in_if += 1;
                }
            } else if t.is_punct(")") {
                if in_if > 0 {
                    in_if -= 1;
                }
            } else if in_if > 0 {
                if let Some(c) = is_call(t) {
                    return Some(c);
                }
            }
        }
        return None;
    }
    let mut error: Option<&'a Token> = None;
    stmt.visit(&mut |s| match s {
        Stmt::If { condition, .. } | Stmt::While { condition, .. } => {
            for t in condition {
                if let Some(c) = is_call(t) {
                    error = Some(c);
                }
            }
        }
        Stmt::Simple(tokens) => {
            let mut in_if = 0;
            let mut iter = tokens.iter();
            while let Some(t) = iter.next() {
                if t.kind == TokenKind::Identifier && CONDITION_MACROS.contains(&t.text.as_str()) {
                    in_if = 1;
                    iter.next();
                } else if t.is_punct("(") {
                    if in_if > 0 {
                        in_if += 1;
                    }
                } else if t.is_punct(")") {
                    if in_if > 0 {
                        in_if -= 1;
                    }
                } else if in_if > 0 {
                    if let Some(c) = is_call(t) {
                        error = Some(c);
                    }
                }
            }
        }
        _ => {}
    });
    error
}

fn is_simple_exit(stmt: &Stmt) -> bool {
    let Stmt::Simple(t) = stmt else {
        return false;
    };
    t.len() >= 4
        && ["ERROR_IF", "DEOPT_IF", "EXIT_IF", "AT_END_EXIT_IF"].contains(&t[0].text.as_str())
        && t[1].is_punct("(")
        && (t[2].text == "true" || t[2].text == "1")
        && t[3].is_punct(")")
}

fn stmt_list_escapes(stmts: &[Stmt], version: Version) -> bool {
    match stmts.last() {
        None => false,
        Some(last) if is_simple_exit(last) => false,
        Some(_) => stmts.iter().any(|s| stmt_escapes(s, version)),
    }
}

/// 3.15's `stmt_escapes`: whether executing the statement may escape. A statement list that
/// ends in an unconditional exit does not count, because the exit path spills the stack.
pub fn stmt_escapes(stmt: &Stmt, version: Version) -> bool {
    match stmt {
        Stmt::Block(b) => stmt_list_escapes(b, version),
        Stmt::Simple(tokens) => {
            tokens.iter().any(|t| t.text == "DECREF_INPUTS")
                || matches!(
                    escaping_call_in_simple_stmt(tokens, version),
                    Ok(Some(_)) | Err(_)
                )
        }
        Stmt::If {
            body, else_body, ..
        } => {
            else_body.as_ref().is_some_and(|e| stmt_escapes(e, version))
                || stmt_escapes(body, version)
        }
        Stmt::MacroIf {
            body, else_body, ..
        } => {
            else_body
                .as_ref()
                .is_some_and(|e| stmt_list_escapes(e, version))
                || stmt_list_escapes(body, version)
        }
        Stmt::For { body, .. } | Stmt::While { body, .. } => stmt_escapes(body, version),
    }
}

/// Whether the body of op `name` escapes, by the rule of `version`. 3.12/3.13 also
/// special-case ops by name (intrinsics and `_BINARY_OP` call through function tables).
pub fn body_escapes(name: &str, stmt: &Stmt, calls: &[EscapingCall], version: Version) -> bool {
    if version >= Version::V3_15 {
        stmt_escapes(stmt, version)
    } else if version <= Version::V3_13 && (name.contains("CALL_INTRINSIC") || name == "_BINARY_OP")
    {
        true
    } else {
        !calls.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsl::tokenize;

    fn body(src: &str) -> Vec<Token> {
        tokenize("t.c", src).unwrap()
    }

    #[test]
    fn statements_and_escapes_3_14() {
        let toks = body("{ int x = 1; if (x) { foo(x); } else bar(); ERROR_IF(true); }");
        let s = parse_body(&toks).unwrap();
        let Stmt::Block(b) = &s else { panic!("{s:?}") };
        assert_eq!(b.len(), 3);
        assert!(matches!(b[1], Stmt::If { .. }));
        // Ends with an unconditional exit: does not escape.
        assert!(!stmt_escapes(&s, Version::V3_15));
        let s2 = parse_body(&body("{ foo(x); }")).unwrap();
        assert!(stmt_escapes(&s2, Version::V3_15));
        // Macros (all caps), allow-listed names and casts do not escape.
        let s3 = parse_body(&body(
            "{ STAT_INC(X, hit); y = Py_TYPE(o); z = (uint32_t)(w); }",
        ))
        .unwrap();
        assert!(!stmt_escapes(&s3, Version::V3_15));
        let calls = find_escaping_calls(&body("{ foo(x); }"), &s2, Version::V3_14).unwrap();
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].call.text, "foo");
    }

    #[test]
    fn escaping_call_inside_deopt_if_is_found() {
        let toks = body("{ DEOPT_IF(PyObject_IsTrue(x)); }");
        let s = parse_body(&toks).unwrap();
        for v in [Version::V3_14, Version::V3_15] {
            let calls = find_escaping_calls(&toks, &s, v).unwrap();
            let bad = escaping_call_in_condition(&toks, &s, &calls, v).unwrap();
            assert_eq!(bad.text, "PyObject_IsTrue");
        }
        let ok = body("{ DEOPT_IF(Py_TYPE(x) != t); }");
        let so = parse_body(&ok).unwrap();
        let calls = find_escaping_calls(&ok, &so, Version::V3_14).unwrap();
        assert!(escaping_call_in_condition(&ok, &so, &calls, Version::V3_14).is_none());
        // 3.14 also rejects escaping calls in `if` conditions.
        let cond = body("{ if (PyObject_IsTrue(x)) { y = 1; } }");
        let sc = parse_body(&cond).unwrap();
        let calls = find_escaping_calls(&cond, &sc, Version::V3_14).unwrap();
        assert!(escaping_call_in_condition(&cond, &sc, &calls, Version::V3_14).is_some());
    }

    #[test]
    fn legacy_rule_only_looks_at_py_names() {
        let toks = body("{ foo(x); Py_DECREF(x); PyObject_GetAttr(a, b); import_name(n); }");
        let s = parse_body(&toks).unwrap();
        let calls = find_escaping_calls(&toks, &s, Version::V3_13).unwrap();
        let names: Vec<&str> = calls.iter().map(|c| c.call.text.as_str()).collect();
        assert_eq!(names, vec!["PyObject_GetAttr", "import_name"]);
        // After an identifier the next token is skipped: `x PyFoo(` hides the call.
        let hidden = body("{ a PyObject_GetAttr(o, n); }");
        let sh = parse_body(&hidden).unwrap();
        assert!(find_escaping_calls(&hidden, &sh, Version::V3_13)
            .unwrap()
            .is_empty());
        assert!(body_escapes("_BINARY_OP", &sh, &[], Version::V3_13));
        assert!(!body_escapes("_BINARY_OP", &sh, &[], Version::V3_14));
    }

    #[test]
    fn macro_if_and_errors() {
        let toks = body("{\n#ifdef Py_GIL_DISABLED\n foo();\n#else\n bar();\n#endif\n}");
        let s = parse_body(&toks).unwrap();
        let Stmt::Block(b) = &s else { panic!() };
        assert!(matches!(&b[0], Stmt::MacroIf { else_body: Some(e), .. } if e.len() == 1));
        assert!(parse_body(&body("{ if (x) ")).is_err());
        assert!(parse_body(&body("{ x = 1 ")).is_err());
    }
}
