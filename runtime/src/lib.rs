//! A deterministic model of the CPython state that opcode bodies touch, with the C API they call.
//!
//! * [`Vm`] is the whole state: a heap of objects with explicit reference counts ([`heap`]),
//!   frames with value stacks ([`frame`]), the thread state, and a fault-injection plan
//!   ([`faults`]).
//! * [`StackRef`] mirrors `_PyStackRef` bit for bit; [`Obj`] is a `PyObject *`.
//! * The C API is implemented once, in [`api`], as methods on [`Vm`]; the same functions are
//!   reachable by C name through [`registry::lookup`] for the reference interpreter.
//! * [`snapshot`] turns a state into a canonical comparable form and diffs two of them.
//! * [`Outcome`] is how a body ended, shared by generated and reference code.

pub mod api;
pub mod arith;
pub mod compare;
pub mod containers;
pub mod ctype;
pub mod faults;
pub mod frame;
pub mod handles;
pub mod heap;
pub mod invariants;
pub mod object;
pub mod outcome;
pub mod registry;
pub mod repr;
pub mod snapshot;
pub mod stackref;
pub mod value;
pub mod vm;
pub mod well_known;

pub use faults::FaultPlan;
pub use frame::{Frame, ThreadState};
pub use handles::{CodePtr, Destructor, EntryPtr, FrameId, KeysRef, Obj, TState};
pub use heap::Violation;
pub use object::{Builtin, CodeData, FunctionData, IntVal, ObjData};
pub use outcome::Outcome;
pub use registry::{lookup, ApiEntry};
pub use snapshot::{Snapshot, SnapshotDiff};
pub use stackref::StackRef;
pub use value::{CStr, CallError, IntTy, Value};
pub use vm::Vm;
