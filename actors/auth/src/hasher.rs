//! Password hashing: argon2id in PHC strings, off the async threads, a few
//! at a time, and a bounded number waiting: argon2 is the costliest thing a
//! client can ask for, so past the bound a request is refused at once (503
//! `busy`) instead of queueing work the instance cannot do in time.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use chorus_nats::errors::auth as codes;
use chorus_nats::ServiceError;

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
    /// Hashes asked for and not yet done, and how many may be.
    pending: Arc<AtomicUsize>,
    max_pending: usize,
    /// A hash of nothing anyone knows, verified when the user does not exist,
    /// so that a login takes as long for a wrong name as for a wrong password.
    decoy: Arc<String>,
}

impl Hasher {
    /// Argon2id with `memory_kib` and `iterations`, one lane.
    /// At most `max_pending` hashes wait or run at once.
    pub(crate) fn new(
        memory_kib: u32,
        iterations: u32,
        concurrency: usize,
        max_pending: usize,
    ) -> anyhow::Result<Self> {
        let params =
            Params::new(memory_kib, iterations, 1, None).map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?;
        let decoy = hash_with(&params, &uuid::Uuid::new_v4().to_string())?;
        Ok(Self {
            params,
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            pending: Arc::new(AtomicUsize::new(0)),
            max_pending: max_pending.max(concurrency.max(1)),
            decoy: Arc::new(decoy),
        })
    }

    /// A place in the hashing queue, or 503 `busy` when it is full.
    fn enter(&self) -> Result<Pending, ServiceError> {
        if self.pending.fetch_add(1, Ordering::AcqRel) >= self.max_pending {
            self.pending.fetch_sub(1, Ordering::AcqRel);
            return Err(ServiceError::unavailable(codes::BUSY, "too many sign-ins at once; try again shortly"));
        }
        Ok(Pending(self.pending.clone()))
    }

    /// The PHC string of `password`.
    pub(crate) async fn hash(&self, password: &Password) -> Result<String, crate::Fail> {
        let _pending = self.enter()?;
        let _permit = self.permits.acquire().await.context("hasher closed")?;
        let (params, password) = (self.params.clone(), password.expose().to_string());
        Ok(tokio::task::spawn_blocking(move || hash_with(&params, &password)).await.context("hashing task")??)
    }

    /// Whether `password` matches `phc` (in constant time); against the decoy when `phc` is none.
    pub(crate) async fn verify(&self, password: &str, phc: Option<&str>) -> Result<bool, crate::Fail> {
        let _pending = self.enter()?;
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

/// Holds a place in the hashing queue until dropped.
#[derive(Debug)]
struct Pending(Arc<AtomicUsize>);

impl Drop for Pending {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
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
        let hasher = Hasher::new(256, 1, 2, 8).unwrap();
        let password = Password::parse("correct horse battery").unwrap();
        let phc = hasher.hash(&password).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=256,t=1,p=1$"));
        assert!(hasher.verify("correct horse battery", Some(&phc)).await.unwrap());
        assert!(!hasher.verify("correct horse batterz", Some(&phc)).await.unwrap());
        assert!(!hasher.verify("correct horse battery", None).await.unwrap());
    }

    #[tokio::test]
    async fn a_full_queue_is_refused_at_once() {
        let hasher = Hasher::new(256, 1, 1, 2).unwrap();
        let (a, b) = (hasher.enter().unwrap(), hasher.enter().unwrap());
        assert_eq!(hasher.enter().unwrap_err().code, "busy");
        drop((a, b));
        assert!(hasher.verify("anything at all", None).await.is_ok());
    }
}
