//! A typed async client for Chorus endpoints.
//!
//! ```no_run
//! # async fn demo() -> Result<(), chorus_nats::ClientError> {
//! use chorus_nats::{messages::catalog::TrackList, ChorusClient};
//! let nats = async_nats::connect("nats://127.0.0.1:4222").await.unwrap();
//! let client = ChorusClient::new(nats);
//! let page = client.call(&TrackList::default()).await?; // a `TrackPage`
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_nats::client::RequestErrorKind;
use async_nats::HeaderMap;
use bytes::Bytes;
use serde::{de::DeserializeOwned, Serialize};

use crate::codec::Encoding;
use crate::error::{ErrorBody, Status};
use crate::headers;
use crate::subjects::Endpoint;
use crate::trace::TraceContext;

/// How long a request waits for its reply unless told otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

/// Why a request failed. Callers branch on the variant.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// Nobody subscribes to the subject: the service is not running.
    #[error("no responders on {subject}")]
    NoResponders {
        /// The subject asked.
        subject: String,
    },
    /// A service is there but did not answer in time.
    #[error("request on {subject} timed out")]
    TimedOut {
        /// The subject asked.
        subject: String,
    },
    /// The service answered with an error.
    #[error("{status} {code}: {message}")]
    Service {
        /// HTTP-style status.
        status: Status,
        /// Stable machine code.
        code: String,
        /// Human-readable explanation.
        message: String,
        /// On 429: how long to wait before trying again.
        retry_after_ms: Option<u64>,
    },
    /// The request could not be encoded or the reply decoded.
    #[error("codec: {0}")]
    Codec(String),
    /// The connection failed.
    #[error("transport: {0}")]
    Transport(String),
}

