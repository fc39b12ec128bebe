//! `<entity>.create|update|delete` for tracks, albums and artists.
//!
//! A write validates, writes the record with an expectation (create: must
//! not exist; update and delete: at the revision read or given), waits until
//! this instance's view has applied it, and replies with its sequence.

use std::sync::Arc;

use chorus_host::{typed, EndpointDef, Fail, RequestCtx};
use chorus_nats::errors::catalog as codes;
use chorus_nats::messages::catalog::{Album, Artist, Delete, Track, Written};
use chorus_nats::subjects::catalog;
use chorus_nats::{Endpoint, ServiceError, Status};
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

pub(crate) fn endpoints(w: &Arc<Writer>) -> Vec<EndpointDef> {
    let mut all =
        entity_endpoints::<Track>(w, [catalog::track_create(), catalog::track_update(), catalog::track_delete()]);
    all.extend(entity_endpoints::<Album>(
        w,
        [catalog::album_create(), catalog::album_update(), catalog::album_delete()],
    ));
    all.extend(entity_endpoints::<Artist>(
        w,
        [catalog::artist_create(), catalog::artist_update(), catalog::artist_delete()],
    ));
    all
}

fn entity_endpoints<E: Entity>(w: &Arc<Writer>, [create, update, delete]: [Endpoint; 3]) -> Vec<EndpointDef> {
    let (w1, w2, w3) = (w.clone(), w.clone(), w.clone());
    vec![
        EndpointDef {
            endpoint: create,
            handler: typed(move |ctx, e: E| {
                let w = w1.clone();
                async move { w.create(ctx, e).await }
            }),
        },
        EndpointDef {
            endpoint: update,
            handler: typed(move |ctx, req: E| {
                let w = w2.clone();
                async move { w.update(ctx, req).await }
            }),
        },
        EndpointDef {
            endpoint: delete,
            handler: typed(move |ctx, req: Delete| {
                let w = w3.clone();
                async move { w.delete::<E>(ctx, req).await }
            }),
        },
    ]
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

    async fn create<E: Entity>(&self, ctx: RequestCtx, mut e: E) -> Result<Written<E>, Fail> {
        self.check_enabled()?;
        e.validate()?;
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

    async fn update<E: Entity>(&self, ctx: RequestCtx, mut e: E) -> Result<Written<E>, Fail> {
        self.check_enabled()?;
        e.validate()?;
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

    async fn delete<E: Entity>(&self, ctx: RequestCtx, req: Delete) -> Result<Written<E>, Fail> {
        self.check_enabled()?;
        let key = E::KIND.key(req.id);
        let current = self.records.get::<E>(&key).await?;
        let (_, revision) = current.ok_or_else(|| not_found::<E>(req.id))?;
        let expected = req.revision.unwrap_or(revision);
        match self.records.delete(&key, expected).await {
            Ok(seq) => self.written::<E>(&ctx, None, seq).await,
            Err(WriteError::Conflict) => Err(conflict::<E>(req.id).into()),
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
