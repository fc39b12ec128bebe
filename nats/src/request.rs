//! The typed contract: every request type names its endpoint and its reply.
//!
//! ```no_run
//! # async fn demo(client: chorus_nats::ChorusClient, id: uuid::Uuid) -> Result<(), chorus_nats::ClientError> {
//! use chorus_nats::messages::catalog::TrackGet;
//! let track = client.call(&TrackGet { id }).await?; // a `Track`
//! # let _ = track; Ok(()) }
//! ```
//!
//! The impls are made by the endpoint tables in [`crate::subjects`], one line
//! per endpoint, and each service's `ALL` is derived from them; the host
//! checks every handler's reply against [`Request::Reply`].

use serde::{de::DeserializeOwned, Serialize};

use crate::subjects::Endpoint;

/// The body of one endpoint's request.
pub trait Request: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// Where it goes and who may send it.
    const ENDPOINT: Endpoint;
    /// What a successful request is answered with.
    type Reply: Serialize + DeserializeOwned + Send + 'static;
}

/// Something shown every request type of a service (a contract test, a
/// generator): see `subjects::<service>::visit`.
pub trait Visitor {
    /// Called once per endpoint, in `subjects.md` order.
    fn visit<R: Request>(&mut self);
}
