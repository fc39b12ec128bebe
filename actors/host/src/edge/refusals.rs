//! The hub's services, answered 503 at a site while the hub is away.

/// While the uplink is down, the services this site does not run (sign-in,
/// playlists, payment) are answered here, in their queue groups, with 503
/// `hub_unreachable`: a listener's edit is refused with a code, never left
/// to time out unanswered. Dropped (unsubscribed) once the hub answers.
pub(super) struct Refusals {
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Refusals {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl Refusals {
    pub(super) async fn start(nats: &async_nats::Client, absent: &[&'static str]) -> anyhow::Result<Self> {
        let mut tasks = Vec::new();
        for service in absent {
            let subject = format!("chorus.{service}.v1.>");
            let mut sub = nats.queue_subscribe(subject.clone(), service.to_string()).await?;
            let nats = nats.clone();
            tasks.push(tokio::spawn(async move {
                use futures::StreamExt as _;
                while let Some(msg) = sub.next().await {
                    refuse(&nats, msg).await;
                }
            }));
        }
        tracing::warn!(services = ?absent, "uplink down: the hub's services answer 503 hub_unreachable here");
        Ok(Self { tasks })
    }
}

async fn refuse(nats: &async_nats::Client, msg: async_nats::Message) {
    let Some(reply) = msg.reply.clone() else { return };
    if !crate::ingress::expected_reply(&reply) {
        return;
    }
    let content_type = msg.headers.as_ref().and_then(|h| h.get(chorus_nats::headers::CONTENT_TYPE)).map(|v| v.as_str());
    let encoding = chorus_nats::Encoding::detect(content_type, &msg.payload);
    let e = chorus_nats::ServiceError::unavailable(
        chorus_nats::errors::common::HUB_UNREACHABLE,
        "this edge site cannot reach the hub, which runs this service; retry once it is back",
    );
    let mut h = async_nats::HeaderMap::new();
    if encoding == chorus_nats::Encoding::Json {
        h.insert(chorus_nats::headers::names::CONTENT_TYPE, encoding.content_type());
    }
    let body = crate::reply::error_body(&mut h, encoding, &e);
    let _ = nats.publish_with_headers(reply, h, body).await;
}
