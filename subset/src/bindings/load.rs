//! TOML text to a validated [`Bindings`]: every entry is checked and every problem reported.

use std::collections::BTreeMap;

use lang_c::ast::{Declaration, TypeName};
use lang_c::span::Node;
use toml::Spanned;

use super::ctext::{self, is_identifier};
use super::error::{BindingsError, EntryError, KindName, Problem};
use super::template::Template;
use super::{
    Bindings, ConstantBinding, DslBinding, FieldBinding, FunctionBinding, GlobalBinding, Kind,
    Location, TypeBinding, TypeClass,
};
use crate::cdecl::{
    apply_declarator, base_of_declaration, parameter_names, type_of_type_name, TypeNames,
};
use crate::ctype::{CType, FloatKind, IntRank};
use crate::dsl::DslMacro;

// Keys are plain strings (toml cannot give spans of quoted keys); an entry is located by the
// span of its table (its `[kind."name"]` header) and a key by the span of its value.
type RawEntry = BTreeMap<String, Spanned<toml::Value>>;
type RawKind = BTreeMap<String, Spanned<RawEntry>>;
// Kind tables are implicit (`[function."f"]` never writes `[function]`) and have no span.
type RawTable = BTreeMap<String, RawKind>;

/// Byte offset to line:col.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    fn at(&self, offset: usize) -> Location {
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line.saturating_sub(1)];
        Location {
            line,
            col: offset - start + 1,
        }
    }
}

/// Collects problems of all entries.
struct Report<'a> {
    lines: &'a LineIndex,
    errors: Vec<EntryError>,
}

impl Report<'_> {
    fn push(&mut self, kind: KindName, name: &str, at: usize, problem: Problem) {
        let loc = self.lines.at(at);
        self.errors.push(EntryError {
            kind,
            name: name.to_string(),
            line: loc.line,
            col: loc.col,
            problem,
        });
    }
}

/// One entry's keys, read with type checks; unread keys are reported as unknown.
struct Reader {
    kind: Kind,
    name: String,
    /// Offset of the entry's name key.
    at: usize,
    map: RawEntry,
    read: Vec<&'static str>,
    problems: Vec<(usize, Problem)>,
}

impl Reader {
    fn value(&mut self, key: &'static str, required: bool) -> Option<Spanned<toml::Value>> {
        self.read.push(key);
        let v = self.map.get(key).cloned();
        if v.is_none() && required {
            self.problems.push((self.at, Problem::MissingKey(key)));
        }
        v
    }

    fn wrong(&mut self, key: &'static str, at: usize, expected: &'static str) {
        self.problems.push((
            at,
            Problem::WrongValue {
                key: key.to_string(),
                expected,
            },
        ));
    }

    fn string(&mut self, key: &'static str, required: bool) -> Option<(String, usize)> {
        let v = self.value(key, required)?;
        let at = v.span().start;
        match v.into_inner() {
            toml::Value::String(s) => Some((s, at)),
            _ => {
                self.wrong(key, at, "a string");
                None
            }
        }
    }

    fn int(&mut self, key: &'static str, required: bool) -> Option<(i64, usize)> {
        let v = self.value(key, required)?;
        let at = v.span().start;
        match v.into_inner() {
            toml::Value::Integer(i) => Some((i, at)),
            _ => {
                self.wrong(key, at, "an integer");
                None
            }
        }
    }

    fn bool(&mut self, key: &'static str, required: bool) -> Option<bool> {
        let v = self.value(key, required)?;
        let at = v.span().start;
        match v.into_inner() {
            toml::Value::Boolean(b) => Some(b),
            _ => {
                self.wrong(key, at, "true or false");
                None
            }
        }
    }

