//! Playback sessions: opened against the catalog and the listener's plan,
//! stored in a KV bucket so any instance serves any chunk, cached in memory.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_nats::jetstream;
use chorus_host::RequestCtx;
use chorus_nats::clock::now_ms;
use chorus_nats::messages::auth::Plan;
use chorus_nats::messages::catalog::{Track, TrackGet};
use chorus_nats::messages::stream::{SessionInfo, SessionOpen};
use chorus_nats::{errors, ServiceError};
use chorus_state::Records;
use uuid::Uuid;

use crate::config::StreamConfig;
use crate::quota::Quota;
use crate::records::{self, Session};
use crate::Fail;

/// Sessions kept in memory per instance; past it the oldest half goes (they are in the bucket).
const CACHED: usize = 10_000;

/// See the module docs.
pub(crate) struct Sessions {
    pub(crate) records: Records,
    cache: Mutex<HashMap<Uuid, Arc<Session>>>,
    quota: Quota,
    nats: async_nats::Client,
    config: StreamConfig,
}

impl Sessions {
    pub(crate) async fn open_bucket(
        js: &jetstream::Context,
        nats: async_nats::Client,
        config: &StreamConfig,
    ) -> anyhow::Result<Self> {
        let quota = Quota::open(js, config.replicas, config.free_full_plays_per_day).await?;
        Ok(Self {
            records: Records::open_expiring(
                js,
                records::SESSIONS,
                config.replicas,
                Some(Duration::from_secs(config.session_ttl_s)),
            )
            .await?,
            cache: Mutex::default(),
            quota,
            nats,
            config: config.clone(),
        })
    }

    /// Open a session on `req.track_id` for the caller, as their plan allows.
    pub(crate) async fn open(&self, ctx: &RequestCtx, req: SessionOpen) -> Result<SessionInfo, Fail> {
        let caller = ctx.caller()?;
        if req.source.len() > 64 || req.client.len() > 64 {
            return Err(ServiceError::bad_request(
                errors::common::INVALID_REQUEST,
                "source and client are at most 64 bytes",
            )
            .into());
        }
        let client = ctx.as_caller(&self.nats);
        let track = client
            .call(&TrackGet { id: req.track_id })
            .await
            .map_err(|e| Fail::from(e.into_service_error(errors::stream::CATALOG_UNAVAILABLE)))?;
        let object = track.audio_object.clone().ok_or_else(|| {
            ServiceError::not_found(errors::stream::NO_AUDIO, format!("track {} has no audio file", track.id))
        })?;
        let chunk_size = self.config.chunk_size.clamp(1024, 256 * 1024);
        let chunk_count = track.file_size.div_ceil(chunk_size as u64).max(1) as u32;
        let full = caller.plan == Plan::Premium || self.quota.take(caller.sub, now_ms()).await?;
        let chunks_allowed = if full { chunk_count } else { self.preview_chunks(&track, chunk_size, chunk_count) };
        let info = SessionInfo {
            session_id: Uuid::now_v7(),
            track_id: track.id,
            codec: track.codec.clone(),
            mime: mime(&track.codec),
            size: track.file_size,
            duration_ms: track.duration_ms,
            chunk_size,
            chunk_count,
            chunks_allowed,
            entitlement: if full { "full" } else { "preview" }.into(),
        };
        let session = Session {
            info: info.clone(),
            user: caller.sub,
            object,
            source: req.source,
            client: req.client,
            opened_at: now_ms(),
        };
        self.records
            .create(&records::session_key(info.session_id), &session)
            .await
            .map_err(|e| anyhow::anyhow!("storing a session: {e}"))?;
        self.remember(Arc::new(session));
        Ok(info)
    }

    /// The caller's session `id`: 404 when there is none, 403 when it is someone else's.
    pub(crate) async fn of_caller(&self, ctx: &RequestCtx, id: Uuid) -> Result<Arc<Session>, Fail> {
        let caller = ctx.caller()?.sub;
        let cached = self.cache.lock().unwrap_or_else(|p| p.into_inner()).get(&id).cloned();
        let session = match cached {
            Some(s) => s,
            None => {
                let (s, _) = self.records.get::<Session>(&records::session_key(id)).await?.ok_or_else(|| {
                    ServiceError::not_found(errors::stream::SESSION_NOT_FOUND, format!("no playback session {id}"))
                })?;
                let s = Arc::new(s);
                self.remember(s.clone());
                s
            }
        };
        if session.user != caller {
            return Err(ServiceError::forbidden(
                errors::stream::NOT_YOUR_SESSION,
                "that playback session belongs to someone else",
            )
            .into());
        }
        Ok(session)
    }

    /// The chunks that cover the preview (the start of the track), at least one.
    fn preview_chunks(&self, track: &Track, chunk_size: u32, chunk_count: u32) -> u32 {
        if track.duration_ms == 0 {
            return 1;
        }
        let bytes = (track.file_size as u128 * self.config.preview_ms as u128 / track.duration_ms as u128) as u64;
        (bytes.div_ceil(chunk_size as u64) as u32).clamp(1, chunk_count)
    }

    fn remember(&self, s: Arc<Session>) {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= CACHED {
            let mut by_age: Vec<(u64, Uuid)> = cache.values().map(|s| (s.opened_at, s.info.session_id)).collect();
            by_age.sort_unstable();
            for (_, id) in by_age.into_iter().take(CACHED / 2) {
                cache.remove(&id);
            }
        }
        cache.insert(s.info.session_id, s);
    }
}

/// What an audio element is told the bytes are.
fn mime(codec: &str) -> String {
    match codec {
        "opus" => "audio/ogg; codecs=opus",
        "vorbis" | "ogg" => "audio/ogg",
        "mp3" => "audio/mpeg",
        "flac" => "audio/flac",
        "aac" | "alac" | "m4a" => "audio/mp4",
        _ => "application/octet-stream",
    }
    .into()
}
