//! Whether a handler's failure is a dependency that is down, not a bug.
//!
//! A JetStream request that timed out, or found no responders (the server
//! lost its JetStream, a cluster without quorum, another service with no
//! instance), is the world being unavailable for a moment: the caller is
//! told 503 `dependency_unavailable` and may retry, and the worker carries on.
//! Restarting it would fix nothing and spend the budget that stops the node.

use async_nats::jetstream::{context, kv};

/// Whether `e`, or anything in its chain of causes, says a dependency timed
/// out or had no responders.
pub(crate) fn is_unavailable(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        let c = cause;
        c.downcast_ref::<async_nats::RequestError>().is_some_and(|e| {
            matches!(e.kind(), async_nats::RequestErrorKind::TimedOut | async_nats::RequestErrorKind::NoResponders)
        }) || c.downcast_ref::<context::RequestError>().is_some_and(|e| {
            matches!(e.kind(), context::RequestErrorKind::TimedOut | context::RequestErrorKind::NoResponders)
        }) || c.downcast_ref::<context::PublishError>().is_some_and(|e| {
            matches!(e.kind(), context::PublishErrorKind::TimedOut | context::PublishErrorKind::BrokenPipe)
        }) || c.downcast_ref::<kv::EntryError>().is_some_and(|e| e.kind() == kv::EntryErrorKind::TimedOut)
            || c.downcast_ref::<kv::UpdateError>().is_some_and(|e| e.kind() == kv::UpdateErrorKind::TimedOut)
            || c.downcast_ref::<kv::WatchError>().is_some_and(|e| e.kind() == kv::WatchErrorKind::TimedOut)
            || c.downcast_ref::<tokio::time::error::Elapsed>().is_some()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context as _;

    #[test]
    fn timeouts_and_missing_responders_are_unavailability_not_bugs() {
        let timed_out = anyhow::Error::new(context::RequestError::new(context::RequestErrorKind::TimedOut));
        assert!(is_unavailable(&timed_out.context("reading playlist.x")));
        let none = anyhow::Error::new(async_nats::RequestError::new(async_nats::RequestErrorKind::NoResponders));
        assert!(is_unavailable(&none));
        let entry = anyhow::Error::new(kv::EntryError::new(kv::EntryErrorKind::TimedOut)).context("reading");
        assert!(is_unavailable(&entry));
        assert!(!is_unavailable(&anyhow::anyhow!("a broken invariant")));
        let other = anyhow::Error::new(kv::EntryError::new(kv::EntryErrorKind::Other));
        assert!(!is_unavailable(&other.context("reading")));
        let parse: Result<u32, _> = "x".parse::<u32>().context("parsing");
        assert!(!is_unavailable(&parse.unwrap_err()));
    }
}