    fn int_array(&mut self, key: &'static str) -> Option<(Vec<i64>, usize)> {
        let v = self.value(key, false)?;
        let at = v.span().start;
        match v.into_inner() {
            toml::Value::Array(a) => {
                let ints: Option<Vec<i64>> = a.iter().map(toml::Value::as_integer).collect();
                match ints {
                    Some(i) => Some((i, at)),
                    None => {
                        self.wrong(key, at, "an array of integers");
                        None
                    }
                }
            }
            _ => {
                self.wrong(key, at, "an array of integers");
                None
            }
        }
    }

    fn template(&mut self, key: &'static str, required: bool) -> Option<(Template, usize)> {
        let (s, at) = self.string(key, required)?;
        match Template::parse(&s) {
            Ok(t) => Some((t, at)),
            Err(e) => {
                self.problems
                    .push((at, Problem::Template { key, message: e.0 }));
                None
            }
        }
    }

    /// Checks a template's placeholders against what the entry provides (see
    /// [`Template::check`]); a mismatch is a problem at the template's key.
    fn check_template(
        &mut self,
        key: &'static str,
        template: Option<&(Template, usize)>,
        (arity, variadic, base, value): (usize, bool, bool, bool),
    ) {
        if let Some((t, at)) = template {
            if let Err(e) = t.check(arity, variadic, base, value) {
                self.problems
                    .push((*at, Problem::Template { key, message: e.0 }));
            }
        }
    }

    /// Report keys that were never read, then all problems.
    fn finish(mut self, report: &mut Report) -> bool {
        for (k, v) in self.map.iter() {
            if !self.read.contains(&k.as_str()) {
                self.problems
                    .push((v.span().start, Problem::UnknownKey(k.clone())));
            }
        }
        let ok = self.problems.is_empty();
        for (at, p) in self.problems {
            report.push(KindName::Known(self.kind), &self.name, at, p);
        }
        ok
    }
}

/// Entry of one kind, before C text is parsed.
struct Pending<T> {
    reader: Reader,
    data: T,
}

pub(super) fn load(text: &str, origin: &str) -> Result<Bindings, BindingsError> {
    let lines = LineIndex::new(text);
    let raw: RawTable = toml::from_str(text).map_err(|e| {
        let loc = e
            .span()
            .map(|s| lines.at(s.start))
            .unwrap_or(Location { line: 1, col: 1 });
        BindingsError::Syntax {
            origin: origin.to_string(),
            line: loc.line,
            col: loc.col,
            message: e.message().to_string(),
        }
    })?;
    let mut report = Report {
        lines: &lines,
        errors: Vec::new(),
    };
    let mut by_kind: BTreeMap<Kind, Vec<Reader>> = BTreeMap::new();
    for (kind_key, entries) in raw {
        let Some(kind) = Kind::from_key(&kind_key) else {
            for (name, value) in entries {
                report.push(
                    KindName::Unknown(kind_key.clone()),
                    &name,
                    value.span().start,
                    Problem::UnknownKind,
                );
            }
            continue;
        };
        for (name, value) in entries {
            let at = value.span().start;
            by_kind.entry(kind).or_default().push(Reader {
                kind,
                name,
                at,
                map: value.into_inner(),
                read: Vec::new(),
                problems: Vec::new(),
            });
        }
    }
    let mut b = Bindings {
        origin: origin.to_string(),
        ..Bindings::default()
    };
    for r in by_kind.remove(&Kind::Type).unwrap_or_default() {
        if let Some(t) = read_type(r, &mut report) {
            b.types.insert(t.name.clone(), t);
        }
    }
    let prelude = b.typedef_prelude();
    read_functions(
        by_kind.remove(&Kind::Function).unwrap_or_default(),
        &prelude,
        &mut b,
        &mut report,
    );
    read_typed(
        by_kind.remove(&Kind::Global).unwrap_or_default(),
        by_kind.remove(&Kind::Constant).unwrap_or_default(),
        by_kind.remove(&Kind::Field).unwrap_or_default(),
        &prelude,
        &mut b,
        &mut report,
    );
    for r in by_kind.remove(&Kind::Dsl).unwrap_or_default() {
        read_dsl(r, &mut b, &mut report);
    }
    check_duplicates(&b, &mut report);
    if report.errors.is_empty() {
        Ok(b)
    } else {
        let mut errors = report.errors;
        errors.sort_by_key(|e| (e.line, e.col));
        Err(BindingsError::Invalid {
            origin: origin.to_string(),
            errors,
        })
    }
}

