//! The instance's view of the catalog: embedded SurrealDB for lists, filters
//! and relations, and a map for point reads (a SurrealDB query costs several
//! NATS round trips; a map lookup costs nothing).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use anyhow::Context as _;
use chorus_nats::messages::catalog::Track;
use serde_json::json;
use surrealdb::engine::local::{Db, Mem};
use surrealdb::Surreal;
use uuid::Uuid;

/// One change from the record.
#[derive(Debug, Clone)]
pub(crate) enum Change {
    /// A track was written.
    Put(Track),
    /// A track was deleted.
    Delete(Uuid),
}

/// See the module docs.
pub struct CatalogView {
    db: Surreal<Db>,
    tracks: RwLock<HashMap<Uuid, Arc<Track>>>,
    applied: AtomicU64,
}

impl CatalogView {
    /// An empty in-memory view.
    pub async fn open() -> anyhow::Result<Self> {
        let db = Surreal::new::<Mem>(()).await.context("starting embedded SurrealDB")?;
        db.use_ns("chorus").use_db("catalog").await?;
        db.query("DEFINE TABLE track SCHEMALESS; DEFINE INDEX track_key ON track FIELDS key UNIQUE;")
            .await?
            .check()?;
        Ok(Self { db, tracks: RwLock::default(), applied: AtomicU64::new(0) })
    }

    /// The last record revision applied.
    pub fn applied(&self) -> u64 {
        self.applied.load(Ordering::Acquire)
    }

    /// Tracks in the view.
    pub fn len(&self) -> usize {
        self.tracks.read().map(|t| t.len()).unwrap_or(0)
    }

    /// Whether the view holds no track.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A track by id, from memory.
    pub fn track(&self, id: Uuid) -> Option<Arc<Track>> {
        self.tracks.read().ok()?.get(&id).cloned()
    }

    /// Ids of up to `limit` tracks after `after`, in id order (uuid v7: oldest first).
    pub async fn track_ids_after(&self, after: Option<Uuid>, limit: u32) -> anyhow::Result<Vec<Uuid>> {
        let after = after.map(|a| a.to_string()).unwrap_or_default();
        let mut res = self
            .db
            .query("SELECT VALUE key FROM track WHERE key > $after ORDER BY key LIMIT $limit")
            .bind(json!({"after": after, "limit": limit}))
            .await?;
        let keys: Vec<String> = res.take(0)?;
        Ok(keys.iter().filter_map(|k| Uuid::parse_str(k).ok()).collect())
    }

    /// Apply a batch of changes up to `revision`, in one SurrealDB query.
    pub(crate) async fn apply(&self, changes: Vec<Change>, revision: u64) -> anyhow::Result<()> {
        let mut rows = Vec::new();
        let mut deleted = Vec::new();
        for change in &changes {
            match change {
                Change::Put(t) => rows.push(row(t)),
                Change::Delete(id) => deleted.push(id.to_string()),
            }
        }
        self.db
            .query(
                "FOR $t IN $rows { UPSERT type::record('track', $t.key) CONTENT $t; };
                 FOR $k IN $deleted { DELETE type::record('track', $k); };",
            )
            .bind(json!({"rows": rows, "deleted": deleted}))
            .await
            .context("applying changes to the view")?
            .check()?;
        let mut tracks = self.tracks.write().map_err(|_| anyhow::anyhow!("view map poisoned"))?;
        for change in changes {
            match change {
                Change::Put(t) => {
                    tracks.insert(t.id, Arc::new(t));
                }
                Change::Delete(id) => {
                    tracks.remove(&id);
                }
            }
        }
        self.applied.fetch_max(revision, Ordering::AcqRel);
        Ok(())
    }
}

/// The fields SurrealDB needs to list and filter; the full track stays in memory.
fn row(t: &Track) -> serde_json::Value {
    json!({
        "key": t.id.to_string(),
        "title": t.title,
        "sort_title": t.sort_title,
        "artists": t.artists.iter().map(|a| a.id.to_string()).collect::<Vec<_>>(),
        "album": t.album.as_ref().map(|a| a.id.to_string()),
        "year": t.year,
        "genres": t.genres,
        "added_at": t.added_at,
    })
}
