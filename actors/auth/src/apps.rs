//! App passwords: one secret per device for the apps that speak Subsonic,
//! never the account password.
//!
//! Subsonic's legacy token auth sends `md5(password + salt)`, which only a
//! server that can read the password can check, and Chorus keeps account
//! passwords as argon2id hashes alone. So an app password is made by the
//! server, not chosen: it is `HMAC-SHA256(app key, user id ‖ app password
//! id)`, spelled in base32. Nothing readable is stored per password — the
//! listener's record holds only ids, names and dates — yet the server can
//! derive each secret again to check a plaintext password, a token+salt or
//! an API key. The app key (32 random bytes) is made once per deployment in
//! `chorus_auth_apps` (`key`, a KV `create`, so every instance agrees);
//! replacing it revokes every app password at once. Revoking one removes
//! its id from the listener's record: its secret no longer derives to
//! anything that is checked. Attempts are counted by the sign-in limiter
//! exactly as logins are (per username and per client).

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use chorus_host::RequestCtx;
use chorus_nats::clock::now_ms;
use chorus_nats::errors::auth as codes;
use chorus_nats::messages::auth::{
    AppPassword, AppPasswordCreate, AppPasswordCreated, AppPasswordListing, AppSession, AppSignIn, Claims, ISSUER,
};
use chorus_nats::messages::Empty;
use chorus_nats::ServiceError;
use chorus_state::{Records, WriteError};
use hmac::{Hmac, Mac as _};
use md5::Digest as _;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use uuid::Uuid;

use crate::credentials::{check_length, Username};
use crate::limits;
use crate::login::attempt_keys;
use crate::records::UserRecord;
use crate::state::{account_disabled, failed, invalid_credentials, Accounts, ATTEMPTS};
use crate::Fail;

/// The bucket: `key` (the app key) and `user.<uuid>` (a listener's app passwords).
pub(crate) const BUCKET: &str = "chorus_auth_apps";
/// App passwords one listener may hold.
pub(crate) const MAX_APP_PASSWORDS: usize = 50;
const KEY: &str = "key";

/// The deployment's app key, made once.
#[derive(Serialize, Deserialize)]
struct AppKeyRecord {
    key: String,
}

/// A listener's app passwords: ids, names and dates, never a secret.
#[derive(Default, Serialize, Deserialize)]
pub(crate) struct AppPasswords {
    entries: Vec<AppPassword>,
}

/// The bucket and the key secrets derive from.
pub(crate) struct Apps {
    pub(crate) records: Records,
    key: [u8; 32],
}

impl Apps {
    /// Open the bucket and read (or make) the app key.
    pub(crate) async fn open(js: &async_nats::jetstream::Context, replicas: usize) -> anyhow::Result<Self> {
        let records = Records::open(js, BUCKET, replicas).await?.reading_from_leader();
        let fresh: [u8; 32] = rand::random();
        // A `create`: two instances starting at once agree on the first key.
        match records.create(KEY, &AppKeyRecord { key: B64.encode(fresh) }).await {
            Ok(_) | Err(WriteError::Exists | WriteError::Conflict) => {}
            Err(e) => anyhow::bail!("making the app key: {e:#}"),
        }
        let (stored, _) = records.get::<AppKeyRecord>(KEY).await?.ok_or_else(|| anyhow::anyhow!("no app key"))?;
        let key: [u8; 32] = B64
            .decode(stored.key)
            .ok()
            .and_then(|k| k.try_into().ok())
            .ok_or_else(|| anyhow::anyhow!("the app key in {BUCKET} is not 32 bytes"))?;
        Ok(Self { records, key })
    }

    /// The secret of app password `id` of `user`: 120 bits, base32, in four groups of six.
    fn secret(&self, user: Uuid, id: Uuid) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("any key length");
        mac.update(b"chorus app password v1");
        mac.update(user.as_bytes());
        mac.update(id.as_bytes());
        let bits = mac.finalize().into_bytes();
        let text = base32(&bits[..15]);
        text.as_bytes().chunks(6).map(|c| std::str::from_utf8(c).unwrap()).collect::<Vec<_>>().join("-")
    }

    async fn entries(&self, user: Uuid) -> anyhow::Result<Vec<AppPassword>> {
        Ok(self.records.get::<AppPasswords>(&user_key(user)).await?.map(|(a, _)| a.entries).unwrap_or_default())
    }
}

fn user_key(user: Uuid) -> String {
    format!("user.{user}")
}

fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let (mut out, mut acc, mut bits) = (String::new(), 0u32, 0u32);
    for &b in bytes {
        acc = (acc << 8) | b as u32;
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((acc >> bits) & 31) as usize] as char);
        }
    }
    out
}

