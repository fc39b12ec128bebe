//! One typed configuration, from a TOML file and `CHORUS_` environment variables.
//!
//! Top-level keys map to variables directly (`nats_url` <- `CHORUS_NATS_URL`);
//! a service's own section uses a double underscore
//! (`[catalog] allow_writes` <- `CHORUS_CATALOG__ALLOW_WRITES`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::service::Workload;
use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{de::DeserializeOwned, Deserialize, Serialize};

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Human,
    /// One JSON object per line.
    Json,
}

/// Services a node hosts only when its `services` name them, never as part
/// of `all`: `callout`, the browser gate alone, is for nodes without auth
/// (an edge site); where auth runs, the gate is part of it.
pub const NAMED_ONLY: [&str; 1] = ["callout"];

/// Everything a node needs to run. Defaults live here and nowhere else.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// NATS server URL(s), comma separated.
    pub nats_url: String,
    /// NATS user (with `nats_password`). Credentials in the URL are ignored by the client.
    pub nats_user: Option<String>,
    /// NATS password.
    pub nats_password: Option<crate::Secret>,
    /// A NATS `.creds` file, instead of user and password.
    pub nats_creds: Option<PathBuf>,
    /// This node's id in micro metadata and logs; a random one when absent.
    pub node_id: Option<String>,
    /// Services this node hosts: names, or `all` (`CHORUS_SERVICES=catalog,auth` works too).
    #[serde(deserialize_with = "names")]
    pub services: Vec<String>,
    /// Where services keep on-disk state (views); in memory when absent.
    pub data_dir: Option<PathBuf>,
    /// Worker actors per service whose handlers compute ([`Workload::Compute`]).
    pub workers: usize,
    /// Worker actors per service whose handlers mostly wait on other services
    /// or JetStream ([`Workload::Waiting`]).
    pub waiting_workers: usize,
    /// Requests that may wait for a worker; past this a request gets 503 at once.
    pub queue_bound: usize,
    /// Requests each endpoint's subscription may hold before the ingress reads
    /// them; past this they are dropped unread (`chorus_ingress_dropped_total`).
    pub ingress_buffer: usize,
    /// How long a handler may run when the request carries no deadline.
    pub handler_timeout_ms: u64,
    /// How long shutdown waits for in-flight requests.
    pub drain_timeout_ms: u64,
    /// Restarts allowed in `restart_window_ms` before the node gives up.
    pub restart_budget: usize,
    /// Window of the restart budget.
    pub restart_window_ms: u64,
    /// First restart delay; doubles with each consecutive failure.
    pub restart_backoff_ms: u64,
    /// Longest restart delay.
    pub restart_backoff_max_ms: u64,
    /// Replicas of the trust bucket (auth's public keys and disabled users), when
    /// this node is the first to create it: 3 in a cluster.
    pub trust_replicas: usize,
    /// This node serves an edge site: the hub's JetStream domain (`hub`), from
    /// which the site mirrors the catalog record, trust bucket, audio and art
    /// (see [`crate::edge`]). None at the hub and everywhere else.
    pub hub_domain: Option<String>,
    /// At an edge site: how often the node checks that the hub answers.
    pub uplink_check_ms: u64,
    /// At an edge site cut off from its hub: how long after the cut a
    /// session valid at the cut is still accepted (its refresh cannot reach
    /// the hub's auth). Four hours by default.
    pub offline_grace_s: u64,
    /// Address of the HTTP listener for probes and metrics (`/livez`,
    /// `/readyz`, `/metrics`), e.g. `0.0.0.0:9090`; none when absent.
    pub http_listen: Option<String>,
    /// Log format.
    pub log_format: LogFormat,
    /// Log filter (`info`, `chorus_host=debug`, ...); `RUST_LOG` wins when set.
    pub log_level: String,
    /// Service sections (`[catalog]`), read by each service with [`Config::section`].
    #[serde(flatten)]
    pub sections: serde_json::Map<String, serde_json::Value>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            nats_url: "nats://127.0.0.1:4222".into(),
            nats_user: None,
            nats_password: None,
            nats_creds: None,
            node_id: None,
            services: vec!["all".into()],
            data_dir: None,
            workers: default_workers(),
            waiting_workers: 32,
            queue_bound: 1024,
            ingress_buffer: 1024,
            handler_timeout_ms: 10_000,
            drain_timeout_ms: 10_000,
            restart_budget: 20,
            restart_window_ms: 60_000,
            restart_backoff_ms: 50,
            restart_backoff_max_ms: 5_000,
            trust_replicas: 1,
            hub_domain: None,
            uplink_check_ms: 5_000,
            offline_grace_s: 4 * 3600,
            http_listen: None,
            log_format: LogFormat::Human,
            // SurrealKV's tree warns "No runtime available for closing the
            // store" on every clean stop, when a thread of its own lets go of
            // the tree it already closed: its errors only.
            log_level: "info,surrealdb=warn,surrealdb_core=warn,surrealdb_kvs_mem=warn,surrealkv=warn,surrealkv::lsm=error,tantivy=warn"
                .into(),
            sections: Default::default(),
        }
    }
}

