//! TEST-ONLY deliberate mistranslations, so the differential harness can show that its oracle
//! notices a wrong translation ("the oracle bites"). Never use these for real output: the
//! emitted crate is wrong on purpose for the named body.

/// One deliberate mistake in the translation of one body.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum Mutation {
    /// Replace the `nth` (0-based, in source order) binary operator of `body` by a different
    /// one (`+`↔`-`, `<`↔`>=`, `==`↔`!=`, `&&`↔`||`, ...).
    FlipOperator { body: String, nth: usize },
    /// Drop the first reference release (`PyStackRef_CLOSE`, `Py_DECREF`, ...) of `body`.
    DropClose { body: String },
    /// Read every inline-cache entry of `body` one code unit too far, in every instruction
    /// that runs it.
    ShiftCache { body: String },
}

impl Mutation {
    /// The body the mutation applies to.
    pub fn body(&self) -> &str {
        match self {
            Mutation::FlipOperator { body, .. }
            | Mutation::DropClose { body }
            | Mutation::ShiftCache { body } => body,
        }
    }
}
