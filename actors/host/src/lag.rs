//! How far a view is behind its record, for `/metrics`.

use futures::future::BoxFuture;

/// A view that follows a record (a KV bucket or a stream), as the node's
/// metrics see it. The projector of `chorus-state` provides one.
pub trait ViewLag: Send + Sync {
    /// The view's name (`catalog`, `profile-plays`).
    fn view(&self) -> &str;
    /// The record sequence the view has applied.
    fn applied(&self) -> u64;
    /// The record's last sequence, read fresh from JetStream.
    fn head(&self) -> BoxFuture<'_, anyhow::Result<u64>>;
}
