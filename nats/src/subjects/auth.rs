//! The auth service: accounts, sessions, roles, signing keys.

use super::Endpoint;

/// Service name and queue group.
pub const SERVICE: &str = "auth";

/// `chorus.auth.v1.user.register`: a new account.
pub const fn user_register() -> Endpoint {
    Endpoint::new(SERVICE, "user", "register")
}

/// `chorus.auth.v1.session.login`: username and password for a session.
pub const fn session_login() -> Endpoint {
    Endpoint::new(SERVICE, "session", "login")
}

/// `chorus.auth.v1.session.refresh`: a refresh token for new tokens (rotated).
pub const fn session_refresh() -> Endpoint {
    Endpoint::new(SERVICE, "session", "refresh")
}

/// `chorus.auth.v1.session.logout`: revoke a refresh token's session.
pub const fn session_logout() -> Endpoint {
    Endpoint::new(SERVICE, "session", "logout")
}

/// `chorus.auth.v1.key.list`: the public keys tokens are signed with.
pub const fn key_list() -> Endpoint {
    Endpoint::new(SERVICE, "key", "list")
}

/// `chorus.auth.v1.user.me`: the signed-in user.
pub const fn user_me() -> Endpoint {
    Endpoint::new(SERVICE, "user", "me").authenticated()
}

/// `chorus.auth.v1.password.change`: a new password; every other session ends.
pub const fn password_change() -> Endpoint {
    Endpoint::new(SERVICE, "password", "change").authenticated()
}

/// `chorus.auth.v1.user.list`: every user, by username (admin).
pub const fn user_list() -> Endpoint {
    Endpoint::new(SERVICE, "user", "list").admin()
}

/// `chorus.auth.v1.user.disable`: lock a user out (admin).
pub const fn user_disable() -> Endpoint {
    Endpoint::new(SERVICE, "user", "disable").admin()
}

/// `chorus.auth.v1.user.enable`: let a disabled user back in (admin).
pub const fn user_enable() -> Endpoint {
    Endpoint::new(SERVICE, "user", "enable").admin()
}

/// `chorus.auth.v1.role.grant` (admin).
pub const fn role_grant() -> Endpoint {
    Endpoint::new(SERVICE, "role", "grant").admin()
}

/// `chorus.auth.v1.role.revoke` (admin).
pub const fn role_revoke() -> Endpoint {
    Endpoint::new(SERVICE, "role", "revoke").admin()
}

/// Every auth endpoint.
pub const ALL: &[Endpoint] = &[
    user_register(),
    session_login(),
    session_refresh(),
    session_logout(),
    key_list(),
    user_me(),
    password_change(),
    user_list(),
    user_disable(),
    user_enable(),
    role_grant(),
    role_revoke(),
];

/// nats-server's auth callout requests (in the server's auth account), which
/// the auth service answers for browser connections.
pub const CALLOUT: &str = "$SYS.REQ.USER.AUTH";

/// Where each auth instance tells the others of a browser connection it let
/// in (in the server's auth account), so every instance knows every live nonce.
pub const CALLOUT_GRANTS: &str = "auth_callout.v1.granted";

/// The system account's disconnect events for connections of `account`
/// (imported into the auth account): the callout forgets their grants.
pub fn account_disconnects(account: &str) -> String {
    format!("$SYS.ACCOUNT.{account}.DISCONNECT")
}
