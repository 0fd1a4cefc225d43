//! The binding table: every C name a body may use, its C type, and the Rust it becomes.
//!
//! The schema is documented in the header of `runtime/bindings.toml`. Loading validates every
//! entry (prototypes parsed with lang-c, templates parsed, out-parameters checked) so that the
//! checker and the lowering can trust it.

mod ctext;
mod error;
mod load;
pub mod template;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

pub use error::{BindingsError, EntryError, KindName, Problem};
pub use template::{Piece, Template, TemplateError};

use crate::cdecl::TypeNames;
use crate::ctype::{CType, FnType};

/// The kinds of entries, as spelled in the table (`[function."..."]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Type,
    Function,
    Global,
    Constant,
    Field,
    Dsl,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Type,
        Kind::Function,
        Kind::Global,
        Kind::Constant,
        Kind::Field,
        Kind::Dsl,
    ];

    /// The table key: `type`, `function`, `global`, `constant`, `field`, `dsl`.
    pub fn key(self) -> &'static str {
        match self {
            Kind::Type => "type",
            Kind::Function => "function",
            Kind::Global => "global",
            Kind::Constant => "constant",
            Kind::Field => "field",
            Kind::Dsl => "dsl",
        }
    }

    pub fn from_key(key: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.key() == key)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// Where an entry is in the table file (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Location {
    pub line: usize,
    pub col: usize,
}

/// How a `[type.*]` behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeClass {
    /// `T *` is an object reference; casts between such pointers are identities.
    ObjectPointer,
    Int {
        bits: u32,
        signed: bool,
    },
    Float {
        bits: u32,
    },
    /// `_PyStackRef`: a value type holding a (possibly deferred) reference.
    StackRef,
    /// A runtime struct used through pointers or by value, fields via `[field.*]`.
    OpaqueStruct,
    Void,
}

impl TypeClass {
    pub fn key(self) -> &'static str {
        match self {
            TypeClass::ObjectPointer => "object-pointer",
            TypeClass::Int { .. } => "int",
            TypeClass::Float { .. } => "float",
            TypeClass::StackRef => "stackref",
            TypeClass::OpaqueStruct => "opaque-struct",
            TypeClass::Void => "void",
        }
    }
}

/// `[type."<name>"]`.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeBinding {
    pub name: String,
    pub rust: String,
    pub class: TypeClass,
    /// The C type the name stands for (an integer type for `int`, `Named(name)` for structs).
    pub ty: CType,
    /// `indexed = true` (opaque structs only): a `T *` is a position in an array the runtime
    /// owns (`_Py_CODEUNIT *` is an index into the code object's code units), so `p[i]`,
    /// `p + n`, `p - n` and `p - q` are allowed; the Rust type has `offset(i64) -> Self` and
    /// `distance(Self) -> i64`.
    pub indexed: bool,
    pub location: Location,
}

/// `[function."<name>"]`.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionBinding {
    pub name: String,
    /// The prototype as written.
    pub sig: String,
    pub ty: FnType,
    /// Parameter names from the prototype (`None` when unnamed).
    pub param_names: Vec<Option<String>>,
    pub rust: Template,
    /// Parameter indices where `&x` may be passed.
    pub out: Vec<usize>,
    /// Parameter indices whose argument the macro assigns in place (`Py_CLEAR(x)`): the
    /// argument must be assignable.
    pub byref: Vec<usize>,
    /// Parameter indices that are read-only arrays (`const _PyStackRef *src` with the length in
    /// another parameter): the argument must be a stack array item or a local array.
    pub array: Vec<usize>,
    /// Parameter indices that are written arrays (`_PyStackRef *sp` of
    /// `_PyEval_UnpackIterableStackRef`): the argument must be a size-0 output stack array
    /// (`top[0]`) that ends the op's outputs; the callee writes the output slots below it.
    pub out_array: Vec<usize>,
    /// Parameter indices (`const char *`) whose argument is a bare identifier token, passed as
    /// its name: `_Py_ID(__build_class__)`.
    pub token: Vec<usize>,
    /// Parameter indices (`const uintptr_t *obj`) that take the address of a place the
    /// function only reads through (`&tstate->eval_breaker`): the template and the registry
    /// receive the place's value.
    pub addr: Vec<usize>,
    /// The call may be assigned to (`GETLOCAL(i) = v`), through `set`.
    pub lvalue: bool,
    pub set: Option<Template>,
    pub location: Location,
}

