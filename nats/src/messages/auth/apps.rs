//! App passwords: a secret per device for the apps that speak Subsonic
//! (through the gateway), never the account password.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::User;

/// `app_password.create` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppPasswordCreate {
    /// What the listener calls the device or app (1 to 64 characters).
    pub name: String,
}

/// An app password as listed: never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppPassword {
    /// Its id.
    pub id: Uuid,
    /// The listener's name for it.
    pub name: String,
    /// Made at, ms since the Unix epoch.
    pub created_at: u64,
}

/// `app_password.create` reply: the secret, shown this once.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppPasswordCreated {
    /// Its id.
    pub id: Uuid,
    /// The listener's name for it.
    pub name: String,
    /// Made at, ms since the Unix epoch.
    pub created_at: u64,
    /// The password an app signs in with (with the username).
    pub password: String,
    /// The same secret as an OpenSubsonic API key (names the user itself).
    pub api_key: String,
}

impl std::fmt::Debug for AppPasswordCreated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppPasswordCreated").field("id", &self.id).field("name", &self.name).finish()
    }
}

/// `app_password.list` request: no fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppPasswordList {}

/// `app_password.list` reply, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppPasswordListing {
    /// The caller's app passwords.
    pub app_passwords: Vec<AppPassword>,
}

/// `app_password.revoke` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppPasswordRevoke {
    /// The app password's id.
    pub id: Uuid,
}

/// `app_password.sign_in` request: one way of proving an app password —
/// `username` with `password`, `username` with Subsonic's `token` and `salt`
/// (`token` = md5(password + salt), hex), or `api_key` alone.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppSignIn {
    /// The account's username.
    #[serde(default)]
    pub username: Option<String>,
    /// An app password.
    #[serde(default)]
    pub password: Option<String>,
    /// md5(app password + salt), hex.
    #[serde(default)]
    pub token: Option<String>,
    /// The salt the token was made with.
    #[serde(default)]
    pub salt: Option<String>,
    /// An API key from `app_password.create`.
    #[serde(default)]
    pub api_key: Option<String>,
    /// Who is signing in, as the gateway sees them (an HTTP client's
    /// address): sign-in attempts are counted by it. Ignored from a browser.
    #[serde(default)]
    pub client: Option<String>,
}

impl std::fmt::Debug for AppSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppSignIn").field("username", &self.username).finish()
    }
}

/// `app_password.sign_in` reply: an access token (no refresh token: sign in again).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppSession {
    /// EdDSA JWT; its `sid` is the app password's id.
    pub access_token: String,
    /// Seconds since the Unix epoch.
    pub expires_at: u64,
    /// The app password used.
    pub app_password: Uuid,
    /// Who signed in.
    pub user: User,
}

impl std::fmt::Debug for AppSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppSession").field("user", &self.user.username).finish()
    }
}
