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

async fn profile(client: &ChorusClient) -> anyhow::Result<Value> {
    let mut playlists = Vec::new();
    let mut cursor = None;
    loop {
        let page = client.call(&PlaylistList { cursor, limit: Some(50) }).await?;
        for summary in page.playlists {
            // Each page of a playlist carries the playlist with every track id.
            let view =
                client.call(&PlaylistGet { id: summary.id, revision: None, cursor: None, limit: Some(1) }).await?;
            playlists.push(view.playlist);
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let (mut tracks, mut albums, mut artists, mut cursor) = (Vec::new(), Vec::new(), Vec::new(), None);
    loop {
        let page = client.call(&FavoriteList { kind: None, cursor, limit: Some(500) }).await?;
        tracks.extend(page.tracks);
        albums.extend(page.albums);
        artists.extend(page.artists);
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let (mut ratings, mut cursor) = (Vec::new(), None);
    loop {
        let page = client.call(&RatingList { cursor, limit: Some(500) }).await?;
        ratings.extend(page.ratings);
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let (mut plays, mut cursor) = (Vec::new(), None);
    loop {
        let page = client.call(&PlayHistory { cursor, limit: Some(1000) }).await?;
        plays.extend(page.plays);
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    Ok(json!({
        "playlists": playlists,
        "favorites": {"tracks": tracks, "albums": albums, "artists": artists},
        "ratings": ratings,
        "queue": client.call(&QueueGet {}).await?,
        "plays": plays,
    }))
}

async fn billing(client: &ChorusClient) -> anyhow::Result<Value> {
    let (mut invoices, mut cursor) = (Vec::new(), None);
    loop {
        let page = client.call(&InvoiceList { cursor, limit: Some(100) }).await?;
        invoices.extend(page.invoices);
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    Ok(json!({
        "subscription": client.call(&SubscriptionGet {}).await?,
        "methods": client.call(&MethodList {}).await?.methods,
        "details": client.call(&BillingGet {}).await?,
        "invoices": invoices,
    }))
}
