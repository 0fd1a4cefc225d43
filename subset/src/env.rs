//! What a body can see besides its own declarations: its stack items, cache entries, `oparg`,
//! the DSL's labels and macros. Built by the translator from the DSL analysis.

use crate::bindings::Bindings;
use crate::ctype::{CType, IntRank};
use crate::dsl::DslMacro;

/// Whether a stack item is consumed or produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StackRole {
    Input,
    Output,
}

/// One named stack item of the body's stack effect.
#[derive(Debug, Clone, PartialEq)]
pub struct StackItem {
    pub name: String,
    pub role: StackRole,
    /// The generator's default (see [`StackItem::default_type`]), or the declared type of a
    /// typed item (`new_frame: _PyInterpreterFrame *`).
    pub ty: CType,
    /// An array item (`values[oparg]`): indexing it is how bodies reach the values.
    pub array: bool,
}

impl StackItem {
    /// The type CPython 3.`minor`'s generator gives an untyped item: `_PyStackRef` (or
    /// `_PyStackRef *` for arrays) since 3.14 (`type_and_null` in generators_common.py);
    /// `PyObject *` (`PyObject **`) in 3.12 and 3.13, as their generated_cases.c.h declare.
    pub fn default_type(array: bool, minor: u32) -> CType {
        let r = if minor >= 14 {
            CType::named("_PyStackRef")
        } else {
            CType::named("PyObject").ptr()
        };
        if array {
            r.ptr()
        } else {
            r
        }
    }
}

/// One cache entry (`counter/1`, `type_version/2`, `descr/4`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheEntry {
    pub name: String,
    /// Size in 16-bit code units.
    pub size: u32,
}

impl CacheEntry {
    /// The C type CPython's tier-1 generator declares the entry with: `uint16_t` (size 1,
    /// `read_u16`), `uint32_t` (2, `read_u32`), `PyObject *` (4, `read_obj`); other sizes have
    /// no reader.
    pub fn c_type(&self) -> Option<CType> {
        match self.size {
            1 => CType::builtin("uint16_t"),
            2 => CType::builtin("uint32_t"),
            4 => Some(CType::named("PyObject").ptr()),
            _ => None,
        }
    }
}

/// The environment of one body.
#[derive(Debug, Clone, PartialEq)]
pub struct BodyEnv {
    /// CPython minor version (3.`minor`) the body comes from.
    pub minor: u32,
    pub stack: Vec<StackItem>,
    pub caches: Vec<CacheEntry>,
    /// Type of `oparg` (`int` in CPython's eval loop).
    pub oparg: CType,
    /// Labels a `goto` (or an `ERROR_IF`'s label argument) may name.
    pub labels: Vec<String>,
    /// The DSL macros of the body's CPython version.
    pub dsl_macros: Vec<&'static DslMacro>,
    /// Extra integer constants visible to the body (e.g. opcode names from the analysis).
    pub constants: Vec<(String, i64)>,
}

impl BodyEnv {
    /// An environment for a body of CPython 3.`minor`: its DSL macros, `int oparg`, no stack
    /// items, caches or labels yet.
    pub fn new(minor: u32) -> BodyEnv {
        BodyEnv {
            minor,
            stack: Vec::new(),
            caches: Vec::new(),
            oparg: CType::int(IntRank::Int, true),
            labels: Vec::new(),
            dsl_macros: DslMacro::for_version(minor),
            constants: Vec::new(),
        }
    }

    /// Add an untyped stack item (of the version's default type, see
    /// [`StackItem::default_type`]).
    pub fn with_stack(mut self, name: &str, role: StackRole, array: bool) -> BodyEnv {
        self.stack.push(StackItem {
            name: name.to_string(),
            role,
            ty: StackItem::default_type(array, self.minor),
            array,
        });
        self
    }

    /// Add a stack item with a declared type.
    pub fn with_typed_stack(mut self, name: &str, role: StackRole, ty: CType) -> BodyEnv {
        self.stack.push(StackItem {
            name: name.to_string(),
            role,
            ty,
            array: false,
        });
        self
    }

    /// Add a stack item declared with a C type as written in the DSL (`_PyInterpreterFrame *`),
    /// resolved through `bindings`. A type the table does not know is kept by name, so the
    /// checker reports it (`type.unknown`) instead of the item silently vanishing.
    pub fn with_declared_stack(
        self,
        name: &str,
        role: StackRole,
        type_text: &str,
        bindings: &Bindings,
    ) -> BodyEnv {
        let ty = bindings
            .parse_type(type_text)
            .unwrap_or_else(|_| CType::Named(type_text.trim().to_string()));
        self.with_typed_stack(name, role, ty)
    }

    pub fn with_cache(mut self, name: &str, size: u32) -> BodyEnv {
        self.caches.push(CacheEntry {
            name: name.to_string(),
            size,
        });
        self
    }

    pub fn with_label(mut self, name: &str) -> BodyEnv {
        self.labels.push(name.to_string());
        self
    }

    pub fn with_constant(mut self, name: &str, value: i64) -> BodyEnv {
        self.constants.push((name.to_string(), value));
        self
    }

    pub fn stack_item(&self, name: &str) -> Option<&StackItem> {
        // An item that is both input and output (`left -- left`) is one variable; the first
        // declaration wins, which is the input.
        self.stack.iter().find(|s| s.name == name)
    }

    pub fn cache(&self, name: &str) -> Option<&CacheEntry> {
        self.caches.iter().find(|c| c.name == name)
    }

    pub fn dsl_macro(&self, name: &str) -> Option<&'static DslMacro> {
        self.dsl_macros.iter().copied().find(|m| m.name == name)
    }

    pub fn has_label(&self, name: &str) -> bool {
        self.labels.iter().any(|l| l == name)
    }

    pub fn constant(&self, name: &str) -> Option<i64> {
        self.constants
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| *v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_types_follow_cpythons_generator() {
        let c = |size| CacheEntry {
            name: "x".into(),
            size,
        };
        assert_eq!(c(1).c_type().unwrap().to_string(), "uint16_t");
        assert_eq!(c(2).c_type().unwrap().to_string(), "uint32_t");
        assert_eq!(c(4).c_type().unwrap().to_string(), "PyObject *");
        assert_eq!(c(3).c_type(), None);
    }

    #[test]
    fn builder_and_lookups() {
        let env = BodyEnv::new(14)
            .with_stack("values", StackRole::Input, true)
            .with_stack("res", StackRole::Output, false)
            .with_cache("counter", 1)
            .with_label("error")
            .with_constant("BINARY_OP", 44);
        assert_eq!(
            env.stack_item("values").unwrap().ty.to_string(),
            "_PyStackRef *"
        );
        assert_eq!(env.stack_item("res").unwrap().ty.to_string(), "_PyStackRef");
        assert!(env.cache("counter").is_some() && env.has_label("error"));
        assert!(env.dsl_macro("DEAD").is_some());
        assert!(BodyEnv::new(13).dsl_macro("DEAD").is_none());
        assert_eq!(env.constant("BINARY_OP"), Some(44));
        assert_eq!(env.oparg, CType::INT);
        let old = BodyEnv::new(13).with_stack("v", StackRole::Input, true);
        assert_eq!(old.stack_item("v").unwrap().ty.to_string(), "PyObject **");
    }
}
