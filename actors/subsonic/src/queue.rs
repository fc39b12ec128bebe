//! The play queue: `getPlayQueue` and `savePlayQueue`, over profile's
//! `queue.get` and `queue.save` (the same queue the web player resumes).

use chorus_nats::messages::profile::{QueueGet, QueueSave};
use serde_json::{Map, Value};

use crate::annotations;
use crate::ids::{self, show, Kind};
use crate::params::Params;
use crate::reply::{Failure, Reply};
use crate::shape;
use crate::signin::Listener;

/// `getPlayQueue`: nothing when no queue was saved.
pub(crate) async fn get(l: &Listener) -> Result<Reply, Failure> {
    let q = l.call(&QueueGet {}).await?;
    if q.tracks.is_empty() {
        return Ok(Reply::empty());
    }
    let notes = annotations::load(l).await?;
    let songs = annotations::songs_by_id(l, &q.tracks, &notes).await?;
    let mut m = Map::new();
    if let Some(current) = q.tracks.get(q.index) {
        m.insert("current".into(), show(Kind::Track, *current).into());
    }
    m.insert("position".into(), q.position_ms.into());
    m.insert("username".into(), l.username.clone().into());
    m.insert("changed".into(), shape::iso(q.saved_at).into());
    m.insert("changedBy".into(), l.app.clone().into());
    m.insert("entry".into(), Value::Array(songs));
    Ok(Reply::with("playQueue", Value::Object(m)))
}

/// `savePlayQueue`: `id` (repeated; none clears it), `current`, `position` (ms).
pub(crate) async fn save(p: &Params, l: &Listener) -> Result<Reply, Failure> {
    let tracks = p.all("id").into_iter().map(|raw| ids::parse_as(raw, Kind::Track)).collect::<Result<Vec<_>, _>>()?;
    let index = match p.get("current") {
        Some(raw) => {
            let current = ids::parse_as(raw, Kind::Track)?;
            tracks.iter().position(|t| *t == current).unwrap_or(0)
        }
        None => 0,
    };
    let position_ms = p.number("position", 0, 0, i64::MAX)? as u64;
    l.call(&QueueSave { tracks, index, position_ms }).await?;
    Ok(Reply::empty())
}
