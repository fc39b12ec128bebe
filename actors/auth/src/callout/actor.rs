//! The actor that answers `$SYS.REQ.USER.AUTH` on a connection of its own
//! (the callout user lives in the server's auth account), and keeps the
//! table of live browser connections from its grants, its peers' grants and
//! the server's disconnect events.
//!
//! Several auth instances answer in one queue group. Each tells the others
//! about every grant (on [`GRANTS`], in the auth account, no queue group),
//! and every instance hears every disconnect event (no queue group), so each
//! holds the whole table. Two instances can still both let in the same nonce
//! within the moment their notes cross; an instance that starts knows only
//! grants made from then on (its predecessor's table is kept across a
//! restart of the actor, not of the process), so connections older than it
//! count from their next reconnect, at most `user_ttl_s` later.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use ractor::{Actor, ActorProcessingErr, ActorRef};
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use super::authorizer::{nonce_digest, Authorizer, Denial};
use super::connections::{ConnectionId, Connections, Grant, Refusal};
use super::request::{AuthRequest, XKEY_HEADER};
use chorus_nats::subjects;

/// Where auth instances tell each other of their grants (in the auth account).
pub(crate) const GRANTS: &str = subjects::auth::CALLOUT_GRANTS;
/// How long a request whose nonce is still in use waits for that
/// connection's disconnect event: a page that reconnects (its JWT expired,
/// its server restarted) can be faster than the event of its old connection.
const NONCE_GRACE: Duration = Duration::from_millis(500);
/// Time kept to answer a waiting request before the server gives up on it.
const ANSWER_MARGIN: Duration = Duration::from_millis(250);
/// Requests waiting on a nonce at most; more are refused at once.
const MAX_WAITING: usize = 256;

/// The table of live connections, kept across restarts of the actor.
pub(crate) type Table = Arc<Mutex<Connections>>;

pub(crate) struct Callout;

/// A grant, as instances tell each other.
#[derive(Serialize, Deserialize)]
struct GrantNote {
    from: String,
    server: String,
    client: u64,
    server_name: String,
    host: String,
    nonce: String,
    expires: u64,
}

/// What a disconnect advisory (`io.nats.server.advisory.v1.client_disconnect`) says.
#[derive(Deserialize)]
struct Disconnect {
    server: EventServer,
    client: EventClient,
}

#[derive(Deserialize)]
struct EventServer {
    id: String,
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
struct EventClient {
    id: u64,
}

struct Waiting {
    request: AuthRequest,
    reply: async_nats::Subject,
    until: Instant,
}

pub(crate) struct State {
    authorizer: Arc<Authorizer>,
    nats: async_nats::Client,
    requests: async_nats::Subscriber,
    disconnects: async_nats::Subscriber,
    grants: async_nats::Subscriber,
    table: Table,
    waiting: VecDeque<Waiting>,
    instance: String,
}

enum Event {
    Disconnect(Option<async_nats::Message>),
    Grant(Option<async_nats::Message>),
    WaitOver,
    Request(Option<async_nats::Message>),
}

impl Actor for Callout {
    type Msg = ();
    type State = State;
    type Arguments = (Arc<Authorizer>, Arc<chorus_host::Config>, Table);

    async fn pre_start(
        &self,
        myself: ActorRef<()>,
        (authorizer, host, table): Self::Arguments,
    ) -> Result<Self::State, ActorProcessingErr> {
        let mut config = (*host).clone();
        config.nats_user = Some(authorizer.config.user.clone());
        config.nats_password = Some(authorizer.config.password.clone().into());
        config.nats_creds = None;
        let nats = chorus_host::connect::connect(&config, "chorus auth callout").await?;
        // Every instance hears every disconnect and every grant; any one answers a request.
        let disconnects = nats.subscribe(subjects::auth::account_disconnects(&authorizer.config.account)).await?;
        let grants = nats.subscribe(GRANTS).await?;
        let requests = nats.queue_subscribe(subjects::auth::CALLOUT, "chorus_auth_callout".into()).await?;
        nats.flush().await?;
        myself.cast(())?;
        let instance = uuid::Uuid::new_v4().simple().to_string();
        Ok(State { authorizer, nats, requests, disconnects, grants, table, waiting: VecDeque::new(), instance })
    }

