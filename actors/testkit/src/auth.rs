//! Tokens for tests: a signing key published to the trust bucket, exactly as
//! the auth service publishes its own, so services verify test tokens the
//! real way. For tests of endpoints that need a caller, not of auth itself.

use chorus_host::auth::{token, watch};
use chorus_nats::messages::auth::{Claims, Plan, PublicKey, Role, ISSUER};
use ed25519_dalek::SigningKey;
use uuid::Uuid;

/// See the module docs.
pub struct TestIssuer {
    kid: String,
    key: SigningKey,
}

impl TestIssuer {
    /// Publish a fresh key (before or after hosts start: they follow the bucket).
    pub async fn publish(nats: &async_nats::Client) -> anyhow::Result<Self> {
        let key = SigningKey::from_bytes(&rand_seed());
        let kid = format!("test-{}", &Uuid::now_v7().simple().to_string()[20..]);
        let public = PublicKey {
            kid: kid.clone(),
            kty: "OKP".into(),
            crv: "Ed25519".into(),
            alg: token::ALG.into(),
            x: token::encode_key(&key.verifying_key()),
        };
        let store = watch::open(&async_nats::jetstream::new(nats.clone()), 1).await?;
        // In a new cluster the bucket may not have elected its leader yet.
        chorus_host::leaderless::put(&store, &watch::key_key(&kid), serde_json::to_vec(&public)?.into()).await?;
        Ok(Self { kid, key })
    }

    /// A token for a new user with `roles`, valid for a minute.
    pub fn token(&self, roles: &[Role]) -> String {
        self.token_for(Uuid::now_v7(), roles)
    }

    /// A token for `user` with `roles`, valid for a minute.
    pub fn token_for(&self, user: Uuid, roles: &[Role]) -> String {
        let now = chorus_nats::clock::now_ms() / 1000;
        self.sign(&Claims {
            iss: ISSUER.into(),
            sub: user,
            name: "tester".into(),
            roles: roles.to_vec(),
            plan: Plan::Free,
            sid: Uuid::now_v7(),
            iat: now,
            exp: now + 60,
        })
    }

    /// An admin's token.
    pub fn admin(&self) -> String {
        self.token(&[Role::Listener, Role::Admin])
    }

    /// Sign any claims (expired ones included).
    pub fn sign(&self, claims: &Claims) -> String {
        token::sign(claims, &self.kid, &self.key)
    }
}

fn rand_seed() -> [u8; 32] {
    let mut seed = [0u8; 32];
    for chunk in seed.chunks_mut(16) {
        chunk.copy_from_slice(&Uuid::new_v4().into_bytes());
    }
    seed
}
