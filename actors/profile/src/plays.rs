//! Plays: recorded into the `chorus_plays` stream (deduplicated by play id)
//! and noted in the bucket, whose sequence the reply carries (see
//! `position`); read back from this instance's history projection.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use async_nats::jetstream::consumer;
use async_nats::jetstream::message::PublishMessage;
use chorus_host::RequestCtx;
use chorus_nats::clock::now_ms;
use chorus_nats::messages::profile::{
    CountsRequest, Play, PlayAlbums, PlayAlbumsPage, PlayCounts, PlayHistory, PlayHistoryPage, PlayRecord, RecentPlays,
    RecentRequest,
};
use chorus_nats::messages::Empty;
use chorus_nats::{errors, Encoding, ServiceError};
use futures::StreamExt as _;

use crate::catalog_check;
use crate::records::{play_subject, plays_key, PlayNote};
use crate::state::Profile;
use crate::Fail;

/// How far in the future a play may say it started (clocks differ).
const CLOCK_SLACK_MS: u64 = 24 * 3600 * 1000;

pub(crate) async fn record(p: &Profile, ctx: &RequestCtx, req: PlayRecord) -> Result<Empty, Fail> {
    let user = ctx.caller()?.sub;
    if p.closed.contains(user) {
        return Err(ServiceError::not_found(errors::profile::ACCOUNT_CLOSED, "this account is closed").into());
    }
    if req.started_at > now_ms() + CLOCK_SLACK_MS || req.source.len() > 64 || req.client.len() > 64 {
        return Err(ServiceError::bad_request(
            errors::profile::INVALID_PLAY,
            "started_at is in the future, or source/client too long",
        )
        .into());
    }
    let track = catalog_check::require(&p.as_caller(ctx), &[req.track_id]).await?.remove(0);
    let play = Play {
        user,
        album: track.album.as_ref().map(|a| a.id),
        artists: track.artists.iter().map(|a| a.id).collect(),
        record: req,
    };
    let payload = Encoding::MsgPack.encode(&play).context("encoding a play")?;
    let publish = PublishMessage::build().payload(payload).message_id(play.record.play_id.to_string());
    // The stream drops a second publish with the same play id: a retried record counts once.
    // Tried again while the plays stream has no leader (a cluster server died).
    let ack = chorus_state::publish_led(&p.js, play_subject(user), publish).await.context("recording a play")?;
    // A retry's ack names the first publish's sequence: noted again, in case
    // the first attempt failed before its note.
    let noted = p.records.put(&plays_key(user), &PlayNote { seq: ack.sequence }).await?;
    ctx.wrote(noted);
    p.history_view.wait_for(ack.sequence, Instant::now() + Duration::from_secs(2)).await;
    Ok(Empty {})
}

pub(crate) fn recent(p: &Profile, ctx: &RequestCtx, req: RecentRequest) -> Result<RecentPlays, Fail> {
    let limit = limit(req.limit, 50)?;
    Ok(RecentPlays { tracks: p.history.recent(ctx.caller()?.sub, limit) })
}

pub(crate) fn counts(p: &Profile, ctx: &RequestCtx, req: CountsRequest) -> Result<PlayCounts, Fail> {
    let limit = limit(req.limit, 20)?;
    let (from, until) = (req.from.unwrap_or(0), req.until.unwrap_or(u64::MAX));
    if from >= until {
        return Err(ServiceError::bad_request(errors::profile::INVALID_PERIOD, "from must be before until").into());
    }
    Ok(p.history.counts(ctx.caller()?.sub, from, until, limit))
}

/// The caller's albums, most played first (ties by id). The cursor is the
/// place of the page's last album, `<plays>.<id>`, not a position: plays
/// only raise counts, so an album already listed moves ahead of it, never
/// past it, and a walk lists no album twice while the listener plays on.
pub(crate) fn albums(p: &Profile, ctx: &RequestCtx, req: PlayAlbums) -> Result<PlayAlbumsPage, Fail> {
    let limit = chorus_host::paging::PageSize { default: 50, max: 200 }.of(req.limit)?;
    let after = chorus_host::paging::cursor(req.cursor.as_deref(), |c| {
        let (plays, id) = c.split_once('.')?;
        let plays = plays.parse::<u64>().ok().filter(|n| *n > 0)?;
        Some((std::cmp::Reverse(plays), uuid::Uuid::parse_str(id).ok()?))
    })?;
    let (albums, last) = p.history.albums(ctx.caller()?.sub, after, limit);
    Ok(PlayAlbumsPage { albums, next: last.map(|(plays, id)| format!("{}.{id}", plays.0)) })
}

/// Every play the caller recorded, oldest first, a page at a time (read from
/// the stream, not the history in memory, which keeps only what the other
/// reads need). The cursor is the stream sequence the next page starts at.
pub(crate) async fn history(p: &Profile, ctx: &RequestCtx, req: PlayHistory) -> Result<PlayHistoryPage, Fail> {
    let user = ctx.caller()?.sub;
    let limit = chorus_host::paging::PageSize { default: 200, max: 1000 }.of(req.limit)?;
    let from = chorus_host::paging::cursor(req.cursor.as_deref(), |c| c.parse::<u64>().ok().filter(|s| *s > 0))?;
    let mut consumer = p
        .plays
        .create_consumer(consumer::pull::Config {
            filter_subject: play_subject(user),
            deliver_policy: match from {
                Some(start_sequence) => consumer::DeliverPolicy::ByStartSequence { start_sequence },
                None => consumer::DeliverPolicy::All,
            },
            ack_policy: consumer::AckPolicy::None,
            inactive_threshold: Duration::from_secs(10),
            memory_storage: true,
            num_replicas: 1,
            ..Default::default()
        })
        .await
        .context("reading plays")?;
    let pending = consumer.info().await.context("reading plays")?.num_pending as usize;
    let want = pending.min(limit);
    let mut page = PlayHistoryPage::default();
    if want > 0 {
        let mut batch = consumer
            .batch()
            .max_messages(want)
            .expires(Duration::from_secs(5))
            .messages()
            .await
            .context("reading plays")?;
        let mut last = 0;
        while let Some(msg) = batch.next().await {
            let msg = msg.map_err(|e| anyhow::anyhow!("reading plays: {e}"))?;
            last = msg.info().map_err(|e| anyhow::anyhow!("play metadata: {e}"))?.stream_sequence;
            match Encoding::MsgPack.decode::<Play>(&msg.payload) {
                Ok(play) => page.plays.push(play.record),
                Err(e) => chorus_state::undecodable(&msg.subject, last, &e),
            }
        }
        if pending > want && last > 0 {
            page.next = Some((last + 1).to_string());
        }
    }
    Ok(page)
}

fn limit(asked: Option<usize>, default: usize) -> Result<usize, ServiceError> {
    let asked = asked.map(|n| u32::try_from(n).unwrap_or(u32::MAX));
    chorus_host::paging::PageSize { default: default as u32, max: 200 }.of(asked)
}
