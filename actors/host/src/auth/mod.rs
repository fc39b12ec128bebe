//! Request authentication: every instance verifies bearer tokens locally
//! against the keys the auth service publishes; no round trip per request.

pub mod token;
pub mod trust;
pub mod watch;

use std::sync::Arc;

use chorus_nats::messages::auth::{Claims, Role};
use chorus_nats::subjects::Access;
use chorus_nats::ServiceError;

pub use trust::Trust;

/// 401 for a request that carries no token.
pub fn missing_token() -> ServiceError {
    ServiceError::unauthorized(
        chorus_nats::errors::common::MISSING_TOKEN,
        "sign in: this request needs an access token",
    )
}

/// Check the caller against an endpoint's access level: the claims for a
/// signed-in caller, none for a public endpoint, or the 401/403 to answer.
pub async fn authorize(
    trust: &Trust,
    access: Access,
    token: Option<&str>,
) -> Result<Option<Arc<Claims>>, ServiceError> {
    if access == Access::Public {
        return Ok(None);
    }
    let token = token.ok_or_else(missing_token)?;
    let claims = match trust.verify(token, chorus_nats::clock::now_s()) {
        // A key published a moment ago may not have reached this instance's
        // watch yet (a rotation): look it up once before refusing.
        Err(e) if e.code == chorus_nats::errors::common::UNKNOWN_KEY && trust.fetch_key(token).await => {
            trust.verify(token, chorus_nats::clock::now_s())?
        }
        other => other?,
    };
    if access == Access::Admin && !claims.has(Role::Admin) {
        return Err(ServiceError::forbidden(
            chorus_nats::errors::common::FORBIDDEN,
            "this request needs the admin role",
        ));
    }
    Ok(Some(claims))
}
