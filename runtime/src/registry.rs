//! The by-name registry: every API function, global and field accessor of the runtime, callable
//! with dynamic [`Value`]s by its C name. The reference interpreter uses this; generated code calls
//! the same Rust methods directly through the `bindings.toml` templates.
//!
//! Entries are produced by the [`api!`](crate::api) macro next to the implementation, so each API
//! function is written exactly once.

use crate::ctype::{parse_sig, CSig, CType};
use crate::value::{CallError, FromValue, Value};
use crate::vm::Vm;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

/// FNV-1a over the key's bytes: the reference interpreter looks entries up by name while it
/// runs, and the default SipHash was most of a lookup's cost (the keys are fixed names, so
/// collision attacks are no concern).
#[derive(Clone, Copy)]
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// The dynamic entry point of one API function.
pub type CallFn = fn(&mut Vm, &mut [Value]) -> Result<Value, CallError>;

/// What the `api!` macro records for each function (before the prototype is parsed).
#[derive(Clone, Copy, Debug)]
pub struct RawEntry {
    /// registry key override (fields: `"PyTypeObject.tp_version_tag"`); `None`: the C name
    pub key: Option<&'static str>,
    /// the C prototype
    pub sig: &'static str,
    /// the Rust method implementing it (`Vm::<rust>`)
    pub rust: &'static str,
    /// the Rust parameter types, as written (`#[out]` ones without the `&mut`)
    pub rust_params: &'static [&'static str],
    /// the Rust return type, as written
    pub rust_ret: &'static str,
    /// the dynamic entry point
    pub call: CallFn,
}

/// One registry entry.
#[derive(Clone, Debug)]
pub struct ApiEntry {
    /// the registry key: C name, `"<Type>.<field>"` for field reads, `"<Type>.<field>="` for
    /// field writes
    pub name: &'static str,
    /// the C prototype the entry implements
    pub sig: &'static str,
    /// parameter types (out-parameters are `PyObject **` / `_PyStackRef *`)
    pub c_params: Vec<CType>,
    /// return type
    pub c_ret: CType,
    /// takes extra arguments after the fixed ones (`...`)
    pub variadic: bool,
    /// the Rust method (`Vm::<rust>`)
    pub rust: &'static str,
    /// the Rust parameter types, as written (`#[out]` ones without the `&mut`)
    pub rust_params: &'static [&'static str],
    /// the Rust return type, as written
    pub rust_ret: &'static str,
    /// Calls the function. Arguments are converted to the Rust parameter types; out-parameters
    /// are read from and written back to their slot in `args`.
    pub call: CallFn,
}

/// The registry.
#[derive(Debug)]
pub struct Registry {
    entries: Vec<ApiEntry>,
    index: HashMap<&'static str, usize, BuildHasherDefault<Fnv>>,
    /// prototypes that failed to parse (a bug in the runtime; a test asserts this is empty)
    pub errors: Vec<String>,
}

fn build() -> Registry {
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    for raw in crate::api::all_entries() {
        match parse_sig(raw.sig) {
            Ok(CSig {
                name,
                ret,
                params,
                variadic,
            }) => {
                let key: &'static str = match raw.key {
                    Some(k) => k,
                    None => Box::leak(name.into_boxed_str()),
                };
                entries.push(ApiEntry {
                    name: key,
                    sig: raw.sig,
                    c_params: params,
                    c_ret: ret,
                    variadic,
                    rust: raw.rust,
                    rust_params: raw.rust_params,
                    rust_ret: raw.rust_ret,
                    call: raw.call,
                });
            }
            Err(e) => errors.push(e.to_string()),
        }
    }
    entries.sort_by(|a, b| a.name.cmp(b.name));
    let mut index = HashMap::with_hasher(BuildHasherDefault::<Fnv>::default());
    for (i, e) in entries.iter().enumerate() {
        if index.insert(e.name, i).is_some() {
            errors.push(format!("duplicate registry entry `{}`", e.name));
        }
    }
    Registry {
        entries,
        index,
        errors,
    }
}

/// The process-wide registry (built on first use).
pub fn registry() -> &'static Registry {
    static R: OnceLock<Registry> = OnceLock::new();
    R.get_or_init(build)
}

/// Looks up an API function / global / field accessor by its registry key.
pub fn lookup(name: &str) -> Option<&'static ApiEntry> {
    let r = registry();
    r.index.get(name).map(|&i| &r.entries[i])
}

/// All entries, sorted by name.
pub fn entries() -> &'static [ApiEntry] {
    &registry().entries
}

impl ApiEntry {
    /// Calls the entry by name-resolved pointer (convenience for `(self.call)(vm, args)`).
    pub fn invoke(&self, vm: &mut Vm, args: &mut [Value]) -> Result<Value, CallError> {
        (self.call)(vm, args)
    }
}

