//! Every error code a Chorus service can answer, as a constant, listed per
//! service: handlers and clients name a code through these, never as a
//! string literal, and `nodes/tests/it/subjects.rs` checks the lists against
//! subjects.md both ways.

/// Declare error codes: a constant each (its value is the code on the wire)
/// and `ALL`, the service's list.
macro_rules! codes {
    ($($(#[$doc:meta])* $name:ident = $code:literal,)*) => {
        $($(#[$doc])* pub const $name: &str = $code;)*
        /// Every code of this module, in declaration order.
        pub const ALL: &[&str] = &[$($name),*];
    };
}

pub mod auth;
pub mod catalog;
pub mod common;
pub mod payment;
pub mod profile;
pub mod recommend;
pub mod search;
pub mod stream;

/// Every error code of every service (a code shared by several appears once per service that answers it).
pub fn all() -> Vec<&'static str> {
    [common::ALL, auth::ALL, catalog::ALL, search::ALL, profile::ALL, stream::ALL, payment::ALL, recommend::ALL]
        .concat()
}