/// The type a keyword spelling (`unsigned long`, `double`) denotes, if `name` is one.
fn standard_type(name: &str) -> Option<CType> {
    if !name.split_whitespace().all(ctext::is_keyword) {
        return None;
    }
    Bindings::default().parse_type(name).ok()
}

fn valid_type_name(name: &str) -> bool {
    standard_type(name).is_some()
        || (is_identifier(name) && !ctext::is_keyword(name))
        || name
            .strip_prefix("struct ")
            .or_else(|| name.strip_prefix("union "))
            .is_some_and(is_identifier)
}

fn read_type(mut r: Reader, report: &mut Report) -> Option<TypeBinding> {
    if !valid_type_name(&r.name) {
        r.problems.push((r.at, Problem::BadName(r.name.clone())));
    }
    let rust = r.string("rust", true);
    let class = r.string("class", true);
    let indexed = r.bool("indexed", false).unwrap_or(false);
    let mut result = None;
    if let Some((class, class_at)) = class {
        let tc = match class.as_str() {
            "object-pointer" => Some(TypeClass::ObjectPointer),
            "stackref" => Some(TypeClass::StackRef),
            "opaque-struct" => Some(TypeClass::OpaqueStruct),
            "void" => Some(TypeClass::Void),
            "int" => {
                let bits = r.int("bits", true);
                let signed = r.bool("signed", true);
                match (bits, signed) {
                    (Some((bits, at)), Some(signed)) => {
                        if matches!(bits, 8 | 16 | 32 | 64) {
                            Some(TypeClass::Int {
                                bits: bits as u32,
                                signed,
                            })
                        } else {
                            r.problems
                                .push((at, Problem::BadBits(bits, "8, 16, 32, 64")));
                            None
                        }
                    }
                    _ => None,
                }
            }
            "float" => match r.int("bits", false) {
                None => Some(TypeClass::Float { bits: 64 }),
                Some((b @ (32 | 64), _)) => Some(TypeClass::Float { bits: b as u32 }),
                Some((b, at)) => {
                    r.problems.push((at, Problem::BadBits(b, "32, 64")));
                    None
                }
            },
            other => {
                r.problems
                    .push((class_at, Problem::BadClass(other.to_string())));
                None
            }
        };
        if let Some(tc) = tc {
            let ty = match tc {
                TypeClass::Int { bits, signed } => IntRank::for_bits(bits)
                    .map(|rank| CType::aliased_int(rank, signed, &r.name))
                    .unwrap_or(CType::INT),
                TypeClass::Float { bits: 32 } => CType::Float(FloatKind::Float),
                TypeClass::Float { .. } => CType::Float(FloatKind::Double),
                TypeClass::Void => CType::Void,
                _ => CType::Named(r.name.clone()),
            };
            // A builtin typedef (`uint16_t`) or a keyword spelling (`unsigned int`) may be listed
            // (to give its Rust name) only with the type it really is.
            let builtin = CType::builtin(&r.name).or_else(|| standard_type(&r.name));
            let ty = match builtin {
                None => ty,
                Some(builtin) => {
                    let agrees = match (&builtin, &ty) {
                        (CType::Int(a), CType::Int(b)) => {
                            a.bits() == b.bits() && a.signed == b.signed
                        }
                        (CType::Float(a), CType::Float(b)) => a == b,
                        (CType::Void, CType::Void) => true,
                        _ => false,
                    };
                    if !agrees {
                        r.problems.push((
                            r.at,
                            Problem::BuiltinMismatch {
                                name: r.name.clone(),
                                builtin: builtin.as_int().map_or_else(
                                    || builtin.to_string(),
                                    |i| i.standard_name().to_string(),
                                ),
                            },
                        ));
                    }
                    // Keep the builtin's rank (`int64_t` is `long`, not `long long`).
                    builtin
                }
            };
            if indexed && tc != TypeClass::OpaqueStruct {
                r.problems
                    .push((class_at, Problem::IndexedNotStruct(tc.key().to_string())));
            }
            result = Some((tc, ty));
        }
    }
    let at = r.at;
    let name = r.name.clone();
    let ok = r.finish(report);
    let (rust, _) = rust?;
    let (class, ty) = result?;
    ok.then(|| TypeBinding {
        name,
        rust,
        class,
        ty,
        indexed,
        location: report.lines.at(at),
    })
}

