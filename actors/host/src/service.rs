//! What a service hands the host: its endpoints and the actors it needs kept alive.

use std::sync::Arc;

use chorus_nats::Endpoint;
use futures::future::BoxFuture;
use ractor::{ActorCell, SpawnErr};

use crate::gate::SeqGate;
use crate::handler::Handler;
use crate::host_context::HostContext;
use crate::lag::ViewLag;

/// One endpoint and its handler.
#[derive(Clone)]
pub struct EndpointDef {
    /// Subject, micro name and queue group come from here.
    pub endpoint: Endpoint,
    /// What it does.
    pub handler: Handler,
}

/// Starts one supervised actor, linked to the supervisor it is given.
pub type StartChild = Arc<dyn Fn(ActorCell) -> BoxFuture<'static, Result<ActorCell, SpawnErr>> + Send + Sync>;

/// A child the service supervisor keeps alive, restarting it with backoff.
#[derive(Clone)]
pub struct ChildSpec {
    /// For logs.
    pub name: String,
    /// How to (re)start it.
    pub start: StartChild,
    /// Whether its restarts count against the budget that stops the node.
    pub budgeted: bool,
    /// For a child that keeps a view following its record: how far behind it is (`/metrics`).
    pub lag: Option<Arc<dyn ViewLag>>,
}

impl ChildSpec {
    /// A child that is one ractor actor, made afresh by `make` at each (re)start.
    pub fn actor<A, F>(name: impl Into<String>, budgeted: bool, make: F) -> Self
    where
        A: ractor::Actor,
        F: Fn() -> (A, A::Arguments) + Send + Sync + 'static,
    {
        let make = Arc::new(make);
        ChildSpec {
            name: name.into(),
            budgeted,
            lag: None,
            start: Arc::new(move |supervisor| {
                let (actor, args) = make();
                Box::pin(async move {
                    let (actor, _) = ractor::Actor::spawn_linked(None, actor, args, supervisor).await?;
                    Ok(actor.get_cell())
                })
            }),
        }
    }

    /// This child keeps the view `lag` measures.
    pub fn with_lag(mut self, lag: Arc<dyn ViewLag>) -> Self {
        self.lag = Some(lag);
        self
    }
}

/// A service ready to be hosted. Build it only once the service can answer
/// (its view has caught up): the host registers endpoints right away.
pub struct ServiceDef {
    /// Micro name and queue group (`catalog`).
    pub name: &'static str,
    /// Micro description.
    pub description: &'static str,
    /// Micro version: the service crate's version.
    pub version: &'static str,
    /// Its endpoints.
    pub endpoints: Vec<EndpointDef>,
    /// Actors besides the workers (projectors, jobs).
    pub children: Vec<ChildSpec>,
    /// The view position, for services with state (read-your-writes).
    pub gate: Option<Arc<dyn SeqGate>>,
    /// Extra micro metadata (how the instance started: view kind, replayed changes, ...).
    pub metadata: Vec<(String, String)>,
    /// What its handlers spend their time on, which sizes its worker pool.
    pub workload: Workload,
}

/// What a service's handlers spend their time on. A worker handles one request
/// at a time, so a handler that waits on another service or on JetStream holds
/// its worker for the whole wait: with as few workers as for in-memory reads,
/// a handful of such waits leaves cheap requests queued behind them (measured
/// in the stream benchmark: 4 workers give 0.67 of a direct read, 32 give 0.84).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// In-memory reads and CPU work: `workers` workers (twice the cores).
    Compute,
    /// Handlers mostly wait on other services or JetStream: `waiting_workers` workers.
    Waiting,
}

/// Builds a service on a host: `(name, builder)` pairs are what a node can host.
pub type ServiceBuilder = fn(HostContext) -> BoxFuture<'static, anyhow::Result<ServiceDef>>;
