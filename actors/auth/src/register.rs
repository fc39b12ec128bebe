//! `user.register`: a new account, with a username unique across every instance.

use chorus_host::RequestCtx;
use chorus_nats::errors::auth as codes;
use chorus_nats::messages::auth::{Plan, Register, Role, User};
use chorus_nats::ServiceError;
use chorus_state::WriteError;
use uuid::Uuid;

use crate::credentials::{Email, Password, Username};
use crate::records::{name_key, user_key, UserRecord};
use crate::state::{failed, Accounts};
use crate::Fail;

/// Create an account with `roles`; returns it and its record's sequence. The
/// username is claimed with a KV `create`, so of any number of concurrent
/// registrations exactly one wins.
pub(crate) async fn create(accounts: &Accounts, req: &Register, roles: Vec<Role>) -> Result<(UserRecord, u64), Fail> {
    let username = Username::parse(&req.username)?;
    let email = Email::parse(&req.email)?;
    let password = Password::parse(&req.password)?;
    let password_hash = accounts.hasher.hash(&password).await?;
    let id = Uuid::now_v7();
    match accounts.users.create(&name_key(username.as_str()), &id).await {
        Ok(_) => {}
        Err(WriteError::Exists) => {
            return Err(ServiceError::conflict(codes::USERNAME_TAKEN, format!("{} is taken", username.as_str())).into())
        }
        Err(e) => return Err(failed(e)),
    }
    let user = UserRecord {
        id,
        username: username.as_str().to_string(),
        email: email.as_str().to_string(),
        password_hash,
        roles,
        plan: Plan::Free,
        disabled: false,
        created_at: chorus_nats::clock::now_ms(),
        session_epoch: 0,
    };
    let seq = match accounts.users.create(&user_key(id), &user).await {
        Ok(seq) => seq,
        Err(e) => {
            // Free the name again, or it stays claimed by no one.
            if let Ok(Some((_, rev))) = accounts.users.get::<Uuid>(&name_key(&user.username)).await {
                let _ = accounts.users.delete(&name_key(&user.username), rev).await;
            }
            return Err(failed(e));
        }
    };
    tracing::info!(user = %id, username = %user.username, "registered");
    Ok((user, seq))
}

/// The endpoint: a listener account; the reply carries its record's
/// sequence, so the directory of any instance asked next lists it. A
/// browser connection (as nats-server names it) registers a few accounts
/// freely, then waits as after failed sign-ins: each registration costs a
/// password hash.
pub(crate) async fn register_listener(accounts: &Accounts, ctx: &RequestCtx, req: Register) -> Result<User, Fail> {
    let (user, seq) = listener(accounts, ctx.imported_from().as_deref(), req).await?;
    ctx.wrote(seq);
    Ok(user.view())
}

async fn listener(accounts: &Accounts, browser: Option<&str>, req: Register) -> Result<(UserRecord, u64), Fail> {
    crate::credentials::check_length(&req.password)?;
    if let Some(browser) = browser {
        let key = format!("register.{}", crate::limits::client_key(browser));
        accounts.limiter.reserve(std::slice::from_ref(&key), chorus_nats::clock::now_ms()).await?;
    }
    create(accounts, &req, vec![Role::Listener]).await
}