/// An API key: `<user id>.<app password id>.<secret without dashes>`.
fn api_key(user: Uuid, id: Uuid, secret: &str) -> String {
    format!("{}.{}.{}", user.simple(), id.simple(), secret.replace('-', ""))
}

/// `app_password.create`.
pub(crate) async fn create(
    accounts: &Accounts,
    caller: &Claims,
    req: AppPasswordCreate,
) -> Result<AppPasswordCreated, Fail> {
    let name = req.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(
            ServiceError::bad_request(codes::INVALID_APP_NAME, "an app password's name is 1 to 64 characters").into()
        );
    }
    accounts.user(caller.sub).await?;
    let entry = AppPassword { id: Uuid::now_v7(), name, created_at: now_ms() };
    let added = entry.clone();
    accounts
        .apps
        .records
        .modify::<AppPasswords, _, _>(&user_key(caller.sub), ATTEMPTS, |current| {
            let added = added.clone();
            async move {
                let mut apps = current.unwrap_or_default();
                if apps.entries.len() >= MAX_APP_PASSWORDS {
                    return Err(ServiceError::conflict(
                        codes::APP_PASSWORD_LIMIT,
                        format!("at most {MAX_APP_PASSWORDS} app passwords; revoke one first"),
                    ));
                }
                apps.entries.insert(0, added);
                Ok(Some(apps))
            }
        })
        .await
        .map_err(failed)?;
    let password = accounts.apps.secret(caller.sub, entry.id);
    tracing::info!(user = %caller.sub, app_password = %entry.id, "app password created");
    Ok(AppPasswordCreated {
        api_key: api_key(caller.sub, entry.id, &password),
        id: entry.id,
        name: entry.name,
        created_at: entry.created_at,
        password,
    })
}

/// `app_password.list`.
pub(crate) async fn list(accounts: &Accounts, caller: &Claims) -> Result<AppPasswordListing, Fail> {
    Ok(AppPasswordListing { app_passwords: accounts.apps.entries(caller.sub).await? })
}

/// `app_password.revoke`.
pub(crate) async fn revoke(accounts: &Accounts, caller: &Claims, id: Uuid) -> Result<Empty, Fail> {
    let not_found = || ServiceError::not_found(codes::APP_PASSWORD_NOT_FOUND, format!("no app password {id}"));
    accounts
        .apps
        .records
        .modify::<AppPasswords, _, _>(&user_key(caller.sub), ATTEMPTS, |current| async move {
            let mut apps = current.ok_or_else(not_found)?;
            let before = apps.entries.len();
            apps.entries.retain(|e| e.id != id);
            if apps.entries.len() == before {
                return Err(not_found());
            }
            Ok(Some(apps))
        })
        .await
        .map_err(failed)?;
    tracing::info!(user = %caller.sub, app_password = %id, "app password revoked");
    Ok(Empty {})
}

/// Erase a closed account's app passwords.
pub(crate) async fn erase(accounts: &Accounts, user: Uuid) -> anyhow::Result<()> {
    accounts.apps.records.purge(&user_key(user)).await?;
    Ok(())
}

/// How an app proves an app password.
enum Proof<'a> {
    Password(&'a str),
    Token { token: &'a str, salt: &'a str },
}

/// `app_password.sign_in`.
pub(crate) async fn sign_in(accounts: &Accounts, ctx: &RequestCtx, req: AppSignIn) -> Result<AppSession, Fail> {
    // A browser is counted by its connection, whatever it says; a service
    // (the gateway) names the HTTP client it signs in for.
    let client = match ctx.imported_from() {
        Some(browser) => Some(browser),
        None => req.client.as_deref().map(|c| format!("app:{c}")).or_else(|| ctx.client()),
    };
    let conflicting = || {
        ServiceError::bad_request(
            codes::CONFLICTING_CREDENTIALS,
            "give a username with a password or a token and salt, or an API key alone",
        )
    };
    let (user, entry) = match (&req.api_key, &req.username, &req.password, &req.token, &req.salt) {
        (Some(key), None, None, None, None) => by_api_key(accounts, client.as_deref(), key).await?,
        (None, Some(username), Some(password), None, None) => {
            check_length(password)?;
            by_username(accounts, client.as_deref(), username, Proof::Password(password)).await?
        }
        (None, Some(username), None, Some(token), Some(salt)) => {
            if token.len() > 64 || salt.len() > 256 {
                return Err(invalid_credentials().into());
            }
            by_username(accounts, client.as_deref(), username, Proof::Token { token, salt }).await?
        }
        _ => return Err(conflicting().into()),
    };
    if user.disabled {
        return Err(account_disabled().into());
    }
    let plan = accounts.plan(&user).await?;
    let now = chorus_nats::clock::now_s();
    let claims = Claims {
        iss: ISSUER.into(),
        sub: user.id,
        name: user.username.clone(),
        roles: user.roles.clone(),
        plan,
        sid: entry,
        iat: now,
        exp: now + accounts.issuer.access_ttl_s,
    };
    let (kid, key) = accounts.issuer.keys.active();
    Ok(AppSession {
        access_token: chorus_host::auth::token::sign(&claims, kid, key),
        expires_at: claims.exp,
        app_password: entry,
        user: user.view(),
    })
}

