//! Inline-cache layouts from `Include/internal/pycore_code.h`.
//!
//! The specializer (C, `specialize.c`) writes caches through these structs, while the VM reads
//! them through the DSL's `name/size` entries. Parsing the structs lets the analysis check
//! that both agree on every named cell before any code runs.

use std::collections::BTreeMap;

use thiserror::Error;

/// A malformed cache struct or define, with its line in `pycore_code.h`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{path}:{line}: {message}")]
pub struct CacheLayoutError {
    pub path: String,
    pub line: usize,
    pub message: String,
}

/// One field of a cache struct, measured in 16-bit code units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheField {
    pub name: String,
    pub offset: u32,
    pub size: u32,
    /// 1-based line in `pycore_code.h`.
    pub line: usize,
}

/// A `_Py*Cache` struct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheStruct {
    pub name: String,
    /// Fields in declaration order; members of an anonymous union share an offset.
    pub fields: Vec<CacheField>,
    /// Total size in code units (`CACHE_ENTRIES(struct)`).
    pub size: u32,
    /// Line of the closing `} _PyXCache;`.
    pub line: usize,
}

impl CacheStruct {
    pub fn field(&self, name: &str) -> Option<&CacheField> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// `#define INLINE_CACHE_ENTRIES_X CACHE_ENTRIES(_PyXCache)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheDefine {
    pub name: String,
    pub struct_name: String,
    pub line: usize,
}

/// All cache structs and `INLINE_CACHE_ENTRIES_*` defines of one `pycore_code.h`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CacheLayouts {
    pub path: String,
    pub structs: BTreeMap<String, CacheStruct>,
    pub defines: BTreeMap<String, CacheDefine>,
}

impl CacheLayouts {
    /// The struct behind `INLINE_CACHE_ENTRIES_X`, if that define exists.
    pub fn struct_for_define(&self, define: &str) -> Option<&CacheStruct> {
        self.defines
            .get(define)
            .and_then(|d| self.structs.get(&d.struct_name))
    }
}

/// Size in code units of a field type; `None` for types a cache cannot hold.
fn type_units(ty: &str) -> Option<u32> {
    match ty {
        "uint16_t" | "_Py_BackoffCounter" | "_Py_CODEUNIT" | "int16_t" => Some(1),
        "uint32_t" | "int32_t" => Some(2),
        "uint64_t" | "int64_t" => Some(4),
        _ => None,
    }
}

