//! The Chorus wire: subject builders, message types, codec, error model and a
//! typed client.
//!
//! Clients depend on this crate only; it never pulls in SurrealDB or ractor.
#![warn(missing_docs, unreachable_pub)]

pub mod client;
pub mod clock;
pub mod codec;
pub mod error;
pub mod errors;
pub mod fold;
pub mod headers;
pub mod messages;
pub mod records;
pub mod request;
pub mod subjects;
pub mod trace;

pub use client::{ChorusClient, ClientError, RequestOptions};
pub use codec::Encoding;
pub use error::{ErrorBody, ServiceError, Status};
pub use request::Request;
pub use subjects::Endpoint;