async fn by_username(
    accounts: &Accounts,
    client: Option<&str>,
    username: &str,
    proof: Proof<'_>,
) -> Result<(UserRecord, Uuid), Fail> {
    let username = Username::parse(username).map_err(|_| invalid_credentials())?;
    let keys = attempt_keys(limits::user_key(username.as_str()), client);
    accounts.limiter.attempt(&keys, now_ms()).await?;
    let found = match accounts.by_name(username.as_str()).await? {
        Some((user, _)) => {
            let entries = accounts.apps.entries(user.id).await?;
            let matched = entries.iter().find(|e| proves(&accounts.apps.secret(user.id, e.id), &proof)).map(|e| e.id);
            matched.map(|id| (user, id))
        }
        None => None,
    };
    let Some(found) = found else {
        tracing::info!(username = %username.as_str(), "failed app sign-in");
        accounts.limiter.failed();
        return Err(invalid_credentials().into());
    };
    accounts.limiter.succeeded(&keys).await;
    Ok(found)
}

async fn by_api_key(accounts: &Accounts, client: Option<&str>, key: &str) -> Result<(UserRecord, Uuid), Fail> {
    let invalid = || ServiceError::unauthorized(codes::INVALID_API_KEY, "that API key is not valid");
    let mut parts = key.splitn(3, '.');
    let (Some(user), Some(id), Some(secret)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(invalid().into());
    };
    let (Ok(user_id), Ok(id)) = (Uuid::try_parse(user), Uuid::try_parse(id)) else { return Err(invalid().into()) };
    if secret.len() > 64 {
        return Err(invalid().into());
    }
    // Counted against the account the key names, as a sign-in would be.
    let keys = attempt_keys(limits::user_key(&format!("id:{user_id}")), client);
    accounts.limiter.attempt(&keys, now_ms()).await?;
    let expected = accounts.apps.secret(user_id, id).replace('-', "");
    let live = accounts.apps.entries(user_id).await?.iter().any(|e| e.id == id);
    let user = match accounts.users.get::<UserRecord>(&crate::records::user_key(user_id)).await? {
        Some((user, _)) if live && same(&expected, secret) => user,
        _ => {
            accounts.limiter.failed();
            return Err(invalid().into());
        }
    };
    accounts.limiter.succeeded(&keys).await;
    Ok((user, id))
}

/// Whether `proof` shows `secret` (typed with or without its dashes, any case).
fn proves(secret: &str, proof: &Proof<'_>) -> bool {
    let bare = secret.replace('-', "");
    match proof {
        Proof::Password(p) => {
            let typed = p.trim().to_ascii_lowercase();
            same(secret, &typed) | same(&bare, &typed)
        }
        Proof::Token { token, salt } => {
            let token = token.to_ascii_lowercase();
            same(&md5_hex(secret, salt), &token) | same(&md5_hex(&bare, salt), &token)
        }
    }
}

fn md5_hex(password: &str, salt: &str) -> String {
    let digest = md5::Md5::new().chain_update(password.as_bytes()).chain_update(salt.as_bytes()).finalize();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_spells_bits_in_lower_case() {
        assert_eq!(base32(&[0, 0, 0, 0, 0]), "aaaaaaaa");
        assert_eq!(base32(&[0xff; 5]), "77777777");
        assert_eq!(base32(&[0u8; 15]).len(), 24);
    }

    #[test]
    fn a_token_is_md5_of_password_and_salt() {
        // The example of the Subsonic API documentation.
        assert_eq!(md5_hex("sesame", "c19b2d"), "26719a1196d2a940705a59634eb18eab");
        let proof = Proof::Token { token: "26719a1196d2a940705a59634eb18eab", salt: "c19b2d" };
        assert!(proves("sesame", &proof));
        assert!(proves("abc-def", &Proof::Password("ABCDEF")));
        assert!(!proves("abc-def", &Proof::Password("abcdeg")));
    }
}
