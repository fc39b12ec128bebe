//! `chorus web`: serves the web player's built files (`examples/web/dist`,
//! `/usr/share/chorus/web` in the image) and its `config.json` (where and as
//! whom the page connects: the deployment's, not the build's), from a file
//! or made from a websocket URL, a user and a password.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use tower_http::services::ServeDir;

/// Where the page's `config.json` comes from.
#[derive(Clone)]
pub enum PageConfig {
    /// A file, read at each request (a mounted file that changes is served as it is now).
    File(PathBuf),
    /// Made once from these.
    Made {
        /// The NATS websocket URL the browser opens (`wss://chorus.example/nats`).
        ws_url: String,
        /// The NATS user browsers connect as (the auth callout's `web_user`).
        user: String,
        /// Its password (the callout's `web_password`).
        password: String,
    },
}

/// Serve `dir` on `listen`, with `/config.json` from `config`, until `shutdown` resolves.
pub async fn serve(
    dir: &Path,
    config: PageConfig,
    listen: &str,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        dir.join("index.html").is_file(),
        "{} has no index.html (build the web player first)",
        dir.display()
    );
    let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("binding {listen}"))?;
    let bound: SocketAddr = listener.local_addr()?;
    let app = Router::new()
        .route(
            "/config.json",
            get(move || {
                let config = config.clone();
                async move { config_json(&config).await }
            }),
        )
        .fallback_service(ServeDir::new(dir));
    tracing::info!(%bound, dir = %dir.display(), "serving the web player");
    println!("web player on http://{bound}/");
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await.context("serving the web player")
}

async fn config_json(config: &PageConfig) -> impl IntoResponse {
    let no_store = [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))];
    let read = match config {
        PageConfig::File(path) => tokio::fs::read(path).await.map_err(|e| (path.display().to_string(), e)),
        PageConfig::Made { ws_url, user, password } => {
            Ok(serde_json::json!({"ws_url": ws_url, "user": user, "password": password}).to_string().into_bytes())
        }
    };
    match read {
        Ok(body) => {
            (StatusCode::OK, no_store, [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body)
                .into_response()
        }
        Err((path, e)) => {
            tracing::error!(%path, error = %e, "config.json cannot be read");
            (StatusCode::SERVICE_UNAVAILABLE, no_store, "config.json cannot be read\n").into_response()
        }
    }
}
