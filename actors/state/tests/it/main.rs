//! The state crate through a real nats-server, in one binary (each test binary
//! links SurrealDB; one binary links it once).

mod jobs;
mod leaderless;
mod stream_view;
