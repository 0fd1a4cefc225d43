//! A small parser for the C prototypes in the registry (and in `bindings.toml`): enough to
//! recover the return type, parameter types and variadic-ness of a declaration.

use crate::value::IntTy;

/// How a C type maps onto [`crate::Value`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CClass {
    /// `void`
    Void,
    /// an integer type
    Int(IntTy),
    /// `double` / `float`
    Double,
    /// `PyObject *` and the other object-pointer types
    Obj,
    /// `_PyStackRef`
    StackRef,
    /// `_PyInterpreterFrame *`
    Frame,
    /// `PyThreadState *`
    TState,
    /// `_Py_CODEUNIT *`
    Code,
    /// `PyDictKeysObject *`
    Keys,
    /// `destructor`
    Destructor,
    /// `PyDictUnicodeEntry *` / `PyDictKeyEntry *`
    Entry,
    /// `const char *`
    CStr,
    /// `PyObject **` out-parameter
    OutObj,
    /// `_PyStackRef *` out-parameter
    OutStackRef,
    /// `const _PyStackRef *` array argument (read-only, its length passed separately)
    StackRefArray,
    /// `PyObject *const *` array argument (read-only, its length passed separately)
    ObjArray,
    /// `const uintptr_t *` and the other pointers to one constant integer: a place the
    /// function only reads through (`addr = [i]` in the binding table); the registry receives
    /// the integer read through it
    ReadInt(IntTy),
    /// `uint8_t *` and the other pointers to one integer a macro assigns in place
    /// (`FT_ATOMIC_STORE_UINT8_RELAXED(this_instr->op.code, ..)`; `byref` in the table)
    OutInt(IntTy),
}

/// A C type as written (normalised spelling) and its class.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CType {
    /// normalised spelling: single spaces, `*` attached to the left (`PyObject *`)
    pub spelling: String,
    /// how values of this type are represented
    pub class: CClass,
}

/// A parsed prototype.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CSig {
    /// the declared name
    pub name: String,
    /// return type
    pub ret: CType,
    /// parameter types
    pub params: Vec<CType>,
    /// ends with `...`
    pub variadic: bool,
}

/// A prototype that cannot be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad C prototype `{sig}`: {why}")]
pub struct SigError {
    /// the input
    pub sig: String,
    /// what is wrong
    pub why: &'static str,
}

/// Object-pointer struct names: `T *` of these is a `PyObject *`.
pub const OBJECT_STRUCTS: &[&str] = &[
    "PyObject",
    "PyLongObject",
    "PyFloatObject",
    "PyUnicodeObject",
    "PyBytesObject",
    "PyTupleObject",
    "PyListObject",
    "PyDictObject",
    "PySetObject",
    "PySliceObject",
    "PyTypeObject",
    "PyHeapTypeObject",
    "PyFunctionObject",
    "PyCodeObject",
    "PyCellObject",
    "PyModuleObject",
    "PyMethodObject",
    "PyBaseExceptionObject",
    "PyGenObject",
    "PyListIterObject",
    "_PyListIterObject",
    "_PyTupleIterObject",
    "_PyRangeIterObject",
    "PyRangeObject",
];

fn int_ty(base: &str) -> Option<IntTy> {
    Some(match base {
        "int" | "signed int" | "int32_t" => IntTy::INT,
        "unsigned int" | "unsigned" | "uint32_t" | "Py_UCS4" | "digit" => IntTy::U32,
        "Py_ssize_t" | "intptr_t" | "long" | "long long" | "int64_t" | "Py_hash_t" | "ssize_t" => {
            IntTy::SSIZE
        }
        "size_t" | "uintptr_t" | "uint64_t" | "unsigned long" | "unsigned long long" => IntTy::SIZE,
        "uint16_t" | "unsigned short" | "_Py_BackoffCounter" => IntTy::U16,
        "int16_t" | "short" => IntTy::I16,
        "uint8_t" | "unsigned char" => IntTy::U8,
        "int8_t" | "char" | "signed char" => IntTy::I8,
        "bool" | "_Bool" => IntTy::BOOL,
        _ => return None,
    })
}