/// A list of names, or one comma-separated string (as an environment variable gives it).
fn names<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Names {
        List(Vec<String>),
        One(String),
    }
    let list = match Names::deserialize(d)? {
        Names::List(l) => l,
        Names::One(s) => s.split(',').map(str::to_string).collect(),
    };
    Ok(list.into_iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
}

/// Workers per service: handlers are CPU work (in-memory reads, an embedded
/// SurrealDB), so twice the cores keeps them busy; more only adds idle
/// workers to wake (measured: 64 workers serve about 5% fewer requests than 4).
fn default_workers() -> usize {
    std::thread::available_parallelism().map(|n| n.get() * 2).unwrap_or(4).max(4)
}

/// Whether the key at `path` (`auth.callout.password`) holds a secret,
/// which is read verbatim from the environment.
fn is_secret(path: &str) -> bool {
    let key = path.rsplit('.').next().unwrap_or(path);
    key.contains("password") || key.ends_with("seed") || key.ends_with("_key") || key.ends_with("_keys")
}

/// `callout.issuer_sed`: map keys and list indexes, joined by dots.
fn dotted(path: &serde_ignored::Path<'_>) -> String {
    use serde_ignored::Path;
    match path {
        Path::Root => String::new(),
        Path::Map { parent, key } => match dotted(parent) {
            p if p.is_empty() => key.clone(),
            p => format!("{p}.{key}"),
        },
        Path::Seq { parent, index } => format!("{}.{index}", dotted(parent)),
        Path::Some { parent } | Path::NewtypeStruct { parent } | Path::NewtypeVariant { parent } => dotted(parent),
    }
}

/// The environment variable that sets `key` of section `section` (`CHORUS_AUTH__CALLOUT__USER`).
pub fn variable(section: &str, key: &str) -> String {
    let path = if section.is_empty() { key.to_string() } else { format!("{section}.{key}") };
    format!("CHORUS_{}", path.replace('.', "__").to_uppercase())
}

/// The configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(String);

