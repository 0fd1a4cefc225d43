//! Named build configurations: the macro values `#if` lines inside bodies are evaluated against.
//!
//! A body's meaning depends on the CPython build it is compiled for (specialization on/off, tier one
//! or two, free-threading, debug). cases2rs translates for one named configuration at a time. Every
//! macro a body may test must be *known* to the configuration (defined with a value, or known to be
//! undefined): an unknown name in `#if` is an error rather than C's silent "undefined means 0", so a
//! new CPython macro is noticed instead of guessed.

use std::collections::BTreeMap;

/// The value of a configuration macro: defined with an integer value, or known to be undefined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MacroValue {
    Defined(i64),
    Undefined,
}

/// A named set of known macros.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildConfig {
    name: String,
    macros: BTreeMap<String, MacroValue>,
}

/// Names of the presets accepted by [`BuildConfig::preset`] (and `--config`).
pub const PRESET_NAMES: &[&str] = &[
    "default",
    "tier2",
    "jit",
    "free-threading",
    "debug",
    "emscripten",
];

/// Macros of CPython's default build (`./configure && make`): specialization on, tier one, GIL,
/// release (`NDEBUG`), no stats, no tail-call interpreter, no JIT, not emscripten.
const DEFAULT_MACROS: &[(&str, MacroValue)] = &[
    ("ENABLE_SPECIALIZATION", MacroValue::Defined(1)),
    ("ENABLE_SPECIALIZATION_FT", MacroValue::Defined(1)),
    ("TIER_ONE", MacroValue::Defined(1)),
    ("TIER_TWO", MacroValue::Undefined),
    ("_Py_TIER2", MacroValue::Undefined),
    ("_Py_JIT", MacroValue::Undefined),
    ("Py_GIL_DISABLED", MacroValue::Undefined),
    ("Py_DEBUG", MacroValue::Undefined),
    ("NDEBUG", MacroValue::Defined(1)),
    ("Py_REF_DEBUG", MacroValue::Undefined),
    ("Py_TRACE_REFS", MacroValue::Undefined),
    ("Py_STACKREF_DEBUG", MacroValue::Undefined),
    ("Py_STATS", MacroValue::Undefined),
    ("LLTRACE", MacroValue::Undefined),
    ("Py_TAIL_CALL_INTERP", MacroValue::Undefined),
    ("__EMSCRIPTEN__", MacroValue::Undefined),
    ("MS_WINDOWS", MacroValue::Undefined),
];

impl BuildConfig {
    /// CPython's default build; see [`DEFAULT_MACROS`].
    pub fn default_build() -> Self {
        Self {
            name: "default".to_string(),
            macros: DEFAULT_MACROS
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect(),
        }
    }

    /// A named preset: `default`, `tier2` (the uop executor's cases), `jit` (tier two as compiled
    /// for the JIT), `free-threading` (`--disable-gil`), `debug` (`--with-pydebug`), `emscripten`.
    pub fn preset(name: &str) -> Option<Self> {
        let mut c = Self::default_build();
        c.name = name.to_string();
        match name {
            "default" => {}
            "tier2" => {
                c.set("TIER_ONE", MacroValue::Undefined);
                c.set("TIER_TWO", MacroValue::Defined(1));
                c.set("_Py_TIER2", MacroValue::Defined(1));
            }
            "jit" => {
                c.set("TIER_ONE", MacroValue::Undefined);
                c.set("TIER_TWO", MacroValue::Defined(1));
                c.set("_Py_TIER2", MacroValue::Defined(1));
                c.set("_Py_JIT", MacroValue::Defined(1));
            }
            "free-threading" => {
                // pycore_code.h: with the GIL disabled only the thread-safe families specialize.
                c.set("Py_GIL_DISABLED", MacroValue::Defined(1));
                c.set("ENABLE_SPECIALIZATION", MacroValue::Defined(0));
                c.set("ENABLE_SPECIALIZATION_FT", MacroValue::Defined(1));
            }
            "debug" => {
                c.set("Py_DEBUG", MacroValue::Defined(1));
                c.set("Py_REF_DEBUG", MacroValue::Defined(1));
                c.set("NDEBUG", MacroValue::Undefined);
            }
            "emscripten" => {
                c.set("__EMSCRIPTEN__", MacroValue::Defined(1));
            }
            _ => return None,
        }
        Some(c)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Defines (or undefines) a macro; used for presets and for users' own variants.
    pub fn set(&mut self, name: &str, value: MacroValue) {
        self.macros.insert(name.to_string(), value);
    }

    /// `None` when the macro is unknown to this configuration (an error in `#if`).
    pub fn get(&self, name: &str) -> Option<MacroValue> {
        self.macros.get(name).copied()
    }

    /// All known macros, sorted by name.
    pub fn macros(&self) -> impl Iterator<Item = (&str, MacroValue)> {
        self.macros.iter().map(|(k, v)| (k.as_str(), *v))
    }
}

impl Default for BuildConfig {
    fn default() -> Self {
        Self::default_build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_name_resolves_and_unknown_does_not() {
        for name in PRESET_NAMES {
            let c = BuildConfig::preset(name).expect(name);
            assert_eq!(c.name(), *name);
        }
        assert!(BuildConfig::preset("nogil").is_none());
    }

    #[test]
    fn presets_differ_where_documented() {
        let d = BuildConfig::default_build();
        assert_eq!(d.get("TIER_ONE"), Some(MacroValue::Defined(1)));
        assert_eq!(d.get("Py_GIL_DISABLED"), Some(MacroValue::Undefined));
        assert_eq!(d.get("NDEBUG"), Some(MacroValue::Defined(1)));
        let t2 = BuildConfig::preset("tier2").unwrap();
        assert_eq!(t2.get("TIER_ONE"), Some(MacroValue::Undefined));
        assert_eq!(t2.get("TIER_TWO"), Some(MacroValue::Defined(1)));
        let ft = BuildConfig::preset("free-threading").unwrap();
        assert_eq!(
            ft.get("ENABLE_SPECIALIZATION"),
            Some(MacroValue::Defined(0))
        );
        let dbg = BuildConfig::preset("debug").unwrap();
        assert_eq!(dbg.get("NDEBUG"), Some(MacroValue::Undefined));
        assert_eq!(d.get("NOT_A_MACRO"), None);
    }
}
