//! Per-op properties that become CPython's `HAS_*_FLAG` bits, after `analyzer.py`'s
//! `compute_properties` and `generators_common.cflags`.
//!
//! The properties are syntactic: they look for names in the body (`DEOPT_IF`, `GETLOCAL`,
//! `FRAME_CO_CONSTS`, ...), exactly as CPython does, so the flags match its headers even
//! where the syntactic answer is conservative.

use crate::dsl::{Token, TokenKind};

use super::escapes::{self, EscapingCall};
use super::Version;

/// What an op (or, merged, an instruction) does, as far as metadata is concerned.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Properties {
    pub escapes: bool,
    pub error_with_pop: bool,
    pub error_without_pop: bool,
    pub deopts: bool,
    pub side_exit: bool,
    pub oparg: bool,
    pub jumps: bool,
    pub eval_breaker: bool,
    pub needs_this: bool,
    pub sync_sp: bool,
    pub uses_co_consts: bool,
    pub uses_co_names: bool,
    pub uses_locals: bool,
    pub has_free: bool,
    pub pure: bool,
    pub no_save_ip: bool,
    pub oparg_and_1: bool,
    /// `Some(1)` for `specializing`/`tier1`, `Some(2)` for `tier2`.
    pub tier: Option<u8>,
    /// For replicated uops: the constant oparg.
    pub const_oparg: Option<u32>,
}

impl Properties {
    /// Properties of cache skips and `flush` parts (CPython's `SKIP_PROPERTIES`).
    pub fn skip() -> Properties {
        Properties {
            pure: true,
            ..Properties::default()
        }
    }

    /// Merges the properties of a macro's parts (or a pseudo's targets).
    pub fn merge(list: &[&Properties]) -> Properties {
        let any = |f: fn(&Properties) -> bool| list.iter().any(|p| f(p));
        let all = |f: fn(&Properties) -> bool| list.iter().all(|p| f(p));
        Properties {
            escapes: any(|p| p.escapes),
            error_with_pop: any(|p| p.error_with_pop),
            error_without_pop: any(|p| p.error_without_pop),
            deopts: any(|p| p.deopts),
            side_exit: any(|p| p.side_exit),
            oparg: any(|p| p.oparg),
            jumps: any(|p| p.jumps),
            eval_breaker: any(|p| p.eval_breaker),
            needs_this: any(|p| p.needs_this),
            sync_sp: any(|p| p.sync_sp),
            uses_co_consts: any(|p| p.uses_co_consts),
            uses_co_names: any(|p| p.uses_co_names),
            uses_locals: any(|p| p.uses_locals),
            has_free: any(|p| p.has_free),
            pure: all(|p| p.pure),
            no_save_ip: all(|p| p.no_save_ip),
            oparg_and_1: false,
            tier: None,
            const_oparg: None,
        }
    }

    pub fn infallible(&self) -> bool {
        !self.error_with_pop && !self.error_without_pop
    }

    /// The `HAS_*_FLAG` names `version`'s headers define, in the order CPython writes them.
    /// 3.12 only had the four flags the compiler needs.
    pub fn flags_for(&self, version: Version) -> Vec<&'static str> {
        let mut f = self.flags();
        if version == Version::V3_12 {
            f.retain(|n| {
                matches!(
                    *n,
                    "HAS_ARG_FLAG" | "HAS_CONST_FLAG" | "HAS_NAME_FLAG" | "HAS_JUMP_FLAG"
                )
            });
        }
        f
    }

    /// The `HAS_*_FLAG` names, in the order CPython's `cflags` writes them (3.13+).
    pub fn flags(&self) -> Vec<&'static str> {
        let mut f = Vec::new();
        let mut add = |cond: bool, name: &'static str| {
            if cond {
                f.push(name);
            }
        };
        add(self.oparg, "HAS_ARG_FLAG");
        add(self.uses_co_consts, "HAS_CONST_FLAG");
        add(self.uses_co_names, "HAS_NAME_FLAG");
        add(self.jumps, "HAS_JUMP_FLAG");
        add(self.has_free, "HAS_FREE_FLAG");
        add(self.uses_locals, "HAS_LOCAL_FLAG");
        add(self.eval_breaker, "HAS_EVAL_BREAK_FLAG");
        add(self.deopts, "HAS_DEOPT_FLAG");
        add(self.side_exit, "HAS_EXIT_FLAG");
        add(!self.infallible(), "HAS_ERROR_FLAG");
        add(self.error_without_pop, "HAS_ERROR_NO_POP_FLAG");
        add(self.escapes, "HAS_ESCAPES_FLAG");
        add(self.pure, "HAS_PURE_FLAG");
        add(self.oparg_and_1, "HAS_OPARG_AND_1_FLAG");
        add(self.no_save_ip, "HAS_NO_SAVE_IP_FLAG");
        f
    }
}

