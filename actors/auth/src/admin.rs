//! Admin operations: list users, disable and enable them, grant and revoke roles.

use bytes::Bytes;
use chorus_host::auth::watch;
use chorus_nats::messages::auth::{Claims, Role, RoleChange, User, UserList, UserPage, UserRef};
use chorus_nats::ServiceError;
use uuid::Uuid;

use crate::accounts::{failed, Accounts, ATTEMPTS};
use crate::records::{user_key, UserRecord};
use crate::Fail;

/// Users by username, a page at a time.
pub(crate) fn list(accounts: &Accounts, req: UserList) -> Result<UserPage, Fail> {
    let (users, next) = accounts.directory.page(req.cursor.as_deref(), req.limit.unwrap_or(50))?;
    Ok(UserPage { users, next })
}

/// Disable or enable a user. A disabled user cannot sign in or refresh, and
/// every instance refuses its access tokens as soon as it sees the change.
pub(crate) async fn set_disabled(
    accounts: &Accounts,
    caller: &Claims,
    req: UserRef,
    disabled: bool,
) -> Result<User, Fail> {
    not_self(caller, req.user_id)?;
    let user = change(accounts, req.user_id, move |u| UserRecord { disabled, ..u }).await?;
    let key = watch::disabled_key(req.user_id);
    if disabled {
        accounts.trust.put(key, Bytes::new()).await.map_err(anyhow::Error::new)?;
    } else {
        accounts.trust.delete(key).await.map_err(anyhow::Error::new)?;
    }
    tracing::info!(user = %req.user_id, disabled, by = %caller.sub, "user access changed");
    Ok(user.view())
}

/// Grant or revoke a role; it shows in the user's next access token.
pub(crate) async fn set_role(accounts: &Accounts, caller: &Claims, req: RoleChange, held: bool) -> Result<User, Fail> {
    if req.role == Role::Admin {
        not_self(caller, req.user_id)?;
    }
    let role = req.role;
    let user = change(accounts, req.user_id, move |mut u| {
        u.roles.retain(|r| *r != role);
        if held {
            u.roles.push(role);
            u.roles.sort();
        }
        u
    })
    .await?;
    tracing::info!(user = %req.user_id, ?role, held, by = %caller.sub, "role changed");
    Ok(user.view())
}

// An admin locking themself out is a mistake no one can undo from the wire.
fn not_self(caller: &Claims, user: Uuid) -> Result<(), ServiceError> {
    if caller.sub == user {
        return Err(ServiceError::bad_request("cannot_change_self", "an admin cannot disable or demote themself"));
    }
    Ok(())
}

async fn change(
    accounts: &Accounts,
    id: Uuid,
    f: impl Fn(UserRecord) -> UserRecord + Clone,
) -> Result<UserRecord, Fail> {
    let written = accounts
        .users
        .modify::<UserRecord, _, _>(&user_key(id), ATTEMPTS, |u| {
            let f = f.clone();
            async move {
                match u {
                    Some(u) => Ok(Some(f(u))),
                    None => Err(ServiceError::not_found("user_not_found", format!("no user {id}"))),
                }
            }
        })
        .await
        .map_err(failed)?;
    written
        .and_then(|(u, _)| u)
        .ok_or_else(|| ServiceError::not_found("user_not_found", format!("no user {id}")).into())
}