/// `[global."<name>"]`.
#[derive(Debug, Clone, PartialEq)]
pub struct GlobalBinding {
    pub name: String,
    pub c: CType,
    pub rust: Template,
    /// Store template (`{value}`), for globals bodies assign (`next_instr = ...`).
    pub set: Option<Template>,
    pub location: Location,
}

/// `[constant."<name>"]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ConstantBinding {
    pub name: String,
    pub c: CType,
    pub value: i64,
    pub location: Location,
}

/// `[field."<struct>.<field>"]`.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldBinding {
    pub struct_name: String,
    /// The field, or a nested member path (`op.code` for `p->op.code`).
    pub field: String,
    pub c: CType,
    pub get: Template,
    pub set: Option<Template>,
    pub location: Location,
}

/// `[dsl."<macro>"]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DslBinding {
    pub name: String,
    pub meaning: String,
    pub location: Location,
}

/// Any entry, for kind-generic lookups.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Entry<'a> {
    Type(&'a TypeBinding),
    Function(&'a FunctionBinding),
    Global(&'a GlobalBinding),
    Constant(&'a ConstantBinding),
    Field(&'a FieldBinding),
    Dsl(&'a DslBinding),
}

/// A loaded, validated binding table.
#[derive(Debug, Clone, Default)]
pub struct Bindings {
    origin: String,
    types: BTreeMap<String, TypeBinding>,
    functions: BTreeMap<String, FunctionBinding>,
    globals: BTreeMap<String, GlobalBinding>,
    constants: BTreeMap<String, ConstantBinding>,
    /// Keyed by (struct, field).
    fields: BTreeMap<(String, String), FieldBinding>,
    dsl: BTreeMap<String, DslBinding>,
    /// Entries that load but have no effect (a `[dsl.*]` name the translator does not know).
    warnings: Vec<EntryError>,
}

impl Bindings {
    /// `<repo>/runtime/bindings.toml`, the translator's default `--bindings`.
    pub fn default_path() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join("runtime")
            .join("bindings.toml")
    }

    /// Read and validate a table file.
    pub fn load(path: &Path) -> Result<Bindings, BindingsError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| BindingsError::Io {
            origin: origin.clone(),
            source,
        })?;
        Bindings::from_str(&text, &origin)
    }

    /// Validate a table given as text; `origin` names it in errors (a path, or `<test>`).
    #[allow(clippy::should_implement_trait)]
    pub fn from_str(text: &str, origin: &str) -> Result<Bindings, BindingsError> {
        load::load(text, origin)
    }

    /// Entries accepted without effect, for the CLI to show.
    pub fn warnings(&self) -> &[EntryError] {
        &self.warnings
    }

    /// Where the table came from.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    pub fn type_binding(&self, name: &str) -> Option<&TypeBinding> {
        self.types.get(name)
    }

    pub fn function(&self, name: &str) -> Option<&FunctionBinding> {
        self.functions.get(name)
    }

    pub fn global(&self, name: &str) -> Option<&GlobalBinding> {
        self.globals.get(name)
    }

    pub fn constant(&self, name: &str) -> Option<&ConstantBinding> {
        self.constants.get(name)
    }

    pub fn field(&self, struct_name: &str, field: &str) -> Option<&FieldBinding> {
        self.fields
            .get(&(struct_name.to_string(), field.to_string()))
    }

    pub fn dsl(&self, name: &str) -> Option<&DslBinding> {
        self.dsl.get(name)
    }

    /// Kind-generic lookup; a field's name is `"<struct>.<field>"`.
    pub fn lookup(&self, kind: Kind, name: &str) -> Option<Entry<'_>> {
        match kind {
            Kind::Type => self.type_binding(name).map(Entry::Type),
            Kind::Function => self.function(name).map(Entry::Function),
            Kind::Global => self.global(name).map(Entry::Global),
            Kind::Constant => self.constant(name).map(Entry::Constant),
            Kind::Field => {
                let (s, f) = name.split_once('.')?;
                self.field(s, f).map(Entry::Field)
            }
            Kind::Dsl => self.dsl(name).map(Entry::Dsl),
        }
    }

    pub fn types(&self) -> impl Iterator<Item = &TypeBinding> {
        self.types.values()
    }

    pub fn functions(&self) -> impl Iterator<Item = &FunctionBinding> {
        self.functions.values()
    }

    pub fn globals(&self) -> impl Iterator<Item = &GlobalBinding> {
        self.globals.values()
    }

    pub fn constants(&self) -> impl Iterator<Item = &ConstantBinding> {
        self.constants.values()
    }

    pub fn fields(&self) -> impl Iterator<Item = &FieldBinding> {
        self.fields.values()
    }

    pub fn dsl_entries(&self) -> impl Iterator<Item = &DslBinding> {
        self.dsl.values()
    }

    /// Number of entries of each kind, in [`Kind::ALL`] order.
    pub fn counts(&self) -> [(Kind, usize); 6] {
        [
            (Kind::Type, self.types.len()),
            (Kind::Function, self.functions.len()),
            (Kind::Global, self.globals.len()),
            (Kind::Constant, self.constants.len()),
            (Kind::Field, self.fields.len()),
            (Kind::Dsl, self.dsl.len()),
        ]
    }

    /// The class of a named (struct/typedef) type.
    pub fn class_of(&self, ty: &CType) -> Option<TypeClass> {
        match ty {
            CType::Named(n) => self.types.get(n).map(|t| t.class),
            _ => None,
        }
    }

    /// `T *` where `T` is an `indexed = true` type (`_Py_CODEUNIT *`): pointer arithmetic and
    /// indexing are modelled as moving an index.
    pub fn is_indexed_pointer(&self, ty: &CType) -> bool {
        match ty.decay() {
            CType::Pointer(p) => match &*p {
                CType::Named(n) => self.types.get(n).is_some_and(|t| t.indexed),
                _ => false,
            },
            _ => false,
        }
    }

    /// `T *` where `T` has class `object-pointer`.
    /// A pointer to `_PyStackRef` or to an object pointer: the C type of an array parameter
    /// (`const _PyStackRef *src`, `PyObject *const *args`).
    pub fn is_array_param(&self, ty: &CType) -> bool {
        ty.pointee().is_some_and(|p| {
            self.class_of(p) == Some(TypeClass::StackRef) || self.is_object_pointer(p)
        })
    }

    /// `_PyStackRef *`: the only element type a written array (`out_array`) may have.
    pub fn is_stackref_array_param(&self, ty: &CType) -> bool {
        ty.pointee()
            .is_some_and(|p| self.class_of(p) == Some(TypeClass::StackRef))
    }

    pub fn is_object_pointer(&self, ty: &CType) -> bool {
        matches!(
            ty.pointee().and_then(|p| self.class_of(p)),
            Some(TypeClass::ObjectPointer)
        )
    }

    /// The Rust type a C type maps to: primitives for arithmetic types, the table's `rust`
    /// for named types and for object pointers (`PyObject *` is the object handle type).
    /// `None` for types with no mapping (raw pointers to non-object types).
    pub fn rust_type(&self, ty: &CType) -> Option<String> {
        if let Some(p) = ty.rust_primitive() {
            return Some(p.to_string());
        }
        match ty {
            CType::Named(n) => self.types.get(n).map(|t| t.rust.clone()),
            CType::Pointer(inner) => match &**inner {
                CType::Named(n) => {
                    let t = self.types.get(n)?;
                    match t.class {
                        TypeClass::ObjectPointer | TypeClass::OpaqueStruct => Some(t.rust.clone()),
                        _ => None,
                    }
                }
                _ => None,
            },
            CType::Array(elem, Some(n)) => Some(format!("[{}; {n}]", self.rust_type(elem)?)),
            _ => None,
        }
    }

    /// Parse a C type as written in DSL stack effects or tables (`_PyInterpreterFrame *`,
    /// `uint16_t`, `PyObject **`), resolving names through this table.
    pub fn parse_type(&self, text: &str) -> Result<CType, String> {
        ctext::parse_one_type(text, self).map_err(|e| e.to_string())
    }

    /// `typedef int <name>;` for every type name the table and the builtin model know: what
    /// lang-c needs to parse bodies that use them (it misparses unknown typedef names).
    pub fn typedef_prelude(&self) -> String {
        ctext::typedef_prelude(self.types.keys().map(String::as_str))
    }
}

impl TypeNames for Bindings {
    fn resolve_type_name(&self, name: &str) -> Option<CType> {
        if let Some(t) = self.types.get(name) {
            return Some(t.ty.clone());
        }
        if let Some(b) = CType::builtin(name) {
            return Some(b);
        }
        // `struct X` / `union X` may be bound under the bare tag name.
        let tag = name
            .strip_prefix("struct ")
            .or_else(|| name.strip_prefix("union "))?;
        self.types.get(tag).map(|t| t.ty.clone())
    }
}
