//! `chorus req` and `chorus micro`: a NATS client for machines without the `nats` CLI.

use std::time::Duration;

use anyhow::Context as _;
use async_nats::HeaderMap;
use chorus_nats::headers;
use futures::StreamExt;

/// A reply as the CLI shows it.
#[derive(Debug)]
pub struct Reply {
    /// The error status, if the reply is an error.
    pub error: Option<String>,
    /// The body, pretty-printed when it is JSON.
    pub body: String,
}

/// Send `body` (JSON) to `subject`, with `token` as the bearer when given,
/// and wait up to `timeout` for the reply.
pub async fn request(
    nats: &async_nats::Client,
    subject: &str,
    body: &str,
    token: Option<&str>,
    timeout: Duration,
) -> anyhow::Result<Reply> {
    let mut h = HeaderMap::new();
    h.insert(headers::CONTENT_TYPE, headers::JSON);
    if let Some(token) = token {
        h.insert(headers::AUTHORIZATION, format!("Bearer {token}").as_str());
    }
    h.insert(headers::DEADLINE, (chorus_nats::clock::now_ms() + timeout.as_millis() as u64).to_string().as_str());
    let req = async_nats::Request::new().headers(h).payload(body.to_string().into()).timeout(Some(timeout));
    let msg = nats.send_request(subject.to_string(), req).await.with_context(|| format!("request on {subject}"))?;
    let error = msg.headers.as_ref().and_then(|h| {
        let code = h.get(headers::SERVICE_ERROR_CODE)?;
        let text = h.get(headers::SERVICE_ERROR).map(|v| v.as_str()).unwrap_or("");
        Some(format!("{} {}", code.as_str(), text))
    });
    Ok(Reply { error, body: pretty(&msg.payload) })
}

/// Ask every instance on a `$SRV` subject (`PING`, `INFO`, `STATS`, optionally
/// `.<service>`) and collect the replies that arrive within `wait`.
pub async fn discover(nats: &async_nats::Client, subject: &str, wait: Duration) -> anyhow::Result<Vec<String>> {
    let inbox = nats.new_inbox();
    let mut sub = nats.subscribe(inbox.clone()).await?;
    nats.publish_with_reply(subject.to_string(), inbox, "".into()).await?;
    let mut replies = Vec::new();
    let deadline = tokio::time::Instant::now() + wait;
    while let Ok(Some(msg)) = tokio::time::timeout_at(deadline, sub.next()).await {
        // While no instance is up, the server answers with an empty no-responders status.
        if msg.status.is_none() && !msg.payload.is_empty() {
            replies.push(pretty(&msg.payload));
        }
    }
    Ok(replies)
}

fn pretty(body: &[u8]) -> String {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(v) => serde_json::to_string_pretty(&v).unwrap_or_default(),
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    }
}
