//! `session.list`, `session.end`, `session.end_others`: a signed-in user's
//! own sessions, as an Account page shows them ("sign out everywhere").
//!
//! A session is found under its user through its `owner.<user>.<session>`
//! key (records.rs): the stream's subjects under that prefix name the user's
//! sessions, one request, without reading anyone else's.

use chorus_host::RequestCtx;
use chorus_nats::errors::auth as codes;
use chorus_nats::messages::auth::{Claims, SessionListing, SessionSummary, SessionsEnded};
use chorus_nats::messages::Empty;
use chorus_nats::ServiceError;
use futures::{StreamExt as _, TryStreamExt as _};
use uuid::Uuid;

use crate::records::{family_key, owned_family, owner_key, owners_of, user_key, Family, UserRecord};
use crate::state::{failed, Accounts, ATTEMPTS};
use crate::Fail;

/// Sessions read for a listing, newest first: a user signs in a bounded
/// number of times a day (sign-in limits), and sessions age out.
const LISTED: usize = 100;

fn not_found(id: Uuid) -> ServiceError {
    ServiceError::not_found(codes::SESSION_NOT_FOUND, format!("you have no live session {id}"))
}

fn ended() -> ServiceError {
    ServiceError::unauthorized(codes::SESSION_ENDED, "this session has ended; sign in again")
}

/// Whether `f` is a live session of `user`: not ended, and not outlived by a
/// password change (or an end of all others) since it last proved itself.
fn live(f: &Family, user: &UserRecord) -> bool {
    f.user_id == user.id && !f.revoked && f.epoch == user.session_epoch
}

/// The user's live sessions, newest first. Filings of sessions that ended are
/// let go on the way.
async fn sessions_of(accounts: &Accounts, user: &UserRecord) -> anyhow::Result<Vec<Family>> {
    let subjects = accounts.sessions.store().stream.info_with_subjects(owners_of(user.id)).await?;
    let mut ids: Vec<Uuid> = subjects
        .map_ok(|(subject, _)| owned_family(&subject))
        .try_collect::<Vec<_>>()
        .await?
        .into_iter()
        .flatten()
        .collect();
    ids.sort_unstable_by(|a, b| b.cmp(a)); // uuid v7: newest first
    ids.truncate(LISTED);
    let read: Vec<(Uuid, Option<(Family, u64)>)> = futures::stream::iter(ids)
        .map(|id| async move { Ok::<_, anyhow::Error>((id, accounts.sessions.get::<Family>(&family_key(id)).await?)) })
        .buffered(8)
        .try_collect()
        .await?;
    let mut out = Vec::new();
    for (id, found) in read {
        match found {
            Some((f, _)) if live(&f, user) => out.push(f),
            _ => {
                if let Err(e) = accounts.sessions.erase(&owner_key(user.id, id)).await {
                    tracing::warn!(session = %id, "letting an ended session's filing go: {e:#}");
                }
            }
        }
    }
    Ok(out)
}

/// The caller's live sessions, most recently used first.
pub(crate) async fn list(accounts: &Accounts, caller: &Claims) -> Result<SessionListing, Fail> {
    let user = accounts.user(caller.sub).await?;
    let mut sessions: Vec<SessionSummary> = sessions_of(accounts, &user)
        .await?
        .into_iter()
        .map(|f| SessionSummary {
            id: f.id,
            started_at: f.started_at,
            last_used_at: f.last_used_at,
            current: f.id == caller.sid,
        })
        .collect();
    sessions.sort_by(|a, b| b.last_used_at.cmp(&a.last_used_at).then(b.id.cmp(&a.id)));
    Ok(SessionListing { sessions })
}

/// End one of the caller's sessions (this one too, if it names it): its
/// refresh token never works again; its access tokens live out their minutes.
pub(crate) async fn end(accounts: &Accounts, caller: &Claims, id: Uuid) -> Result<Empty, Fail> {
    let user = accounts.user(caller.sub).await?;
    match accounts.sessions.get::<Family>(&family_key(id)).await? {
        Some((f, _)) if live(&f, &user) => {}
        _ => return Err(not_found(id).into()),
    }
    accounts.revoke(id).await?;
    accounts.sessions.erase(&owner_key(user.id, id)).await?;
    tracing::info!(user = %user.id, session = %id, "session ended by its user");
    Ok(Empty {})
}

/// Sign out everywhere but here: every other session ends, the ones listed
/// and any other (the user's session epoch moves on, as a password change
/// moves it, and this session follows it). The reply carries the user
/// record's sequence.
pub(crate) async fn end_others(accounts: &Accounts, ctx: &RequestCtx) -> Result<SessionsEnded, Fail> {
    let caller = ctx.caller()?;
    let user = accounts.user(caller.sub).await?;
    // Only a live session may do it: one a password change ended must not
    // revive itself and end the others.
    match accounts.sessions.get::<Family>(&family_key(caller.sid)).await? {
        Some((f, _)) if live(&f, &user) => {}
        _ => return Err(ended().into()),
    }
    let others: Vec<Family> = sessions_of(accounts, &user).await?.into_iter().filter(|f| f.id != caller.sid).collect();
    let before = user.session_epoch;
    let written = accounts
        .users
        .modify::<UserRecord, _, _>(&user_key(caller.sub), ATTEMPTS, |u| async move {
            Ok(u.filter(|u| u.session_epoch == before).map(|u| UserRecord { session_epoch: before + 1, ..u }))
        })
        .await
        .map_err(failed)?;
    let Some((Some(_), seq)) = written else {
        // Gone, or its epoch moved meanwhile (a password change): this session ended with it.
        return Err(ended().into());
    };
    let sid = caller.sid;
    accounts
        .sessions
        .modify::<Family, _, _>(&family_key(sid), ATTEMPTS, |f| async move {
            Ok(f.filter(|f| !f.revoked && f.epoch == before).map(|f| Family { epoch: before + 1, ..f }))
        })
        .await
        .map_err(failed)?;
    for f in &others {
        accounts.revoke(f.id).await?;
        accounts.sessions.erase(&owner_key(user.id, f.id)).await?;
    }
    ctx.wrote(seq);
    tracing::info!(user = %user.id, ended = others.len(), "every other session ended by its user");
    Ok(SessionsEnded { ended: others.len() as u32 })
}
