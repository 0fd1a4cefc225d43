//! cases2rs differential harness: the reference C-subset interpreter, fuzzed states, the
//! oracle that compares generated (or manual) bodies with the reference, and `opcode-diff`.

pub mod gen;
pub mod generated;
pub mod manual;
pub mod oracle;
pub mod program;
pub mod reference;
pub mod run;
pub mod targets;
