//! A deterministic model of the CPython state that opcode bodies touch.
