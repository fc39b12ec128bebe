//! The first admin, created at start from configuration when its name is free.

use chorus_nats::errors::auth as codes;
use chorus_nats::messages::auth::{Register, Role};

use crate::config::BootstrapAdmin;
use crate::credentials::Username;
use crate::state::Accounts;
use crate::Fail;

/// Create the configured admin unless a user already has that name (any
/// number of instances may race here: the username is claimed once).
pub(crate) async fn admin(accounts: &Accounts, admin: &BootstrapAdmin) -> anyhow::Result<()> {
    let name = Username::parse(&admin.username).map_err(|e| anyhow::anyhow!("[auth.bootstrap_admin] {e}"))?;
    if accounts.by_name(name.as_str()).await?.is_some() {
        return Ok(());
    }
    let req =
        Register { username: admin.username.clone(), email: admin.email.clone(), password: admin.password.clone() };
    match crate::register::create(accounts, &req, vec![Role::Listener, Role::Admin]).await {
        Ok((user, _)) => {
            tracing::info!(username = %user.username, "bootstrap admin created");
            Ok(())
        }
        Err(Fail::Reply(e)) if e.code == codes::USERNAME_TAKEN => Ok(()),
        Err(Fail::Reply(e)) => Err(anyhow::anyhow!("[auth.bootstrap_admin]: {e}")),
        Err(Fail::Crash(e)) => Err(e.context("creating the bootstrap admin")),
    }
}
