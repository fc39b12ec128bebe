//! Signing keys: loaded from configuration, published for every instance to verify with.

use anyhow::Context as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use chorus_host::auth::{token, watch};
use chorus_nats::messages::auth::{KeySet, PublicKey};
use ed25519_dalek::SigningKey;

use crate::config::AuthConfig;

/// The keys of this deployment: the first signs, all are published.
pub struct SigningKeys {
    keys: Vec<(String, SigningKey)>,
}

impl SigningKeys {
    /// From `signing_keys`, else `signing_keys_file`.
    pub fn load(config: &AuthConfig) -> anyhow::Result<Self> {
        let text = match (&config.signing_keys, &config.signing_keys_file) {
            (Some(keys), _) => keys.expose().to_string(),
            (None, Some(file)) => std::fs::read_to_string(file)
                .with_context(|| format!("reading signing keys from {}", file.display()))?,
            (None, None) => anyhow::bail!(
                "no signing keys: set [auth] signing_keys_file or CHORUS_AUTH__SIGNING_KEYS (`chorus keygen` makes one)"
            ),
        };
        Self::parse(&text)
    }

    /// One `<kid>:<base64url seed>` per line; `#` starts a comment.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let mut keys = Vec::new();
        for (n, line) in text.lines().map(str::trim).enumerate().filter(|(_, l)| !l.is_empty() && !l.starts_with('#')) {
            let (kid, seed) = line.split_once(':').with_context(|| format!("signing key line {}: no ':'", n + 1))?;
            let kid_ok =
                !kid.is_empty() && kid.len() <= 64 && kid.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
            anyhow::ensure!(kid_ok, "signing key line {}: a key id is 1 to 64 of a-z, A-Z, 0-9, '-'", n + 1);
            let seed: [u8; 32] = B64
                .decode(seed.trim())
                .ok()
                .and_then(|s| s.try_into().ok())
                .with_context(|| format!("signing key line {}: the seed is not 32 bytes of base64url", n + 1))?;
            keys.push((kid.to_string(), SigningKey::from_bytes(&seed)));
        }
        anyhow::ensure!(!keys.is_empty(), "no signing keys in the configuration");
        Ok(Self { keys })
    }

    /// A new key line, `<kid>:<seed>`.
    pub fn generate() -> String {
        let seed: [u8; 32] = rand::random();
        // Random, not time-based: two keys made in the same instant must differ.
        let kid: String = rand::random::<[u8; 6]>().iter().map(|b| format!("{b:02x}")).collect();
        format!("{kid}:{}", B64.encode(seed))
    }

    /// The key that signs, and its id.
    pub fn active(&self) -> (&str, &SigningKey) {
        let (kid, key) = &self.keys[0];
        (kid, key)
    }

    /// The public half of every key.
    pub fn public(&self) -> KeySet {
        KeySet {
            keys: self
                .keys
                .iter()
                .map(|(kid, key)| PublicKey {
                    kid: kid.clone(),
                    kty: "OKP".into(),
                    crv: "Ed25519".into(),
                    alg: token::ALG.into(),
                    x: token::encode_key(&key.verifying_key()),
                })
                .collect(),
        }
    }

    /// Put every public key in the trust bucket (idempotent: same key, same value).
    pub async fn publish(&self, trust: &async_nats::jetstream::kv::Store) -> anyhow::Result<()> {
        for key in self.public().keys {
            let value = serde_json::to_vec(&key).context("encoding a public key")?;
            // A fresh R3 bucket has no leader until its first election: nodes
            // starting together on a new cluster met that here.
            chorus_host::leaderless::put(trust, &watch::key_key(&key.kid), value.into())
                .await
                .context("publishing a public key")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_lines_parse_and_bad_ones_do_not() {
        let text = format!("# keys\n{}\n{}\n", SigningKeys::generate(), SigningKeys::generate());
        let keys = SigningKeys::parse(&text).unwrap();
        let public = keys.public().keys;
        assert_eq!(public.len(), 2);
        assert_ne!(public[0].kid, public[1].kid);
        assert!(SigningKeys::parse("").is_err());
        assert!(SigningKeys::parse("k1:short").is_err());
        assert!(SigningKeys::parse("bad kid:AAAA").is_err());
    }
}