/// Whether identifier `name` occurs in the body.
pub fn variable_used(body: &[Token], name: &str) -> bool {
    body.iter()
        .any(|t| t.kind == TokenKind::Identifier && t.text == name)
}

/// Inputs of [`compute`]: the pieces of one `inst`/`op` definition.
#[derive(Debug)]
pub struct OpSource<'a> {
    pub name: &'a str,
    pub annotations: &'a [String],
    pub body: &'a [Token],
    pub calls: &'a [EscapingCall],
    /// Whether `oparg` occurs anywhere in the definition (stack effect included).
    pub oparg_in_definition: bool,
}

/// Which rule of CPython's analyzer rejected an op.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PropertyError {
    DeoptAndExit,
}

pub fn compute(src: &OpSource<'_>, version: Version) -> Result<Properties, PropertyError> {
    // One pass over the body instead of one per looked-up name.
    let idents: std::collections::HashSet<&str> = src
        .body
        .iter()
        .filter(|t| t.kind == TokenKind::Identifier)
        .map(|t| t.text.as_str())
        .collect();
    let used = |n: &str| idents.contains(n);
    let has_free = [
        "PyCell_New",
        "PyCell_GetRef",
        "PyCell_SetTakeRef",
        "PyCell_SwapTakeRef",
    ]
    .iter()
    .any(|n| used(n));
    let deopts = used("DEOPT_IF");
    let side_exit = used("EXIT_IF");
    if deopts && side_exit {
        return Err(PropertyError::DeoptAndExit);
    }
    let legacy = version < Version::V3_14;
    let (error_with_pop, error_without_pop) = if legacy {
        let shared = used("pop_1_error") || used("exception_unwind") || used("resume_with_error");
        (used("ERROR_IF") || shared, used("ERROR_NO_POP") || shared)
    } else {
        (
            used("ERROR_IF") || used("exception_unwind"),
            used("ERROR_NO_POP") || used("exception_unwind"),
        )
    };
    let uses_locals = if legacy {
        (used("GETLOCAL") || used("SETLOCAL")) && !has_free
    } else {
        used("GETLOCAL") && !has_free
    };
    let has_anno = |a: &str| src.annotations.iter().any(|x| x == a);
    let tier = if has_anno("specializing") || has_anno("tier1") {
        Some(1)
    } else if has_anno("tier2") {
        Some(2)
    } else {
        None
    };
    Ok(Properties {
        escapes: escapes::body_escapes(src.name, src.calls, version),
        error_with_pop,
        error_without_pop,
        deopts,
        side_exit,
        oparg: src.oparg_in_definition,
        jumps: used("JUMPBY"),
        // 3.13 flagged every op that checks the eval breaker; 3.14 only the periodic checks.
        eval_breaker: if legacy {
            used("CHECK_EVAL_BREAKER")
        } else {
            src.name.contains("CHECK_PERIODIC")
        },
        needs_this: used("this_instr"),
        sync_sp: used("SYNC_SP"),
        uses_co_consts: used("FRAME_CO_CONSTS"),
        uses_co_names: used("FRAME_CO_NAMES"),
        uses_locals,
        has_free,
        pure: has_anno("pure"),
        no_save_ip: has_anno("no_save_ip"),
        oparg_and_1: false,
        tier,
        const_oparg: None,
    })
}
