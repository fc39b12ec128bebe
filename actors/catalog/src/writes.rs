//! `<entity>.create|update|delete` for tracks, albums and artists.
//!
//! A write validates, writes the record with an expectation (create: must
//! not exist; update and delete: at the revision read or given), waits until
//! this instance's view has applied it, and replies with its sequence.

use std::sync::Arc;

use chorus_host::{Fail, RequestCtx};
use chorus_nats::errors::catalog as codes;
use chorus_nats::messages::catalog::Written;
use chorus_nats::{ServiceError, Status};
use chorus_state::{Records, WriteError};
use uuid::Uuid;

use crate::entity::Entity;
use crate::projection::Catalog;

/// What a write needs.
pub(crate) struct Writer {
    pub(crate) catalog: Arc<Catalog>,
    pub(crate) records: Records,
    pub(crate) enabled: bool,
    pub(crate) attempts: usize,
}

fn not_found<E: Entity>(id: Uuid) -> ServiceError {
    let kind = E::KIND.name();
    ServiceError::not_found(E::NOT_FOUND, format!("no {kind} {id}"))
}

fn conflict<E: Entity>(id: Uuid) -> ServiceError {
    ServiceError::conflict(
        codes::REVISION_CONFLICT,
        format!("{} {id} changed since it was read; read it again", E::KIND.name()),
    )
}

impl Writer {
    fn check_enabled(&self) -> Result<(), ServiceError> {
        if self.enabled {
            Ok(())
        } else {
            Err(ServiceError::new(
                Status::Forbidden,
                codes::WRITES_DISABLED,
                "catalog writes are disabled on this deployment",
            ))
        }
    }

    /// References must name albums and artists the catalog has.
    fn check_references<E: Entity>(&self, e: &E) -> Result<(), ServiceError> {
        let (albums, artists) = e.references();
        let memory = self.catalog.memory();
        if let Some(id) = albums.iter().find(|id| !memory.albums.contains_key(id)) {
            return Err(ServiceError::bad_request(codes::UNKNOWN_ALBUM, format!("no album {id}")));
        }
        if let Some(id) = artists.iter().find(|id| !memory.artists.contains_key(id)) {
            return Err(ServiceError::bad_request(codes::UNKNOWN_ARTIST, format!("no artist {id}")));
        }
        Ok(())
    }

    /// Wait until this instance's view has the write, then reply.
    async fn written<E: Entity>(&self, ctx: &RequestCtx, entity: Option<E>, seq: u64) -> Result<Written<E>, Fail> {
        ctx.wrote(seq);
        // Bounded by the request's deadline; past it the runtime answers 504.
        self.catalog.view.wait_for(seq, ctx.deadline).await;
        let entity = entity.map(|mut e| {
            e.set_revision(seq);
            e
        });
        Ok(Written { entity, seq })
    }

    pub(crate) async fn create<E: Entity>(&self, ctx: RequestCtx, mut e: E) -> Result<Written<E>, Fail> {
        self.check_enabled()?;
        e.validate()?;
        e.drop_derived();
        self.check_references(&e)?;
        if e.id().is_nil() {
            e.set_id(Uuid::now_v7());
        }
        e.fill_sort(None);
        e.set_added_at(chorus_nats::clock::now_ms());
        e.set_revision(0);
        let key = E::KIND.key(e.id());
        match self.records.create(&key, &e).await {
            Ok(seq) => self.written(&ctx, Some(e), seq).await,
            Err(WriteError::Exists) => {
                Err(ServiceError::conflict(codes::ALREADY_EXISTS, format!("{} {} exists", E::KIND.name(), e.id()))
                    .into())
            }
            Err(e) => Err(write_failure(e)),
        }
    }

    pub(crate) async fn update<E: Entity>(&self, ctx: RequestCtx, mut e: E) -> Result<Written<E>, Fail> {
        self.check_enabled()?;
        e.validate()?;
        e.drop_derived();
        self.check_references(&e)?;
        let id = e.id();
        let key = E::KIND.key(id);
        if let Some(revision) = Some(e.revision()).filter(|r| *r > 0) {
            // The client read a revision: write at it, or tell it to read again.
            let (current, _) = self.records.get::<E>(&key).await?.ok_or_else(|| not_found::<E>(id))?;
            e.fill_sort(Some(&current));
            e.set_added_at(current.added_at());
            e.set_revision(0);
            return match self.records.update(&key, &e, revision).await {
                Ok(seq) => self.written(&ctx, Some(e), seq).await,
                Err(WriteError::Conflict) => Err(conflict::<E>(id).into()),
                Err(err) => Err(write_failure(err)),
            };
        }
        let outcome = self
            .records
            .modify::<E, _, _>(&key, self.attempts, |current| {
                let mut next = e.clone();
                async move {
                    let current = current.ok_or_else(|| not_found::<E>(id))?;
                    next.fill_sort(Some(&current));
                    next.set_added_at(current.added_at());
                    next.set_revision(0);
                    Ok(Some(next))
                }
            })
            .await;
        match outcome {
            Ok(Some((entity, seq))) => self.written(&ctx, entity, seq).await,
            Ok(None) => Err(not_found::<E>(id).into()),
            Err(WriteError::Conflict) => Err(conflict::<E>(id).into()),
            Err(err) => Err(write_failure(err)),
        }
    }

    pub(crate) async fn delete<E: Entity>(
        &self,
        ctx: RequestCtx,
        id: Uuid,
        revision: Option<u64>,
    ) -> Result<Written<E>, Fail> {
        self.check_enabled()?;
        let key = E::KIND.key(id);
        let current = self.records.get::<E>(&key).await?;
        let (_, stored) = current.ok_or_else(|| not_found::<E>(id))?;
        let expected = revision.unwrap_or(stored);
        match self.records.delete(&key, expected).await {
            Ok(seq) => self.written::<E>(&ctx, None, seq).await,
            Err(WriteError::Conflict) => Err(conflict::<E>(id).into()),
            Err(err) => Err(write_failure(err)),
        }
    }
}

fn write_failure(e: WriteError) -> Fail {
    match e {
        WriteError::Refused(e) => Fail::Reply(e),
        WriteError::Exists | WriteError::Conflict => {
            Fail::Reply(ServiceError::conflict(codes::REVISION_CONFLICT, e.to_string()))
        }
        WriteError::Failed(e) => Fail::Crash(e),
    }
}
