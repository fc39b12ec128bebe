//! The auth service: accounts, sessions, roles, signing keys.

use super::Endpoint;
use crate::messages::auth::{
    AccountClose, AccountClosed, AppPasswordCreate, AppPasswordCreated, AppPasswordList, AppPasswordListing,
    AppPasswordRevoke, AppSession, AppSignIn, ChangePassword, KeyList, KeySet, Login, Logout, RefreshToken, Register,
    RoleGrant, RoleRevoke, Session, SessionEnd, SessionEndOthers, SessionList, SessionListing, SessionsEnded, User,
    UserDisable, UserEnable, UserList, UserMe, UserPage,
};
use crate::messages::Empty;

/// Service name and queue group.
pub const SERVICE: &str = "auth";

endpoints! {
    /// `chorus.auth.v1.user.register`: a new account.
    user_register: user.register, Public, Register => User;
    /// `chorus.auth.v1.session.login`: username and password for a session.
    session_login: session.login, Public, Login => Session;
    /// `chorus.auth.v1.session.refresh`: a refresh token for new tokens (rotated).
    session_refresh: session.refresh, Public, RefreshToken => Session;
    /// `chorus.auth.v1.session.logout`: revoke a refresh token's session.
    session_logout: session.logout, Public, Logout => Empty;
    /// `chorus.auth.v1.session.list`: the caller's live sessions.
    session_list: session.list, Authenticated, SessionList => SessionListing;
    /// `chorus.auth.v1.session.end`: end one of the caller's sessions.
    session_end: session.end, Authenticated, SessionEnd => Empty;
    /// `chorus.auth.v1.session.end_others`: end every session of the caller but this one.
    session_end_others: session.end_others, Authenticated, SessionEndOthers => SessionsEnded;
    /// `chorus.auth.v1.key.list`: the public keys tokens are signed with.
    key_list: key.list, Public, KeyList => KeySet;
    /// `chorus.auth.v1.user.me`: the signed-in user.
    user_me: user.me, Authenticated, UserMe => User;
    /// `chorus.auth.v1.password.change`: a new password; every other session ends.
    password_change: password.change, Authenticated, ChangePassword => Empty;
    /// `chorus.auth.v1.account.close`: close the caller's account; every service erases its data.
    account_close: account.close, Authenticated, AccountClose => AccountClosed;
    /// `chorus.auth.v1.app_password.create`: a new app password for one device (shown once).
    app_password_create: app_password.create, Authenticated, AppPasswordCreate => AppPasswordCreated;
    /// `chorus.auth.v1.app_password.list`: the caller's app passwords.
    app_password_list: app_password.list, Authenticated, AppPasswordList => AppPasswordListing;
    /// `chorus.auth.v1.app_password.revoke`: revoke one of the caller's app passwords.
    app_password_revoke: app_password.revoke, Authenticated, AppPasswordRevoke => Empty;
    /// `chorus.auth.v1.app_password.sign_in`: an app password (or API key) for an access token.
    app_password_sign_in: app_password.sign_in, Public, AppSignIn => AppSession;
    /// `chorus.auth.v1.user.list`: every user, by username (admin).
    user_list: user.list, Admin, UserList => UserPage;
    /// `chorus.auth.v1.user.disable`: lock a user out (admin).
    user_disable: user.disable, Admin, UserDisable => User;
    /// `chorus.auth.v1.user.enable`: let a disabled user back in (admin).
    user_enable: user.enable, Admin, UserEnable => User;
    /// `chorus.auth.v1.role.grant` (admin).
    role_grant: role.grant, Admin, RoleGrant => User;
    /// `chorus.auth.v1.role.revoke` (admin).
    role_revoke: role.revoke, Admin, RoleRevoke => User;
}

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
