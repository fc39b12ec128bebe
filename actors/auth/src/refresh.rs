//! `session.refresh` and `session.logout`: refresh tokens are good once.
//! Each refresh rotates the token; presenting a used one again means it was
//! stolen (or raced), and ends the whole session.

use chorus_nats::errors::auth as codes;
use chorus_nats::messages::auth::{RefreshToken, Session};
use chorus_nats::ServiceError;
use chorus_state::WriteError;

use crate::records::{family_key, owner_key, Family, USED_KEPT};
use crate::sessions::{self, same};
use crate::state::{account_disabled, failed, Accounts};
use crate::Fail;

fn invalid() -> ServiceError {
    ServiceError::unauthorized(codes::INVALID_REFRESH_TOKEN, "that refresh token is not valid; sign in again")
}

fn ended() -> ServiceError {
    ServiceError::unauthorized(codes::SESSION_ENDED, "this session has ended; sign in again")
}

fn reused() -> ServiceError {
    ServiceError::unauthorized(codes::REFRESH_TOKEN_REUSED, "that refresh token was used before; the session has ended")
}

/// See the module docs.
pub(crate) async fn refresh(accounts: &Accounts, req: RefreshToken) -> Result<Session, Fail> {
    let (id, hash) = sessions::parse_refresh(&req.refresh_token).ok_or_else(invalid)?;
    let (family, revision) = accounts.sessions.get::<Family>(&family_key(id)).await?.ok_or_else(invalid)?;
    if family.revoked {
        return Err(ended().into());
    }
    if !same(&family.current, &hash) {
        if family.used.iter().any(|u| same(u, &hash)) {
            accounts.revoke(id).await?;
            tracing::warn!(session = %id, user = %family.user_id, "refresh token reused; session ended");
            return Err(reused().into());
        }
        return Err(invalid().into());
    }
    // A user whose record is gone has no session left; a record that cannot
    // be read now is the store's failure, not the listener's (503/500).
    let user = accounts.user(family.user_id).await.map_err(|e| match e {
        Fail::Reply(_) => ended().into(),
        crash => crash,
    })?;
    if user.disabled {
        return Err(account_disabled().into());
    }
    if family.epoch != user.session_epoch {
        // The password changed since this session last proved itself.
        return Err(ended().into());
    }
    let (token, next) = sessions::new_refresh(id);
    let mut used = family.used.clone();
    used.push(family.current.clone());
    let skip = used.len().saturating_sub(USED_KEPT);
    let now = chorus_nats::clock::now_ms();
    let rotated = Family { current: next, used: used.split_off(skip), last_used_at: now, ..family };
    match accounts.sessions.update(&family_key(id), &rotated, revision).await {
        Ok(_) => {
            // The session is refreshed whatever happens here: a session that
            // misses its filing is still ended by `session.end_others` (the epoch).
            if let Err(e) = accounts.sessions.put(&owner_key(rotated.user_id, id), &()).await {
                tracing::warn!(session = %id, "filing a refreshed session under its user: {e:#}");
            }
            let plan = accounts.plan(&user).await?;
            Ok(accounts.issuer.session(&user, plan, id, token, chorus_nats::clock::now_s()))
        }
        // Another refresh with the same token won the race: the same token used twice.
        Err(WriteError::Conflict) => {
            accounts.revoke(id).await?;
            Err(reused().into())
        }
        Err(e) => Err(failed(e)),
    }
}

/// End the session a refresh token belongs to. Its access tokens live out
/// their few minutes; the refresh token never works again.
pub(crate) async fn logout(accounts: &Accounts, refresh_token: &str) -> Result<chorus_nats::messages::Empty, Fail> {
    let (id, hash) = sessions::parse_refresh(refresh_token).ok_or_else(invalid)?;
    let (family, _) = accounts.sessions.get::<Family>(&family_key(id)).await?.ok_or_else(invalid)?;
    if !same(&family.current, &hash) && !family.used.iter().any(|u| same(u, &hash)) {
        return Err(invalid().into());
    }
    accounts.revoke(id).await?;
    Ok(Default::default())
}