impl ClientError {
    /// The status of a service error, if this is one.
    pub fn status(&self) -> Option<Status> {
        match self {
            ClientError::Service { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// What a service that called another should answer its own caller: the
    /// other service's error as it was, or 503 `unavailable_code` when it did
    /// not answer.
    pub fn into_service_error(self, unavailable_code: &'static str) -> crate::ServiceError {
        match self {
            ClientError::Service { status, code, message, retry_after_ms } => {
                crate::ServiceError { retry_after_ms, ..crate::ServiceError::new(status, code, message) }
            }
            other => crate::ServiceError::unavailable(unavailable_code, other.to_string()),
        }
    }

    /// The machine code of a service error, if this is one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ClientError::Service { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// Per-request settings beyond the client's defaults.
#[derive(Debug, Clone, Default)]
pub struct RequestOptions {
    /// Overrides the client's timeout; the deadline header follows it.
    pub timeout: Option<Duration>,
    /// Read-your-writes: the state sequence the answering instance must have.
    pub min_seq: Option<u64>,
    /// Continue this trace instead of starting one.
    pub trace: Option<TraceContext>,
    /// `Chorus-Idempotency-Key`: a write that must happen once (payment).
    pub idempotency_key: Option<String>,
}

/// A typed Chorus client over one NATS connection. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ChorusClient {
    nats: async_nats::Client,
    timeout: Duration,
    encoding: Encoding,
    /// `Bearer <token>`, checked and built once; `Err` when the token cannot be a header.
    bearer: Option<Result<async_nats::HeaderValue, ()>>,
    /// Highest sequence seen per service, sent back as `Chorus-Min-Seq`.
    seen_seq: Arc<Mutex<HashMap<String, u64>>>,
    /// Whether any write was seen: reads skip the map until then.
    wrote: Arc<AtomicBool>,
    /// The trace every request continues, for a service calling others on a
    /// caller's behalf; each request starts its own trace otherwise.
    trace: Option<TraceContext>,
}

impl ChorusClient {
    /// A client with a 2 s timeout, MessagePack bodies and no token.
    pub fn new(nats: async_nats::Client) -> Self {
        Self {
            nats,
            timeout: DEFAULT_TIMEOUT,
            encoding: Encoding::MsgPack,
            bearer: None,
            seen_seq: Arc::default(),
            wrote: Arc::default(),
            trace: None,
        }
    }

    /// The same client continuing `trace` in every request it sends.
    pub fn with_trace(mut self, trace: TraceContext) -> Self {
        self.trace = Some(trace);
        self
    }

    /// The same client with another default timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The same client sending JSON bodies.
    pub fn with_encoding(mut self, encoding: Encoding) -> Self {
        self.encoding = encoding;
        self
    }

    /// The same client sending `Authorization: Bearer <token>`.
    pub fn with_token(mut self, token: impl Into<Arc<str>>) -> Self {
        let token: Arc<str> = token.into();
        self.bearer = Some(format!("Bearer {token}").parse::<async_nats::HeaderValue>().map_err(|_| ()));
        self
    }

    /// A client on the same connection with the same settings and token, that
    /// has seen no writes yet (as another device of the same user would be).
    pub fn fresh(&self) -> Self {
        Self { seen_seq: Arc::default(), wrote: Arc::default(), ..self.clone() }
    }

    /// The underlying NATS connection.
    pub fn nats(&self) -> &async_nats::Client {
        &self.nats
    }

    /// Remember that `service` acknowledged a write at `seq`, so later requests
    /// to any of its instances see at least that much (read-your-writes).
    pub fn observe_seq(&self, service: &str, seq: u64) {
        self.wrote.store(true, Ordering::Relaxed);
        if let Ok(mut seen) = self.seen_seq.lock() {
            let e = seen.entry(service.to_string()).or_default();
            *e = (*e).max(seq);
        }
    }

    /// The sequences a reply from `service` carries: its own write, and writes
    /// it made in other services for this caller.
    fn observe_reply_seqs(&self, service: &str, h: &async_nats::HeaderMap) {
        for (name, values) in h.iter() {
            let Some(seq) = values.first().and_then(|v| v.as_str().trim().parse::<u64>().ok()) else { continue };
            let name: &str = name.as_ref();
            if name.eq_ignore_ascii_case(headers::SEQ) {
                self.observe_seq(service, seq);
            } else if let Some(other) = headers::seq_of_service(name) {
                self.observe_seq(&other, seq);
            }
        }
    }

    /// The highest sequence seen from `service`.
    pub fn seen_seq(&self, service: &str) -> u64 {
        self.seen_seq.lock().ok().and_then(|s| s.get(service).copied()).unwrap_or(0)
    }

    /// Send `request` to its endpoint and decode its reply type.
    pub async fn call<R: crate::Request>(&self, request: &R) -> Result<R::Reply, ClientError> {
        self.request_with(R::ENDPOINT, request, RequestOptions::default()).await
    }

    /// [`call`](Self::call) with per-request options.
    pub async fn call_with<R: crate::Request>(
        &self,
        request: &R,
        options: RequestOptions,
    ) -> Result<R::Reply, ClientError> {
        self.request_with(R::ENDPOINT, request, options).await
    }

    /// Send any body to any endpoint and decode the reply as `Resp`: for
    /// what [`call`](Self::call) cannot say (a test's malformed body, a tool
    /// that only has a subject).
    pub async fn request<Req, Resp>(&self, endpoint: Endpoint, body: &Req) -> Result<Resp, ClientError>
    where
        Req: Serialize + ?Sized,
        Resp: DeserializeOwned,
    {
        self.request_with(endpoint, body, RequestOptions::default()).await
    }

    /// [`request`](Self::request) with per-request options.
    pub async fn request_with<Req, Resp>(
        &self,
        endpoint: Endpoint,
        body: &Req,
        options: RequestOptions,
    ) -> Result<Resp, ClientError>
    where
        Req: Serialize + ?Sized,
        Resp: DeserializeOwned,
    {
        let payload = self.encoding.encode(body).map_err(|e| ClientError::Codec(e.to_string()))?;
        let reply = self.send(endpoint.subject(), endpoint.service, payload, options).await?;
        self.encoding.decode(&reply).map_err(|e| ClientError::Codec(e.to_string()))
    }

    /// Send an already encoded body; returns the reply body or the typed error.
    pub async fn request_raw(
        &self,
        subject: &str,
        payload: Bytes,
        options: RequestOptions,
    ) -> Result<Bytes, ClientError> {
        let service = subject.split('.').nth(1).unwrap_or_default();
        self.send(subject.to_string(), service, payload, options).await
    }

    async fn send(
        &self,
        subject: String,
        service: &str,
        payload: Bytes,
        options: RequestOptions,
    ) -> Result<Bytes, ClientError> {
        let timeout = options.timeout.unwrap_or(self.timeout);
        let mut h = HeaderMap::new();
        // MessagePack is the default: only JSON needs saying.
        if self.encoding == Encoding::Json {
            h.insert(headers::names::CONTENT_TYPE, headers::JSON);
        }
        // Owned values move into the header map without another copy.
        h.insert(headers::names::DEADLINE, (crate::clock::now_ms() + timeout.as_millis() as u64).to_string());
        // A trace travels only when there is one to continue: the answering
        // instance starts its own otherwise (unsampled either way), and the
        // common request is 55 header bytes and a random id lighter.
        if let Some(trace) = options.trace.or(self.trace) {
            h.insert(headers::names::TRACEPARENT, trace.header());
        }
        if let Some(bearer) = &self.bearer {
            let value = bearer.clone().map_err(|_| ClientError::Codec("the token contains a line break".into()))?;
            h.insert(headers::names::AUTHORIZATION, value);
        }
        // Only services this client wrote to have a sequence to ask for.
        let seen = if self.wrote.load(Ordering::Relaxed) { self.seen_seq(service) } else { 0 };
        let min_seq = options.min_seq.unwrap_or(0).max(seen);
        if min_seq > 0 {
            h.insert(headers::names::MIN_SEQ, min_seq.to_string());
        }
        if let Some(key) = options.idempotency_key {
            h.insert(headers::names::IDEMPOTENCY_KEY, key);
        }
        let request = async_nats::Request::new().payload(payload).headers(h).timeout(Some(timeout));
        let subject = async_nats::Subject::from(subject);
        let msg = self.nats.send_request(subject.clone(), request).await.map_err(|e| match e.kind() {
            RequestErrorKind::NoResponders => ClientError::NoResponders { subject: subject.to_string() },
            RequestErrorKind::TimedOut => ClientError::TimedOut { subject: subject.to_string() },
            _ => ClientError::Transport(e.to_string()),
        })?;
        if let Some(h) = msg.headers.as_ref() {
            self.observe_reply_seqs(service, h);
        }
        match error_of(&msg, self.encoding) {
            Some(err) => Err(err),
            None => Ok(msg.payload),
        }
    }
}

/// The typed error an error reply carries, or `None` for a success.
fn error_of(msg: &async_nats::Message, encoding: Encoding) -> Option<ClientError> {
    let h = msg.headers.as_ref()?;
    let status = h.get(headers::SERVICE_ERROR_CODE)?.as_str().parse::<u16>().ok();
    let message = h.get(headers::SERVICE_ERROR).map(|v| v.as_str().to_string()).unwrap_or_default();
    let body: Option<ErrorBody> = encoding.decode(&msg.payload).ok();
    Some(ClientError::Service {
        status: status.and_then(Status::from_code).unwrap_or(Status::Internal),
        code: body.as_ref().map(|b| b.code.clone()).unwrap_or_else(|| "unknown".into()),
        retry_after_ms: body.as_ref().and_then(|b| b.retry_after_ms),
        message: body.map(|b| b.message).unwrap_or(message),
    })
}
