//! The mixed load every scenario runs, and the history of what it was told
//! was written: registrations and logins, catalog writes (as an admin),
//! playlist edits at revisions, favorites, plays through stream sessions
//! (with a chunk read), and subscriptions (with an idempotency key).
//! After a scenario, [`check`] reads all of it back.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chorus_nats::messages::auth::{Login, Register};
use chorus_nats::messages::catalog::{Artist, ArtistCreate, ArtistGet};
use chorus_nats::messages::payment::{InvoiceList, MethodAdd, SubscriptionCreate, SubscriptionGet};
use chorus_nats::messages::profile::{
    FavoriteKind, FavoriteList, FavoriteSet, PlayHistory, PlaylistCreate, PlaylistGet, PlaylistUpdate,
};
use chorus_nats::messages::stream::{ChunkGet, Progress, SessionOpen};
use chorus_nats::{ChorusClient, ClientError, RequestOptions, Status};
use chorus_testkit::TestIssuer;
use uuid::Uuid;

/// What the load shares: connections, the admin's key, the tracks with audio, counters.
pub(crate) struct Mix {
    pub(crate) conns: Vec<async_nats::Client>,
    pub(crate) issuer: Arc<TestIssuer>,
    pub(crate) tracks: Vec<Uuid>,
    pub(crate) counts: Counts,
    stop: AtomicBool,
}

/// Requests sent, writes acknowledged, errors clients saw by code.
#[derive(Default)]
pub(crate) struct Counts {
    pub(crate) sent: AtomicU64,
    pub(crate) acked: AtomicU64,
    pub(crate) chunks: AtomicU64,
    pub(crate) errors: Mutex<BTreeMap<String, u64>>,
}

impl Counts {
    fn error(&self, e: &ClientError) {
        let code = match e {
            ClientError::Service { status, code, .. } => format!("{} {code}", status.code()),
            ClientError::NoResponders { .. } => "no responders".into(),
            ClientError::TimedOut { .. } => "timed out".into(),
            ClientError::Codec(_) => "codec".into(),
            ClientError::Transport(_) => "transport".into(),
        };
        *self.errors.lock().unwrap_or_else(|p| p.into_inner()).entry(code).or_default() += 1;
    }
}

/// One listener the load made, and every write of theirs that was acknowledged.
pub(crate) struct Listener {
    username: String,
    password: String,
    id: Option<Uuid>,
    client: Option<ChorusClient>,
    playlist: Option<PlaylistAck>,
    favorites: HashSet<Uuid>,
    plays: Vec<Uuid>,
    subscription: Option<Uuid>,
    carded: bool,
}

struct PlaylistAck {
    id: Uuid,
    /// The last acknowledged revision and the name it set.
    acked: (u64, String),
    /// The revision the next edit is made at; none after an answer that did not come.
    known: Option<u64>,
}

/// The whole history: listeners and the admin's artists.
#[derive(Default)]
pub(crate) struct History {
    pub(crate) listeners: Vec<Listener>,
    pub(crate) artists: Vec<(Uuid, String)>,
}

/// What the read-back found.
#[derive(Default, Debug)]
pub(crate) struct Verdict {
    pub(crate) lost: BTreeMap<&'static str, u64>,
    pub(crate) duplicates: BTreeMap<&'static str, u64>,
    pub(crate) checked: u64,
    pub(crate) examples: Vec<String>,
}

impl Verdict {
    pub(crate) fn lost_total(&self) -> u64 {
        self.lost.values().sum()
    }
    pub(crate) fn duplicates_total(&self) -> u64 {
        self.duplicates.values().sum()
    }
    fn lose(&mut self, what: &'static str, detail: String) {
        *self.lost.entry(what).or_default() += 1;
        if self.examples.len() < 5 {
            self.examples.push(format!("lost {what}: {detail}"));
        }
    }
    fn duplicate(&mut self, what: &'static str, n: u64, detail: String) {
        *self.duplicates.entry(what).or_default() += n;
        if self.examples.len() < 5 {
            self.examples.push(format!("duplicate {what}: {detail}"));
        }
    }
}

const TIMEOUT: Duration = Duration::from_secs(5);

impl Mix {
    pub(crate) fn new(conns: Vec<async_nats::Client>, issuer: Arc<TestIssuer>, tracks: Vec<Uuid>) -> Arc<Self> {
        Arc::new(Self { conns, issuer, tracks, counts: Counts::default(), stop: AtomicBool::new(false) })
    }

