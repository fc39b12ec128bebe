//! Every test of the Chorus nodes through the wire, in one binary: each test
//! binary links SurrealDB, and one binary links it once.

mod support;

mod attacks;
mod auth;
mod auth_sessions;
mod callout;
mod catalog;
mod catalog_library;
mod catalog_release;
mod catalog_views;
mod closing;
mod cluster;
mod dev_conf;
mod discovery;
mod edge;
mod edge_mirrors;
mod garbage;
mod import;
mod nodes;
mod payment;
mod play_albums;
mod probes;
mod profile;
mod profile_bounds;
mod recommend;
mod runtime;
mod search;
mod stream;
mod subjects;
mod subsonic;
mod wire;