impl Config {
    /// Defaults, then the TOML file (if given), then `CHORUS_*` variables.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(file) = file {
            if !file.exists() {
                return Err(ConfigError(format!("{} does not exist", file.display())));
            }
            figment = figment.merge(Toml::file(file));
        }
        figment = figment.merge(Env::prefixed("CHORUS_").ignore(&["CONFIG"]).split("__"));
        // figment reads a variable's value as TOML would (`12345` a number,
        // `[x]` a list, `true` a boolean): a secret must stay the text it is.
        for (key, value) in Env::prefixed("CHORUS_").ignore(&["CONFIG"]).split("__").iter() {
            let path = key.as_str();
            if is_secret(path) {
                figment = figment.merge(Serialized::default(path, value));
            }
        }
        let config: Config = figment.extract().map_err(|e| ConfigError(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    /// Workers for a service of this workload.
    pub fn workers_for(&self, workload: Workload) -> usize {
        match workload {
            Workload::Compute => self.workers,
            Workload::Waiting => self.waiting_workers,
        }
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.workers == 0 || self.waiting_workers == 0 {
            return Err(ConfigError("workers and waiting_workers must be at least 1".into()));
        }
        if self.nats_user.is_some() != self.nats_password.is_some() {
            return Err(ConfigError("nats_user and nats_password go together".into()));
        }
        Ok(())
    }

    /// A service's own section, with its defaults where keys are missing.
    pub fn section<T: DeserializeOwned + Default>(&self, name: &str) -> Result<T, ConfigError> {
        Ok(self.section_strictly::<T>(name)?.0)
    }

    /// A section and the keys in it that `T` does not know (`callout.issuer_sed`).
    pub fn section_strictly<T: DeserializeOwned + Default>(&self, name: &str) -> Result<(T, Vec<String>), ConfigError> {
        let Some(v) = self.sections.get(name) else { return Ok((T::default(), Vec::new())) };
        let mut ignored = Vec::new();
        let section = serde_ignored::deserialize(v.clone(), |path| ignored.push(dotted(&path)))
            .map_err(|e| ConfigError(format!("[{name}]: {e}")))?;
        Ok((section, ignored))
    }

    /// Drain bound as a duration.
    pub fn drain_timeout(&self) -> Duration {
        Duration::from_millis(self.drain_timeout_ms)
    }

    /// Whether this node hosts `service`: named, or in `all` (which leaves
    /// out [`NAMED_ONLY`]).
    pub fn hosts(&self, service: &str) -> bool {
        self.services.iter().any(|s| s == service || (s == "all" && !NAMED_ONLY.contains(&service)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_hosts_every_service_but_those_hosted_only_by_name() {
        let all = Config { services: vec!["all".into()], ..Config::default() };
        assert!(all.hosts("catalog") && all.hosts("auth"));
        assert!(!all.hosts("callout"));
        let site = Config { services: vec!["catalog".into(), "callout".into()], ..Config::default() };
        assert!(site.hosts("callout") && site.hosts("catalog") && !site.hosts("auth"));
    }

    #[test]
    fn file_then_environment() {
        let dir = std::env::temp_dir().join(format!("chorus-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("chorus.toml");
        std::fs::write(&file, "workers = 3\nlog_format = \"json\"\n[catalog]\nallow_writes = true\n").unwrap();
        figment::Jail::expect_with(|jail| {
            jail.set_env("CHORUS_NATS_URL", "nats://10.0.0.1:4222");
            jail.set_env("CHORUS_QUEUE_BOUND", "7");
            jail.set_env("CHORUS_SERVICES", "catalog, auth");
            // Secrets stay text, whatever they look like.
            jail.set_env("CHORUS_NATS_USER", "service");
            jail.set_env("CHORUS_NATS_PASSWORD", "12345");
            jail.set_env("CHORUS_AUTH__CALLOUT__PASSWORD", "[a, b]");
            let c = Config::load(Some(&file)).map_err(|e| e.to_string())?;
            assert_eq!(c.nats_url, "nats://10.0.0.1:4222");
            assert_eq!(c.queue_bound, 7);
            assert_eq!(c.services, vec!["catalog", "auth"]);
            assert_eq!(c.workers, 3);
            assert_eq!(c.log_format, LogFormat::Json);
            #[derive(Deserialize, Default)]
            struct Cat {
                allow_writes: bool,
            }
            assert!(c.section::<Cat>("catalog").unwrap().allow_writes);
            assert_eq!(c.nats_password.as_ref().map(|p| p.expose()), Some("12345"));
            assert_eq!(c.sections["auth"]["callout"]["password"], "[a, b]");
            Ok(())
        });
    }

    #[test]
    fn rejects_half_credentials() {
        let c = Config { nats_user: Some("u".into()), ..Config::default() };
        assert!(c.validate().is_err());
    }
}
