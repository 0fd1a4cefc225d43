//! lang-c declarations and type names to [`CType`].
//!
//! Shared by the binding-table loader (prototypes and field types) and the checker (local
//! declarations and casts), so a type means the same thing in both.

use lang_c::ast::{
    ArraySize, Constant, DeclarationSpecifier, Declarator, DeclaratorKind, DerivedDeclarator,
    Ellipsis, Expression, FunctionDeclarator, IntegerBase, SpecifierQualifier,
    StorageClassSpecifier, StructKind, TypeName, TypeSpecifier,
};
use lang_c::span::{Node, Span};

use crate::ctype::{CType, FloatKind, FnType, IntRank};

/// Resolves typedef and struct names to types.
pub trait TypeNames {
    /// `name` is a typedef name, or `struct X` / `union X` spelled with the keyword.
    fn resolve_type_name(&self, name: &str) -> Option<CType>;
}

/// Why a type could not be modelled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeErrorKind {
    /// A name that no table or builtin defines (rule `type.unknown`).
    Unknown(String),
    /// A construct outside the type model (rule `type.unsupported`).
    Unsupported(String),
    /// An array whose size is not a literal (rule `decl.array`).
    VariableArray,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TypeError {
    pub kind: TypeErrorKind,
    pub span: Span,
}

impl std::fmt::Display for TypeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.kind {
            TypeErrorKind::Unknown(n) => write!(f, "unknown type `{n}`"),
            TypeErrorKind::Unsupported(w) => write!(f, "unsupported type construct: {w}"),
            TypeErrorKind::VariableArray => f.write_str("array size is not a literal"),
        }
    }
}

fn unsupported<T>(what: &str, span: Span) -> Result<T, TypeError> {
    Err(TypeError {
        kind: TypeErrorKind::Unsupported(what.to_string()),
        span,
    })
}

/// Storage class and type of a declaration's specifiers.
#[derive(Debug, Clone, PartialEq)]
pub struct BaseType {
    pub ty: CType,
    /// `typedef`, `static`, `extern`, ... as written (the checker rejects them in bodies).
    pub storage: Vec<StorageClassSpecifier>,
    /// `inline` / `_Noreturn` or attributes were present.
    pub has_function_specifier: bool,
}

/// Type of `DeclarationSpecifier`s (a declaration or a parameter).
pub fn base_of_declaration(
    specs: &[Node<DeclarationSpecifier>],
    names: &dyn TypeNames,
) -> Result<BaseType, TypeError> {
    let mut type_specs = Vec::new();
    let mut storage = Vec::new();
    let mut has_function_specifier = false;
    for s in specs {
        match &s.node {
            DeclarationSpecifier::TypeSpecifier(t) => type_specs.push(t),
            DeclarationSpecifier::StorageClass(c) => storage.push(c.node.clone()),
            DeclarationSpecifier::TypeQualifier(_) => {}
            DeclarationSpecifier::Function(_) => has_function_specifier = true,
            DeclarationSpecifier::Alignment(_) => return unsupported("_Alignas", s.span),
            DeclarationSpecifier::Extension(_) => {}
        }
    }
    let span = specs
        .first()
        .map(|s| {
            Span::span(
                s.span.start,
                specs.last().map_or(s.span.end, |l| l.span.end),
            )
        })
        .unwrap_or_else(Span::none);
    Ok(BaseType {
        ty: from_specifiers(&type_specs, names, span)?,
        storage,
        has_function_specifier,
    })
}

/// Type of a type name (`(T)x`, `sizeof(T)`).
pub fn type_of_type_name(tn: &Node<TypeName>, names: &dyn TypeNames) -> Result<CType, TypeError> {
    let mut type_specs = Vec::new();
    for s in &tn.node.specifiers {
        match &s.node {
            SpecifierQualifier::TypeSpecifier(t) => type_specs.push(t),
            SpecifierQualifier::TypeQualifier(_) | SpecifierQualifier::Extension(_) => {}
        }
    }
    let base = from_specifiers(&type_specs, names, tn.span)?;
    match &tn.node.declarator {
        Some(d) => Ok(apply_declarator(base, d, names)?.1),
        None => Ok(base),
    }
}

