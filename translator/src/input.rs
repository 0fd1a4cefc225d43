//! input resolution
