//! The Chorus binaries' library: what a node can host, and the operator CLI's commands.
#![warn(missing_docs, unreachable_pub)]

pub mod accounts_conf;
pub mod allocator;
pub mod config_check;
pub mod export;
pub mod import;
pub mod req;
pub mod seed;
pub mod web;
pub mod world;

use chorus_host::ServiceBuilder;

/// Every service a node can host, by name.
pub fn registry() -> Vec<(&'static str, ServiceBuilder)> {
    vec![
        (chorus_auth::NAME, chorus_auth::service as ServiceBuilder),
        (chorus_catalog::NAME, chorus_catalog::service as ServiceBuilder),
        (chorus_profile::NAME, chorus_profile::service as ServiceBuilder),
        (chorus_stream::NAME, chorus_stream::service as ServiceBuilder),
        (chorus_search::NAME, chorus_search::service as ServiceBuilder),
        (chorus_payment::NAME, chorus_payment::service as ServiceBuilder),
        (chorus_recommend::NAME, chorus_recommend::service as ServiceBuilder),
        (chorus_subsonic::NAME, chorus_subsonic::service as ServiceBuilder),
        (chorus_auth::callout::NAME, chorus_auth::callout::service as ServiceBuilder),
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_service_all_leaves_out_is_the_browser_gate_alone() {
        assert_eq!(chorus_host::config::NAMED_ONLY, [chorus_auth::callout::NAME]);
        let names: Vec<_> = super::registry().iter().map(|(n, _)| *n).collect();
        assert!(chorus_host::config::NAMED_ONLY.iter().all(|n| names.contains(n)));
    }
}