    /// An admin's client (a test token lives a minute: one per use).
    pub(crate) fn admin(&self, i: usize) -> ChorusClient {
        ChorusClient::new(self.conns[i % self.conns.len()].clone())
            .with_timeout(TIMEOUT)
            .with_token(self.issuer.admin())
    }

    /// Start `workers` tasks; [`Mix::stop`] ends them and returns the history.
    pub(crate) fn start(self: &Arc<Self>, workers: usize) -> Vec<tokio::task::JoinHandle<History>> {
        self.stop.store(false, Ordering::Relaxed);
        (0..workers)
            .map(|w| {
                let mix = self.clone();
                tokio::spawn(async move { mix.worker(w).await })
            })
            .collect()
    }

    /// Stop the workers and gather their histories.
    pub(crate) async fn stop(&self, tasks: Vec<tokio::task::JoinHandle<History>>) -> History {
        self.stop.store(true, Ordering::Relaxed);
        let mut all = History::default();
        for t in tasks {
            if let Ok(h) = t.await {
                all.listeners.extend(h.listeners);
                all.artists.extend(h.artists);
            }
        }
        all
    }

    async fn call<R: chorus_nats::Request>(
        &self,
        c: &ChorusClient,
        r: &R,
        write: bool,
    ) -> Result<R::Reply, ClientError> {
        self.call_with(c, r, write, RequestOptions::default()).await
    }

