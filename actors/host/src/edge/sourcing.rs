//! The hub sourcing this site's plays.

use std::time::Duration;

use anyhow::Context as _;
use async_nats::jetstream::{self, stream};
use chorus_nats::records::profile::{site_plays_stream, PLAYS, SITE_PLAYS};

use super::site_domain;

/// The hub's `chorus_plays` sourcing this site's plays: added when missing,
/// and restarted when it has stalled (after the hub restarts, nats-server
/// was seen not to resume a source from a leaf's domain for minutes; an
/// update of the source restarts it at once, and the source's position and
/// the play ids keep every play to one).
#[derive(Default)]
pub(super) struct Sourcing {
    /// The site's domain, read once.
    domain: Option<String>,
    /// When this node last restarted the source.
    nudged: Option<std::time::Instant>,
}

/// A source with nothing heard this long while the site has plays has stalled.
const SOURCE_STALLED: Duration = Duration::from_secs(20);

impl Sourcing {
    pub(super) async fn check(
        &mut self,
        nats: &async_nats::Client,
        js: &jetstream::Context,
        hub_domain: &str,
    ) -> anyhow::Result<()> {
        let domain = match &self.domain {
            Some(d) => d.clone(),
            None => {
                let d = site_domain(js).await?;
                self.domain = Some(d.clone());
                d
            }
        };
        let (api, name) = (format!("$JS.{domain}.API"), site_plays_stream(&domain));
        let site_last = js.get_stream(&name).await?.info().await?.state.last_sequence;
        let hub = jetstream::with_domain(nats.clone(), hub_domain);
        let mut plays = hub.get_stream(PLAYS).await.context("the hub's plays stream")?;
        let info = plays.info().await?.clone();
        let ours = |s: &stream::Source| s.name == name;
        let mut config = info.config.clone();
        match config.sources.as_mut().and_then(|s| s.iter_mut().find(|s| ours(s))) {
            None => {
                config.sources.get_or_insert_with(Vec::new).push(stream::Source {
                    name: name.clone(),
                    external: Some(stream::External { api_prefix: api.clone(), delivery_prefix: None }),
                    subject_transforms: vec![stream::SubjectTransform {
                        source: format!("{SITE_PLAYS}.*"),
                        destination: format!("{PLAYS}.{{{{wildcard(1)}}}}"),
                    }],
                    ..Default::default()
                });
                hub.update_stream(config).await.context("adding this site to the hub's plays sources")?;
                tracing::info!(site = %domain, "the hub's plays now source this site's");
            }
            Some(source) => {
                let state = info.sources.iter().find(|s| s.name == name);
                let silent = state.is_none_or(|s| s.active.is_none_or(|a| a >= SOURCE_STALLED));
                let recently = self.nudged.is_some_and(|at| at.elapsed() < SOURCE_STALLED);
                if site_last > 0 && silent && !recently {
                    // The same source, its filter written out or left out: an
                    // update that restarts it and changes nothing it takes.
                    source.filter_subject = match source.filter_subject.take() {
                        Some(_) => None,
                        None => Some(format!("{SITE_PLAYS}.*")),
                    };
                    hub.update_stream(config).await.context("restarting the hub's source of this site's plays")?;
                    self.nudged = Some(std::time::Instant::now());
                    tracing::warn!(site = %domain, "the hub's source of this site's plays had stalled: restarted");
                }
            }
        }
        Ok(())
    }
}