/// Combine type specifiers (`unsigned`, `long`, `long`, `int` / a typedef name / a struct).
fn from_specifiers(
    specs: &[&Node<TypeSpecifier>],
    names: &dyn TypeNames,
    span: Span,
) -> Result<CType, TypeError> {
    #[derive(Default)]
    struct Words {
        void: bool,
        char: bool,
        short: bool,
        int: bool,
        long: u8,
        float: bool,
        double: bool,
        signed: bool,
        unsigned: bool,
        bool_: bool,
    }
    let mut w = Words::default();
    let mut named: Option<CType> = None;
    for s in specs {
        let sp = s.span;
        match &s.node {
            TypeSpecifier::Void => w.void = true,
            TypeSpecifier::Char => w.char = true,
            TypeSpecifier::Short => w.short = true,
            TypeSpecifier::Int => w.int = true,
            TypeSpecifier::Long => w.long += 1,
            TypeSpecifier::Float => w.float = true,
            TypeSpecifier::Double => w.double = true,
            TypeSpecifier::Signed => w.signed = true,
            TypeSpecifier::Unsigned => w.unsigned = true,
            TypeSpecifier::Bool => w.bool_ = true,
            TypeSpecifier::TypedefName(id) => {
                let n = &id.node.name;
                let t = names.resolve_type_name(n).ok_or_else(|| TypeError {
                    kind: TypeErrorKind::Unknown(n.clone()),
                    span: id.span,
                })?;
                named = Some(t);
            }
            TypeSpecifier::Struct(st) => {
                if st.node.declarations.is_some() {
                    return unsupported("struct/union definition", sp);
                }
                let Some(id) = &st.node.identifier else {
                    return unsupported("anonymous struct/union", sp);
                };
                let kw = match st.node.kind.node {
                    StructKind::Struct => "struct",
                    StructKind::Union => "union",
                };
                let full = format!("{kw} {}", id.node.name);
                let t = names.resolve_type_name(&full).ok_or(TypeError {
                    kind: TypeErrorKind::Unknown(full),
                    span: sp,
                })?;
                named = Some(t);
            }
            TypeSpecifier::Enum(_) => return unsupported("enum type", sp),
            TypeSpecifier::Complex => return unsupported("_Complex", sp),
            TypeSpecifier::Atomic(_) => return unsupported("_Atomic", sp),
            TypeSpecifier::TypeOf(_) => return unsupported("typeof", sp),
            TypeSpecifier::TS18661Float(_) => return unsupported("_FloatN", sp),
        }
    }
    let words = w.char
        || w.short
        || w.int
        || w.long > 0
        || w.float
        || w.double
        || w.signed
        || w.unsigned
        || w.bool_
        || w.void;
    if let Some(t) = named {
        if words {
            return unsupported("typedef name combined with other type specifiers", span);
        }
        return Ok(t);
    }
    if w.signed && w.unsigned {
        return unsupported("both signed and unsigned", span);
    }
    if w.void {
        return if specs.len() == 1 {
            Ok(CType::Void)
        } else {
            unsupported("void combined with other type specifiers", span)
        };
    }
    if w.bool_ {
        if specs.len() > 1 {
            return unsupported("_Bool combined with other type specifiers", span);
        }
        return Ok(CType::aliased_int(IntRank::Bool, false, "_Bool"));
    }
    if w.float || w.double {
        if w.signed || w.unsigned || w.short || w.char || w.int {
            return unsupported("invalid floating type", span);
        }
        return match (w.float, w.double, w.long) {
            (true, false, 0) => Ok(CType::Float(FloatKind::Float)),
            (false, true, 0) => Ok(CType::Float(FloatKind::Double)),
            (false, true, 1) => unsupported("long double", span),
            _ => unsupported("invalid floating type", span),
        };
    }
    let signed = !w.unsigned;
    if w.char {
        if w.short || w.long > 0 || w.int {
            return unsupported("invalid char type", span);
        }
        return Ok(if w.signed {
            CType::aliased_int(IntRank::Char, true, "signed char")
        } else if w.unsigned {
            CType::aliased_int(IntRank::Char, false, "unsigned char")
        } else {
            // Plain char is signed on the platforms CPython's defaults target (x86-64 Linux).
            CType::aliased_int(IntRank::Char, true, "char")
        });
    }
    let rank = match (w.short, w.long) {
        (true, 0) => IntRank::Short,
        (false, 0) => IntRank::Int,
        (false, 1) => IntRank::Long,
        (false, 2) => IntRank::LongLong,
        _ => return unsupported("invalid integer type", span),
    };
    if !(w.int || w.short || w.long > 0 || w.signed || w.unsigned) {
        // No type specifier at all (implicit int) is not C11.
        return unsupported("missing type specifier", span);
    }
    Ok(CType::int(rank, signed))
}

