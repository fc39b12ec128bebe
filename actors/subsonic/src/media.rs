//! `stream` and `download` (with HTTP range requests, for seeking),
//! `getCoverArt`, and `scrobble`, through the stream service's playback
//! sessions: the same entitlements (a free listener past the day's full
//! plays gets the preview's bytes only) and the same rule for a play.
//!
//! An app asks for one track in several range requests while it seeks, so
//! the gateway keeps the listener's session for a track ([`Sessions`]) and
//! serves every range from it: one session, one quota count, one play. A
//! `scrobble` reports the session played to its end — the stream service
//! records the play if it passed 30 s or reached the end, as it does for
//! the web player — and forgets it, so listening again is a new play.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use chorus_nats::messages::catalog::{AlbumGet, ArtGet, ArtistGet, TrackGet};
use chorus_nats::messages::stream::{Chunk, ChunkGet, Progress, SessionInfo, SessionOpen};
use futures::StreamExt as _;
use uuid::Uuid;

use crate::ids::{self, Kind};
use crate::params::Params;
use crate::reply::{Failure, Reply};
use crate::server::Gateway;
use crate::signin::Listener;

/// How long a session is reused for the same listener and track.
const SESSION_REUSE: Duration = Duration::from_secs(30 * 60);
const MAX_SESSIONS: usize = 10_000;
/// Chunks fetched ahead of the one being sent.
const READ_AHEAD: usize = 2;

/// The listener's open session per track.
#[derive(Default)]
pub(crate) struct Sessions {
    open: Mutex<HashMap<(Uuid, Uuid), (SessionInfo, Instant)>>,
}

impl Sessions {
    /// The session `l` plays `track` in: the one open, or a new one.
    async fn session(&self, l: &Listener, track: Uuid) -> Result<SessionInfo, Failure> {
        let now = Instant::now();
        if let Some((s, _)) =
            self.lock().get(&(l.user, track)).filter(|(_, at)| now.duration_since(*at) < SESSION_REUSE)
        {
            return Ok(s.clone());
        }
        let opened = l.call(&SessionOpen { track_id: track, source: "subsonic".into(), client: l.app.clone() }).await?;
        let mut open = self.lock();
        if open.len() >= MAX_SESSIONS {
            open.retain(|_, (_, at)| now.duration_since(*at) < SESSION_REUSE);
            if open.len() >= MAX_SESSIONS {
                open.clear();
            }
        }
        open.insert((l.user, track), (opened.clone(), now));
        Ok(opened)
    }

    fn forget(&self, l: &Listener, track: Uuid) {
        self.lock().remove(&(l.user, track));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(Uuid, Uuid), (SessionInfo, Instant)>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A byte range of a file of `len` bytes, both ends inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: u64,
    end: u64,
}

/// The first range of a `Range` header over `len` bytes: `None` for the
/// whole file, `Err` when it cannot be satisfied.
fn range(header: Option<&str>, len: u64) -> Result<Option<Span>, ()> {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else { return Ok(None) };
    let first = spec.split(',').next().unwrap_or("").trim();
    let (a, b) = first.split_once('-').ok_or(())?;
    let span = match (a.trim(), b.trim()) {
        ("", "") => return Err(()),
        ("", suffix) => {
            let n: u64 = suffix.parse().map_err(|_| ())?;
            if n == 0 || len == 0 {
                return Err(());
            }
            Span { start: len.saturating_sub(n), end: len - 1 }
        }
        (start, end) => {
            let start: u64 = start.parse().map_err(|_| ())?;
            let end: u64 = if end.is_empty() { len.saturating_sub(1) } else { end.parse().map_err(|_| ())? };
            if start >= len || end < start {
                return Err(());
            }
            Span { start, end: end.min(len - 1) }
        }
    };
    Ok(Some(span))
}

/// `stream` and `download`: the file as imported (no transcoding), whole or a range.
pub(crate) async fn stream(gw: &Gateway, p: &Params, l: &Listener, headers: &HeaderMap) -> Result<Reply, Failure> {
    let track = p.id("id", Kind::Track)?;
    let mut session = gw.sessions.session(l, track).await?;
    // A preview serves what it may: its first chunks are the whole file to the app.
    let len = session.size.min(session.chunks_allowed as u64 * session.chunk_size as u64);
    let requested = headers.get(header::RANGE).and_then(|v| v.to_str().ok());
    let span = match range(requested, len) {
        Ok(span) => span,
        Err(()) => {
            let mut r = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
                r.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return Ok(Reply::Raw(r));
        }
    };
    let whole = Span { start: 0, end: len.saturating_sub(1) };
    let Span { start, end } = span.unwrap_or(whole);
    let size = session.chunk_size as u64;
    let (first, last) = ((start / size) as u32, (end / size) as u32);
    // The first chunk before answering: an error is still an envelope then,
    // and a session that aged out is opened again.
    let head = if len == 0 {
        None
    } else {
        match l.call(&ChunkGet { session_id: session.session_id, index: first }).await {
            Ok(c) => Some(c),
            Err(f) if f.code == crate::reply::codes::NOT_FOUND => {
                gw.sessions.forget(l, track);
                session = gw.sessions.session(l, track).await?;
                Some(l.call(&ChunkGet { session_id: session.session_id, index: first }).await?)
            }
            Err(f) => return Err(f),
        }
    };
    let client = l.clone();
    let session_id = session.session_id;
    let rest = futures::stream::iter((first + 1)..=last)
        .map(move |index| {
            let client = client.clone();
            async move { client.call(&ChunkGet { session_id, index }).await }
        })
        .buffered(READ_AHEAD);
    let chunks = futures::stream::iter(head.map(Ok)).chain(rest);
    let body = chunks.map(move |c: Result<Chunk, Failure>| {
        let c = c.map_err(|f| std::io::Error::other(f.message))?;
        let at = c.index as u64 * size;
        let from = start.saturating_sub(at).min(c.data.len() as u64) as usize;
        let to = (end + 1).saturating_sub(at).min(c.data.len() as u64) as usize;
        Ok::<Bytes, std::io::Error>(c.data.slice(from..to.max(from)))
    });
    let length = if len == 0 { 0 } else { end - start + 1 };
    let mut r = Response::new(Body::from_stream(body));
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_str(&session.mime).unwrap_or(HeaderValue::from_static("audio/*")));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if p.get("estimateContentLength").is_some() {
        h.insert("X-Content-Duration", HeaderValue::from(session.duration_ms / 1000));
    }
    if span.is_some() {
        *r.status_mut() = StatusCode::PARTIAL_CONTENT;
        if let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{end}/{len}")) {
            r.headers_mut().insert(header::CONTENT_RANGE, v);
        }
    }
    Ok(Reply::Raw(r))
}

