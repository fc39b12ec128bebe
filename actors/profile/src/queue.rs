//! The play queue, saved per user so playback resumes on another device.

use chorus_host::RequestCtx;
use chorus_nats::clock::now_ms;
use chorus_nats::messages::profile::{PlayQueue, QueueSave};
use chorus_nats::messages::Empty;
use chorus_nats::{errors, ServiceError, Status};

use crate::records::queue_key;
use crate::state::Profile;
use crate::Fail;

pub(crate) async fn save(p: &Profile, ctx: &RequestCtx, req: QueueSave) -> Result<Empty, Fail> {
    let user = p.writer(ctx)?;
    let max = p.config.max_queue;
    if req.tracks.len() > max {
        let message = format!("a saved queue holds at most {max} tracks");
        return Err(ServiceError::new(Status::TooLarge, errors::profile::QUEUE_TOO_LONG, message).into());
    }
    if req.index > req.tracks.len() || (req.index == req.tracks.len() && !req.tracks.is_empty()) {
        return Err(
            ServiceError::bad_request(errors::profile::INVALID_INDEX, "index must name an entry of the queue").into()
        );
    }
    crate::catalog_check::require(&p.as_caller(ctx), &req.tracks).await?;
    let queue = PlayQueue { tracks: req.tracks, index: req.index, position_ms: req.position_ms, saved_at: now_ms() };
    // Last write wins: a queue is one device's current state, not a shared document.
    ctx.wrote(p.records.put(&queue_key(user), &queue).await?);
    Ok(Empty {})
}

pub(crate) async fn get(p: &Profile, ctx: &RequestCtx) -> Result<PlayQueue, Fail> {
    let user = ctx.caller()?.sub;
    Ok(p.records.get::<PlayQueue>(&queue_key(user)).await?.map(|(q, _)| q).unwrap_or_default())
}