/// Apply a declarator to its base type; returns the declared name (if any) and the type.
///
/// lang-c lists a declarator's pointers first, then its suffixes (`[n]`, `(params)`) in source
/// order; C binds pointers tighter to the base, and the first suffix outermost.
pub fn apply_declarator(
    base: CType,
    d: &Node<Declarator>,
    names: &dyn TypeNames,
) -> Result<(Option<Node<String>>, CType), TypeError> {
    let mut ty = base;
    let derived = &d.node.derived;
    let npointers = derived
        .iter()
        .take_while(|x| matches!(x.node, DerivedDeclarator::Pointer(_)))
        .count();
    for _ in 0..npointers {
        ty = ty.ptr();
    }
    for x in derived[npointers..].iter().rev() {
        ty = match &x.node {
            DerivedDeclarator::Pointer(_) => ty.ptr(),
            DerivedDeclarator::Array(a) => {
                let n = match &a.node.size {
                    ArraySize::Unknown => None,
                    ArraySize::VariableExpression(e) | ArraySize::StaticExpression(e) => {
                        match const_int(e) {
                            Some(n) => Some(n),
                            None => {
                                return Err(TypeError {
                                    kind: TypeErrorKind::VariableArray,
                                    span: e.span,
                                })
                            }
                        }
                    }
                    ArraySize::VariableUnknown => {
                        return Err(TypeError {
                            kind: TypeErrorKind::VariableArray,
                            span: x.span,
                        })
                    }
                };
                CType::Array(Box::new(ty), n)
            }
            DerivedDeclarator::Function(f) => {
                CType::Function(Box::new(function_type(ty, f, names)?))
            }
            DerivedDeclarator::KRFunction(ids) => {
                if ids.is_empty() {
                    // `f()`: an unprototyped function; treat as taking no arguments.
                    CType::Function(Box::new(FnType {
                        ret: ty,
                        params: vec![],
                        variadic: false,
                    }))
                } else {
                    return unsupported("K&R function declarator", x.span);
                }
            }
            DerivedDeclarator::Block(_) => return unsupported("block pointer", x.span),
        };
    }
    match &d.node.kind.node {
        DeclaratorKind::Abstract => Ok((None, ty)),
        DeclaratorKind::Identifier(id) => Ok((Some(Node::new(id.node.name.clone(), id.span)), ty)),
        DeclaratorKind::Declarator(inner) => apply_declarator(ty, inner, names),
    }
}

/// Prototype parameters; `(void)` means none.
fn function_type(
    ret: CType,
    f: &Node<FunctionDeclarator>,
    names: &dyn TypeNames,
) -> Result<FnType, TypeError> {
    let mut params = Vec::new();
    for p in &f.node.parameters {
        let base = base_of_declaration(&p.node.specifiers, names)?;
        let ty = match &p.node.declarator {
            Some(d) => apply_declarator(base.ty, d, names)?.1,
            None => base.ty,
        };
        params.push(ty);
    }
    if params.len() == 1
        && params[0] == CType::Void
        && f.node.parameters[0].node.declarator.is_none()
    {
        params.clear();
    }
    // Parameters of array/function type are adjusted to pointers (C11 6.7.6.3p7-8).
    let params = params.iter().map(CType::decay).collect();
    Ok(FnType {
        ret,
        params,
        variadic: f.node.ellipsis == Ellipsis::Some,
    })
}

/// Parameter names of a prototype declarator, in order (`None` for unnamed ones).
pub fn parameter_names(d: &Node<Declarator>) -> Option<Vec<Option<String>>> {
    for x in &d.node.derived {
        if let DerivedDeclarator::Function(f) = &x.node {
            return Some(
                f.node
                    .parameters
                    .iter()
                    .map(|p| {
                        p.node
                            .declarator
                            .as_ref()
                            .and_then(|d| declarator_name(d).map(|n| n.node))
                    })
                    .collect(),
            );
        }
    }
    match &d.node.kind.node {
        DeclaratorKind::Declarator(inner) => parameter_names(inner),
        _ => None,
    }
}

/// The identifier a declarator declares.
pub fn declarator_name(d: &Node<Declarator>) -> Option<Node<String>> {
    match &d.node.kind.node {
        DeclaratorKind::Abstract => None,
        DeclaratorKind::Identifier(id) => Some(Node::new(id.node.name.clone(), id.span)),
        DeclaratorKind::Declarator(inner) => declarator_name(inner),
    }
}

/// Value of an integer literal without suffix tricks (array sizes).
fn const_int(e: &Node<Expression>) -> Option<u64> {
    match &e.node {
        Expression::Constant(c) => match &c.node {
            Constant::Integer(i) => parse_integer(&i.base, &i.number),
            _ => None,
        },
        _ => None,
    }
}

/// Digits of a lang-c integer literal in its base (lang-c strips the `0x`/`0b` prefix, keeps
/// the octal `0`).
pub fn parse_integer(base: &IntegerBase, digits: &str) -> Option<u64> {
    let digits = digits.replace('\'', "");
    match base {
        IntegerBase::Decimal => digits.parse().ok(),
        IntegerBase::Hexadecimal => u64::from_str_radix(&digits, 16).ok(),
        IntegerBase::Octal => u64::from_str_radix(&digits, 8).ok(),
        IntegerBase::Binary => u64::from_str_radix(&digits, 2).ok(),
    }
}
