//! Load errors of the binding table, typed with the table's own key names.

use std::fmt;

use thiserror::Error;

use super::Kind;

/// Why a binding table cannot be used.
#[derive(Debug, Error)]
pub enum BindingsError {
    #[error("{origin}: cannot read binding table: {source}")]
    Io {
        origin: String,
        #[source]
        source: std::io::Error,
    },
    /// Not TOML, or not shaped as `[<kind>."<name>"]` tables.
    #[error("{origin}:{line}:{col}: {message}")]
    Syntax {
        origin: String,
        line: usize,
        col: usize,
        message: String,
    },
    /// Well-formed TOML with invalid entries; every invalid entry is listed.
    #[error("{origin}: {} invalid binding entr{}:\n{}", errors.len(), if errors.len() == 1 { "y" } else { "ies" }, ListDisplay(errors, origin))]
    Invalid {
        origin: String,
        errors: Vec<EntryError>,
    },
}

struct ListDisplay<'a>(&'a [EntryError], &'a str);

impl fmt::Display for ListDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "  {}:{e}", self.1)?;
        }
        Ok(())
    }
}

/// One invalid entry: `[kind."name"]` at line:col, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{line}:{col}: [{kind}.\"{name}\"] {problem}")]
pub struct EntryError {
    /// `None` when the kind itself is unknown (`[functoin."x"]`).
    pub kind: KindName,
    pub name: String,
    pub line: usize,
    pub col: usize,
    pub problem: Problem,
}

/// The table-level name of an entry's kind, also for kinds that do not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KindName {
    Known(Kind),
    Unknown(String),
}

impl fmt::Display for KindName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KindName::Known(k) => f.write_str(k.key()),
            KindName::Unknown(s) => f.write_str(s),
        }
    }
}

/// What is wrong with one entry.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Problem {
    #[error("unknown kind (expected type, function, global, constant, field or dsl)")]
    UnknownKind,
    #[error("missing key `{0}`")]
    MissingKey(&'static str),
    #[error("unknown key `{0}`")]
    UnknownKey(String),
    #[error("key `{key}` must be {expected}")]
    WrongValue { key: String, expected: &'static str },
    #[error("`{0}` is not a C identifier")]
    BadName(String),
    #[error("unknown class `{0}` (expected object-pointer, int, float, stackref, opaque-struct or void)")]
    BadClass(String),
    #[error("`indexed = true` needs class opaque-struct, not {0}")]
    IndexedNotStruct(String),
    #[error("`bits` = {0} is not one of {1}")]
    BadBits(i64, &'static str),
    #[error("`{name}` is a builtin type ({builtin}); the entry disagrees")]
    BuiltinMismatch { name: String, builtin: String },
    #[error("C text `{text}` does not parse: {message}")]
    CSyntax { text: String, message: String },
    #[error("C type in `{text}`: {message}")]
    CType { text: String, message: String },
    #[error("`sig` declares `{declared}`, not this entry's name")]
    SigNameMismatch { declared: String },
    #[error("`sig` is not a function prototype")]
    NotAPrototype,
    #[error("template `{key}`: {message}")]
    Template { key: &'static str, message: String },
    #[error(
        "`out`/`byref`/`array`/`token`/`addr` index {index} but the prototype has {arity} parameter(s)"
    )]
    OutOfRange { index: i64, arity: usize },
    #[error("`out` index {index}: parameter type {ty} is not a pointer")]
    OutNotPointer { index: usize, ty: String },
    #[error("`array` index {index}: parameter type {ty} is not a pointer to `_PyStackRef` or to an object pointer")]
    ArrayNotElementPointer { index: usize, ty: String },
    #[error("`addr` index {index}: parameter type {ty} is not a pointer to one scalar (an object array is `array`)")]
    AddrNotScalarPointer { index: usize, ty: String },
    #[error("`token` index {index}: parameter type {ty} is not `const char *`")]
    TokenNotCharPointer { index: usize, ty: String },
    #[error("`set` needs `lvalue = true`")]
    SetWithoutLvalue,
    #[error("`lvalue = true` needs a `set` template")]
    LvalueWithoutSet,
    #[error("field key must be `<C struct type>.<field>` (or a nested path `<type>.<a>.<b>`)")]
    BadFieldKey,
    #[error("struct type `{0}` has no [type] entry")]
    UnknownStruct(String),
    #[error("constant type {0} is not an integer type (a pointer constant must be 0)")]
    ConstantNotInteger(String),
    #[error("value {value} does not fit in {ty}")]
    ValueOutOfRange { value: i64, ty: String },
    #[error("`{0}` is not a DSL macro the translator knows (entry has no effect)")]
    UnknownDslMacro(String),
    #[error("also bound as [{0}.\"{1}\"]; a C name has one meaning")]
    Duplicate(&'static str, String),
}