struct FnData {
    sig: Option<(String, usize)>,
    rust: Option<(Template, usize)>,
    out: Option<(Vec<i64>, usize)>,
    byref: Option<(Vec<i64>, usize)>,
    array: Option<(Vec<i64>, usize)>,
    out_array: Option<(Vec<i64>, usize)>,
    token: Option<(Vec<i64>, usize)>,
    addr: Option<(Vec<i64>, usize)>,
    lvalue: bool,
    set: Option<(Template, usize)>,
}

fn read_functions(readers: Vec<Reader>, prelude: &str, b: &mut Bindings, report: &mut Report) {
    let mut pending = Vec::new();
    for mut r in readers {
        if !is_identifier(&r.name) {
            r.problems.push((r.at, Problem::BadName(r.name.clone())));
        }
        let data = FnData {
            sig: r.string("sig", true),
            rust: r.template("rust", true),
            out: r.int_array("out"),
            byref: r.int_array("byref"),
            array: r.int_array("array"),
            out_array: r.int_array("out_array"),
            token: r.int_array("token"),
            addr: r.int_array("addr"),
            lvalue: r.bool("lvalue", false).unwrap_or(false),
            set: r.template("set", false),
        };
        pending.push(Pending { reader: r, data });
    }
    let sigs: Vec<&str> = pending
        .iter()
        .map(|p| p.data.sig.as_ref().map_or("", |s| s.0.as_str()))
        .collect();
    let parsed = ctext::parse_prototypes(prelude, &sigs);
    for (mut p, decl) in pending.into_iter().zip(parsed) {
        let Some((sig, sig_at)) = p.data.sig.clone() else {
            p.reader.finish(report);
            continue;
        };
        let f = match decl {
            Err(message) => {
                p.reader
                    .problems
                    .push((sig_at, syntax_problem(&sig, message, b)));
                None
            }
            Ok(decl) => prototype(&decl, &sig, sig_at, &mut p.reader, b),
        };
        let Some((ty, param_names)) = f else {
            p.reader.finish(report);
            continue;
        };
        let arity = ty.params.len();
        let r = &mut p.reader;
        r.check_template(
            "rust",
            p.data.rust.as_ref(),
            (arity, ty.variadic, false, false),
        );
        r.check_template(
            "set",
            p.data.set.as_ref(),
            (arity, ty.variadic, false, true),
        );
        if let Some((_, at)) = &p.data.set {
            if !p.data.lvalue {
                r.problems.push((*at, Problem::SetWithoutLvalue));
            }
        } else if p.data.lvalue {
            r.problems.push((r.at, Problem::LvalueWithoutSet));
        }
        let params = &ty.params;
        let out = param_indices(&p.data.out, arity, &mut r.problems, |u| {
            (!params[u].is_pointer()).then(|| Problem::OutNotPointer {
                index: u,
                ty: params[u].to_string(),
            })
        });
        let byref = param_indices(&p.data.byref, arity, &mut r.problems, |_| None);
        let array = param_indices(&p.data.array, arity, &mut r.problems, |u| {
            (!b.is_array_param(&params[u])).then(|| Problem::ArrayNotElementPointer {
                index: u,
                ty: params[u].to_string(),
            })
        });
        let out_array = param_indices(&p.data.out_array, arity, &mut r.problems, |u| {
            (!b.is_stackref_array_param(&params[u])).then(|| Problem::ArrayNotElementPointer {
                index: u,
                ty: params[u].to_string(),
            })
        });
        let token = param_indices(&p.data.token, arity, &mut r.problems, |u| {
            (!params[u].is_char_pointer()).then(|| Problem::TokenNotCharPointer {
                index: u,
                ty: params[u].to_string(),
            })
        });
        let addr = param_indices(&p.data.addr, arity, &mut r.problems, |u| {
            (!params[u].is_pointer() || b.is_array_param(&params[u])).then(|| {
                Problem::AddrNotScalarPointer {
                    index: u,
                    ty: params[u].to_string(),
                }
            })
        });
        let name = r.name.clone();
        let at = r.at;
        let lvalue = p.data.lvalue;
        if p.reader.finish(report) {
            if let Some((rust, _)) = p.data.rust {
                b.functions.insert(
                    name.clone(),
                    FunctionBinding {
                        name,
                        sig,
                        ty,
                        param_names,
                        rust,
                        out,
                        byref,
                        array,
                        out_array,
                        token,
                        addr,
                        lvalue,
                        set: p.data.set.map(|s| s.0),
                        location: report.lines.at(at),
                    },
                );
            }
        }
    }
}

