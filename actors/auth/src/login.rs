//! `session.login`: a password for a session, with attempts limited per
//! username and per client connection across every instance.

use chorus_nats::clock::now_ms;
use chorus_nats::messages::auth::{Login, Session};

use crate::credentials::{check_length, Username};
use crate::limits;
use crate::state::{account_disabled, invalid_credentials, Accounts};
use crate::Fail;

/// See the module docs. `client` is the caller's connection, as NATS names it.
pub(crate) async fn login(accounts: &Accounts, client: Option<&str>, req: Login) -> Result<Session, Fail> {
    check_length(&req.password)?;
    // A name that cannot exist fails like a wrong password, without a lookup.
    let username = Username::parse(&req.username).map_err(|_| invalid_credentials())?;
    let keys = attempt_keys(limits::user_key(username.as_str()), client);
    accounts.limiter.attempt(&keys, now_ms()).await?;
    let user = accounts.by_name(username.as_str()).await?;
    let phc = user.as_ref().map(|(u, _)| u.password_hash.as_str());
    if !accounts.hasher.verify(&req.password, phc).await? {
        tracing::info!(username = %username.as_str(), "failed login");
        accounts.limiter.failed();
        return Err(invalid_credentials().into());
    }
    let Some((user, _)) = user else { return Err(invalid_credentials().into()) };
    accounts.limiter.succeeded(&keys).await;
    if user.disabled {
        return Err(account_disabled().into());
    }
    accounts.start_session(&user).await
}

/// The counters an attempt is reserved against: the client's first, so a
/// throttled connection is refused before it can raise the account's
/// counter; the account's last.
pub(crate) fn attempt_keys(account: String, client: Option<&str>) -> Vec<String> {
    let mut keys: Vec<String> = client.map(limits::client_key).into_iter().collect();
    keys.push(account);
    keys
}
