//! Escaping-call analysis of C bodies, after CPython's `analyzer.py`.
//!
//! A call "escapes" when it may run arbitrary code (and so see or change the stack). CPython
//! decides this syntactically from a per-version allow-list, and the result drives
//! `HAS_ESCAPES_FLAG` and (3.14+) the rule that no escaping call may sit inside the condition
//! of `DEOPT_IF`/`ERROR_IF`/`EXIT_IF`/`if`. 3.12/3.13 only consider `Py*`/`_Py*` names plus a
//! few known callbacks; 3.14 treats every non-macro call as escaping unless allow-listed.
//! 3.15.0a0 branched from 3.14 and uses its rules.

use crate::dsl::{Span, Token, TokenKind};

use super::Version;

/// A malformed escaping call (`PyStackRef_CLOSE` without a variable).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct EscapeError {
    pub span: Span,
    pub message: String,
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
        Version::V3_14 | Version::V3_15 => [NON_ESCAPING_3_14_ONLY, NON_ESCAPING_3_14].concat(),
    }
}

/// Allow-listed in 3.14 (and at the 3.15 branch point), dropped later in 3.15's stackref
/// rework.
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

/// 3.14's list.
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
) -> Result<Vec<EscapingCall>, EscapeError> {
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
        // 3.15's generator counts `DECREF_INPUTS()` as escaping (closing an input can run
        // a destructor): its headers flag IS_OP, BUILD_STRING, LOAD_ATTR_SLOT ... ESCAPES,
        // where 3.14's, with the same bodies, do not.
        if name == "DECREF_INPUTS" && version >= Version::V3_15 {
            return true;
        }
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
) -> Result<Option<Token>, EscapeError> {
    if tkn.text != "PyStackRef_CLOSE" && tkn.text != "PyStackRef_XCLOSE" {
        return Ok(None);
    }
    let k = arg.ok_or_else(|| EscapeError {
        span: next.span,
        message: "Unexpected end of file".into(),
    })?;
    if k.kind != TokenKind::Identifier {
        return Err(EscapeError {
            span: k.span,
            message: format!("Expected identifier, got '{}'", k.text),
        });
    }
    Ok(Some(k.clone()))
}

/// Every escaping call of a body, in source order.
pub fn find_escaping_calls(
    body: &[Token],
    version: Version,
) -> Result<Vec<EscapingCall>, EscapeError> {
    escaping_calls_by_tokens(body, version)
}

/// The first escaping call inside the condition of `DEOPT_IF`/`ERROR_IF`/`EXIT_IF` or of an
/// `if`, which CPython (3.14+) rejects: the exit would leave with a half-made side effect. As
/// in CPython, only the last escaping call of each statement is considered.
pub fn escaping_call_in_condition<'a>(
    body: &[Token],
    calls: &'a [EscapingCall],
    version: Version,
) -> Option<&'a Token> {
    if version < Version::V3_14 {
        return None;
    }
    // CPython keys calls by statement start, so a later call in a statement replaces an
    // earlier one.
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
    None
}

/// Whether the body of op `name` escapes, by the rule of `version`. 3.12/3.13 also
/// special-case ops by name (intrinsics and `_BINARY_OP` call through function tables).
pub fn body_escapes(name: &str, calls: &[EscapingCall], version: Version) -> bool {
    if version <= Version::V3_13 && (name.contains("CALL_INTRINSIC") || name == "_BINARY_OP") {
        return true;
    }
    !calls.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsl::tokenize;

    fn body(src: &str) -> Vec<Token> {
        tokenize("t.c", src).unwrap()
    }

    fn names(src: &str, v: Version) -> Vec<String> {
        find_escaping_calls(&body(src), v)
            .unwrap()
            .into_iter()
            .map(|c| c.call.text)
            .collect()
    }

    #[test]
    fn rule_3_14_every_non_macro_call() {
        let v = Version::V3_14;
        assert_eq!(names("{ foo(x); }", v), vec!["foo"]);
        // Macros (no lowercase letter), allow-listed names, type checks and casts do not.
        assert!(names(
            "{ STAT_INC(X, hit); y = Py_TYPE(o); PyLong_CheckExact(o); z = (uint32_t)(w); }",
            v
        )
        .is_empty());
        // A call through a table or a parenthesised callee does.
        assert_eq!(names("{ r = fns[oparg](a); }", v), vec!["]"]);
        assert_eq!(names("{ r = (*f)(a); }", v), vec![")"]);
        let calls = find_escaping_calls(&body("{ PyStackRef_CLOSE(v); }"), v).unwrap();
        assert_eq!(calls[0].kills.as_ref().map(|k| k.text.as_str()), Some("v"));
        assert!(find_escaping_calls(&body("{ PyStackRef_CLOSE(1); }"), v).is_err());
    }

    #[test]
    fn escaping_call_in_condition_3_14() {
        let v = Version::V3_14;
        let toks = body("{ DEOPT_IF(PyObject_IsTrue(x)); }");
        let calls = find_escaping_calls(&toks, v).unwrap();
        let bad = escaping_call_in_condition(&toks, &calls, v).unwrap();
        assert_eq!(bad.text, "PyObject_IsTrue");
        let ok = body("{ DEOPT_IF(Py_TYPE(x) != t); }");
        let calls = find_escaping_calls(&ok, v).unwrap();
        assert!(escaping_call_in_condition(&ok, &calls, v).is_none());
        let cond = body("{ if (PyObject_IsTrue(x)) { y = 1; } }");
        let calls = find_escaping_calls(&cond, v).unwrap();
        assert!(escaping_call_in_condition(&cond, &calls, v).is_some());
        // 3.13 had no such rule.
        let calls = find_escaping_calls(&toks, Version::V3_13).unwrap();
        assert!(escaping_call_in_condition(&toks, &calls, Version::V3_13).is_none());
    }

    #[test]
    fn rule_3_13_py_names_and_known_callbacks() {
        let v = Version::V3_13;
        assert_eq!(
            names(
                "{ foo(x); Py_DECREF(x); PyObject_GetAttr(a, b); import_name(n); }",
                v
            ),
            vec!["PyObject_GetAttr", "import_name"]
        );
        // After an identifier the next token is skipped: `x PyFoo(` hides the call.
        assert!(names("{ a PyObject_GetAttr(o, n); }", v).is_empty());
        assert!(body_escapes("_BINARY_OP", &[], v));
        assert!(body_escapes("CALL_INTRINSIC_1", &[], v));
        assert!(!body_escapes("_BINARY_OP", &[], Version::V3_14));
    }
}