/// `getCoverArt`: by the art's name, or by a song's, album's or artist's id.
pub(crate) async fn cover_art(p: &Params, l: &Listener) -> Result<Reply, Failure> {
    let raw = p.required("id")?;
    let name = match ids::parse(raw) {
        Some((Kind::Track, id)) => l.call(&TrackGet { id }).await?.cover_art,
        Some((Kind::Album, id)) => l.call(&AlbumGet { id }).await?.album.cover_art,
        Some((Kind::Artist, id)) => {
            let d = l.call(&ArtistGet { id }).await?;
            d.artist.image.or_else(|| d.albums.iter().find_map(|a| a.cover_art.clone()))
        }
        Some((Kind::Playlist, _)) => None,
        None => Some(raw.to_string()),
    };
    let name = name.ok_or_else(|| Failure::not_found(format!("no cover art for {raw:?}")))?;
    let art = l.call(&ArtGet { name }).await.map_err(|f| match f.code {
        0 if f.message.contains(chorus_nats::errors::catalog::INVALID_ART_NAME) => {
            Failure::not_found(format!("no cover art {raw:?}"))
        }
        _ => f,
    })?;
    let mime = HeaderValue::from_str(&art.mime).unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let r = (
        [
            (header::CONTENT_TYPE, mime),
            // Art is named by its content's hash: it never changes.
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable")),
        ],
        art.data,
    )
        .into_response();
    Ok(Reply::Raw(r))
}

/// `scrobble`: `submission=false` (now playing) changes nothing; a
/// submission reports each song's session played to its end.
pub(crate) async fn scrobble(gw: &Gateway, p: &Params, l: &Listener) -> Result<Reply, Failure> {
    let ids = p.all("id");
    if ids.is_empty() {
        return Err(Failure::missing("id"));
    }
    let tracks = ids.iter().map(|raw| ids::parse_as(raw, Kind::Track)).collect::<Result<Vec<_>, _>>()?;
    if !p.flag("submission", true)? {
        return Ok(Reply::empty());
    }
    for track in tracks {
        let session = gw.sessions.session(l, track).await?;
        let report = Progress { session_id: session.session_id, position_ms: session.duration_ms, ended: true };
        let outcome = l.call(&report).await;
        gw.sessions.forget(l, track);
        outcome?;
    }
    Ok(Reply::empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        let s = |start, end| Ok(Some(Span { start, end }));
        assert_eq!(range(None, 100), Ok(None));
        assert_eq!(range(Some("bytes=0-"), 100), s(0, 99));
        assert_eq!(range(Some("bytes=10-19"), 100), s(10, 19));
        assert_eq!(range(Some("bytes=90-200"), 100), s(90, 99));
        assert_eq!(range(Some("bytes=-10"), 100), s(90, 99));
        assert_eq!(range(Some("bytes=5-6, 9-"), 100), s(5, 6));
        assert_eq!(range(Some("bytes=100-"), 100), Err(()));
        assert_eq!(range(Some("bytes=9-5"), 100), Err(()));
        assert_eq!(range(Some("bytes=x-"), 100), Err(()));
        assert_eq!(range(Some("items=0-1"), 100), Ok(None));
    }
}
