//! How a service declares its endpoints: its state given once, then one
//! `route` per endpoint, each a handler of one [`Request`] type.
//!
//! ```ignore
//! Routes::new(state)
//!     .route(|c, _, req: TrackGet| async move { tracks::get(&c, req.id) })
//!     .route(|c, ctx, req: TrackCreate| async move { writes::create(&c, &ctx, req).await })
//! ```
//!
//! The request type names the endpoint (subject, access, queue group), and
//! the handler must answer with that request's reply type (or the same kept
//! [`Encoded`]): a handler answering anything else does not compile.

use std::future::Future;
use std::sync::Arc;

use chorus_nats::messages::ListPage;
use chorus_nats::subjects::Access;
use chorus_nats::Request;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::context::RequestCtx;
use crate::encoded::{Encoded, ReplyBody};
use crate::handler::{typed, Fail};
use crate::service::EndpointDef;

/// What a handler may answer a request whose reply is `T` with: a `T`, or a
/// `T` kept encoded.
pub trait Answer<T>: ReplyBody {}

impl<T: Serialize> Answer<T> for T {}

impl<T: Serialize> Answer<T> for Encoded<T> {}

impl<T: Serialize + DeserializeOwned> Answer<T> for crate::Packed<T> {}

impl<P: ListPage> Answer<P> for crate::EncodedPage<P> where P::Item: Serialize + DeserializeOwned {}

/// A service's endpoints over its shared state `S`.
pub struct Routes<S> {
    state: Arc<S>,
    endpoints: Vec<EndpointDef>,
}

impl<S: Send + Sync + 'static> Routes<S> {
    /// No endpoints yet; every handler will be given `state`.
    pub fn new(state: Arc<S>) -> Self {
        Self { state, endpoints: Vec::new() }
    }

    /// Answer `R`'s endpoint with `handler`, given the state, the request's
    /// context and the decoded request.
    pub fn route<R, A, F, Fut>(mut self, handler: F) -> Self
    where
        R: Request,
        A: Answer<R::Reply> + Send + 'static,
        F: Fn(Arc<S>, RequestCtx, R) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<A, Fail>> + Send + 'static,
    {
        let state = self.state.clone();
        self.endpoints.push(EndpointDef {
            endpoint: R::ENDPOINT,
            handler: typed(move |ctx, req: R| handler(state.clone(), ctx, req)),
        });
        self
    }

    /// Give every public endpoint so far the access `browse`: a deployment
    /// may require sign-in to browse (`[catalog] require_sign_in`).
    pub fn browse_access(mut self, browse: Access) -> Self {
        for e in self.endpoints.iter_mut().filter(|e| e.endpoint.access == Access::Public) {
            e.endpoint = e.endpoint.with_access(browse);
        }
        self
    }

    /// The endpoints, for [`ServiceDef::endpoints`](crate::ServiceDef).
    pub fn into_endpoints(self) -> Vec<EndpointDef> {
        self.endpoints
    }
}
