//! NATS JWTs, the format auth callout speaks: three base64url parts, the
//! header `{"typ":"JWT","alg":"ed25519-nkey"}`, signed with an nkey.
//!
//! `nats-jwt-rs` cannot decode 2.15's authorization request (see
//! DEPENDENCIES.md), and the two claim sets the callout needs are small, so
//! both ways are written here against serde_json values.

use anyhow::Context as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use nkeys::KeyPair;
use serde_json::Value;

const HEADER: &str = r#"{"typ":"JWT","alg":"ed25519-nkey"}"#;

/// `claims` signed by `signer` (whose public key should be the claims' `iss`).
pub fn encode(claims: &Value, signer: &KeyPair) -> anyhow::Result<String> {
    let head = B64.encode(HEADER);
    let body = B64.encode(serde_json::to_vec(claims)?);
    let signed = format!("{head}.{body}");
    let signature = signer.sign(signed.as_bytes()).context("signing a NATS JWT")?;
    Ok(format!("{signed}.{}", B64.encode(signature)))
}

/// The claims of `jwt`, once its signature checks out against its own `iss`
/// (the server's nkey, for an authorization request).
pub fn decode(jwt: &str) -> anyhow::Result<Value> {
    let mut parts = jwt.trim().split('.');
    let (Some(head), Some(body), Some(signature), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        anyhow::bail!("not a JWT: expected three parts");
    };
    let claims: Value = serde_json::from_slice(&B64.decode(body).context("JWT body")?).context("JWT claims")?;
    let issuer = claims["iss"].as_str().context("JWT without iss")?;
    let key = KeyPair::from_public_key(issuer).context("JWT iss is not a public nkey")?;
    let signature = B64.decode(signature).context("JWT signature")?;
    key.verify(format!("{head}.{body}").as_bytes(), &signature).context("JWT signature does not verify")?;
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_encoded_decodes_and_tampering_does_not() {
        let account = KeyPair::new_account();
        let claims = serde_json::json!({"iss": account.public_key(), "sub": "U1", "nats": {"version": 2}});
        let jwt = encode(&claims, &account).unwrap();
        assert_eq!(decode(&jwt).unwrap(), claims);
        let mut parts: Vec<String> = jwt.split('.').map(str::to_string).collect();
        let forged = serde_json::json!({"iss": account.public_key(), "sub": "U2", "nats": {"version": 2}});
        parts[1] = B64.encode(serde_json::to_vec(&forged).unwrap());
        assert!(decode(&parts.join(".")).is_err());
        assert!(decode("a.b").is_err());
    }
}
