//! The runtime every Chorus service runs on.
//!
//! A service hands the host a [`ServiceDef`]: its endpoints (typed handlers)
//! and the actors it needs kept alive. The host registers the service as a
//! NATS micro service, feeds requests through a bounded queue to a pool of
//! supervised ractor workers, replies, and drains on shutdown.
#![warn(missing_docs, unreachable_pub)]

pub mod auth;
pub mod config;
pub mod connect;
pub mod context;
pub mod edge;
pub mod encoded;
pub mod gate;
pub mod handler;
pub mod health;
pub mod host;
mod host_context;
mod http;
mod ingress;
pub mod lag;
pub mod leaderless;
pub mod metrics;
pub mod micro;
pub mod paging;
mod pool;
mod reply;
pub mod routes;
pub mod secret;
pub use secret::Secret;
pub mod service;
pub mod shutdown;
pub mod stats;
pub mod supervisor;
pub mod telemetry;
pub mod token_bucket;
mod unavailable;
mod worker;
mod writes;

pub use config::Config;
pub use context::RequestCtx;
pub use encoded::{Encoded, EncodedPage, Packed, ReplyBody};
pub use gate::SeqGate;
pub use handler::{Fail, Handler};
pub use host::{run, HostContext, RunningHost};
pub use lag::ViewLag;
pub use routes::{Answer, Routes};
pub use service::{ChildSpec, EndpointDef, ServiceBuilder, ServiceDef, Workload};
