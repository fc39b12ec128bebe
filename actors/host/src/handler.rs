//! Handlers: what an endpoint does with a request.
//!
//! A handler returns a domain error as [`Fail::Reply`] (the caller is told,
//! the worker carries on) and a real failure as [`Fail::Crash`] (the caller
//! gets 500 and the worker is restarted). `?` works for both.

use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use chorus_nats::ServiceError;
use futures::future::BoxFuture;
use serde::de::DeserializeOwned;

use crate::context::RequestCtx;
use crate::encoded::ReplyBody;

/// Why a handler did not produce a reply body.
#[derive(Debug)]
pub enum Fail {
    /// A domain error, answered as is.
    Reply(ServiceError),
    /// A failure: 500 for this request, and the worker restarts.
    Crash(anyhow::Error),
}

impl From<ServiceError> for Fail {
    fn from(e: ServiceError) -> Self {
        Fail::Reply(e)
    }
}

/// Outside a request (a job, an eraser) a refusal is an error like any other.
impl From<Fail> for anyhow::Error {
    fn from(f: Fail) -> Self {
        match f {
            Fail::Reply(e) => e.into(),
            Fail::Crash(e) => e,
        }
    }
}

impl From<anyhow::Error> for Fail {
    fn from(e: anyhow::Error) -> Self {
        Fail::Crash(e)
    }
}

/// An untyped handler: request context and body in, reply body out.
pub type Handler = Arc<dyn Fn(RequestCtx, Bytes) -> BoxFuture<'static, Result<Bytes, Fail>> + Send + Sync>;

/// Wrap a typed handler: decode the request strictly (bounded depth and size,
/// unknown fields and sequences for maps refused: 400 `invalid_request`, 413
/// `request_too_large`), call `f`, encode the reply in the request's encoding.
pub(crate) fn typed<Req, Resp, F, Fut>(f: F) -> Handler
where
    Req: DeserializeOwned + Send + 'static,
    Resp: ReplyBody + Send + 'static,
    F: Fn(RequestCtx, Req) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Resp, Fail>> + Send + 'static,
{
    let f = Arc::new(f);
    Arc::new(move |ctx: RequestCtx, body: Bytes| {
        let f = f.clone();
        Box::pin(async move {
            let encoding = ctx.encoding;
            let req: Req = encoding.decode_request(&body).map_err(refused)?;
            let resp = f(ctx, req).await?;
            resp.encode(encoding).map_err(|e| Fail::Crash(anyhow::anyhow!("encoding reply: {e}")))
        })
    })
}

/// The answer to a request body that does not decode.
fn refused(e: chorus_nats::codec::CodecError) -> ServiceError {
    match e.kind() {
        chorus_nats::codec::CodecErrorKind::TooLarge => ServiceError::new(
            chorus_nats::Status::TooLarge,
            chorus_nats::errors::common::REQUEST_TOO_LARGE,
            format!("request body: {e}"),
        ),
        _ => ServiceError::bad_request(chorus_nats::errors::common::INVALID_REQUEST, format!("request body: {e}")),
    }
}
