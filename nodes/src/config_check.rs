//! Every configuration key a node knows, checked: `chorus-node --check-config`
//! refuses a key no service reads (a misspelt `CHORUS_CATALOG__ALOW_WRITES`
//! would otherwise be silently ignored), and a start logs them.

use chorus_host::config::{variable, Config, ConfigError};
use serde::de::DeserializeOwned;

/// Reads one section with one type; returns the keys that type does not know.
type Reader = fn(&Config, &str) -> Result<Vec<String>, ConfigError>;

fn reader<T: DeserializeOwned + Default>(config: &Config, name: &str) -> Result<Vec<String>, ConfigError> {
    Ok(config.section_strictly::<T>(name)?.1)
}

/// Each section and every type that reads it (a key is known when any of them reads it).
const SECTIONS: &[(&str, &[Reader])] = &[
    (chorus_auth::NAME, &[reader::<chorus_auth::AuthConfig>]),
    (chorus_catalog::NAME, &[reader::<chorus_catalog::CatalogConfig>, reader::<chorus_nats::records::catalog::Shared>]),
    (chorus_profile::NAME, &[reader::<chorus_profile::ProfileConfig>]),
    (chorus_stream::NAME, &[reader::<chorus_stream::StreamConfig>]),
    (chorus_search::NAME, &[reader::<chorus_search::SearchConfig>]),
    (chorus_payment::NAME, &[reader::<chorus_payment::PaymentConfig>]),
    (chorus_recommend::NAME, &[reader::<chorus_recommend::RecommendConfig>]),
    (chorus_subsonic::NAME, &[reader::<chorus_subsonic::SubsonicConfig>]),
];

/// A key no part of the node reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownKey {
    /// `catalog.alow_writes`, or `nats_ur` at the top level.
    pub key: String,
    /// The variable that would set it.
    pub variable: String,
    /// Whether it sits in a service's section (else at the top level).
    pub in_section: bool,
}

impl std::fmt::Display for UnknownKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let toml = match self.key.split_once('.') {
            Some((section, key)) if self.in_section => format!("[{section}] {key}"),
            _ => self.key.clone(),
        };
        write!(f, "unknown configuration key: {} ({} or {toml})", self.key, self.variable)
    }
}

/// Every key of `config` that no service reads; an error when a value has the wrong type.
pub fn unknown_keys(config: &Config) -> Result<Vec<UnknownKey>, ConfigError> {
    let mut unknown = Vec::new();
    for (name, value) in &config.sections {
        let Some((_, readers)) = SECTIONS.iter().find(|(section, _)| section == name) else {
            let nested = value.is_object();
            unknown.push(UnknownKey { key: name.clone(), variable: variable("", name), in_section: nested });
            continue;
        };
        // Known to the section when one of its readers reads it.
        let mut left: Option<Vec<String>> = None;
        for read in *readers {
            let ignored = read(config, name)?;
            left = Some(match left {
                None => ignored,
                Some(before) => before.into_iter().filter(|k| ignored.contains(k)).collect(),
            });
        }
        for key in left.unwrap_or_default() {
            unknown.push(UnknownKey { variable: variable(name, &key), key: format!("{name}.{key}"), in_section: true });
        }
    }
    Ok(unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(sections: serde_json::Value) -> Config {
        Config { sections: sections.as_object().unwrap().clone(), ..Config::default() }
    }

    #[test]
    fn misspelt_keys_are_found_at_every_level() {
        let c = config(serde_json::json!({
            "catalog": {"allow_writes": true, "require_sign_in": false, "alow_writes": true},
            "auth": {"replicas": 3, "callout": {"user": "callout", "password": "x", "issuer_seed": "S", "web_password": "w", "issuer_sed": "S"}},
            "nats_ur": "nats://x",
        }));
        let mut found: Vec<String> = unknown_keys(&c).unwrap().into_iter().map(|u| u.to_string()).collect();
        found.sort();
        assert_eq!(
            found,
            [
                "unknown configuration key: auth.callout.issuer_sed (CHORUS_AUTH__CALLOUT__ISSUER_SED or [auth] callout.issuer_sed)",
                "unknown configuration key: catalog.alow_writes (CHORUS_CATALOG__ALOW_WRITES or [catalog] alow_writes)",
                "unknown configuration key: nats_ur (CHORUS_NATS_UR or nats_ur)",
            ]
        );
    }

    #[test]
    fn every_documented_section_key_is_known() {
        let c = config(serde_json::json!({
            "catalog": {"allow_writes": true, "replicas": 3, "require_sign_in": true, "view": "mem", "write_attempts": 2},
            "profile": {"replicas": 3}, "stream": {"chunk_size": 65536}, "search": {"writer_memory_mb": 32, "query_threads": 2},
            "payment": {"test_clock": true}, "recommend": {"trainer": false},
        }));
        assert_eq!(unknown_keys(&c).unwrap(), []);
    }

    #[test]
    fn a_value_of_the_wrong_type_is_an_error() {
        let c = config(serde_json::json!({"catalog": {"allow_writes": "maybe"}}));
        assert!(unknown_keys(&c).is_err());
    }
}
