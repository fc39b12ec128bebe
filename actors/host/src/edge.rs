//! An edge site's node: the hub's catalog record, trust bucket, audio and
//! art, mirrored into the site's own JetStream domain.
//!
//! With `hub_domain` set, the node makes each mirror (when the site does not
//! have it yet) before any service opens its buckets: the stream of the same
//! name, mirroring the hub's through `$JS.<hub_domain>.API`. The services
//! then find the bucket as they would at the hub (async-nats reads a KV
//! mirror's keys under the origin's names, and sends its puts to the hub),
//! build their views from it, and keep serving from it while the uplink is
//! down. Everything else (sessions, limits, the site's own records) lives in
//! the site's domain.

use anyhow::Context as _;
use async_nats::jetstream::{self, stream};

/// The streams a site mirrors from the hub: what the catalog, search, stream
/// and the token checks read.
pub const MIRRORED: [&str; 4] = ["KV_chorus_catalog", "KV_chorus_auth_trust", "OBJ_chorus_audio", "OBJ_chorus_art"];

/// Make every [`MIRRORED`] stream in this site's domain, as a mirror of the
/// hub's in `hub_domain`, with `replicas` (the site's cluster size).
pub async fn mirror_from_hub(js: &jetstream::Context, hub_domain: &str, replicas: usize) -> anyhow::Result<()> {
    for name in MIRRORED {
        if js.get_stream(name).await.is_ok() {
            continue;
        }
        js.create_stream(mirror_config(name, hub_domain, replicas))
            .await
            .with_context(|| format!("mirroring {name} from the hub (domain {hub_domain})"))?;
        tracing::info!(stream = name, hub_domain, "mirroring from the hub");
    }
    Ok(())
}

/// A mirror of the hub's `name`: what a KV bucket or object store needs to
/// be opened as one (one message per subject for a KV, direct gets,
/// rollups), and nothing that would refuse what the origin stores.
fn mirror_config(name: &str, hub_domain: &str, replicas: usize) -> stream::Config {
    let kv = name.starts_with("KV_");
    stream::Config {
        name: name.to_string(),
        description: Some(format!("mirror of the hub's {name} (domain {hub_domain})")),
        mirror: Some(stream::Source {
            name: name.to_string(),
            external: Some(stream::External { api_prefix: format!("$JS.{hub_domain}.API"), delivery_prefix: None }),
            ..Default::default()
        }),
        max_messages_per_subject: if kv { 1 } else { -1 },
        allow_direct: true,
        mirror_direct: true,
        allow_rollup: true,
        deny_delete: true,
        discard: stream::DiscardPolicy::New,
        num_replicas: replicas.max(1),
        ..Default::default()
    }
}
