crate::api! {}
