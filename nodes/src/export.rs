//! `chorus account export`: a listener's data as one JSON archive, walked
//! from the endpoints every listener already has (subjects.md, auth,
//! Closing an account), as the listener (their access token).
//!
//! The archive: `{format, exported_at, account, profile: {playlists,
//! favorites, ratings, queue, plays}, billing: {subscription, methods,
//! details, invoices}}`. Playlists carry every track id; plays and invoices
//! are every one there is, oldest and newest first as the endpoints give them.

use chorus_nats::messages::auth::UserMe;
use chorus_nats::messages::payment::{BillingGet, InvoiceList, MethodList, SubscriptionGet};
use chorus_nats::messages::profile::{FavoriteList, PlayHistory, PlaylistGet, PlaylistList, QueueGet, RatingList};
use chorus_nats::ChorusClient;
use serde_json::{json, Value};

/// The archive's `format`.
pub const FORMAT: &str = "chorus-export/1";

/// Walk every endpoint and put the caller's data in one document.
pub async fn archive(client: &ChorusClient) -> anyhow::Result<Value> {
    let account = client.call(&UserMe {}).await?;
    Ok(json!({
        "format": FORMAT,
        "exported_at": chorus_nats::clock::now_ms(),
        "account": account,
        "profile": profile(client).await?,
        "billing": billing(client).await?,
    }))
}

/// Every page of a list: `page(cursor)` gives a page's items and the next cursor.
async fn all<T, F, Fut>(mut page: F) -> anyhow::Result<Vec<T>>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<(Vec<T>, Option<String>)>>,
{
    let (mut items, mut cursor) = (Vec::new(), None);
    loop {
        let (more, next) = page(cursor).await?;
        items.extend(more);
        match next {
            Some(next) => cursor = Some(next),
            None => return Ok(items),
        }
    }
}

async fn profile(client: &ChorusClient) -> anyhow::Result<Value> {
    let summaries = all(|cursor| async move {
        let page = client.call(&PlaylistList { cursor, limit: Some(50) }).await?;
        Ok((page.playlists, page.next))
    })
    .await?;
    let mut playlists = Vec::new();
    for summary in summaries {
        // Each page of a playlist carries the playlist with every track id.
        let view = client.call(&PlaylistGet { id: summary.id, revision: None, cursor: None, limit: Some(1) }).await?;
        playlists.push(view.playlist);
    }
    let favorites = all(|cursor| async move {
        let page = client.call(&FavoriteList { kind: None, cursor, limit: Some(500) }).await?;
        Ok((vec![(page.tracks, page.albums, page.artists)], page.next))
    })
    .await?;
    let (mut tracks, mut albums, mut artists) = (Vec::new(), Vec::new(), Vec::new());
    for (t, al, ar) in favorites {
        tracks.extend(t);
        albums.extend(al);
        artists.extend(ar);
    }
    let ratings = all(|cursor| async move {
        let page = client.call(&RatingList { cursor, limit: Some(500) }).await?;
        Ok((page.ratings, page.next))
    })
    .await?;
    let plays = all(|cursor| async move {
        let page = client.call(&PlayHistory { cursor, limit: Some(1000) }).await?;
        Ok((page.plays, page.next))
    })
    .await?;
    Ok(json!({
        "playlists": playlists,
        "favorites": {"tracks": tracks, "albums": albums, "artists": artists},
        "ratings": ratings,
        "queue": client.call(&QueueGet {}).await?,
        "plays": plays,
    }))
}

async fn billing(client: &ChorusClient) -> anyhow::Result<Value> {
    let invoices = all(|cursor| async move {
        let page = client.call(&InvoiceList { cursor, limit: Some(100) }).await?;
        Ok((page.invoices, page.next))
    })
    .await?;
    Ok(json!({
        "subscription": client.call(&SubscriptionGet {}).await?,
        "methods": client.call(&MethodList {}).await?.methods,
        "details": client.call(&BillingGet {}).await?,
        "invoices": invoices,
    }))
}
