//! The HTTP side: `/rest/<endpoint>` (with or without `.view`), GET or a
//! POSTed form, answered in XML, JSON or JSONP; and the actor that keeps
//! the listener up.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, HttpBody as _};
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::response::Response;
use axum::routing::any;
use axum::Router;
use chorus_nats::ChorusClient;
use futures::StreamExt as _;
use ractor::{Actor, ActorProcessingErr, ActorRef};
use serde_json::json;
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinHandle;

use crate::config::SubsonicConfig;
use crate::media::Sessions;
use crate::params::Params;
use crate::reply::{render, Failure, Format, Reply};
use crate::searching::Cursors;
use crate::signin::{Listener, SignIns};
use crate::{annotations, browsing, discovery, lists, media, playlists, queue, searching};

/// What every request shares.
pub(crate) struct Gateway {
    pub(crate) config: SubsonicConfig,
    /// Room for requests in flight (`max_requests`).
    inflight: Arc<Semaphore>,
    pub(crate) signins: SignIns,
    pub(crate) sessions: Sessions,
    pub(crate) cursors: Cursors,
}

impl Gateway {
    pub(crate) fn new(nats: async_nats::Client, config: SubsonicConfig) -> Self {
        let client = ChorusClient::new(nats).with_timeout(Duration::from_millis(config.request_timeout_ms));
        Self {
            signins: SignIns::new(client, Duration::from_secs(config.credential_cache_s)),
            sessions: Sessions::default(),
            cursors: Cursors::default(),
            inflight: Arc::new(Semaphore::new(config.max_requests.max(1))),
            config,
        }
    }
}

/// The router.
pub(crate) fn router(gateway: Arc<Gateway>) -> Router {
    Router::new().route("/rest/{*endpoint}", any(rest)).with_state(gateway)
}

async fn rest(
    State(gw): State<Arc<Gateway>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(endpoint): Path<String>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    // Held until the response's body is sent: a stream counts while it plays.
    let Ok(permit) = gw.inflight.clone().try_acquire_owned() else {
        let busy = Failure { retry_after_ms: Some(1000), ..Failure::new(0, "Chorus is busy; try again in a moment") };
        return render(&Format::Json, Err(busy));
    };
    let mut params = Params::default();
    if let Some(q) = parts.uri.query() {
        params.extend_from(q.as_bytes());
    }
    let form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if parts.method == Method::POST && form {
        match axum::body::to_bytes(body, gw.config.max_form_bytes).await {
            Ok(b) => params.extend_from(&b),
            Err(_) => {
                let format = Format::parse(params.get("f"), params.get("callback"));
                return render(&format, Err(Failure::invalid("body", "a form too large, or cut short")));
            }
        }
    }
    let format = Format::parse(params.get("f"), params.get("callback"));
    let name = endpoint.strip_suffix(".view").unwrap_or(&endpoint);
    let forwarded = parts
        .headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|v| v.trim().chars().take(64).collect::<String>())
        .filter(|v| gw.config.forwarded_for && !v.is_empty());
    let client = forwarded.unwrap_or_else(|| peer.ip().to_string());
    let outcome = handle(&gw, name, &params, &client, &parts.headers).await;
    if let Err(f) = &outcome {
        tracing::debug!(endpoint = name, code = f.code, message = %f.message, "subsonic error");
    }
    let response = render(&format, outcome);
    if response.body().size_hint().exact().is_some() {
        // A body in memory: the request is done (and its length known to hyper).
        return response;
    }
    // A stream (audio): its permit goes with it; its `Content-Length` was set.
    let (parts, body) = response.into_parts();
    let body = body.into_data_stream().map(move |chunk| {
        let _held = &permit;
        chunk
    });
    Response::from_parts(parts, Body::from_stream(body))
}

/// Every endpoint the gateway answers, by name.
const ENDPOINTS: &[&str] = &[
    "ping",
    "getLicense",
    "getOpenSubsonicExtensions",
    "tokenInfo",
    "getUser",
    "getMusicFolders",
    "getIndexes",
    "getArtists",
    "getArtist",
    "getAlbum",
    "getSong",
    "getMusicDirectory",
    "getGenres",
    "getAlbumList",
    "getAlbumList2",
    "getRandomSongs",
    "getSongsByGenre",
    "getStarred",
    "getStarred2",
    "search2",
    "search3",
    "stream",
    "download",
    "getCoverArt",
    "star",
    "unstar",
    "setRating",
    "scrobble",
    "getPlaylists",
    "getPlaylist",
    "createPlaylist",
    "updatePlaylist",
    "deletePlaylist",
    "getPlayQueue",
    "savePlayQueue",
    "getSimilarSongs",
    "getSimilarSongs2",
    "getArtistInfo",
    "getArtistInfo2",
    "getTopSongs",
];

