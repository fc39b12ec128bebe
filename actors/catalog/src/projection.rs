//! How record changes reach the view and memory.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use anyhow::Context as _;
use chorus_nats::messages::catalog::{Album, Artist, Track};
use chorus_nats::Encoding;
use chorus_state::{Change, Projection, View};
use futures::future::BoxFuture;
use serde_json::{json, Value};

use crate::entity::{sort_key, Entity};
use crate::memory::{Memory, Put};
use crate::records::{parse_key, Kind};
use crate::snapshot;

/// Tables and indexes of the view (idempotent).
pub(crate) const SCHEMA: &str = "
DEFINE TABLE IF NOT EXISTS track SCHEMALESS;
DEFINE INDEX IF NOT EXISTS track_album ON track FIELDS album;
DEFINE TABLE IF NOT EXISTS album SCHEMALESS;
DEFINE INDEX IF NOT EXISTS album_artist ON album FIELDS artist;
DEFINE TABLE IF NOT EXISTS artist SCHEMALESS;
";

/// The catalog's projection: the view plus memory.
pub struct Catalog {
    pub(crate) view: Arc<View>,
    pub(crate) memory: RwLock<Memory>,
    /// Where memory's snapshot is kept (an on-disk view only).
    pub(crate) snapshot: Option<PathBuf>,
    /// Whether memory was last restored from the snapshot.
    pub(crate) from_snapshot: AtomicBool,
}

impl Catalog {
    pub(crate) fn new(view: Arc<View>, snapshot: Option<PathBuf>) -> Self {
        Self { view, memory: RwLock::default(), snapshot, from_snapshot: AtomicBool::new(false) }
    }

    pub(crate) fn memory(&self) -> std::sync::RwLockReadGuard<'_, Memory> {
        // A poisoned lock means a panic while applying: the data is still whole
        // (each put is one map operation), so keep serving.
        self.memory.read().unwrap_or_else(|p| p.into_inner())
    }

    fn memory_mut(&self) -> std::sync::RwLockWriteGuard<'_, Memory> {
        self.memory.write().unwrap_or_else(|p| p.into_inner())
    }
}

/// A view row: the listed fields, plus the whole entity where the view must
/// restore memory after a restart (on disk); in memory that copy is waste.
fn row<E: Entity>(e: &E, durable: bool) -> anyhow::Result<Value> {
    let mut row = e.row();
    if durable {
        row["doc"] = serde_json::to_value(e).context("entity as JSON")?;
    }
    Ok(row)
}

/// A record as served: at its revision, with the sort form its name gives
/// when it has none (records written before sort forms were filled, or
/// straight into the bucket), and nothing derived a writer kept.
fn decode<E: Entity>(value: &[u8], revision: u64) -> anyhow::Result<E> {
    let mut e: E = Encoding::MsgPack.decode(value).context("decoding a catalog record")?;
    e.set_revision(revision);
    e.fill_sort(None);
    e.drop_derived();
    Ok(e)
}

/// An album's row sorts under its artist's sort name, which only the artist
/// record has: take it from memory when the artist is known (an artist in the
/// same batch is set by its own change, after the albums).
fn with_artist_sort(mut row: Value, album: &Album, catalog: &Catalog) -> Value {
    let artist = album.artist.as_ref().and_then(|a| catalog.memory().artists.get(&a.id).cloned());
    if let Some(artist) = artist {
        row["artist_sort"] = json!(sort_key(artist.as_ref()));
    }
    row
}