/// Removes `/* */` and `//` comments, keeping line structure.
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '/' && chars.peek() == Some(&'/') {
            for c in chars.by_ref() {
                if c == '\n' {
                    out.push('\n');
                    break;
                }
            }
        } else if c == '/' && chars.peek() == Some(&'*') {
            chars.next();
            let mut prev = ' ';
            for c in chars.by_ref() {
                if c == '\n' {
                    out.push('\n');
                }
                if prev == '*' && c == '/' {
                    break;
                }
                prev = c;
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Parses `type name;` or `type name[N];` into (name, units).
fn parse_field(path: &str, line_no: usize, decl: &str) -> Result<(String, u32), CacheLayoutError> {
    let err = |message: String| CacheLayoutError {
        path: path.to_string(),
        line: line_no,
        message,
    };
    let decl = decl.trim().trim_end_matches(';').trim();
    let (ty, rest) = decl
        .split_once(char::is_whitespace)
        .ok_or_else(|| err(format!("expected `type name;`, found `{decl}`")))?;
    let units =
        type_units(ty).ok_or_else(|| err(format!("unsupported cache field type `{ty}`")))?;
    let rest = rest.trim();
    let (name, count) = match rest.split_once('[') {
        Some((name, n)) => {
            let n = n
                .trim()
                .strip_suffix(']')
                .ok_or_else(|| err(format!("expected `]` in `{rest}`")))?;
            let n: u32 = n
                .trim()
                .parse()
                .map_err(|_| err(format!("array size `{n}` is not a number")))?;
            (name.trim(), n)
        }
        None => (rest, 1),
    };
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(err(format!("bad field name `{name}`")));
    }
    Ok((name.to_string(), units * count))
}

/// Parses the cache structs and defines of `pycore_code.h`.
///
/// Only `typedef struct { ... } _Py*Cache;` blocks are read; other typedefs in the header are
/// not caches. Field types must be 16-bit-unit types, so a layout change that the DSL cannot
/// express is reported rather than mis-measured.
pub fn parse_cache_layouts(path: &str, text: &str) -> Result<CacheLayouts, CacheLayoutError> {
    let clean = strip_comments(text);
    let lines: Vec<&str> = clean.lines().collect();
    let mut layouts = CacheLayouts {
        path: path.to_string(),
        ..CacheLayouts::default()
    };
    let err = |line: usize, message: String| CacheLayoutError {
        path: path.to_string(),
        line,
        message,
    };
    let mut i = 0;
    while i < lines.len() {
        let t = lines[i].trim();
        if t == "typedef struct {" {
            // Collect the block, then keep it only if it is a `_Py*Cache`.
            let start = i;
            let mut body = Vec::new();
            let mut depth = 1;
            i += 1;
            let mut close = None;
            while i < lines.len() {
                let l = lines[i].trim();
                depth += l.matches('{').count();
                depth -= l.matches('}').count();
                if depth == 0 {
                    close = Some((i, l));
                    break;
                }
                body.push((i + 1, l));
                i += 1;
            }
            let Some((close_i, close_l)) = close else {
                return Err(err(start + 1, "unterminated struct".into()));
            };
            let name = close_l
                .trim_start_matches('}')
                .trim()
                .trim_end_matches(';')
                .trim()
                .to_string();
            if name.starts_with("_Py") && name.ends_with("Cache") {
                let s = parse_struct_body(path, &name, close_i + 1, &body)?;
                layouts.structs.insert(name, s);
            }
        } else if let Some(rest) = t.strip_prefix("#define INLINE_CACHE_ENTRIES_") {
            // The value may continue on the next line after a backslash.
            let mut full = rest.to_string();
            let line_no = i + 1;
            while full.trim_end().ends_with('\\') && i + 1 < lines.len() {
                full = full.trim_end().trim_end_matches('\\').to_string();
                i += 1;
                full.push(' ');
                full.push_str(lines[i].trim());
            }
            let (suffix, value) = full
                .split_once(char::is_whitespace)
                .ok_or_else(|| err(line_no, "INLINE_CACHE_ENTRIES define without value".into()))?;
            let value = value.trim();
            let struct_name = value
                .strip_prefix("CACHE_ENTRIES(")
                .and_then(|v| v.strip_suffix(')'))
                .ok_or_else(|| {
                    err(
                        line_no,
                        format!("expected `CACHE_ENTRIES(struct)`, found `{value}`"),
                    )
                })?;
            let name = format!("INLINE_CACHE_ENTRIES_{suffix}");
            layouts.defines.insert(
                name.clone(),
                CacheDefine {
                    name,
                    struct_name: struct_name.trim().to_string(),
                    line: line_no,
                },
            );
        }
        i += 1;
    }
    for d in layouts.defines.values() {
        if !layouts.structs.contains_key(&d.struct_name) {
            return Err(err(
                d.line,
                format!("{} names unknown struct `{}`", d.name, d.struct_name),
            ));
        }
    }
    Ok(layouts)
}

/// Preprocessor conditionals inside a cache struct, evaluated for the default build: every
/// macro a conditional tests is taken as undefined (forks guard platform-specific field
/// sizes this way, e.g. `#ifdef __CHERI_PURE_CAPABILITY__ ... #else uint16_t descr[4]; #endif`).
/// Conditions other than `#ifdef`, `#ifndef`, `#if 0/1` and `#if [!]defined(X)` are errors,
/// so a layout this reader cannot decide is reported rather than guessed.
#[derive(Debug, Default)]
struct Conditionals {
    /// Per open `#if`: (this branch is taken, the enclosing region is active).
    stack: Vec<(bool, bool)>,
}

impl Conditionals {
    fn active(&self) -> bool {
        self.stack
            .last()
            .is_none_or(|&(taken, outer)| taken && outer)
    }

    fn directive(&mut self, l: &str) -> Result<(), String> {
        let d = l.trim_start_matches('#').trim_start();
        let (word, rest) = d.split_once(char::is_whitespace).unwrap_or((d, ""));
        let rest = rest.trim();
        let outer = self.active();
        match word {
            "ifdef" => self.stack.push((false, outer)),
            "ifndef" => self.stack.push((true, outer)),
            "if" => {
                let taken = match rest.replace(' ', "").as_str() {
                    "0" => false,
                    "1" => true,
                    r if r.starts_with("!defined") => true,
                    r if r.starts_with("defined") => false,
                    _ => return Err(format!("unsupported conditional `{l}` in a cache struct")),
                };
                self.stack.push((taken, outer));
            }
            "else" => {
                let top = self
                    .stack
                    .last_mut()
                    .ok_or_else(|| "`#else` without `#if`".to_string())?;
                top.0 = !top.0;
            }
            "endif" => {
                self.stack
                    .pop()
                    .ok_or_else(|| "`#endif` without `#if`".to_string())?;
            }
            _ => return Err(format!("unsupported directive `{l}` in a cache struct")),
        }
        Ok(())
    }
}

fn parse_struct_body(
    path: &str,
    name: &str,
    close_line: usize,
    body: &[(usize, &str)],
) -> Result<CacheStruct, CacheLayoutError> {
    let mut fields = Vec::new();
    let mut offset = 0u32;
    // Inside an anonymous union: (start offset, largest member so far).
    let mut union: Option<(u32, u32)> = None;
    let mut conds = Conditionals::default();
    for &(line, l) in body {
        if l.starts_with('#') {
            conds.directive(l).map_err(|message| CacheLayoutError {
                path: path.to_string(),
                line,
                message,
            })?;
            continue;
        }
        if l.is_empty() || !conds.active() {
            continue;
        }
        if l == "union {" {
            if union.is_some() {
                return Err(CacheLayoutError {
                    path: path.to_string(),
                    line,
                    message: "nested unions are not supported".into(),
                });
            }
            union = Some((offset, 0));
            continue;
        }
        if l.starts_with('}') {
            let Some((start, max)) = union.take() else {
                return Err(CacheLayoutError {
                    path: path.to_string(),
                    line,
                    message: "unexpected `}`".into(),
                });
            };
            offset = start + max;
            continue;
        }
        let (fname, size) = parse_field(path, line, l)?;
        match union.as_mut() {
            Some((start, max)) => {
                fields.push(CacheField {
                    name: fname,
                    offset: *start,
                    size,
                    line,
                });
                *max = (*max).max(size);
            }
            None => {
                fields.push(CacheField {
                    name: fname,
                    offset,
                    size,
                    line,
                });
                offset += size;
            }
        }
    }
    if union.is_some() || !conds.stack.is_empty() {
        let what = if union.is_some() { "union" } else { "`#if`" };
        return Err(CacheLayoutError {
            path: path.to_string(),
            line: close_line,
            message: format!("unterminated {what}"),
        });
    }
    Ok(CacheStruct {
        name: name.to_string(),
        fields,
        size: offset,
        line: close_line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\
#define CACHE_ENTRIES(cache) (sizeof(cache)/sizeof(_Py_CODEUNIT))

typedef struct {
    _Py_BackoffCounter counter;
    uint16_t type_version[2];
    union {
        uint16_t keys_version[2];
        uint16_t dict_offset;
    };
    uint16_t descr[4];  // a comment
} _PyLoadMethodCache;

/* not a cache */
typedef struct {
    int x;
} _PyOther;

#define INLINE_CACHE_ENTRIES_LOAD_ATTR CACHE_ENTRIES(_PyLoadMethodCache)
#define INLINE_CACHE_ENTRIES_UNPACK \\
    CACHE_ENTRIES(_PyLoadMethodCache)
";

    #[test]
    fn union_and_arrays() {
        let l = parse_cache_layouts("code.h", SAMPLE).unwrap();
        let s = &l.structs["_PyLoadMethodCache"];
        let got: Vec<(&str, u32, u32)> = s
            .fields
            .iter()
            .map(|f| (f.name.as_str(), f.offset, f.size))
            .collect();
        assert_eq!(
            got,
            vec![
                ("counter", 0, 1),
                ("type_version", 1, 2),
                ("keys_version", 3, 2),
                ("dict_offset", 3, 1),
                ("descr", 5, 4),
            ]
        );
        assert_eq!(s.size, 9);
        assert_eq!(s.field("descr").unwrap().line, 10);
        assert!(!l.structs.contains_key("_PyOther"));
        assert_eq!(
            l.struct_for_define("INLINE_CACHE_ENTRIES_UNPACK")
                .unwrap()
                .size,
            9
        );
        assert_eq!(l.defines["INLINE_CACHE_ENTRIES_LOAD_ATTR"].line, 18);
    }

    #[test]
    fn conditionals_take_the_default_build() {
        // Shaped like a fork's `_PyLoadMethodCache` (3.12 CHERI): the `#else` branch counts.
        let h = "typedef struct {\n    uint16_t counter;\n    uint16_t keys_version[2];\n\
                 #ifdef __CHERI_PURE_CAPABILITY__\n    /**\n     * doc\n     */\n\
                     uint16_t descr[8 * 2];\n#else\n    uint16_t descr[4];\n#endif\n\
                 #ifndef NOT_SET\n    uint16_t tail;\n#endif\n\
                 #if 0\n    uint16_t never;\n#endif\n} _PyLoadMethodCache;\n\
                 #define INLINE_CACHE_ENTRIES_LOAD_ATTR CACHE_ENTRIES(_PyLoadMethodCache)\n";
        let l = parse_cache_layouts("c.h", h).unwrap();
        let s = &l.structs["_PyLoadMethodCache"];
        // counter 1 + keys_version 2 + descr 4 + tail 1 = 8 units; descr at offset 3.
        assert_eq!(s.size, 8);
        assert_eq!(s.field("descr").map(|f| (f.offset, f.size)), Some((3, 4)));
        assert!(s.field("never").is_none());
        let bad =
            "typedef struct {\n#if SIZEOF_VOID_P > 8\n    uint16_t x;\n#endif\n} _PyXCache;\n";
        let e = parse_cache_layouts("c.h", bad).unwrap_err();
        assert_eq!(e.line, 2);
        let open = "typedef struct {\n#ifdef X\n    uint16_t x;\n} _PyXCache;\n";
        assert!(parse_cache_layouts("c.h", open)
            .unwrap_err()
            .message
            .contains("unterminated `#if`"));
    }

    #[test]
    fn bad_inputs_are_errors() {
        let bad_type = "typedef struct {\n    double d;\n} _PyXCache;\n";
        let e = parse_cache_layouts("c.h", bad_type).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("double"), "{e}");
        let unknown = "#define INLINE_CACHE_ENTRIES_X CACHE_ENTRIES(_PyNope)\n";
        let e = parse_cache_layouts("c.h", unknown).unwrap_err();
        assert!(e.message.contains("_PyNope"), "{e}");
        let open = "typedef struct {\n    uint16_t a;\n";
        assert!(parse_cache_layouts("c.h", open).is_err());
    }
}
