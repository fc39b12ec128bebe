//! The node's optional HTTP listener (`http_listen`): `/livez`, `/readyz`
//! and `/metrics`, for Kubernetes probes and Prometheus. Requests to
//! services go through NATS, never here.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context as _;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use tokio::task::JoinHandle;

use crate::health::{Health, Phase};
use crate::metrics::Metrics;

#[derive(Clone)]
struct Shared {
    health: Arc<Health>,
    metrics: Arc<Metrics>,
}

/// Bind `addr` and serve until the handle is aborted. Returns the bound address.
pub(crate) async fn listen(
    addr: &str,
    health: Arc<Health>,
    metrics: Arc<Metrics>,
) -> anyhow::Result<(SocketAddr, JoinHandle<()>)> {
    let listener =
        tokio::net::TcpListener::bind(addr).await.with_context(|| format!("binding the HTTP listener on {addr}"))?;
    let bound = listener.local_addr()?;
    let app = Router::new()
        .route("/livez", get(livez))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
        .with_state(Shared { health, metrics });
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "the HTTP listener stopped");
        }
    });
    tracing::info!(%bound, "HTTP listener: /livez /readyz /metrics");
    Ok((bound, task))
}

/// Alive as long as the process answers.
async fn livez() -> &'static str {
    "ok\n"
}

async fn readyz(State(s): State<Shared>) -> impl IntoResponse {
    match s.health.phase() {
        Phase::Ready => (StatusCode::OK, "ready\n"),
        Phase::Starting => (StatusCode::SERVICE_UNAVAILABLE, "starting\n"),
        Phase::Draining => (StatusCode::SERVICE_UNAVAILABLE, "draining\n"),
    }
}

async fn metrics_text(State(s): State<Shared>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], s.metrics.render().await)
}
