//! Every user by username, in memory, for the admin's list: a projection of
//! the `user.*` records, kept current by the state kit's projector.

use std::collections::{BTreeMap, HashMap};
use std::sync::RwLock;

use async_nats::jetstream::kv;
use chorus_nats::messages::auth::User;
use chorus_nats::ServiceError;
use chorus_state::{Change, Projection, View};
use futures::future::BoxFuture;
use uuid::Uuid;

use crate::records::UserRecord;

/// See the module docs.
pub(crate) struct Directory {
    users: RwLock<Users>,
    /// Where a user whose record is gone is marked disabled, so that no
    /// service accepts a token naming a user that does not exist.
    trust: kv::Store,
}

#[derive(Default)]
struct Users {
    by_name: BTreeMap<String, User>,
    names: HashMap<Uuid, String>,
}

impl Directory {
    /// An empty directory that marks users whose record is deleted as disabled in `trust`.
    pub(crate) fn new(trust: kv::Store) -> Self {
        Self { users: RwLock::default(), trust }
    }

    /// Up to `limit` users after `cursor` (a username), and the next cursor.
    pub(crate) fn page(&self, cursor: Option<&str>, limit: u32) -> Result<(Vec<User>, Option<String>), ServiceError> {
        chorus_host::paging::PageSize { default: limit, max: 500 }.of(Some(limit))?;
        let users = self.users.read().unwrap_or_else(|p| p.into_inner());
        let from = match cursor {
            Some(c) => std::ops::Bound::Excluded(c.to_string()),
            None => std::ops::Bound::Unbounded,
        };
        let page: Vec<User> = users
            .by_name
            .range((from, std::ops::Bound::Unbounded))
            .take(limit as usize)
            .map(|(_, u)| u.clone())
            .collect();
        let next = (page.len() == limit as usize).then(|| page.last().map(|u| u.username.clone())).flatten();
        Ok((page, next))
    }

    /// How many users there are.
    pub(crate) fn len(&self) -> usize {
        self.users.read().unwrap_or_else(|p| p.into_inner()).by_name.len()
    }
}

impl Projection for Directory {
    fn apply<'a>(&'a self, _: &'a View, changes: Vec<Change>, _: u64) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let mut gone = Vec::new();
            {
                let mut users = self.users.write().unwrap_or_else(|p| p.into_inner());
                for change in changes {
                    let Some(id) = change.key.strip_prefix("user.").and_then(|id| Uuid::parse_str(id).ok()) else {
                        continue;
                    };
                    if let Some(old) = users.names.remove(&id) {
                        users.by_name.remove(&old);
                    }
                    if change.value.is_none() {
                        gone.push(id);
                    } else if let Some(record) = change.decode::<UserRecord>() {
                        users.names.insert(id, record.username.clone());
                        users.by_name.insert(record.username.clone(), record.view());
                    }
                }
            }
            // Tokens outlive their user's record: every instance must refuse them.
            for id in gone {
                self.trust
                    .put(chorus_host::auth::watch::disabled_key(id), bytes::Bytes::new())
                    .await
                    .map_err(|e| anyhow::anyhow!("disabling deleted user {id}: {e}"))?;
            }
            Ok(())
        })
    }

    fn restore<'a>(&'a self, _: &'a View) -> BoxFuture<'a, anyhow::Result<()>> {
        // The directory's view is always in memory: nothing to restore.
        Box::pin(async { Ok(()) })
    }
}
