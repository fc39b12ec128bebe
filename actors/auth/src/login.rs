//! `session.login`: a password for a session, with failures limited per
//! username and per client across every instance.

use chorus_nats::headers::now_ms;
use chorus_nats::messages::auth::{Login, Session};

use crate::accounts::{account_disabled, invalid_credentials, Accounts};
use crate::credentials::Username;
use crate::limits;
use crate::Fail;

/// See the module docs. `client` is the caller's connection, as NATS shows it.
pub(crate) async fn login(accounts: &Accounts, client: Option<&str>, req: Login) -> Result<Session, Fail> {
    // A name that cannot exist fails like a wrong password, without a lookup.
    let username = Username::parse(&req.username).map_err(|_| invalid_credentials())?;
    let mut keys = vec![limits::user_key(username.as_str())];
    keys.extend(client.map(limits::client_key));
    accounts.limiter.check(&keys, now_ms()).await?;
    let user = accounts.by_name(username.as_str()).await?;
    let phc = user.as_ref().map(|(u, _)| u.password_hash.as_str());
    if !accounts.hasher.verify(&req.password, phc).await? {
        accounts.limiter.failed(&keys, now_ms()).await?;
        tracing::info!(username = %username.as_str(), "failed login");
        return Err(invalid_credentials().into());
    }
    let Some((user, _)) = user else { return Err(invalid_credentials().into()) };
    if user.disabled {
        return Err(account_disabled().into());
    }
    accounts.limiter.clear(&keys[0]).await?;
    accounts.start_session(&user).await
}