async fn handle(gw: &Gateway, name: &str, params: &Params, peer: &str, headers: &HeaderMap) -> Result<Reply, Failure> {
    let Some(name) = ENDPOINTS.iter().find(|e| e.eq_ignore_ascii_case(name)).copied() else {
        return Err(Failure::not_implemented(name));
    };
    // The public ones: with credentials, `ping` and `getLicense` check them
    // (how an app tests a sign-in); without, they answer as Subsonic does.
    match name {
        "getOpenSubsonicExtensions" => return Ok(extensions()),
        "ping" | "getLicense" if !SignIns::offered(params) => return Ok(public(name)),
        _ => {}
    }
    let listener = gw.signins.listener(params, peer).await?;
    answer(gw, name, params, &listener, headers).await
}

async fn answer(gw: &Gateway, name: &str, p: &Params, l: &Listener, headers: &HeaderMap) -> Result<Reply, Failure> {
    match name {
        "ping" | "getLicense" => Ok(public(name)),
        "tokenInfo" => Ok(Reply::with("tokenInfo", json!({"username": l.username}))),
        "getUser" => browsing::user(p, l),
        "getMusicFolders" => Ok(browsing::music_folders()),
        "getIndexes" => browsing::indexes(l, true).await,
        "getArtists" => browsing::indexes(l, false).await,
        "getArtist" => browsing::artist(p, l).await,
        "getAlbum" => browsing::album(p, l).await,
        "getSong" => browsing::song(p, l).await,
        "getMusicDirectory" => browsing::directory(p, l).await,
        "getGenres" => browsing::genres(l).await,
        "getAlbumList" => lists::album_list(p, l, "albumList").await,
        "getAlbumList2" => lists::album_list(p, l, "albumList2").await,
        "getRandomSongs" => lists::random_songs(p, l).await,
        "getSongsByGenre" => lists::songs_by_genre(gw, p, l).await,
        "getStarred" => annotations::starred(l, "starred").await,
        "getStarred2" => annotations::starred(l, "starred2").await,
        "search2" => searching::search(gw, p, l, "searchResult2").await,
        "search3" => searching::search(gw, p, l, "searchResult3").await,
        "stream" | "download" => media::stream(gw, p, l, headers).await,
        "getCoverArt" => media::cover_art(p, l).await,
        "star" => annotations::star(p, l, true).await,
        "unstar" => annotations::star(p, l, false).await,
        "setRating" => annotations::rate(p, l).await,
        "scrobble" => media::scrobble(gw, p, l).await,
        "getPlaylists" => playlists::list(l).await,
        "getPlaylist" => playlists::get(p, l).await,
        "createPlaylist" => playlists::create(p, l).await,
        "updatePlaylist" => playlists::update(p, l).await,
        "deletePlaylist" => playlists::delete(p, l).await,
        "getPlayQueue" => queue::get(l).await,
        "savePlayQueue" => queue::save(p, l).await,
        "getSimilarSongs" => discovery::similar_songs(p, l, "similarSongs").await,
        "getSimilarSongs2" => discovery::similar_songs(p, l, "similarSongs2").await,
        "getArtistInfo" => discovery::artist_info(p, l, "artistInfo").await,
        "getArtistInfo2" => discovery::artist_info(p, l, "artistInfo2").await,
        "getTopSongs" => discovery::top_songs(p, l).await,
        other => Err(Failure::not_implemented(other)),
    }
}

fn public(name: &str) -> Reply {
    match name {
        "getLicense" => Reply::with("license", json!({"valid": true, "email": "", "licenseExpires": null})),
        _ => Reply::empty(),
    }
}

fn extensions() -> Reply {
    Reply::with(
        "openSubsonicExtensions",
        json!([
            {"name": "apiKeyAuthentication", "versions": [1]},
            {"name": "formPost", "versions": [1]},
        ]),
    )
}

/// Keeps the HTTP listener up; the supervisor restarts it if it fails.
/// When the node drains it stops accepting and lets requests in flight
/// finish; whatever is still running when the node stops is cut (an app
/// resumes a cut stream with a range request).
pub(crate) struct HttpServer;

/// The server task, ended with the actor however it ends.
pub(crate) struct Serving(JoinHandle<()>);

impl Drop for Serving {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Actor for HttpServer {
    type Msg = ();
    type State = Serving;
    type Arguments = (String, Arc<Gateway>, watch::Receiver<bool>);

    async fn pre_start(
        &self,
        _myself: ActorRef<Self::Msg>,
        (listen, gateway, mut draining): Self::Arguments,
    ) -> Result<Self::State, ActorProcessingErr> {
        let listener = tokio::net::TcpListener::bind(&listen)
            .await
            .map_err(|e| format!("binding the OpenSubsonic listener on {listen}: {e}"))?;
        let bound = listener.local_addr()?;
        let app = router(gateway).into_make_service_with_connect_info::<SocketAddr>();
        tracing::info!(%bound, "OpenSubsonic API at /rest/");
        let drained = async move {
            let _ = draining.wait_for(|d| *d).await;
        };
        Ok(Serving(tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(drained).await {
                tracing::error!(error = %e, "the OpenSubsonic listener stopped");
            }
        })))
    }
}
