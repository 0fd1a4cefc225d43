//! `translate report`: the coverage gauge. Every body is parsed ([`crate::cbody`]) and checked
//! against the subset ([`subset::check`]); the report shows totals by kind and by instruction,
//! the bail reasons ranked by how many bodies one fix would unblock, and the unbound names that
//! block the most bodies. See `translator/REPORT.md` for the output formats.

pub mod cli;
pub mod env;
pub mod model;
pub mod optout;
pub mod render;

pub use cli::{alias_args, load, report, run, Loaded, ReportArgs, ReportError};
pub use model::{
    build, BodyReport, HistogramEntry, InstructionParts, InstructionReport, ReasonReport, Report,
    ReportInput, Status, Summary, UnboundEntry,
};
pub use optout::{OptOut, OptOutError, OptOuts};