/// The parameter indices a function entry lists under one key (`out = [1]`): each must be in
/// range and fit the key (`misfit` names the problem of a parameter that does not); every
/// rejected index is a problem at the key's position, the accepted ones are returned in order.
fn param_indices(
    list: &Option<(Vec<i64>, usize)>,
    arity: usize,
    problems: &mut Vec<(usize, Problem)>,
    misfit: impl Fn(usize) -> Option<Problem>,
) -> Vec<usize> {
    let mut accepted = Vec::new();
    let Some((idx, at)) = list else {
        return accepted;
    };
    for &i in idx {
        match usize::try_from(i).ok().filter(|&u| u < arity) {
            None => problems.push((*at, Problem::OutOfRange { index: i, arity })),
            Some(u) => match misfit(u) {
                Some(problem) => problems.push((*at, problem)),
                None => accepted.push(u),
            },
        }
    }
    accepted
}

/// Type and parameter names of a parsed prototype; problems go to the reader.
fn prototype(
    decl: &Node<Declaration>,
    sig: &str,
    at: usize,
    r: &mut Reader,
    b: &Bindings,
) -> Option<(crate::ctype::FnType, Vec<Option<String>>)> {
    let not_proto = |r: &mut Reader| {
        r.problems.push((at, Problem::NotAPrototype));
        None
    };
    if decl.node.declarators.len() != 1 || decl.node.declarators[0].node.initializer.is_some() {
        return not_proto(r);
    }
    let base = match base_of_declaration(&decl.node.specifiers, b) {
        Ok(base) => base,
        Err(e) => {
            r.problems.push((
                at,
                Problem::CType {
                    text: sig.to_string(),
                    message: e.to_string(),
                },
            ));
            return None;
        }
    };
    if !base.storage.is_empty() {
        return not_proto(r);
    }
    let d = &decl.node.declarators[0].node.declarator;
    let (name, ty) = match apply_declarator(base.ty, d, b) {
        Ok(x) => x,
        Err(e) => {
            r.problems.push((
                at,
                Problem::CType {
                    text: sig.to_string(),
                    message: e.to_string(),
                },
            ));
            return None;
        }
    };
    let CType::Function(ft) = ty else {
        return not_proto(r);
    };
    let declared = name.map(|n| n.node).unwrap_or_default();
    if declared != r.name {
        r.problems.push((at, Problem::SigNameMismatch { declared }));
        return None;
    }
    Some((*ft, parameter_names(d).unwrap_or_default()))
}

