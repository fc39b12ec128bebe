//! `user.me` and `password.change`: the signed-in user's own account.

use chorus_host::RequestCtx;
use chorus_nats::errors::auth as codes;
use chorus_nats::messages::auth::{ChangePassword, Claims, User};
use chorus_nats::messages::Empty;
use chorus_nats::ServiceError;

use crate::credentials::{check_length, Password};
use crate::limits;
use crate::records::{family_key, user_key, Family, UserRecord};
use crate::state::{failed, invalid_credentials, Accounts, ATTEMPTS};
use crate::Fail;

/// The caller's account.
pub(crate) async fn me(accounts: &Accounts, caller: &Claims) -> Result<User, Fail> {
    Ok(accounts.user(caller.sub).await?.view())
}

/// Change the caller's password; the reply carries the user record's
/// sequence. Every other session ends; the caller's own (the one its access
/// token names) carries on.
pub(crate) async fn change_own_password(
    accounts: &Accounts,
    ctx: &RequestCtx,
    req: ChangePassword,
) -> Result<Empty, Fail> {
    if let Some(seq) = changed(accounts, ctx.caller()?, ctx.client().as_deref(), req).await? {
        ctx.wrote(seq);
    }
    Ok(Empty {})
}

/// The caller's record, once `password` proved it is them again. A wrong
/// password counts like a failed sign-in of the account (a stolen access
/// token must not become a way to guess the password).
pub(crate) async fn reauthenticate(
    accounts: &Accounts,
    caller: &Claims,
    client: Option<&str>,
    password: &str,
) -> Result<UserRecord, Fail> {
    check_length(password)?;
    let user = accounts.user(caller.sub).await?;
    let keys = crate::login::attempt_keys(limits::user_key(&user.username), client);
    accounts.limiter.attempt(&keys, chorus_nats::clock::now_ms()).await?;
    if !accounts.hasher.verify(password, Some(&user.password_hash)).await? {
        accounts.limiter.failed();
        return Err(invalid_credentials().into());
    }
    accounts.limiter.succeeded(&keys).await;
    Ok(user)
}

/// The password change; returns the user record's sequence (none if the
/// record went meanwhile).
async fn changed(
    accounts: &Accounts,
    caller: &Claims,
    client: Option<&str>,
    req: ChangePassword,
) -> Result<Option<u64>, Fail> {
    let new_password = Password::parse(&req.new_password)?;
    reauthenticate(accounts, caller, client, &req.current_password).await?;
    if req.new_password == req.current_password {
        return Err(ServiceError::bad_request(codes::SAME_PASSWORD, "the new password is the current one").into());
    }
    let password_hash = accounts.hasher.hash(&new_password).await?;
    let written = accounts
        .users
        .modify::<UserRecord, _, _>(&user_key(caller.sub), ATTEMPTS, |u| {
            let password_hash = password_hash.clone();
            async move { Ok(u.map(|u| UserRecord { password_hash, session_epoch: u.session_epoch + 1, ..u })) }
        })
        .await
        .map_err(failed)?;
    let seq = written.as_ref().map(|(_, seq)| *seq);
    let epoch = written.and_then(|(u, _)| u).map(|u| u.session_epoch).unwrap_or_default();
    accounts
        .sessions
        .modify::<Family, _, _>(&family_key(caller.sid), ATTEMPTS, |f| async move {
            Ok(f.filter(|f| !f.revoked).map(|f| Family { epoch, ..f }))
        })
        .await
        .map_err(failed)?;
    tracing::info!(user = %caller.sub, "password changed; other sessions ended");
    Ok(seq)
}
