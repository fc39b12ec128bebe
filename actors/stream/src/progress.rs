//! `session.progress`: past the play threshold (or at the end) a session
//! records one play into profile's history, once, whichever instance hears it.

use chorus_host::RequestCtx;
use chorus_nats::messages::profile::PlayRecord;
use chorus_nats::messages::stream::{Progress, ProgressReply};
use chorus_nats::messages::Empty;
use chorus_nats::subjects::profile;
use chorus_state::WriteError;

use crate::sessions::Sessions;
use crate::Fail;

pub(crate) async fn report(
    sessions: &Sessions,
    nats: &async_nats::Client,
    threshold_ms: u64,
    ctx: &RequestCtx,
    req: Progress,
) -> Result<ProgressReply, Fail> {
    let session = sessions.of_caller(ctx, req.session_id).await?;
    let duration = session.info.duration_ms;
    let played = if duration > 0 { req.position_ms.min(duration) } else { req.position_ms };
    if !(req.ended || played >= threshold_ms) {
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
    let marker = format!("played.{}", session.info.session_id);
    if let Ok(Some(_)) = sessions.records.get::<u64>(&marker).await {
        return Ok(ProgressReply { play_recorded: true });
    }
    let client = ctx.as_caller(nats);
    let _: Empty = client
        .request(profile::play_record(), &record)
        .await
        .map_err(|e| Fail::from(e.into_service_error("profile_unavailable")))?;
    match sessions.records.create(&marker, &played).await {
        Ok(_) | Err(WriteError::Exists) => Ok(ProgressReply { play_recorded: true }),
        Err(e) => Err(anyhow::anyhow!("marking a play recorded: {e}").into()),
    }
}