impl Projection for Catalog {
    fn apply<'a>(&'a self, view: &'a View, changes: Vec<Change>, revision: u64) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            // Only the last change of each key in a batch counts.
            let mut last: HashMap<String, Change> = HashMap::new();
            let mut order = Vec::new();
            for c in changes {
                if !last.contains_key(&c.key) {
                    order.push(c.key.clone());
                }
                last.insert(c.key.clone(), c);
            }
            let mut rows: HashMap<Kind, Vec<Value>> = HashMap::new();
            let mut gone: HashMap<Kind, Vec<String>> = HashMap::new();
            let mut puts = Vec::new();
            let durable = view.is_durable();
            let mut removals = Vec::new();
            // The artists whose sort key their albums' rows must follow.
            let mut artist_sorts = Vec::new();
            for key in order {
                let c = &last[&key];
                let Some((kind, id)) = parse_key(&c.key) else { continue };
                let Some(value) = &c.value else {
                    if kind != Kind::Track || durable {
                        gone.entry(kind).or_default().push(id.to_string());
                    }
                    removals.push((kind, id));
                    continue;
                };
                // One bad record must not stop the view: skip it, loudly.
                let decoded = match kind {
                    Kind::Track => {
                        // Tracks are read from memory only: their rows are kept
                        // where memory is restored from them (on disk).
                        let track_row = |e: &Track| if durable { row(e, true) } else { Ok(Value::Null) };
                        decode::<Track>(value, c.revision).and_then(|e| Ok((track_row(&e)?, Put::Track(e))))
                    }
                    Kind::Album => decode::<Album>(value, c.revision)
                        .and_then(|e| Ok((with_artist_sort(row(&e, durable)?, &e, self), Put::Album(e)))),
                    Kind::Artist => decode::<Artist>(value, c.revision).and_then(|e| {
                        artist_sorts.push(json!({"key": e.id.to_string(), "sort": sort_key(&e)}));
                        Ok((row(&e, durable)?, Put::Artist(e)))
                    }),
                };
                match decoded {
                    Ok((r, put)) => {
                        if !r.is_null() {
                            rows.entry(kind).or_default().push(r);
                        }
                        puts.push(put);
                    }
                    Err(e) => chorus_state::undecodable(&c.key, c.revision, &format!("{e:#}")),
                }
            }
            let mut sql = String::new();
            let mut vars = serde_json::Map::new();
            for kind in [Kind::Track, Kind::Album, Kind::Artist] {
                let t = kind.name();
                if let Some(r) = rows.remove(&kind) {
                    sql.push_str(&format!(
                        "FOR $r IN ${t}_rows {{ UPSERT type::record('{t}', $r.key) CONTENT $r; }};\n"
                    ));
                    vars.insert(format!("{t}_rows"), Value::Array(r));
                }
                if let Some(g) = gone.remove(&kind) {
                    sql.push_str(&format!("FOR $k IN ${t}_gone {{ DELETE type::record('{t}', $k); }};\n"));
                    vars.insert(format!("{t}_gone"), json!(g));
                }
            }
            if !artist_sorts.is_empty() {
                // After the album rows: a renamed artist re-files its albums, this batch's too.
                sql.push_str(
                    "FOR $a IN $artist_sorts { UPDATE album SET artist_sort = $a.sort WHERE artist = $a.key; };\n",
                );
                vars.insert("artist_sorts".into(), Value::Array(artist_sorts));
            }
            view.write(&sql, Value::Object(vars), revision).await?;
            let mut memory = self.memory_mut();
            for put in puts {
                memory.put(put);
            }
            for (kind, id) in removals {
                memory.remove(kind, id);
            }
            memory.revision = revision;
            Ok(())
        })
    }

    fn restore<'a>(&'a self, view: &'a View) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let applied = view.applied();
            let snapshot = self.snapshot.as_deref().and_then(snapshot::read);
            match snapshot.map(|s| (s.revision, Memory::restored(s))) {
                Some((revision, Ok(memory))) if revision == applied => {
                    *self.memory_mut() = memory;
                    self.from_snapshot.store(true, Ordering::Relaxed);
                    return Ok(());
                }
                Some((revision, Ok(_))) => {
                    tracing::info!(
                        revision,
                        applied,
                        "the memory snapshot is not at the view's revision: restoring from the view"
                    );
                }
                Some((_, Err(e))) => tracing::warn!(error = %format!("{e:#}"), "restoring from the view"),
                None => {}
            }
            let tracks: Vec<Track> = view.query("SELECT VALUE doc FROM track", json!({})).await?;
            let albums: Vec<Album> = view.query("SELECT VALUE doc FROM album", json!({})).await?;
            let artists: Vec<Artist> = view.query("SELECT VALUE doc FROM artist", json!({})).await?;
            let mut memory = self.memory_mut();
            tracks.into_iter().for_each(|t| memory.put(Put::Track(t)));
            albums.into_iter().for_each(|a| memory.put(Put::Album(a)));
            artists.into_iter().for_each(|a| memory.put(Put::Artist(a)));
            memory.revision = applied;
            Ok(())
        })
    }
}
