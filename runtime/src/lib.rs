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
//!
//! ```
//! use runtime::{lookup, FaultPlan, Obj, Outcome, Snapshot, Value, Vm};
//!
//! // A state: a frame with two ints on its value stack.
//! let mut vm = Vm::new();
//! let code = vm.simple_code(vec![0; 2], vec![], &[], 0, 4);
//! vm.push_frame(code, Obj::NULL, Obj::NULL, Obj::NULL);
//! vm.heap.decref(code);
//! let (a, b) = (vm.new_int(40), vm.new_int(2));
//! vm.push_obj(a);
//! vm.push_obj(b);
//!
//! // Two executions of the same body on copies of the state.
//! let run = |mut vm: Vm, by_name: bool| {
//!     vm.begin_run(FaultPlan::default());
//!     let (r, l) = (vm.pop(), vm.pop());
//!     let (lo, ro) = (vm.stackref_as_borrow(l), vm.stackref_as_borrow(r));
//!     let sum = if by_name {
//!         // the reference interpreter calls the API by C name
//!         let add = lookup("PyNumber_Add").unwrap();
//!         match add.invoke(&mut vm, &mut [Value::Obj(lo), Value::Obj(ro)]).unwrap() {
//!             Value::Obj(o) => o,
//!             _ => Obj::NULL,
//!         }
//!     } else {
//!         vm.number_add(lo, ro) // generated code calls the method
//!     };
//!     vm.stackref_close(l);
//!     vm.stackref_close(r);
//!     vm.push_obj(sum);
//!     let snap = Snapshot::take(&vm, Some(Outcome::Continue));
//!     (vm, snap)
//! };
//! let (x, sx) = run(vm.clone(), false);
//! let (y, sy) = run(vm, true);
//! assert!(runtime::snapshot::quick_equal(&x, Some(Outcome::Continue), &y, Some(Outcome::Continue)));
//! assert!(sx.diff(&sy).is_empty());
//! assert!(x.refcount_errors().is_empty());
//! ```

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
pub use value::{CStr, CallError, IntTy, Slots, Value};
pub use vm::Vm;