/// Classifies a normalised type spelling.
pub fn classify(spelling: &str) -> Option<CClass> {
    let s = spelling.trim();
    let stars = s
        .chars()
        .rev()
        .take_while(|c| *c == '*' || *c == ' ')
        .filter(|c| *c == '*')
        .count();
    let base = s.trim_end_matches(['*', ' ']).trim();
    // A read-only array: `const _PyStackRef *` or `PyObject *const *` (C's own spelling of
    // "this function only reads the elements").
    if let Some(b) = base.strip_suffix("* const").map(str::trim) {
        if stars == 1 && OBJECT_STRUCTS.contains(&b) {
            return Some(CClass::ObjArray);
        }
    }
    let is_const = base.starts_with("const ");
    let base = base.strip_prefix("const ").unwrap_or(base).trim();
    if is_const && stars == 1 && base == "_PyStackRef" {
        return Some(CClass::StackRefArray);
    }
    // (`const char *` is a string, below.)
    if is_const && stars == 1 && base != "char" {
        if let Some(t) = int_ty(base) {
            return Some(CClass::ReadInt(t));
        }
    }
    let base = base.strip_prefix("struct ").unwrap_or(base).trim();
    Some(match (base, stars) {
        ("void", 0) => CClass::Void,
        ("double" | "float", 0) => CClass::Double,
        ("_PyStackRef", 0) => CClass::StackRef,
        ("_PyStackRef", 1) => CClass::OutStackRef,
        ("destructor", 0) => CClass::Destructor,
        ("char", 1) => CClass::CStr,
        ("_PyInterpreterFrame", 1) => CClass::Frame,
        ("PyThreadState" | "_PyThreadStateImpl" | "PyInterpreterState" | "_PyErr_StackItem", 1) => {
            CClass::TState
        }
        ("_Py_CODEUNIT" | "uint16_t", 1) => CClass::Code,
        ("PyDictKeysObject", 1) => CClass::Keys,
        ("PyDictUnicodeEntry" | "PyDictKeyEntry", 1) => CClass::Entry,
        (b, 1) if OBJECT_STRUCTS.contains(&b) => CClass::Obj,
        (b, 2) if OBJECT_STRUCTS.contains(&b) => CClass::OutObj,
        // A static object by value (`PyObject _Py_ID(name)`): its handle is its address.
        (b, 0) if OBJECT_STRUCTS.contains(&b) => CClass::Obj,
        (b, 0) => CClass::Int(int_ty(b)?),
        (b, 1) if b != "char" => CClass::OutInt(int_ty(b)?),
        _ => return None,
    })
}

/// Normalises a type spelling: collapses whitespace and writes pointers as `T *`.
pub fn normalise(t: &str) -> String {
    let t = t.replace('*', " * ");
    let words: Vec<&str> = t.split_whitespace().collect();
    let mut out = String::new();
    for w in words {
        if w == "*" {
            if !out.ends_with('*') {
                out.push(' ');
            }
            out.push('*');
        } else {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(w);
        }
    }
    out
}

fn split_decl(decl: &str) -> (String, String) {
    // "PyObject *name" -> ("PyObject *", "name"); "int" -> ("int", ""); "PyObject *" -> ("PyObject *", "")
    const TYPE_WORDS: &[&str] = &[
        "int", "char", "short", "long", "double", "float", "void", "unsigned", "signed", "_Bool",
        "bool",
    ];
    let d = decl.trim();
    let name_start = d
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.' || c == '='))
        .map_or(0, |i| i + 1);
    let (ty, name) = d.split_at(name_start);
    if ty.trim().is_empty() || TYPE_WORDS.contains(&name) {
        (normalise(d), String::new())
    } else {
        (normalise(ty), name.to_string())
    }
}

/// Parses `ret name(type a, type b, ...)`.
pub fn parse_sig(sig: &str) -> Result<CSig, SigError> {
    let err = |why| SigError {
        sig: sig.to_string(),
        why,
    };
    let open = sig.find('(').ok_or_else(|| err("no `(`"))?;
    let close = sig.rfind(')').ok_or_else(|| err("no `)`"))?;
    if close < open {
        return Err(err("`)` before `(`"));
    }
    let (ret_s, name) = split_decl(&sig[..open]);
    if name.is_empty() {
        return Err(err("no name"));
    }
    let ret = CType {
        class: classify(&ret_s).ok_or_else(|| err("unknown return type"))?,
        spelling: ret_s,
    };
    let inner = sig[open + 1..close].trim();
    let mut params = Vec::new();
    let mut variadic = false;
    if !inner.is_empty() && inner != "void" {
        for p in inner.split(',') {
            let p = p.trim();
            if p == "..." {
                variadic = true;
                continue;
            }
            if variadic {
                return Err(err("parameter after `...`"));
            }
            let (ty, _) = split_decl(p);
            let class = classify(&ty).ok_or_else(|| err("unknown parameter type"))?;
            params.push(CType {
                spelling: ty,
                class,
            });
        }
    }
    Ok(CSig {
        name,
        ret,
        params,
        variadic,
    })
}
