//! The site's mirrors of the hub's streams, and its own plays stream.

use anyhow::Context as _;
use async_nats::jetstream::{self, stream};
use chorus_nats::records::profile::{site_plays_stream, SITE_PLAYS};

/// This site's JetStream domain (the site's nats-server config names it).
pub async fn site_domain(js: &jetstream::Context) -> anyhow::Result<String> {
    js.query_account()
        .await
        .context("reading this site's JetStream account")?
        .domain
        .context("this site's JetStream has no domain (nats/conf/edge/site.conf sets one)")
}

/// The streams a site mirrors from the hub: what the catalog, search, stream,
/// recommend and the token checks read (the catalog record, the trust
/// bucket, audio and art; the listeners' favorites and ratings, the plays,
/// and recommend's models and their pointer).
pub const MIRRORED: [&str; 8] = [
    "KV_chorus_catalog",
    "KV_chorus_auth_trust",
    "OBJ_chorus_audio",
    "OBJ_chorus_art",
    "KV_chorus_profile",
    "chorus_plays",
    "KV_chorus_recommend",
    "OBJ_chorus_recommend_models",
];

/// Make every [`MIRRORED`] stream in this site's domain, as a mirror of the
/// hub's in `hub_domain`, and the site's plays stream, with `replicas` (the
/// site's cluster size).
pub async fn mirror_from_hub(js: &jetstream::Context, hub_domain: &str, replicas: usize) -> anyhow::Result<()> {
    let domain = site_domain(js).await?;
    let site_plays = site_plays_stream(&domain);
    if js.get_stream(&site_plays).await.is_err() {
        let plays = stream::Config {
            name: site_plays,
            subjects: vec![format!("{SITE_PLAYS}.*")],
            num_replicas: replicas.max(1),
            description: Some("the plays recorded at this edge site, which the hub sources".into()),
            ..Default::default()
        };
        js.create_stream(plays).await.context("creating the site's plays stream")?;
    }
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
pub(super) fn mirror_config(name: &str, hub_domain: &str, replicas: usize) -> stream::Config {
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
