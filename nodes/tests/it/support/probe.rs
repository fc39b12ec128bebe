//! A probe service for runtime tests: it echoes, sleeps, panics and fails on request.

use std::sync::Arc;
use std::time::Duration;

use chorus_host::{Fail, HostContext, Routes, ServiceDef};
use chorus_nats::Endpoint;
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};

pub const ECHO: Endpoint = Endpoint::new("probe", "echo", "run");
pub const SLEEP: Endpoint = Endpoint::new("probe", "sleep", "run");
pub const PANIC: Endpoint = Endpoint::new("probe", "panic", "run");
pub const CRASH: Endpoint = Endpoint::new("probe", "crash", "run");
pub const COUNT: Endpoint = Endpoint::new("probe", "count", "run");
/// Asks JetStream in a domain no server has: a dependency that is down.
pub const DOWN: Endpoint = Endpoint::new("probe", "down", "run");
/// Answers its text repeated 4,096 times (a reply past the max payload).
pub const GROW: Endpoint = Endpoint::new("probe", "grow", "run");

/// How many times COUNT's handler ran, in this test process.
pub static COUNTED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Echo {
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sleep {
    pub ms: u64,
}

/// A probe request: a body on one probe endpoint, answered with `$reply`.
macro_rules! probe_request {
    ($name:ident($body:ty) on $endpoint:expr => $reply:ty) => {
        #[derive(Debug, Clone, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub $body);

        impl chorus_nats::Request for $name {
            const ENDPOINT: Endpoint = $endpoint;
            type Reply = $reply;
        }
    };
}

probe_request!(EchoRun(Echo) on ECHO => Echo);
probe_request!(SleepRun(Sleep) on SLEEP => Sleep);
probe_request!(PanicRun(Echo) on PANIC => Echo);
probe_request!(CountRun(Echo) on COUNT => Sleep);
probe_request!(DownRun(Echo) on DOWN => Echo);
probe_request!(GrowRun(Echo) on GROW => Echo);
probe_request!(CrashRun(Echo) on CRASH => Echo);
probe_request!(DoomedRun(Echo) on Endpoint::new("doomed", "echo", "run") => Echo);

pub fn service(ctx: HostContext) -> BoxFuture<'static, anyhow::Result<ServiceDef>> {
    probe(ctx, chorus_host::Workload::Compute)
}

/// The probe declared as a service whose handlers wait (more workers).
pub fn waiting(ctx: HostContext) -> BoxFuture<'static, anyhow::Result<ServiceDef>> {
    probe(ctx, chorus_host::Workload::Waiting)
}

fn probe(ctx: HostContext, workload: chorus_host::Workload) -> BoxFuture<'static, anyhow::Result<ServiceDef>> {
    let nowhere = async_nats::jetstream::with_domain(ctx.nats.clone(), "nowhere");
    Box::pin(async move {
        Ok(ServiceDef {
            name: "probe",
            description: "Runtime test probe",
            version: "0.0.1",
            endpoints: Routes::new(Arc::new(nowhere))
                .route(|_, _, e: EchoRun| async move { Ok(e.0) })
                .route(|_, _, s: SleepRun| async move {
                    tokio::time::sleep(Duration::from_millis(s.0.ms)).await;
                    Ok(s.0)
                })
                .route(|_, _, e: PanicRun| async move {
                    if !e.0.text.is_empty() {
                        panic!("probe panic: {}", e.0.text);
                    }
                    Ok(e.0)
                })
                .route(|_, _, _: CountRun| async move {
                    let n = COUNTED.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                    Ok(Sleep { ms: n })
                })
                .route(|js, _, e: DownRun| async move {
                    use anyhow::Context as _;
                    js.get_stream(e.0.text).await.context("reading a stream")?;
                    Ok(Echo { text: "found".into() })
                })
                .route(|_, _, e: GrowRun| async move { Ok(Echo { text: e.0.text.repeat(4096) }) })
                .route(|_, _, _: CrashRun| async move { Err::<Echo, _>(Fail::Crash(anyhow::anyhow!("probe failure"))) })
                .into_endpoints(),
            children: vec![],
            gate: None,
            workload,
            metadata: vec![],
        })
    })
}

pub const REGISTRY: &[(&str, chorus_host::ServiceBuilder)] = &[("probe", service)];
pub const WAITING: &[(&str, chorus_host::ServiceBuilder)] = &[("probe", waiting)];

/// A service with a child that fails as soon as it starts, every time.
pub fn doomed(_ctx: HostContext) -> BoxFuture<'static, anyhow::Result<ServiceDef>> {
    use ractor::{ActorProcessingErr, ActorRef};
    struct Failing;
    impl ractor::Actor for Failing {
        type Msg = ();
        type State = ();
        type Arguments = ();
        async fn pre_start(&self, _: ActorRef<()>, _: ()) -> Result<(), ActorProcessingErr> {
            Ok(())
        }
        async fn post_start(&self, _: ActorRef<()>, _: &mut ()) -> Result<(), ActorProcessingErr> {
            Err("always fails".into())
        }
    }
    Box::pin(async move {
        Ok(ServiceDef {
            name: "doomed",
            description: "A service whose child keeps failing",
            version: "0.0.1",
            endpoints: Routes::new(Arc::new(())).route(|_, _, e: DoomedRun| async move { Ok(e.0) }).into_endpoints(),
            children: vec![chorus_host::ChildSpec::actor("failing", true, || (Failing, ()))],
            gate: None,
            workload: chorus_host::Workload::Compute,
            metadata: vec![],
        })
    })
}

pub const DOOMED: &[(&str, chorus_host::ServiceBuilder)] = &[("doomed", doomed)];
