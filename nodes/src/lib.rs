//! The Chorus binaries' library: what a node can host, and the operator CLI's commands.
#![warn(missing_docs, unreachable_pub)]

pub mod import;
pub mod req;
pub mod seed;

use chorus_host::ServiceBuilder;

/// Every service a node can host, by name.
pub fn registry() -> Vec<(&'static str, ServiceBuilder)> {
    vec![
        (chorus_catalog::NAME, chorus_catalog::service as ServiceBuilder),
        (chorus_search::NAME, chorus_search::service as ServiceBuilder),
    ]
}
