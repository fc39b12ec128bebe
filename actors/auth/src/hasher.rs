//! Password hashing: argon2id in PHC strings, off the async threads, a few at a time.

use std::sync::Arc;

use anyhow::Context as _;
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::credentials::Password;

/// See the module docs. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Hasher {
    params: Params,
    // Each hash holds its memory cost: bound how many run at once.
    permits: Arc<Semaphore>,
    /// A hash of nothing anyone knows, verified when the user does not exist,
    /// so that a login takes as long for a wrong name as for a wrong password.
    decoy: Arc<String>,
}

impl Hasher {
    /// Argon2id with `memory_kib` and `iterations`, one lane.
    pub(crate) fn new(memory_kib: u32, iterations: u32, concurrency: usize) -> anyhow::Result<Self> {
        let params =
            Params::new(memory_kib, iterations, 1, None).map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?;
        let decoy = hash_with(&params, &uuid::Uuid::new_v4().to_string())?;
        Ok(Self { params, permits: Arc::new(Semaphore::new(concurrency.max(1))), decoy: Arc::new(decoy) })
    }

    /// The PHC string of `password`.
    pub(crate) async fn hash(&self, password: &Password) -> anyhow::Result<String> {
        let _permit = self.permits.acquire().await.context("hasher closed")?;
        let (params, password) = (self.params.clone(), password.expose().to_string());
        tokio::task::spawn_blocking(move || hash_with(&params, &password)).await.context("hashing task")?
    }

    /// Whether `password` matches `phc` (in constant time); against the decoy when `phc` is none.
    pub(crate) async fn verify(&self, password: &str, phc: Option<&str>) -> anyhow::Result<bool> {
        let _permit = self.permits.acquire().await.context("hasher closed")?;
        let known = phc.is_some();
        let phc = phc.unwrap_or(&self.decoy).to_string();
        let password = password.to_string();
        let matched = tokio::task::spawn_blocking(move || {
            let parsed = PasswordHash::new(&phc).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
            // The parameters come from the stored hash, so raising them later
            // keeps old hashes verifiable.
            anyhow::Ok(Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        })
        .await
        .context("verifying task")??;
        Ok(known && matched)
    }
}

fn hash_with(params: &Params, password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    Ok(argon.hash_password(password.as_bytes(), &salt).map_err(|e| anyhow::anyhow!("hashing: {e}"))?.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_name_argon2id() {
        let hasher = Hasher::new(256, 1, 2).unwrap();
        let password = Password::parse("correct horse battery").unwrap();
        let phc = hasher.hash(&password).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=256,t=1,p=1$"));
        assert!(hasher.verify("correct horse battery", Some(&phc)).await.unwrap());
        assert!(!hasher.verify("correct horse batterz", Some(&phc)).await.unwrap());
        assert!(!hasher.verify("correct horse battery", None).await.unwrap());
    }
}
