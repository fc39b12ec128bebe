//! `account.close`: a listener closes their own account, their password
//! asked again. Auth announces the closure on the closures stream (see
//! `chorus_state::closures`), and every service that keeps the listener's
//! data erases it from there; auth's own part runs at once, and again from
//! auth's eraser should this instance die before it finished:
//!
//! - the account is disabled in the trust bucket, so every instance refuses
//!   its access tokens from that moment, and its sessions cannot refresh;
//! - the username's claim is erased without a trace (its key is the name),
//!   so the name is free again;
//! - the user record is purged (its key is the id, which is all that is
//!   left: the closures stream keeps ids and times, nothing else).

use bytes::Bytes;
use chorus_host::RequestCtx;
use chorus_nats::errors::auth as codes;
use chorus_nats::messages::auth::{AccountClose, AccountClosed, Role};
use chorus_nats::records::accounts::Closure;
use chorus_nats::ServiceError;

use crate::records::{name_key, user_key, UserRecord};
use crate::state::Accounts;
use crate::Fail;

/// See the module docs. An admin cannot close their own account (another
/// admin revokes the role first), so a deployment is never left without one
/// by a click.
pub(crate) async fn close(accounts: &Accounts, ctx: &RequestCtx, req: AccountClose) -> Result<AccountClosed, Fail> {
    let caller = ctx.caller()?;
    let user = crate::me::reauthenticate(accounts, caller, ctx.client().as_deref(), &req.password).await?;
    if user.roles.contains(&Role::Admin) {
        let message = "an admin's account is closed once another admin has revoked the admin role";
        return Err(ServiceError::conflict(codes::ADMIN_ACCOUNT, message).into());
    }
    let closure = Closure { user: user.id, closed_at: chorus_nats::clock::now_ms() };
    // Announced first: from here on the closure is carried out whatever happens to this instance.
    chorus_state::closures::announce(&accounts.js, closure).await?;
    erase(accounts, closure).await?;
    tracing::info!(user = %user.id, "account closed");
    Ok(AccountClosed { closed_at: closure.closed_at })
}

/// Auth's part of a closure; a second run finds nothing left.
pub(crate) async fn erase(accounts: &Accounts, closure: Closure) -> anyhow::Result<()> {
    let id = closure.user;
    accounts
        .trust
        .put(chorus_host::auth::watch::disabled_key(id), Bytes::new())
        .await
        .map_err(|e| anyhow::anyhow!("disabling closed account {id}: {e}"))?;
    if let Some((user, _)) = accounts.users.get::<UserRecord>(&user_key(id)).await? {
        // The name's claim only if it is still this account's.
        let key = name_key(&user.username);
        if accounts.users.get::<uuid::Uuid>(&key).await?.is_some_and(|(owner, _)| owner == id) {
            accounts.users.erase(&key).await?;
        }
        accounts.users.purge(&user_key(id)).await?;
    }
    // Where its sessions were filed (they can no longer refresh: the user is gone).
    accounts.sessions.erase_under(&format!("owner.{}", id.simple())).await?;
    crate::apps::erase(accounts, id).await?;
    Ok(())
}
