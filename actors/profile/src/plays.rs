//! Plays: recorded into the `chorus_plays` stream (deduplicated by play id)
//! and noted in the bucket, whose sequence the reply carries (see
//! `position`); read back from this instance's history projection.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use async_nats::jetstream::message::PublishMessage;
use chorus_host::RequestCtx;
use chorus_nats::clock::now_ms;
use chorus_nats::messages::profile::{CountsRequest, Play, PlayCounts, PlayRecord, RecentPlays, RecentRequest};
use chorus_nats::messages::Empty;
use chorus_nats::{errors, Encoding, ServiceError};

use crate::catalog_check;
use crate::records::{play_subject, plays_key, PlayNote};
use crate::state::Profile;
use crate::Fail;

/// How far in the future a play may say it started (clocks differ).
const CLOCK_SLACK_MS: u64 = 24 * 3600 * 1000;

pub(crate) async fn record(p: &Profile, ctx: &RequestCtx, req: PlayRecord) -> Result<Empty, Fail> {
    let user = ctx.caller()?.sub;
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
    let ack =
        p.js.send_publish(play_subject(user), publish).await.context("recording a play")?.await.context("play ack")?;
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

fn limit(asked: Option<usize>, default: usize) -> Result<usize, ServiceError> {
    let asked = asked.map(|n| u32::try_from(n).unwrap_or(u32::MAX));
    chorus_host::paging::PageSize { default: default as u32, max: 200 }.of(asked)
}