/// A C text that does not parse; an unknown type name is the usual cause, so name it.
fn syntax_problem(text: &str, message: String, b: &Bindings) -> Problem {
    let is_type = |w: &str| b.resolve_type_name(w).is_some();
    match ctext::unknown_type_hint(text, &is_type) {
        Some(name) => Problem::CType {
            text: text.to_string(),
            message: format!("unknown type `{name}`"),
        },
        None => Problem::CSyntax {
            text: text.to_string(),
            message,
        },
    }
}

/// Resolve a parsed type name or record why not.
fn resolve_c(
    parsed: Result<Node<TypeName>, String>,
    text: &str,
    at: usize,
    r: &mut Reader,
    b: &Bindings,
) -> Option<CType> {
    match parsed {
        Err(message) => {
            r.problems.push((at, syntax_problem(text, message, b)));
            None
        }
        Ok(tn) => match type_of_type_name(&tn, b) {
            Ok(t) => Some(t),
            Err(e) => {
                r.problems.push((
                    at,
                    Problem::CType {
                        text: text.to_string(),
                        message: e.to_string(),
                    },
                ));
                None
            }
        },
    }
}

enum TypedData {
    Global {
        rust: Option<(Template, usize)>,
        set: Option<(Template, usize)>,
    },
    Constant {
        value: Option<(i64, usize)>,
    },
    Field {
        split: Option<(String, String)>,
        get: Option<(Template, usize)>,
        set: Option<(Template, usize)>,
    },
}

/// Globals, constants and fields: entries with a `c` type.
fn read_typed(
    globals: Vec<Reader>,
    constants: Vec<Reader>,
    fields: Vec<Reader>,
    prelude: &str,
    b: &mut Bindings,
    report: &mut Report,
) {
    // Each entry with its `c` text and the text's offset.
    type WithC = (Pending<TypedData>, Option<(String, usize)>);
    let mut pending: Vec<WithC> = Vec::new();
    for mut r in globals {
        if !is_identifier(&r.name) {
            r.problems.push((r.at, Problem::BadName(r.name.clone())));
        }
        let c = r.string("c", true);
        let data = TypedData::Global {
            rust: r.template("rust", true),
            set: r.template("set", false),
        };
        pending.push((Pending { reader: r, data }, c));
    }
    for mut r in constants {
        if !is_identifier(&r.name) {
            r.problems.push((r.at, Problem::BadName(r.name.clone())));
        }
        let c = r.string("c", true);
        let data = TypedData::Constant {
            value: r.int("value", true),
        };
        pending.push((Pending { reader: r, data }, c));
    }
    for mut r in fields {
        // `Struct.field`, or a nested member path `Struct.op.code` (`p->op.code`).
        let split = r
            .name
            .split_once('.')
            .filter(|(s, f)| valid_type_name(s) && f.split('.').all(is_identifier))
            .map(|(s, f)| (s.to_string(), f.to_string()));
        match &split {
            None => r.problems.push((r.at, Problem::BadFieldKey)),
            Some((s, _)) if !b.types.contains_key(s) => {
                r.problems.push((r.at, Problem::UnknownStruct(s.clone())))
            }
            Some(_) => {}
        }
        let c = r.string("c", true);
        let data = TypedData::Field {
            split,
            get: r.template("get", true),
            set: r.template("set", false),
        };
        pending.push((Pending { reader: r, data }, c));
    }
    let texts: Vec<&str> = pending
        .iter()
        .map(|(_, c)| c.as_ref().map_or("int", |c| c.0.as_str()))
        .collect();
    let parsed = ctext::parse_type_names(prelude, &texts);
    for ((mut p, c), parsed) in pending.into_iter().zip(parsed) {
        let ty = match &c {
            Some((text, at)) => resolve_c(parsed, text, *at, &mut p.reader, b),
            None => None,
        };
        let r = &mut p.reader;
        let name = r.name.clone();
        let location = report.lines.at(r.at);
        match p.data {
            TypedData::Global { rust, set } => {
                r.check_template("rust", rust.as_ref(), (0, false, false, false));
                r.check_template("set", set.as_ref(), (0, false, false, true));
                if p.reader.finish(report) {
                    if let (Some(c), Some((rust, _))) = (ty, rust) {
                        b.globals.insert(
                            name.clone(),
                            GlobalBinding {
                                name,
                                c,
                                rust,
                                set: set.map(|s| s.0),
                                location,
                            },
                        );
                    }
                }
            }
            TypedData::Constant { value } => {
                if let (Some(ty), Some((v, at))) = (&ty, value) {
                    match ty.as_int() {
                        // `NULL`: a null pointer constant.
                        None if ty.is_pointer() && v == 0 => {}
                        None => r.problems.push((
                            c.as_ref().map_or(r.at, |c| c.1),
                            Problem::ConstantNotInteger(ty.to_string()),
                        )),
                        Some(i) => {
                            let (lo, hi) = i.range();
                            if (v as i128) < lo || (v as i128) > hi {
                                r.problems.push((
                                    at,
                                    Problem::ValueOutOfRange {
                                        value: v,
                                        ty: ty.to_string(),
                                    },
                                ));
                            }
                        }
                    }
                }
                if p.reader.finish(report) {
                    if let (Some(c), Some((value, _))) = (ty, value) {
                        b.constants.insert(
                            name.clone(),
                            ConstantBinding {
                                name,
                                c,
                                value,
                                location,
                            },
                        );
                    }
                }
            }
            TypedData::Field { split, get, set } => {
                // An array-typed field is read indexed (`p->f[i]`): `get` takes the index `{0}`.
                let arity = usize::from(matches!(ty, Some(CType::Array(..))));
                r.check_template("get", get.as_ref(), (arity, false, true, false));
                r.check_template("set", set.as_ref(), (arity, false, true, true));
                if p.reader.finish(report) {
                    if let (Some(c), Some((get, _)), Some((struct_name, field))) = (ty, get, split)
                    {
                        b.fields.insert(
                            (struct_name.clone(), field.clone()),
                            FieldBinding {
                                struct_name,
                                field,
                                c,
                                get,
                                set: set.map(|s| s.0),
                                location,
                            },
                        );
                    }
                }
            }
        }
    }
}

