//! What every auth endpoint shares: the records, the hasher, the issuer.

use std::sync::Arc;

use async_nats::jetstream::kv;
use chorus_nats::errors::auth as codes;
use chorus_nats::messages::auth::Plan;
use chorus_nats::{ServiceError, Status};
use chorus_state::{Records, WriteError};
use uuid::Uuid;

use crate::directory::Directory;
use crate::hasher::Hasher;
use crate::limits::Limiter;
use crate::records::{family_key, name_key, owner_key, user_key, Family, UserRecord};
use crate::sessions::{self, Issuer};

/// Re-reads after a conflicting write before giving up.
pub(crate) const ATTEMPTS: usize = 5;

/// See the module docs.
pub(crate) struct Accounts {
    pub(crate) users: Records,
    pub(crate) sessions: Records,
    pub(crate) limiter: Limiter,
    pub(crate) hasher: Hasher,
    pub(crate) issuer: Issuer,
    pub(crate) directory: Arc<Directory>,
    /// Where disabled users are published for every instance.
    pub(crate) trust: kv::Store,
    /// Payment's bucket, read for each listener's entitlement.
    pub(crate) entitlements: Records,
    /// For announcing account closures.
    pub(crate) js: async_nats::jetstream::Context,
    /// App passwords (`app_password.*`).
    pub(crate) apps: crate::apps::Apps,
}

impl Accounts {
    /// The user that holds `username`, with its record revision.
    pub(crate) async fn by_name(&self, username: &str) -> anyhow::Result<Option<(UserRecord, u64)>> {
        match self.users.get::<Uuid>(&name_key(username)).await? {
            Some((id, _)) => self.users.get(&user_key(id)).await,
            None => Ok(None),
        }
    }

    /// The user `id`, or 404.
    pub(crate) async fn user(&self, id: Uuid) -> Result<UserRecord, crate::Fail> {
        match self.users.get::<UserRecord>(&user_key(id)).await? {
            Some((user, _)) => Ok(user),
            None => Err(ServiceError::not_found(codes::USER_NOT_FOUND, format!("no user {id}")).into()),
        }
    }

    /// Start a session for `user`: a new family and its first tokens.
    pub(crate) async fn start_session(
        &self,
        user: &UserRecord,
    ) -> Result<chorus_nats::messages::auth::Session, crate::Fail> {
        let id = Uuid::now_v7();
        let (refresh, hash) = sessions::new_refresh(id);
        let now = chorus_nats::clock::now_ms();
        let family = Family {
            id,
            user_id: user.id,
            current: hash,
            used: Vec::new(),
            epoch: user.session_epoch,
            revoked: false,
            started_at: now,
            last_used_at: now,
        };
        self.sessions.create(&family_key(id), &family).await.map_err(failed)?;
        self.sessions.put(&owner_key(user.id, id), &()).await?;
        let plan = self.plan(user).await?;
        Ok(self.issuer.session(user, plan, id, refresh, chorus_nats::clock::now_s()))
    }

    /// The plan `user`'s next access token carries: what payment entitles
    /// them to now (`chorus_nats::records::payment`), else the account's own.
    pub(crate) async fn plan(&self, user: &UserRecord) -> anyhow::Result<Plan> {
        let key = chorus_nats::records::payment::entitlement_key(user.id);
        let found = self.entitlements.get::<chorus_nats::records::payment::Entitlement>(&key).await?;
        Ok(match found {
            Some((e, _)) => e.at(chorus_nats::clock::now_ms()),
            None => user.plan,
        })
    }

    /// End session `id` (idempotent).
    pub(crate) async fn revoke(&self, id: Uuid) -> anyhow::Result<()> {
        self.sessions
            .modify::<Family, _, _>(&family_key(id), ATTEMPTS, |f| async move {
                Ok(f.filter(|f| !f.revoked).map(|f| Family { revoked: true, ..f }))
            })
            .await
            .map_err(|e| anyhow::anyhow!("revoking a session: {e}"))?;
        Ok(())
    }
}

/// A write error as a handler failure: refusals are replies, the rest crashes.
pub(crate) fn failed(e: WriteError) -> crate::Fail {
    match e {
        WriteError::Refused(e) => e.into(),
        WriteError::Conflict | WriteError::Exists => {
            ServiceError::conflict(codes::CONFLICT, "changed meanwhile; try again").into()
        }
        WriteError::Failed(e) => e.into(),
    }
}

/// 401 for a wrong username or password (the same for both).
pub(crate) fn invalid_credentials() -> ServiceError {
    ServiceError::unauthorized(codes::INVALID_CREDENTIALS, "wrong username or password")
}

/// 403 for a disabled account.
pub(crate) fn account_disabled() -> ServiceError {
    ServiceError::new(Status::Forbidden, codes::ACCOUNT_DISABLED, "this account has been disabled")
}
