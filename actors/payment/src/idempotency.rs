//! `Chorus-Idempotency-Key`: a write runs once per listener and key, on
//! whichever instance gets it first; the same key with the same request
//! replays the first reply (errors included) for 24 hours, with another
//! request is 422 `idempotency_key_reused`, and while the first still runs
//! is 409 `request_in_progress`.
//!
//! The key's record is created before the work starts (`create` fails on a
//! second instance: the bucket decides, not a lock in memory). A record left
//! running by an instance that died is taken over after the lease. The work
//! is given a seed derived from the listener and the key, so a retried run
//! makes the same ids (subscription, invoice, gateway charge key) and every
//! step it repeats is a no-op.

use std::future::Future;

use chorus_host::{Fail, RequestCtx};
use chorus_nats::errors::payment as codes;
use chorus_nats::{Request, ServiceError, Status};
use chorus_state::{Records, WriteError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Longest key accepted.
const MAX_KEY_BYTES: usize = 255;

/// What a key's record holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct KeyRecord {
    /// Digest of the endpoint and the request body.
    fingerprint: String,
    state: KeyState,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
enum KeyState {
    /// Started at this time (ms) by some instance.
    Running { since_ms: u64 },
    /// Finished: the reply (MessagePack of the endpoint's reply type), or the error.
    Done { reply: Option<Vec<u8>>, error: Option<StoredError> },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredError {
    status: u16,
    code: String,
    message: String,
}

/// Seed for the ids a run makes: the same for every run of one key.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Seed([u8; 32]);

impl Seed {
    /// The `n`th id of a run.
    pub(crate) fn id(&self, n: u8) -> Uuid {
        let mut h = Sha256::new();
        h.update(self.0);
        h.update([n]);
        let d = h.finalize();
        let mut b = [0u8; 16];
        b.copy_from_slice(&d[..16]);
        uuid::Builder::from_random_bytes(b).into_uuid()
    }

    fn random() -> Self {
        let mut s = [0u8; 32];
        s[..16].copy_from_slice(Uuid::new_v4().as_bytes());
        s[16..].copy_from_slice(Uuid::new_v4().as_bytes());
        Seed(s)
    }
}

/// Replies by key, in the bucket `chorus_payment_idempotency`.
pub(crate) struct Keys {
    pub(crate) records: Records,
    pub(crate) lease_ms: u64,
}

impl Keys {
    /// Run `work` once for `user`'s key on this request (see the module).
    /// Without a key: 400 `idempotency_key_required` when `required`, else
    /// the work runs as asked, with a fresh seed.
    pub(crate) async fn once<R, F, Fut>(
        &self,
        ctx: &RequestCtx,
        user: Uuid,
        req: &R,
        required: bool,
        work: F,
    ) -> Result<R::Reply, Fail>
    where
        R: Request,
        F: FnOnce(Seed) -> Fut,
        Fut: Future<Output = Result<R::Reply, Fail>>,
    {
        let Some(key) = ctx.idempotency_key() else {
            if required {
                let message = "this write moves money: send a Chorus-Idempotency-Key header";
                return Err(ServiceError::bad_request(codes::IDEMPOTENCY_KEY_REQUIRED, message).into());
            }
            return work(Seed::random()).await;
        };
        if key.is_empty() || key.len() > MAX_KEY_BYTES {
            let message = format!("an idempotency key has 1 to {MAX_KEY_BYTES} bytes");
            return Err(ServiceError::bad_request(codes::INVALID_IDEMPOTENCY_KEY, message).into());
        }
        let seed = Seed(digest(&[user.as_bytes(), key.as_bytes()]));
        let record_key = format!("{user}.{}", hex(&seed.0));
        let fingerprint = fingerprint(req)?;
        let revision = match self.claim(&record_key, &fingerprint).await? {
            Claim::Run(revision) => revision,
            Claim::Replay(state) => return replay::<R>(state),
        };
        let outcome = work(seed).await;
        self.finish::<R>(&record_key, fingerprint, revision, &outcome).await;
        outcome
    }

    /// Start the key's run here, or say what is there already.
    async fn claim(&self, key: &str, fingerprint: &str) -> Result<Claim, Fail> {
        let now = chorus_nats::clock::now_ms();
        let running = KeyRecord { fingerprint: fingerprint.into(), state: KeyState::Running { since_ms: now } };
        match self.records.create(key, &running).await {
            Ok(revision) => return Ok(Claim::Run(revision)),
            Err(WriteError::Exists) => {}
            Err(e) => return Err(anyhow::anyhow!("claiming an idempotency key: {e}").into()),
        }
        let Some((found, revision)) = self.records.get::<KeyRecord>(key).await? else {
            return Err(in_progress());
        };
        if found.fingerprint != fingerprint {
            return Err(ServiceError::new(
                Status::Unprocessable,
                codes::IDEMPOTENCY_KEY_REUSED,
                "this idempotency key was used for another request",
            )
            .into());
        }
        match found.state {
            KeyState::Done { .. } => Ok(Claim::Replay(found.state)),
            KeyState::Running { since_ms } if now.saturating_sub(since_ms) < self.lease_ms => Err(in_progress()),
            // Its instance died mid-way: take it over.
            KeyState::Running { .. } => match self.records.update(key, &running, revision).await {
                Ok(revision) => Ok(Claim::Run(revision)),
                Err(_) => Err(in_progress()),
            },
        }
    }

    /// Keep what a run answered, for replays; forget the key when the
    /// answer says "try again" (a 5xx, a write conflict), so a retry runs.
    async fn finish<R: Request>(
        &self,
        key: &str,
        fingerprint: String,
        revision: u64,
        outcome: &Result<R::Reply, Fail>,
    ) {
        let state = match outcome {
            Ok(reply) => match rmp_serde::to_vec_named(reply) {
                Ok(bytes) => Some(KeyState::Done { reply: Some(bytes), error: None }),
                Err(_) => None,
            },
            Err(Fail::Reply(e)) if e.status.code() < 500 && e.code != codes::CONFLICT => Some(KeyState::Done {
                reply: None,
                error: Some(StoredError {
                    status: e.status.code(),
                    code: e.code.to_string(),
                    message: e.message.clone(),
                }),
            }),
            Err(_) => None,
        };
        let written = match state {
            Some(state) => self.records.update(key, &KeyRecord { fingerprint, state }, revision).await.map(|_| ()),
            None => self.records.delete(key, revision).await.map(|_| ()),
        };
        if let Err(e) = written {
            // Another instance took the key over: its run makes the same ids and the same answer.
            tracing::warn!(error = %e, "keeping an idempotent reply");
        }
    }
}

enum Claim {
    Run(u64),
    Replay(KeyState),
}

fn replay<R: Request>(state: KeyState) -> Result<R::Reply, Fail> {
    match state {
        KeyState::Done { reply: Some(bytes), .. } => {
            rmp_serde::from_slice(&bytes).map_err(|e| Fail::Crash(anyhow::anyhow!("a kept reply: {e}")))
        }
        KeyState::Done { error: Some(e), .. } => {
            let status = Status::from_code(e.status).unwrap_or(Status::BadRequest);
            Err(ServiceError::new(status, e.code, e.message).into())
        }
        _ => Err(in_progress()),
    }
}

fn in_progress() -> Fail {
    ServiceError::conflict(codes::REQUEST_IN_PROGRESS, "a request with this idempotency key is still running; retry")
        .into()
}

fn fingerprint<R: Request>(req: &R) -> Result<String, Fail> {
    let body = rmp_serde::to_vec_named(req).map_err(|e| Fail::Crash(anyhow::anyhow!("fingerprinting: {e}")))?;
    Ok(hex(&digest(&[R::ENDPOINT.subject().as_bytes(), &body])))
}

fn digest(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    h.finalize().into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An id derived from `text` (a charge key, a charge id): the same for
/// every try of one payment, so its invoice and ledger transaction are too.
pub(crate) fn derived_id(text: &str) -> Uuid {
    let d = digest(&[text.as_bytes()]);
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    uuid::Builder::from_random_bytes(b).into_uuid()
}