fn read_dsl(mut r: Reader, b: &mut Bindings, report: &mut Report) {
    if DslMacro::find(&r.name).is_none() {
        // Not an error: the entry only documents a macro; the translator's own catalogue
        // decides what is lowered as DSL. Shown, so that the table's author sees it.
        let loc = report.lines.at(r.at);
        b.warnings.push(EntryError {
            kind: KindName::Known(Kind::Dsl),
            name: r.name.clone(),
            line: loc.line,
            col: loc.col,
            problem: Problem::UnknownDslMacro(r.name.clone()),
        });
    }
    let meaning = r.string("meaning", true);
    let name = r.name.clone();
    let location = report.lines.at(r.at);
    if r.finish(report) {
        if let Some((meaning, _)) = meaning {
            b.dsl.insert(
                name.clone(),
                DslBinding {
                    name,
                    meaning,
                    location,
                },
            );
        }
    }
}

/// Functions, globals and constants share C's ordinary identifier namespace.
fn check_duplicates(b: &Bindings, report: &mut Report) {
    let lines = report.lines;
    let mut dups = Vec::new();
    for g in b.globals.values() {
        if b.functions.contains_key(&g.name) {
            dups.push((Kind::Global, g.name.clone(), g.location, "function"));
        }
    }
    for c in b.constants.values() {
        if b.functions.contains_key(&c.name) {
            dups.push((Kind::Constant, c.name.clone(), c.location, "function"));
        }
        if b.globals.contains_key(&c.name) {
            dups.push((Kind::Constant, c.name.clone(), c.location, "global"));
        }
    }
    for (kind, name, loc, other) in dups {
        let _ = lines;
        report.errors.push(EntryError {
            kind: KindName::Known(kind),
            name: name.clone(),
            line: loc.line,
            col: loc.col,
            problem: Problem::Duplicate(other, name),
        });
    }
}
