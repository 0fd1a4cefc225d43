//! cases2rs differential harness: the reference C-subset interpreter, fuzzed states, the
//! oracle that compares generated (or manual) bodies with the reference, and `opcode-diff`.

pub mod program;
pub mod reference;
