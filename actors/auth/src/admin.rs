//! Admin operations: list users, disable and enable them, grant and revoke
//! roles. A change's reply carries the user record's sequence, so the next
//! list, on any instance, shows it.

use bytes::Bytes;
use chorus_host::auth::watch;
use chorus_host::RequestCtx;
use chorus_nats::errors::auth as codes;
use chorus_nats::messages::auth::{Claims, Role, User, UserList, UserPage};
use chorus_nats::ServiceError;
use uuid::Uuid;

use crate::records::{user_key, UserRecord};
use crate::state::{failed, Accounts, ATTEMPTS};
use crate::Fail;

/// Users by username, a page at a time.
pub(crate) fn list(accounts: &Accounts, req: UserList) -> Result<UserPage, Fail> {
    let (users, next) = accounts.directory.page(req.cursor.as_deref(), req.limit.unwrap_or(50))?;
    Ok(UserPage { users, next })
}

/// Disable or enable a user. A disabled user cannot sign in or refresh, and
/// every instance refuses its access tokens as soon as it sees the change.
pub(crate) async fn disable(
    accounts: &Accounts,
    ctx: &RequestCtx,
    user_id: Uuid,
    disabled: bool,
) -> Result<User, Fail> {
    let (user, seq) = disabled_or_enabled(accounts, ctx.caller()?, user_id, disabled).await?;
    ctx.wrote(seq);
    Ok(user)
}

async fn disabled_or_enabled(
    accounts: &Accounts,
    caller: &Claims,
    user_id: Uuid,
    disabled: bool,
) -> Result<(User, u64), Fail> {
    not_self(caller, user_id)?;
    let (user, seq) = change(accounts, user_id, move |u| UserRecord { disabled, ..u }).await?;
    let key = watch::disabled_key(user_id);
    if disabled {
        accounts.trust.put(key, Bytes::new()).await.map_err(anyhow::Error::new)?;
    } else {
        accounts.trust.delete(key).await.map_err(anyhow::Error::new)?;
    }
    tracing::info!(user = %user_id, disabled, by = %caller.sub, "user access changed");
    Ok((user.view(), seq))
}

/// Grant or revoke a role; it shows in the user's next access token.
pub(crate) async fn change_role(
    accounts: &Accounts,
    ctx: &RequestCtx,
    user_id: Uuid,
    role: Role,
    held: bool,
) -> Result<User, Fail> {
    let (user, seq) = granted_or_revoked(accounts, ctx.caller()?, user_id, role, held).await?;
    ctx.wrote(seq);
    Ok(user)
}

async fn granted_or_revoked(
    accounts: &Accounts,
    caller: &Claims,
    user_id: Uuid,
    role: Role,
    held: bool,
) -> Result<(User, u64), Fail> {
    if role == Role::Admin {
        not_self(caller, user_id)?;
    }
    let (user, seq) = change(accounts, user_id, move |mut u| {
        u.roles.retain(|r| *r != role);
        if held {
            u.roles.push(role);
            u.roles.sort();
        }
        u
    })
    .await?;
    tracing::info!(user = %user_id, ?role, held, by = %caller.sub, "role changed");
    Ok((user.view(), seq))
}

// An admin locking themself out is a mistake no one can undo from the wire.
fn not_self(caller: &Claims, user: Uuid) -> Result<(), ServiceError> {
    if caller.sub == user {
        return Err(ServiceError::bad_request(codes::CANNOT_CHANGE_SELF, "an admin cannot disable or demote themself"));
    }
    Ok(())
}

/// Change user `id` with `f`; returns the record written and its sequence.
async fn change(
    accounts: &Accounts,
    id: Uuid,
    f: impl Fn(UserRecord) -> UserRecord + Clone,
) -> Result<(UserRecord, u64), Fail> {
    let written = accounts
        .users
        .modify::<UserRecord, _, _>(&user_key(id), ATTEMPTS, |u| {
            let f = f.clone();
            async move {
                match u {
                    Some(u) => Ok(Some(f(u))),
                    None => Err(ServiceError::not_found(codes::USER_NOT_FOUND, format!("no user {id}"))),
                }
            }
        })
        .await
        .map_err(failed)?;
    match written {
        Some((Some(user), seq)) => Ok((user, seq)),
        _ => Err(ServiceError::not_found(codes::USER_NOT_FOUND, format!("no user {id}")).into()),
    }
}