/// Converts argument `*i` (and advances), for the `api!` wrappers.
pub fn arg<T: FromValue>(args: &[Value], i: &mut usize) -> Result<T, CallError> {
    let idx = *i;
    *i += 1;
    let v = args.get(idx).copied().unwrap_or(Value::Void);
    T::from_value(v).map_err(|expected| CallError::Type {
        index: idx,
        expected,
        got: v.kind(),
    })
}

/// An element type of an `#[array]` parameter, read from a slot of the current frame.
pub trait SlotElem: Sized {
    /// The element a slot holds, seen as this type.
    fn from_slot(r: crate::stackref::StackRef) -> Self;
}

impl SlotElem for crate::stackref::StackRef {
    fn from_slot(r: crate::stackref::StackRef) -> Self {
        r
    }
}

impl SlotElem for crate::handles::Obj {
    /// `PyStackRef_AsPyObjectBorrow` of the slot (as `STACKREFS_TO_PYOBJECTS` converts).
    fn from_slot(r: crate::stackref::StackRef) -> Self {
        r.obj()
    }
}

/// Converts array argument `*i` (and advances): the slots of the current frame that a
/// [`Value::Slots`] names, copied (the callee only reads them).
pub fn array_arg<T: SlotElem>(
    vm: &mut Vm,
    args: &[Value],
    i: &mut usize,
) -> Result<Vec<T>, CallError> {
    let idx = *i;
    *i += 1;
    let v = args.get(idx).copied().unwrap_or(Value::Void);
    let Value::Slots(s) = v else {
        return Err(CallError::Type {
            index: idx,
            expected: "array",
            got: v.kind(),
        });
    };
    let (start, len) = (s.start as usize, s.len as usize);
    let f = vm.cur();
    match f.localsplus.get(start..start + len) {
        Some(slots) => Ok(slots.iter().map(|r| T::from_slot(*r)).collect()),
        None => Err(CallError::Type {
            index: idx,
            expected: "array inside the frame",
            got: "array out of the frame's slots",
        }),
    }
}

/// Writes an `#[out_array]` argument back to the frame slots its [`Value::Slots`] names (the
/// callee wrote through the pointer).
pub fn store_slots(
    vm: &mut Vm,
    arg: &Value,
    items: &[crate::stackref::StackRef],
) -> Result<(), CallError> {
    let Value::Slots(s) = *arg else {
        return Err(CallError::Type {
            index: 0,
            expected: "array",
            got: arg.kind(),
        });
    };
    let start = s.start as usize;
    let f = vm.cur();
    match f.localsplus.get_mut(start..start + items.len()) {
        Some(slots) => {
            slots.copy_from_slice(items);
            Ok(())
        }
        None => Err(CallError::Type {
            index: 0,
            expected: "array inside the frame",
            got: "array out of the frame's slots",
        }),
    }
}

/// Arity check for the `api!` wrappers.
pub fn check_arity(
    sig: &'static str,
    args: &[Value],
    fixed: usize,
    variadic: bool,
) -> Result<(), CallError> {
    if args.len() == fixed || (variadic && args.len() > fixed) {
        Ok(())
    } else {
        Err(CallError::Arity {
            name: sig,
            expected: fixed,
            got: args.len(),
        })
    }
}

