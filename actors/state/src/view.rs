//! The instance's view: the revision it has applied, and — for a view that
//! answers queries — an embedded SurrealDB. A projection that keeps its state
//! in memory (auth's directory, profile's, search's index) needs only the
//! revision: [`View::revision_only`] opens no database for it.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

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

/// How long [`View::close`] waits for SurrealDB to write its tables and let go of the directory.
const CLOSE_WITHIN: Duration = Duration::from_secs(10);

/// See the module docs.
pub struct View {
    /// None for a view that only counts the revision, and once closed. A
    /// query holds its own reference for its duration; the database shuts
    /// down when the last one goes (a clone of the handle would be another
    /// SurrealDB session).
    db: RwLock<Option<Arc<Surreal<Db>>>>,
    applied: watch::Sender<u64>,
    /// The directory of an on-disk view.
    dir: Option<PathBuf>,
}

impl View {
    /// Open the view of `service`; a durable one reads back its applied revision.
    pub async fn open(spec: &ViewSpec, service: &str) -> anyhow::Result<Self> {
        let (db, dir) = match spec {
            ViewSpec::Memory => (Surreal::new::<Mem>(()).await.context("starting embedded SurrealDB")?, None),
            ViewSpec::SurrealKv(dir) => {
                std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
                (open_surrealkv(dir).await?, Some(dir.clone()))
            }
        };
        db.use_ns("chorus").use_db(service).await?;
        let mut res = db.query("SELECT VALUE revision FROM ONLY chorus_meta:projector").await?;
        let revision: Option<u64> = res.take(0).unwrap_or(None);
        let (applied, _) = watch::channel(revision.unwrap_or(0));
        Ok(Self { db: RwLock::new(Some(Arc::new(db))), applied, dir })
    }

    /// A view that keeps only the applied revision, for a projection whose
    /// state lives in memory: no database is opened, [`View::query`] and
    /// [`View::write`] fail.
    pub fn revision_only() -> Self {
        let (applied, _) = watch::channel(0);
        Self { db: RwLock::new(None), applied, dir: None }
    }

    fn db(&self) -> anyhow::Result<Arc<Surreal<Db>>> {
        let db = self.db.read().unwrap_or_else(|p| p.into_inner()).clone();
        db.context("this view has no database: it keeps only its applied revision, or it was closed")
    }

    /// Whether the view survives a restart.
    pub fn is_durable(&self) -> bool {
        self.dir.is_some()
    }

    /// Let go of the database once nothing reads or writes it any more (the
    /// service has drained), and wait — bounded — until an on-disk view has
    /// shut down: SurrealKV then writes its memory table to its tables and
    /// frees the directory. Without this, a process that exits leaves
    /// everything in the write-ahead log (SurrealKV flushes its memory table
    /// only at 1 GiB on a machine of 16–64 GiB), and the next start replays
    /// the whole log, growing with every change the view ever applied.
    pub async fn close(&self) {
        let Some(db) = self.db.write().unwrap_or_else(|p| p.into_inner()).take() else { return };
        drop(db);
        let Some(dir) = &self.dir else { return };
        let started = Instant::now();
        if until_unlocked(dir, started + CLOSE_WITHIN).await {
            tracing::debug!(dir = %dir.display(), took = ?started.elapsed(), "view closed");
        } else {
            tracing::warn!(dir = %dir.display(), within = ?CLOSE_WITHIN, "the view did not close in time: its next start replays its log");
        }
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

/// Wait until SurrealKV's lock on `dir` is free (its shutdown ends by
/// freeing it), or `until` passes; true when free.
async fn until_unlocked(dir: &Path, until: Instant) -> bool {
    let lock = dir.join("LOCK");
    loop {
        let free = match std::fs::File::open(&lock) {
            // The same advisory lock SurrealKV takes (flock); released when the file closes.
            Ok(file) => file.try_lock().is_ok(),
            Err(e) => e.kind() == std::io::ErrorKind::NotFound,
        };
        if free {
            return true;
        }
        if Instant::now() >= until {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

impl chorus_host::SeqGate for View {
    fn applied(&self) -> u64 {
        View::applied(self)
    }

    fn wait_for(&self, seq: u64, until: Instant) -> BoxFuture<'_, bool> {
        Box::pin(View::wait_for(self, seq, until))
    }

    fn close(&self) -> BoxFuture<'_, ()> {
        Box::pin(View::close(self))
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

    /// Closed, an on-disk view's rows are in SurrealKV's tables, not only in
    /// its log, and the next open finds them (and the directory free at once).
    #[tokio::test]
    async fn a_closed_view_saves_its_tables_and_opens_again() {
        let dir = tempfile::tempdir().unwrap();
        let spec = ViewSpec::SurrealKv(dir.path().join("view"));
        let tables = || std::fs::read_dir(dir.path().join("view/sstables")).map_or(0, |d| d.count());
        let view = View::open(&spec, "test").await.unwrap();
        view.define("DEFINE TABLE IF NOT EXISTS thing SCHEMALESS;").await.unwrap();
        for n in 1..=50u64 {
            view.write("CREATE type::record('thing', $n) SET n = $n;", json!({ "n": n }), n).await.unwrap();
        }
        assert_eq!(tables(), 0, "before closing, the rows are only in the log");
        view.close().await;
        assert!(view.query::<Value>("SELECT * FROM thing", json!({})).await.is_err(), "a closed view answers no query");
        assert!(tables() > 0, "closing wrote the rows to tables");
        let started = Instant::now();
        let again = View::open(&spec, "test").await.unwrap();
        assert!(started.elapsed() < Duration::from_secs(2), "the directory was free: {:?}", started.elapsed());
        assert_eq!(again.applied(), 50);
        let rows: Vec<Value> = again.query("SELECT VALUE n FROM thing", json!({})).await.unwrap();
        assert_eq!(rows.len(), 50);
        again.close().await;
    }
}
