//! `repr()`-like rendering of model objects, for messages (`%R`) and snapshot diffs.

use crate::handles::Obj;
use crate::object::{IntVal, ObjData};
use crate::vm::Vm;

/// Python-style float repr (`1.0`, `0.1`, `inf`, `nan`, `1e+100`).
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let s = format!("{f:?}");
    // Rust prints 1e100 as "1e100"; Python as "1e+100".
    if let Some(pos) = s.find('e') {
        let (m, e) = s.split_at(pos);
        let e = &e[1..];
        let (sign, digits) = if let Some(d) = e.strip_prefix('-') {
            ("-", d)
        } else {
            ("+", e)
        };
        let m = m.strip_suffix(".0").unwrap_or(m);
        return format!("{m}e{sign}{digits:0>2}");
    }
    s
}

fn str_repr(s: &str) -> String {
    let q = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::new();
    out.push(q);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == q => {
                out.push('\\');
                out.push(c)
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push(q);
    out
}

/// `repr(o)` (depth-limited).
pub fn repr(vm: &Vm, o: Obj) -> String {
    repr_depth(vm, o, 0)
}

/// `str(o)`: like repr except that a str is its own text.
pub fn str_of(vm: &Vm, o: Obj) -> String {
    match vm.heap.data(o) {
        ObjData::Str(s) => s.to_string(),
        ObjData::Exception { args, .. } => match vm.heap.data(*args) {
            ObjData::Tuple(a) if a.is_empty() => String::new(),
            // KeyError.__str__ shows the repr of a single key.
            ObjData::Tuple(a)
                if a.len() == 1 && vm.type_check(o, crate::well_known::EXC_KEY_ERROR) =>
            {
                repr(vm, a[0])
            }
            ObjData::Tuple(a) if a.len() == 1 => str_of(vm, a[0]),
            _ => repr(vm, *args),
        },
        _ => repr(vm, o),
    }
}

fn repr_depth(vm: &Vm, o: Obj, d: usize) -> String {
    if o.is_null() {
        return "NULL".into();
    }
    if d > 4 {
        return "...".into();
    }
    let seq = |items: &[Obj], open: &str, close: &str| {
        let parts: Vec<String> = items.iter().map(|i| repr_depth(vm, *i, d + 1)).collect();
        format!("{open}{}{close}", parts.join(", "))
    };
    match vm.heap.data(o) {
        ObjData::None => "None".into(),
        ObjData::NotImplemented => "NotImplemented".into(),
        ObjData::Ellipsis => "Ellipsis".into(),
        ObjData::Int(i) if vm.heap.ty(o) == crate::well_known::BOOL_TYPE => {
            if i.sign() != 0 {
                "True".into()
            } else {
                "False".into()
            }
        }
        ObjData::Int(IntVal::Small(v)) => v.to_string(),
        ObjData::Int(IntVal::Big(b)) => b.to_string(),
        ObjData::Float(f) => float_repr(*f),
        ObjData::Str(s) => str_repr(s),
        ObjData::Bytes(b) => {
            let mut s = String::from("b'");
            for &c in b.iter() {
                if (0x20..0x7f).contains(&c) && c != b'\'' && c != b'\\' {
                    s.push(c as char)
                } else {
                    s.push_str(&format!("\\x{c:02x}"))
                }
            }
            s.push('\'');
            s
        }
        ObjData::Tuple(v) if v.len() == 1 => format!("({},)", repr_depth(vm, v[0], d + 1)),
        ObjData::Tuple(v) => seq(v, "(", ")"),
        ObjData::List(v) => seq(v, "[", "]"),
        ObjData::Set(v) if v.is_empty() => format!("{}()", vm.type_name_of(o)),
        ObjData::Set(v) => seq(v, "{", "}"),
        ObjData::Dict(dd) => {
            let parts: Vec<String> = dd
                .entries
                .iter()
                .filter(|e| !e.key.is_null())
                .map(|e| {
                    format!(
                        "{}: {}",
                        repr_depth(vm, e.key, d + 1),
                        repr_depth(vm, e.value, d + 1)
                    )
                })
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        ObjData::Slice { start, stop, step } => format!(
            "slice({}, {}, {})",
            repr_depth(vm, *start, d + 1),
            repr_depth(vm, *stop, d + 1),
            repr_depth(vm, *step, d + 1)
        ),
        ObjData::Range { start, stop, step } => {
            if *step == 1 {
                format!("range({start}, {stop})")
            } else {
                format!("range({start}, {stop}, {step})")
            }
        }
        ObjData::Type(t) => format!("<class '{}'>", t.name),
        ObjData::Exception { args, .. } => {
            let name = vm.type_name_of(o);
            match vm.heap.data(*args) {
                ObjData::Tuple(a) if a.len() == 1 => {
                    format!("{name}({})", repr_depth(vm, a[0], d + 1))
                }
                ObjData::Tuple(a) => format!("{name}{}", seq(a, "(", ")")),
                _ => format!("{name}()"),
            }
        }
        ObjData::Function(f) => match vm.heap.data(f.qualname) {
            ObjData::Str(s) => format!("<function {s}>"),
            _ => "<function>".into(),
        },
        _ => format!("<{} object #{}>", vm.type_name_of(o), o.0),
    }
}
