//! An edge site's node: the hub's streams its services read (see
//! [`MIRRORED`]), mirrored into the site's own JetStream domain.
//!
//! With `hub_domain` set, the node makes each mirror (when the site does not
//! have it yet) before any service opens its buckets: the stream of the same
//! name, mirroring the hub's through `$JS.<hub_domain>.API`. The services
//! then find the bucket as they would at the hub (async-nats reads a KV
//! mirror's keys under the origin's names, and sends its puts to the hub),
//! build their views from it, and keep serving from it while the uplink is
//! down. Everything else (sessions, limits, the site's own records) lives in
//! the site's domain.
//!
//! The node also watches its uplink ([`watch`]): while the hub does not
//! answer, sessions valid at the cut live on (see
//! [`crate::auth::trust::Outage`]) and the services only the hub runs are
//! answered 503 here; while it answers, the hub sources the site's plays;
//! and the metrics say how long since the hub was heard and how far each
//! mirror is behind; a mirror that stalls while the hub answers is
//! restarted ([`restart_mirror`]).

mod mirrors;
mod refusals;
mod sourcing;
mod stalls;
mod uplink;

pub use mirrors::{mirror_from_hub, site_domain, MIRRORED};
pub use stalls::{restart_mirror, Restart};
pub use uplink::{watch, MirrorStatus, Uplink};
