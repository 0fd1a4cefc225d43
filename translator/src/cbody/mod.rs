//! cbody
