//! The instance's view: the revision it has applied, and — for a view that
//! answers queries — an embedded SurrealDB. A projection that keeps its state
//! in memory (auth's directory, profile's, search's index) needs only the
//! revision: [`View::revision_only`] opens no database for it.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Instant;

use anyhow::Context as _;
use futures::future::BoxFuture;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use surrealdb::engine::local::{Db, Mem, SurrealKv};
use surrealdb::Surreal;
use tokio::sync::watch;

/// Where a view lives.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ViewSpec {
    /// In memory: rebuilt from the record at every start.
    #[default]
    Memory,
    /// On disk with SurrealKV: resumes from its last applied revision.
    SurrealKv(PathBuf),
}

impl FromStr for ViewSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "" | "mem" | "memory" => Ok(ViewSpec::Memory),
            s => match s.strip_prefix("surrealkv:") {
                Some(dir) if !dir.is_empty() => Ok(ViewSpec::SurrealKv(dir.into())),
                _ => Err(format!("view {s:?}: expected \"mem\" or \"surrealkv:<dir>\"")),
            },
        }
    }
}

impl<'de> serde::Deserialize<'de> for ViewSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Open an on-disk view. Another instance in this process that just stopped
/// may still be releasing the directory's lock (SurrealDB closes in the
/// background): wait for it a little rather than fail.
async fn open_surrealkv(dir: &std::path::Path) -> anyhow::Result<Surreal<Db>> {
    let path = dir.display().to_string();
    let until = Instant::now() + std::time::Duration::from_secs(5);
    loop {
        match Surreal::new::<SurrealKv>(path.clone()).await {
            Ok(db) => return Ok(db),
            Err(e) if e.to_string().contains("already locked") && Instant::now() < until => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            Err(e) => return Err(anyhow::Error::new(e).context(format!("opening the view in {}", dir.display()))),
        }
    }
}

/// See the module docs.
pub struct View {
    /// None for a view that only counts the revision.
    db: Option<Surreal<Db>>,
    applied: watch::Sender<u64>,
    durable: bool,
}

impl View {
    /// Open the view of `service`; a durable one reads back its applied revision.
    pub async fn open(spec: &ViewSpec, service: &str) -> anyhow::Result<Self> {
        let (db, durable) = match spec {
            ViewSpec::Memory => (Surreal::new::<Mem>(()).await.context("starting embedded SurrealDB")?, false),
            ViewSpec::SurrealKv(dir) => {
                std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
                (open_surrealkv(dir).await?, true)
            }
        };
        db.use_ns("chorus").use_db(service).await?;
        let mut res = db.query("SELECT VALUE revision FROM ONLY chorus_meta:projector").await?;
        let revision: Option<u64> = res.take(0).unwrap_or(None);
        let (applied, _) = watch::channel(revision.unwrap_or(0));
        Ok(Self { db: Some(db), applied, durable })
    }

    /// A view that keeps only the applied revision, for a projection whose
    /// state lives in memory: no database is opened, [`View::query`] and
    /// [`View::write`] fail.
    pub fn revision_only() -> Self {
        let (applied, _) = watch::channel(0);
        Self { db: None, applied, durable: false }
    }

    fn db(&self) -> anyhow::Result<&Surreal<Db>> {
        self.db.as_ref().context("this view keeps only its applied revision: it has no database")
    }

    /// Whether the view survives a restart.
    pub fn is_durable(&self) -> bool {
        self.durable
    }

    /// The last record revision applied.
    pub fn applied(&self) -> u64 {
        *self.applied.borrow()
    }

    /// Wait until the view has applied `revision`, or `until` passes. True when it has.
    pub async fn wait_for(&self, revision: u64, until: Instant) -> bool {
        let mut rx = self.applied.subscribe();
        tokio::time::timeout_at(until.into(), rx.wait_for(|a| *a >= revision)).await.is_ok_and(|r| r.is_ok())
    }

    /// Publish that everything up to `revision` is applied (view and memory).
    pub fn mark_applied(&self, revision: u64) {
        self.applied.send_if_modified(|a| {
            let newer = revision > *a;
            if newer {
                *a = revision;
            }
            newer
        });
    }

    /// Run a read query with parameters; rows decode as `T`.
    pub async fn query<T: DeserializeOwned>(&self, sql: &str, vars: Value) -> anyhow::Result<Vec<T>> {
        let mut res = self.db()?.query(sql).bind(vars).await.context("view query")?;
        let rows: Vec<Value> = res.take(0).context("view query result")?;
        rows.into_iter().map(|r| serde_json::from_value(r).context("decoding a view row")).collect()
    }

    /// Run statements that apply changes up to `revision`, in one transaction
    /// that also records the revision, so an on-disk view resumes exactly.
    pub async fn write(&self, statements: &str, vars: Value, revision: u64) -> anyhow::Result<()> {
        let mut vars = vars;
        if let Value::Object(m) = &mut vars {
            m.insert("__revision".into(), json!(revision));
        } else {
            vars = json!({"__revision": revision});
        }
        let sql = format!(
            "BEGIN TRANSACTION;\n{statements}\nUPSERT chorus_meta:projector SET revision = $__revision;\nCOMMIT TRANSACTION;"
        );
        self.db()?.query(sql).bind(vars).await.context("applying changes to the view")?.check()?;
        Ok(())
    }

    /// Define tables and indexes (idempotent statements).
    pub async fn define(&self, schema: &str) -> anyhow::Result<()> {
        self.db()?.query(schema).await.context("defining the view schema")?.check()?;
        Ok(())
    }
}

impl chorus_host::SeqGate for View {
    fn applied(&self) -> u64 {
        View::applied(self)
    }

    fn wait_for(&self, seq: u64, until: Instant) -> BoxFuture<'_, bool> {
        Box::pin(View::wait_for(self, seq, until))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_view_specs() {
        assert_eq!("mem".parse::<ViewSpec>(), Ok(ViewSpec::Memory));
        assert_eq!("surrealkv:/var/x".parse::<ViewSpec>(), Ok(ViewSpec::SurrealKv("/var/x".into())));
        assert!("surrealkv:".parse::<ViewSpec>().is_err());
        assert!("rocksdb:/x".parse::<ViewSpec>().is_err());
    }
}
