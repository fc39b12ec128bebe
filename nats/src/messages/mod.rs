//! Request and reply bodies, one module per service.

pub mod catalog;
pub mod search;
