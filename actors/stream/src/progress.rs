//! `session.progress`: past the play threshold, or played to its end, a
//! session records one play into profile's history, once, whichever instance
//! hears it. A skip before the threshold is not a play (the scrobblers' rule),
//! and a session that ended short of a play stays without one.

use chorus_host::RequestCtx;
use chorus_nats::errors;
use chorus_nats::messages::profile::PlayRecord;
use chorus_nats::messages::stream::{Progress, ProgressReply};
use chorus_nats::subjects::profile;
use chorus_state::WriteError;

use crate::records;
use crate::state::Stream;
use crate::Fail;

/// How far from the track's end an ended session still counts as played
/// through (players stop a little short of the catalog's duration).
const END_SLACK_MS: u64 = 2_000;

pub(crate) async fn report(stream: &Stream, ctx: &RequestCtx, req: Progress) -> Result<ProgressReply, Fail> {
    let (sessions, nats, threshold_ms) = (&stream.sessions, &stream.nats, stream.threshold_ms);
    let session = sessions.of_caller(ctx, req.session_id).await?;
    let duration = session.info.duration_ms;
    let played = if duration > 0 { req.position_ms.min(duration) } else { req.position_ms };
    let played_through = req.ended && duration > 0 && played + END_SLACK_MS >= duration;
    let ended = records::ended_key(session.info.session_id);
    if !(played >= threshold_ms || played_through) {
        if req.ended {
            // The session is over short of a play: later reports cannot make one.
            let skip = records::Skip {
                user: session.user,
                track_id: session.info.track_id,
                played_ms: played,
                at: chorus_nats::clock::now_ms(),
            };
            match sessions.records.create(&ended, &skip).await {
                Ok(_) | Err(WriteError::Exists) => {}
                Err(e) => return Err(anyhow::anyhow!("marking a session ended: {e}").into()),
            }
        }
        return Ok(ProgressReply { play_recorded: false });
    }
    // The play id is the session id: profile's stream drops a second record,
    // so a retry after a lost reply is harmless too.
    let record = PlayRecord {
        play_id: session.info.session_id,
        track_id: session.info.track_id,
        started_at: session.opened_at,
        ms_played: played,
        source: session.source.clone(),
        client: session.client.clone(),
    };
    let marker = records::played_key(session.info.session_id);
    if let Ok(Some(_)) = sessions.records.get::<u64>(&marker).await {
        return Ok(ProgressReply { play_recorded: true });
    }
    // Any marker, whatever it holds (before skips were kept it was the position).
    if let Ok(Some(_)) = sessions.records.store().get(&ended).await {
        return Ok(ProgressReply { play_recorded: false });
    }
    let client = ctx.as_caller(nats);
    match &stream.site_plays {
        // At an edge site the play stays at the site until the hub sources it.
        Some(site) => site.record(&client, session.user, record).await?,
        None => {
            client
                .call(&record)
                .await
                .map_err(|e| Fail::from(e.into_service_error(errors::stream::PROFILE_UNAVAILABLE)))?;
            // The listener's next profile read, on any instance, should see this play.
            ctx.wrote_in(profile::SERVICE, client.seen_seq(profile::SERVICE));
        }
    }
    match sessions.records.create(&marker, &played).await {
        Ok(_) | Err(WriteError::Exists) => Ok(ProgressReply { play_recorded: true }),
        Err(e) => Err(anyhow::anyhow!("marking a play recorded: {e}").into()),
    }
}
