//! `chorus web`: serves the web player's built files (`examples/web/dist`,
//! `/usr/share/chorus/web` in the image) and its `config.json` (where and as
//! whom the page connects: a file of the deployment's, not of the build).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use tower_http::services::ServeDir;

/// Serve `dir` on `listen`, with `/config.json` read from `config` at each
/// request (so a mounted file that changes is served as it is now), until
/// `shutdown` resolves.
pub async fn serve(
    dir: &Path,
    config: PathBuf,
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

async fn config_json(path: &Path) -> impl IntoResponse {
    let no_store = [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))];
    match tokio::fs::read(path).await {
        Ok(body) => {
            (StatusCode::OK, no_store, [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body)
                .into_response()
        }
        Err(e) => {
            tracing::error!(path = %path.display(), error = %e, "config.json cannot be read");
            (StatusCode::SERVICE_UNAVAILABLE, no_store, "config.json cannot be read\n").into_response()
        }
    }
}
