//! The auth service's records: users and usernames in `chorus_auth`,
//! sessions (refresh-token families) in `chorus_auth_sessions`.

use chorus_nats::messages::auth::{Plan, Role, User};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Users (`user.<id>`) and the usernames they claim (`name.<hex of username>`).
pub(crate) const BUCKET: &str = "chorus_auth";
/// Sessions, `family.<id>`; a session unused for the refresh lifetime ages out.
pub(crate) const SESSIONS: &str = "chorus_auth_sessions";
/// Failed-login counters, aged out by the bucket.
pub(crate) const LIMITS: &str = "chorus_auth_limits";

/// A stored user.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct UserRecord {
    pub(crate) id: Uuid,
    pub(crate) username: String,
    pub(crate) email: String,
    /// Argon2id PHC string.
    pub(crate) password_hash: String,
    pub(crate) roles: Vec<Role>,
    #[serde(default)]
    pub(crate) plan: Plan,
    pub(crate) disabled: bool,
    /// ms since the Unix epoch.
    pub(crate) created_at: u64,
    /// Raised by a password change: sessions of an older epoch end.
    pub(crate) session_epoch: u64,
}

impl UserRecord {
    /// As the wire shows it.
    pub(crate) fn view(&self) -> User {
        User {
            id: self.id,
            username: self.username.clone(),
            email: self.email.clone(),
            roles: self.roles.clone(),
            plan: self.plan,
            disabled: self.disabled,
            created_at: self.created_at,
        }
    }
}

/// A session: one login and the chain of refresh tokens rotated from it.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct Family {
    pub(crate) id: Uuid,
    pub(crate) user_id: Uuid,
    /// SHA-256 (hex) of the one refresh token that may be used next.
    pub(crate) current: String,
    /// Hashes of tokens already used: presenting one again is a theft signal.
    pub(crate) used: Vec<String>,
    /// The user's session epoch when this session last proved itself.
    pub(crate) epoch: u64,
    pub(crate) revoked: bool,
    /// When it signed in, ms (0: a session older than the field).
    #[serde(default)]
    pub(crate) started_at: u64,
    /// When it last signed in or refreshed, ms.
    #[serde(default)]
    pub(crate) last_used_at: u64,
}

/// How many used tokens a session remembers.
pub(crate) const USED_KEPT: usize = 32;

/// Key of a user.
pub(crate) fn user_key(id: Uuid) -> String {
    format!("user.{id}")
}

/// Key that claims a username (hex, since usernames may hold dots that a KV key cannot take everywhere).
pub(crate) fn name_key(username: &str) -> String {
    let hex: String = username.bytes().map(|b| format!("{b:02x}")).collect();
    format!("name.{hex}")
}

/// Key of a session.
pub(crate) fn family_key(id: Uuid) -> String {
    format!("family.{id}")
}

/// Key that files session `family` under its user, so `session.list` finds
/// a user's sessions by subject (`owners_of`) without reading everyone's. It
/// holds nothing; it is written again at each refresh, so that it ages out
/// of the bucket with its session, never before.
pub(crate) fn owner_key(user: Uuid, family: Uuid) -> String {
    format!("owner.{}.{}", user.simple(), family.simple())
}

/// The subjects of every `owner_key` of `user` in the sessions bucket.
pub(crate) fn owners_of(user: Uuid) -> String {
    format!("$KV.{SESSIONS}.owner.{}.*", user.simple())
}

/// The session an `owner_key` subject names.
pub(crate) fn owned_family(subject: &str) -> Option<Uuid> {
    Uuid::try_parse(subject.rsplit('.').next()?).ok()
}
