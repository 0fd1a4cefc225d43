//! The allowed C subset: rule ids, the binding table, and the checker (see SUBSET.md).