    async fn call_with<R: chorus_nats::Request>(
        &self,
        c: &ChorusClient,
        r: &R,
        write: bool,
        options: RequestOptions,
    ) -> Result<R::Reply, ClientError> {
        self.counts.sent.fetch_add(1, Ordering::Relaxed);
        let reply = c.call_with(r, options).await;
        match &reply {
            Ok(_) if write => {
                self.counts.acked.fetch_add(1, Ordering::Relaxed);
            }
            Ok(_) => {}
            Err(e) => {
                self.counts.error(e);
                // Do not spin against a service that is down.
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        reply
    }

    async fn worker(&self, w: usize) -> History {
        let mut history = History::default();
        let mut n = 0usize;
        while !self.stop.load(Ordering::Relaxed) {
            let conn = self.conns[(w + n) % self.conns.len()].clone();
            n += 1;
            let mut l = self.listener(conn, w, n).await;
            if l.client.is_some() {
                for step in 0..12 {
                    if self.stop.load(Ordering::Relaxed) {
                        break;
                    }
                    self.step(&mut l, &mut history, w, step).await;
                }
            }
            history.listeners.push(l);
        }
        history
    }

    /// Register and sign in a new listener.
    async fn listener(&self, conn: async_nats::Client, w: usize, n: usize) -> Listener {
        let username = format!("f{}w{w}n{n}", &Uuid::new_v4().simple().to_string()[..8]);
        let password = format!("{username} password");
        let mut l = Listener {
            username: username.clone(),
            password: password.clone(),
            id: None,
            client: None,
            playlist: None,
            favorites: HashSet::new(),
            plays: Vec::new(),
            subscription: None,
            carded: false,
        };
        let c = ChorusClient::new(conn).with_timeout(TIMEOUT);
        let register = Register {
            username: username.clone(),
            email: format!("{username}@faults.test"),
            password: password.clone(),
        };
        match self.call(&c, &register, true).await {
            Ok(user) => l.id = Some(user.id),
            Err(_) => return l,
        }
        for _ in 0..20 {
            if self.stop.load(Ordering::Relaxed) {
                break;
            }
            if let Ok(s) = self.call(&c, &Login { username: username.clone(), password: password.clone() }, false).await
            {
                l.client = Some(c.clone().with_token(s.access_token));
                break;
            }
        }
        l
    }

    async fn step(&self, l: &mut Listener, history: &mut History, w: usize, step: usize) {
        let Some(c) = l.client.clone() else { return };
        let track = self.tracks[(w + step) % self.tracks.len()];
        match step {
            0 => {
                let create = PlaylistCreate {
                    name: "v0".into(),
                    description: String::new(),
                    public: false,
                    tracks: vec![track],
                };
                if let Ok(p) = self.call(&c, &create, true).await {
                    l.playlist = Some(PlaylistAck { id: p.id, acked: (p.revision, p.name), known: Some(p.revision) });
                }
            }
            1 | 4 | 7 | 10 => {
                let Some(p) = l.playlist.as_mut() else { return };
                let revision = match p.known {
                    Some(r) => r,
                    None => match self
                        .call(&c, &PlaylistGet { id: p.id, revision: None, cursor: None, limit: Some(1) }, false)
                        .await
                    {
                        Ok(v) => v.playlist.revision,
                        Err(_) => return,
                    },
                };
                let name = format!("v{step}");
                let update = PlaylistUpdate {
                    id: p.id,
                    revision,
                    name: Some(name.clone()),
                    description: None,
                    public: None,
                    ops: vec![],
                };
                match self.call(&c, &update, true).await {
                    Ok(done) => {
                        p.acked = (done.revision, name);
                        p.known = Some(done.revision);
                    }
                    Err(_) => p.known = None,
                }
            }
            2 | 8 => {
                let set = FavoriteSet { kind: FavoriteKind::Track, id: track, starred: true };
                if self.call(&c, &set, true).await.is_ok() {
                    l.favorites.insert(track);
                }
            }
            3 | 9 => {
                let open = SessionOpen { track_id: track, source: "faults".into(), client: "chorus-bench".into() };
                let Ok(session) = self.call(&c, &open, false).await else { return };
                let chunk = ChunkGet { session_id: session.session_id, index: 0 };
                if self.call(&c, &chunk, false).await.is_ok() {
                    self.counts.chunks.fetch_add(1, Ordering::Relaxed);
                }
                let progress = Progress { session_id: session.session_id, position_ms: 5_000, ended: true };
                // A play is the write here: acknowledged when the reply says it was recorded.
                self.counts.sent.fetch_add(1, Ordering::Relaxed);
                match c.call(&progress).await {
                    Ok(r) if r.play_recorded => {
                        self.counts.acked.fetch_add(1, Ordering::Relaxed);
                        l.plays.push(session.session_id);
                    }
                    Ok(_) => {}
                    Err(e) => self.counts.error(&e),
                }
            }
            5 | 11 => {
                let name = format!("Faults {}", Uuid::new_v4().simple());
                let artist = Artist {
                    id: Uuid::nil(),
                    name: name.clone(),
                    sort_name: String::new(),
                    mbid: None,
                    image: None,
                    added_at: 0,
                    revision: 0,
                };
                if let Ok(written) = self.call(&self.admin(w), &ArtistCreate(artist), true).await {
                    if let Some(a) = written.entity {
                        history.artists.push((a.id, name));
                    }
                }
            }
            6 => self.subscribe(l, &c).await,
            _ => {}
        }
    }

    /// A card, then a subscription with one idempotency key, retried with it
    /// when no answer came: it must happen once.
    async fn subscribe(&self, l: &mut Listener, c: &ChorusClient) {
        if !l.carded {
            let card = MethodAdd {
                number: "4242424242424242".into(),
                exp_month: 12,
                exp_year: 2040,
                cvc: Some("123".into()),
                make_default: true,
            };
            if self.call(c, &card, true).await.is_err() {
                return;
            }
            l.carded = true;
        }
        let key = Uuid::new_v4().to_string();
        for _ in 0..5 {
            let options = RequestOptions { idempotency_key: Some(key.clone()), ..Default::default() };
            let req = SubscriptionCreate { plan: "premium_monthly".into(), method: None };
            match self.call_with(c, &req, true, options).await {
                Ok(reply) => {
                    l.subscription = Some(reply.subscription.id);
                    return;
                }
                // A refusal is an answer: the same key will not change it.
                Err(ClientError::Service { status, .. })
                    if status != Status::Unavailable
                        && status != Status::DeadlineExceeded
                        && status != Status::Internal =>
                {
                    return
                }
                Err(_) if self.stop.load(Ordering::Relaxed) => return,
                Err(_) => {}
            }
        }
    }
}

/// Retry `read` until `ok` holds of it or `within` passes (a view may lag its record).
async fn settle<T, F, Fut>(within: Duration, mut read: F, ok: impl Fn(&T) -> bool) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = std::time::Instant::now();
    let mut last = None;
    loop {
        if let Some(v) = read().await {
            if ok(&v) {
                return Some(v);
            }
            last = Some(v);
        }
        if start.elapsed() >= within {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// Read everything in `history` back.
pub(crate) async fn check(mix: &Mix, history: &History) -> Verdict {
    let mut v = Verdict::default();
    let within = Duration::from_secs(10);
    for (i, (id, name)) in history.artists.iter().enumerate() {
        v.checked += 1;
        let read = settle(within, || async { mix.admin(i).call(&ArtistGet { id: *id }).await.ok() }, |_| true).await;
        if read.map(|d| d.artist.name != *name).unwrap_or(true) {
            v.lose("catalog artist", id.to_string());
        }
    }
    for (i, l) in history.listeners.iter().enumerate() {
        let Some(id) = l.id else { continue };
        v.checked += 1;
        let fresh = ChorusClient::new(mix.conns[i % mix.conns.len()].clone()).with_timeout(TIMEOUT);
        let login = Login { username: l.username.clone(), password: l.password.clone() };
        let session = settle(within, || async { fresh.call(&login).await.ok() }, |_| true).await;
        if session.as_ref().map(|s| s.user.id != id).unwrap_or(true) {
            v.lose("registration", l.username.clone());
        }
        // The listener's own client: it sends the sequences it saw (read-your-writes).
        let Some(c) = l.client.clone().or_else(|| session.map(|s| fresh.clone().with_token(s.access_token))) else {
            continue;
        };
        if let Some(p) = &l.playlist {
            v.checked += 1;
            let get = PlaylistGet { id: p.id, revision: None, cursor: None, limit: Some(1) };
            let read = settle(within, || async { c.call(&get).await.ok() }, |r| r.playlist.revision >= p.acked.0).await;
            match read {
                Some(r) if r.playlist.revision > p.acked.0 => {}
                Some(r) if r.playlist.revision == p.acked.0 && r.playlist.name == p.acked.1 => {}
                Some(r) => v.lose(
                    "playlist edit",
                    format!(
                        "{}: acked r{} {:?}, read r{} {:?}",
                        p.id, p.acked.0, p.acked.1, r.playlist.revision, r.playlist.name
                    ),
                ),
                None => v.lose("playlist", p.id.to_string()),
            }
        }
        if !l.favorites.is_empty() {
            v.checked += l.favorites.len() as u64;
            let list = FavoriteList { kind: Some(FavoriteKind::Track), cursor: None, limit: Some(500) };
            let read = settle(
                within,
                || async { c.call(&list).await.ok() },
                |f| {
                    let have: HashSet<Uuid> = f.tracks.iter().map(|s| s.id).collect();
                    l.favorites.iter().all(|t| have.contains(t))
                },
            )
            .await;
            let have: HashSet<Uuid> = read.map(|f| f.tracks.iter().map(|s| s.id).collect()).unwrap_or_default();
            for t in l.favorites.iter().filter(|t| !have.contains(t)) {
                v.lose("favorite", format!("{} of {}", t, l.username));
            }
        }
        if !l.plays.is_empty() {
            v.checked += l.plays.len() as u64;
            let read = settle(within, || history_of(&c), |seen| l.plays.iter().all(|s| seen.contains_key(s))).await;
            let seen = read.unwrap_or_default();
            for s in &l.plays {
                match seen.get(s) {
                    None => v.lose("play", format!("session {s} of {}", l.username)),
                    Some(n) if *n > 1 => v.duplicate("play", n - 1, format!("session {s} recorded {n} times")),
                    Some(_) => {}
                }
            }
        }
        if let Some(sub) = l.subscription {
            v.checked += 1;
            let read =
                settle(within, || async { c.call(&SubscriptionGet {}).await.ok() }, |s| s.subscription.is_some()).await;
            if read.and_then(|s| s.subscription).map(|s| s.id != sub).unwrap_or(true) {
                v.lose("subscription", format!("{sub} of {}", l.username));
            }
            if let Ok(page) = c.call(&InvoiceList { cursor: None, limit: Some(100) }).await {
                let n = page.invoices.iter().filter(|i| i.subscription == sub).count() as u64;
                if n > 1 {
                    v.duplicate("invoice", n - 1, format!("subscription {sub}: {n} first invoices"));
                }
                if n == 0 {
                    v.lose("invoice", format!("subscription {sub}"));
                }
            }
        }
    }
    v
}

/// How many times each play id is in the caller's history.
async fn history_of(c: &ChorusClient) -> Option<HashMap<Uuid, u64>> {
    let mut seen = HashMap::new();
    let mut cursor = None;
    for _ in 0..100 {
        let page = c.call(&PlayHistory { cursor: cursor.clone(), limit: Some(1000) }).await.ok()?;
        for p in page.plays {
            *seen.entry(p.play_id).or_default() += 1;
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    Some(seen)
}
