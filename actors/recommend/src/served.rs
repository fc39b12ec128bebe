//! The model an instance serves. A trained model is one object of the
//! store `chorus_recommend_models` (`model-<version>`: its manifest, the
//! tracks its item numbers stand for, the model), and the key
//! `model.latest` of the bucket `chorus_recommend` names the newest. Every
//! instance follows that key: it loads the new object, then swaps it in
//! between two requests; until it has, and if loading fails, the model it
//! had goes on serving.

use rustc_hash::FxHashMap as HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use anyhow::Context as _;
use chorus_nats::messages::recommend::Manifest;
use chorus_nats::Encoding;
use chorus_state::{Change, ObjectReader, Projection, View};
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::catalog::Lookup;

/// The bucket holding the manifest of the newest model.
pub(crate) const BUCKET: &str = "chorus_recommend";
/// The object store of trained models.
pub(crate) const MODELS: &str = "chorus_recommend_models";
/// The key naming the newest model.
pub(crate) const LATEST: &str = "model.latest";

/// The name of a model's object.
pub(crate) fn object_name(version: u64) -> String {
    format!("model-{version}")
}

/// What an object holds before the model: its manifest and its tracks.
#[derive(Serialize, Deserialize)]
struct Header {
    manifest: Manifest,
    /// Item number → track.
    items: Vec<Uuid>,
}

/// A model's object: `[header length, u32 big-endian][header, MessagePack][model bytes]`.
pub(crate) fn encode(manifest: &Manifest, items: &[Uuid], model: &chorus_recsys::Model) -> anyhow::Result<Vec<u8>> {
    let header = Encoding::MsgPack.encode(&Header { manifest: manifest.clone(), items: items.to_vec() })?;
    let model = model.to_bytes()?;
    let mut out = Vec::with_capacity(4 + header.len() + model.len());
    out.extend_from_slice(&u32::try_from(header.len())?.to_be_bytes());
    out.extend_from_slice(&header);
    out.extend_from_slice(&model);
    Ok(out)
}

/// A model loaded for serving.
pub(crate) struct Loaded {
    pub(crate) manifest: Manifest,
    pub(crate) model: chorus_recsys::Model,
    items: Vec<Uuid>,
    index: HashMap<Uuid, u32>,
    /// Per item, whether the catalog lets it be recommended, as last asked:
    /// `(catalog generation + 1) << 1 | playable`, 0 for never asked.
    playable: Vec<AtomicU64>,
}

impl Loaded {
    fn decode(bytes: &[u8]) -> anyhow::Result<Self> {
        anyhow::ensure!(bytes.len() >= 4, "a model object of {} bytes", bytes.len());
        let n = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
        anyhow::ensure!(bytes.len() >= 4 + n, "a model object cut short");
        let header: Header = Encoding::MsgPack.decode(&bytes[4..4 + n]).context("a model's header")?;
        let model = chorus_recsys::Model::from_bytes(&bytes[4 + n..]).context("a model")?;
        let index = header.items.iter().enumerate().map(|(i, id)| (*id, i as u32)).collect();
        let playable = header.items.iter().map(|_| AtomicU64::new(0)).collect();
        Ok(Self { manifest: header.manifest, model, items: header.items, index, playable })
    }

    /// Whether `item`'s track may be recommended ([`crate::catalog::Catalog::playable`]).
    ///
    /// A ranking asks this of hundreds of candidates, and each question to
    /// the catalog was a cache miss or two in a map of 100,000 tracks; the
    /// answer is kept per item until the catalog changes.
    pub(crate) fn playable(&self, item: u32, catalog: &Lookup<'_>) -> bool {
        let stamp = (catalog.generation() + 1) << 1;
        let slot = &self.playable[item as usize];
        let noted = slot.load(Ordering::Relaxed);
        if noted & !1 == stamp {
            return noted & 1 == 1;
        }
        let playable = catalog.playable(self.track(item));
        // Relaxed is enough: the answer depends on nothing but the generation it is noted with.
        slot.store(stamp | u64::from(playable), Ordering::Relaxed);
        playable
    }

    /// The model's number for `track`, if it learned about it.
    pub(crate) fn item(&self, track: Uuid) -> Option<u32> {
        self.index.get(&track).copied()
    }

    /// The entries of a weighted history the model knows, by its numbers.
    pub(crate) fn items_of(&self, history: &[(Uuid, f32)]) -> Vec<(u32, f32)> {
        history.iter().filter_map(|(t, w)| self.item(*t).map(|i| (i, *w))).collect()
    }

    /// The track a model number stands for.
    pub(crate) fn track(&self, item: u32) -> Uuid {
        self.items[item as usize]
    }
}

/// See the module docs.
pub(crate) struct Served {
    current: RwLock<Option<Arc<Loaded>>>,
    store: ObjectReader,
}

impl Served {
    pub(crate) fn new(store: ObjectReader) -> Self {
        Self { current: RwLock::new(None), store }
    }

    /// The model now served, if any was trained.
    pub(crate) fn get(&self) -> Option<Arc<Loaded>> {
        self.current.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The version served (0: none).
    pub(crate) fn version(&self) -> u64 {
        self.get().map_or(0, |m| m.manifest.version)
    }

    async fn load(&self, manifest: Manifest) -> anyhow::Result<()> {
        if manifest.version <= self.version() {
            return Ok(());
        }
        let bytes = self.store.read(&manifest.object).await?;
        let loaded = tokio::task::spawn_blocking(move || Loaded::decode(&bytes)).await??;
        tracing::info!(version = loaded.manifest.version, tracks = loaded.items.len(), "serving a new model");
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(loaded));
        Ok(())
    }
}

impl Projection for Served {
    fn apply<'a>(&'a self, _: &'a View, changes: Vec<Change>, _: u64) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let newest = changes.iter().filter(|c| c.key == LATEST).filter_map(Change::decode::<Manifest>).last();
            if let Some(manifest) = newest {
                let version = manifest.version;
                // A model that cannot be loaded leaves the previous one serving.
                if let Err(e) = self.load(manifest).await {
                    tracing::error!(version, error = %format!("{e:#}"), "loading a model; the previous one goes on serving");
                }
            }
            Ok(())
        })
    }

    fn restore<'a>(&'a self, _: &'a View) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async { Ok(()) })
    }
}