/// Defines API functions once: each item becomes a `pub fn` on [`Vm`] and a [`RawEntry`] in the
/// module's `entries()` list.
///
/// ```text
/// api! {
///     /// doc
///     "PyObject *PyNumber_Add(PyObject *a, PyObject *b)"
///     fn number_add(&mut self, a: Obj, b: Obj) -> Obj { ... }
///
///     "int PyDict_GetItemRef(PyObject *p, PyObject *key, PyObject **result)"
///     fn dict_get_item_ref(&mut self, p: Obj, key: Obj, #[out] result: Obj) -> i32 { ... }
///
///     "void _PyErr_Format(PyThreadState *t, PyObject *exc, const char *fmt, ...)"
///     fn err_format(&mut self, t: TState, exc: Obj, fmt: CStr | rest) -> () { ... }
///
///     "unsigned int tp_version_tag(PyTypeObject *base)" as "PyTypeObject.tp_version_tag"
///     fn type_version_tag(&mut self, base: Obj) -> u32 { ... }
/// }
/// ```
/// `#[out]` parameters become `&mut T` in Rust (the C side passes `&x`, or an lvalue for macros
/// like `Py_CLEAR`); `#[array]` parameters (`const _PyStackRef *args`, `PyObject *const *args`)
/// become `&[T]` (the registry reads them from [`Value::Slots`]); `#[out_array]` parameters
/// (`_PyStackRef *sp` written through) become `&mut [T]`, read from and written back to the
/// slots; a variadic tail (`| name`)
/// becomes `&[Value]`.
#[macro_export]
macro_rules! api {
    ($(
        $(#[$meta:meta])*
        $sig:literal $(as $key:literal)?
        fn $name:ident(&mut $s:ident $(, $(#[$attr:ident])? $p:ident : $t:ty)* $(| $va:ident)?) -> $r:ty
        $body:block
    )*) => {
        impl $crate::vm::Vm {
            $(
                $(#[$meta])*
                #[doc = concat!("\n\nC: `", $sig, "`")]
                #[allow(clippy::too_many_arguments, clippy::unused_unit)]
                pub fn $name(&mut $s $(, $p: $crate::__api_ty!($($attr)? $t))* $(, $va: &[$crate::value::Value])?) -> $r $body
            )*
        }

        /// The registry entries defined in this module.
        pub(crate) fn entries() -> Vec<$crate::registry::RawEntry> {
            vec![$(
                $crate::registry::RawEntry {
                    key: None $(.or(Some($key)))?,
                    sig: $sig,
                    rust: stringify!($name),
                    rust_params: &[$(stringify!($t)),*],
                    rust_ret: stringify!($r),
                    call: |vm: &mut $crate::vm::Vm, args: &mut [$crate::value::Value]|
                        -> Result<$crate::value::Value, $crate::value::CallError> {
                        let fixed: usize = <[&str]>::len(&[$(stringify!($p),)*]);
                        let variadic = false $(|| { let _ = stringify!($va); true })?;
                        $crate::registry::check_arity($sig, args, fixed, variadic)?;
                        #[allow(unused_mut, unused_variables)]
                        let mut i = 0usize;
                        $(
                            #[allow(unused_mut)]
                            let mut $p = $crate::__api_arg!($($attr)? vm, args, i, $t);
                        )*
                        $( let $va: &[$crate::value::Value] = &args[fixed..]; )?
                        #[allow(clippy::let_unit_value)]
                        let r = vm.$name($($crate::__api_pass!($($attr)? $p),)* $($va)?);
                        #[allow(unused_mut, unused_variables, unused_assignments)]
                        let mut j = 0usize;
                        $(
                            $crate::__api_store!($($attr)? vm, args, j, $p);
                            j += 1;
                        )*
                        let _ = j;
                        Ok($crate::value::IntoValue::into_value(r))
                    },
                },
            )*]
        }
    };
}

/// Parameter type of an `api!` method: `&mut T` for `#[out]`.
#[doc(hidden)]
#[macro_export]
macro_rules! __api_ty {
    (out $t:ty) => {
        &mut $t
    };
    (array $t:ty) => {
        &[$t]
    };
    (out_array $t:ty) => {
        &mut [$t]
    };
    ($t:ty) => {
        $t
    };
}

/// Conversion of one argument in an `api!` wrapper: a `Vec` for `#[array]`.
#[doc(hidden)]
#[macro_export]
macro_rules! __api_arg {
    (array $vm:ident, $args:ident, $i:ident, $t:ty) => {
        $crate::registry::array_arg::<$t>($vm, $args, &mut $i)?
    };
    (out_array $vm:ident, $args:ident, $i:ident, $t:ty) => {
        $crate::registry::array_arg::<$t>($vm, $args, &mut $i)?
    };
    (out $vm:ident, $args:ident, $i:ident, $t:ty) => {
        $crate::registry::arg::<$t>($args, &mut $i)?
    };
    ($vm:ident, $args:ident, $i:ident, $t:ty) => {
        $crate::registry::arg::<$t>($args, &mut $i)?
    };
}

/// Argument expression in an `api!` wrapper: `&mut x` for `#[out]`.
#[doc(hidden)]
#[macro_export]
macro_rules! __api_pass {
    (out $p:ident) => {
        &mut $p
    };
    (array $p:ident) => {
        &$p
    };
    (out_array $p:ident) => {
        &mut $p
    };
    ($p:ident) => {
        $p
    };
}

/// Write-back of an `#[out]` argument in an `api!` wrapper.
#[doc(hidden)]
#[macro_export]
macro_rules! __api_store {
    (out $vm:ident, $args:ident, $j:ident, $p:ident) => {
        $args[$j] = $crate::value::IntoValue::into_value($p)
    };
    (array $vm:ident, $args:ident, $j:ident, $p:ident) => {
        let _ = &$p;
    };
    (out_array $vm:ident, $args:ident, $j:ident, $p:ident) => {
        $crate::registry::store_slots($vm, &$args[$j], &$p)?
    };
    ($vm:ident, $args:ident, $j:ident, $p:ident) => {
        let _ = &$p;
    };
}
