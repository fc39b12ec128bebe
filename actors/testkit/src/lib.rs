//! Test harness: a real nats-server per test, services in-process or as child nodes.
//!
//! Each test starts its own server on a free loopback port with its own
//! JetStream directory, so tests run in parallel without sharing state.
#![warn(missing_docs, unreachable_pub)]

mod auth;
pub mod browser;
mod cluster;
pub mod edge;
pub mod http;
mod node;
mod server;

pub use auth::TestIssuer;
pub use cluster::{wait_stream_settled, NatsCluster, R3_NODE_ENV};
pub use node::{host_config, ChildNode};
pub use server::{free_port, NatsServer, TEST_CALLOUT_ISSUER, TEST_CALLOUT_SEED};