    async fn handle(&self, _: ActorRef<()>, _: (), state: &mut Self::State) -> Result<(), ActorProcessingErr> {
        loop {
            let wait_over = state.waiting.iter().map(|w| w.until).min();
            // Disconnects first: when a page reconnects, its old connection's
            // event is usually already here, and must be counted before the
            // new request is judged.
            let event = tokio::select! {
                biased;
                m = state.disconnects.next() => Event::Disconnect(m),
                m = state.grants.next() => Event::Grant(m),
                _ = tokio::time::sleep_until(wait_over.unwrap_or_else(Instant::now)), if wait_over.is_some() => Event::WaitOver,
                m = state.requests.next() => Event::Request(m),
            };
            match event {
                Event::Disconnect(Some(m)) => state.disconnected(&m.payload).await?,
                Event::Grant(Some(m)) => state.heard_grant(&m.payload),
                Event::WaitOver => state.wait_over().await?,
                Event::Request(Some(m)) => state.request(m).await?,
                Event::Disconnect(None) | Event::Grant(None) | Event::Request(None) => {
                    return Err("an auth callout subscription ended".into())
                }
            }
        }
    }
}

impl State {
    async fn request(&mut self, msg: async_nats::Message) -> Result<(), ActorProcessingErr> {
        let Some(reply) = msg.reply else { return Ok(()) };
        let xkey = msg.headers.as_ref().and_then(|h| h.get(XKEY_HEADER)).map(|v| v.as_str().to_string());
        match self.authorizer.read(&msg.payload, xkey.as_deref(), chorus_nats::clock::now_s()) {
            Ok(request) => self.judge(request, reply, true).await,
            // Not one we can trust: no answer, so the server refuses the connection at its timeout.
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "authorization request refused unanswered");
                Ok(())
            }
        }
    }

    /// Decide on `request` and answer it, or (when its nonce is still in
    /// use and `may_wait`) hold it for that connection's disconnect event.
    async fn judge(
        &mut self,
        request: AuthRequest,
        reply: async_nats::Subject,
        may_wait: bool,
    ) -> Result<(), ActorProcessingErr> {
        let now = chorus_nats::clock::now_s();
        let verdict = {
            let mut table = self.table.lock().unwrap_or_else(|e| e.into_inner());
            let verdict = self.authorizer.decide(&request, &mut table, now);
            if let Ok(admission) = &verdict {
                // Remembered before it is answered: its disconnect can only come after.
                table.insert(admission.grant.clone());
            }
            verdict
        };
        match verdict {
            Ok(admission) => {
                // Peers hear of it before the server does, so before its disconnect event.
                self.tell_peers(&admission.grant).await?;
                self.send(&request, reply, Ok(&admission.user_jwt)).await
            }
            Err(Denial::Busy(Refusal::NonceInUse)) if may_wait && self.waiting.len() < MAX_WAITING => {
                // Wait within the server's own deadline for this request (its
                // `exp`, whole seconds, at or before the server's timeout).
                let left = Duration::from_millis((request.expires * 1000).saturating_sub(chorus_nats::clock::now_ms()));
                let wait = NONCE_GRACE.min(left.saturating_sub(ANSWER_MARGIN));
                if wait >= NONCE_GRACE / 2 {
                    self.waiting.push_back(Waiting { request, reply, until: Instant::now() + wait });
                    return Ok(());
                }
                self.refuse(request, reply, Denial::Busy(Refusal::NonceInUse)).await
            }
            Err(denial) => self.refuse(request, reply, denial).await,
        }
    }

    async fn refuse(
        &mut self,
        request: AuthRequest,
        reply: async_nats::Subject,
        denial: Denial,
    ) -> Result<(), ActorProcessingErr> {
        tracing::info!(reason = %denial, client = %request.client_host, "browser connection refused");
        self.send(&request, reply, Err(denial.to_string())).await
    }

    async fn send(
        &self,
        request: &AuthRequest,
        reply: async_nats::Subject,
        verdict: Result<&str, String>,
    ) -> Result<(), ActorProcessingErr> {
        match self.authorizer.answer(request, verdict, chorus_nats::clock::now_s()) {
            Ok(answer) => self.nats.publish(reply, answer.into()).await?,
            Err(e) => tracing::warn!(error = %format!("{e:#}"), "could not sign an authorization answer"),
        }
        Ok(())
    }

    async fn tell_peers(&self, grant: &Grant) -> Result<(), ActorProcessingErr> {
        let note = GrantNote {
            from: self.instance.clone(),
            server: grant.id.server.clone(),
            client: grant.id.client,
            server_name: grant.server_name.clone(),
            host: grant.host.clone(),
            nonce: grant.nonce.clone(),
            expires: grant.expires,
        };
        self.nats.publish(GRANTS, serde_json::to_vec(&note)?.into()).await?;
        Ok(())
    }

    fn heard_grant(&mut self, payload: &[u8]) {
        let note: GrantNote = match serde_json::from_slice(payload) {
            Ok(note) => note,
            Err(e) => return tracing::warn!(error = %e, "unreadable grant note"),
        };
        if note.from == self.instance {
            return;
        }
        let grant = Grant {
            id: ConnectionId { server: note.server, client: note.client },
            server_name: note.server_name,
            host: note.host,
            nonce: note.nonce,
            expires: note.expires,
        };
        self.table.lock().unwrap_or_else(|e| e.into_inner()).insert(grant);
    }

    async fn disconnected(&mut self, payload: &[u8]) -> Result<(), ActorProcessingErr> {
        let event: Disconnect = match serde_json::from_slice(payload) {
            Ok(event) => event,
            Err(e) => {
                tracing::warn!(error = %e, "unreadable disconnect event");
                return Ok(());
            }
        };
        let freed = {
            let mut table = self.table.lock().unwrap_or_else(|e| e.into_inner());
            table.server_seen(&event.server.name, &event.server.id);
            table.remove(&ConnectionId { server: event.server.id, client: event.client.id })
        };
        // A request waiting on this nonce need not wait any longer.
        if let Some(grant) = freed {
            let (ready, still): (VecDeque<_>, VecDeque<_>) =
                self.waiting.drain(..).partition(|w| nonce_digest(&w.request.token) == grant.nonce);
            self.waiting = still;
            for w in ready {
                self.judge(w.request, w.reply, false).await?;
            }
        }
        Ok(())
    }

    async fn wait_over(&mut self) -> Result<(), ActorProcessingErr> {
        let now = Instant::now();
        let (over, still): (VecDeque<_>, VecDeque<_>) = self.waiting.drain(..).partition(|w| w.until <= now);
        self.waiting = still;
        for w in over {
            self.judge(w.request, w.reply, false).await?;
        }
        Ok(())
    }
}
