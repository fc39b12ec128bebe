//! `chunk.get`: any chunk of a session, in any order, so seeking works.

use chorus_host::RequestCtx;
use chorus_nats::messages::stream::{Chunk, ChunkGet};
use chorus_nats::{errors, ServiceError};

use crate::sessions::Sessions;
use crate::Fail;

pub(crate) async fn get(
    sessions: &Sessions,
    audio: &chorus_state::ObjectCache,
    ctx: &RequestCtx,
    req: ChunkGet,
) -> Result<Chunk, Fail> {
    let session = sessions.of_caller(ctx, req.session_id).await?;
    let info = &session.info;
    if req.index >= info.chunk_count {
        let e = format!("chunk {} is past the end ({} chunks)", req.index, info.chunk_count);
        return Err(ServiceError::bad_request(errors::stream::CHUNK_OUT_OF_RANGE, e).into());
    }
    if req.index >= info.chunks_allowed {
        let e = format!("this session is a preview: chunks 0 to {} only", info.chunks_allowed.saturating_sub(1));
        return Err(ServiceError::forbidden(errors::stream::PREVIEW_ONLY, e).into());
    }
    let file = audio.get(&session.object).await?;
    let start = req.index as usize * info.chunk_size as usize;
    let end = (start + info.chunk_size as usize).min(file.len());
    if start >= end {
        return Err(anyhow::anyhow!("audio object {} is shorter than the catalog says", session.object).into());
    }
    Ok(Chunk { index: req.index, data: file.slice(start..end) })
}
